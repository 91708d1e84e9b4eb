"""The real content/ built into a temporary folder, checked on the parsed HTML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from briefing_site.cli import main
from tests.conftest import CONTENT, SEED, SHARED_SEED, TEMPLATES, make_content, parse, snapshot

ARTICLE = "briefings/emergency-on-the-steppe.html"


def seed_paragraphs() -> list[str]:
    """The op-ed's body paragraphs as the user supplied them, without the web-page leftovers."""
    paragraphs = []
    for block in SEED.read_text(encoding="utf-8").split("\n\n"):
        block = block.strip()
        if block.startswith("Dr. Charles J. Sullivan"):
            break
        if block and not block.startswith("Get the Latest"):
            paragraphs.append(block)
    return paragraphs


def paragraph_text(p) -> str:
    """A paragraph's text as a reader sees it, without its self-link."""
    for anchor in p.select("a.pilcrow"):
        anchor.decompose()
    return p.get_text().rstrip()


@pytest.fixture(scope="module")
def article(real_site):
    return parse(real_site / ARTICLE)


@pytest.fixture(scope="module")
def glossary(real_site):
    return parse(real_site / "glossary.html")


@pytest.fixture(scope="module")
def timeline(real_site):
    return parse(real_site / "timeline.html")


def test_the_site_has_every_page_kind(real_site):
    for page in ("index.html", ARTICLE, "glossary.html", "timeline.html", "404.html",
                 "assets/style.css", "assets/favicon.svg"):
        assert (real_site / page).is_file(), page


def test_every_paragraph_of_the_op_ed_appears_unchanged(article):
    expected = seed_paragraphs()
    assert len(expected) == 14
    found = [paragraph_text(p) for p in article.select(".prose p[id]")]
    assert found == expected


@pytest.mark.skipif(not SHARED_SEED.is_file(), reason="shared/ is not beside the checkout")
def test_the_seed_copy_matches_the_users_original():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_web_page_leftovers_are_not_in_the_body(article):
    body = article.select_one(".prose").get_text()
    for leftover in ("Get the Latest", "Sign up to receive", "Read More",
                     "is an Assistant Professor"):
        assert leftover not in body


def test_article_header_carries_byline_date_and_original(article):
    head = article.select_one(".article-head")
    assert head.h1.get_text() == "Emergency on the Steppe: Kazakhstan in Crisis"
    assert "Dr. Charles J. Sullivan" in head.select_one(".authors").get_text()
    assert "Nazarbayev University" in head.select_one(".authors").get_text()
    time = head.select_one("time")
    assert (time["datetime"], time.get_text()) == ("2022-01", "January 2022")
    assert re.fullmatch(r"\d+ min read", head.select_one(".meta").get_text().split("·")[-1].strip())
    original = head.select_one(".original a")
    assert original["href"] == "https://cepa.org/article/emergency-on-the-steppe-kazakhstan-in-crisis/"
    assert "Europe’s Edge" in head.select_one(".original").get_text()


def test_page_description_is_the_plain_summary(article):
    description = article.select_one('meta[name="description"]')["content"]
    assert description.startswith("Written as Russian-led troops arrived in January 2022")
    assert "Kazakhstan’s" in description and not any(c in description for c in "*_<>")


def test_disclaimer_and_bio_are_shown_after_the_text(article):
    end = article.select_one(".article-end")
    assert "do not represent the opinions of Nazarbayev University" in end.get_text()
    assert "is an Assistant Professor of Political Science" in end.get_text()


@pytest.mark.parametrize("term_id", ["csto", "knb", "elbasy"])
def test_key_terms_have_entries_and_are_linked_from_the_article(term_id, article, glossary):
    entry = glossary.find(id=term_id)
    assert entry is not None and entry.h3.get_text()
    links = article.select(f'.prose a.term[href="../glossary.html#{term_id}"]')
    assert len(links) == 1  # first use only
    assert links[0]["aria-describedby"] == f"tip-{term_id}"
    tip = article.find(id=f"tip-{term_id}")
    assert tip is not None and tip.get_text().strip()
    assert links[0].parent["data-tip"] == tip.get_text()


def test_hints_are_clean_text(article):
    tips = [span["data-tip"] for span in article.select("span.gl")]
    assert len(tips) >= 20
    for tip in tips:
        assert tip.strip() and not any(ch in tip for ch in "\x02\x03<>"), tip
        assert "'" not in tip, tip  # straight apostrophes are curled like the text's


def test_every_described_by_target_exists(article):
    for element in article.select("[aria-describedby]"):
        assert article.find(id=element["aria-describedby"]) is not None


def test_glossary_is_large_enough_and_sorted(glossary):
    entries = glossary.select("article.entry")
    assert len(entries) >= 20
    required = {"csto", "knb", "elbasy", "security-council", "nur-sultan", "almaty",
                "multi-vector", "colour-revolution", "maiden-transition", "castling",
                "nazarbayev", "tokayev", "dariga", "niyazov", "karimov", "atambaev",
                "jeenbekov", "rahmon"}
    assert required <= {e["id"] for e in entries}
    letters = [h.get_text() for h in glossary.select("h2.letter-head")]
    assert letters == sorted(letters)


def test_glossary_entry_shows_all_its_parts(glossary):
    entry = glossary.find(id="nur-sultan")
    text = entry.get_text(" ")
    assert "place" in entry.select_one(".kind").get_text()
    assert "Астана" in entry.select_one(".native").get_text()
    later = entry.select_one(".later time")
    assert (later["datetime"], later.get_text()) == ("2022-09-17", "17 September 2022")
    assert "Astana" in entry.select_one(".later").get_text()
    assert [a["href"] for a in entry.select(".related a")][:1] == ["#nazarbayev"]
    assert entry.select(".sources a[href^='https://']")
    assert "Mentioned in" in text


def test_mentioned_in_links_each_paragraph_that_names_the_term(glossary, article):
    # (the op-ed's: the research note's mentions are on its own page)
    links = glossary.find(id="csto").select(".mentions a[href*='emergency-on-the-steppe']")
    targets = [a["href"].split("#")[1] for a in links]
    assert targets  # the CSTO is discussed
    for target in targets:
        assert "CSTO" in article.find(id=target).get_text() or \
            "Collective Security Treaty Organization" in article.find(id=target).get_text()
    mentioning = [p["id"] for p in article.select(".prose p[id]")
                  if re.search(r"\bCSTO\b|Collective Security Treaty", p.get_text())]
    assert targets == mentioning


def test_timeline_is_chronological_grouped_by_year_and_large_enough(timeline):
    events = timeline.select("li.event")
    assert len(events) >= 40
    starts = [e.select_one(".event-date time")["datetime"] for e in events]
    assert starts == sorted(starts, key=lambda d: [int(x) for x in d.split("-")])
    assert starts[0].startswith("1991") and starts[-1].startswith("2022")
    years = [h.get_text() for h in timeline.select("section.year > h2")]
    assert years == sorted(years) and len(years) == len(set(years))
    for section in timeline.select("section.year"):
        year = section.h2.get_text()
        assert all(t["datetime"].startswith(year) for t in section.select(".event-date time"))


def test_timeline_dates_are_shown_at_their_precision(timeline):
    shown = {t["datetime"]: t.get_text() for t in timeline.select(".event-date time")}
    assert shown["1992-05"] == "May 1992"
    assert shown["2022-01-05"] == "5 January 2022"
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d) for d in shown)


def test_events_with_a_locator_are_shown_beside_their_paragraph(timeline, real_site):
    discussed = timeline.select(".discussed a")
    assert len(discussed) >= 20
    pages = {}
    for link in discussed:
        event_id = link.find_parent("li", class_="event")["id"]
        page, paragraph_id = link["href"].split("#")
        if page not in pages:
            pages[page] = parse(real_site / page)
        block = pages[page].find(id=paragraph_id).find_parent(class_="anchored")
        assert block is not None, paragraph_id
        assert block.select_one(f'aside a[href="../timeline.html#{event_id}"]') is not None
    assert len(pages) == 2  # the timeline shows both briefings


def test_editors_notes_sit_beside_the_paragraph_they_correct(article):
    paragraph = article.find(id="p13")
    assert "dismissed the deputy chair" in paragraph.get_text()
    note = paragraph.find_parent(class_="anchored").select_one(".editors-note")
    assert "Editors’ note" in note.get_text()
    assert "deputy secretary" in note.get_text()
    assert len(article.select(".editors-note")) == 5


def test_timeline_overview_is_an_accessible_inline_svg(timeline):
    svg = timeline.select_one("figure.overview svg")
    assert svg["role"] == "img"
    assert svg.find("title").get_text() and svg.find("desc").get_text()
    marks = svg.select("circle.mark")
    assert len(marks) == len(timeline.select("li.event"))
    assert "January 2022, day by day" in svg.get_text()


def test_home_lists_the_briefing_and_links_to_reference_pages(real_site):
    home = parse(real_site / "index.html")
    card = home.select(".card")[-1]  # the oldest: the op-ed
    assert card.h3.a["href"] == ARTICLE
    assert card.select_one(".summary").get_text().strip()
    assert "Charles J. Sullivan" in card.select_one(".byline").get_text()
    assert card.select_one("time")["datetime"] == "2022-01"
    hrefs = {a["href"] for a in home.select("a")}
    assert {"glossary.html", "timeline.html"} <= hrefs


def _internal_targets(site: Path):
    for page in sorted(site.rglob("*.html")):
        soup = parse(page)
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for element in soup.find_all(tag):
                url = element.get(attr)
                if url and not urlsplit(url).scheme:
                    yield page, url


def test_every_internal_link_and_anchor_resolves(real_site):
    checked = 0
    ids: dict[Path, set[str]] = {}
    for page, url in _internal_targets(real_site):
        if page.name == "404.html":
            continue  # its links are written for the site root; checked below
        parts = urlsplit(url)
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        assert target.is_file(), f"{page.name}: {url}"
        assert target.is_relative_to(real_site.resolve()), f"{page.name}: {url} leaves the site"
        if parts.fragment and target.suffix == ".html":
            if target not in ids:
                ids[target] = {e["id"] for e in parse(target).find_all(id=True)}
            assert parts.fragment in ids[target], f"{page.name}: {url}"
        checked += 1
    assert checked > 200


def test_the_404_page_links_work_from_the_site_root(real_site):
    urls = [url for page, url in _internal_targets(real_site) if page.name == "404.html"]
    assert len(urls) > 5
    for url in urls:
        path = urlsplit(url).path
        assert not path or (real_site / path).is_file(), url


def test_no_request_goes_to_another_host(real_site):
    for page in real_site.rglob("*.html"):
        soup = parse(page)
        # Links that name an address (canonical, alternate) load nothing; these would.
        loading = [link for link in soup.find_all("link")
                   if set(link["rel"]) & {"stylesheet", "icon", "preload", "modulepreload",
                                          "manifest", "prefetch", "preconnect"}]
        for element in loading + soup.find_all(["script", "img", "iframe", "source", "video"]):
            url = element.get("href") or element.get("src") or ""
            assert not urlsplit(url).scheme and not url.startswith("//"), (page.name, url)
    css = (real_site / "assets" / "style.css").read_text()
    assert "@import" not in css and not re.search(r"url\((?!#)", css)


def test_two_builds_are_byte_identical(tmp_path, real_site):
    again = tmp_path / "again"
    assert main(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES),
                 "--out", str(again), "--no-cache"]) == 0
    assert snapshot(again) == snapshot(real_site)


def test_real_content_passes_the_strict_check(run):
    result = run("check", "--content", CONTENT, "--templates", TEMPLATES, "--strict")
    assert result.code == 0, result.err
    assert ": error: " not in result.err and ": warning: " not in result.err


def test_the_article_page_weighs_at_most_62_kb_with_everything_it_loads(real_site, article):
    page = real_site / ARTICLE
    loaded = [link["href"] for link in article.find_all("link", rel=["stylesheet", "icon"])]
    loaded += [script["src"] for script in article.find_all("script", src=True)]
    loaded += [img["src"] for img in article.find_all("img")]
    total = page.stat().st_size + sum((page.parent / url).stat().st_size for url in loaded)
    # the stylesheet, the icon, the copy script, the search field's (its engine and index
    # load only once the field is used)
    assert len(loaded) == 4
    # 60 kB until the search field came (1.9 kB: its markup, its CSS and a 674-byte script);
    # 17 kB gzipped in all.
    assert total <= 62_000, f"{total} bytes"


def test_a_term_linked_outside_paragraphs_has_its_hint_on_the_page(tmp_path, run):
    # A list item, a table cell and a footnote link their terms too: each link's hint must
    # be on the page, and the term listed at the end.
    body = ("---\ntitle: Lists\ndate: 2022\n---\n\n- The KNB acted.\n\n"
            "| Who | What |\n|---|---|\n| Elbasy | resigned |\n\n"
            "A paragraph.[^1]\n\n[^1]: The CSTO came.\n")
    content = make_content(tmp_path, {"briefings/lists.md": body,
                                      "briefings/quiet-week.md": None, "timeline.yml": None})
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out",
               tmp_path / "site").code == 0
    page = parse(tmp_path / "site" / "briefings" / "lists.html")
    described = page.select("[aria-describedby]")
    assert {e["aria-describedby"] for e in described} >= {"tip-knb", "tip-elbasy", "tip-csto"}
    for element in described:
        assert page.find(id=element["aria-describedby"]) is not None, element
