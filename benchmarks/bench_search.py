"""Measure search: ``python benchmarks/bench_search.py [N ...]`` (default 1,000 and 5,000).

For each N, on the synthetic site (``synthetic.py``): cold builds with search on and off, and
rebuilds after appending a sentence to one briefing (``--runs`` each, every one in a fresh
process, see ``bench_build``), so the index's share of each; the index's size, raw and
gzipped file by file (what a host that compresses sends); and in Chromium from ``file://``
(``tests/audit/search.mjs``), for a few queries each on a freshly opened page, the time from
the query's input event (pasted: one event) to the first results shown, and what the page
loaded for them (the engine, the index's files, the briefings' paragraphs), gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_build import timed_build
from benchmarks.synthetic import ROOT, generate

QUERIES = ["tokayev", "csto", "protests", "Nazarbaev", "security council"]


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def builds(content: Path, work: Path, runs: int) -> dict[str, dict[str, list]]:
    """(wall, CPU) of cold builds and of rebuilds after one edit, with search on and off."""
    off = content.parent / "content-off"
    if not off.exists():
        shutil.copytree(content, off)
        settings = off / "site.yml"
        settings.write_text(settings.read_text() + "search: false\n", encoding="utf-8")
    found: dict[str, dict[str, list]] = {name: {"cold": [], "one edit": []}
                                         for name in ("on", "off")}
    for run in range(runs):
        for name, folder in (("on", content), ("off", off)):
            out, cache = work / f"out-{name}", work / f"cache-{name}"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            found[name]["cold"].append(timed_build(folder, out, "--cache", str(cache))[:2])
            with open(folder / "briefings" / "synthetic-00007.md", "a", encoding="utf-8") as file:
                file.write(f"\nA sentence appended for run {run}.\n")
            found[name]["one edit"].append(timed_build(folder, out, "--cache", str(cache))[:2])
    return found


def median(runs: list, at: int = 0) -> float:
    return statistics.median(run[at] for run in runs)


def browser(site: Path) -> list[dict]:
    done = subprocess.run(["node", str(ROOT / "tests" / "audit" / "search.mjs"),
                           site.as_uri() + "/", "index.html", *QUERIES],
                          capture_output=True, text=True, check=True, timeout=600,
                          env={**os.environ, "PASTE": "1"})
    return json.loads(done.stdout)["queries"]


def measure(count: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        content = generate(work / "content", count)
        times = builds(content, work, runs)
        site = work / "out-on"
        index = sorted((site / "search").rglob("*.js"))
        engine = [site / "assets" / "minisearch" / "index.js", site / "assets" / "search.js",
                  site / "assets" / "search-ui.js"]
        terms = [p for p in index if p.parent.name == "search" and p.name != "index.js"]
        queries = browser(site)
        firsts = []
        for query in queries:
            files = [Path(unquote(urlsplit(url).path)) for url in query["loaded"]]
            files = [p for p in files if p in index or p in engine]
            firsts.append({"query": query["query"], "ms": query["took"],
                           "gz": sum(map(gzipped, files)), "files": len(files)})
        return {
            "N": count, "builds": times,
            "index_raw": sum(p.stat().st_size for p in index),
            "index_gz": sum(map(gzipped, index)),
            "terms_gz": sum(map(gzipped, terms)),
            "base_gz": gzipped(site / "search" / "index.js"),
            "largest_shard_gz": max(map(gzipped, terms)),
            "engine_gz": sum(map(gzipped, engine)),
            "first": firsts,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("counts", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}")
    for count in args.counts:
        found = measure(count, args.runs)
        mb = 1e6
        print(f"\nN = {count}:")
        for kind in ("cold", "one edit"):
            on, off = found["builds"]["on"][kind], found["builds"]["off"][kind]
            more = (median(on) / median(off) - 1) * 100
            cpu = (median(on, 1) / median(off, 1) - 1) * 100
            # Each run's "on" against the "off" right after it: the machine's speed drifts
            # (shared, virtual) more between runs than within one pair.
            pairs = sorted((a[1] / b[1] - 1) * 100 for a, b in zip(on, off, strict=True))
            print(f"  {kind}: {median(on):.2f} s with search, {median(off):.2f} s without "
                  f"(+{more:.1f} %); CPU {median(on, 1):.2f} s and {median(off, 1):.2f} s "
                  f"(+{cpu:.1f} %); CPU run by run {statistics.median(pairs):+.1f} % "
                  f"(median; {pairs[0]:+.1f} to {pairs[-1]:+.1f} %)")
        print(f"index: {found['index_raw'] / mb:.2f} MB, {found['index_gz'] / mb:.2f} MB "
              f"gzipped (index.js {found['base_gz'] / mb:.2f} MB, largest shard "
              f"{found['largest_shard_gz'] / mb:.2f} MB); engine and scripts "
              f"{found['engine_gz'] / 1e3:.0f} kB gzipped")
        for first in found["first"]:
            print(f"  {first['query']!r}: first results {first['ms']:.0f} ms, loaded "
                  f"{first['gz'] / mb:.2f} MB gzipped in {first['files']} files")
        print(json.dumps(found))
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
