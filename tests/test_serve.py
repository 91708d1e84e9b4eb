"""The preview server: pages over HTTP, rebuilds on edits, errors over the last good page."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefing_site import serve
from briefing_site.hosts import allowed_host
from briefing_site.serve import Preview, make_server, site_path
from tests.conftest import BRIEFING, REPO, TEMPLATES, make_content


class Running:
    """A preview server on a free loopback port, with its watcher, for one test."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.log: list[str] = []
        self.preview = Preview(content, TEMPLATES, log=self.log.append)
        self.preview.rebuild()
        self.server = make_server(self.preview, "127.0.0.1", 0)
        self.port = self.server.server_address[1]
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.server.serve_forever, daemon=True),
                        threading.Thread(target=self.preview.watch,
                                         args=(self.stop, [content]), daemon=True)]
        for thread in self.threads:
            thread.start()
        time.sleep(0.3)  # let the watcher settle before the test edits files

    def request(self, path: str, method: str = "GET") -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(method, path)  # sent as written: no client-side normalising
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def running(tmp_path):
    server = Running(make_content(tmp_path))
    yield server
    server.close()


def wait_for(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_serves_pages_with_types_and_the_reload_script(running):
    page = running.request("/")
    assert page.status == 200
    assert page.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"Quiet Week in Almaty" in page.body
    assert b'<script src="/__briefing_site/live.js"></script>' in page.body
    for path, kind in [("/assets/style.css", "text/css"), ("/feed.xml", "application/xml"),
                       ("/assets/favicon.svg", "image/svg+xml"),
                       ("/briefings/quiet-week.bib", "application/x-bibtex"),
                       ("/__briefing_site/live.js", "text/javascript")]:
        response = running.request(path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").startswith(kind), path


def test_the_reload_script_is_put_in_as_pages_are_served_not_built(running):
    """The preview's site is the one ``build`` writes; only what is sent has the script, once
    per page, before the closing body tag (so templates of one's own need not know of it)."""
    built = running.preview.snapshot.files["glossary.html"]
    assert b"live.js" not in built
    served = running.request("/glossary.html").body
    assert served.count(b"live.js") == 1
    assert served.replace(b'<script src="/__briefing_site/live.js"></script>\n', b"") == built
    assert served.rstrip().endswith(b"</body>\n</html>")
    assert b"live.js" not in running.request("/feed.xml").body
    assert b"live.js" in running.request("/no-such-page.html").body  # the 404 page too


def test_head_gives_headers_without_a_body(running):
    head = running.request("/glossary.html", "HEAD")
    get = running.request("/glossary.html")
    assert head.status == 200 and head.body == b""
    assert head.getheader("Content-Length") == str(len(get.body))


def test_missing_pages_get_the_sites_404_page(running):
    response = running.request("/no/such/page.html")
    assert response.status == 404
    assert b"Page not found" in response.body


@pytest.mark.parametrize("path", [
    "/../../../etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
    "/briefings/..%2F..%2Fcontent%2Fsite.yml", "//etc/passwd", "/%2Fetc%2Fpasswd",
    "/..\\..\\etc\\passwd", "/index.html%00.css", "/assets/../../pyproject.toml",
    "/%252e%252e/%252e%252e/etc/passwd",
])
def test_nothing_outside_the_site_is_served(path, running):
    response = running.request(path)
    assert response.status == 404, path
    assert b"root:" not in response.body and b"title:" not in response.body


def test_site_paths_are_resolved_inside_the_site():
    assert site_path("/") == "index.html"
    assert site_path("/briefings/x.html?q=1#p2") == "briefings/x.html"
    assert site_path("/a/./b.html") == "a/b.html"
    assert site_path("/%2e%2e/x") is None and site_path("/a/../b") is None
    assert site_path("/a\\b") is None and site_path("/a%00b") is None


def test_no_directory_listing(running):
    response = running.request("/briefings/")
    assert response.status == 404
    assert b"quiet-week.html" not in response.body


def test_many_requests_at_once(running):
    paths = ["/", "/glossary.html", "/timeline.html", "/assets/style.css"] * 10
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda p: running.request(p).status, paths))
    assert statuses == [200] * len(paths)


def test_two_hundred_connections_at_once_all_wait_in_the_listen_queue(running):
    """socketserver's backlog of 5 had the kernel drop the rest, to be retried seconds
    later; the queue now holds as many as the system allows."""
    assert running.server.request_queue_size >= 128
    together = threading.Barrier(200)

    def fetch(_: int) -> int:
        together.wait()  # all connect at the same moment
        return running.request("/assets/style.css").status

    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(fetch, range(200)))
    assert statuses == [200] * 200


def request_as(port: int, host: str | None, path: str = "/") -> http.client.HTTPResponse:
    """A request whose Host header is ``host`` (None: none), as a browser sends for the
    address in its address bar."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host.format(port=port))
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.parametrize("host", ["localhost", "localhost:{port}", "LocalHost:{port}",
                                  "127.0.0.1", "127.0.0.1:{port}", "[::1]:{port}", "[::1]",
                                  "preview.localhost:{port}", "192.168.1.20:{port}", None])
def test_requests_addressed_to_this_machine_are_answered(host, running):
    assert request_as(running.port, host).status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}",
                                  "localhost.evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "localhost:{port}@evil.example", "[::1", ""])
def test_requests_for_another_name_are_refused_as_dns_rebinding(host, running):
    """A page of evil.example that points its name at 127.0.0.1 could otherwise read the
    preview, and its event stream, as same-origin."""
    for path in ("/", "/__briefing_site/events", "/__briefing_site/live.js"):
        response = request_as(running.port, host, path)
        assert response.status == 403, path
        assert response.getheader("Content-Type") == "text/plain; charset=utf-8"
        assert b"answers only to localhost and IP addresses" in response.body
        assert b"DNS rebinding" in response.body and b"Quiet Week" not in response.body


def test_a_host_given_by_name_is_answered_under_that_name():
    assert allowed_host("briefings.lan:8000", ["briefings.lan"])
    assert allowed_host("BRIEFINGS.LAN", ["briefings.lan"])
    assert not allowed_host("briefings.lan:8000")
    assert not allowed_host("other.lan:8000", ["briefings.lan"])


def count_answered(server) -> threading.Semaphore:
    """Released once for every request the server has finished with, error or not."""
    answered = threading.Semaphore(0)
    real = server.shutdown_request

    def counted(request) -> None:
        real(request)
        answered.release()

    server.shutdown_request = counted
    return answered


def test_clients_that_hang_up_mid_request_print_nothing(running, capfd):
    answered = count_answered(running.server)
    requests = [b"GET / HTTP/1.1\r\nHost: localhost\r\n",  # hangs up before the headers end
                b"GET /glossary.html HTTP/1.1\r\nHost: localhost\r\n\r\n"]  # or the reply
    for request in requests * 3:
        client = socket.create_connection(("127.0.0.1", running.port))
        client.sendall(request)
        # Closing with a reset, as a browser does with a tab closed mid-load.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
    for _ in requests * 3:
        assert answered.acquire(timeout=20)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err
    assert not any("error" in line for line in running.log), running.log
    assert running.request("/").status == 200


def test_an_unexpected_error_answering_is_one_line_in_the_log(running, capfd, monkeypatch):
    answered = count_answered(running.server)

    def broken(raw: str) -> str:
        raise RuntimeError("a bug in the handler")

    monkeypatch.setattr(serve, "site_path", broken)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        running.request("/")
    assert answered.acquire(timeout=20)
    assert "Traceback" not in capfd.readouterr().err
    assert [line for line in running.log if "internal error" in line] == [
        "internal error answering 127.0.0.1: RuntimeError: a bug in the handler (this is a "
        "bug in briefing-site; the preview goes on)"]


class Events:
    """Reads the server-sent events stream as a browser's EventSource would."""

    def __init__(self, port: int, query: str = "") -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        self.connection.request("GET", "/__briefing_site/events" + query)
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> dict:
        while True:
            line = self.response.fp.readline().decode()
            if line.startswith("data: "):
                return json.loads(line[len("data: "):])

    def close(self) -> None:
        self.connection.close()


def test_an_edit_is_served_and_announced(running):
    events = Events(running.port)
    first = events.next()
    assert first["errors"] == []
    briefing = running.content / "briefings" / "quiet-week.md"
    started = time.monotonic()
    briefing.write_text(BRIEFING + "\nA sentence added while the preview runs.\n")
    announced = events.next()
    assert announced["version"] == first["version"] + 1 and announced["errors"] == []
    page = running.request("/briefings/quiet-week.html").body
    assert b"A sentence added while the preview runs." in page
    assert time.monotonic() - started < 10  # generous; the benchmark is the place for speed
    events.close()


def test_a_broken_file_keeps_the_last_good_site_and_shows_the_error(running):
    events = Events(running.port)
    first = events.next()
    briefing = running.content / "briefings" / "quiet-week.md"
    briefing.write_text(BRIEFING.replace("date: 2022-01-05", "date: someday"))
    broken = events.next()
    assert broken["version"] == first["version"]
    assert any("quiet-week.md:3: error: bad 'date'" in line for line in broken["errors"])
    page = running.request("/briefings/quiet-week.html")
    assert page.status == 200 and b"Quiet Week in Almaty" in page.body  # the last good one
    assert any("bad 'date'" in line for line in running.log)  # and in the terminal
    briefing.write_text(BRIEFING.replace("Quiet Week", "Fixed Week"))
    fixed = events.next()
    assert fixed["errors"] == [] and fixed["version"] == first["version"] + 1
    assert b"Fixed Week in Almaty" in running.request("/briefings/quiet-week.html").body
    events.close()


def test_the_reload_script_reloads_on_a_new_version_and_shows_errors():
    from briefing_site.serve import LIVE_JS

    assert 'new EventSource("/__briefing_site/events?since="' in LIVE_JS
    assert "location.reload()" in LIVE_JS and 'setAttribute("role", "alert")' in LIVE_JS


def test_build_output_never_contains_the_reload_script(real_site):
    for page in real_site.rglob("*.html"):
        assert "__briefing_site" not in page.read_text()


def test_a_site_that_never_built_shows_its_errors_until_fixed(tmp_path):
    content = make_content(tmp_path, {"site.yml": "title: [unclosed\n"})
    server = Running(content)
    try:
        response = server.request("/")
        assert response.status == 503
        assert b"site.yml:2:1: error: invalid YAML" in response.body
        assert b"/__briefing_site/live.js" in response.body
        assert b"<body data-never-built>" in response.body  # the overlay says so
        script = server.request("/__briefing_site/live.js").body
        assert b"no version of it has built yet" in script
        (content / "site.yml").write_text("title: Now Fine\n")
        wait_for(lambda: server.request("/").status == 200)
    finally:
        server.close()


def _as_from_a_terminal() -> None:
    # A command started in the background by a shell without job control (`sh -c '... &'`,
    # as a CI runner may start the tests) ignores SIGINT, and so would every child: Ctrl-C
    # comes from a terminal, where it is never ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_as_from_a_terminal)
    line = process.stdout.readline()
    match = re.search(r"at (http://\S+/) ", line)
    assert match, line + process.stderr.read()
    return process, match.group(1)


def test_the_command_picks_a_free_port_and_stops_cleanly_on_ctrl_c(tmp_path):
    content = make_content(tmp_path)
    process, url = start_cli("--content", str(content), "--templates", str(TEMPLATES),
                             "--port", "0")
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/")
    port = int(url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/")
    assert connection.getresponse().status == 200
    connection.close()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err


def test_listening_beyond_this_machine_comes_with_a_warning(tmp_path):
    content = make_content(tmp_path)
    process, _ = start_cli("--content", str(content), "--templates", str(TEMPLATES),
                           "--port", "0", "--host", "0.0.0.0")
    os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "warning: listening on 0.0.0.0" in err


def test_only_the_pages_whose_bytes_changed_are_told_to_reload(running):
    version = running.preview.snapshot.version
    script = running.request("/__briefing_site/live.js").body.decode()
    assert f"const loaded = {version};" in script  # the version the page came from
    article = Events(running.port, f"?since={version}&path=/briefings/quiet-week.html")
    timeline = Events(running.port, f"?since={version}&path=/timeline.html")
    assert article.next()["reload"] is False and timeline.next()["reload"] is False
    briefing = running.content / "briefings" / "quiet-week.md"
    briefing.write_text(BRIEFING.replace("A second paragraph", "A second, edited paragraph"))
    assert article.next()["reload"] is True
    assert timeline.next()["reload"] is False  # the timeline does not show that paragraph
    article.close()
    timeline.close()


def test_a_save_that_changes_no_output_reloads_nothing(running):
    version = running.preview.snapshot.version
    page = Events(running.port, f"?since={version}&path=/")
    assert page.next()["reload"] is False
    glossary = running.content / "glossary.yml"
    glossary.write_text(glossary.read_text() + "\n# a comment changes no page\n")
    state = page.next()
    assert state["reload"] is False and state["errors"] == [] and state["version"] == version
    assert any("0 files changed" in line for line in running.log)
    page.close()


def test_an_internal_error_is_shown_and_the_next_save_builds_again(running, monkeypatch):
    from briefing_site import serve

    real = serve.build_site
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("something no content can cause")
        return real(*args, **kwargs)

    monkeypatch.setattr(serve, "build_site", flaky)
    events = Events(running.port)
    first = events.next()
    briefing = running.content / "briefings" / "quiet-week.md"
    briefing.write_text(BRIEFING.replace("Quiet Week", "Busy Week"))
    failed = events.next()
    assert failed["version"] == first["version"]
    assert any("quiet-week.md: internal error: RuntimeError: something no content can cause"
               in line for line in failed["errors"]), failed
    assert any("internal error" in line for line in running.log)
    briefing.write_text(BRIEFING.replace("Quiet Week", "Calm Week"))
    fixed = events.next()
    assert fixed["errors"] == [] and fixed["version"] == first["version"] + 1
    assert b"Calm Week in Almaty" in running.request("/briefings/quiet-week.html").body
    events.close()
