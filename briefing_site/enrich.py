"""Cross-references between briefings, glossary and timeline, computed once before rendering.

Turns the model and the converted bodies into what the pages show: term backlinks, events and
editors' notes beside the paragraph they concern, reading times, and glossary hygiene.
"""

from __future__ import annotations

import math
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from . import cite, listings
from .errors import WARNING, Diagnostic
from .markdown_ext import GlossaryEntry
from .markup import Anchor, Document, FieldRenderer
from .model import Briefing, Event, PartialDate, Site, Sourced, Term

ARTICLE_DIR = "briefings"
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")
_QUOTE_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-",
                             "—": "-", "\u00a0": " "})


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
    """A term as an article lists it at its end: the hint its links point to."""

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
    page_url: str  # this page's public address ("" without base_url)
    canonical_url: str  # the original's address when it republishes one, else page_url
    apa: cite.Styled
    chicago_note: cite.Styled
    chicago_bibliography: cite.Styled
    json_ld: dict


def citation(briefing: Briefing, config, abstract: str) -> Citation:
    path = f"{ARTICLE_DIR}/{briefing.slug}.html"
    page_url = config.base_url + path if config.base_url else ""
    canonical = briefing.original_url or page_url
    ref = cite.reference(briefing, config, canonical, abstract)
    return Citation(ref, page_url, canonical, cite.apa(ref), cite.chicago_note(ref),
                    cite.chicago_bibliography(ref), cite.json_ld(ref, page_url))


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

    @property
    def url(self) -> str:
        return f"{ARTICLE_DIR}/{self.briefing.slug}.html"

    @property
    def blocks(self) -> tuple[BlockView, ...]:
        """The body, block by block, with the events and notes that go beside each.

        Unpacked each time it is asked for, by the page being rendered, and not kept.
        """
        return tuple(BlockView(block.html, events, notes) for block, (events, notes)
                     in zip(self.document.blocks, self.margins, strict=True))


# "Mentioned in" on the glossary page names this many briefings; a term's own page, all.
MENTIONS_SHOWN = 5


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


def short_text(term: Term, renderer: FieldRenderer) -> str:
    """The hover text of a term: its ``short``, else the first sentence of its definition."""
    if term.short:
        return renderer.plain(term.short)
    plain = renderer.plain(term.definition)
    match = _SENTENCE.match(plain)
    return match.group(1) if match else plain


def fold(text: str) -> str:
    """Text compared for locators: typographic quotes and dashes folded, spaces collapsed."""
    return " ".join(text.translate(_QUOTE_FOLD).split())


def glossary_entries(site: Site, renderer: FieldRenderer) -> tuple[GlossaryEntry, ...]:
    """What the linker needs of each term: its forms and its hover text."""
    return tuple(GlossaryEntry(t.id, t.forms, short_text(t, renderer)) for t in site.terms)


def enrich(site: Site, docs: dict[str, Document], entries: tuple[GlossaryEntry, ...],
           include_drafts: bool = False, complete: bool = True,
           memo: MutableMapping[str, object] | None = None) -> Enriched:
    """Tie briefings (their converted bodies in ``docs``), terms and events together.

    ``docs`` holds drafts too, so that a locator quoting a draft is found, not an error.
    With ``complete`` off (a briefing could not be read), quotes that match nothing and terms
    that no briefing mentions are not reported: the missing briefing may hold them.
    ``memo`` keeps costly results from one build to the next (see ``listings.related``).
    """
    renderer = FieldRenderer(site.config.trusted_html)
    diagnostics: list[Diagnostic] = []
    tips = {entry.id: entry.tip for entry in entries}
    published = [b for b in site.briefings if include_drafts or not b.draft]
    live = {b.slug for b in published}
    folded: dict[str, list[tuple[Anchor, str]]] = {}

    def paragraphs_of(briefing: Briefing) -> list[tuple[Anchor, str]]:
        if briefing.slug not in folded:
            doc = docs[briefing.slug]
            folded[briefing.slug] = [(p, fold(text)) for p, text in
                                     zip(doc.paragraphs, doc.texts, strict=True)]
        return folded[briefing.slug]

    def locate(quote: str, among: list[Briefing], where) -> Mention | None:
        wanted = fold(quote)
        hits = [Mention(b, p) for b in among for p, text in paragraphs_of(b) if wanted in text]
        if not hits:
            if complete:
                diagnostics.append(Diagnostic(
                    f"the quote {quote!r} matches no paragraph", where,
                    "copy a few words exactly as the briefing has them"))
            return None
        if len(hits) > 1:
            places = ", ".join(f"{m.briefing.slug} ¶{m.paragraph.number}" for m in hits)
            diagnostics.append(Diagnostic(f"the quote {quote!r} matches {len(hits)} paragraphs "
                                          f"({places})", where, "quote more words"))
            return None
        return hits[0]

    event_places: dict[str, Mention] = {}
    for event in site.events:
        if event.locator:
            hit = locate(event.locator, list(site.briefings), event.source)
            if hit and hit.briefing.slug in live:
                event_places[event.id] = hit
    terms_by_id = {t.id: t for t in site.terms}
    events_by_paragraph: dict[str, dict[str, list[Event]]] = {}  # by slug, paragraph id
    for event in sorted(site.events, key=lambda e: e.date.sort_key()):
        if event.id in event_places:
            place = event_places[event.id]
            events_by_paragraph.setdefault(place.briefing.slug, {}).setdefault(
                place.paragraph.id, []).append(event)

    similar = listings.related(
        published, {b.slug: frozenset(docs[b.slug].mentions) for b in published}, memo=memo)
    by_slug = {b.slug: b for b in published}
    used_terms = {t.id: UsedTerm(t, tips[t.id]) for t in site.terms}  # shared by the views
    views = []
    for briefing in published:
        doc = docs[briefing.slug]
        notes: dict[str, list[NoteView]] = {}
        for note in briefing.notes:
            hit = locate(note.quote, [briefing], note.source)
            if hit:
                notes.setdefault(hit.paragraph.id, []).append(
                    NoteView(note, renderer.html(note.text)))
        views.append(_briefing_view(briefing, doc, site, renderer, used_terms, notes,
                                    events_by_paragraph,
                                    tuple(by_slug[s] for s in similar[briefing.slug])))
        diagnostics += _abbreviation_warnings(briefing, doc)
    views.sort(key=lambda v: (v.briefing.date.sort_key(), v.briefing.title), reverse=True)

    mentions: dict[str, list[MentionGroup]] = {}  # newest briefing first
    for view in views:
        doc = docs[view.briefing.slug]
        numbers = {p.id: p.number for p in doc.paragraphs}
        for term_id, pids in doc.mentions.items():
            mentions.setdefault(term_id, []).append(MentionGroup(
                view.briefing, tuple((pid, numbers[pid]) for pid in pids)))

    term_views = []
    for term in sorted(site.terms, key=_sort_key):
        if term.id not in mentions and site.briefings and complete:
            diagnostics.append(Diagnostic(
                f"the glossary term '{term.id}' is never mentioned in a briefing", term.source,
                "add the form the briefing uses to its 'aliases', or remove the term",
                WARNING))
        term_views.append(TermView(
            term=term, tip=tips[term.id], definition_html=renderer.html(term.definition),
            later=tuple((n.date, renderer.html(n.text)) for n in term.later),
            related=tuple(terms_by_id[r] for r in term.related if r in terms_by_id),
            mentions=tuple(mentions.get(term.id, ()))))

    event_views = tuple(
        EventView(event=e, description_html=renderer.html(e.description),
                  terms=tuple(terms_by_id[t] for t in e.terms if t in terms_by_id),
                  discussed=((MentionGroup(event_places[e.id].briefing,
                                           ((event_places[e.id].paragraph.id,
                                             event_places[e.id].paragraph.number),)),)
                             if e.id in event_places else ()))
        for e in sorted(site.events, key=lambda e: (e.date.sort_key(), e.title)))
    def briefing_of(view: BriefingView) -> Briefing:
        return view.briefing

    return Enriched(site, tuple(views), tuple(term_views), event_views, diagnostics,
                    pages=listings.paginate(views, site.config.per_page),
                    years=listings.by_year(views, briefing_of),
                    tags=listings.tags(views, briefing_of),
                    authors=listings.authors(views, briefing_of))


def sort_name(term: Term) -> str:
    """The name a term is filed under: people under their surname (the last word)."""
    words = term.term.split()
    return words[-1] if term.kind == "person" and words else term.term


def _sort_key(term: Term) -> tuple[str, str]:
    return (sort_name(term).casefold(), term.id)


def _briefing_view(briefing, doc: Document, site: Site, renderer: FieldRenderer, used_terms,
                   notes, events_by_paragraph, related) -> BriefingView:
    margins = []
    placed = events_by_paragraph.get(briefing.slug, {})
    for _, paragraph_ids in doc.shapes:
        if not paragraph_ids or not (notes or placed):
            margins.append(((), ()))  # most blocks of most briefings: nothing beside them
            continue
        events = tuple(e for pid in paragraph_ids for e in placed.get(pid, ()))
        block_notes = tuple(n for pid in paragraph_ids for n in notes.get(pid, ()))
        margins.append((events, block_notes))
    used = tuple(used_terms[term_id] for term_id in doc.linked)
    summary_text = renderer.plain(briefing.summary) if briefing.summary else ""
    return BriefingView(
        briefing=briefing, document=doc, margins=tuple(margins), terms=used,
        minutes=max(1, math.ceil(doc.words / site.config.words_per_minute)), words=doc.words,
        bios=tuple(renderer.html(a.bio) for a in briefing.authors if a.bio),
        disclaimer_html=renderer.html(briefing.disclaimer) if briefing.disclaimer else "",
        summary_html=renderer.inline_html(briefing.summary) if briefing.summary else "",
        summary_text=summary_text,
        citation=citation(briefing, site.config, summary_text),
        related=related)


def _abbreviation_warnings(briefing: Briefing, doc: Document) -> list[Diagnostic]:
    warnings = []
    for word in sorted(doc.abbreviations):
        # Point at the first line of the Markdown source that uses the word.
        match = re.search(rf"(?<!\w){re.escape(word)}", briefing.body)
        line = briefing.body_line + briefing.body.count("\n", 0, match.start()) if match else None
        warnings.append(Diagnostic(
            f"the abbreviation '{word}' has no glossary entry", briefing.source.at(line),
            "add it to glossary.yml, or to 'known_abbreviations' in site.yml if readers know it",
            WARNING))
    return warnings
