"""Markdown that Python-Markdown would take minutes over, or recurse on until Python gives up,
is refused with its file and line before any of it is converted (see briefing_site/limits.py).
"""

from __future__ import annotations

import inspect
import sys

import pytest

from briefing_site.convert import convert_bodies
from briefing_site.errors import BuildFailed, SourceRef
from briefing_site.limits import MAX_DEPTH, check_markdown
from briefing_site.load import load_site
from tests.conftest import BRIEFING, GLOSSARY, TEMPLATES, make_content

HEAD, _, _ = BRIEFING.partition("\nThe CSTO")  # the front matter and the blank line after it
BODY_LINE = HEAD.count("\n") + 1  # the body's first line: the one after the front matter

# What the hardening round found, each a few kilobytes: minutes to convert, or a traceback.
# (Nesting is reported at the first line too deep; the rest where the paragraph starts.)
TOO_DEEP_AT = {"nested quotes": MAX_DEPTH, "indented list": MAX_DEPTH}
HOSTILE = {
    "brackets": "[" * 10_000,
    "footnote brackets": "[^" * 5_000,
    "image brackets": "![" * 5_000,
    "bracketed words": "[x" * 5_000,
    "abbreviations": "".join(f"*[AB{n}]: thing {n}\n" for n in range(5_000)) + "\nAB1.",
    "nested quotes": "\n".join(">" * level + " x" for level in range(1, 3_000)),
    "markers on one line": "- " * 600 + "x",
    "emphasis": "*a " * 1_000 + "x" + "*" * 1_000,
    "indented list": "\n".join("    " * level + "- x" for level in range(250)),
    # A quoted paragraph is one text however many lines it has.
    "quoted brackets": "\n".join(["> " + "[" * 199] * 20),
    "nested html": '<div markdown="1">' * 400 + "x" + "</div>" * 400,
}


def _build(run, tmp_path, body: str):
    content = make_content(tmp_path, {"briefings/quiet-week.md": f"{HEAD}\nFine.\n\n{body}\n"})
    out = tmp_path / "site"
    return run("build", "--content", content, "--templates", TEMPLATES, "--out", out), out


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_markdown_is_refused_at_its_line_and_never_converted(kind, tmp_path, run):
    result, out = _build(run, tmp_path, HOSTILE[kind])
    assert result.code == 1
    assert "Traceback" not in result.err
    # The body's fourth line is where the hostile text begins (after a blank, "Fine.", a blank).
    line = BODY_LINE + 3 + TOO_DEEP_AT.get(kind, 0)
    assert f"quiet-week.md:{line}: error:" in result.err, result.err
    assert not out.exists()


def test_a_limit_names_what_is_too_much(tmp_path, run):
    result, _ = _build(run, tmp_path, "- " * 600 + "x")
    assert "nests 600 levels deep" in result.err and f"at most {MAX_DEPTH}" in result.err
    result, _ = _build(run, tmp_path, "[" * 10_000)
    assert "more than 200 '['" in result.err


def test_markdown_fields_are_held_to_the_same_limits(tmp_path, run):
    glossary = GLOSSARY.replace("definition: A security service.",
                                "definition: \"" + "[" * 5_000 + "\"")
    content = make_content(tmp_path, {"glossary.yml": glossary})
    result = run("build", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site")
    line = glossary.splitlines().index("  definition: \"" + "[" * 5_000 + "\"") + 1
    assert result.code == 1
    assert f"glossary.yml:{line}: error: 'definition' has more than 200 '['" in result.err


def test_what_real_briefings_hold_stays_within_the_limits():
    # Escaped brackets, rules, fenced code and deep-but-sane nesting are not counted against
    # a briefing, and a paragraph of a hundred links is fine.
    links = " ".join(f"[source {n}](https://example.org/a_b/{n})" for n in range(100))
    text = "\n\n".join([
        links, "\\[" * 500, "*" * 300, "```\n" + "[" * 500 + "\n```",
        "\n".join("    " * level + "- item" for level in range(MAX_DEPTH)),
        "> > > quoted *three* levels deep",
    ])
    assert check_markdown(text, SourceRef("x.md")) == []


def test_a_body_too_deep_for_the_stack_is_a_content_error_not_a_traceback(tmp_path):
    """The net under the limits: should a body pass them and still exhaust Python's stack
    (here made small), the build names the briefing instead of crashing."""
    body = "\n".join("    " * level + "- x" for level in range(MAX_DEPTH))
    content = make_content(tmp_path, {"briefings/quiet-week.md": f"{HEAD}\n{body}\n"})
    site = load_site(content).site
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)
    try:
        with pytest.raises(BuildFailed) as failed:
            convert_bodies(site.briefings, (), site.config)
    finally:
        sys.setrecursionlimit(limit)
    (problem,) = failed.value.diagnostics
    assert str(problem).startswith(f"{content / 'briefings' / 'quiet-week.md'}:{BODY_LINE}:")
    assert "nests too deeply" in str(problem)
