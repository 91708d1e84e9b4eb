"""Citations in briefings: the syntax, the pages readers get, and every mistake's message."""

from __future__ import annotations

import json

import pytest

from tests.conftest import BRIEFING, TEMPLATES, make_content, parse

BIB = """\
@article{sullivan2022,
  author = {Sullivan, Charles J.},
  title = {A made-up article on succession},
  journal = {Journal of Examples},
  year = {2022},
  volume = {3},
  pages = {1--20},
  doi = {10.5555/example.3}
}

@report{institute2021,
  author = {{Example Policy Institute}},
  title = {A made-up report},
  institution = {Example Policy Institute},
  number = {WP-9},
  year = {2021}
}

@book{uncited2020,
  author = {Nobody, Ann},
  title = {A book nobody cites},
  publisher = {Example Press},
  year = {2020}
}
"""

BODY = """

@sullivan2022 argues the point [see @sullivan2022, p. 4; @institute2021]. The year alone:
[-@sullivan2022]. Mail me at someone@example.org, or follow @handle.

`[@sullivan2022]` in code, [a link with @sullivan2022](https://example.org/) and
[@institute2021, chap. 2].

## Heading with @sullivan2022
"""


def _content(tmp_path, body: str = BODY, bib: str = BIB, **files):
    return make_content(tmp_path, {"references.bib": bib,
                                   "briefings/quiet-week.md": BRIEFING + body, **files})


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("citations")
    content = _content(root)
    from briefing_site.cli import main

    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(root / "site"), "--no-cache"]) == 0
    return parse(root / "site" / "briefings" / "quiet-week.html")


def test_each_syntax_renders_as_apa_and_links_to_its_entry(page):
    third = page.find(id="p4")
    assert " ".join(third.get_text().split()).startswith(
        "Sullivan (2022) argues the point (see Sullivan, 2022, p. 4; Example Policy Institute, "
        "2021). The year alone: (2022). Mail me at someone@example.org, or follow @handle.")
    links = third.select("a.citation-link")
    assert [a["href"] for a in links] == ["#ref-sullivan2022"] * 2 + ["#ref-institute2021",
                                                                     "#ref-sullivan2022"]
    assert all(a["aria-describedby"] == a["href"][1:] for a in links)
    hint = links[0].parent
    assert "gl" in hint["class"] and hint["data-tip"].startswith(
        "Sullivan, C. J. (2022). A made-up article on succession. Journal of Examples, 3, 1–20.")


def test_code_links_and_headings_keep_their_text(page):
    fourth = page.find(id="p5")
    assert fourth.code.get_text() == "[@sullivan2022]"
    assert fourth.find("a", href="https://example.org/").get_text() == "a link with @sullivan2022"
    assert "(Example Policy Institute, 2021, Chapter 2)" in " ".join(fourth.get_text().split())
    heading = page.find("h2", string="Heading with @sullivan2022")
    assert heading["id"] == "heading-with-sullivan2022"


def test_the_references_end_the_text_with_links_back(page):
    section = page.find("section", class_="references")
    assert section.find_previous_sibling() is not None
    entries = section.select("ul.bibliography > li")
    assert [li["id"] for li in entries] == ["ref-institute2021", "ref-sullivan2022"]
    assert [a["href"] for a in entries[1].select(".backlinks a")] == ["#p4"]
    assert [a["href"] for a in entries[0].select(".backlinks a")] == ["#p4", "#p5"]
    doi = entries[1].find("a", rel="external")
    assert doi["href"] == doi.get_text() == "https://doi.org/10.5555/example.3"
    assert "(WP-9)" in entries[0].get_text()


def test_machines_get_citation_reference_tags_and_json_ld(page):
    tags = [m["content"] for m in page.find_all("meta", attrs={"name": "citation_reference"})]
    assert tags[1] == ("citation_title=A made-up article on succession; citation_author="
                       "Sullivan, Charles J.; citation_publication_date=2022; "
                       "citation_journal_title=Journal of Examples; citation_volume=3; "
                       "citation_doi=10.5555/example.3; citation_firstpage=1; "
                       "citation_lastpage=20")
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["citation"][1] == {
        "@type": "ScholarlyArticle", "name": "A made-up article on succession",
        "author": [{"@type": "Person", "name": "Sullivan, Charles J."}],
        "datePublished": "2022", "isPartOf": {"@type": "CreativeWork",
                                              "name": "Journal of Examples"},
        "sameAs": "https://doi.org/10.5555/example.3"}


CASES = {
    "unknown key": (
        {"body": BODY.replace("[see @sullivan2022,", "[see @sulivan2022,")},
        "briefings/quiet-week.md:19: error: no reference 'sulivan2022' (did you mean "
        "'sullivan2022'?)"),
    "unknown author-in-text key close to one": (
        {"body": BODY.replace("\n@sullivan2022 argues", "\n@sullivan2021 argues")},
        "briefings/quiet-week.md:19: error: no reference 'sullivan2021' (did you mean "
        "'sullivan2022'?)"),
    "BibTeX syntax error": (
        {"bib": BIB.replace("  year = {2022},\n", "  year = {2022}\n")},
        "references.bib:6: error: the BibTeX does not parse: unexpected 'v' (check the braces, "
        "commas and quotes of the entry)"),
    "key defined twice": (
        {"bib": BIB + "\n@book{sullivan2022,\n  title = {Again},\n  year = {2001}\n}\n"},
        "references.bib:26: error: the reference 'sullivan2022' is defined twice (first on "
        "line 1) (remove one, or give it another key)"),
    "unknown style": (
        {"site.yml": "title: Fixture Briefings\ncitation_style: chicago\n"},
        "site.yml:2: error: unknown citation_style 'chicago' (did you mean "
        "'chicago-author-date' or 'chicago-note-bibliography'?)"),
    "style file missing": (
        {"site.yml": "title: Fixture Briefings\ncitation_style: styles/house.csl\n"},
        "site.yml:2: error: cannot read the citation style 'styles/house.csl': No such file or "
        "directory"),
    "style file outside the content": (
        {"site.yml": "title: Fixture Briefings\ncitation_style: ../house.csl\n"},
        "site.yml:2: error: the citation style '../house.csl' is outside the content folder "
        "(copy the .csl file into the content folder)"),
    "unknown nocite key": (
        {"body": BODY, "front": "nocite: [uncited2002]\n"},
        "briefings/quiet-week.md:1: error: no reference 'uncited2002' (in 'nocite') (did you "
        "mean 'uncited2020'?)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_reported_with_its_file_and_line(case, tmp_path, run):
    change, expected = CASES[case]
    body, bib = change.get("body", BODY), change.get("bib", BIB)
    files = {"briefings/quiet-week.md": BRIEFING.replace(
        "---\ntitle:", "---\n" + change.get("front", "") + "title:", 1) + body}
    if "site.yml" in change:
        files["site.yml"] = change["site.yml"]
    content = make_content(tmp_path, {"references.bib": bib, **files})
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 1
    errors = [line.removeprefix(f"{content}/") for line in result.err.splitlines()
              if ": error: " in line]
    assert errors == [expected]


def test_a_work_no_briefing_cites_is_a_warning(tmp_path, run):
    content = _content(tmp_path)
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 0
    assert f"{content}/references.bib:19: warning: the reference 'uncited2020' is cited by no " \
        "briefing (cite it, list it in a briefing's 'nocite', or remove it)" in result.err


def test_an_edit_renders_again_only_the_citations_it_reaches(tmp_path, monkeypatch):
    """One processor document per briefing, and none again for a briefing nothing changed."""
    from briefing_site import csl
    from briefing_site.incremental import State
    from briefing_site.pipeline import build_site

    second = "---\ntitle: Another Week\ndate: 2022-02\n---\n\nAs [@institute2021] shows.\n"
    content = _content(tmp_path, **{"briefings/another-week.md": second})
    sent: list[list[str]] = []
    real = csl.process

    def spy(jobs, *args):
        if jobs:  # (an empty batch starts no process)
            sent.append(sorted(json.loads(r)["id"] for job in jobs
                               for r in job.references))
        return real(jobs, *args)

    monkeypatch.setattr(csl, "process", spy)
    state = State()
    build_site(content, TEMPLATES, state=state)
    assert sent == [["institute2021", "institute2021", "sullivan2022"]]  # two documents
    path = content / "briefings" / "another-week.md"
    path.write_text(second.replace("[@institute2021]", "[@institute2021, p. 2]"))
    build_site(content, TEMPLATES, state=state)
    assert sent[1:] == [["institute2021"]]  # the edited briefing's only
    build_site(content, TEMPLATES, state=state)
    assert len(sent) == 2  # nothing changed: nothing sent


def test_a_note_style_makes_each_citation_a_numbered_note(tmp_path, run):
    content = _content(tmp_path, **{
        "site.yml": "title: Fixture Briefings\ncitation_style: chicago-note-bibliography\n"})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    third = page.find(id="p4")
    assert " ".join(third.get_text().split()).startswith("Charles J. Sullivan1 argues the point.2")
    marker = third.select_one("sup.cite-ref a")
    assert (marker["href"], marker["id"], marker.get_text()) == ("#cn-1", "cnref-1", "1")
    notes = page.select("div.footnote > ol > li")
    assert [li["id"] for li in notes] == ["cn-1", "cn-2", "cn-3", "cn-4"]
    assert " ".join(notes[1].get_text().split()).startswith(
        "See Sullivan, “A Made-up Article on Succession,” 4; Example Policy Institute")
    assert notes[1].select_one("a.footnote-backref")["href"] == "#cnref-2"
    assert not page.select("a a")  # a link is never inside another
    assert [li["id"] for li in page.select("ul.bibliography > li")] == [
        "ref-institute2021", "ref-sullivan2022"]


def test_a_note_style_numbers_citations_and_footnotes_as_one_series(tmp_path, run):
    body = ("\n\nFirst a footnote,[^later] then a citation [@sullivan2022, p. 4], a second "
            "footnote[^aside] and a citation again [@institute2021].[^later]\n\n"
            "[^aside]: An aside that cites [@sullivan2022, p. 9] in its own text.\n"
            "[^later]: Defined first, referred to first.\n")
    content = _content(tmp_path, body=body, **{
        "site.yml": "title: Fixture Briefings\ncitation_style: chicago-note-bibliography\n"})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    text = next(" ".join(p.get_text().split()) for p in page.select("p[id]")
                if "First a footnote" in p.get_text())
    # (a note's number goes after the punctuation that follows the citation)
    assert text.startswith("First a footnote,1 then a citation,2 a second footnote3 and a "
                           "citation again.41")
    notes = page.select("div.footnote > ol > li")
    assert len(page.select("div.footnote")) == 1 and len(notes) == 4
    assert [" ".join(li.get_text().split())[:22] for li in notes] == [
        "Defined first, referre", "Charles J. Sullivan, “", "An aside that cites Su",
        "Example Policy Institu"]
    assert [li["id"] for li in notes][1::2] == ["cn-2", "cn-4"]
    # Every mark links to its note, and every note back to a mark, under one number.
    for mark in page.select("sup a[href]"):
        number = mark.get_text()
        target = page.find(id=mark["href"][1:])
        assert target in notes and notes.index(target) + 1 == int(number)
    assert notes[2].select_one("a.footnote-backref")["href"] == "#fnref:aside"
    assert "cite:" not in page.decode()  # no hole left unfilled


def test_a_bare_handle_in_a_briefing_without_citations_stays_as_written(tmp_path, run):
    for style in ("apa", "chicago-note-bibliography"):
        content = _content(tmp_path / style, body="\n\nWrite to @someone.[^n]\n\n[^n]: A note.\n",
                           **{"site.yml": f"title: Fixture Briefings\ncitation_style: {style}\n"})
        out = tmp_path / style / "site"
        assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
        page = parse(out / "briefings" / "quiet-week.html")
        assert [" ".join(p.get_text().split()) for p in page.select("p[id]")
                if "Write to" in p.get_text()] == ["Write to @someone.1 ¶"]
        assert "cite:" not in page.decode()


def test_a_citation_outside_the_paragraphs_is_linked_back_to_where_it_is(tmp_path, run):
    body = ("\n\nA paragraph [@sullivan2022].\n\n- a tight list item [@institute2021]\n"
            "- another\n\n| source | note |\n|---|---|\n| a cell | [@sullivan2022, p. 2] |\n")
    content = _content(tmp_path, body=body)
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    links = {li["id"]: [(a.get_text(), a["aria-label"], a["href"]) for a in
                        li.select(".backlinks a")] for li in page.select("ul.bibliography > li")}
    paragraph = next(p["id"] for p in page.select("p[id]") if "A paragraph" in p.get_text())
    number = paragraph[1:]
    assert links["ref-institute2021"] == [("list item", "a list item", "#cite-2")]
    assert links["ref-sullivan2022"] == [(f"¶{number}", f"paragraph {number}", f"#{paragraph}"),
                                         ("table cell", "a table cell", "#cite-3")]
    assert "Example Policy Institute" in page.find(id="cite-2").find_parent("li").get_text()
    assert page.find(id="cite-3").find_parent("td") is not None


def test_a_csl_file_in_the_content_folder_is_a_style(tmp_path, run):
    from briefing_site import csl

    house = csl.style_xml("chicago-author-date", tmp_path)
    content = _content(tmp_path, **{
        "site.yml": "title: Fixture Briefings\ncitation_style: styles/house.csl\n",
        "styles/house.csl": house})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    assert " ".join(page.find(id="p4").get_text().split()).startswith(
        "Sullivan (2022) argues the point (see Sullivan 2022, 4; Example Policy Institute 2021).")


OWN_YAML = """\
references:
  - id: own2019
    type: book
    title: A work of its own
    author: [{family: Owner, given: Olga}]
    issued: {date-parts: [[2019]]}
    publisher: Example Press
"""


def test_a_briefing_adds_its_own_csl_yaml_and_the_shared_file_may_be_csl_json(tmp_path, run):
    shared = json.dumps([{"id": "shared2020", "type": "book", "title": "A shared work",
                          "author": [{"family": "Sharer", "given": "Sam"}],
                          "issued": {"date-parts": [[2020]]}}], indent=1)
    body = "\nThe own work [@own2019] and the shared one [@shared2020].\n"
    files = {"references.json": shared, "refs/own.yaml": OWN_YAML,
             "briefings/quiet-week.md": BRIEFING.replace(
                 "---\ntitle:", "---\nbibliography: [refs/own.yaml]\ntitle:", 1) + body}
    content = make_content(tmp_path, files)
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    assert " ".join(page.find(id="p4").get_text().split()).startswith(
        "The own work (Owner, 2019) and the shared one (Sharer, 2020).")
    # Another briefing may not cite the first one's own work.
    (content / "briefings" / "other.md").write_text(
        "---\ntitle: Other\ndate: 2021\n---\n\nIt cites [@own2019].\n")
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 1
    assert f"{content}/briefings/other.md:6: error: no reference 'own2019' (add it to " \
        "references.bib, or to a file in the briefing's 'bibliography')" in result.err
    (content / "references.json").write_text(shared[:-1] + ', {"id": "shared2020"}]')
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert f"{content}/references.json:20: error: the reference 'shared2020' is defined " \
        "twice (first on line 3)" in result.err
