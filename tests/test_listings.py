"""A larger archive: pages of briefings, years, topics, authors, related briefings."""

from __future__ import annotations

import pytest

from briefing_site import listings
from briefing_site.errors import SourceRef
from briefing_site.model import Author, Briefing, PartialDate
from tests.conftest import TEMPLATES, make_content, parse

TOPICS = ["Energy", "Security", "Elections"]


def briefing_text(n: int) -> str:
    topic = TOPICS[n % 3]
    author = ["Ann Analyst", "Bo Writer"][n % 2]
    return (f"---\ntitle: Briefing {n:02d}\ndate: {2000 + n}-0{1 + n % 9}\n"
            f"authors:\n  - name: {author}\n    position: Fellow {n}\n"
            f"tags: [{topic}]\nsummary: Number {n}.\n---\n\n"
            f"Paragraph one of {n} mentions the CSTO.\n\nParagraph two of {n}.\n")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    files = {f"briefings/b{n:02d}.md": briefing_text(n) for n in range(23)}
    files["briefings/quiet-week.md"] = None
    files["timeline.yml"] = None
    files["site.yml"] = "title: Archive Test\nper_page: 10\n"
    content = make_content(root, files)
    from briefing_site.cli import main

    out = root / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(out)]) == 0
    return out


def titles(soup) -> list[str]:
    return [a.get_text() for a in soup.select(".cards h3 a")]


def test_home_page_is_paginated_newest_first(archive):
    first, second, third = (parse(archive / p) for p in
                            ("index.html", "page/2.html", "page/3.html"))
    assert titles(first) == [f"Briefing {n:02d}" for n in range(22, 12, -1)]
    assert titles(second) == [f"Briefing {n:02d}" for n in range(12, 2, -1)]
    assert titles(third) == ["Briefing 02", "Briefing 01", "Briefing 00"]
    assert not (archive / "page" / "4.html").exists()
    assert first.select_one(".pager a[rel=next]")["href"] == "page/2.html"
    assert second.select_one(".pager a[rel=prev]")["href"] == "../index.html"
    assert second.select_one(".pager a[rel=next]")["href"] == "../page/3.html"
    assert third.select_one(".pager a[rel=next]") is None
    assert second.select_one(".cards h3 a")["href"] == "../briefings/b12.html"


def test_archive_groups_by_year_and_lists_topics_and_authors(archive):
    page = parse(archive / "archive.html")
    years = [h.contents[0].strip() for h in page.select("section.year h2")]
    assert years == [str(2000 + n) for n in range(22, -1, -1)]
    topics = {a.get_text(): a["href"] for a in page.select("#topics ~ ul a")}
    assert topics == {"Elections": "tags/elections.html", "Energy": "tags/energy.html",
                      "Security": "tags/security.html"}
    authors = [a.get_text() for a in page.select("#authors ~ ul a")]
    assert authors == ["Ann Analyst", "Bo Writer"]


def test_topic_and_author_pages_list_their_briefings(archive):
    energy = parse(archive / "tags" / "energy.html")
    assert titles(energy) == [f"Briefing {n:02d}" for n in range(21, -1, -3)]
    assert energy.select_one(".cards h3 a")["href"] == "../briefings/b21.html"
    bo = parse(archive / "authors" / "bo-writer.html")
    assert titles(bo) == [f"Briefing {n:02d}" for n in range(21, 0, -2)]
    assert "Fellow 21" in bo.select_one(".lede").get_text()  # as the newest briefing has it


def test_articles_link_their_topics_authors_and_related_briefings(archive):
    page = parse(archive / "briefings" / "b09.html")
    assert page.select_one(".tags a")["href"] == "../tags/energy.html"
    assert page.select_one("a.author-name")["href"] == "../authors/bo-writer.html"
    related = [a.get_text() for a in page.select(".related a")]
    assert related == ["Briefing 21", "Briefing 18", "Briefing 15"]  # same topic, newest


def test_a_term_in_many_briefings_gets_its_own_page_of_mentions(archive):
    glossary = parse(archive / "glossary.html")
    entry = glossary.find(id="csto")
    assert len(entry.select(".mention-group")) == 5
    more = entry.select_one('.mentions a[href="glossary/csto.html"]')
    assert more.get_text() == "and 18 more briefings"
    full = parse(archive / "glossary" / "csto.html")
    items = full.select(".mention-list > li")
    assert len(items) == 23
    assert items[0].a.get_text() == "Briefing 22" and items[-1].a.get_text() == "Briefing 00"
    assert items[0].select("a")[1]["href"] == "../briefings/b22.html#p1"


def test_related_is_deterministic_and_never_the_briefing_itself():
    def b(slug, year, tags):
        return Briefing(slug, slug, PartialDate(year), "x", 1, SourceRef("x"), tags=tags,
                        authors=(Author("A"),))
    items = [b("a", 2020, ("x",)), b("b", 2021, ("x",)), b("c", 2019, ("y",)),
             b("d", 2022, ("x", "y"))]
    terms = {"a": frozenset({"t1"}), "b": frozenset(), "c": frozenset({"t1"}),
             "d": frozenset()}
    first = listings.related(items, terms)
    assert first == listings.related(list(items), dict(terms))
    assert first["a"] == ("d", "b", "c")
    assert all(slug not in first[slug] for slug in first)


def test_in_a_large_archive_related_briefings_are_found_among_the_nearest_in_date():
    # 1,400 briefings, one a month; each topic shared by 70, more than the window of 64.
    items = [Briefing(f"b{n:04d}", f"B {n}", PartialDate(1900 + n // 12, 1 + n % 12), "x", 1,
                      SourceRef("x"), tags=(f"topic {n % 20}",)) for n in range(1400)]
    related = listings.related(items, {})
    assert listings.WINDOW == 64
    # All equal: the newest of the 64 of its topic nearest in date (32 on either side).
    assert related["b0700"] == ("b1340", "b1320", "b1300")
    assert related["b1399"] == ("b1379", "b1359", "b1339")  # the newest: its window is older
    assert related["b0000"] == ("b1260", "b1240", "b1220")  # the oldest: 63 newer ones
    assert all(slug not in related[slug] for slug in related)


def test_a_term_in_hundreds_of_briefings_gets_pages_of_them(tmp_path, monkeypatch):
    from briefing_site import enrich
    from briefing_site.cli import main

    monkeypatch.setattr(enrich, "MENTIONS_PER_PAGE", 10)
    files = {f"briefings/b{n:02d}.md": briefing_text(n) for n in range(23)}
    files["briefings/quiet-week.md"] = None
    files["timeline.yml"] = None
    content = make_content(tmp_path, files)
    out = tmp_path / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(out)]) == 0
    seen, path, pages = [], out / "glossary" / "csto.html", 0
    while path:
        page = parse(path)
        pages += 1
        items = page.select(".mention-list > li")
        assert len(items) <= 10
        for item in items:  # every link leads to the paragraph, from this page's folder
            target = (path.parent / item.select("a")[1]["href"].split("#")[0]).resolve()
            assert target.is_file(), target
            seen.append(item.a.get_text())
        following = page.select_one('.pager a[rel="next"]')
        path = (path.parent / following["href"]).resolve() if following else None
    assert pages == 3
    assert seen == [f"Briefing {n:02d}" for n in reversed(range(23))]
    assert "page 3" in parse(out / "glossary" / "csto" / "page" / "3.html").title.get_text()


def test_where_every_topic_is_broad_each_briefing_still_has_related_ones():
    # 1,000 briefings, each with two of three topics that each half the archive or more shares.
    topics = ["Kazakhstan", "Central Asia", "Russia"]
    items = [Briefing(f"b{n:04d}", f"B {n}", PartialDate(1950 + n // 12, 1 + n % 12), "x", 1,
                      SourceRef("x"), tags=(topics[n % 3], topics[(n + 1) % 3]))
             for n in range(1000)]
    terms = {item.slug: frozenset({"csto"}) for item in items}  # a term in every one
    related = listings.related(items, terms)
    assert all(len(related[item.slug]) == listings.RELATED for item in items)
    # Sharing both topics beats sharing one (b0500 has the topics of every third briefing).
    assert all(int(slug[1:]) % 3 == 500 % 3 for slug in related["b0500"])
    assert related == listings.related(list(reversed(items)), terms)


def test_no_page_skips_a_heading_level(archive):
    """The current Nu checker reports a heading more than one level below the one before it
    (an h3 straight after the h1) as an error; screen-reader users navigate by them."""
    skips = []
    for page in sorted(archive.rglob("*.html")):
        previous = 0
        for heading in parse(page).find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            level = int(heading.name[1])
            if level > previous + 1:
                skips.append(f"{page.relative_to(archive)}: h{level} after h{previous}: "
                             f"{heading.get_text(strip=True)!r}")
            previous = level
    assert skips == []


def test_topics_and_authors_named_as_windows_reserves_get_file_names_it_accepts(tmp_path,
                                                                                run):
    from tests.conftest import BRIEFING, TEMPLATES, make_content

    briefing = BRIEFING.replace("  - name: Ann Analyst", "  - name: Con").replace(
        "summary:", "tags: [NUL, Aux]\nsummary:")
    content = make_content(tmp_path, {"briefings/quiet-week.md": briefing})
    out = tmp_path / "site"
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code == 0, result.err
    names = {p.stem for p in (out / "tags").iterdir()} | {p.stem for p in
                                                          (out / "authors").iterdir()}
    assert names == {"nul-topic", "aux-topic", "con-author"}


def test_a_card_of_an_unsigned_briefing_starts_with_its_date(tmp_path, run):
    # No byline, so no separator before the date: "· March 2022" reads as a typo.
    body = "---\ntitle: Unsigned\ndate: 2022-03\n---\n\nA paragraph.\n"
    content = make_content(tmp_path, {"briefings/unsigned.md": body})
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out",
               tmp_path / "site").code == 0
    page = parse(tmp_path / "site" / "index.html")
    for card in page.select("li.card"):
        first = card.select_one("p.meta").find(True)
        signed = card.select_one(".byline") is not None
        assert first.name == ("span" if signed else "time"), card
    assert any(card.select_one(".byline") is None for card in page.select("li.card"))
