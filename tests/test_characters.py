"""Characters that no page or feed may hold (XML 1.0 forbids them, or Unicode says no text
means them) are refused with file and line, in every content file, as they stand and as YAML
escapes; tabs and line breaks still work."""

from __future__ import annotations

from xml.etree import ElementTree

import feedparser
import pytest

from tests.conftest import (
    BRIEFING,
    GLOSSARY,
    TIMELINE,
    build,
    make_content,
    refused,
    snapshot,
)

# Characters no page or feed may hold, as they stand in a briefing's body.
IN_THE_BODY = ["\x01", "\x0b", "\x1b", "\x7f", "\x85", "\x92", "\ufdd0", "\ufffe", "\uffff",
               "\U0001fffe"]


@pytest.mark.parametrize("char", IN_THE_BODY, ids=lambda c: f"U+{ord(c):04X}")
def test_a_character_no_feed_can_hold_is_refused_in_the_body(char, run, published):
    kind = "noncharacter" if ord(char) >= 0xFDD0 else "control character"
    refused(run, published, {"briefings/quiet-week.md": BRIEFING.replace(
        "Nobody from", f"Nobody{char} from")}, "briefings/quiet-week.md:10",
        f"the text contains the {kind} U+{ord(char):04X}, which web pages and feeds cannot "
        "hold (delete it")


# The same written as escapes in the YAML files and the front matter: (file, YAML, line).
ESCAPES = {
    "title in front matter": ("briefings/quiet-week.md", BRIEFING.replace(
        '"Quiet Week in Almaty"', '"Quiet \\0 Week"'), 2, "control character U+0000", "\\x00"),
    "an extra field": ("briefings/quiet-week.md", BRIEFING.replace(
        "summary:", 'extra:\n  note: "x\\ey"\nsummary:'), 8, "control character U+001B",
        "\\x1B"),
    "glossary definition": ("glossary.yml", GLOSSARY.replace(
        "definition: A security service.", 'definition: "A \\x01 service."'), 8,
        "control character U+0001", "\\x01"),
    "timeline title": ("timeline.yml", TIMELINE.replace(
        "title: The meeting", 'title: "The \\uFFFE meeting"'), 2, "noncharacter U+FFFE",
        "\\uFFFE"),
    "site title": ("site.yml", 'title: "Fixture \\v Briefings"\n', 1,
                   "control character U+000B", "\\x0B"),
    "a key": ("glossary.yml", GLOSSARY.replace("  kind: title", '  kind: title\n  "\\0": x'),
              12, "control character U+0000", "\\x00"),
}


@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_a_yaml_escape_for_such_a_character_is_refused(case, run, published):
    file, text, line, what, escape = ESCAPES[case]
    refused(run, published, {file: text}, f"{file}:{line}",
            f"the text contains the {what}, which web pages and feeds cannot hold (delete the "
            f'escape that writes it in double quotes, such as "{escape}")')


def test_a_lone_surrogate_escape_is_refused(run, published):
    # libyaml refuses it as it parses; either way an error at its line, no traceback.
    content, out, before = published
    make_content(content.parent, {"timeline.yml": TIMELINE.replace(
        "title: The meeting", 'title: "The \\ud800 meeting"')})
    result = build(run, content, out)
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.startswith(f"{content}/timeline.yml:2:")
    assert snapshot(out) == before


def test_pure_python_yaml_makes_a_lone_surrogate_which_is_refused():
    import yaml

    from briefing_site import chars
    from briefing_site.errors import SourceRef
    from briefing_site.yamlsource import _check_expansion

    node = yaml.compose('title: "The \\ud800 meeting"\n', Loader=yaml.SafeLoader)
    quoted: list = []
    assert _check_expansion(node, quoted) is None
    [scalar] = quoted
    problem = chars.check_value(scalar.value, SourceRef("timeline.yml", 1))
    assert str(problem).startswith("timeline.yml:1: error: the text contains the lone "
                                   "surrogate U+D800")


def test_load_yaml_refuses_such_characters_as_they_stand_for_any_caller():
    # YAML's own reader lets noncharacters through; load_yaml does not.
    from briefing_site.errors import SourceRef
    from briefing_site.yamlsource import YamlError, load_yaml

    with pytest.raises(YamlError) as refused_yaml:
        load_yaml("a: ok\nb: \ufdd0\n", SourceRef("x.yml"))
    assert [str(d) for d in refused_yaml.value.diagnostics] == [
        "x.yml:2: error: the text contains the noncharacter U+FDD0, which web pages and feeds "
        "cannot hold (delete it)"]


def test_many_such_lines_are_reported_up_to_a_limit(run, published):
    err = refused(run, published, {"briefings/quiet-week.md": BRIEFING + "\x01\n\n" * 30},
                  "briefings/quiet-week.md:17", "the text contains the control character")
    assert err.count(": error: the text contains the control character U+0001") == 10
    assert "briefings/quiet-week.md:37: error: more lines hold such characters; only the " \
        "first 10 are shown" in err


def test_tabs_and_line_breaks_still_make_a_valid_feed(tmp_path, run):
    content = make_content(tmp_path, {
        "site.yml": 'title: "Fixture\\tBriefings"\nbase_url: https://example.org/\n',
        "briefings/quiet-week.md": BRIEFING.replace(
            '"Quiet Week in Almaty"', '"Quiet\\tWeek\\r\\nin Almaty"').replace(
            "Nobody from", "Nobody\tfrom").replace("\n", "\r\n")})
    out = tmp_path / "site"
    result = build(run, content, out)
    assert result.code == 0, result.err
    ElementTree.parse(out / "feed.xml")  # well-formed XML 1.0
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert "<title>Quiet\tWeek\r\nin Almaty</title>" in (out / "feed.xml").read_bytes().decode()


def test_character_references_to_such_characters_are_dropped_from_every_output(tmp_path, run):
    # "&#1;" is Markdown's and HTML's own way to write the character, not the character: the
    # HTML cleaner turns it into U+0001, which would break the feed. It is dropped, as Python's
    # html.unescape drops it from the plain text of summaries and reference files.
    import re

    refs = "&#1; &#x0B; &#xFFFE; &#xFDD0; &#127;"
    content = make_content(tmp_path, {
        "site.yml": "title: T\nbase_url: https://example.org/\n",
        "glossary.yml": GLOSSARY.replace("definition: A title.",
                                         f"definition: 'A title {refs}.'"),
        "briefings/quiet-week.md": BRIEFING.replace(
            "A short test briefing.", f"'A short {refs} briefing.'").replace(
            "Nobody from", f"Nobody {refs} from").replace("`CSTO` in code", "`&#1;` in code")})
    out = tmp_path / "site"
    result = build(run, content, out)
    assert result.code == 0, result.err
    ElementTree.parse(out / "feed.xml")
    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".bib", ".ris", ".json"):
            assert not forbidden.search(path.read_text()), path
    page = (out / "briefings" / "quiet-week.html").read_text()
    assert "<code>&amp;#1;</code> in code" in page  # written about, not written: kept


def test_the_quick_pattern_finds_what_the_full_one_finds():
    from briefing_site.chars import FORBIDDEN, forbidden

    samples = ["\x01", "\x0b", "\x7f", "\x85", "\ud800", "\ufdd0", "\ufffe", "\uffff",
               "\U0001fffe", "\U0010ffff", "\t", "\n", "é", "“", "\U0001f600", "a"]
    for context in ("plain ascii ", "curly “quotes” ", "an emoji \U0001f600 "):
        for char in samples:
            text = context + char + " end"
            quick = forbidden(text).search(text)
            full = FORBIDDEN.search(text)
            assert (quick and quick.group()) == (full and full.group()), (context, char)
