"""A synthetic site in the project's own content format, deterministic for a given seed.

N briefings of about 1,500 words made from the sample op-ed's paragraphs, each with front
matter, headings, a quotation, a list, a table, two footnotes and glossary mentions; a
200-term glossary (the sample's terms and made-up ones) and a 1,000-event timeline.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TOPICS = [f"Topic {chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(30)]
AUTHORS = [f"Analyst {n:02d} Example" for n in range(25)]
TERMS = 200
EVENTS = 1000


def op_ed_paragraphs() -> list[str]:
    source = (CONTENT / "briefings" / "emergency-on-the-steppe.md").read_text(encoding="utf-8")
    return [p for p in source.split("\n---\n", 1)[1].split("\n\n") if p.strip()]


def made_up_terms(count: int) -> list[tuple[str, str]]:
    """(id, name) pairs for terms that appear nowhere but in synthetic text."""
    return [(f"council-{n:03d}", f"Council {n:03d} Steppe") for n in range(count)]


def write_glossary(target: Path, extra: list[tuple[str, str]]) -> None:
    sample = (CONTENT / "glossary.yml").read_text(encoding="utf-8")
    made_up = "".join(
        f"\n- id: {term_id}\n  term: {name}\n  kind: organisation\n"
        f"  definition: A made-up body, number {term_id[-3:]}, for benchmarks.\n"
        for term_id, name in extra)
    target.write_text(sample + made_up, encoding="utf-8")


def write_timeline(target: Path, rng: random.Random, count: int) -> None:
    lines = []
    for n in range(count):
        year = rng.randint(1991, 2022)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        date = rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"])
        lines.append(f"- date: {date}\n  title: Synthetic event {n:04d}\n"
                     f"  description: Something happened, number {n}.\n"
                     f"  country: Kazakhstan\n")
    target.write_text("\n".join(lines), encoding="utf-8")


def briefing(number: int, rng: random.Random, paragraphs: list[str],
             terms: list[tuple[str, str]]) -> str:
    chosen = rng.sample(paragraphs, len(paragraphs))
    mentioned = rng.sample(terms, 3)
    year, month = 2000 + number % 23, 1 + number % 12
    tags = ", ".join(rng.sample(TOPICS, 2))
    author = AUTHORS[number % len(AUTHORS)]
    body = [
        "## Background",
        *chosen[:4],
        f"> {chosen[4]}",
        f"{chosen[5]}[^1] The {mentioned[0][1]} and the {mentioned[1][1]} disagreed.",
        "## What happened",
        *chosen[6:9],
        "- A first point about the " + mentioned[2][1] + ".\n- A second point, on the KNB."
        "\n- A third point, on the CSTO.",
        "| Year | Event | Source |\n|---|---|---|\n| 2019 | Transition | Decree |\n"
        "| 2022 | Unrest | Reports |",
        "## Outlook",
        *chosen[9:13],
        f"{chosen[13]}[^2]",
        chosen[rng.randrange(14)],
        f"[^1]: A note on briefing {number}.",
        "[^2]: A second note, with a source.",
    ]
    # Every tenth is a report with the scholarly fields, so that the checkers see them too.
    scholarly = (f"type: report\ndoi: 10.5555/synthetic.{number}\nlicense: CC-BY-4.0\n"
                 f"report_number: EI-{number}\nseries: {{title: Working Paper, number: {number}}}\n"
                 f"updated: {year + 1}-01-15\ncorrections:\n  - date: {year + 1}-01-15\n"
                 f"    note: A date in the *second* section is corrected.\n"
                 if number % 10 == 0 else "")
    orcid = "    orcid: 0000-0002-1825-0097\n" if number % 10 == 0 else ""
    return (f"---\ntitle: \"Synthetic briefing {number:05d}\"\ndate: {year}-{month:02d}\n"
            f"authors:\n  - name: {author}\n    affiliation: Example Institute\n{orcid}"
            f"tags: [{tags}]\nsummary: Briefing {number}, for benchmarks.\n{scholarly}---\n\n"
            + "\n\n".join(body) + "\n")


def write_references(target: Path, count: int) -> None:
    """``count`` made-up works in BibTeX: articles, books and reports, in turn."""
    entries = []
    for number in range(count):
        kind = ("article", "book", "report")[number % 3]
        where = {"article": f"  journal = {{Journal of Synthetic Studies}},\n  volume = "
                            f"{{{1 + number % 30}}},\n  pages = {{{number}--{number + 20}}},\n",
                 "book": "  publisher = {Example Press},\n  address = {Leiden},\n",
                 "report": f"  institution = {{Example Institute}},\n  number = {{WP-{number}}},\n"
                 }[kind]
        entries.append(f"@{kind}{{work{number:04d},\n  author = {{Writer{number % 97:02d}, "
                       f"Ann and Scholar{number % 89:02d}, Ben}},\n  title = {{Synthetic work "
                       f"number {number}}},\n{where}  year = {{{1990 + number % 33}}}\n}}\n")
    target.write_text("\n".join(entries), encoding="utf-8")


def cite_in(text: str, rng: random.Random, works: int, citations: int) -> str:
    """``text`` with ``citations`` citations added, one at the end of each paragraph."""
    blocks = text.split("\n\n")
    plain = [n for n, block in enumerate(blocks) if block[:1].isalpha() and "---" not in block
             and not block.startswith("title")]
    for place in plain[:citations]:
        key = f"work{rng.randrange(works):04d}"
        blocks[place] += rng.choice([f" [@{key}]", f" [see @{key}, p. {rng.randrange(1, 300)}]",
                                     f" As @{key} notes."])
    return "\n\n".join(blocks)


def generate(target: Path, count: int, seed: int = 1, citations: int = 0,
             cite_every: int = 1, events: int = EVENTS, terms: int = TERMS) -> Path:
    """Write a synthetic content folder with ``count`` briefings under ``target``; with
    ``citations``, every ``cite_every``-th briefing cites that many works of a made-up
    references.bib (the rest of the corpus is the same either way). ``events`` and
    ``terms`` size the timeline and the glossary (the sample's terms included)."""
    rng = random.Random(seed)
    content = target / "content"
    (content / "briefings").mkdir(parents=True)
    shutil.copy(CONTENT / "site.yml", content / "site.yml")
    sample_terms = sum(1 for line in (CONTENT / "glossary.yml").read_text().splitlines()
                       if line.startswith("- id:"))
    extra = made_up_terms(max(0, terms - sample_terms))
    write_glossary(content / "glossary.yml", extra)
    write_timeline(content / "timeline.yml", rng, events)
    paragraphs = op_ed_paragraphs()
    citing = range(0, count, cite_every) if citations else range(0)
    works = min(300, max(4, len(citing) * 2))
    cite_rng = random.Random(seed + 1)  # its own, so that the rest stays as it was
    if citations:
        write_references(content / "references.bib", works)
    for number in range(count):
        text = briefing(number, rng, paragraphs, extra)
        if number in citing:
            text = cite_in(text, cite_rng, works, citations)
        (content / "briefings" / f"synthetic-{number:05d}.md").write_text(
            text, encoding="utf-8")
    return content
