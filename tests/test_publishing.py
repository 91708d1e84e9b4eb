"""Citable and discoverable: metadata, reference files and feeds, read by the real clients."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import bibtexparser
import feedparser
import pytest
import rispy
import yaml
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from briefing_site.cli import main
from tests.conftest import BRIEFING, CONTENT, REPO, TEMPLATES, make_content, parse

SLUG = "emergency-on-the-steppe"
ORIGINAL = "https://cepa.org/article/emergency-on-the-steppe-kazakhstan-in-crisis/"
BASE = "https://briefings.example.org/kz/"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The real content built as it would be published, with a base URL."""
    out = tmp_path_factory.mktemp("published") / "site"
    assert main(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES),
                 "--out", str(out), "--base-url", BASE, "--no-cache"]) == 0
    return out


@pytest.fixture(scope="module")
def article(published):
    return parse(published / "briefings" / f"{SLUG}.html")


def meta(soup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


def prop(soup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"property": name})]


def test_highwire_tags_for_google_scholar_and_zotero(article):
    assert meta(article, "citation_title") == ["Emergency on the Steppe: Kazakhstan in Crisis"]
    assert meta(article, "citation_author") == ["Charles J. Sullivan"]
    author = article.find("meta", attrs={"name": "citation_author"})
    institution = author.find_next("meta")
    assert (institution["name"], institution["content"]) == (
        "citation_author_institution", "Nazarbayev University")
    assert meta(article, "citation_publication_date") == ["2022/01"]
    assert meta(article, "citation_journal_title") == ["Europe’s Edge"]
    assert meta(article, "citation_publisher") == ["Center for European Policy Analysis (CEPA)"]
    assert meta(article, "citation_language") == ["en"]
    assert meta(article, "citation_public_url") == [ORIGINAL]


def test_dublin_core_tags(article):
    assert meta(article, "DC.title") == ["Emergency on the Steppe: Kazakhstan in Crisis"]
    assert meta(article, "DC.creator") == ["Charles J. Sullivan"]
    assert meta(article, "DC.date") == ["2022-01"]
    assert meta(article, "DC.identifier") == [ORIGINAL]
    assert meta(article, "DC.source") == []  # the identifier is the original's already
    assert meta(article, "DC.language") == ["en"]


def test_json_ld_describes_an_opinion_article(article):
    [script] = article.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "OpinionNewsArticle"
    assert data["headline"] == "Emergency on the Steppe: Kazakhstan in Crisis"
    assert data["datePublished"] == "2022-01"
    assert data["author"] == [{
        "@type": "Person", "name": "Charles J. Sullivan", "givenName": "Charles J.",
        "familyName": "Sullivan", "honorificPrefix": "Dr.",
        "jobTitle": "Assistant Professor of Political Science and International Relations, "
                    "School of Sciences & Humanities",
        "affiliation": {"@type": "Organization", "name": "Nazarbayev University"}}]
    assert data["publisher"] == {"@type": "Organization",
                                 "name": "Center for European Policy Analysis (CEPA)"}
    assert data["isPartOf"]["@type"] == "Periodical"
    assert data["isPartOf"]["name"] == "Europe’s Edge"
    assert data["url"] == data["mainEntityOfPage"] == ORIGINAL
    assert "isBasedOn" not in data
    assert data["inLanguage"] == "en"


@pytest.mark.parametrize(("kind", "schema_type", "csl_type", "ris_type"), [
    ("report", "Report", "report", "RPRT"),
    ("research-note", "ScholarlyArticle", "article-journal", "JOUR"),
])
def test_other_briefing_types_map_to_their_vocabularies(kind, schema_type, csl_type, ris_type,
                                                        tmp_path, run):
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING.replace(
        "summary:", f"type: {kind}\nsummary:")})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    assert json.loads(page.find("script", type="application/ld+json").string)["@type"] == \
        schema_type
    assert json.loads((out / "briefings" / "quiet-week.json").read_text())[0]["type"] == csl_type
    assert rispy.loads((out / "briefings" / "quiet-week.ris").read_text())[0][
        "type_of_reference"] == ris_type


def test_cite_block_shows_apa_and_chicago(article):
    block = article.select_one("section.cite")
    assert block.select_one("#cite-apa").get_text() == (
        "Sullivan, C. J. (2022, January). Emergency on the Steppe: Kazakhstan in Crisis. "
        f"Europe’s Edge. {ORIGINAL}")
    assert block.select_one("#cite-apa i").get_text() == "Europe’s Edge"
    assert block.select_one("#cite-chicago-note").get_text() == (
        "Charles J. Sullivan, “Emergency on the Steppe: Kazakhstan in Crisis,” Europe’s Edge, "
        f"January 2022, {ORIGINAL}.")
    assert block.select_one("#cite-chicago-bib").get_text() == (
        "Sullivan, Charles J. “Emergency on the Steppe: Kazakhstan in Crisis.” Europe’s Edge, "
        f"January 2022. {ORIGINAL}.")


def test_copy_buttons_are_hidden_until_the_script_shows_them(article, published):
    buttons = article.select("section.cite button.copy")
    assert len(buttons) == 3 and all(b.has_attr("hidden") for b in buttons)
    for button in buttons:
        assert article.find(id=button["data-copy"]) is not None
    script = article.find("script", src="../assets/cite.js")
    assert script.has_attr("defer")
    assert "button.hidden = false" in (published / "assets" / "cite.js").read_text()


def test_reference_files_are_linked_and_read_by_real_clients(article, published):
    links = {a.get_text(): a["href"] for a in article.select("section.cite .downloads a")}
    assert links == {"BibTeX": f"{SLUG}.bib", "RIS": f"{SLUG}.ris", "CSL-JSON": f"{SLUG}.json"}
    folder = published / "briefings"

    library = bibtexparser.parse_string((folder / f"{SLUG}.bib").read_text())
    assert library.failed_blocks == []
    [entry] = library.entries
    # An op-ed is @online, the one type Zotero, citation-js and Pandoc all read alike, with
    # its month (see test_clients.py).
    assert (entry.entry_type, entry.key) == ("online", "sullivan2022emergency")
    assert entry["author"] == "Sullivan, Charles J."
    assert entry["journaltitle"] == entry["booktitle"] == "Europe’s Edge"
    assert entry["date"] == "2022-01"
    assert entry["url"] == ORIGINAL

    [record] = rispy.loads((folder / f"{SLUG}.ris").read_text())
    assert record["type_of_reference"] == "MGZN"
    assert record["id"] == "sullivan2022emergency"  # the .bib's key
    assert record["authors"] == ["Sullivan, Charles J."]
    assert record["title"] == "Emergency on the Steppe: Kazakhstan in Crisis"
    assert record["secondary_title"] == "Europe’s Edge"
    assert (record["year"], record["date"]) == ("2022", "2022/01//")
    assert record["urls"] == [ORIGINAL]

    items = json.loads((folder / f"{SLUG}.json").read_text())
    assert items[0]["issued"] == {"date-parts": [[2022, 1]]}
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(SLUG)]))
    [rendered] = [str(item) for item in bibliography.bibliography()]
    assert rendered == ("Sullivan, C.J. (2022) “Emergency on the Steppe: Kazakhstan in Crisis”, "
                        f"Europe’s Edge, January. Available at: {ORIGINAL}.")


def test_canonical_points_at_the_original_of_a_republished_briefing(article):
    assert article.find("link", rel="canonical")["href"] == ORIGINAL


def addresses(page) -> dict[str, list[str]]:
    """Every field of an article page that names the work's address, as clients read it."""
    data = json.loads(page.find("script", type="application/ld+json").string)
    cited = page.select_one("#cite-apa").get_text().rsplit(" ", 1)[-1]
    return {"canonical": [link["href"] for link in page.find_all("link", rel="canonical")],
            "og:url": prop(page, "og:url"),
            **{name: meta(page, name) for name in (
                "citation_public_url", "citation_fulltext_html_url", "DC.identifier")},
            "JSON-LD url": [data.get("url")], "JSON-LD mainEntityOfPage": [
                data.get("mainEntityOfPage")], "Cite this": [cited]}


@pytest.mark.parametrize(("original", "expected"), [
    ("https://example.org/first/quiet-week", "https://example.org/first/quiet-week"),
    (None, "https://briefings.example.org/briefings/quiet-week.html"),
])
def test_every_address_field_names_the_one_address_the_cite_block_shows(original, expected,
                                                                         tmp_path, run):
    # What Zotero saves (citation_public_url, else og:url) must be what "Cite this" cites.
    text = BRIEFING if original is None else BRIEFING.replace(
        "summary:", f"original_url: {original}\nsummary:")
    content = make_content(tmp_path, {"briefings/quiet-week.md": text})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
               "--base-url", "https://briefings.example.org/").code == 0
    found = addresses(parse(out / "briefings" / "quiet-week.html"))
    assert found == {key: [expected] for key in found}
    for suffix, read in ((".bib", lambda t: bibtexparser.parse_string(t).entries[0]["url"]),
                         (".ris", lambda t: rispy.loads(t)[0]["urls"][0]),
                         (".json", lambda t: json.loads(t)[0]["URL"])):
        assert read((out / "briefings" / f"quiet-week{suffix}").read_text()) == expected
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = [loc.text for loc in ElementTree.parse(out / "sitemap.xml").getroot().findall(
        "s:url/s:loc", ns)]
    # A page whose canonical address is elsewhere stays out: search engines ask for
    # canonical addresses only.
    assert ("https://briefings.example.org/briefings/quiet-week.html" in listed) == (
        original is None)


def test_canonical_is_the_own_address_otherwise(tmp_path, run):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
        "--base-url", "https://example.org/b")
    page = parse(out / "briefings" / "quiet-week.html")
    assert page.find("link", rel="canonical")["href"] == \
        "https://example.org/b/briefings/quiet-week.html"
    assert parse(out / "index.html").find("link", rel="canonical")["href"] == \
        "https://example.org/b/"


def test_no_canonical_without_an_address(real_site):
    assert parse(real_site / "glossary.html").find("link", rel="canonical") is None


@pytest.mark.parametrize("page", ["index.html", "glossary.html", "timeline.html",
                                  f"briefings/{SLUG}.html"])
def test_every_page_has_description_open_graph_twitter_and_feed_link(page, published):
    soup = parse(published / page)
    assert meta(soup, "description")[0].strip()
    assert prop(soup, "og:title") and prop(soup, "og:description")[0].strip()
    # A page's own address, but for the republished briefing's: the original's (see above).
    assert prop(soup, "og:url") == ([ORIGINAL] if page.startswith("briefings/") else [
        BASE + ("" if page == "index.html" else page)])
    assert meta(soup, "twitter:card") == ["summary"]
    feed = soup.find("link", rel="alternate", type="application/atom+xml")
    assert (published / page).parent.joinpath(feed["href"]).resolve() == \
        (published / "feed.xml").resolve()


def test_article_open_graph_is_an_article_with_its_date(article):
    assert prop(article, "og:type") == ["article"]
    assert prop(article, "article:published_time") == ["2022-01"]


def test_atom_feed_parses_cleanly_with_full_content(published):
    feed = feedparser.parse((published / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Steppe Briefings"
    [entry] = [e for e in feed.entries if e.link.endswith(f"/{SLUG}.html")]
    assert len(feed.entries) == 2  # and the research note
    assert entry.title == "Emergency on the Steppe: Kazakhstan in Crisis"
    assert entry.link == f"{BASE}briefings/{SLUG}.html"
    assert entry.author == "Charles J. Sullivan"  # the honorific is for bylines only
    assert entry.published.startswith("2022-01-01")
    content = entry.content[0].value
    assert "Kazakhstan is contending with an unexpected political catastrophe." in content
    assert "Kazakhstan’s citizens are naturally in a state of collective shock" in content
    # Relative links resolve against the article's address.
    assert f'{BASE}glossary.html#tokayev' in content


def test_feed_lists_briefings_newest_first(tmp_path, run):
    content = make_content(tmp_path, {
        "briefings/older.md": "---\ntitle: Older\ndate: 2019\n---\n\nOld text.\n",
        "briefings/newer.md": "---\ntitle: Newer\ndate: 2023-05\n---\n\nNew text.\n"})
    out = tmp_path / "site"
    run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Newer", "Quiet Week in Almaty", "Older"]


def test_sitemap_and_robots_with_a_base_url(published):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ElementTree.parse(published / "sitemap.xml").getroot()
    locations = [loc.text for loc in sitemap.findall("s:url/s:loc", ns)]
    # The op-ed republishes an original: its canonical address is cepa.org's, and it is left
    # out; the research note is this site's own.
    assert locations[:4] == [BASE, f"{BASE}archive.html", f"{BASE}glossary.html",
                             f"{BASE}timeline.html"]
    assert f"{BASE}briefings/{SLUG}.html" not in locations
    assert f"{BASE}briefings/january-2022-in-brief.html" in locations
    assert f"{BASE}tags/kazakhstan.html" in locations
    assert f"{BASE}authors/charles-j-sullivan.html" in locations
    assert all(path.startswith(BASE) for path in locations)
    # Dated January 2022: no page is known to the day, so none has a lastmod (see
    # test_discovery.py).
    assert sitemap.findall("s:url/s:lastmod", ns) == []
    robots = (published / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_without_a_base_url_sitemap_and_robots_are_left_out_and_the_build_says_so(tmp_path,
                                                                                  run):
    content = make_content(tmp_path)
    result = run("build", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site")
    assert not (tmp_path / "site" / "sitemap.xml").exists()
    assert not (tmp_path / "site" / "robots.txt").exists()
    assert result.err.count("base_url is not set") == 1


def test_github_pages_and_icon_files(published):
    assert (published / ".nojekyll").read_bytes() == b""
    assert (published / "assets" / "favicon.svg").read_text().startswith("<svg")
    assert meta(parse(published / "404.html"), "robots") == ["noindex"]


def test_json_ld_cannot_close_its_script(tmp_path, run):
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING.replace(
        '"Quiet Week in Almaty"', '"</script><script>alert(1)</script>"')})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    scripts = page.find_all("script")
    assert len(scripts) == 3  # the JSON-LD, cite.js and search.js, nothing injected
    assert json.loads(page.find("script", type="application/ld+json").string)["headline"] == \
        "</script><script>alert(1)</script>"


def test_the_pages_workflow_keeps_the_build_cache_between_runs():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    assert set(cache["with"]["path"].split()) == {".cache", "site"}
    assert cache["with"]["restore-keys"]  # the newest earlier cache, whatever its key
    build = next(i for i, step in enumerate(steps) if "build.py build" in step.get("run", ""))
    assert uses.index(cache["uses"]) < build
