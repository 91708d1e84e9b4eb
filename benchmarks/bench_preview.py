"""Time the preview as an author meets it: ``python benchmarks/bench_preview.py [N ...]``.

For each N (default 1,000): the time ``serve`` takes to answer its first page, without and
with a build cache from an earlier ``build`` of the same content; then saves, each timed from
writing the file to the moment the server serves the changed page (polled every 5 ms over
HTTP, as a browser would fetch it after the reload): five edits to one briefing's body, two
edits to a term's hint that every article mentioning it shows, and the server's resident
memory after 20 saves. ``measure_saves`` also times ``hugo server`` for ``bench_peers``.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synthetic import ROOT, generate

ARTICLE = "synthetic-00007"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> bytes | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return body if response.status == 200 else None
    except OSError:
        return None


def wait_for(port: int, path: str, wanted: bytes, limit: float = 120.0) -> float:
    """Seconds until ``path`` is served with ``wanted`` in it."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        body = fetch(port, path)
        if body is not None and wanted in body:
            return time.perf_counter() - started
        time.sleep(0.005)
    raise SystemExit(f"{path} never showed {wanted!r}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(command: list[str], cwd: Path, port: int, path: str, wanted: bytes
          ) -> tuple[subprocess.Popen, float]:
    """Start a preview server; return it and the seconds until it served ``path``."""
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for(port, path, wanted, limit=600)
    return process, time.perf_counter() - began


def measure_saves(port: int, source: Path, page: str, saves: int, marker: str) -> list[float]:
    """Append a sentence to ``source`` ``saves`` times; each time, seconds until ``page``
    shows it."""
    times = []
    for number in range(saves):
        sentence = f"{marker} {number} was saved."
        with open(source, "a", encoding="utf-8") as file:
            file.write(f"\n{sentence}\n")
        times.append(wait_for(port, page, sentence.encode()))
        time.sleep(0.3)  # let the watcher settle, as between an author's saves
    return times


def edit_hint(port: int, glossary: Path, page: str, edits: int) -> list[float]:
    """Change the CSTO's hover hint, which every article that mentions the CSTO shows."""
    times = []
    for number in range(edits):
        text = glossary.read_text(encoding="utf-8")
        old = text.split("short: ", 1)[1].split("\n", 1)[0]
        new = f"A Moscow-led alliance, hint {number}."
        glossary.write_text(text.replace(f"short: {old}", f"short: {new}", 1), encoding="utf-8")
        times.append(wait_for(port, page, new.encode()))
        time.sleep(0.3)
    return times


def ours(content: Path, port: int) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
            "--templates", str(ROOT / "templates"), "--port", str(port)]


def measure(count: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        content = generate(Path(tmp), count)
        page = f"/briefings/{ARTICLE}.html"
        port = free_port()
        process, cold_start = start(ours(content, port), Path(tmp), port, page, b"<h1")
        process.terminate()
        process.wait()
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content",
                        str(content), "--templates", str(ROOT / "templates"), "--out",
                        str(Path(tmp) / "site")], check=True, capture_output=True)
        port = free_port()
        process, warm_start = start(ours(content, port), Path(tmp), port, page, b"<h1")
        try:
            saves = measure_saves(port, content / "briefings" / f"{ARTICLE}.md", page, 5,
                                  "Saved sentence")
            hints = edit_hint(port, content / "glossary.yml", page, 2)
            measure_saves(port, content / "briefings" / f"{ARTICLE}.md", page, 13, "More")
            memory = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait()
        shutil.rmtree(Path(tmp) / "site", ignore_errors=True)
    return {"cold start": cold_start, "start after a build": warm_start, "saves": saves,
            "hint edits": hints, "memory after 20 saves": memory}


def describe(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000])
    args = parser.parse_args()
    for count in args.sizes:
        found = measure(count)
        print(f"N = {count}: start {found['cold start']:.2f} s, after a build "
              f"{found['start after a build']:.2f} s; save -> served "
              f"{describe(found['saves'])} s; a term's hint edited "
              f"{describe(found['hint edits'])} s; "
              f"{found['memory after 20 saves']:.0f} MB resident after 20 saves", flush=True)


if __name__ == "__main__":
    main()
