"""Live preview: build in memory, serve on loopback, rebuild on change, reload open pages.

The site is never written to disk here: pages are served from the last good build, so a
mistake in the content never takes the preview down. The script that reloads pages exists
only in served pages; ``build`` output never contains it.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import posixpath
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import watchfiles

from .errors import BuildFailed
from .hosts import allowed_host, refusal
from .incremental import State, Store, input_digest
from .options import Options
from .pipeline import build_site
from .render import ASSETS

LIVE = "/__briefing_site/"
KEEPALIVE_SECONDS = 15.0
# A browser that closed the tab, or a client that gave up, mid-request: nothing went wrong.
HUNG_UP = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
    ".xml": "application/xml; charset=utf-8", ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".bib": "application/x-bibtex; charset=utf-8",
    ".ris": "application/x-research-info-systems; charset=utf-8",
}

LIVE_JS = """\
// briefing-site preview: reload this page when its bytes change, show build errors over it.
(() => {
  const loaded = %(version)d;  // the version of the site this page came from
  const source = new EventSource("/__briefing_site/events?since=" + loaded + "&path=" +
                                 encodeURIComponent(location.pathname));
  source.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (state.reload && state.errors.length === 0) {
      location.reload();
      return;
    }
    show(state.errors);
  };
  function show(errors) {
    let overlay = document.getElementById("briefing-site-errors");
    if (!errors.length) { if (overlay) overlay.remove(); return; }
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = "briefing-site-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;" +
        "overflow:auto;z-index:1000;background:#2b0d0d;color:#fff;padding:1rem 1.25rem;" +
        "font:14px/1.5 ui-monospace,monospace;border-radius:6px;box-shadow:0 6px 24px #0008";
      document.body.append(overlay);
    }
    overlay.replaceChildren();
    const heading = document.createElement("strong");
    heading.textContent = document.body.hasAttribute("data-never-built")
      ? "The site has errors, and no version of it has built yet."
      : "The last change has errors; this is the last good version.";
    const list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:.5rem 0 0";
    list.textContent = errors.join("\\n");
    overlay.append(heading, list);
  }
})();
"""


@dataclass
class Snapshot:
    """What is being served: the last good build, and the errors of the last attempt."""

    files: dict[str, bytes] = field(default_factory=dict)
    version: int = 0  # grows with every build that changed a file
    attempt: int = 0  # grows with every build, good or not
    errors: tuple[str, ...] = ()
    changed_at: dict[str, int] = field(default_factory=dict)  # path -> version it last changed

    def changed_since(self, version: int, path: str | None) -> bool:
        """Whether the page at ``path``, as served at ``version``, is no longer what it was:
        its own bytes, the 404 page that stood for it, or an asset every page uses."""
        if version >= self.version:
            return False
        if path is None or any(self.changed_at.get(p, 0) > version for p in self.assets):
            return True
        shown = path if path in self.files or path in self.changed_at else "404.html"
        return self.changed_at.get(shown, 0) > version or self.changed_at.get(path, 0) > version

    @property
    def assets(self) -> list[str]:
        return [path for path in self.changed_at if path.startswith(ASSETS + "/")]


class Preview:
    """Builds the site in memory and keeps the last good build for the server.

    The incremental state (see ``incremental``) lives here between saves: a save costs the
    files it changed and the pages that read them. ``cache``, the folder ``build`` keeps its
    state in, gives a first build what an earlier ``build`` loaded and converted, and, while
    that build's output is as it left it, its files and what each read: the preview's site is
    the one ``build`` writes, so the first build renders only what changed since.
    """

    def __init__(self, content: Path, templates: Path, drafts: bool = False,
                 log: Callable[[str], None] = lambda line: None, jobs: int = 1,
                 cache: Path | None = None) -> None:
        self.content, self.templates, self.log = content, templates, log
        self.options = Options(drafts=drafts, jobs=jobs)
        self.cache = cache
        self.snapshot = Snapshot()
        self.changed = threading.Condition()
        self._held: dict[str, bytes] = {}  # build's files, until the first build here
        self.state = self._fresh_state(first=True)

    def _fresh_state(self, first: bool = False) -> State:
        if self.cache is None:
            return State()
        store = Store(self.cache)
        out = store.summary().get("out")
        if not first or not isinstance(out, str) or not Path(out).is_dir():
            return store.memos()
        state = store.open(Path(out))
        # Content, templates and options as that build had them: its files are this site's.
        digest, _ = input_digest([self.content, self.templates],
                                 self.options.settings(self.templates),
                                 store.summary().get("sources"))
        state.settled = digest == store.summary().get("inputs")
        for path in state.available:
            with contextlib.suppress(OSError):  # gone since: rendered again
                self._held[path] = (Path(out) / path).read_bytes()
        return state

    def rebuild(self, trigger: str = "") -> bool:
        """Build once; on success serve the result, else keep the old one and hold the errors.

        ``trigger`` names the files whose change asked for the build, for an internal error.
        """
        old = self.snapshot.files
        held = old or self._held  # the last output's files
        self.state.available = frozenset(held)
        try:
            result = build_site(self.content, self.templates, self.options, self.state,
                                stream=True)
            files = {path: held[path] if data is None else data for path, data in result.files}
        except BuildFailed as failed:
            return self._failed(tuple(str(d) for d in failed.diagnostics))
        except Exception as exc:  # a bug, not the content: say so, and start afresh next time
            self.state, self._held = self._fresh_state(), {}
            detail = "".join(traceback.format_exception_only(exc)).strip()
            return self._failed((f"{trigger or self.content}: internal error: {detail} (this "
                                 "is a bug in briefing-site; the next save builds again)",))
        self.state.commit(frozenset(files))
        self._held = {}
        changed = {path for path in files.keys() | old.keys() if files.get(path) != old.get(path)}
        version = self.snapshot.version + (1 if changed else 0)
        changed_at = {**self.snapshot.changed_at, **dict.fromkeys(changed, version)}
        self._publish(files, version, (), changed_at)
        self.log(f"Rebuilt: {result.pages} pages, {len(changed)} files changed.")
        return True

    def _failed(self, errors: tuple[str, ...]) -> bool:
        for line in errors:
            self.log(line)
        count = f"{len(errors)} error{'s' * (len(errors) != 1)}"
        self.log(f"Build failed ({count}): the last good version stays served.")
        self._publish(self.snapshot.files, self.snapshot.version, errors,
                      self.snapshot.changed_at)
        return False

    def _publish(self, files: dict[str, bytes], version: int, errors: tuple[str, ...],
                 changed_at: dict[str, int]) -> None:
        with self.changed:
            self.snapshot = Snapshot(files, version, self.snapshot.attempt + 1, errors,
                                     changed_at)
            self.changed.notify_all()

    def wait(self, attempt: int, timeout: float) -> Snapshot:
        """The snapshot once a build newer than ``attempt`` has finished (or at the timeout)."""
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot.attempt != attempt, timeout)
            return self.snapshot

    def watch(self, stop: threading.Event, paths: list[Path]) -> None:
        """Rebuild whenever a watched file changes, until ``stop`` is set."""
        for changes in watchfiles.watch(*paths, debounce=80, step=20, stop_event=stop,
                                        raise_interrupt=False):
            names = sorted({Path(p).name for _, p in changes})
            self.log(f"Changed: {', '.join(names)}")
            self.rebuild(", ".join(sorted({p for _, p in changes})))


def site_path(raw: str) -> str | None:
    """The site file a request path names, or None when it tries to leave the site.

    Decodes once, then refuses NUL, backslashes and '..' segments outright: the files live
    in memory, but a preview server should not even look like it resolves such paths.
    """
    path = unquote(urlsplit(raw).path)
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    segments = path.split("/")
    if ".." in segments:
        return None
    clean = posixpath.normpath(path).lstrip("/")
    if path.endswith("/"):
        clean = f"{clean}/index.html" if clean not in ("", ".") else "index.html"
    return clean


def _content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1]
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or \
        "application/octet-stream"


def with_live_reload(page: bytes) -> bytes:
    """A page as the preview serves it: with the reload script before its closing body tag.

    Put in as the page is sent, not by the templates: so the preview's site is the very site
    ``build`` writes (which lets it start from ``build``'s output), and a template of one's
    own reloads without knowing about it."""
    at = page.rfind(b"</body>")
    return page + _LIVE_TAG if at < 0 else page[:at] + _LIVE_TAG + b"\n" + page[at:]


_LIVE_TAG = f'<script src="{LIVE}live.js"></script>'.encode()


def _error_page(errors: tuple[str, ...]) -> bytes:
    """Shown before the first good build: the errors, and the script that reloads when fixed."""
    items = "\n".join(html.escape(line) for line in errors)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build "
            f"failed</title></head><body data-never-built><h1>The site does not build yet</h1>"
            f"<pre>{items}</pre>"
            f"<script src=\"{LIVE}live.js\"></script></body></html>").encode()


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for ``preview``; one thread per request, so pages load in parallel.

    It answers only requests addressed to this machine (see ``allowed_host``; ``host`` is
    allowed too), and a client that hangs up is no error. Any other error while answering is
    logged in one line through ``preview.log``, with no traceback."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "briefing-site"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args) -> None:
            pass  # the terminal shows builds, not every request

        def handle(self) -> None:
            with contextlib.suppress(*HUNG_UP):  # while reading the request or answering it
                super().handle()

        def do_HEAD(self) -> None:
            self.respond(head=True)

        def do_GET(self) -> None:
            self.respond(head=False)

        def respond(self, head: bool) -> None:
            asked = self.headers.get("Host")
            if not allowed_host(asked, (host,)):
                return self.send(HTTPStatus.FORBIDDEN, refusal(asked.strip()),
                                 CONTENT_TYPES[".txt"], head)
            path = site_path(self.path)
            if path == LIVE.strip("/") + "/events":
                return self.events()
            if path == LIVE.strip("/") + "/live.js":
                script = LIVE_JS % {"version": preview.snapshot.version}
                return self.send(HTTPStatus.OK, script.encode(), "text/javascript", head)
            snapshot = preview.snapshot
            if not snapshot.files:
                return self.send(HTTPStatus.SERVICE_UNAVAILABLE, _error_page(snapshot.errors),
                                 CONTENT_TYPES[".html"], head)
            if path is not None and path in snapshot.files:
                kind = _content_type(path)
                body = snapshot.files[path]
                if kind == CONTENT_TYPES[".html"]:
                    body = with_live_reload(body)
                return self.send(HTTPStatus.OK, body, kind, head)
            if path is not None and f"{path}/index.html" in snapshot.files:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", f"/{path}/")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            page = snapshot.files.get("404.html", b"Not found")
            self.send(HTTPStatus.NOT_FOUND, with_live_reload(page), CONTENT_TYPES[".html"],
                      head)

        def send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def events(self) -> None:
            """Server-sent events: the state now, then again after every build; ``reload``
            says whether the page that asks (``path``, as served at version ``since``) has
            changed since."""
            query = parse_qs(urlsplit(self.path).query)
            try:
                since = int(query.get("since", ["0"])[0])
            except ValueError:
                since = 0
            page = site_path(query.get("path", ["/"])[0])
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.close_connection = True
            attempt = None
            try:
                while not stopping.is_set():
                    snapshot = (preview.snapshot if attempt is None
                                else preview.wait(attempt, KEEPALIVE_SECONDS))
                    if snapshot.attempt != attempt:
                        attempt = snapshot.attempt
                        data = json.dumps({"version": snapshot.version,
                                           "errors": list(snapshot.errors),
                                           "reload": snapshot.changed_since(since, page)})
                        self.wfile.write(f"data: {data}\n\n".encode())
                    else:
                        self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except HUNG_UP:
                return

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # socketserver listens with a backlog of 5: a page with many assets, or a few
        # pages at once, had connections dropped and retried by the client seconds later.
        request_queue_size = socket.SOMAXCONN

        def handle_error(self, request, client_address) -> None:
            """One line for a real error (socketserver prints a traceback for any, even a
            client that hung up, which ``Handler.handle`` already ignores)."""
            error = sys.exc_info()[1]
            if isinstance(error, HUNG_UP):
                return
            detail = "".join(traceback.format_exception_only(error)).strip()
            preview.log(f"internal error answering {client_address[0]}: {detail} (this is a "
                        "bug in briefing-site; the preview goes on)")

        def server_close(self) -> None:
            stopping.set()
            with preview.changed:
                preview.changed.notify_all()  # wake the event streams so that they end
            super().server_close()

    stopping = threading.Event()
    return Server((host, port), Handler)
