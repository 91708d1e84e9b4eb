"""Caching and parallel builds change how fast a site is built, never a byte of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.synthetic import generate
from briefing_site import serve as preview_module
from briefing_site.incremental import State
from briefing_site.options import Options
from briefing_site.pipeline import build_site
from briefing_site.serve import Preview
from briefing_site.track import Resolver
from tests.conftest import REPO, TEMPLATES, snapshot

N = 40  # enough for the work to be shared among processes


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    # Every eighth briefing cites four works of a references.bib.
    return generate(tmp_path_factory.mktemp("scale"), N, citations=4, cite_every=8)


def build(run, content: Path, out: Path, *args: str):
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out, *args)
    assert result.code == 0, result.err
    return result


def test_cold_cached_and_parallel_builds_give_identical_bytes(content, tmp_path, run):
    cold = tmp_path / "cold"
    build(run, content, cold, "--jobs", "1", "--no-cache")
    parallel = tmp_path / "parallel"
    build(run, content, parallel, "--jobs", "2", "--cache", tmp_path / "cache")
    assert snapshot(parallel) == snapshot(cold)
    (parallel / "index.html").unlink()  # the output no longer matches the cache's record
    again = build(run, content, parallel, "--jobs", "2", "--cache", tmp_path / "cache")
    assert again.out.startswith("Built ")
    assert snapshot(parallel) == snapshot(cold)
    single_cached = tmp_path / "single"
    build(run, content, single_cached, "--jobs", "1", "--cache", tmp_path / "cache")
    assert snapshot(single_cached) == snapshot(cold)


def test_a_rebuild_with_nothing_changed_does_nothing(content, tmp_path, run):
    out = tmp_path / "site"
    build(run, content, out, "--cache", tmp_path / "cache")
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = build(run, content, out, "--cache", tmp_path / "cache")
    assert result.out.startswith(f"Nothing changed: {out}/ is up to date")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == times


def test_a_build_with_nothing_to_do_loads_no_markdown_templates_or_yaml(content, tmp_path):
    # The answer "nothing changed" is a stat of each file: importing the libraries that
    # build (a sixth of a second) would be most of its time.
    out, cache = tmp_path / "site", tmp_path / "cache"
    command = [sys.executable, "-X", "importtime", str(REPO / "build.py"), "build",
               "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out),
               "--cache", str(cache)]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    assert " markdown" in first.stderr  # the first build does load them
    again = subprocess.run(command, capture_output=True, text=True, check=True)
    assert again.stdout.startswith("Nothing changed")
    loaded = {line.rsplit("|", 1)[1].strip() for line in again.stderr.splitlines()
              if line.startswith("import time:")}
    assert loaded.isdisjoint({"markdown", "jinja2", "yaml", "frontmatter", "nh3"})


def test_an_edit_rewrites_only_the_files_whose_bytes_change(content, tmp_path, run):
    out = tmp_path / "site"
    cache = tmp_path / "cache"
    build(run, content, out, "--cache", cache)
    before = snapshot(out)
    times = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
             for p in out.rglob("*") if p.is_file()}
    time.sleep(0.01)
    briefing = content / "briefings" / "synthetic-00007.md"
    original = briefing.read_text()
    try:
        briefing.write_text(original + "\nOne more sentence at the end.\n")
        result = build(run, content, out, "--cache", cache)
    finally:
        briefing.write_text(original)
    assert result.out.startswith("Built ")
    after = snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "briefings/synthetic-00007.html" in changed
    for path in after:
        mtime = (out / path).stat().st_mtime_ns
        if path in changed:
            assert mtime != times.get(path), path
        else:
            assert mtime == times[path], f"{path} was rewritten with the same bytes"
    assert len(changed) < len(after) / 4


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x04K\x01."])
def test_a_corrupt_cache_is_rebuilt_not_trusted(damage, content, tmp_path, run):
    cache = tmp_path / "cache"
    reference = tmp_path / "reference"
    build(run, content, reference, "--no-cache")
    out = tmp_path / "site"
    build(run, content, out, "--cache", cache)
    assert list(cache.glob("*.pickle"))
    for stored in cache.glob("*.pickle"):
        stored.write_bytes(damage)
    (cache / "state.json").write_text("{not json")
    result = build(run, content, out, "--cache", cache)
    assert snapshot(out) == snapshot(reference)
    if damage != b"\x80\x04K\x01.":  # (a pickle, of a number: not records, but harmless)
        assert f"{cache}: note: the build cache held files it did not write" in result.err
        assert "briefings-0.pickle" in result.err


def test_the_default_cache_lives_beside_the_content(content, tmp_path, run):
    out = tmp_path / "site"
    build(run, content, out)
    assert list((content.parent / ".cache").glob("docs-*.pickle"))
    assert list((content.parent / ".cache").glob("briefings-*.pickle"))
    assert os.path.getsize(content.parent / ".cache" / "state.json") > 0


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _redate(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join("date: 1999-12-31\n" if line.startswith("date:") else line
                            for line in lines), encoding="utf-8")


def _article_counts_everything(templates: Path) -> None:
    # A template reading `data` depends on every briefing: its pages must follow them all.
    _replace(templates / "article.html", "{% block main %}",
             "{% block main %}<p>One of {{ data.briefings | length }}.</p>")


def _retarget(templates: Path) -> None:
    # The partials folder is a link (see _work): point it at a copy with one partial edited.
    link = templates / "partials"
    other = link.resolve().parent / "partials-b"
    shutil.copytree(link.resolve(), other)
    _replace(other / "byline.html", '<span class="byline">By ', '<span class="byline">Written by ')
    new = templates / "partials.new"
    new.symlink_to(other, target_is_directory=True)
    os.replace(new, link)


def _rename(path: Path, name: str) -> None:
    path.rename(path.with_name(name))


# Each edit is applied on top of the ones before it, as an analyst's day would.
EDITS = {
    "a sentence appended": lambda c, t: _replace(
        c / "briefings" / "synthetic-00007.md", "## What happened",
        "A sentence added.\n\n## What happened"),
    "a term's mention removed": lambda c, t: _replace(
        c / "briefings" / "synthetic-00007.md", "Sensing this, Tokayev", "Sensing this, he"),
    "a title changed": lambda c, t: _replace(
        c / "briefings" / "synthetic-00003.md", "Synthetic briefing 00003", "A new title"),
    "a date changed": lambda c, t: _redate(c / "briefings" / "synthetic-00011.md"),
    "a term's short hint changed": lambda c, t: _replace(
        c / "glossary.yml", "short: A Moscow-headquartered", "short: A Moscow-led"),
    "a term's definition changed": lambda c, t: _replace(
        c / "glossary.yml", "A made-up body, number 001,", "A made-up body, number one,"),
    "a term's aliases changed": lambda c, t: _replace(
        c / "glossary.yml", "term: Council 000 Steppe\n",
        "term: Council 000 Steppe\n  aliases: [January]\n"),
    "an event changed": lambda c, t: _replace(
        c / "timeline.yml", "title: Synthetic event 0001", "title: Renamed event"),
    "an event's locator set": lambda c, t: _replace(
        c / "timeline.yml", "title: Renamed event\n", "title: Renamed event\n"
        "  locator: \"A sentence added\"\n"),
    "a partial template changed": lambda c, t: _replace(
        t / "partials" / "card.html", "<li class=\"card\">", "<li class=\"card edited\">"),
    "the site title changed": lambda c, t: _replace(
        c / "site.yml", "title: ", "title: Renamed "),
    "a template reads data": lambda c, t: _article_counts_everything(t),
    "an asset changed": lambda c, t: (t / "assets" / "style.css").write_text(
        (t / "assets" / "style.css").read_text() + "\n/* edited */\n"),
    "a briefing added": lambda c, t: (c / "briefings" / "added.md").write_text(
        (c / "briefings" / "synthetic-00005.md").read_text().replace(
            "Synthetic briefing 00005", "Added briefing"), encoding="utf-8"),
    "a briefing deleted": lambda c, t: (c / "briefings" / "synthetic-00009.md").unlink(),
    "a briefing renamed": lambda c, t: _rename(c / "briefings" / "synthetic-00015.md",
                                               "renamed-briefing.md"),
    "a briefing made a draft": lambda c, t: _replace(
        c / "briefings" / "synthetic-00013.md", "---\n", "---\ndraft: true\n"),
    "a draft published again": lambda c, t: _replace(
        c / "briefings" / "synthetic-00013.md", "draft: true\n", ""),
    "a linked folder retargeted": lambda c, t: _retarget(t),
    "a cited work's title changed": lambda c, t: _replace(
        c / "references.bib", "title = {Synthetic work number 2}", "title = {A renamed work}"),
    "a citation added": lambda c, t: _replace(
        c / "briefings" / "synthetic-00016.md", "## What happened",
        "A claim [see @work0003, p. 12; @work0001].\n\n## What happened"),
    "search turned off": lambda c, t: _replace(c / "site.yml", "title: ", "search: false\ntitle: "),
    "search turned on again": lambda c, t: _replace(c / "site.yml", "search: false\n", ""),
}


def _work(content: Path, root: Path) -> tuple[Path, Path]:
    """A copy of the content and the templates, whose partials folder is a link."""
    shutil.copytree(content, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    (root / "templates" / "partials").rename(root / "partials-a")
    (root / "templates" / "partials").symlink_to(root / "partials-a", target_is_directory=True)
    return root / "content", root / "templates"


def test_after_every_kind_of_edit_a_rebuild_equals_a_cold_build(content, tmp_path, run):
    """Only the pages whose inputs changed are rendered again; none may be left stale."""
    source, templates = _work(content, tmp_path / "work")
    out, cache = tmp_path / "site", tmp_path / "cache"

    def incremental() -> None:
        result = run("build", "--content", source, "--templates", templates, "--out", out,
                     "--cache", cache)
        assert result.code == 0, result.err

    incremental()
    for number, (name, edit) in enumerate(EDITS.items()):
        before = snapshot(out)
        times = {path: (out / path).stat().st_mtime_ns for path in before}
        time.sleep(0.01)
        edit(source, templates)
        incremental()
        cold = tmp_path / f"cold-{number}"
        result = run("build", "--content", source, "--templates", templates, "--out", cold,
                     "--no-cache")
        assert result.code == 0, result.err
        after = snapshot(out)
        assert after.keys() == snapshot(cold).keys(), name
        stale = [path for path, data in snapshot(cold).items() if after[path] != data]
        assert not stale, f"after {name}: {stale[:5]}"
        assert after != before, name
        for path in after:
            if after[path] == before.get(path):
                assert (out / path).stat().st_mtime_ns == times[path], (name, path)
        shutil.rmtree(cold)


def test_after_every_kind_of_edit_the_preview_equals_a_cold_build(content, tmp_path):
    """The preview keeps its state in memory between saves: its site too equals a cold
    build's, byte for byte (the reload script is put in as pages are served), after every
    edit; and an edit to one body renders few."""
    source, templates = _work(content, tmp_path / "work")
    preview = Preview(source, templates)
    assert preview.rebuild()
    for name, edit in EDITS.items():
        edit(source, templates)
        assert preview.rebuild(name), preview.snapshot.errors
        cold = build_site(source, templates).files
        served = preview.snapshot.files
        assert served.keys() == cold.keys(), name
        stale = [path for path, data in cold.items() if served[path] != data]
        assert not stale, f"after {name}: {stale[:5]}"
    _replace(source / "briefings" / "synthetic-00021.md", "## Outlook", "One more.\n\n## Outlook")
    result = build_site(source, templates, Options(), preview.state,
                        stream=True)
    changed = [path for path, data in result.files if data is not None]
    assert "briefings/synthetic-00021.html" in changed
    assert result.counts["rendered"] < len(preview.snapshot.files) / 10, changed


def test_a_new_hint_converts_no_body_again(content, tmp_path):
    """A term's hint is put in by the page: editing it re-renders the pages that show it but
    converts no Markdown again (at archive scale that is the difference between seconds and
    a blink)."""
    source, templates = _work(content, tmp_path / "work")
    state = State()
    build_site(source, templates, Options(), state)
    bodies = dict(state.bodies)
    _replace(source / "glossary.yml", "short: A Moscow-headquartered", "short: A Moscow-led")
    files = build_site(source, templates, Options(), state).files
    assert state.bodies.keys() == bodies.keys()
    assert all(state.bodies[key] is doc for key, doc in bodies.items())
    page = BeautifulSoup(files["briefings/synthetic-00007.html"], "html.parser")
    tips = {span.a["href"].rsplit("#", 1)[1]: span["data-tip"] for span in page.select("span.gl")}
    assert tips["csto"].startswith("A Moscow-led")


def test_a_preview_after_a_build_starts_from_its_output(content, tmp_path, run, monkeypatch):
    """The preview's site is the one ``build`` writes: started after a build (with its cache),
    the first build renders only what changed since, and serves exactly what a cold build
    makes; a file of that output changed by hand is rendered again, never served as it is."""
    source, templates = _work(content, tmp_path / "work")
    out, cache = tmp_path / "site", tmp_path / "cache"
    result = run("build", "--content", source, "--templates", templates, "--out", out,
                 "--cache", cache)
    assert result.code == 0, result.err
    _replace(source / "briefings" / "synthetic-00007.md", "## What happened",
             "A sentence added.\n\n## What happened")
    (out / "glossary.html").write_bytes(b"changed by hand")
    counts = []

    def counting(*args, **kwargs):
        result = build_site(*args, **kwargs)
        counts.append(result.counts)
        return result

    monkeypatch.setattr(preview_module, "build_site", counting)
    preview = Preview(source, templates, cache=cache)
    assert preview.rebuild(), preview.snapshot.errors
    cold = build_site(source, templates).files
    assert preview.snapshot.files == cold
    assert counts[0]["kept"] > len(cold) / 2
    assert counts[0]["rendered"] < len(cold) / 10


def test_a_preview_of_what_was_just_built_checks_no_read_again(content, tmp_path, run,
                                                                monkeypatch):
    """When content, templates and options have the digest of the build that wrote the
    output, every file of it is this site's: the first build keeps them all, stamping
    nothing (a thousand briefings' reads take most of a second to stamp)."""
    source, templates = _work(content, tmp_path / "work")
    out, cache = tmp_path / "site", tmp_path / "cache"
    result = run("build", "--content", source, "--templates", templates, "--out", out,
                 "--cache", cache)
    assert result.code == 0, result.err
    preview = Preview(source, templates, cache=cache)
    assert preview.state.settled
    monkeypatch.setattr(Resolver, "stamp", lambda *args: pytest.fail("a read was stamped"))
    assert preview.rebuild(), preview.snapshot.errors
    monkeypatch.undo()
    assert not preview.state.settled
    assert preview.snapshot.files == build_site(source, templates).files
    _replace(source / "briefings" / "synthetic-00007.md", "## What happened",
             "A sentence added.\n\n## What happened")
    assert Preview(source, templates, cache=cache).state.settled is False
