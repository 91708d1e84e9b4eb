"""Content that tries to break out of its field: in the reference files (BibTeX, RIS,
CSL-JSON) and robots.txt. Each reference file holds one record whose fields say what the
content says; addresses and language codes that could end their field are refused with file
and line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import pytest
import rispy

from briefing_site.cli import main
from tests.conftest import BRIEFING, TEMPLATES, TIMELINE, build, make_content, refused


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


PASSWD = r'\input{/etc/passwd}'
# What each hostile value is in the front matter (YAML, double-quoted, escapes and all), and
# the text it stands for once read.
HOSTILE_TITLE = (r'"Quiet} @preamble{\"\\input{/etc/passwd}\"} @misc{x, title={\nUR  - '
                 r'javascript:alert(1)\nER  - \nTY  - JOUR\nTI  - Forged"')
TITLE = ('Quiet} @preamble{"' + PASSWD + '"} @misc{x, title={\nUR  - javascript:alert(1)\n'
         'ER  - \nTY  - JOUR\nTI  - Forged')
HOSTILE_NAME = r'"Ann } Analyst \\input{/etc/passwd}\nAU  - Mallory"'
NAME = "Ann } Analyst " + PASSWD + "\nAU  - Mallory"
HOSTILE_FIELDS = (
    f"title: {HOSTILE_TITLE}\n"
    f'publication: "Outlet}}}}\\nPB  - Forged"\n'
    f'summary: "A \\\\ backslash, {{ a brace, 100% & $5 #1 a_b ~ ^\\n\\nAB  - Forged"\n'
    f'tags: ["a}}b", "c\\nKW  - forged"]\n'
)


def hostile_briefing() -> str:
    return BRIEFING.replace('title: "Quiet Week in Almaty"\n', HOSTILE_FIELDS).replace(
        "summary: A short test briefing.\n", "").replace(
        "  - name: Ann Analyst\n", f"  - name: {HOSTILE_NAME}\n")


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """A site whose one briefing fills every exported field with text that tries to end it."""
    root = tmp_path_factory.mktemp("exported")
    content = make_content(root, {"briefings/quiet-week.md": hostile_briefing()})
    out = root / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(out), "--no-cache", "--base-url", "https://example.org/b/"]) == 0
    return out / "briefings"


# The commands the BibTeX writer makes of content's markup characters, back to the text.
TEX = {r"\textbackslash{}": "\\", r"\textbraceleft{}": "{", r"\textbraceright{}": "}",
       r"\textasciitilde{}": "~", r"\textasciicircum{}": "^", r"\&": "&", r"\%": "%", r"\$": "$",
       r"\#": "#", r"\_": "_"}


def untex(value: str) -> str:
    return re.sub("|".join(re.escape(command) for command in TEX), lambda m: TEX[m.group()],
                  value)


def test_no_text_can_end_the_bibtex_entry_or_run_tex(exported):
    bib = (exported / "quiet-week.bib").read_text()
    # BibTeX and biber count every brace, escaped or not: the entry must close at the very
    # end of the file, and nothing in it may open or close a field of its own.
    depth, closed_at = 0, None
    for position, char in enumerate(bib):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, bib[:position + 1]
        if depth == 0 and char == "}":
            closed_at = position
            break
    assert closed_at == len(bib.rstrip()) - 1, bib
    # Every backslash starts one of the writer's own commands: no \input survives.
    commands = re.findall(r"\\(?:[A-Za-z]+\{\}|[&%$#_])", bib)
    assert len(commands) == bib.count("\\"), bib
    assert "\\input" not in bib

    library = bibtexparser.parse_string(bib)
    assert library.failed_blocks == [] and len(library.blocks) == 1
    [entry] = library.entries
    assert entry.key == "mallory2022quiet" and entry.entry_type == "online"
    # The fields say what the content says, whitespace aside.
    assert untex(entry["title"]) == "{" + one_line(TITLE) + "}"
    assert untex(entry["author"]) == _inverted(NAME)
    assert untex(entry["journaltitle"]) == untex(entry["booktitle"]) == "Outlet}} PB - Forged"
    assert untex(entry["abstract"]) == "A \\ backslash, { a brace, 100% & $5 #1 a_b ~ ^ AB - Forged"
    assert untex(entry["keywords"]) == "a}b, c KW - forged"
    assert entry["url"] == "https://example.org/b/briefings/quiet-week.html"


def _inverted(name: str) -> str:
    """The name as the writer inverts it: the last word first."""
    *given, family = name.split()
    return f"{family}, {' '.join(given)}"


def test_a_line_break_cannot_forge_an_ris_tag_or_record(exported):
    ris = (exported / "quiet-week.ris").read_bytes().decode("utf-8")
    lines = ris.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1]), ris
    assert [line[:2] for line in lines[:-1]].count("TY") == 1
    assert "\n" not in ris.replace("\r\n", "")

    [record] = rispy.loads(ris)
    assert record["title"] == one_line(TITLE)
    assert record["authors"] == [_inverted(NAME)]
    assert record["secondary_title"] == "Outlet}} PB - Forged"
    assert record["keywords"] == ["a}b", "c KW - forged"]
    assert record["urls"] == ["https://example.org/b/briefings/quiet-week.html"]
    assert "javascript" not in " ".join(record.get("urls", []))


def test_csl_json_holds_the_text_exactly(exported):
    [item] = json.loads((exported / "quiet-week.json").read_text())
    assert item["title"] == TITLE
    assert item["author"] == [{"family": "Mallory", "given": " ".join(NAME.split()[:-1])}]
    assert item["keyword"] == "a}b, c\nKW  - forged"
