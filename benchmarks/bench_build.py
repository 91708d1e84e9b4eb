"""Time whole builds of synthetic sites: ``python benchmarks/bench_build.py [N ...]``.

Each site has N briefings made from the sample op-ed's paragraphs (shuffled per briefing,
deterministically), the sample glossary, and the sample timeline without its locators (which
would match every copy of the op-ed). Each build runs in its own process, timed with
``os.wait4`` so that CPU time and peak memory come from the kernel, not from the build.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def generate(target: Path, count: int, seed: int = 1) -> Path:
    """Write a synthetic content folder with ``count`` briefings; return its path."""
    content = target / "content"
    (content / "briefings").mkdir(parents=True)
    shutil.copy(CONTENT / "site.yml", content / "site.yml")
    shutil.copy(CONTENT / "glossary.yml", content / "glossary.yml")
    timeline = (CONTENT / "timeline.yml").read_text(encoding="utf-8")
    (content / "timeline.yml").write_text(
        "".join(line for line in timeline.splitlines(keepends=True)
                if not line.lstrip().startswith("locator:")), encoding="utf-8")
    source = (CONTENT / "briefings" / "emergency-on-the-steppe.md").read_text(encoding="utf-8")
    body = source.split("\n---\n", 1)[1]
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    rng = random.Random(seed)
    for number in range(count):
        chosen = rng.sample(paragraphs, len(paragraphs))
        year, month = 2000 + number % 23, 1 + number % 12
        text = (f"---\ntitle: \"Synthetic briefing {number}\"\ndate: {year}-{month:02d}\n"
                f"authors:\n  - name: Analyst {number % 17}\nsummary: Briefing {number}.\n---\n\n"
                f"## Background\n\n" + "\n\n".join(chosen[:7]) + "\n\n## Analysis\n\n"
                + "\n\n".join(chosen[7:]) + "\n")
        (content / "briefings" / f"synthetic-{number:05d}.md").write_text(text, encoding="utf-8")
    return content


def timed_build(content: Path, out: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one build in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--content",
                                str(content), "--templates", str(ROOT / "templates"), "--out",
                                str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # this child alone, measured by the kernel
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed for {content}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'N':>6} {'cold median s':>14} {'range s':>15} {'CPU s':>7} {'peak MB':>8}")
    for count in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            content = generate(Path(tmp), count)
            runs = []
            for run in range(args.runs):
                out = Path(tmp) / f"site{run}"
                runs.append(timed_build(content, out))
            walls = [r[0] for r in runs]
            print(f"{count:>6} {statistics.median(walls):>14.2f} "
                  f"{min(walls):>7.2f}–{max(walls):<7.2f} "
                  f"{statistics.median(r[1] for r in runs):>7.2f} "
                  f"{max(r[2] for r in runs):>8}")


if __name__ == "__main__":
    main()
