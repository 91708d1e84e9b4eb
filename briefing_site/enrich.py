"""Cross-references between briefings, glossary and timeline, computed once before rendering.

Turns the model and the converted bodies into what the pages show: term backlinks, events and
editors' notes beside the paragraph they concern, reading times, and glossary hygiene.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import TypeVar

from . import listings
from .bibliography import NONE, References
from .errors import WARNING, Diagnostic
from .markdown_ext import GlossaryEntry
from .markup import Anchor, Document, FieldRenderer
from .model import Briefing, Event, Site, Term, last_changed
from .views import (
    MENTIONS_PER_PAGE,
    MENTIONS_SHOWN,
    BriefingView,
    Enriched,
    EventView,
    Mention,
    MentionGroup,
    NoteView,
    TermView,
    UsedTerm,
    citation,
    sort_name,
)

T = TypeVar("T")
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")
_QUOTE_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-",
                             "—": "-", "\u00a0": " "})


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


def _same(a: object, b: object) -> bool:
    """Whether ``a`` and ``b`` are the very same inputs: one object, or texts, numbers and
    tuples of them that are equal and of the same types (so that 1 and True differ)."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is str or kind is int or kind is bool:
        return a == b
    if kind is not tuple or len(a) != len(b):
        return False
    return all(map(operator.is_, a, b)) or all(map(_same, a, b))


class _Made:
    """What this build made, handing back what the last build made from the same inputs.

    So that a value nothing has changed is the very object it was: later stages can tell it
    is unchanged without looking inside (see ``incremental``).
    """

    def __init__(self, last: MutableMapping[tuple, tuple] | None) -> None:
        self.last = last
        self.made: dict[tuple, tuple] = {}

    def get(self, key: tuple, inputs: tuple, make: Callable[[], T]) -> T:
        found = self.last.get(key) if self.last is not None else None
        value = found[1] if found is not None and _same(found[0], inputs) else make()
        self.made[key] = (inputs, value)
        return value

    def done(self) -> None:
        if self.last is not None:
            self.last.clear()
            self.last.update(self.made)


def enrich(site: Site, docs: dict[str, Document], entries: tuple[GlossaryEntry, ...],
           include_drafts: bool = False, complete: bool = True,
           memo: MutableMapping[str, object] | None = None,
           made: MutableMapping[tuple, tuple] | None = None,
           references: Mapping[str, References] | None = None) -> Enriched:
    """Tie briefings (their converted bodies in ``docs``), terms and events together.

    ``docs`` holds drafts too, so that a locator quoting a draft is found, not an error.
    With ``complete`` off (a briefing could not be read), quotes that match nothing and terms
    that no briefing mentions are not reported: the missing briefing may hold them.
    ``memo`` keeps costly results from one build to the next (see ``listings.related``);
    ``made`` the views of the last build, each handed back when made from the same inputs;
    ``references`` each briefing's rendered citations (see ``bibliography``), by slug.
    """
    references = references or {}
    renderer = FieldRenderer(site.config.trusted_html)
    reuse = _Made(made)
    diagnostics: list[Diagnostic] = []
    tips = {entry.id: entry.tip for entry in entries}
    published = [b for b in site.briefings if include_drafts or not b.draft]
    published.sort(key=lambda b: (b.date.sort_key(), b.title), reverse=True)  # newest first
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

    mentions: dict[str, list[MentionGroup]] = {}  # newest briefing first
    for briefing in published:
        doc = docs[briefing.slug]

        def groups(briefing=briefing, doc=doc) -> tuple[tuple[str, MentionGroup], ...]:
            numbers = {p.id: p.number for p in doc.paragraphs}
            return tuple((term_id, MentionGroup(briefing, tuple((pid, numbers[pid])
                                                                for pid in pids)))
                         for term_id, pids in doc.mentions.items())

        for term_id, group in reuse.get(("mentions", briefing.slug), (briefing, doc), groups):
            mentions.setdefault(term_id, []).append(group)

    term_views = []
    for term in sorted(site.terms, key=_sort_key):
        if term.id not in mentions and site.briefings and complete:
            diagnostics.append(Diagnostic(
                f"the glossary term '{term.id}' is never mentioned in a briefing", term.source,
                "add the form the briefing uses to its 'aliases', or remove the term",
                WARNING))
        related = tuple(terms_by_id[r] for r in term.related if r in terms_by_id)
        groups = tuple(mentions.get(term.id, ()))
        # Converted apart from the view, which a new mention of the term makes again.
        definition, later = reuse.get(
            ("definition", term.id), (term, renderer.trusted), lambda term=term: (
                renderer.html(term.definition),
                tuple((n.date, renderer.html(n.text)) for n in term.later)))
        term_views.append(reuse.get(
            ("term", term.id), (term, tips[term.id], related, groups, renderer.trusted),
            lambda term=term, related=related, groups=groups, definition=definition,
            later=later: TermView(term=term, tip=tips[term.id], definition_html=definition,
                                  later=later, related=related, mentions=groups)))
    used_terms = {t.id: reuse.get(("used", t.id), (t, tips[t.id]),
                                  lambda t=t: UsedTerm(t, tips[t.id])) for t in site.terms}

    similar = listings.related(
        published, {b.slug: frozenset(docs[b.slug].mentions) for b in published}, memo=memo)
    by_slug = {b.slug: b for b in published}
    views = []
    for briefing in published:
        doc = docs[briefing.slug]
        notes: dict[str, list[NoteView]] = {}
        for note in briefing.notes:
            hit = locate(note.quote, [briefing], note.source)
            if hit:
                notes.setdefault(hit.paragraph.id, []).append(
                    NoteView(note, renderer.html(note.text)))
        placed = events_by_paragraph.get(briefing.slug, {})
        inputs = (briefing, doc, site.config,
                  tuple((pid, tuple((n.note, n.html) for n in ns)) for pid, ns in notes.items()),
                  tuple((pid, tuple(events)) for pid, events in placed.items()),
                  tuple(by_slug[s] for s in similar[briefing.slug]),
                  tuple(used_terms[term_id] for term_id in doc.linked),
                  references.get(briefing.slug, NONE))
        views.append(reuse.get(("briefing", briefing.slug), inputs,
                               lambda inputs=inputs, notes=notes, placed=placed: _briefing_view(
                                   inputs[0], inputs[1], site, renderer, inputs[6], notes,
                                   placed, inputs[5], inputs[7])))
        diagnostics += _abbreviation_warnings(briefing, doc)

    event_views = []
    for e in sorted(site.events, key=lambda e: (e.date.sort_key(), e.title)):
        terms = tuple(terms_by_id[t] for t in e.terms if t in terms_by_id)
        place = event_places.get(e.id)
        discussed = () if place is None else (
            (place.briefing, ((place.paragraph.id, place.paragraph.number),)),)
        event_views.append(reuse.get(
            ("event", e.id), (e, terms, discussed, renderer.trusted),
            lambda e=e, terms=terms, discussed=discussed: EventView(
                event=e, description_html=renderer.html(e.description), terms=terms,
                discussed=tuple(MentionGroup(*group) for group in discussed))))

    def briefing_of(view: BriefingView) -> Briefing:
        return view.briefing

    def kept(key: tuple, value: T) -> T:  # a listing as the last build made it, if the same
        fields = tuple(getattr(value, f.name) for f in dataclasses.fields(value))
        return reuse.get(key, fields, lambda: value)

    mention_pages = [(view, kept(("page", page.path), page)) for view in term_views
                     if len(view.mentions) > MENTIONS_SHOWN
                     for page in listings.paginate(
                         view.mentions, MENTIONS_PER_PAGE, f"glossary/{view.term.id}.html",
                         f"glossary/{view.term.id}/page/{{}}.html")]
    enriched = Enriched(
        site, tuple(views), tuple(term_views), tuple(event_views), diagnostics,
        pages=[kept(("page", p.path), p) for p in listings.paginate(views,
                                                                    site.config.per_page)],
        years=listings.by_year(views, briefing_of),
        tags=[kept(("topic", g.slug), g) for g in listings.tags(views, briefing_of)],
        authors=[kept(("author", g.slug), g) for g in listings.authors(views, briefing_of)],
        mention_pages=mention_pages)
    reuse.done()
    return enriched


def _sort_key(term: Term) -> tuple[str, str]:
    return (sort_name(term).casefold(), term.id)


def _briefing_view(briefing, doc: Document, site: Site, renderer: FieldRenderer,
                   terms: tuple[UsedTerm, ...], notes, placed, related,
                   references: References = NONE) -> BriefingView:
    margins = []
    for _, paragraph_ids in doc.shapes:
        if not paragraph_ids or not (notes or placed):
            margins.append(((), ()))  # most blocks of most briefings: nothing beside them
            continue
        events = tuple(e for pid in paragraph_ids for e in placed.get(pid, ()))
        block_notes = tuple(n for pid in paragraph_ids for n in notes.get(pid, ()))
        margins.append((events, block_notes))
    summary_text = renderer.plain(briefing.summary) if briefing.summary else ""
    # The work's abstract in every export: its own, else the editorial summary.
    abstract = renderer.plain(briefing.abstract) if briefing.abstract else summary_text
    return BriefingView(
        briefing=briefing, document=doc, margins=tuple(margins), terms=terms,
        minutes=max(1, math.ceil(doc.words / site.config.words_per_minute)), words=doc.words,
        bios=tuple(renderer.html(a.bio) for a in briefing.authors if a.bio),
        disclaimer_html=renderer.html(briefing.disclaimer) if briefing.disclaimer else "",
        summary_html=renderer.inline_html(briefing.summary) if briefing.summary else "",
        summary_text=summary_text,
        citation=citation(briefing, site.config, abstract,
                          tuple(renderer.plain(c.text) for c in briefing.corrections)),
        related=related, references=references,
        corrections=tuple((c.date, renderer.html(c.text)) for c in briefing.corrections),
        modified=last_changed(briefing))


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
