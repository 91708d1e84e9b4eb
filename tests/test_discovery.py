"""What crawlers and feed readers read: the sitemap against the sitemaps.org schema, with
xmllint (Debian's libxml2-utils), and every link of the feed resolved as a reader resolves it.

xmllint is skipped, saying why, where it is missing; under CI (CI set) it is required.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from briefing_site.cli import main
from tests.conftest import CONTENT, REPO, TEMPLATES, unavailable
from tests.test_golden import GOLDEN_CONTENT

SITEMAP_XSD = REPO / "tests" / "schemas" / "sitemap.xsd"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://briefings.example.org/kz/"


def build(run, content: Path, out: Path, *options: str) -> Path:
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
                 "--no-cache", *options)
    assert result.code == 0, result.err
    return out


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
    assert golden["briefings/quiet-week.html"] == "2022-01-05"
    assert golden["briefings/stepnoy-vestnik.html"] is None  # 2021-11: no day is known
    assert golden["briefings/third-note.html"] is None  # 2020
    assert golden[""] == golden["archive.html"] == "2022-01-05"  # the newest briefing
    assert golden["authors/ann-analyst.html"] == "2022-01-05"
    assert golden["authors/boris-writer.html"] is None
    # They change with glossary.yml and timeline.yml, which say nothing of when.
    assert golden["glossary.html"] is None and golden["timeline.html"] is None
    # The sample's one briefing is dated January 2022: no page has a day to give.
    assert set(lastmods(sitemaps["sample"]).values()) == {None}
