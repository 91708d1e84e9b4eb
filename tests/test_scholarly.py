"""The scholarly fields (DOI, ORCID iDs, licence, report number and series, updates and
corrections, an abstract of its own) in every output: the page, its Highwire, Dublin Core and
JSON-LD, the .bib, .ris and .json, the feed and the sitemap."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import bibtexparser
import feedparser
import pytest
import rispy

from briefing_site.cli import main
from briefing_site.scholarly import orcid_check_digit
from tests.conftest import TEMPLATES, make_content, parse

BASE = "https://briefings.example.org/"
PAGE = f"{BASE}briefings/energy-paper.html"
DOI = "10.5555/steppe.12"
ORCID = "0000-0002-1825-0097"  # the example iD of ORCID's own documentation

REPORT = f"""\
---
title: "Energy Paper"
date: 2022-01-05
type: report
authors:
  - name: Ann Analyst
    affiliation: Test Institute
    orcid: https://orcid.org/{ORCID}
  - name: Bo Writer
publisher: Test Institute
summary: The editors' one-line summary.
abstract: The *authors'* abstract of the paper.
doi: https://doi.org/{DOI}
license: cc-by-4.0
report_number: TI-2022-7
series: {{title: Policy Brief, number: 12}}
updated: 2022-02-03
corrections:
  - date: 2022-02-03
    note: The second table gave the *wrong* year.
  - date: 2022-01-20
    note: A name was misspelt.
---

An energy paper, on prices.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("scholarly")
    content = make_content(root, {"briefings/energy-paper.md": REPORT})
    out = root / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(out), "--base-url", BASE, "--no-cache"]) == 0
    return out


@pytest.fixture(scope="module")
def page(built):
    return parse(built / "briefings" / "energy-paper.html")


def meta(soup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


@pytest.mark.parametrize(("digits", "check"), [
    ("000000021825009", "7"), ("000000015109370", "0"), ("000000021694233", "X")])
def test_orcid_check_digit_is_iso_7064_mod_11_2(digits, check):
    # The iDs of ORCID's documentation: 0000-0002-1825-0097, -5109-3700, -1694-233X.
    assert orcid_check_digit(digits) == check


def test_the_page_shows_doi_orcid_licence_update_and_corrections(page):
    head = page.select_one("header.article-head")
    assert head.select_one(".doi a")["href"] == f"https://doi.org/{DOI}"
    assert head.select_one(".doi").get_text() == f"DOI: https://doi.org/{DOI}"
    [orcid] = head.select(".authors a.orcid")
    assert orcid["href"] == f"https://orcid.org/{ORCID}"
    assert orcid.find_parent("li").select_one(".author-name").get_text() == "Ann Analyst"
    updated = head.select_one(".meta .updated")
    assert updated.get_text(" ", strip=True) == "Updated 3 February 2022 ( corrections )"
    assert updated.time["datetime"] == "2022-02-03"
    assert "Policy Brief No. 12 · TI-2022-7" in head.select_one(".kicker").get_text()
    end = page.select_one("footer.article-end")
    license_link = end.select_one(".license a")
    assert (license_link["href"], license_link["rel"], license_link.get_text()) == (
        "https://spdx.org/licenses/CC-BY-4.0.html", ["license"], "CC-BY-4.0")
    corrections = end.select_one("section.corrections")
    assert corrections.h2.get_text() == "Corrections"
    assert [li.time["datetime"] for li in corrections.select("li")] == ["2022-01-20",
                                                                      "2022-02-03"]
    assert corrections.select("li em")[0].get_text() == "wrong"


def test_highwire_and_dublin_core_carry_them(page):
    assert meta(page, "citation_doi") == [DOI]
    assert meta(page, "citation_technical_report_number") == ["TI-2022-7"]
    assert meta(page, "citation_technical_report_institution") == ["Test Institute"]
    assert meta(page, "citation_series_title") == ["Policy Brief 12"]
    assert meta(page, "citation_journal_title") == []  # Zotero would make it an article
    assert meta(page, "citation_author_orcid") == [f"https://orcid.org/{ORCID}"]
    assert meta(page, "citation_abstract") == ["The authors’ abstract of the paper."]
    assert page.find("link", rel="schema.DC")["href"] == "http://purl.org/dc/elements/1.1/"
    assert meta(page, "DC.identifier") == [PAGE, f"https://doi.org/{DOI}"]
    assert meta(page, "DC.rights") == ["https://spdx.org/licenses/CC-BY-4.0.html"]
    # The abstract is the work's; the summary stays the page's description.
    assert meta(page, "DC.description") == ["The authors’ abstract of the paper."]
    assert meta(page, "description") == ["The editors’ one-line summary."]


def test_json_ld_carries_them(page):
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "Report"
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI",
                                  "value": DOI, "url": f"https://doi.org/{DOI}"}
    assert data["author"][0]["sameAs"] == f"https://orcid.org/{ORCID}"
    assert "sameAs" not in data["author"][1]
    assert data["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert data["reportNumber"] == "TI-2022-7"
    assert data["isPartOf"] == {"@type": "CreativeWorkSeries", "name": "Policy Brief",
                                "position": "12"}
    assert data["dateModified"] == "2022-02-03"
    assert data["correction"] == [
        {"@type": "CorrectionComment", "datePublished": "2022-01-20",
         "text": "A name was misspelt."},
        {"@type": "CorrectionComment", "datePublished": "2022-02-03",
         "text": "The second table gave the wrong year."}]
    assert data["description"] == "The authors’ abstract of the paper."


def test_reference_files_carry_them(built):
    folder = built / "briefings"
    [entry] = bibtexparser.parse_string((folder / "energy-paper.bib").read_text()).entries
    assert entry.entry_type == "report"
    # The series braced, as the title is: Pandoc would lower-case it otherwise.
    assert (entry["doi"], entry["number"], entry["series"]) == (DOI, "TI-2022-7",
                                                                "{Policy Brief 12}")
    assert entry["author+an:orcid"] == f'1="{ORCID}"'
    assert entry["copyright"] == "CC-BY-4.0"
    assert entry["abstract"] == "The authors’ abstract of the paper."
    [record] = rispy.loads((folder / "energy-paper.ris").read_text())
    assert (record["type_of_reference"], record["doi"]) == ("RPRT", DOI)
    assert (record["secondary_title"], record["number_of_volumes"], record["issn"]) == (
        "Policy Brief", "12", "TI-2022-7")  # T2, NV, SN: rispy's names for the tags
    assert record["abstract"] == "The authors’ abstract of the paper."
    [item] = json.loads((folder / "energy-paper.json").read_text())
    assert (item["DOI"], item["number"], item["collection-title"],
            item["collection-number"], item["license"]) == (
        DOI, "TI-2022-7", "Policy Brief", "12", "CC-BY-4.0")


def test_feed_and_sitemap_carry_the_update(built):
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    [entry] = [e for e in feed.entries if e.title == "Energy Paper"]
    assert entry.updated == "2022-02-03T00:00:00Z"
    assert entry.rights == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert entry.authors[0] == {"name": "Ann Analyst", "href": f"https://orcid.org/{ORCID}"}
    assert f"https://doi.org/{DOI}" in [link.href for link in entry.links]
    assert "<h2>Corrections</h2>" in entry.content[0].value
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ElementTree.parse(built / "sitemap.xml").getroot().findall("s:url", ns)
    lastmod = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
               for u in urls}
    assert lastmod[PAGE] == "2022-02-03"
