"""What pages show: the records enrichment makes of briefings, terms and events.

Plain and immutable, like the model: a view holds model records and other views, never
anything that renders or writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import cite, exports, listings
from .bibliography import NONE, References
from .errors import Diagnostic
from .markup import Anchor, Document, with_citations, with_tips
from .model import Briefing, Event, PartialDate, Site, Sourced, Term, last_changed

ARTICLE_DIR = "briefings"


@dataclass(frozen=True)
class Mention:
    """A paragraph of a briefing, as a citable place."""

    briefing: Briefing
    paragraph: Anchor

    @property
    def href(self) -> str:
        return f"{ARTICLE_DIR}/{self.briefing.slug}.html#{self.paragraph.id}"


@dataclass(frozen=True)
class MentionGroup:
    """The paragraphs of one briefing that mention something."""

    briefing: Briefing
    # (id, number) of each paragraph: plain pairs, cheap to compare between builds
    places: tuple[tuple[str, int], ...]

    @property
    def paragraphs(self) -> tuple[Anchor, ...]:
        return tuple(Anchor(pid, number) for pid, number in self.places)

    @property
    def mentions(self) -> tuple[Mention, ...]:
        return tuple(Mention(self.briefing, paragraph) for paragraph in self.paragraphs)

    @property
    def page(self) -> str:
        """The briefing's page, from the site's root: its paragraphs are anchors on it."""
        return f"{ARTICLE_DIR}/{self.briefing.slug}.html"


@dataclass(frozen=True)
class NoteView:
    note: Sourced
    html: str


@dataclass(frozen=True)
class BlockView:
    html: str
    events: tuple[Event, ...] = ()
    notes: tuple[NoteView, ...] = ()


@dataclass(frozen=True)
class TermView:
    term: Term
    tip: str
    definition_html: str
    later: tuple[tuple[PartialDate, str], ...]
    related: tuple[Term, ...]
    mentions: tuple[MentionGroup, ...]

    @property
    def letter(self) -> str:
        """The A-Z heading the term is filed under."""
        first = sort_name(self.term)[:1].upper()
        return first if first.isalpha() else "#"


@dataclass(frozen=True)
class UsedTerm:
    """A term as an article lists it at its end: the hint its links point to. (Not the
    term's view: that changes with every briefing that mentions the term.)"""

    term: Term
    tip: str


@dataclass(frozen=True)
class EventView:
    event: Event
    description_html: str
    terms: tuple[Term, ...]
    discussed: tuple[MentionGroup, ...]


@dataclass(frozen=True)
class Citation:
    """How to cite one briefing, and where it lives."""

    reference: cite.Reference
    page_url: str  # this copy's public address ("" without base_url): the feed's and links'
    # The work's one address, in every field a reference manager or search engine reads:
    # the original's when the briefing republishes one, else page_url.
    canonical_url: str
    apa: cite.Styled
    chicago_note: cite.Styled
    chicago_bibliography: cite.Styled
    json_ld: dict
    license_url: str  # the licence's address, "" without one


def citation(briefing: Briefing, config, abstract: str,
             corrections: tuple[str, ...] = ()) -> Citation:
    """How to cite ``briefing``: ``abstract`` and each of ``corrections`` as plain text."""
    path = f"{ARTICLE_DIR}/{briefing.slug}.html"
    page_url = config.base_url + path if config.base_url else ""
    canonical = briefing.original_url or page_url
    ref = cite.reference(briefing, config, canonical, abstract)
    changed = last_changed(briefing)
    data = exports.json_ld(ref, changed.iso() if changed else "", tuple(
        (c.date.iso(), text) for c, text in zip(briefing.corrections, corrections,
                                                strict=True)))
    return Citation(ref, page_url, canonical, cite.apa(ref), cite.chicago_note(ref),
                    cite.chicago_bibliography(ref), data, exports.license_url(briefing.license))


@dataclass(frozen=True)
class BriefingView:
    briefing: Briefing
    document: Document
    margins: tuple[tuple[tuple[Event, ...], tuple[NoteView, ...]], ...]  # beside each block
    terms: tuple[UsedTerm, ...]  # every term linked in the body, in order of first use
    minutes: int
    words: int
    bios: tuple[str, ...]
    disclaimer_html: str
    summary_html: str
    summary_text: str  # for meta descriptions
    citation: Citation
    related: tuple[Briefing, ...] = ()
    references: References = NONE  # its citations as rendered, and the works they cite
    corrections: tuple[tuple[PartialDate, str], ...] = ()  # each correction's date and HTML
    modified: PartialDate | None = None  # when it last changed (``updated``, corrections)

    @property
    def url(self) -> str:
        return f"{ARTICLE_DIR}/{self.briefing.slug}.html"

    @property
    def blocks(self) -> tuple[BlockView, ...]:
        """The body, block by block, with the events and notes that go beside each.

        Unpacked each time it is asked for, by the page being rendered, and not kept.
        """
        tips = {used.term.id: used.tip for used in self.terms}
        cited, named = self.references.citations, dict(self.references.holes)
        return tuple(BlockView(with_citations(with_tips(block.html, tips), cited, named), events,
                               notes)
                     for block, (events, notes) in zip(self.document.blocks, self.margins,
                                                       strict=True))

    @property
    def json_ld(self) -> dict:
        """The page's JSON-LD: the briefing's own, with each work it cites."""
        works = self.references.works
        if not works:
            return self.citation.json_ld
        return {**self.citation.json_ld, "citation": [json.loads(w.json_ld) for w in works]}


# "Mentioned in" on the glossary page names this many briefings; a term's own pages, all,
# this many to a page.
MENTIONS_SHOWN = 5
MENTIONS_PER_PAGE = 50


@dataclass
class Enriched:
    site: Site
    briefings: tuple[BriefingView, ...]  # newest first
    terms: tuple[TermView, ...]  # A-Z
    events: tuple[EventView, ...]  # chronological
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: list[listings.Page[BriefingView]] = field(default_factory=list)
    years: list[tuple[int, list[BriefingView]]] = field(default_factory=list)
    tags: list[listings.Group[BriefingView]] = field(default_factory=list)
    authors: list[listings.Group[BriefingView]] = field(default_factory=list)
    # the pages of a term's mentions, for the terms mentioned in too many briefings to list
    mention_pages: list[tuple[TermView, listings.Page[MentionGroup]]] = field(
        default_factory=list)


def sort_name(term: Term) -> str:
    """The name a term is filed under: people under their surname (the last word)."""
    words = term.term.split()
    return words[-1] if term.kind == "person" and words else term.term
