"""Pandoc's citation syntax in briefing bodies, found on Python-Markdown's element tree.

- ``[@key]``, ``[@key, p. 33]``, ``[see @a, chap. 2; @b]``: a citation of one or more works,
  each with an optional prefix and suffix (Pandoc reads the locator in the suffix);
- ``[-@key]``: the year only, the author being named in the sentence;
- ``@key``: the author in the text, "Sullivan (2022)"; ``@key [p. 4]`` with a locator.

Text inside code, links and headings is left alone (their anchors never hold a citation).
Each citation found becomes a hole in the text (``CITE_START`` n ``CITE_END``, in a span of its
own) and a ``Cluster``: the body depends only on what is written, and the page fills the hole
with what the CSL processor made of it (``bibliography``), so an edited reference re-renders
the pages citing it without converting any body again. Whether a key exists is for later too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, replace

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .markdown_ext import CITE_END, CITE_START, OWN_ID, SKIP_TAGS

# Pandoc's keys: a letter, digit or _, then those and single inner punctuation of :.#$%&-+?<>~/
KEY = r"[^\W](?:\w|[:.#$%&+?<>~/-](?=\w))*"
_ITEM = re.compile(rf"^(?P<prefix>(?:.*\s)?)(?P<minus>-?)@(?P<key>{KEY})(?P<suffix>.*)$",
                   re.DOTALL)
_BRACKETS = re.compile(r"\[(?P<inside>[^\[\]]*@[^\[\]]*)\]")
_BARE = re.compile(rf"(?<![\w@\\\]])@(?P<key>{KEY})(?:\s\[(?P<locator>[^\[\]@]*)\])?")


@dataclass(frozen=True)
class CiteItem:
    key: str
    prefix: str = ""
    suffix: str = ""
    mode: str = "normal"  # "author-in-text" for @key, "suppress-author" for [-@key]


@dataclass(frozen=True)
class Cluster:
    """One citation as written: ``text`` is the source, shown as it is if ``bare`` (``@key``
    outside brackets) names no reference: an address or a handle, not a citation."""

    text: str
    items: tuple[CiteItem, ...]
    bare: bool = False
    paragraph: str | None = None  # the id of the paragraph it is in (set once known)
    where: str = ""  # outside the paragraphs: the kind of place ("list item"...)
    # A space before it, which the hole holds: a note's number goes straight after the word.
    spaced: bool = False
    # With a note style: the body's own footnotes before it, and whether it is inside one
    # (a citation there stays in that note's text instead of making a note of its own).
    notes_before: int = 0
    in_note: bool = False


def parse_brackets(inside: str) -> tuple[CiteItem, ...] | None:
    """The works cited in the text between brackets; None if it is no citation (each part
    between semicolons must cite one work)."""
    items = []
    for part in inside.split(";"):
        match = _ITEM.match(part.strip())
        if match is None:
            return None
        items.append(CiteItem(match["key"], match["prefix"].strip(), match["suffix"].rstrip(),
                              "suppress-author" if match["minus"] else "normal"))
    return tuple(items)


def find(text: str) -> list[tuple[int, int, Cluster]]:
    """Every citation in ``text``: (start, end, cluster)."""
    found = []
    taken: list[tuple[int, int]] = []
    for match in _BRACKETS.finditer(text):
        items = parse_brackets(match["inside"])
        if items is not None:
            found.append((match.start(), match.end(), Cluster(match.group(), items)))
            taken.append(match.span())
    for match in _BARE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        locator = match["locator"]
        suffix = f", {locator.strip()}" if locator and locator.strip() else ""
        found.append((match.start(), match.end(), Cluster(
            match.group(), (CiteItem(match["key"], "", suffix, "author-in-text"),), True)))
    return sorted(found, key=lambda hit: hit[0])


class Citations(Extension):
    """Finds the citations of a body; ``clusters`` are the last document's, in order.

    With ``notes`` (a note style), the citations and the body's own footnotes make one
    series: each footnote's number becomes a hole (``fnJ`` for the J-th footnote), each
    citation gets a hole for its note's number (``markN``, after the punctuation that follows
    it), and the footnotes' list a slot (``noteN``) for the note, where it falls in the text.
    The page fills them once it knows which citations are notes (a bare ``@name`` that cites
    nothing is none).
    """

    def __init__(self, notes: bool = False, **kwargs) -> None:
        self.clusters: list[Cluster] = []
        self.notes = notes
        self.footnotes = 0  # the last document's own footnotes, if it has notes to join
        super().__init__(**kwargs)

    def reset(self) -> None:
        self.clusters = []
        self.footnotes = 0

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        md.registerExtension(self)
        # After 'unescape' (0), so the text is final; before the paragraph anchors (-1), so
        # that a paragraph's text leaves its citations out, and before the glossary linker
        # (-2), which would otherwise split a citation's text with a term's link.
        md.treeprocessors.register(_FindProcessor(md, self), "citations", -0.5)
        if self.notes:  # (the footnotes are numbered by then: 'footnote-reorder' is 19)
            md.treeprocessors.register(_NoteProcessor(md, self), "citation_notes", -0.6)
        md.treeprocessors.register(_PlaceProcessor(md, self), "citation_places", -3)


class _FindProcessor(Treeprocessor):
    def __init__(self, md: Markdown, ext: Citations) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        self.walk(root)

    def walk(self, element: etree.Element) -> None:
        if element.tag in SKIP_TAGS:
            return
        children = list(element)
        if element.text and "@" in element.text:
            element.text = self.holes(element.text, element, 0)
        for child in children:
            self.walk(child)
            if child.tail and "@" in child.tail:
                child.tail = self.holes(child.tail, element, list(element).index(child) + 1)

    def holes(self, text: str, parent: etree.Element, index: int) -> str:
        """Put a hole for each citation in ``text``; return what stays before the first."""
        hits = find(text)
        if not hits:
            return text
        spaced = [not cluster.bare and start > 0 and text[start - 1] == " " and
                  (number == 0 or hits[number - 1][1] <= start - 1)
                  for number, (start, _, cluster) in enumerate(hits)]
        starts = [start - space for (start, _, _), space in zip(hits, spaced, strict=True)]
        for number, (_, end, cluster) in enumerate(hits):
            self.ext.clusters.append(Cluster(cluster.text, cluster.items, cluster.bare,
                                             spaced=spaced[number]))
            hole = etree.Element("span")
            hole.text = f"{CITE_START}{len(self.ext.clusters)}{CITE_END}"
            following = starts[number + 1] if number + 1 < len(hits) else len(text)
            hole.tail = text[end:following]
            parent.insert(index + number, hole)
        return text[:starts[0]]


class _PlaceProcessor(Treeprocessor):
    """Notes where each citation is, once the anchors have numbered the paragraphs: in
    which paragraph; or, outside them (a list item, a table cell, a footnote), the kind of
    place, and its hole gets an id of its own (``cite-N``) for the references to link to."""

    def __init__(self, md: Markdown, ext: Citations) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        if self.ext.clusters:
            self.walk(root, None, "text")

    def walk(self, element: etree.Element, paragraph: str | None, where: str) -> None:
        for child in element:
            pid = child.get("id", "")
            if child.tag == "p" and pid.startswith(OWN_ID):
                self.walk(child, pid[len(OWN_ID):], where)
                continue
            text = child.text or ""
            if child.tag == "span" and text.startswith(CITE_START) and \
                    text[len(CITE_START):-1].isdigit():
                number = int(text[len(CITE_START):-len(CITE_END)])
                cluster = self.ext.clusters[number - 1]
                if paragraph is None:
                    child.set("id", f"{OWN_ID}cite-{number}")
                self.ext.clusters[number - 1] = replace(cluster, paragraph=paragraph,
                                                        where="" if paragraph else where)
                continue
            inside = "footnote" if child.tag == "div" and "footnote" in child.get(
                "class", "") else _PLACES.get(child.tag, where)
            self.walk(child, paragraph, inside)


# The kinds of place outside the paragraphs a citation can be in, as the references name them.
_PLACES = {"li": "list item", "td": "table cell", "th": "table cell", "dd": "definition",
           "dt": "definition"}
_PUNCTUATION = ".,;:!?"


def hole(name: str) -> str:
    return f"{CITE_START}{name}{CITE_END}"


class _NoteProcessor(Treeprocessor):
    """Makes the citations' notes and the body's footnotes one series (see ``Citations``)."""

    def __init__(self, md: Markdown, ext: Citations) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        clusters = self.ext.clusters
        if not clusters:
            return
        box = next((e for e in root if e.tag == "div" and "footnote" in e.get("class", "")),
                   None)
        listed = box.find("ol") if box is not None else None
        items = list(listed) if listed is not None else []
        number = {f"#{li.get('id')}": j for j, li in enumerate(items, 1)}
        refs: list[tuple[etree.Element, int]] = []
        order: list[etree.Element | str] = []  # the notes' list: footnotes and slots
        marks: list[tuple[etree.Element, etree.Element, int]] = []  # (parent, hole, n)
        for block in root:
            if block is box:
                continue
            parents = {child: parent for parent in block.iter() for child in parent}
            for element in block.iter():
                if element.tag == "sup" and element.get("id", "").startswith("fnref") and \
                        len(element) and element[0].get("href") in number:
                    j = number[element[0].get("href")]
                    refs.append((element[0], j))
                    if items[j - 1] not in order:
                        order.append(items[j - 1])
                elif element.tag == "span" and (element.text or "").startswith(CITE_START):
                    n = int(element.text[len(CITE_START):-len(CITE_END)])
                    clusters[n - 1] = replace(clusters[n - 1], notes_before=len(order) -
                                              sum(isinstance(e, str) for e in order))
                    order.append(f"note{n}")
                    marks.append((parents[element], element, n))
        for n, cluster in enumerate(clusters, 1):
            if f"note{n}" not in order:
                clusters[n - 1] = replace(cluster, in_note=True)
        if not any(isinstance(entry, str) for entry in order):
            return  # no citation outside the footnotes: they stay as they are
        self.ext.footnotes = len(items)
        for link, j in refs:
            link.text = hole(f"fn{j}")
        for parent, element, n in marks:  # each note's number, after what punctuates
            tail = element.tail or ""      # the citation (Chicago 13.28; so Pandoc does)
            after = len(tail) - len(tail.lstrip(_PUNCTUATION))
            mark = etree.Element("span")
            mark.text, mark.tail = hole(f"mark{n}"), tail[after:] or None
            element.tail = tail[:after] or None
            parent.insert(list(parent).index(element) + 1, mark)
        if listed is None:
            box = etree.SubElement(root, "div", {"class": "footnote"})
            etree.SubElement(box, "hr")
            listed = etree.SubElement(box, "ol")
        order += [li for li in items if li not in order]  # (defined, never referred to)
        for li in items:
            listed.remove(li)
        listed.text = None
        for entry in order:
            if isinstance(entry, str):  # a slot, between the items
                if len(listed):
                    listed[-1].tail = (listed[-1].tail or "") + hole(entry)
                else:
                    listed.text = (listed.text or "") + hole(entry)
                continue
            entry.tail = None
            listed.append(entry)
            for back in entry.iter("a"):  # (its number is not known yet; no hole goes in an
                if "footnote-backref" in back.get("class", ""):  # attribute an author writes)
                    back.set("title", "Jump back to the text")
