"""How to cite a briefing: what a reference holds, and the reference styles a page shows.

Pure functions of the model. Dates keep their precision everywhere: a briefing dated
``2022-01`` is cited as January 2022, never as 1 January. The files reference managers import
are in ``exports``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import MONTHS, Author, Briefing, PartialDate, SiteConfig

# What kind of work each briefing type is: an article in an (online) magazine, a report, or
# otherwise an article in a journal. Each kind has its word in every vocabulary (see
# ``exports``), and APA dates a magazine article to the day, the others to the year.
KINDS = {"op-ed": "magazine", "report": "report"}

# Runs of text, each marked as italic or not, so templates can escape every piece themselves.
Styled = tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Name:
    given: str
    family: str

    @property
    def initials(self) -> str:
        """``Charles J.`` -> ``C. J.``; hyphenated names keep their hyphen (``K.-J.``)."""
        parts = []
        for word in self.given.split():
            pieces = [p for p in word.replace(".", " ").split("-") if p.strip()]
            parts.append("-".join(f"{p.strip()[0]}." for p in pieces))
        return " ".join(parts)

    @property
    def inverted(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def natural(self) -> str:
        return f"{self.given} {self.family}".strip()


def split_name(author: Author) -> Name:
    """``Charles J. Sullivan`` or ``Sullivan, Charles J.``: the family name is written last,
    or first before a comma."""
    if "," in author.name:
        family, given = (part.strip() for part in author.name.split(",", 1))
        return Name(given, family)
    words = author.name.split()
    return Name(" ".join(words[:-1]), words[-1] if words else "")


@dataclass(frozen=True)
class Reference:
    """Everything a citation needs, gathered once from a briefing and the site settings."""

    briefing: Briefing
    names: tuple[Name, ...]
    url: str  # where readers find it: the original publication's address, else this site's
    container: str  # the journal, magazine or site it appears in
    publisher: str
    language: str
    abstract: str  # the abstract as plain text: ``abstract``, else the summary

    @property
    def date(self) -> PartialDate:
        return self.briefing.date

    @property
    def kind(self) -> str:
        """``magazine``, ``report`` or ``journal`` (see KINDS)."""
        return KINDS.get(self.briefing.type, "journal")

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.briefing.doi}" if self.briefing.doi else ""

    @property
    def link(self) -> str:
        """What a reference ends with: the DOI as a link when there is one (APA and Chicago
        both prefer it), else the address."""
        return self.doi_url or self.url

    @property
    def series(self) -> str:
        """``Policy Brief 12``: the series and the briefing's number in it."""
        return f"{self.briefing.series} {self.briefing.series_number}".strip()


def reference(briefing: Briefing, config: SiteConfig, url: str, abstract: str) -> Reference:
    return Reference(
        briefing=briefing, names=tuple(split_name(a) for a in briefing.authors),
        url=url, container=briefing.publication or config.title,
        publisher=briefing.publisher or config.publisher,
        language=briefing.language or config.language, abstract=abstract)


def _join(items: list[str], last: str) -> str:
    if len(items) <= 2:
        return f" {last} ".join(items)
    return ", ".join(items[:-1]) + f", {last} " + items[-1]


def _end(text: str, mark: str = ".") -> str:
    """Close a sentence without doubling its punctuation (``Dr.``, ``Crisis?``)."""
    return text if text.endswith((".", "?", "!")) else text + mark


def apa(ref: Reference) -> Styled:
    """APA 7th edition, as its official CSL style renders the same reference:

    - a magazine article: Family, I. I. (Year, Month Day). Title. *Magazine*. Link
    - a journal article: Family, I. I. (Year). Title. *Journal*. Link
    - a report: Family, I. I. (Year). *Title* (No. 12; Series 3). Publisher. Link
    """
    names = [f"{n.family}, {n.initials}".rstrip(", ") for n in ref.names[:20]]
    authors = (", ".join(names[:-1]) + ", & " + names[-1]) if len(names) > 1 else "".join(names)
    date = str(ref.date.year)
    if ref.date.month and ref.kind == "magazine":
        date += f", {MONTHS[ref.date.month - 1]}"
        if ref.date.day:
            date += f" {ref.date.day}"
    link = f" {ref.link}" if ref.link else ""
    if ref.kind == "report":
        number = ref.briefing.report_number
        details = (f"No. {number}" if number.isdigit() else number, ref.series)
        shown = "; ".join(d for d in details if d)
        title = ref.briefing.title
        ending = _end(title + (f" ({shown})" if shown else ""))[len(title):]
        rest = (f" {_end(ref.publisher)}" if ref.publisher else "") + link
        if not authors:  # the title takes the authors' place
            return ((title, True), (f"{ending} ({date}).{rest}", False))
        return ((f"{_end(authors)} ({date}). ", False), (title, True), (ending + rest, False))
    title = _end(ref.briefing.title)
    head = f"{_end(authors)} ({date}). {title} " if authors else f"{title} ({date}). "
    return ((head, False), (ref.container, True), ("." + link, False))


def _chicago_date(date: PartialDate) -> str:
    if date.month is None:
        return str(date.year)
    month = MONTHS[date.month - 1]
    return f"{month} {date.day}, {date.year}" if date.day else f"{month} {date.year}"


def chicago_note(ref: Reference) -> Styled:
    """Chicago notes and bibliography, the note: Given Family, “Title,” *Container*, Date, URL."""
    names = [n.natural for n in ref.names]
    authors = names[0] + " et al." if len(names) > 3 else _join(names, "and")
    title = ref.briefing.title
    quoted = f"“{title}”" if title.endswith(("?", "!")) else f"“{title},”"
    head = f"{authors}, {quoted} " if authors else f"{quoted} "
    tail = f", {_chicago_date(ref.date)}" + (f", {ref.link}." if ref.link else ".")
    return ((head, False), (ref.container, True), (tail, False))


def chicago_bibliography(ref: Reference) -> Styled:
    """Chicago, the bibliography entry: Family, Given. “Title.” *Container*, Date. URL."""
    names = [n.inverted if i == 0 else n.natural for i, n in enumerate(ref.names[:10])]
    # The first name is inverted, so even two authors take a comma: "Bo, Ann, and Cy Do".
    authors = (f"{names[0]}, and {names[1]}" if len(names) == 2 else _join(names, "and"))
    authors += ", et al" if len(ref.names) > 10 else ""
    head = (f"{_end(authors)} " if authors else "") + f"“{_end(ref.briefing.title)}” "
    tail = f", {_chicago_date(ref.date)}." + (f" {ref.link}." if ref.link else "")
    return ((head, False), (ref.container, True), (tail, False))


def plain(styled: Styled) -> str:
    return "".join(text for text, _ in styled)


def cite_key(ref: Reference) -> str:
    """``sullivan2022emergency``: family name, year, first long word of the title."""
    family = ref.names[0].family if ref.names else ""
    word = next((w for w in ref.briefing.slug.split("-") if len(w) > 3), ref.briefing.slug)
    key = "".join(ch for ch in f"{family}{ref.date.year}{word}".lower() if ch.isalnum())
    return key.encode("ascii", "ignore").decode() or ref.briefing.slug
