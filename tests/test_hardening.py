"""Untrusted content, output folders that must not be touched, and failing disks."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from briefing_site import write
from briefing_site.slugs import is_slug, slugify
from tests.conftest import (
    BRIEFING,
    GLOSSARY,
    TEMPLATES,
    assert_no_scripts,
    make_content,
    parse,
    site_files,
    snapshot,
)

HOSTILE = """
<script>alert("body")</script>
<p onclick="steal()">Click <a href="javascript:alert(1)">me</a> and
<img src="data:image/svg+xml;base64,PHN2Zz4=" onerror="alert(2)" alt="x"></p>
<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
<form action="https://evil.example/"><input name="q"></form>
<svg><script>alert(3)</script></svg>

Kept: <abbr title="Liquefied petroleum gas">LPG</abbr> and <mark>marked</mark>
and [a link](https://example.org/kept "title").
"""


def build(run, content: Path, out: Path):
    return run("build", "--content", content, "--templates", TEMPLATES, "--out", out)


def all_html(out: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(out.rglob("*.html")))


def assert_nothing_runs(out: Path) -> None:
    assert_no_scripts(site_files(out))
    html = all_html(out)
    for gone in ("alert(", "evil.example", "data:image"):
        assert gone not in html, gone
    assert html.count("<input") == html.count('<input id="search-field"')  # the theme's only


def test_raw_html_in_a_briefing_is_sanitised(tmp_path, run):
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING + HOSTILE})
    assert build(run, content, tmp_path / "site").code == 0
    assert_nothing_runs(tmp_path / "site")
    soup = parse(tmp_path / "site" / "briefings" / "quiet-week.html")
    assert soup.select_one(".prose abbr")["title"] == "Liquefied petroleum gas"
    assert soup.select_one(".prose mark").get_text() == "marked"
    assert soup.select_one('.prose a[href="https://example.org/kept"]')["title"] == "title"


def test_markdown_fields_in_yaml_are_sanitised(tmp_path, run):
    bad = '<script>alert(1)</script><b onmouseover="x()">bold</b>'
    content = make_content(tmp_path, {
        "glossary.yml": GLOSSARY.replace("definition: A title.", f"definition: '{bad}'"),
        "timeline.yml": f"- date: 2022\n  title: T\n  description: '{bad}'\n",
        "briefings/quiet-week.md": BRIEFING.replace(
            "summary: A short test briefing.",
            f"summary: '{bad}'\ndisclaimer: '{bad}'\nnotes:\n  - quote: met in Almaty today\n"
            f"    note: '{bad}'").replace("affiliation: Test Institute",
                                         f"affiliation: Test Institute\n    bio: '{bad}'"),
    })
    assert build(run, content, tmp_path / "site").code == 0
    html = all_html(tmp_path / "site")
    assert_nothing_runs(tmp_path / "site")
    assert "onmouseover" not in html and html.count("<b>bold</b>") >= 5


def test_trusted_html_keeps_raw_html_and_says_so(tmp_path, run):
    content = make_content(tmp_path, {
        "site.yml": "title: T\ntrusted_html: true\n",
        "briefings/quiet-week.md": BRIEFING + '\n<div class="embed" onclick="go()">x</div>\n'})
    result = build(run, content, tmp_path / "site")
    assert result.code == 0
    assert "raw HTML not sanitised (trusted_html is on)" in result.out
    assert 'onclick="go()"' in (tmp_path / "site" / "briefings" / "quiet-week.html").read_text()


def test_template_code_in_content_is_printed_as_written(tmp_path, run):
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING.replace(
        '"Quiet Week in Almaty"', '"{{ 7*7 }} and {% raw %}"').replace(
        "A short test briefing.", "'{{ site.title }}'")})
    assert build(run, content, tmp_path / "site").code == 0
    page = parse(tmp_path / "site" / "briefings" / "quiet-week.html")
    assert page.h1.get_text() == "{{ 7*7 }} and {% raw %}"
    assert "49" not in page.h1.get_text()
    home = parse(tmp_path / "site" / "index.html")
    assert home.select_one(".summary").get_text() == "{{ site.title }}"


@pytest.mark.parametrize(("text", "slug"), [
    ("Елбасы", "elbasy"), ("Qantar 2022", "qantar-2022"), ("Tokayev’s “New Kazakhstan”",
                                                            "tokayevs-new-kazakhstan"),
    ("Ұлттық қауіпсіздік комитеті", "ulttyq-qauipsizdik-komiteti"), ("../../etc/passwd",
                                                                     "etc-passwd"),
    ("C:\\Windows\\con", "c-windows-con"), ("a\x00b", "a-b"), ("x" * 200, "x" * 80),
])
def test_slugs_are_ascii_and_safe(text, slug):
    assert slugify(text) == slug
    assert is_slug(slug)


@pytest.mark.parametrize("bad", ["../x", "/etc", "a/b", "a\\b", "con", "NUL", "lpt1", "a--b",
                                 "-a", "x" * 81, "a\x00", "Élan", ""])
def test_unsafe_slugs_are_refused(bad):
    assert not is_slug(bad)


def test_a_file_linking_outside_the_content_folder_is_refused(tmp_path, run):
    content = make_content(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\ndate: 2022\n---\n\nPrivate.\n")
    (content / "briefings" / "linked.md").symlink_to(secret)
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 1
    assert f"{content}/briefings/linked.md: error: the file links to {secret}, outside the " \
        "content folder" in result.err


def test_a_link_inside_the_content_folder_is_fine(tmp_path, run):
    content = make_content(tmp_path)
    (content / "drafts").mkdir()
    (content / "drafts" / "b.md").write_text("---\ntitle: B\ndate: 2022\n---\n\nText.\n")
    (content / "briefings" / "b.md").symlink_to(content / "drafts" / "b.md")
    assert run("check", "--content", content, "--templates", TEMPLATES).code == 0


def test_a_remembered_link_pointed_outside_is_refused_though_its_bytes_are_the_same(
        tmp_path, run):
    # The cache remembers loaded files by path and bytes: where a link leads is part of it.
    content = make_content(tmp_path)
    text = "---\ntitle: B\ndate: 2022\n---\n\nText.\n"
    (content / "drafts").mkdir()
    (content / "drafts" / "b.md").write_text(text)
    (tmp_path / "outside.md").write_text(text)
    link = content / "briefings" / "b.md"
    link.symlink_to(content / "drafts" / "b.md")
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    link.unlink()
    link.symlink_to(tmp_path / "outside.md")
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code == 1
    assert "the file links to" in result.err and "outside the content folder" in result.err


def test_an_edit_behind_a_linked_template_folder_is_built(tmp_path, run):
    # Jinja follows links to folders; so must the check for "nothing changed".
    import shutil

    content = make_content(tmp_path)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    shared = tmp_path / "shared-partials"
    shutil.move(templates / "partials", shared)
    (templates / "partials").symlink_to(shared)
    out = tmp_path / "site"
    args = ("build", "--content", content, "--templates", templates, "--out", out)
    assert run(*args).code == 0
    byline = shared / "byline.html"
    byline.write_text("<span>EDITED BYLINE</span>" + byline.read_text())
    result = run(*args)
    assert result.code == 0 and not result.out.startswith("Nothing changed")
    assert "EDITED BYLINE" in (out / "index.html").read_text()


@pytest.mark.parametrize("where", ["root", "home", "cwd", "content", "inside-content",
                                   "project", "above-project", "templates"])
def test_output_folders_that_would_destroy_something_are_refused(where, tmp_path, run,
                                                                 monkeypatch):
    project = tmp_path / "project"
    content = make_content(project)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    out = {"root": Path("/"), "home": tmp_path / "home", "cwd": Path("."),
           "content": content, "inside-content": content / "site", "project": project,
           "above-project": tmp_path, "templates": TEMPLATES}[where]
    before = snapshot(tmp_path / "project")
    result = build(run, content, out)
    assert result.code == 1
    assert "error: " in result.err and ("refusing" in result.err or "inside" in result.err)
    assert snapshot(tmp_path / "project") == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_failing_disk_leaves_the_old_site(code, tmp_path, run, monkeypatch):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert build(run, content, out).code == 0
    before = snapshot(out)
    written = []
    real_write = write._write_new

    def failing_write(target, data):
        if len(written) >= 1:  # the first page with new bytes fails to be written
            raise OSError(code, os.strerror(code), target)
        written.append(target)
        return real_write(target, data)

    monkeypatch.setattr(write, "_write_new", failing_write)
    (content / "briefings" / "quiet-week.md").write_text(BRIEFING + "\nNew text.\n")
    result = build(run, content, out)
    assert result.code == 1
    assert f"cannot write the site to {out}: {os.strerror(code)}" in result.err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".cache", ".site.lock", "content", "site"]


def test_a_site_moved_aside_by_an_interrupted_swap_is_put_back(tmp_path, run):
    # Without renameat2 the swap takes two renames; a kill between them leaves the old site
    # beside the output folder. The next build must find it, not lose it.
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert build(run, content, out).code == 0
    out.rename(tmp_path / ".site.old-4242")
    (tmp_path / ".site.tmp-abandoned").mkdir()
    assert build(run, content, out).code == 0
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".cache", ".site.lock", "content", "site"]


def test_yaml_control_characters_are_named_with_their_line(tmp_path, run):
    content = make_content(tmp_path, {"site.yml": "title: T\ndescription: bell \x07 here\n"})
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 1
    assert f"{content}/site.yml:2: error: the text contains the control character U+0007" \
        in result.err


def test_tabs_for_indentation_are_accepted(tmp_path, run):
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING.replace(
        "  - name: Ann Analyst\n    affiliation: Test Institute",
        "\t- name: Ann Analyst\n\t  affiliation: Test Institute")})
    result = build(run, content, tmp_path / "site")
    assert result.code == 0, result.err
    assert "Ann Analyst" in (tmp_path / "site" / "briefings" / "quiet-week.html").read_text()


def test_compiled_templates_planted_in_the_cache_are_never_run(tmp_path, run):
    """Jinja's bytecode cache is marshalled code: a planted entry for each template (with the
    checksum of its real source, as a restored CI cache could hold) must not run."""
    import jinja2
    import jinja2.bccache

    content = make_content(tmp_path)
    cache = tmp_path / "cache"
    marker = tmp_path / "planted"
    payload = compile(f"open({str(marker)!r}, 'w').close()", "<planted>", "exec")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
    for folder in (cache, cache / "templates"):
        folder.mkdir(parents=True, exist_ok=True)
        store = jinja2.FileSystemBytecodeCache(str(folder))
        for name in env.list_templates():
            source, filename, _ = env.loader.get_source(env, name)
            bucket = store.get_bucket(env, name, filename, source)
            bucket.code = payload
            store.set_bucket(bucket)
    for _ in range(2):  # with the planted cache, and again after a build has written it
        result = run("build", "--content", content, "--templates", TEMPLATES,
                     "--out", tmp_path / "site", "--cache", cache)
        assert result.code == 0, result.err
        assert not marker.exists()


AUTHOR_IDS = """

## Main

## P3

## Cite APA

<p id="p2">An author's own paragraph two.</p>

<div id="terms-here">An author's terms.</div>

A paragraph with its own id. {#cite-this}
"""


def test_the_page_s_own_ids_win_over_an_author_s(tmp_path, run):
    """Headings and raw HTML that would take the ids of the page's own parts (its main
    element, its paragraphs, its citation block) are renamed: every id is unique, and each
    of the page's own is where it belongs."""
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING + AUTHOR_IDS})
    out = tmp_path / "site"
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code == 0, result.err
    page = parse(out / "briefings" / "quiet-week.html")
    ids = [element["id"] for element in page.select("[id]")]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert page.find(id="main").name == "main"
    assert page.find(id="p3").select_one("a.pilcrow")["href"] == "#p3"
    assert page.find(id="p2").select_one("a.pilcrow")["href"] == "#p2"
    assert page.find(id="cite-apa").find_parent("section")["aria-labelledby"] == "cite-this"
    assert page.find(id="cite-this").name == "h2"
    assert page.find(id="terms-here").name != "div"
    assert {"main_", "p3_", "cite-apa_", "p2_", "terms-here_"} <= set(ids)


def test_every_literal_id_of_the_templates_is_known_to_the_cleaner():
    import re

    from briefing_site.sanitize import _PAGE_ID, PAGE_IDS

    for template in TEMPLATES.rglob("*.html"):
        for found in re.findall(r'\bid="([^"{]+)"', template.read_text(encoding="utf-8")):
            assert found in PAGE_IDS or _PAGE_ID.fullmatch(found), (template.name, found)


@pytest.mark.parametrize("address", ["javascript:alert(1)", " JavaScript:alert(1)",
                                     "java\tscript:alert(1)", "data:text/html,<b>x</b>",
                                     "vbscript:x"])
def test_cite_addresses_that_could_run_code_are_removed(address, tmp_path, run):
    body = (f'\n<blockquote cite="{address}">Quoted.</blockquote>\n\n'
            f'<p>A <q cite="{address}">short quote</q> and '
            f'<del cite="{address}">a deletion</del>.</p>\n'
            '\n<blockquote cite="https://example.org/source">Kept.</blockquote>\n')
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING + body})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    cites = [element["cite"] for element in page.select("[cite]")]
    assert cites == ["https://example.org/source"]


def _build_in_process_of_its_own(content: Path, out: Path, *extra: str):
    """A build in a process of its own, given a minute: a build that hangs fails the test
    instead of hanging the suite."""
    import subprocess
    import sys

    from tests.conftest import REPO

    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--content",
                           str(content), "--templates", str(TEMPLATES), "--out", str(out),
                           *extra], capture_output=True, text=True, timeout=60)


def test_fifos_in_the_content_the_cache_or_the_previous_site_never_hang_a_build(tmp_path):
    content = make_content(tmp_path)
    out, cache = tmp_path / "site", tmp_path / "cache"
    assert _build_in_process_of_its_own(content, out, "--cache", cache).returncode == 0
    for fifo in (cache / "state.json", cache / "records.pickle", out / "index.html"):
        fifo.unlink()
        os.mkfifo(fifo)
    briefing = content / "briefings" / "quiet-week.md"
    briefing.write_text(briefing.read_text().replace("Quiet Week", "Other Week"))
    result = _build_in_process_of_its_own(content, out, "--cache", cache)
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file() and b"Other" in (out / "index.html").read_bytes()
    os.mkfifo(content / "briefings" / "a-fifo.md")  # not a briefing, as for the walk
    for cached in (True, False):
        result = _build_in_process_of_its_own(content, out, *(
            ("--cache", str(cache)) if cached else ("--no-cache",)))
        assert result.returncode == 0, result.stderr
        assert not (out / "briefings" / "a-fifo.html").exists()
    (content / "glossary.yml").unlink()
    os.mkfifo(content / "glossary.yml")
    result = _build_in_process_of_its_own(content, out, "--cache", cache)
    assert result.returncode == 1  # as if there were no glossary: its terms are unknown
    assert "unknown glossary id 'csto'" in result.stderr


def test_a_lock_file_planted_as_a_link_is_refused_not_followed(tmp_path, run):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    target = tmp_path / "elsewhere" / "created-by-the-build"
    target.parent.mkdir()
    (tmp_path / ".site.lock").symlink_to(target)
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code != 0
    assert ".site.lock is not the lock file a build makes" in result.err
    assert not target.exists() and not out.exists()


@pytest.mark.parametrize("html", [
    '<a href="java&#1;script:alert(1)">x</a>', '<a href="JaVa&#x7f;ScRiPt:alert(1)">x</a>',
    '<img src="java&#xfffe;script:alert(1)" alt="">',
    '<blockquote cite="java&#1;script:alert(1)">q</blockquote>'])
def test_characters_dropped_by_cleaning_cannot_join_an_address_into_a_scheme(html, tmp_path,
                                                                            run):
    """nh3 checks an address's scheme with the character in it (so, a relative address);
    the character is then dropped, which would have made ``javascript:`` of it."""
    content = make_content(tmp_path, {"briefings/quiet-week.md": BRIEFING + "\n" + html + "\n"})
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    page = parse(out / "briefings" / "quiet-week.html")
    for element in page.select("[href], [src], [cite]"):
        for name in ("href", "src", "cite"):
            address = "".join(element.get(name, "").split()).lower()
            assert not address.startswith("javascript:"), element


def test_the_build_s_own_marks_cannot_be_forged(tmp_path, run):
    from briefing_site.sanitize import clean_html

    # Typed as characters or as references, they are refused where content is read...
    for text in ("\ue002", "&#xE002;", "&#57344;", "&#xe001;"):
        content = make_content(tmp_path / repr(text), {
            "briefings/quiet-week.md": BRIEFING + f'\n<p id="{text}p3">forged</p>\n'})
        result = run("build", "--content", content, "--templates", TEMPLATES,
                     "--out", tmp_path / repr(text) / "site")
        assert result.code == 1 and "keeps for its own marks" in result.err, text
    # ...and the cleaner keeps them only where the build puts them.
    assert clean_html('<a href="\ue000tip:t\ue001">x</a>') == "<a>x</a>"
    assert clean_html('<span id="\ue002main">x</span>') == '<span id="main_">x</span>'
    assert clean_html('<p title="\ue002a\ue000b">x</p>') == '<p title="ab">x</p>'


def test_a_journal_the_build_did_not_write_is_ignored(tmp_path, run):
    """A planted journal of an update in place could name any folder to remove, and any
    place to move files to: it is dropped unread."""
    import json

    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    for planted in ({"staged": "../victim", "files": ["index.html"]},
                    {"staged": ".briefing-site.tmp-x", "files": ["../../victim/keep.txt"]},
                    "not json at all", {"staged": 3}):
        (out / ".briefing-site.journal").write_text(
            planted if isinstance(planted, str) else json.dumps(planted))
        result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
        assert result.code == 0, result.err
        assert (victim / "keep.txt").read_text() == "mine"
        assert not (out / ".briefing-site.journal").exists()


LONG_NUMBER = "1" * 5000


@pytest.mark.parametrize(("name", "text", "line"), [
    ("briefings/quiet-week.md", BRIEFING.replace('"Quiet Week in Almaty"', LONG_NUMBER), 2),
    ("briefings/quiet-week.md", BRIEFING.replace("2022-01-05", LONG_NUMBER), 3),
    ("glossary.yml", GLOSSARY.replace("id: knb", f"id: {LONG_NUMBER}"), 5),
    # Fewer digits, but hexadecimal: a number Python could read but not write as text.
    ("timeline.yml", f"- date: 0x{'f' * 4000}\n  title: T\n  description: D\n", 1),
])
def test_a_number_too_long_for_python_is_an_error_at_its_line(name, text, line, tmp_path,
                                                               run):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert build(run, content, out).code == 0
    before = snapshot(out)
    (content / name).write_text(text)
    result = build(run, content, out)
    assert result.code == 1
    assert f"{content}/{name}:{line}:" in result.err
    assert "is too large to read: a whole number may have at most 4,300 digits (put it in " \
        "quotes to keep it as text)" in result.err
    assert "Traceback" not in result.err and snapshot(out) == before
