"""Shared helpers: build real and fixture sites into temporary folders, parse what was written."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefing_site.cli import main

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
TEMPLATES = REPO / "templates"
# The op-ed exactly as the user supplied it (a copy of shared/seed/op-ed.txt, so that the
# verbatim test runs in any checkout).
SEED = REPO / "tests" / "fixtures" / "op-ed.txt"
SHARED_SEED = REPO.parent / "shared" / "seed" / "op-ed.txt"


def unavailable(reason: str) -> None:
    """Skip a test whose tool is missing, saying which; under CI (CI set) fail instead, so
    that a check that cannot run is never taken for one that passed."""
    if os.environ.get("CI"):
        pytest.fail(f"cannot run under CI: {reason}")
    pytest.skip(reason)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys):
    """Run the CLI in-process and capture what it printed."""

    def _run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return _run


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real content/ built once into a temporary folder."""
    out = tmp_path_factory.mktemp("real") / "site"
    assert main(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES),
                 "--out", str(out), "--cache", str(out.parent / "cache")]) == 0
    return out


def _state(path: Path) -> object:
    """Enough of a folder to tell whether anything was written in it."""
    if not path.exists():
        return None
    return sorted((str(p), p.stat().st_mtime_ns) for p in [path, *path.rglob("*")])


@pytest.fixture(scope="session", autouse=True)
def hermetic():
    """No test writes a build cache or a site into the repository: they use temporary
    folders, so that the tests leave a checkout as they found it."""
    watched = [REPO / ".cache", REPO / "site", REPO / "content" / ".cache",
               REPO / "tests" / "fixtures" / "golden" / ".cache"]
    before = [_state(path) for path in watched]
    yield
    for path, state in zip(watched, before, strict=True):
        assert _state(path) == state, f"a test wrote {path}"


SITE_YML = """\
title: Fixture Briefings
description: A tiny site for tests.
language: en
"""

BRIEFING = """\
---
title: "Quiet Week in Almaty"
date: 2022-01-05
authors:
  - name: Ann Analyst
    affiliation: Test Institute
summary: A short test briefing.
---

The CSTO met in Almaty today. Nobody from the KNB came.

A second paragraph mentions the CSTO again and the Elbasy.

## A heading about the CSTO

`CSTO` in code, and [a link about KNB](https://example.org/).
"""

GLOSSARY = """\
- id: csto
  term: CSTO
  kind: organisation
  definition: A military alliance. It has six members.
- id: knb
  term: KNB
  kind: organisation
  definition: A security service.
- id: elbasy
  term: Elbasy
  kind: title
  definition: A title.
"""

TIMELINE = """\
- date: 2022-01-05
  title: The meeting
  description: They met.
  terms: [csto]
  locator: "met in Almaty today"
- date: 2006
  title: A year-only event
  description: Something happened.
- date: 2019-03
  title: A month-only event
  description: Something else happened.
"""


def make_content(root: Path, files: dict[str, str | None] | None = None) -> Path:
    """A small valid content folder under ``root``.

    ``files`` maps paths inside the content folder (``site.yml``, ``briefings/x.md``) to new
    text, or to None to leave that file out.
    """
    content = root / "content"
    chosen: dict[str, str | None] = {
        "site.yml": SITE_YML, "glossary.yml": GLOSSARY, "timeline.yml": TIMELINE,
        "briefings/quiet-week.md": BRIEFING, **(files or {}),
    }
    for name, text in chosen.items():
        if text is None:
            continue
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return content


def assert_no_scripts(files: dict[str, bytes]) -> None:
    """No element that runs code, except the theme's own: its JSON-LD, cite.js and search.js."""
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        soup = BeautifulSoup(data, "html.parser")
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":
                json.loads(script.string)  # data, not code: it must parse
            else:
                assert script.get("src", "").endswith(("assets/cite.js", "assets/search.js")), \
                    (path, script)
                assert not script.string, (path, script)
        assert not soup.find_all(["iframe", "object", "embed", "form", "style"]), path
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                assert not name.lower().startswith("on"), (path, element)
                if name in ("href", "src", "action", "formaction"):
                    scheme = str(value).strip().lower().split(":")[0]
                    assert scheme not in ("javascript", "data", "vbscript"), (path, element)


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to compare a site before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(run, content: Path, out: Path, *more: str):
    """``build`` of ``content`` with the project's templates into ``out``, in process."""
    return run("build", "--content", content, "--templates", TEMPLATES, "--out", out, *more)


@pytest.fixture
def published(tmp_path, run):
    """A good site, built once: (content folder, output folder, snapshot of the output)."""
    content = make_content(tmp_path)
    out = tmp_path / "site"
    result = build(run, content, out)
    assert result.code == 0, result.err
    return content, out, snapshot(out)


def refused(run, published, files: dict[str, str], where: str, message: str) -> str:
    """Rebuild with ``files`` changed: the build fails with ``message`` at ``where`` (a file
    and line, no traceback) and the old site stands. Returns what the build printed."""
    content, out, before = published
    make_content(content.parent, files)
    result = build(run, content, out)
    assert result.code == 1, result.err
    assert f"{content}/{where}: error: {message}" in result.err, result.err
    assert "Traceback" not in result.err
    assert snapshot(out) == before
    return result.err
