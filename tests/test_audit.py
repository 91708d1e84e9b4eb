"""The checkers publishers use, run on the real site: the W3C Nu HTML Checker and axe-core.

They need the npm packages in tests/audit: vnu-jar ships the current Nu checker, run here
with the system's Java, and axe-core runs in the system's Chromium. Where those are missing
the tests are skipped and say why; under CI (the CI variable set) a check that cannot run
fails instead. ``make audit`` runs them on site/ and prints the figures for every page.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from briefing_site.cli import main
from tests.conftest import CONTENT, REPO, TEMPLATES, unavailable

pytestmark = pytest.mark.audit
AUDIT = REPO / "tests" / "audit"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


# The sample has one briefing: no lists, tables, topic pages or pages of a term's mentions.
# A synthetic archive of this many briefings has them all, a term's mentions over two pages.
ARCHIVE = 60


@pytest.fixture(scope="module", params=["sample", "archive"])
def site(request, tmp_path_factory) -> Path:
    """site/ when make audit names it; else the real content, then a synthetic archive, each
    built with a public address."""
    if os.environ.get("AUDIT_SITE"):
        if request.param != "sample":
            pytest.skip("make audit checks the one site it names")
        return Path(os.environ["AUDIT_SITE"]).resolve()
    folder = tmp_path_factory.mktemp("audit")
    # (A timeline and a glossary of the archive's size: the bench corpus's thousand events
    # would only make each check take longer, on the same markup.)
    content = CONTENT if request.param == "sample" else generate(folder, ARCHIVE, events=ARCHIVE,
                                                                 terms=ARCHIVE)
    out = folder / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(out), "--base-url", "https://briefings.example.org/",
                 "--cache", str(folder / "cache")]) == 0
    return out


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def kinds(site: Path) -> list[str]:
    """The first page of each kind (each top-level page; each folder, with the term's own
    folder standing for any term): what the browser checks, which take seconds a page."""
    first: dict[str, str] = {}
    for page in pages(site):
        parts = page.split("/")
        kind = page if len(parts) == 1 else "/".join(
            [parts[0], *["*" for _ in parts[1:-2]], *parts[2:-1]])
        first.setdefault(kind, page)
    return list(first.values())


def report(line: str) -> None:
    """Figures for the closing note, shown with ``-s`` (make audit)."""
    print(line)


@pytest.fixture(scope="module")
def served(site):
    """The site served over HTTP at /, as a static host would (a thread, on loopback)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *args: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def axe_report(site, served) -> dict:
    if not Path(CHROMIUM).is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    if not shutil.which("node") or not (AUDIT / "node_modules" / "axe-core").is_dir():
        unavailable("the npm packages are not installed (cd tests/audit && npm ci)")
    result = subprocess.run(["node", str(AUDIT / "audit.mjs"), served, *kinds(site)],
                            capture_output=True, text=True, timeout=900, check=False,
                            env={**os.environ, "CHROMIUM": CHROMIUM})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# The current Nu checker, from npm (pinned in package-lock.json). It is run with java
# itself, never through the package's vnu-jar.js, which fetches a Java runtime when it
# finds none.
VNU_JAR = AUDIT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_w3c_nu_checker_finds_no_errors(site):
    if not VNU_JAR.is_file():
        unavailable("the npm packages are not installed (cd tests/audit && npm ci)")
    if not shutil.which("java"):
        unavailable("no Java to run the Nu HTML Checker (apt-get install default-jre-headless)")
    version = subprocess.run(["java", "-jar", str(VNU_JAR), "--version"], capture_output=True,
                             text=True, timeout=120, check=True).stdout.strip()
    report(f"Nu checker  version {version}")
    files = [str(site / page) for page in pages(site)]
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", *files],
                            capture_output=True, text=True, timeout=600, check=False)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    for page in pages(site):
        mine = [m for m in messages if m.get("url", "").endswith("/" + page)]
        errors = [m for m in mine if m["type"] == "error"]
        report(f"Nu checker  {page}: {len(errors)} errors, {len(mine) - len(errors)} other")
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] in ("error", "non-document-error")]
    assert errors == []


def test_axe_finds_no_wcag_a_or_aa_violations(axe_report):
    problems = []
    for page, entry in axe_report.items():
        for variant, violations in entry["axe"].items():
            report(f"axe-core    {page} ({variant}): {len(violations)} violations")
            problems += [f"{page} ({variant}): {v['id']}: {v['help']} {v['targets']}"
                         for v in violations]
    assert problems == []


def test_no_page_scrolls_sideways_on_a_screen_320_pixels_wide(axe_report):
    wide = {page: entry["overflow"] for page, entry in axe_report.items() if entry["overflow"]}
    assert wide == {}, "pixels past the right edge at 320 px"


def test_every_interactive_element_is_reached_by_keyboard_and_visibly_focused(axe_report):
    for page, entry in axe_report.items():
        keys = entry["keyboard"]
        report(f"keyboard    {page}: {keys['reached']} of {keys['focusable']} reached, "
               f"{len(keys['invisible'])} without a visible focus")
        assert keys["unreachable"] == [], page
        assert keys["invisible"] == [], page
        assert keys["reached"] == keys["focusable"] > 0


def test_glossary_hints_show_on_keyboard_focus_and_reach_screen_readers(axe_report, request):
    article = next(e for page, e in axe_report.items() if page.startswith("briefings/"))
    hints = article["hints"]
    report(f"hints       {hints['terms']} terms: {len(hints['problems'])} problems")
    # The op-ed links twenty-odd terms; a synthetic briefing a handful.
    assert hints["terms"] >= (20 if request.node.callspec.params["site"] == "sample" else 5)
    assert hints["problems"] == []
