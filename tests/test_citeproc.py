"""The citations the build renders, compared with citeproc-js on a fixture of made-up works.

The fixture (tests/fixtures/citations) covers what styles get wrong most often: two works by
one author in one year, three and more authors, 22 authors (APA lists 19, an ellipsis and the
last), an organisation as author, the particles "van der" and "de", a Cyrillic name, no date,
page and chapter locators, a chapter in an edited book, a report with a number, web pages with
an access date, DOIs, a thesis, an edition. Each style renders it as one document with Pandoc
(``csl``) and with citeproc-js (through citation-js, tests/audit/citeproc.mjs); the texts must
be the same, apart from the differences named below, which must still be there (so that the
list stays true when either side changes).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from briefing_site import csl
from tests.conftest import REPO, unavailable

FIXTURE = Path(__file__).parent / "fixtures" / "citations"
AUDIT = REPO / "tests" / "audit"
LABELS = {"page": "p.", "chapter": "chap."}

# Where Pandoc and citeproc-js part, and which is right.
KNOWN = {
    # Pandoc disambiguates Jonas Berg from Anna van der Berg by their initials, comparing the
    # family names without the particle; citeproc-js sees "Berg" and "van der Berg" differ,
    # as APA does.
    ("apa", "citation", 2): "(see J. Berg et al., 2021, Chapter 2; Ferreira et al., 2020)",
    ("apa", "citation", 5): "A. van der Berg (2019)",
    ("apa", "citation", 14): "(J. Berg et al., 2021)",
    # A note begins with a capital (Chicago 14.2): Pandoc capitalises "see", citeproc-js not.
    ("chicago-note-bibliography", "citation", 2): "See Jonas Berg et al., “Succession by "
    "Design,” Comparative Regimes 9 (2021): chap. 2; Ana Ferreira et al., Pipelines and "
    "Patrons (Meridian Press, 2020).",
    # An author-in-text citation in a note style: Pandoc leaves the name in the text and puts
    # the rest in the note (compared here); citeproc-js gives the name twice and no note.
    ("chicago-note-bibliography", "citation", 5): "The Long Handover (Northgate, 2019).",
    # The period of a shortened note stays outside the closing quote in Pandoc; American
    # usage, and citeproc-js, put it inside.
    ("chicago-note-bibliography", "citation", 14): "Berg et al., “Succession by Design”.",
}


def _suffix(item: dict) -> str:
    return f", {LABELS[item['label']]} {item['locator']}" if "locator" in item else ""


def _citeproc_js(styles: list[str], items: list, clusters: list) -> list[dict]:
    if not shutil.which("node") or not (AUDIT / "node_modules" / "@citation-js").is_dir():
        unavailable("the npm packages are not installed (cd tests/audit && npm ci)")
    done = subprocess.run(["node", str(AUDIT / "citeproc.mjs")], capture_output=True, text=True,
                          input=json.dumps([{"style": style, "lang": "en-US", "items": items,
                                             "clusters": clusters} for style in styles]),
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def rendered() -> dict:
    """Each style's fixture document, by Pandoc: all three in one batch, as a build does."""
    items = json.loads((FIXTURE / "references.json").read_text())
    clusters = json.loads((FIXTURE / "clusters.json").read_text())
    jobs = [csl.Job(tuple(json.dumps(i) for i in items),
                    tuple(tuple(csl.Item(c["id"], c.get("prefix", ""), _suffix(c),
                                         c.get("mode", "normal")) for c in cluster)
                          for cluster in clusters),
                    csl.style_xml(name, FIXTURE), "en-US", tuple(i["id"] for i in items))
            for name in csl.STYLES]
    return {"items": items, "clusters": clusters,
            "pandoc": dict(zip(csl.STYLES, csl.process(jobs), strict=True))}


@pytest.fixture(scope="module")
def reference(rendered) -> dict:
    """Each style's fixture document, by citeproc-js: all three in one run of node."""
    styles = [csl.style_xml(name, FIXTURE) for name in csl.STYLES]
    return dict(zip(csl.STYLES, _citeproc_js(styles, rendered["items"], rendered["clusters"]),
                    strict=True))


def _text(html: str) -> str:
    import xml.etree.ElementTree as etree

    return " ".join("".join(etree.fromstring(f"<x>{html}</x>").itertext()).split())


@pytest.mark.parametrize("style", sorted(csl.STYLES))
def test_citations_and_bibliography_match_citeproc_js(rendered, reference, style):
    ours, theirs = rendered["pandoc"][style], reference[style]
    assert len(ours.citations) == len(theirs["citations"]) == 16
    for number, (mine, reference) in enumerate(zip(ours.citations, theirs["citations"],
                                                   strict=True)):
        known = KNOWN.get((style, "citation", number))
        if known is None:
            assert _text(mine) == reference, number
        else:
            assert _text(mine) == known != reference, number
    assert [(e.key, e.text) for e in ours.entries] == [tuple(e) for e in theirs["bibliography"]]
    assert len(ours.entries) == 16


def test_the_apa_fixture_shows_what_it_is_there_for(rendered):
    """So that a changed fixture cannot quietly stop covering the hard cases."""
    apa = rendered["pandoc"]["apa"]
    texts = {e.key: e.text for e in apa.entries}
    assert _text(apa.citations[0]) == "(Aldana, 2022b)"
    assert texts["aldana2022b"].startswith("Aldana, M. (2022a).")
    assert "Shaw, S., … Vale, V. (2023)" in texts["consortium2023"]
    assert "(n.d.)" in texts["nodate"] and "Retrieved May 2, 2024" in texts["nodate"]
    assert "(Working Paper WP-17)" in texts["spi2021"]
    assert "In P. Novak & R. Ortiz (Eds.)" in texts["lee2022"]
    assert _text(apa.citations[8]) == "(Lee, 2022, pp. 215–220)"
    assert texts["ivanova2020"].startswith("Иванова, М. (2020)")
    assert 'href="https://doi.org/10.5555/sr.2023.031"' in \
        next(e.html for e in apa.entries if e.key == "consortium2023")
    assert apa.notes is False
    notes = rendered["pandoc"]["chicago-note-bibliography"]
    assert notes.notes and notes.in_text[5] == "Anna van der Berg" and notes.in_text[0] == ""
