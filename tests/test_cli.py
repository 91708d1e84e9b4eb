"""The command line: subcommands, exit codes, and the summary line."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from briefing_site.load import load_site
from tests.conftest import BRIEFING, REPO, TEMPLATES, TIMELINE, make_content, parse


def test_build_prints_one_summary_line(tmp_path, run):
    content = make_content(tmp_path)
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", tmp_path / "o")
    assert result.code == 0
    # Said once, as a note: the fixture site has no base_url.
    assert result.err.count("\n") == 1 and ": note: base_url is not set" in result.err
    assert re.fullmatch(r"Built 7 pages \(1 briefing\) into .*/o/ in \d+\.\d\d s\. Open .*"
                        r"/o/index\.html\n", result.out)


def test_build_is_the_default_command(tmp_path, run, monkeypatch):
    make_content(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("--templates", TEMPLATES)
    assert result.code == 0, result.err
    assert (tmp_path / "site" / "index.html").is_file()


def test_check_writes_nothing(tmp_path, run):
    content = make_content(tmp_path)
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 0
    assert result.out.startswith("Checked 7 pages (1 briefing): no errors")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["check", "--help"],
                                  ["new", "--help"]])
def test_help_everywhere(args, capsys):
    from briefing_site.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    assert "usage: briefing-site" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["frobnicate"], ["build", "--no-such-flag"], ["new"]])
def test_usage_errors_exit_2(args, capsys):
    from briefing_site.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_a_missing_content_folder_is_a_content_error(tmp_path, run):
    result = run("check", "--content", tmp_path / "nowhere", "--templates", TEMPLATES)
    assert result.code == 1
    assert "nowhere: error: content folder not found" in result.err


def test_new_creates_a_draft_with_every_field_that_builds(tmp_path, run):
    content = make_content(tmp_path)
    result = run("new", "Tokayev’s Second Term: What Changed?", "--content", content)
    assert result.code == 0
    path = content / "briefings" / "tokayevs-second-term-what-changed.md"
    assert path.is_file() and str(path) in result.out
    text = path.read_text()
    for field in ("title", "date", "subtitle", "type", "authors", "honorific", "position",
                  "affiliation", "bio", "publication", "publisher", "original_url", "summary",
                  "tags", "disclaimer", "language", "draft", "notes", "extra"):
        assert re.search(rf"^#? *-? *{field}:", text, re.MULTILINE), field
    loaded = load_site(content)
    assert loaded.diagnostics == []
    new = next(b for b in loaded.site.briefings if b.slug == path.stem)
    assert new.title == "Tokayev’s Second Term: What Changed?" and new.draft
    again = run("new", "Tokayev’s Second Term: What Changed?", "--content", content)
    assert again.code == 1 and "already exists" in again.err


@pytest.mark.parametrize(("title", "slug"), [("CON", "con-briefing"), ("nul", "nul-briefing"),
                                             ("LPT1", "lpt1-briefing"), ("Con Air", "con-air")])
def test_new_never_writes_a_name_that_windows_reserves_and_the_build_refuses(
        title, slug, tmp_path, run):
    content = make_content(tmp_path)
    result = run("new", title, "--content", content)
    assert result.code == 0, result.err
    assert sorted(p.name for p in (content / "briefings").iterdir()) == sorted(
        ["quiet-week.md", f"{slug}.md"])
    out = tmp_path / "site"
    built = run("build", "--drafts", "--content", content, "--templates", TEMPLATES,
                "--out", out)
    assert built.code == 0, built.err
    assert title in (out / "briefings" / f"{slug}.html").read_text()


def test_drafts_are_left_out_unless_asked_for(tmp_path, run):
    content = make_content(tmp_path, {
        "briefings/draft.md": BRIEFING.replace('title: "Quiet Week in Almaty"',
                                               "title: Unfinished\ndraft: true")
                                      .replace("met in Almaty today", "met somewhere")})
    run("build", "--content", content, "--templates", TEMPLATES, "--out", tmp_path / "a")
    assert not (tmp_path / "a" / "briefings" / "draft.html").exists()
    run("build", "--content", content, "--templates", TEMPLATES, "--out", tmp_path / "b",
        "--drafts")
    assert (tmp_path / "b" / "briefings" / "draft.html").is_file()


def test_base_url_makes_the_404_page_work_at_any_depth(tmp_path, run):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
               "--base-url", "https://example.org/briefing").code == 0
    links = [a["href"] for a in parse(out / "404.html").select("nav a")]
    assert links == ["/briefing/index.html", "/briefing/archive.html", "/briefing/glossary.html",
                     "/briefing/timeline.html"]
    # Ordinary pages stay relative, so the folder still works from disk.
    assert parse(out / "index.html").select_one("nav a")["href"] == "index.html"


def test_fixture_timeline_shows_each_precision(tmp_path, run):
    content = make_content(tmp_path, {"timeline.yml": TIMELINE.replace(
        "date: 2019-03\n", "date: 2019-03\n  end: 2019-06-12\n")})
    out = tmp_path / "site"
    run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    shown = [(t["datetime"], t.get_text()) for t in parse(out / "timeline.html").select(
        ".event-date time")]
    assert shown == [("2006", "2006"), ("2019-03", "March 2019"), ("2019-06-12", "12 June 2019"),
                     ("2022-01-05", "5 January 2022")]
    span = parse(out / "timeline.html").select(".event-date")[1].get_text()
    assert span == "March 2019–12 June 2019"


@pytest.mark.parametrize("entry", [["build.py"], ["-m", "briefing_site"]])
def test_entry_points_run_the_same_cli(entry, tmp_path):
    content = make_content(tmp_path)
    result = subprocess.run([sys.executable, *entry, "check", "--content", str(content),
                             "--templates", str(TEMPLATES)],
                            cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Checked 7 pages (1 briefing)")


def test_content_errors_from_a_subprocess_exit_1_without_traceback(tmp_path):
    content = make_content(tmp_path, {"site.yml": "title: [unclosed\n"})
    result = subprocess.run([sys.executable, "build.py", "build", "--content", str(content),
                             "--out", str(tmp_path / "o")],
                            cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "site.yml:2:1: error: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_check_never_touches_the_cache(tmp_path, run):
    content = make_content(tmp_path)
    cache = tmp_path / ".cache"
    assert run("check", "--content", content, "--templates", TEMPLATES).code == 0
    assert not cache.exists()
    assert run("build", "--content", content, "--templates", TEMPLATES,
               "--out", tmp_path / "site").code == 0
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*")}
    (content / "briefings" / "quiet-week.md").write_text("---\ntitle: [broken\n---\nText.\n")
    assert run("check", "--content", content, "--templates", TEMPLATES).code == 1
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*")} == before


def test_the_cache_cannot_live_inside_the_output(tmp_path, run):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
                 "--cache", out / "cache")
    assert result.code == 1
    assert "the cache folder" in result.err and "inside" in result.err


@pytest.mark.parametrize("command", [["build"], ["build", "--cache", "cache"],
                                     ["build", "--no-cache"], ["check"],
                                     ["publish", "--git", "remote.git"], ["serve", "--port", "0"]])
@pytest.mark.parametrize(("option", "name", "problem"), [
    ("--content", "nowhere", "content folder not found"),
    ("--content", "a-file", "this is a file, not a content folder"),
    ("--templates", "nowhere", "templates folder not found"),
    ("--templates", "a-file", "this is a file, not a templates folder"),
])
def test_a_content_or_templates_folder_that_is_missing_or_a_file_is_an_error(
        command, option, name, problem, tmp_path):
    """Before anything is read or written: with the cache on, the digest of the inputs
    once walked the missing folder and ended in a traceback (and serve never stopped)."""
    (tmp_path / "a-file").write_text("not a folder\n")
    folders = {"--content": make_content(tmp_path / "project"), "--templates": TEMPLATES,
               option: tmp_path / name}
    args = [*command, "--content", folders["--content"], "--templates", folders["--templates"]]
    if command[0] != "check" and command[0] != "serve":
        args += ["--out", tmp_path / "site"]
    before = sorted(tmp_path.rglob("*"))
    result = subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=30,
                            check=False)
    assert result.returncode == 1, result.stderr
    assert f"{tmp_path / name}: error: {problem} ({option} must name the " in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(tmp_path.rglob("*")) == before  # no site, no cache, no lock file
