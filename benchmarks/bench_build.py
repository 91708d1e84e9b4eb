"""Time whole builds of synthetic sites: ``python benchmarks/bench_build.py [N ...]``.

For each N (default 100, 1,000 and 5,000) and at least three runs of each: a cold build (no
output, no cache), a rebuild with nothing changed, and a rebuild after appending a sentence
to one briefing. Each build runs in its own process, timed and measured by the kernel
(``os.wait4``): wall time, CPU time, peak memory. Output size is that of the site folder.
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
from benchmarks.synthetic import ROOT, generate


def timed_build(content: Path, out: Path, *extra: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one build in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--content",
                                str(content), "--templates", str(ROOT / "templates"), "--out",
                                str(out), *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # this child alone, measured by the kernel
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed for {content}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(count: int, runs: int) -> dict[str, list[tuple[float, float, int]]]:
    results: dict[str, list] = {"cold": [], "no change": [], "one edit": []}
    with tempfile.TemporaryDirectory() as tmp:
        content = generate(Path(tmp), count)
        out, cache = Path(tmp) / "site", Path(tmp) / "cache"
        edited = content / "briefings" / "synthetic-00007.md"
        for run in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            results["cold"].append(timed_build(content, out, "--cache", str(cache)))
            results["no change"].append(timed_build(content, out, "--cache", str(cache)))
            with open(edited, "a", encoding="utf-8") as file:
                file.write(f"\nA sentence appended for run {run}.\n")
            results["one edit"].append(timed_build(content, out, "--cache", str(cache)))
        results["size"] = size_mb(out)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'N':>6} {'build':<10} {'median s':>9} {'range s':>13} {'CPU s':>7} "
          f"{'peak MB':>8} {'output MB':>10}")
    for count in args.sizes:
        results = measure(count, args.runs)
        for kind in ("cold", "no change", "one edit"):
            runs = results[kind]
            walls = [r[0] for r in runs]
            print(f"{count:>6} {kind:<10} {statistics.median(walls):>9.2f} "
                  f"{min(walls):>6.2f}–{max(walls):<6.2f} "
                  f"{statistics.median(r[1] for r in runs):>7.2f} "
                  f"{max(r[2] for r in runs):>8} {results['size']:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
