"""Markdown to HTML: briefing bodies as citable blocks, and short Markdown fields."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

from .markdown_cite import Citations, Cluster
from .markdown_ext import (
    CITE_END,
    CITE_START,
    OWN_ID,
    TIP_END,
    TIP_START,
    GlossaryEntry,
    GlossaryLinker,
    ParagraphAnchors,
    QuickInline,
)
from .sanitize import clean_html

EXTENSIONS = ["extra", "toc"]
# Footnotes numbered in the order the text refers to them, as Pandoc and Hugo number them
# (Python-Markdown's default is the order of their definitions).
EXTENSION_CONFIGS = {"extra": {"footnotes": {"USE_DEFINITION_ORDER": False}}}


@dataclass(frozen=True)
class Block:
    """One top-level element of a body (a paragraph, heading, list, footnotes...)."""

    html: str
    paragraph_ids: tuple[str, ...]


@dataclass(frozen=True)
class Anchor:
    """A body paragraph as pages link to it; its text stays packed in the Document."""

    id: str
    number: int


@dataclass(frozen=True)
class Document:
    """A converted briefing body and what enrichment learned from it.

    The blocks' HTML is kept compressed until a page asks for it: a large archive's bodies
    would otherwise fill memory long before they are rendered.
    """

    packed: bytes  # every block's HTML in UTF-8, one after another, compressed
    shapes: tuple[tuple[int, tuple[str, ...]], ...]  # each block's size and paragraph ids
    paragraphs: tuple[Anchor, ...]
    packed_texts: bytes  # the paragraphs' reader-visible text, one per line, compressed
    mentions: dict[str, tuple[str, ...]]  # term id -> paragraph ids, in order of first use
    abbreviations: dict[str, str | None]  # unexplained abbreviation -> first paragraph id
    words: int
    # every term linked, wherever (a list item too), in order: each link's hint must exist
    linked: tuple[str, ...] = ()
    citations: tuple[Cluster, ...] = ()  # in order: hole n is citations[n - 1]
    footnotes: int = 0  # with a note style and citations: the body's own footnotes

    @property
    def texts(self) -> list[str]:
        """Each paragraph's text as a reader sees it, for finding quotes."""
        return zlib.decompress(self.packed_texts).decode("utf-8").split("\n") \
            if self.paragraphs else []

    @property
    def blocks(self) -> tuple[Block, ...]:
        data = zlib.decompress(self.packed)
        blocks, start = [], 0
        for size, ids in self.shapes:
            blocks.append(Block(data[start:start + size].decode("utf-8"), ids))
            start += size
        return tuple(blocks)


def _filled(block: str, start: str, end: str, value: Callable[[str], str | None]) -> str:
    """``block`` with each hole ``start``name``end`` replaced by ``value(name)``; a hole
    whose value is None is not one the converter made, and stays as it was."""
    if start not in block:
        return block
    head, *holes = block.split(start)
    parts = [head]
    for hole in holes:
        name, closed, rest = hole.partition(end)
        found = value(name) if closed else None
        parts += (start, hole) if found is None else (found, rest)
    return "".join(parts)


def with_tips(block: str, tips: Mapping[str, str]) -> str:
    """A converted block with each link's hint put in: ``tips`` by term id."""
    def tip(term_id: str) -> str | None:
        found = tips.get(term_id)
        # Escaped for an attribute value, as Python-Markdown escapes the others.
        return None if found is None else found.replace("&", "&amp;").replace(
            "<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return _filled(block, TIP_START, TIP_END, tip)


def with_citations(block: str, citations: tuple[str, ...],
                   named: Mapping[str, str] | None = None) -> str:
    """A converted block with each citation's HTML put in its hole: ``citations`` in order,
    and the other holes' (a note style's numbers and notes) from ``named``."""
    def cited(number: str) -> str | None:
        if not number.isdigit():
            return (named or {}).get(number)
        ok = 0 < int(number) <= len(citations)
        return citations[int(number) - 1] if ok else None
    return _filled(block, CITE_START, CITE_END, cited)


class BodyConverter:
    """Converts briefing bodies with the glossary of one site; reusable across briefings."""

    def __init__(self, entries: tuple[GlossaryEntry, ...], glossary_href: str,
                 known_abbreviations: tuple[str, ...] = (), trusted: bool = False,
                 notes: bool = False) -> None:
        """``notes``: the citation style makes notes of citations (see ``Citations``)."""
        # Trusted HTML is not cleaned; the anchors' marks come off all the same.
        self.clean = (lambda html: html.replace(OWN_ID, "")) if trusted else clean_html
        self.anchors = ParagraphAnchors()
        self.linker = GlossaryLinker(entries, href=glossary_href,
                                     known_abbreviations=known_abbreviations)
        self.citations = Citations(notes)
        self.md = Markdown(extensions=[*EXTENSIONS, self.anchors, self.linker, self.citations,
                                       QuickInline()], extension_configs=EXTENSION_CONFIGS,
                           output_format="html")

    def convert(self, source: str) -> Document:
        """Markdown.convert(), but serialising each top-level block on its own.

        Separate blocks let the templates place margin notes beside the paragraph they belong
        to without ever searching the rendered HTML.
        """
        md = self.md
        md.reset()
        lines = source.split("\n")
        for preprocessor in md.preprocessors:
            lines = preprocessor.run(lines)
        root = md.parser.parseDocument(lines).getroot()
        for treeprocessor in md.treeprocessors:
            replaced = treeprocessor.run(root)
            if replaced is not None:
                root = replaced
        data, shapes = [], []
        for element in root:
            element.tail = None
            html = md.serializer(element)
            for postprocessor in md.postprocessors:
                html = postprocessor.run(html)
            ids = tuple(p.get("id").removeprefix(OWN_ID) for p in element.iter("p")
                        if p.get("id", "").startswith(OWN_ID))
            data.append(self.clean(html.strip()).encode("utf-8"))
            shapes.append((len(data[-1]), ids))
        paragraphs = self.anchors.paragraphs
        words = sum(len(p.text.split()) for p in paragraphs)
        anchors = {p.id: Anchor(p.id, p.number) for p in paragraphs}
        mentions = {k: tuple(v) for k, v in self.linker.mentions.items()}
        return Document(
            packed=zlib.compress(b"".join(data), 1), shapes=tuple(shapes),
            paragraphs=tuple(anchors.values()),
            # Texts have their spaces collapsed: a newline can separate them.
            packed_texts=zlib.compress("\n".join(p.text for p in paragraphs).encode(), 1),
            mentions=mentions,
            abbreviations=dict(self.linker.abbreviations),
            linked=tuple(self.linker.linked),
            words=words,
            citations=tuple(self.citations.clusters),
            footnotes=self.citations.footnotes,
        )


class _TextCapture(Treeprocessor):
    """Keeps the reader-visible text of the last document converted."""

    text = ""

    def run(self, root: etree.Element) -> None:
        text = " ".join("".join(root.itertext()).split())
        # Smarty's curly quotes and any raw HTML are still stashed at this stage: put back the
        # characters the entities stand for, and drop the tags.
        stash = self.md.htmlStash.rawHtmlBlocks

        def restore(match) -> str:
            raw = str(stash[int(match.group(1))])
            return "" if raw.startswith("<") else html.unescape(raw)

        self.text = HTML_PLACEHOLDER_RE.sub(restore, text)


# A one-line text with none of these needs no Markdown: its HTML is the text in a paragraph.
# (Straight quotes, '--' and '...' are here because smarty would curl or join them.)
_MARKUP = re.compile(r"[\\`*_\[\]<>&#|~'\"!^=+{}]|--|\.\.\.|^[\s>+-]|^\d+[.)]|\s$|https?:")


def is_plain(text: str) -> bool:
    """Whether Markdown would only wrap ``text`` in a paragraph, changing nothing else."""
    return text.isprintable() and bool(text.strip()) and not _MARKUP.search(text)


class FieldRenderer:
    """Renders the short Markdown of definitions, notes, bios and disclaimers."""

    def __init__(self, trusted: bool = False) -> None:
        self.trusted = trusted
        self.clean = (lambda html: html) if trusted else clean_html
        # Short fields are typed by hand with straight quotes; smarty curls them to match the
        # typography of the briefings. (Bodies keep the author's own characters.)
        self.md = Markdown(extensions=["extra", "smarty"], output_format="html")
        self.capture = _TextCapture(self.md)
        # After 'unescape' (priority 0), so escaped characters read as themselves.
        self.md.treeprocessors.register(self.capture, "text_capture", -1)
        self.memo: dict[str, str] = {}
        self.plain_memo: dict[str, str] = {}

    def html(self, source: str) -> str:
        # Bios and disclaimers repeat across briefings: convert each text once.
        if source not in self.memo:
            if is_plain(source):  # most summaries and descriptions: skip the machinery
                self.memo[source] = f"<p>{source}</p>"
            else:
                self.md.reset()
                try:
                    self.memo[source] = self.clean(self.md.convert(source))
                except RecursionError:  # past what ``limits`` lets through: shown as text
                    self.memo[source] = f"<p>{html.escape(source)}</p>"
        return self.memo[source]

    def inline_html(self, source: str) -> str:
        """Markdown for a single line: the paragraph wrapper is dropped."""
        html = self.html(source)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html

    def plain(self, source: str) -> str:
        """The text a reader sees, without any markup."""
        if source not in self.plain_memo:
            if is_plain(source):
                self.plain_memo[source] = " ".join(source.split())
            else:
                self.md.reset()
                try:
                    self.md.convert(source)
                    self.plain_memo[source] = self.capture.text
                except RecursionError:  # past what ``limits`` lets through
                    self.plain_memo[source] = " ".join(source.split())
        return self.plain_memo[source]
