"""The reference files read by real clients nobody here wrote: citation-js (npm, in
tests/audit) from the .bib, .ris and .json, and Pandoc (Debian's) from the .bib and .json,
each rendering APA with the official style (Debian's citation-style-language-styles; Pandoc's
built-in default is Chicago author-date). What they render must be the page's own APA text,
and what they read the page's DOI, report number and series.

Skipped, saying why, where a tool is missing; required under CI (.ci/run installs them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from briefing_site.cli import main
from tests.conftest import CONTENT, REPO, TEMPLATES, make_content, parse, unavailable
from tests.test_scholarly import DOI, REPORT

AUDIT = REPO / "tests" / "audit"
APA = Path("/usr/share/citation-style-language/styles/apa.csl")
# The sample's op-ed (a magazine article, dated to the month) and a report with a DOI, a
# report number and a series (dated to the day, which APA gives as the year).
WORKS = {"op-ed": "emergency-on-the-steppe", "report": "energy-paper"}


def _style() -> Path:
    if not APA.is_file():
        unavailable(f"no APA style at {APA} (apt-get install citation-style-language-styles)")
    return APA


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """Each work's briefings/ folder, built with a public address."""
    root = tmp_path_factory.mktemp("clients")
    sources = {"op-ed": CONTENT, "report": make_content(root / "report", {
        "briefings/energy-paper.md": REPORT})}
    built = {}
    for kind, content in sources.items():
        out = root / f"{kind}-site"
        assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                     "--out", str(out), "--base-url", "https://briefings.example.org/",
                     "--no-cache"]) == 0
        built[kind] = out / "briefings"
    return built


def page_apa(folder: Path, slug: str) -> str:
    return parse(folder / f"{slug}.html").select_one("#cite-apa").get_text()


@pytest.fixture(scope="module")
def citation_js(folders) -> dict[str, dict]:
    """What citation-js read from every file, in one node process."""
    style = _style()
    if not shutil.which("node") or not (AUDIT / "node_modules" / "@citation-js").is_dir():
        unavailable("citation-js is not installed (cd tests/audit && npm ci)")
    files = [str(folders[kind] / f"{slug}{suffix}") for kind, slug in WORKS.items()
             for suffix in (".bib", ".ris", ".json")]
    result = subprocess.run(["node", str(AUDIT / "cite.mjs"), str(style), *files],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def pandoc(*args: str, stdin: str = "") -> str:
    tool = shutil.which("pandoc")
    if not tool:
        unavailable("no pandoc (apt-get install pandoc)")
    result = subprocess.run([tool, *args], input=stdin, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("kind", WORKS)
@pytest.mark.parametrize("suffix", [".bib", ".ris", ".json"])
def test_citation_js_renders_the_pages_apa_from_each_file(kind, suffix, citation_js, folders):
    slug = WORKS[kind]
    found = citation_js[str(folders[kind] / f"{slug}{suffix}")]
    assert found["count"] == 1
    assert found["apa"] == page_apa(folders[kind], slug)


@pytest.mark.parametrize("suffix", [".bib", ".ris", ".json"])
def test_citation_js_reads_the_kind_the_date_and_the_identifiers(suffix, citation_js,
                                                                folders):
    op_ed = citation_js[str(folders["op-ed"] / f"emergency-on-the-steppe{suffix}")]["read"]
    # A magazine article from the .ris and .json; from the .bib, a web page (see exports.py:
    # no BibTeX type is read as a magazine article by citation-js), each to the month.
    assert op_ed["type"] == ("webpage" if suffix == ".bib" else "article-magazine")
    assert op_ed["issued"] == {"date-parts": [[2022, 1]]}
    assert op_ed["container-title"] == "Europe’s Edge"
    report = citation_js[str(folders["report"] / f"energy-paper{suffix}")]["read"]
    assert (report["type"], report["DOI"], report["number"]) == ("report", DOI, "TI-2022-7")
    # The series: its title and number apart, but in the .bib, whose @report has no field
    # for the number within a series.
    series = (report["collection-title"], report.get("collection-number"))
    assert series == (("Policy Brief 12", None) if suffix == ".bib" else ("Policy Brief", "12"))


@pytest.mark.parametrize("kind", WORKS)
@pytest.mark.parametrize("suffix", [".bib", ".json"])
def test_pandoc_renders_the_pages_apa(kind, suffix, folders):
    slug = WORKS[kind]
    rendered = pandoc("--citeproc", f"--bibliography={folders[kind] / (slug + suffix)}",
                      f"--csl={_style()}", "-t", "plain", "--wrap=none",
                      stdin='---\nnocite: "@*"\n---\n')
    assert rendered.strip() == page_apa(folders[kind], slug)


@pytest.mark.parametrize(("suffix", "reader"), [(".bib", "biblatex"), (".json", "csljson")])
def test_pandoc_reads_the_kind_doi_report_number_and_series(suffix, reader, folders):
    [op_ed] = json.loads(pandoc("-f", reader, "-t", "csljson",
                                str(folders["op-ed"] / f"emergency-on-the-steppe{suffix}")))
    assert op_ed["type"] == ("webpage" if suffix == ".bib" else "article-magazine")
    assert op_ed["issued"] == {"date-parts": [[2022, 1]]}
    [report] = json.loads(pandoc("-f", reader, "-t", "csljson",
                                 str(folders["report"] / f"energy-paper{suffix}")))
    assert (report["type"], report["DOI"], report["number"]) == ("report", DOI, "TI-2022-7")
    assert report["collection-title"] == ("Policy Brief 12" if suffix == ".bib"
                                          else "Policy Brief")
