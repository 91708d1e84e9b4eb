"""The content model: plain, immutable records that loading fills and every later stage reads.

Relations between records are kept by key (a term's ``id``, a briefing's ``slug``), never by
object references, so records stay simple to build, compare and cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import SourceRef

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a year, a month or a day, and shown at exactly that precision."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """``2006``, ``2019-03`` or ``2022-01-05``: valid in ``<time datetime>`` and in exports."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def display(self) -> str:
        """``2006``, ``March 2019`` or ``5 January 2022``, independent of the machine's locale."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.day} {MONTHS[self.month - 1]} {self.year}"

    def sort_key(self) -> tuple[int, int, int]:
        """Less precise dates sort before more precise ones within the same period."""
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class Author:
    name: str
    honorific: str = ""
    position: str = ""
    affiliation: str = ""
    bio: str = ""  # Markdown
    orcid: str = ""  # 0000-0002-1825-0097, its checksum checked

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()


@dataclass(frozen=True)
class Sourced:
    """A short Markdown text pinned to a quote of a briefing (an editor's note)."""

    quote: str
    text: str  # Markdown
    sources: tuple[str, ...] = ()
    source: SourceRef | None = None


@dataclass(frozen=True)
class LaterNote:
    """What changed after the briefing's time, dated, so that nothing is silently rewritten."""

    date: PartialDate
    text: str  # Markdown


@dataclass(frozen=True)
class Briefing:
    slug: str
    title: str
    date: PartialDate
    body: str  # Markdown
    body_line: int  # the file's line on which ``body`` starts
    source: SourceRef
    subtitle: str = ""
    type: str = "op-ed"
    authors: tuple[Author, ...] = ()
    publication: str = ""
    publisher: str = ""
    original_url: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    disclaimer: str = ""  # Markdown
    language: str = ""
    draft: bool = False
    notes: tuple[Sourced, ...] = ()
    bibliography: tuple[str, ...] = ()  # its own bibliography files, from content/
    nocite: tuple[str, ...] = ()  # works in its references that it does not cite
    abstract: str = ""  # Markdown; the work's abstract in every export (else the summary)
    doi: str = ""  # 10.1234/abc, without https://doi.org/
    license: str = ""  # an SPDX identifier (CC-BY-4.0) or a URL
    report_number: str = ""
    series: str = ""  # the report series' title
    series_number: str = ""  # the briefing's number in it
    updated: PartialDate | None = None
    corrections: tuple[LaterNote, ...] = ()  # oldest first
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def last_changed(briefing: Briefing) -> PartialDate | None:
    """When a briefing last changed: the later of ``updated`` and its newest correction.
    (A function, not a property: templates read what enrichment computed from it.)"""
    dates = [d for d in (briefing.updated, *(c.date for c in briefing.corrections)) if d]
    return max(dates, key=PartialDate.sort_key) if dates else None


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    kind: str
    definition: str  # Markdown
    source: SourceRef
    full_name: str = ""
    native: str = ""
    aliases: tuple[str, ...] = ()
    short: str = ""  # plain text shown on hover; first sentence of the definition if unset
    related: tuple[str, ...] = ()
    later: tuple[LaterNote, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        """Every form in which the term is recognised in a briefing."""
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Event:
    id: str
    date: PartialDate
    title: str
    description: str  # Markdown
    source: SourceRef
    end: PartialDate | None = None
    country: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    locator: str = ""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str = ""
    language: str = "en"
    base_url: str = ""
    publisher: str = ""
    author: str = ""
    known_abbreviations: tuple[str, ...] = ()
    words_per_minute: int = 220
    trusted_html: bool = False  # skip sanitising raw HTML: every author is trusted
    per_page: int = 10  # briefings on each page of the home page
    citation_style: str = "apa"  # a name in csl.STYLES, or a .csl file in content/
    search: bool = True  # a search field on every page, and the index it reads


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    briefings: tuple[Briefing, ...]
    terms: tuple[Term, ...]
    events: tuple[Event, ...]
