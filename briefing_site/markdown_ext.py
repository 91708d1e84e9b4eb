"""Python-Markdown extensions that enrich a briefing on its element tree.

- ``ParagraphAnchors`` gives every body paragraph a stable id (``p1``, ``p2``, ...) and a
  visible link to itself, and records each paragraph's plain text for locators.
- ``GlossaryLinker`` links the first use of each glossary term (never inside headings, links
  or code), records every paragraph that mentions a term, and notes unexplained abbreviations.
- ``QuickInline`` makes Python-Markdown's inline step skip the patterns a text cannot match.

Both keep their per-document state on the extension and clear it in ``reset()``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

# Text inside these is never linked, and (except headings) never counted as a mention.
SKIP_TAGS = frozenset({"a", "code", "pre", "kbd", "samp", "abbr", "script", "style", "sup",
                       "h1", "h2", "h3", "h4", "h5", "h6"})
_WORD = re.compile(r"\w+")
_ABBREVIATION = re.compile(r"(?<![\w.])([A-Z][A-Z0-9]*[A-Z])s?(?!\w)")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph as readers can cite it."""

    id: str
    number: int
    text: str


@dataclass(frozen=True)
class GlossaryEntry:
    """What the linker needs to know of one term (``tip`` is the page's business, below)."""

    id: str
    forms: tuple[str, ...]
    tip: str


# Where a link's hint goes: a converted body holds the term's id between these, and the page
# puts the hint in (``markup.with_tips``). So a body depends on the terms' forms only, and an
# edited definition re-renders the pages that show its hint without converting any body
# again. (Private-use characters, which cleaning keeps where the build puts them and drops
# from every other attribute; content may not hold them, as they are or as references.)
TIP_START, TIP_END = "\ue000tip:", "\ue001"
# Where a citation goes, the same way: its number in the body (see ``markdown_cite``).
CITE_START, CITE_END = "\ue000cite:", "\ue001"
# Before each id the paragraph anchors give, until cleaning (``sanitize``) takes it off: so
# an author's own id "p3", raw or from a heading, can be told from paragraph 3's.
OWN_ID = "\ue002"


class ParagraphAnchors(Extension):
    """Numbers the paragraphs of the body and appends a self-link to each."""

    def __init__(self, **kwargs) -> None:
        self.paragraphs: list[Paragraph] = []
        super().__init__(**kwargs)

    def reset(self) -> None:
        self.paragraphs = []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        md.registerExtension(self)
        # After 'unescape' (priority 0), so paragraph text is final.
        md.treeprocessors.register(_AnchorProcessor(md, self), "paragraph_anchors", -1)


class _AnchorProcessor(Treeprocessor):
    def __init__(self, md: Markdown, ext: ParagraphAnchors) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        for block in root:
            if block.tag == "div" and "footnote" in block.get("class", ""):
                continue
            for p in block.iter("p"):
                number = len(self.ext.paragraphs) + 1
                pid = f"p{number}"
                text = " ".join(_reader_text(p).split())
                self.ext.paragraphs.append(Paragraph(pid, number, text))
                p.set("id", OWN_ID + pid)  # marked as the page's own (see sanitize)
                link = etree.SubElement(p, "a", {
                    "class": "pilcrow", "href": f"#{pid}",
                    "aria-label": f"Link to paragraph {number}"})
                link.text = "¶"
                # A space before the link, so copied text does not fuse with the mark.
                if len(p) > 1:
                    prev = p[-2]
                    prev.tail = (prev.tail or "") + " "
                else:
                    p.text = (p.text or "") + " "


def _reader_text(element: etree.Element) -> str:
    """The running text of ``element``, leaving out footnote markers and citations' holes."""
    parts = [element.text or ""]
    for child in element:
        if not (child.tag == "sup" and child.get("id", "").startswith("fnref")) and \
                not (child.text or "").startswith(CITE_START):
            parts.append(_reader_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class GlossaryLinker(Extension):
    """Links the first mention of each term to its glossary entry.

    Matching walks the words of each text once and looks candidates up by their first word,
    so the cost grows with the text, not with the number of terms.
    """

    def __init__(self, entries: tuple[GlossaryEntry, ...] = (), href: str = "glossary.html",
                 known_abbreviations: tuple[str, ...] = (), **kwargs) -> None:
        self.href = href
        self.known = frozenset(known_abbreviations)
        self.index: dict[str, list[tuple[str, str]]] = {}
        forms = set()
        for entry in entries:
            for form in entry.forms:
                forms.add(form)
                for variant in {form, form[:1].upper() + form[1:]}:
                    first = _WORD.match(variant)
                    if first:
                        self.index.setdefault(first.group(), []).append((variant, entry.id))
        for candidates in self.index.values():
            candidates.sort(key=lambda c: (-len(c[0]), c[0]))
        self.forms = frozenset(forms)
        self.reset()
        super().__init__(**kwargs)

    def reset(self) -> None:
        #: term id -> paragraph ids that mention it, in order of appearance
        self.mentions: dict[str, list[str]] = {}
        #: abbreviation -> first paragraph id it appears in (None outside paragraphs)
        self.abbreviations: dict[str, str | None] = {}
        #: term ids in the order of their one link (in paragraphs, lists, tables, notes...)
        self.linked: dict[str, None] = {}

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        md.registerExtension(self)
        md.treeprocessors.register(_LinkProcessor(md, self), "glossary_linker", -2)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every (start, end, term id) in ``text``, longest form first, without overlaps.

        Only the words of ``text`` that begin some form are looked at: a set intersection
        finds them, then ``str.find`` their places, so most text costs one pass in C.
        """
        present = self.index.keys() & set(_WORD.findall(text))
        if not present:
            return []
        starts = []
        for word in present:
            at = text.find(word)
            while at != -1:
                after = at + len(word)
                if (at == 0 or not _is_word(text[at - 1])) and (
                        after == len(text) or not _is_word(text[after])):
                    starts.append((at, word))
                at = text.find(word, after)
        starts.sort()
        found = []
        position = 0
        for start, word in starts:
            if start < position:
                continue
            for form, term_id in self.index[word]:
                end = start + len(form)
                if text.startswith(form, start) and (end == len(text) or not _is_word(text[end])):
                    found.append((start, end, term_id))
                    position = end
                    break
        return found


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _LinkProcessor(Treeprocessor):
    def __init__(self, md: Markdown, ext: GlossaryLinker) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        self.walk(root, paragraph=None, skip=False)

    def walk(self, element: etree.Element, paragraph: str | None, skip: bool) -> None:
        if element.tag == "p" and element.get("id", "").startswith(OWN_ID):
            paragraph = element.get("id")[len(OWN_ID):]
        if element.tag == "div" and "footnote" in element.get("class", ""):
            paragraph = None
        skip = skip or element.tag in SKIP_TAGS
        children = list(element)  # enrich() inserts links as we go; walk the originals
        inserted = 0
        if element.text:
            element.text = self.enrich(element.text, element, 0, paragraph, skip)
            inserted = len(element) - len(children)
        for position, child in enumerate(children):
            self.walk(child, paragraph, skip)
            if child.tail:
                size = len(element)
                child.tail = self.enrich(child.tail, element, position + inserted + 1,
                                         paragraph, skip)
                inserted += len(element) - size

    def enrich(self, text: str, parent: etree.Element, index: int, paragraph: str | None,
               skip: bool) -> str:
        """Record mentions in ``text``; return what stays as text, inserting links after it."""
        ext = self.ext
        if skip and parent.tag not in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            return text
        for match in _ABBREVIATION.finditer(text):
            word = match.group(1)
            if word not in ext.forms and word not in ext.known:
                ext.abbreviations.setdefault(word, paragraph)
        if skip:
            return text
        pieces: list[tuple[int, int, str]] = []
        for start, end, term_id in ext.find(text):
            if paragraph is not None:
                seen = ext.mentions.setdefault(term_id, [])
                if not seen or seen[-1] != paragraph:
                    seen.append(paragraph)
            if term_id not in ext.linked:
                ext.linked[term_id] = None
                pieces.append((start, end, term_id))
        if not pieces:
            return text
        head = text[:pieces[0][0]]
        for number, (start, end, term_id) in enumerate(pieces):
            wrap = etree.Element("span", {"class": "gl",
                                          "data-tip": f"{TIP_START}{term_id}{TIP_END}"})
            link = etree.SubElement(wrap, "a", {
                "class": "term", "href": f"{ext.href}#{term_id}",
                "aria-describedby": f"tip-{term_id}"})
            link.text = text[start:end]
            following = pieces[number + 1][0] if number + 1 < len(pieces) else len(text)
            wrap.tail = text[end:following]
            parent.insert(index + number, wrap)
        return head


# What each of Python-Markdown's inline patterns cannot match without: one of these strings.
# Every pattern here begins its regular expression with one of them (see inlinepatterns.py);
# a pattern not named here is always tried.
PATTERN_NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",),
    "link": ("[",), "image_link": ("![",), "image_reference": ("![",),
    "short_reference": ("[",), "short_image_ref": ("![",), "autolink": ("<",),
    "automail": ("<",), "linebreak": ("  \n",), "html": ("<",), "entity": ("&",),
    "em_strong": ("*", "_"), "em_strong2": ("*", "_"), "not_strong": ("*", "_"),
}


class QuickInline(Extension):
    """Python-Markdown's inline step, without trying patterns that cannot match.

    The stock step runs every pattern's regular expression over every text, one Python call
    each, although most prose has none of the characters that begin a link, an emphasis or
    a code span: that is about a fifth of converting a body. This one first checks, in C,
    that a text holds what a pattern needs. The output is the same (tested against the stock
    step); on a Python-Markdown whose inline step is built differently, the stock one stays.
    """

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        if all(hasattr(InlineProcessor, name) for name in (
                "_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")):
            md.treeprocessors.register(_QuickInlineProcessor(md), "inline", 20)


class _QuickInlineProcessor(InlineProcessor):
    needs: list[tuple[str, ...] | None]  # by pattern, in the registry's order (see run)

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        # In the registry's order: its indices are what the stock code passes on.
        by_id = {id(self.inlinePatterns[name]): needs for name, needs in PATTERN_NEEDS.items()
                 if name in self.inlinePatterns}
        self.needs = [by_id.get(id(pattern)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # Replaces the stock method of this name (the stock run() and applyPattern call it).
    def _InlineProcessor__handleInline(self, data: str, index: int = 0) -> str:  # noqa: N802
        if isinstance(data, AtomicString):
            return data
        patterns, needs = self.inlinePatterns, self.needs
        apply = self._InlineProcessor__applyPattern
        start, count = 0, len(patterns)
        while index < count:
            need = needs[index]
            if need is not None and not any(part in data for part in need):
                index += 1
                start = 0  # as after a pattern that found nothing
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if not matched:
                index += 1
        return data
