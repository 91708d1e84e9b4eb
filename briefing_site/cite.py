"""How to cite a briefing: reference styles, export files and machine-readable metadata.

Pure functions of the model. Dates keep their precision everywhere: a briefing dated
``2022-01`` is cited as January 2022, never as 1 January.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .chars import encode_url
from .model import MONTHS, Author, Briefing, PartialDate, SiteConfig

# What each briefing type is in the vocabularies that reference managers read.
SCHEMA_TYPES = {"op-ed": "OpinionNewsArticle", "report": "Report"}
CSL_TYPES = {"op-ed": "article-magazine", "report": "report"}
RIS_TYPES = {"op-ed": "MGZN", "report": "RPRT"}
BIBTEX_TYPES = {"report": "techreport"}
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")

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
    abstract: str  # the summary as plain text

    @property
    def date(self) -> PartialDate:
        return self.briefing.date


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
    """APA 7th edition: Family, I. I. (Year, Month Day). Title. *Container*. URL"""
    names = [f"{n.family}, {n.initials}".rstrip(", ") for n in ref.names[:20]]
    authors = (", ".join(names[:-1]) + ", & " + names[-1]) if len(names) > 1 else "".join(names)
    date = str(ref.date.year)
    if ref.date.month:
        date += f", {MONTHS[ref.date.month - 1]}"
        if ref.date.day:
            date += f" {ref.date.day}"
    title = _end(ref.briefing.title)
    head = f"{_end(authors)} ({date}). {title} " if authors else f"{title} ({date}). "
    tail = f". {ref.url}" if ref.url else "."
    return ((head, False), (ref.container, True), (tail, False))


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
    tail = f", {_chicago_date(ref.date)}" + (f", {ref.url}." if ref.url else ".")
    return ((head, False), (ref.container, True), (tail, False))


def chicago_bibliography(ref: Reference) -> Styled:
    """Chicago, the bibliography entry: Family, Given. “Title.” *Container*, Date. URL."""
    names = [n.inverted if i == 0 else n.natural for i, n in enumerate(ref.names[:10])]
    # The first name is inverted, so even two authors take a comma: "Bo, Ann, and Cy Do".
    authors = (f"{names[0]}, and {names[1]}" if len(names) == 2 else _join(names, "and"))
    authors += ", et al" if len(ref.names) > 10 else ""
    head = (f"{_end(authors)} " if authors else "") + f"“{_end(ref.briefing.title)}” "
    tail = f", {_chicago_date(ref.date)}." + (f" {ref.url}." if ref.url else "")
    return ((head, False), (ref.container, True), (tail, False))


def plain(styled: Styled) -> str:
    return "".join(text for text, _ in styled)


def cite_key(ref: Reference) -> str:
    """``sullivan2022emergency``: family name, year, first long word of the title."""
    family = ref.names[0].family if ref.names else ""
    word = next((w for w in ref.briefing.slug.split("-") if len(w) > 3), ref.briefing.slug)
    key = "".join(ch for ch in f"{family}{ref.date.year}{word}".lower() if ch.isalnum())
    return key.encode("ascii", "ignore").decode() or ref.briefing.slug


# How content is written in a BibTeX field, so that no text can end the field or the entry,
# or run a TeX command. BibTeX (and biber) find a field's end by counting braces, escaped or
# not: \} closes a field as surely as } does, and what follows the entry's end is read as a
# new entry, @preamble{...} included, whose TeX LaTeX runs. So every character TeX reads as
# markup becomes a command of its own whose braces are balanced (a brace is
# \textbraceright{}, never \}): the only braces in the file are the writer's, and the only
# backslashes start these commands.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}",
                   "}": r"\textbraceright{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                   "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _one_line(text: str) -> str:
    """Every run of whitespace as one space: a line break cannot start a new line of an RIS
    record (a forged tag, a second record), nor a blank line end a TeX paragraph inside a
    BibTeX field."""
    return " ".join(text.split())


def _tex(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in _one_line(text))


def bibtex(ref: Reference) -> str:
    """A BibTeX entry (UTF-8, as biber and modern BibTeX read it).

    Text fields are escaped by ``_BIBTEX_SPECIAL``; the address is a verbatim field in
    biblatex, so it is written as it is, with anything that could end the field
    percent-encoded (``encode_url``; an address that passed loading has none).
    """
    kind = BIBTEX_TYPES.get(ref.briefing.type, "article")
    fields = [("author", " and ".join(_tex(n.inverted) for n in ref.names)),
              ("title", "{" + _tex(ref.briefing.title) + "}"),
              ("journal" if kind == "article" else "institution", _tex(ref.container)),
              ("publisher", _tex(ref.publisher)),
              ("year", str(ref.date.year))]
    if ref.date.day:
        fields.append(("day", str(ref.date.day)))
    fields += [("date", ref.date.iso()), ("url", encode_url(ref.url)),
               ("language", _tex(ref.language)), ("abstract", _tex(ref.abstract)),
               ("keywords", _tex(", ".join(ref.briefing.tags)))]
    lines = [f"  {name} = {{{value}}}" for name, value in fields if value]
    if ref.date.month:  # the standard three-letter macro, which every BibTeX style knows
        lines.insert(5, f"  month = {MONTH_MACROS[ref.date.month - 1]}")
    body = ",\n".join(lines)
    return f"@{kind}{{{cite_key(ref)},\n{body}\n}}\n"


def ris(ref: Reference) -> str:
    """An RIS record, the format EndNote, Zotero and Mendeley all import.

    A tag's value is one line (``_one_line``): a line break in a title or a name would
    otherwise start a line of its own, a forged tag or a second record.
    """
    date = ref.date
    ris_date = f"{date.year}/{date.month or '':0>2}/{date.day or '':0>2}/".replace("/00", "/")
    lines = [("TY", RIS_TYPES.get(ref.briefing.type, "JOUR"))]
    lines += [("AU", n.inverted) for n in ref.names]
    lines += [("TI", ref.briefing.title), ("T2", ref.container), ("PB", ref.publisher),
              ("PY", str(date.year)), ("DA", ris_date), ("UR", encode_url(ref.url)),
              ("LA", ref.language), ("AB", ref.abstract)]
    lines += [("KW", tag) for tag in ref.briefing.tags]
    values = ((tag, _one_line(value)) for tag, value in lines)
    body = "".join(f"{tag}  - {value}\r\n" for tag, value in values if value)
    return body + "ER  - \r\n"


def csl_json(ref: Reference) -> str:
    """CSL-JSON, the format of citeproc processors and of Zotero's citation engine."""
    parts = [p for p in (ref.date.year, ref.date.month, ref.date.day) if p is not None]
    item = {
        "id": ref.briefing.slug,
        "type": CSL_TYPES.get(ref.briefing.type, "article-journal"),
        "title": ref.briefing.title,
        "author": [{"family": n.family, "given": n.given} for n in ref.names],
        "issued": {"date-parts": [parts]},
        "container-title": ref.container,
        "publisher": ref.publisher,
        "URL": ref.url,
        "language": ref.language,
        "abstract": ref.abstract,
        "keyword": ", ".join(ref.briefing.tags),
    }
    item = {key: value for key, value in item.items() if value not in ("", [], None)}
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def json_ld(ref: Reference) -> dict:
    """schema.org metadata for the article page, as search engines and Zotero read it.

    Its address is the reference's: the original's for a republished briefing."""
    b = ref.briefing
    publisher = {"@type": "Organization", "name": ref.publisher} if ref.publisher else None
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(b.type, "ScholarlyArticle"),
        "headline": b.title,
        "name": b.title,
        "alternativeHeadline": b.subtitle,
        "description": ref.abstract,
        "datePublished": b.date.iso(),
        "inLanguage": ref.language,
        "keywords": list(b.tags),
        "author": [_person(author) for author in b.authors],
        "publisher": publisher,
        "isPartOf": {"@type": "Periodical", "name": ref.container,
                     **({"publisher": publisher} if publisher else {})},
        "url": ref.url,
        "mainEntityOfPage": ref.url,
    }
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def _person(author: Author) -> dict:
    name = split_name(author)
    person = {"@type": "Person", "name": author.name, "givenName": name.given,
              "familyName": name.family, "honorificPrefix": author.honorific,
              "jobTitle": author.position,
              "affiliation": ({"@type": "Organization", "name": author.affiliation}
                              if author.affiliation else None)}
    return {key: value for key, value in person.items() if value}
