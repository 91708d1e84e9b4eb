"""What crawlers and feed readers read: the sitemap against the sitemaps.org schema, with
xmllint (Debian's libxml2-utils), and every link of the feed resolved as a reader resolves it.

xmllint is skipped, saying why, where it is missing; under CI (CI set) it is required.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup

from briefing_site.cli import main
from tests.conftest import CONTENT, REPO, TEMPLATES, unavailable
from tests.test_golden import GOLDEN_CONTENT

SITEMAP_XSD = REPO / "tests" / "schemas" / "sitemap.xsd"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://briefings.example.org/kz/"


@pytest.fixture(scope="module")
def sitemaps(tmp_path_factory) -> dict[str, Path]:
    """sitemap.xml of the sample (dated to the month) and of the golden site (dates to the
    day, the month and the year)."""
    built = {}
    for name, content in (("sample", CONTENT), ("golden", GOLDEN_CONTENT)):
        out = tmp_path_factory.mktemp(name) / "site"
        assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                     "--out", str(out), "--base-url", BASE, "--no-cache"]) == 0
        built[name] = out / "sitemap.xml"
    return built


def lastmods(sitemap: Path) -> dict[str, str | None]:
    root = ElementTree.parse(sitemap).getroot()
    return {url.findtext("s:loc", namespaces=SITEMAP_NS).removeprefix(BASE):
            url.findtext("s:lastmod", namespaces=SITEMAP_NS)
            for url in root.findall("s:url", SITEMAP_NS)}


@pytest.mark.parametrize("name", ["sample", "golden"])
def test_sitemap_is_valid_against_the_sitemaps_org_schema(sitemaps, name):
    xmllint = shutil.which("xmllint")
    if not xmllint:
        unavailable("no xmllint to check the sitemap against its schema "
                    "(apt-get install libxml2-utils)")
    result = subprocess.run([xmllint, "--noout", "--nonet", "--schema", str(SITEMAP_XSD),
                             str(sitemaps[name])],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_sitemap_dates_a_page_to_the_day_or_not_at_all(sitemaps):
    golden = lastmods(sitemaps["golden"])
    # Republished from example.com: its canonical address is there, so it is not listed.
    assert "briefings/quiet-week.html" not in golden
    assert golden["briefings/stepnoy-vestnik.html"] is None  # 2021-11: no day is known
    # Dated 2020, but updated (a correction) on 2 March 2021: the day it last changed.
    assert golden["briefings/third-note.html"] == "2021-03-02"
    assert golden[""] == golden["archive.html"] == "2022-01-05"  # the newest briefing
    assert golden["authors/ann-analyst.html"] == "2022-01-05"
    assert golden["authors/boris-writer.html"] is None
    # They change with glossary.yml and timeline.yml, which say nothing of when.
    assert golden["glossary.html"] is None and golden["timeline.html"] is None
    # The sample's one briefing is dated January 2022: no page has a day to give.
    assert set(lastmods(sitemaps["sample"]).values()) == {None}


# Where a reader fetched the feed from, for a site without base_url: its links resolve
# against this, as against any address the folder is served at.
MIRROR = "https://reader.test/mirror/"


def without_base_url(content: Path, root: Path) -> Path:
    """A copy of ``content`` whose site.yml sets no base_url."""
    copy = root / "content"
    shutil.copytree(content, copy)
    settings = copy / "site.yml"
    settings.write_text("".join(line for line in settings.read_text().splitlines(True)
                                if not line.startswith("base_url:")))
    return copy


@pytest.fixture(scope="module", params=["sample", "golden"])
def feeds(request, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """The site built without base_url and with it, each with the address its feed.xml is
    read from."""
    root = tmp_path_factory.mktemp(f"feed-{request.param}")
    content = without_base_url(CONTENT if request.param == "sample" else GOLDEN_CONTENT, root)
    built = {}
    for name, options, base in (("without", [], MIRROR), ("with", ["--base-url", BASE], BASE)):
        out = root / name
        assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                     "--out", str(out), "--no-cache", *options]) == 0
        built[name] = (out, base)
    return built


def feed_links(site: Path, base: str) -> list[str]:
    """Every address in the feed, resolved by feedparser as a reader that fetched it from
    ``base + "feed.xml"`` would: the feed's and entries' links, and each href and src in the
    entries' content, against its xml:base."""
    feed = feedparser.parse((site / "feed.xml").read_bytes(), response_headers={
        "content-location": base + "feed.xml", "content-type": "application/atom+xml"})
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries
    links = [link.href for link in feed.feed.links]
    for entry in feed.entries:
        links += [link.href for link in entry.links]
        for content in entry.content:
            soup = BeautifulSoup(content.value, "html.parser")
            links += [element[name] for name in ("href", "src")
                      for element in soup.find_all(attrs={name: True})]
    return links


@pytest.mark.parametrize("variant", ["without", "with"])
def test_every_link_in_the_feed_resolves_to_a_file_of_the_site(feeds, variant):
    site, base = feeds[variant]
    host = urlsplit(base).netloc
    links = feed_links(site, base)
    internal = [link for link in links if urlsplit(link).netloc == host]
    assert len(internal) > 5  # the entry's page, glossary terms, paragraphs
    broken, ids = [], {}
    for link in internal:
        address, _, fragment = link.partition("#")
        if not address.startswith(base):
            broken.append(f"{link}: outside the site")
            continue
        path = address.removeprefix(base)
        target = site / (path if path and not path.endswith("/") else path + "index.html")
        if not target.is_file():
            broken.append(f"{link}: no file {target.relative_to(site)}")
        elif fragment and target.suffix == ".html":
            if target not in ids:
                soup = BeautifulSoup(target.read_bytes(), "html.parser")
                ids[target] = {element["id"] for element in soup.find_all(id=True)}
            if fragment not in ids[target]:
                broken.append(f"{link}: no id {fragment!r} in {target.relative_to(site)}")
        elif fragment:
            broken.append(f"{link}: a fragment of {target.name}, not of a page")
    assert broken == []


def test_the_feed_names_authors_without_honorifics_as_every_other_output_does(feeds):
    site, _ = feeds["with"]
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    for entry in feed.entries:
        page = BeautifulSoup((site / urlsplit(entry.link).path.removeprefix(
            urlsplit(BASE).path)).read_bytes(), "html.parser")
        cited = [m["content"] for m in page.find_all("meta", attrs={"name": "citation_author"})]
        assert [author.name for author in entry.get("authors", [])] == cited
    names = [author.name for entry in feed.entries for author in entry.get("authors", [])]
    assert names and not any(name.startswith(("Dr.", "Prof.")) for name in names)
