"""Large input: one 5 MB briefing, built with no glossary and with a 5,000-term glossary.

``python benchmarks/bench_large.py`` prints whole-process times for both and their ratio:
term linking walks each text once and looks candidates up by their first word, so 5,000 terms
must cost a small share of the build, not one pattern search per term per paragraph.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_build import timed_build
from benchmarks.synthetic import CONTENT

TERMS = 5000
SIZE = 5 * 1024 * 1024


def write_site(root: Path, terms: int, seed: int = 7) -> Path:
    content = root / "content"
    (content / "briefings").mkdir(parents=True)
    (content / "site.yml").write_text("title: Large\nknown_abbreviations: [CSTO, KNB, ATM]\n")
    rng = random.Random(seed)
    names = [f"Qx{n:04d} Council" for n in range(terms)]
    (content / "glossary.yml").write_text("".join(
        f"- id: t{n:04d}\n  term: {name}\n  kind: organisation\n  aliases: [QXC{n:04d}]\n"
        f"  definition: Body number {n}.\n" for n, name in enumerate(names)))
    source = (CONTENT / "briefings" / "emergency-on-the-steppe.md").read_text()
    paragraphs = [p for p in source.split("\n---\n", 1)[1].split("\n\n") if p.strip()]
    parts, size = [], 0
    while size < SIZE:
        text = rng.choice(paragraphs)
        if names:
            text += f" The {rng.choice(names)} and QXC{rng.randrange(terms):04d} met."
        parts.append(text)
        size += len(text.encode()) + 2
    (content / "briefings" / "large.md").write_text(
        "---\ntitle: Large\ndate: 2022\n---\n\n" + "\n\n".join(parts) + "\n")
    return content


def main() -> None:
    print(f"one briefing of {SIZE // 1024 // 1024} MB; three cold builds each")
    results = {}
    for terms in (0, TERMS):
        root = Path(tempfile.mkdtemp())
        try:
            content = write_site(root, terms)
            runs = [timed_build(content, root / f"site{n}", "--no-cache") for n in range(3)]
        finally:
            shutil.rmtree(root)
        results[terms] = statistics.median(r[0] for r in runs)
        print(f"{terms:>5} terms: median {results[terms]:.2f} s "
              f"(range {min(r[0] for r in runs):.2f}–{max(r[0] for r in runs):.2f}), "
              f"peak {max(r[2] for r in runs)} MB")
    print(f"5,000 terms cost {results[TERMS] / results[0]:.2f}x the build without a glossary")


if __name__ == "__main__":
    main()
