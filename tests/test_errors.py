"""Every content mistake: its message (file and line), exit code 1, and the old site untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BRIEFING, GLOSSARY, TEMPLATES, TIMELINE, make_content, snapshot

TWO_TERMS_SAME_ALIAS = GLOSSARY + """\
- id: csto-bis
  term: Tashkent Treaty
  aliases: [CSTO]
  kind: organisation
  definition: Another name.
"""

CASES = {
    "yaml syntax": (
        {"glossary.yml": GLOSSARY.replace("kind: title", "kind: [title")},
        "glossary.yml:12:13:", "invalid YAML"),
    "missing title": (
        {"briefings/quiet-week.md": BRIEFING.replace('title: "Quiet Week in Almaty"\n', "")},
        "briefings/quiet-week.md:2:", "the front matter has no 'title'"),
    "empty title": (
        {"briefings/quiet-week.md": BRIEFING.replace('"Quiet Week in Almaty"', '""')},
        "briefings/quiet-week.md:2:", "'title' is empty"),
    "bad date": (
        {"timeline.yml": TIMELINE.replace("2019-03", "2019-13-45")},
        "timeline.yml:9:", "bad 'date': '2019-13-45' has no month 13"),
    "date that is a number": (
        {"briefings/quiet-week.md": BRIEFING.replace("date: 2022-01-05", "date: 5")},
        "briefings/quiet-week.md:3:", "bad 'date': 5 is not a date"),
    "unknown glossary id": (
        {"timeline.yml": TIMELINE.replace("terms: [csto]", "terms: [cstoo]")},
        "timeline.yml:1:", "refers to unknown glossary id 'cstoo' (did you mean 'csto'?)"),
    "locator not found": (
        {"timeline.yml": TIMELINE.replace("met in Almaty today", "met in Paris")},
        "timeline.yml:1:", "the quote 'met in Paris' matches no paragraph"),
    "locator ambiguous": (
        {"timeline.yml": TIMELINE.replace("met in Almaty today", "CSTO")},
        "timeline.yml:1:",
        "the quote 'CSTO' matches 3 paragraphs (quiet-week ¶1, quiet-week ¶2, quiet-week ¶3)"),
    "duplicate slug": (
        {"briefings/another.md": BRIEFING.replace("title:", "slug: quiet-week\ntitle:")},
        "briefings/quiet-week.md:1:", "duplicate briefing slug 'quiet-week'"),
    "duplicate glossary id": (
        {"glossary.yml": GLOSSARY + "- id: knb\n  term: KNB2\n  kind: title\n  definition: x\n"},
        "glossary.yml:13:", "duplicate glossary id 'knb'"),
    "alias claimed twice": (
        {"glossary.yml": TWO_TERMS_SAME_ALIAS},
        "glossary.yml:13:", "'CSTO' is claimed by two glossary terms, 'csto' and 'csto-bis'"),
    "unknown field": (
        {"briefings/quiet-week.md": BRIEFING.replace("summary:", "sumary:")},
        "briefings/quiet-week.md:7:", "unknown field 'sumary' in the front matter (did you mean"),
    "front matter not a mapping": (
        {"briefings/quiet-week.md": "---\n- just\n- a list\n---\n\nBody.\n"},
        "briefings/quiet-week.md:2:", "the front matter must be a mapping"),
    "no body": (
        {"briefings/quiet-week.md": "---\ntitle: T\ndate: 2022\n---\n\n"},
        "briefings/quiet-week.md:5:", "the briefing has no text"),
    "empty file": (
        {"briefings/quiet-week.md": ""},
        "briefings/quiet-week.md:", "the file is empty"),
    "missing site settings": (
        {"site.yml": None},
        "site.yml:", "site settings not found"),
    "orcid with a wrong check digit": (
        {"briefings/quiet-week.md": BRIEFING.replace(
            "Test Institute\n", "Test Institute\n    orcid: 0000-0002-1825-0098\n")},
        "briefings/quiet-week.md:7:",
        "'orcid' 0000-0002-1825-0098 fails its checksum: the last character should be 7 "
        "(copy the iD from the author's record at orcid.org)"),
    "orcid that is no iD": (
        {"briefings/quiet-week.md": BRIEFING.replace(
            "Test Institute\n", "Test Institute\n    orcid: https://orcid.org/1825-0097\n")},
        "briefings/quiet-week.md:7:", "'orcid' '1825-0097' is not an ORCID iD"),
    "doi of the wrong shape": (
        {"briefings/quiet-week.md": BRIEFING.replace("summary:", "doi: 10.12/abc\nsummary:")},
        "briefings/quiet-week.md:7:", "'doi' '10.12/abc' is not a DOI"),
    "duplicate doi": (
        {"briefings/quiet-week.md": BRIEFING.replace("summary:", "doi: 10.1234/A\nsummary:"),
         "briefings/another.md": "---\ntitle: Another\ndate: 2022\ndoi: doi:10.1234/a\n---\n\n"
                                 "Other text.\n"},
        "briefings/quiet-week.md:1:", "duplicate DOI '10.1234/a' (already used at "),
    "licence not in the SPDX list": (
        {"briefings/quiet-week.md": BRIEFING.replace("summary:", "license: CC-BY-5.0\nsummary:")},
        "briefings/quiet-week.md:7:", "'license' 'CC-BY-5.0' is not an SPDX licence identifier"),
    "updated before the date": (
        {"briefings/quiet-week.md": BRIEFING.replace("summary:", "updated: 2021-12\nsummary:")},
        "briefings/quiet-week.md:7:",
        "'updated' (2021-12) is before the briefing's date (2022-01-05)"),
    "correction without a note": (
        {"briefings/quiet-week.md": BRIEFING.replace(
            "summary:", "corrections:\n  - date: 2022-02-01\nsummary:")},
        "briefings/quiet-week.md:8:", "a correction has no 'note'"),
    "series without a title": (
        {"briefings/quiet-week.md": BRIEFING.replace("summary:", "series: {number: 3}\nsummary:")},
        "briefings/quiet-week.md:7:", "'series' has no 'title'"),
    "end before start": (
        {"timeline.yml": TIMELINE.replace("date: 2006\n", "date: 2006\n  end: 2005\n")},
        "timeline.yml:7:", "'end' (2005) is not after 'date' (2006)"),
}


def test_all_errors_are_reported_together_sorted_by_file_and_line(tmp_path, run):
    content = make_content(tmp_path, {
        "timeline.yml": TIMELINE.replace("2019-03", "2019-13").replace("2006", "someday"),
        "briefings/quiet-week.md": BRIEFING.replace("date: 2022-01-05", "date: soon"),
    })
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert errors == sorted(errors, key=lambda e: (e.split(":")[0], int(e.split(":")[1])))
    assert "Build failed: 3 errors." in result.err


def _templates_with(tmp_path: Path, article_change: tuple[str, str]) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    article = templates / "article.html"
    old, new = article_change
    text = article.read_text()
    assert old in text
    article.write_text(text.replace(old, new, 1))
    return templates


@pytest.mark.parametrize(("change", "message"), [
    (("{% block main %}", "{% block main %}{% if %}"), "template error: Expected an expression"),
    (("<h1>{{ b.title }}</h1>", "<h1>{{ b.no_such_field }}</h1>"),
     "template error: 'briefing_site.model.Briefing object' has no attribute 'no_such_field'"),
    (("<h1>{{ b.title }}</h1>", "<h1>{{ undefined_name }}</h1>"),
     "template error: 'undefined_name' is undefined"),
])
def test_template_mistakes_name_the_template_and_line(change, message, tmp_path, run, published):
    content, out, before = published
    templates = _templates_with(tmp_path, change)
    line = next(n for n, text in enumerate((templates / "article.html").read_text().splitlines(), 1)
                if change[1] in text)
    result = run("build", "--content", content, "--templates", templates, "--out", out)
    assert result.code == 1
    assert f"{templates}/article.html:{line}: error: {message}" in result.err, result.err
    assert snapshot(out) == before


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path, run):
    content = make_content(tmp_path)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code == 1
    assert "not empty and was not made by briefing-site" in result.err
    assert (out / "thesis.docx").read_text() == "years of work"
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_an_empty_folder_or_its_own_output_may_be_replaced(tmp_path, run):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    out.mkdir()
    for _ in range(2):
        assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    assert (out / "index.html").is_file() and (out / ".briefing-site").is_file()


def test_leftovers_of_an_interrupted_build_are_cleaned(tmp_path, run, published):
    content, out, _ = published
    leftover = tmp_path / ".site.tmp-crashed"
    leftover.mkdir()
    (leftover / "index.html").write_text("half")
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out).code == 0
    assert not leftover.exists()


def test_hygiene_problems_are_warnings_unless_strict(tmp_path, run):
    content = make_content(tmp_path, {
        "glossary.yml": GLOSSARY + (
            "- id: unused\n  term: Unused\n  kind: concept\n  definition: x\n"),
        "briefings/quiet-week.md": BRIEFING + "\nThe LPG price rose.\n",
    })
    result = run("check", "--content", content, "--templates", TEMPLATES)
    assert result.code == 0
    assert f"{content}/glossary.yml:13: warning: the glossary term 'unused' is never mentioned" \
        in result.err
    assert f"{content}/briefings/quiet-week.md:18: warning: the abbreviation 'LPG' has no " \
        "glossary entry" in result.err
    strict = run("check", "--content", content, "--templates", TEMPLATES, "--strict")
    assert strict.code == 1
    assert ": error: the abbreviation 'LPG'" in strict.err


def test_known_abbreviations_are_not_reported(tmp_path, run):
    content = make_content(tmp_path, {
        "site.yml": "title: T\nknown_abbreviations: [LPG]\n",
        "briefings/quiet-week.md": BRIEFING + "\nThe LPG price rose.\n",
    })
    result = run("check", "--content", content, "--templates", TEMPLATES, "--strict")
    assert result.code == 0, result.err


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True))

MORE_CASES = {
    "title that is not text": (
        {"briefings/quiet-week.md": BRIEFING.replace('"Quiet Week in Almaty"', "[a, list]")},
        "briefings/quiet-week.md:2:", "'title' must be text, not a list"),
    "alias bomb": (
        {"site.yml": BOMB}, "site.yml:1:", "aliases (*name) expand to more than 1,000,000"),
    "javascript url": (
        {"timeline.yml": TIMELINE.replace("  description: They met.\n",
                                          "  description: They met.\n"
                                          "  sources: ['javascript:alert(1)']\n")},
        "timeline.yml:4:", "'javascript:alert(1)' in 'sources' is not a web address"),
    "reserved slug": (
        {"briefings/quiet-week.md": BRIEFING.replace("title:", "slug: con\ntitle:")},
        "briefings/quiet-week.md:2:", "'slug' 'con' is not usable in a URL"),
}
MORE_CASES.update({
    "front matter yaml syntax": (
        {"briefings/quiet-week.md": BRIEFING.replace('title: "Quiet Week in Almaty"',
                                                     "title: Quiet: Week")},
        "briefings/quiet-week.md:2:13:",
        "a value that contains ': ' must be in quotes, e.g. title: \"Crisis: A Study\""),
    "date in words": (
        {"briefings/quiet-week.md": BRIEFING.replace("date: 2022-01-05", "date: next week")},
        "briefings/quiet-week.md:3:", "bad 'date': 'next week' is not a date"),
    "impossible date": (
        {"briefings/quiet-week.md": BRIEFING.replace("date: 2022-01-05", "date: 2022-13-45")},
        "briefings/quiet-week.md:3:", "bad 'date': '2022-13-45' has no month 13"),
})
CASES.update(MORE_CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_content_mistakes_are_explained_and_leave_the_old_site(case, tmp_path, run, published):
    files, where, message = CASES[case]
    content, out, before = published
    shutil.rmtree(content)
    make_content(tmp_path, files)
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if where in line and message in line]
    assert lines, result.err
    assert lines[0].startswith(f"{content}/{where}")
    assert "Traceback" not in result.err
    # One mistake, one message: no knock-on errors (two where the mistake really has two
    # effects: a copied briefing also makes its quotes ambiguous; an empty body loses them).
    count = 2 if case in ("duplicate slug", "no body") else 1
    assert result.err.rstrip().endswith(
        f"Build failed: {count} error{'s' * (count > 1)}. The previous site was left as it was.")
    assert snapshot(out) == before
    # No half-written folder is left beside the site (the lock file stays, empty).
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".cache", ".site.lock", "content", "site"]


def test_a_file_that_is_not_utf8_leaves_the_old_site(tmp_path, run, published):
    content, out, before = published
    (content / "briefings" / "quiet-week.md").write_bytes(
        BRIEFING.encode("utf-8").replace(b"Nobody", b"Nob\xf6dy"))
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out)
    assert result.code == 1
    assert f"{content}/briefings/quiet-week.md:10: error: the file is not UTF-8 text (byte " \
        "0xf6) (save it as UTF-8)" in result.err
    assert snapshot(out) == before


def test_a_missing_template_is_named_where_it_is_used(tmp_path, run, published):
    content, out, before = published
    templates = _templates_with(tmp_path, ('{% extends "base.html" %}',
                                           '{% extends "layout.html" %}'))
    result = run("build", "--content", content, "--templates", templates, "--out", out)
    assert result.code == 1
    assert f"{templates}/article.html:1: error: template not found: layout.html (looked in " \
        f"{templates})" in result.err
    assert snapshot(out) == before


def test_a_file_name_with_a_line_break_cannot_forge_a_line_of_the_report(tmp_path, run):
    forged = "x\nforged:1: error: forged.md"
    content = make_content(tmp_path, {f"briefings/{forged}": "no front matter\n"})
    result = run("build", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site")
    assert result.code == 1
    assert not any(line.startswith("forged") for line in result.err.splitlines())
    assert "x\\nforged:1: error: forged.md" in result.err  # quoted, escapes shown
