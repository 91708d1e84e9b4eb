"""The Markdown extensions, tested side by side: source in, HTML (or what was learned) out."""

import pytest

from briefing_site.markdown_ext import GlossaryEntry
from briefing_site.markup import BodyConverter, with_tips

ENTRIES = (
    GlossaryEntry("csto", ("CSTO", "Collective Security Treaty Organization"), "An alliance."),
    GlossaryEntry("knb", ("KNB", "Committee of National Security"), "A security service."),
    GlossaryEntry("maiden", ("maiden transition", "maiden transitions"), "A first handover."),
    GlossaryEntry("almaty", ("Almaty",), "A city."),
    GlossaryEntry("airport", ("Almaty International Airport",), "An airport."),
)


def convert(source: str, known=("ATM",)):
    return BodyConverter(ENTRIES, "../glossary.html", known).convert(source)


def link(term_id: str, text: str, tip: str) -> str:
    return (f'<span class="gl" data-tip="{tip}"><a aria-describedby="tip-{term_id}" '
            f'class="term" href="../glossary.html#{term_id}">{text}</a></span>')


def pilcrow(n: int) -> str:
    return f'<a aria-label="Link to paragraph {n}" class="pilcrow" href="#p{n}">¶</a>'


def filled(html: str, entries=ENTRIES) -> str:
    """A block as a page shows it: each link with its term's hint."""
    return with_tips(html, {entry.id: entry.tip for entry in entries})


def html(source: str) -> str:
    return "\n".join(filled(block.html) for block in convert(source).blocks)


def test_paragraphs_get_numbered_anchors_and_a_self_link():
    assert html("One.\n\nTwo.") == (
        f'<p id="p1">One. {pilcrow(1)}</p>\n<p id="p2">Two. {pilcrow(2)}</p>')


def test_links_only_the_first_use_of_a_term():
    assert html("The CSTO met.\n\nThe CSTO left.") == (
        f'<p id="p1">The {link("csto", "CSTO", "An alliance.")} met. {pilcrow(1)}</p>\n'
        f'<p id="p2">The CSTO left. {pilcrow(2)}</p>')


def test_records_every_paragraph_that_mentions_a_term():
    doc = convert("The CSTO met.\n\nNothing.\n\nThe CSTO left, the CSTO said.")
    assert doc.mentions == {"csto": ("p1", "p3")}


def test_links_by_alias_and_prefers_the_longest_form():
    out = html("The Collective Security Treaty Organization and Almaty International Airport.")
    assert link("csto", "Collective Security Treaty Organization", "An alliance.") in out
    assert link("airport", "Almaty International Airport", "An airport.") in out
    assert 'href="../glossary.html#almaty"' not in out


def test_a_lower_case_form_also_matches_at_the_start_of_a_sentence():
    assert link("maiden", "Maiden transition", "A first handover.") in html(
        "Maiden transition is rare.")


def test_matches_whole_words_only():
    out = html("CSTOs and xKNB and KNBx and Almatyan.")
    assert "glossary.html" not in out


def test_possessives_and_punctuation_still_match():
    assert link("knb", "KNB", "A security service.") in html("The KNB’s chief (KNB).")


@pytest.mark.parametrize("source", [
    "`CSTO` in code.",
    "[the CSTO](https://example.org/) in a link.",
    "    CSTO in a code block",
    "# The CSTO in a heading",
])
def test_never_links_inside_code_links_or_headings(source):
    assert "glossary.html" not in html(source)


def test_a_term_first_seen_in_a_heading_is_linked_at_its_first_use_in_text():
    out = html("# The CSTO\n\nThe CSTO met.")
    assert out.count("glossary.html#csto") == 1
    assert f'<p id="p1">The {link("csto", "CSTO", "An alliance.")} met.' in out


def test_footnotes_are_not_numbered_paragraphs_and_do_not_count_as_mentions():
    doc = convert("Text.[^1]\n\n[^1]: About the KNB.")
    assert [p.id for p in doc.paragraphs] == ["p1"]
    assert doc.texts == ["Text."]
    assert doc.mentions == {}


def test_footnotes_are_numbered_in_the_order_the_text_refers_to_them():
    out = html("First.[^later] Then.[^sooner]\n\n[^sooner]: Defined first.\n[^later]: Second.")
    assert '<a class="footnote-ref" href="#fn:later">1</a>' in out
    assert '<a class="footnote-ref" href="#fn:sooner">2</a>' in out
    assert out.index('<li id="fn:later">') < out.index('<li id="fn:sooner">')


def test_blocks_list_the_paragraphs_they_contain():
    doc = convert("# Title\n\n> Quoted.\n>\n> Again.\n\nPlain.")
    assert [b.paragraph_ids for b in doc.blocks] == [(), ("p1", "p2"), ("p3",)]


def test_reports_unexplained_abbreviations_but_not_known_ones():
    doc = convert("The LPG price and ATMs and the KNB.\n\nThen LPG again and the OSCE.")
    assert doc.abbreviations == {"LPG": "p1", "OSCE": "p2"}


def test_state_does_not_leak_from_one_document_to_the_next():
    converter = BodyConverter(ENTRIES, "../glossary.html")
    converter.convert("The CSTO met.")
    second = converter.convert("The CSTO met again.")
    assert second.mentions == {"csto": ("p1",)}
    assert "glossary.html#csto" in second.blocks[0].html


def test_tip_text_is_escaped_in_the_attribute():
    entries = (GlossaryEntry("x", ("XYZ",), 'Say "hi" <b>'),)
    out = filled(BodyConverter(entries, "g.html").convert("XYZ here.").blocks[0].html, entries)
    assert 'data-tip="Say &quot;hi&quot; &lt;b&gt;"' in out


def test_a_body_holds_no_hint_so_a_new_hint_needs_no_new_conversion():
    doc = convert("The CSTO met.")
    assert "An alliance." not in doc.blocks[0].html
    assert 'data-tip="A new hint &amp; more."' in with_tips(doc.blocks[0].html,
                                                          {"csto": "A new hint & more."})


def test_hint_holes_typed_by_an_author_come_out_as_typed_or_as_a_hint():
    typed = "A \ue000tip:nothing here and \ue000tip:unknown\ue001 and \ue000tip:csto\ue001."
    out = with_tips(typed, {"csto": "An <alliance>."})
    assert out == ("A \ue000tip:nothing here and \ue000tip:unknown\ue001 and "
                   "An &lt;alliance&gt;..")


def test_plain_text_of_a_field_has_typographic_quotes_and_no_markup():
    from briefing_site.markup import FieldRenderer

    plain = FieldRenderer().plain("Nazarbayev's \"chosen\" successor, <b>in bold</b> & *more*.")
    assert plain == "Nazarbayev’s “chosen” successor, in bold & more."


# Inline Markdown of every kind, for comparing the quick inline step with Python-Markdown's.
INLINE_CASES = [
    "Plain prose with no markup at all, and an apostrophe's curl.",
    "Some *emphasis*, **strong**, ***both***, _under_, __strong__ and snake_case_words.",
    "A * lone star, a lone_ underscore, 2 * 3 * 4, and *unclosed emphasis.",
    "Code `x = *y*` and ``double `tick` code`` and an escaped \\`tick\\`.",
    "Escapes: \\*not em\\*, \\_not em\\_, \\[not a link\\], back\\\\slash.",
    "A [link](https://example.org/a_b) and [ref link][r] and [r] and ![img](i.png \"t\").",
    "An image ![ref image][r], a footnote[^1] and a [bracket] with no target.",
    "Autolinks <https://example.org/x?y=1&z=2> and <someone@example.org>.",
    "Inline <em>html</em>, a <span class=\"x\">span</span> and a bare < sign.",
    "Entities &amp; &copy; &#169; &#xA9; and a bare & ampersand.",
    "A line ending in two spaces  \nthen the next line.",
    "Nested: *emphasis with a [link](https://example.org) inside* and [**strong link**](x).",
    "Mixed ![alt *em*](a.png) and `code with [brackets]` and <b>*em in html*</b>.",
    "Tricky: *a_b_c*, _a*b*c_, **a_b**, `` ` ``, [^missing], ![].",
]
INLINE_DOCUMENT = "\n\n".join(INLINE_CASES) + (
    "\n\n- a *list* item with `code`\n- and a [link](y)\n\n"
    "| a | *b* |\n|---|---|\n| `c` | [d](e) |\n\n"
    "[r]: https://example.org/ref\n\n[^1]: A footnote with *emphasis* & an entity.\n")


def _stock_and_quick(source: str) -> tuple[str, str]:
    from markdown import Markdown

    from briefing_site.markdown_ext import QuickInline
    from briefing_site.markup import EXTENSIONS

    stock = Markdown(extensions=EXTENSIONS).convert(source)
    quick = Markdown(extensions=[*EXTENSIONS, QuickInline()]).convert(source)
    return stock, quick


@pytest.mark.parametrize("source", [*INLINE_CASES, INLINE_DOCUMENT])
def test_the_quick_inline_step_gives_what_python_markdown_gives(source):
    stock, quick = _stock_and_quick(source)
    assert quick == stock


def test_the_quick_inline_step_is_what_converts_bodies_and_knows_every_pattern():
    from briefing_site.markdown_ext import PATTERN_NEEDS, _QuickInlineProcessor

    md = BodyConverter(ENTRIES, "../glossary.html").md
    assert isinstance(md.treeprocessors["inline"], _QuickInlineProcessor)
    # A pattern a newer Python-Markdown adds is tried on every text: correct, but slow.
    names = {md.inlinePatterns._priority[i].name for i in range(len(md.inlinePatterns))}
    assert names <= set(PATTERN_NEEDS)


def test_the_quick_inline_step_gives_what_python_markdown_gives_on_the_sample():
    from pathlib import Path

    import frontmatter

    for path in sorted((Path(__file__).parents[2] / "content" / "briefings").glob("*.md")):
        stock, quick = _stock_and_quick(frontmatter.load(path).content)
        assert quick == stock


def test_markdown_is_pinned_to_the_range_whose_private_method_is_replaced():
    """QuickInline replaces Python-Markdown's InlineProcessor.__handleInline (name-mangled:
    ``_InlineProcessor__handleInline``) and calls ``_InlineProcessor__applyPattern``; both
    are private, so pyproject.toml pins markdown below the next minor release."""
    import re
    from importlib.metadata import version
    from pathlib import Path

    from markdown.treeprocessors import InlineProcessor

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    pin = re.search(r'"markdown>=([\d.]+),<([\d.]+)"', pyproject)
    assert pin, "markdown must be pinned with an upper bound"
    installed = tuple(int(part) for part in version("markdown").split(".")[:2])
    low = tuple(int(part) for part in pin.group(1).split(".")[:2])
    high = tuple(int(part) for part in pin.group(2).split(".")[:2])
    assert low <= installed < high
    assert hasattr(InlineProcessor, "_InlineProcessor__handleInline")
    assert hasattr(InlineProcessor, "_InlineProcessor__applyPattern")
