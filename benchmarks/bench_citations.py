"""What citations cost: ``python benchmarks/bench_citations.py [N] [--runs R]``.

The bench corpus of N briefings (default 1,000) built cold (no output, no cache) without
citations and with ten per briefing (``synthetic.generate(citations=10)``: a references.bib
of 300 made-up works), alternately, each build in its own process (``bench_build.timed_build``:
wall, CPU, peak memory); then, with citations and the cache, a rebuild after one briefing
gains a citation, and after one cited work is edited. The issue's target: cold with
citations at most 1.3x cold without.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_build import timed_build
from benchmarks.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list] = {"cold, no citations": [], "cold, 10 citations each": [],
                                "one briefing edited": [], "one cited work edited": []}
    with tempfile.TemporaryDirectory() as tmp:
        plain = generate(Path(tmp) / "plain", args.size)
        cited = generate(Path(tmp) / "cited", args.size, citations=10)
        out, cache = Path(tmp) / "site", Path(tmp) / "cache"
        for run in range(args.runs):
            for name, content in (("cold, no citations", plain),
                                  ("cold, 10 citations each", cited)):
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
                results[name].append(timed_build(content, out, "--cache", str(cache)))
            briefing = cited / "briefings" / "synthetic-00007.md"
            with open(briefing, "a", encoding="utf-8") as file:
                file.write(f"\nA sentence for run {run} [see @work0003, p. {run + 1}].\n")
            results["one briefing edited"].append(timed_build(cited, out, "--cache", str(cache)))
            bib = cited / "references.bib"
            bib.write_text(bib.read_text(encoding="utf-8").replace(
                "title = {Synthetic work number 5", f"title = {{Synthetic work number 5 ({run})",
                1), encoding="utf-8")
            results["one cited work edited"].append(timed_build(cited, out, "--cache",
                                                                str(cache)))
    print(f"N = {args.size}, {args.runs} runs")
    print(f"{'build':<26} {'median s':>9} {'range s':>13} {'CPU s':>7} {'peak MB':>8}")
    for name, runs in results.items():
        walls = [r[0] for r in runs]
        print(f"{name:<26} {statistics.median(walls):>9.2f} {min(walls):>6.2f}–"
              f"{max(walls):<6.2f} {statistics.median(r[1] for r in runs):>7.2f} "
              f"{max(r[2] for r in runs):>8}")
    ratio = statistics.median(r[0] for r in results["cold, 10 citations each"]) / \
        statistics.median(r[0] for r in results["cold, no citations"])
    print(f"cold with citations / without: {ratio:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
