"""Property tests: whatever an author writes, the build ends in a site or a clean error."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing_site.errors import BuildFailed
from briefing_site.load import BRIEFING_FIELDS
from briefing_site.pipeline import build_site
from tests.conftest import BRIEFING, TEMPLATES, assert_no_scripts, make_content

# PROPERTY_EXAMPLES=1000 for a longer hunt by hand; CI keeps the default.
SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=30), st.sampled_from(["2022", "2022-01-05", "2022-13-45",
                                                           "javascript:alert(1)", "../x"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
front_matter = st.dictionaries(
    st.one_of(st.sampled_from(BRIEFING_FIELDS), st.text(max_size=10)), values, max_size=10)

FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:x()'>j</a>",
    "<iframe src=//evil.example></iframe>", "<svg onload=alert(1)>", "<style>*{}</style>",
    "<div onclick='x()'>", "</div>", "<scr<script>ipt>", "&lt;script&gt;", "CSTO", "KNB",
    "the Elbasy", "**bold**", "*", "`code`", "[link](javascript:alert(1))", "![i](data:x)",
    "# Heading", "> quote", "- item", "1. item", "[^1]", "[^1]: note", "| a | b |\n|---|---|",
    "```", "---", "{: onclick=x }", "<!-- c -->", "\t", "\n\n", "\n", " ", "ǅ", "\u202e",
    "\x00", "{{ 7*7 }}", "{% if %}",
]
bodies = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=25).map("".join)


def build(files: dict[str, str]) -> dict[str, bytes] | None:
    """Build a fixture site with ``files`` replaced: its files, or None for a clean failure."""
    root = Path(tempfile.mkdtemp())
    try:
        content = make_content(root, files)
        try:
            return build_site(content, TEMPLATES).files
        except BuildFailed as failed:
            assert failed.diagnostics
            assert all(d.source is not None for d in failed.diagnostics)
            return None
    finally:
        shutil.rmtree(root)


@SETTINGS
@given(front_matter, bodies)
def test_any_front_matter_gives_a_site_or_a_clean_error(data, body):
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n\n" + body + "\n"
    files = build({"briefings/quiet-week.md": text})
    if files is not None:
        assert_no_scripts(files)


@SETTINGS
@given(bodies)
def test_any_markdown_with_html_gives_a_site_without_scripts(body):
    files = build({"briefings/quiet-week.md": BRIEFING + "\n" + body + "\n",
                   "timeline.yml": None})
    if "\x00" in body:  # no page or feed can hold it: a clean error (tests/test_characters.py)
        assert files is None
        return
    assert files is not None  # any other body, however odd, is never a content error
    assert_no_scripts(files)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_as_a_data_file_gives_a_site_or_a_clean_error(text):
    build({"glossary.yml": text})
    build({"site.yml": text})


@SETTINGS
@given(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
                 st.text(alphabet="ab ,.;:()?-–1\u00a0\u2003é", max_size=40)))
def test_the_plain_text_shortcut_gives_what_markdown_gives(text):
    from briefing_site.markup import FieldRenderer, is_plain

    if not is_plain(text):
        return
    fast = FieldRenderer()
    slow = FieldRenderer()
    slow.md.reset()
    assert fast.html(text) == slow.clean(slow.md.convert(text))
    slow.md.reset()
    slow.md.convert(text)
    assert fast.plain(text) == slow.capture.text


INLINE_PIECES = ["*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")", "!", "<", ">",
                 "&", ";", "#", "^", ":", "@", "  \n", "\n", "\n\n", " ", "word", "x_y",
                 "https://example.org", "a@example.org", "<em>", "</em>", "&amp;", "[^1]",
                 "[r]", "\n\n[r]: /u\n", "\n\n[^1]: n\n", "- ", "1. ", "> ", "| a |"]


@SETTINGS
@given(st.lists(st.sampled_from(INLINE_PIECES), max_size=25).map("".join))
def test_the_quick_inline_step_gives_what_python_markdown_gives(source):
    """Whatever mix of inline markup: skipping the patterns that cannot match changes nothing."""
    from markdown import Markdown

    from briefing_site.markdown_ext import QuickInline
    from briefing_site.markup import EXTENSIONS

    assert Markdown(extensions=[*EXTENSIONS, QuickInline()]).convert(source) == \
        Markdown(extensions=EXTENSIONS).convert(source)
