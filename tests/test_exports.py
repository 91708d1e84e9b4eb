"""Content that tries to break out of its field: in the reference files (BibTeX, RIS,
CSL-JSON) and robots.txt. Each reference file holds one record whose fields say what the
content says; addresses and language codes that could end their field are refused with file
and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing_site.cli import main
from tests.conftest import BRIEFING, TEMPLATES, TIMELINE, make_content, snapshot


def build(run, content: Path, out: Path, *more: str):
    return run("build", "--content", content, "--templates", TEMPLATES, "--out", out, *more)


@pytest.fixture
def published(tmp_path, run):
    """A good site, built once: (content folder, output folder, snapshot of the output)."""
    content = make_content(tmp_path)
    out = tmp_path / "site"
    assert build(run, content, out).code == 0
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


@pytest.mark.parametrize(("written", "named"), [
    (" ", "a space"), (r"\n", "a line break"), (r"\t", "a tab"), (r"\"", "'\"'"),
    ("'", '"\'"'), ("<", "'<'"), (">", "'>'"), ("{", "'{'"), ("}", "'}'"),
    (r"\\", r"'\\'"), ("`", "'`'"), (r"\u00A0", "the character U+00A0"),
])
def test_addresses_that_could_end_their_field_are_refused(written, named, run, published):
    # ``written`` is the character as it stands inside double quotes in YAML.
    url = f'"https://example.org/a{written}b"'
    for where, files in [
        ("briefings/quiet-week.md:7", {"briefings/quiet-week.md": BRIEFING.replace(
            "summary:", f"original_url: {url}\nsummary:")}),
        ("timeline.yml:5", {"timeline.yml": TIMELINE.replace(
            "  locator:", f"  sources: [{url}]\n  locator:")}),
        ("site.yml:4", {"site.yml": f"title: T\nlanguage: en\n\nbase_url: {url}\n"}),
    ]:
        err = refused(run, published, files, where, "")
        assert f"is not a web address: it contains {named}" in err, err


def test_a_line_break_in_base_url_cannot_add_a_line_to_robots_txt(run, published):
    err = refused(run, published, {"site.yml": 'title: T\nbase_url: "https://example.org/\\n'
                                               'Disallow: /"\n'}, "site.yml:2",
                  "'https://example.org/\\nDisallow: /' in 'base_url' is not a web address: "
                  "it contains a line break (write it as %0A)")
    assert err.rstrip().endswith("Build failed: 1 error. The previous site was left as it was.")


def test_base_url_on_the_command_line_is_refused_with_a_message(tmp_path, capsys):
    content = make_content(tmp_path)
    out = tmp_path / "site"
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--content", str(content), "--templates", str(TEMPLATES),
              "--out", str(out), "--base-url", "https://example.org/\nDisallow: /"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --base-url: 'https://example.org/\\nDisallow: /' is not a web " \
        "address: it contains a line break (write it as %0A)" in err
    assert "Traceback" not in err and not out.exists()


def test_the_pipeline_refuses_such_a_base_url_from_any_caller(tmp_path):
    from briefing_site.errors import BuildFailed
    from briefing_site.options import Options
    from briefing_site.pipeline import build_site

    content = make_content(tmp_path)
    with pytest.raises(BuildFailed) as failed:
        build_site(content, TEMPLATES, Options(base_url="https://example.org/}"))
    assert [str(d) for d in failed.value.diagnostics] == [
        "error: the base URL 'https://example.org/}' is not a web address: it contains '}' "
        "(write it as %7D)"]


@pytest.mark.parametrize("file", ["briefings/quiet-week.md", "site.yml"])
def test_a_language_that_is_not_a_code_is_refused(file, run, published):
    value = '"en}, note={\\\\input{/etc/passwd}"'
    if file == "site.yml":
        files, where = {"site.yml": f"title: T\nlanguage: {value}\n"}, "site.yml:2"
    else:
        files = {file: BRIEFING.replace("summary:", f"language: {value}\nsummary:")}
        where = f"{file}:7"
    refused(run, published, files, where,
            "'language' 'en}, note={\\\\input{/etc/passwd}' is not a language code (a code "
            "such as en, ru, kk or en-GB)")


def test_language_codes_as_bcp_47_writes_them_are_accepted(tmp_path, run):
    content = make_content(tmp_path, {
        "site.yml": "title: T\nlanguage: zh-Hant-TW\n",
        "briefings/quiet-week.md": BRIEFING.replace("summary:", "language: kk\nsummary:")})
    assert build(run, content, tmp_path / "site").code == 0
    assert '<html lang="zh-Hant-TW"' in (tmp_path / "site" / "index.html").read_text()
