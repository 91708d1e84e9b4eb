"""The files and data reference managers read: BibTeX, RIS, CSL-JSON and schema.org JSON-LD.

Pure functions of a ``cite.Reference``. Each kind of work (``cite.KINDS``) has its word in
each vocabulary, chosen by what Zotero, citation-js and Pandoc read from it (see README,
"Citing and finding a briefing"):

- a magazine article is ``MGZN`` in RIS and ``article-magazine`` in CSL-JSON, which all three
  read as a magazine article. BibTeX has no type they all read so: Zotero and citation-js
  read ``@article`` as a journal article whatever its ``entrysubtype`` (and APA then drops
  the month), ``@misc`` as a book or a bare document. ``@online`` is the one type all three
  read alike, as a web page, with its ``date`` to the month or day.
- a report is ``@report``, ``RPRT`` and ``report``; a journal article ``@article``, ``JOUR``
  and ``article-journal``.
"""

from __future__ import annotations

import json

from .chars import encode_url
from .cite import Reference, cite_key, split_name
from .model import Author

SCHEMA_TYPES = {"op-ed": "OpinionNewsArticle", "report": "Report"}
CSL_TYPES = {"magazine": "article-magazine", "report": "report", "journal": "article-journal"}
RIS_TYPES = {"magazine": "MGZN", "report": "RPRT", "journal": "JOUR"}
BIBTEX_TYPES = {"magazine": "online", "report": "report", "journal": "article"}
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")

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


def license_url(license: str) -> str:
    """A licence's address: its own, or its page in the SPDX list."""
    if license.startswith(("http://", "https://")):
        return license
    return f"https://spdx.org/licenses/{license}.html" if license else ""


def orcid_url(author: Author) -> str:
    return f"https://orcid.org/{author.orcid}" if author.orcid else ""


def bibtex(ref: Reference) -> str:
    """A BibLaTeX entry (UTF-8, as biber and modern BibTeX read it).

    Text fields are escaped by ``_BIBTEX_SPECIAL``; the address is a verbatim field in
    biblatex, so it is written as it is, with anything that could end the field
    percent-encoded (``encode_url``; an address that passed loading has none). A DOI, an
    ORCID iD and a licence have shapes that need no escaping (see ``scholarly``).
    """
    b = ref.briefing
    kind = BIBTEX_TYPES[ref.kind]
    names = [_tex(n.inverted) for n in ref.names]
    fields = [("author", " and ".join(names)), ("title", "{" + _tex(b.title) + "}")]
    orcids = [f"{i}=\"{a.orcid}\"" for i, a in enumerate(b.authors, 1) if a.orcid]
    if orcids:  # biblatex's annotation of a name, which citation-js reads as the ORCID
        fields.append(("author+an:orcid", "; ".join(orcids)))
    if kind == "online":
        # Pandoc reads an @online's site from journaltitle, citation-js from booktitle
        # (Zotero from either). No publisher: APA from @online would print it beside the
        # site, where the magazine reference the other files give has none.
        fields += [("journaltitle", _tex(ref.container)), ("booktitle", _tex(ref.container))]
    elif kind == "report":
        # biblatex's @report has no field for a number within the series: "Policy Brief
        # 12" stands whole in 'series', as APA prints it.
        fields += [("institution", _tex(ref.publisher)),
                   ("number", _tex(b.report_number)),
                   ("series", "{" + _tex(ref.series) + "}" if ref.series else "")]
    else:
        fields += [("journal", _tex(ref.container)), ("publisher", _tex(ref.publisher)),
                   ("year", str(ref.date.year))]
        if ref.date.month:  # the standard macro, for BibTeX styles that know no 'date'
            fields.append(("month", MONTH_MACROS[ref.date.month - 1]))
    fields += [("date", ref.date.iso()), ("doi", b.doi), ("url", encode_url(ref.url)),
               ("copyright", b.license),  # what Zotero imports as the item's rights
               ("language", _tex(ref.language)), ("abstract", _tex(ref.abstract)),
               ("keywords", _tex(", ".join(b.tags)))]
    body = ",\n".join(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
                      for name, value in fields if value)
    return f"@{kind}{{{cite_key(ref)},\n{body}\n}}\n"


def ris(ref: Reference) -> str:
    """An RIS record, the format EndNote, Zotero and Mendeley all import.

    A tag's value is one line (``_one_line``): a line break in a title or a name would
    otherwise start a line of its own, a forged tag or a second record. A report's series is
    its T2 and its number there NV, as the RIS specification has them; the report's own
    number is SN.
    """
    b, date = ref.briefing, ref.date
    ris_date = f"{date.year}/{date.month or '':0>2}/{date.day or '':0>2}/".replace("/00", "/")
    lines = [("TY", RIS_TYPES[ref.kind]), ("ID", cite_key(ref))]
    lines += [("AU", n.inverted) for n in ref.names]
    lines += [("TI", b.title)]
    if ref.kind == "report":
        lines += [("T2", b.series), ("NV", b.series_number), ("SN", b.report_number)]
    else:
        lines += [("T2", ref.container)]
    lines += [("PB", ref.publisher), ("PY", str(date.year)), ("DA", ris_date),
              ("DO", b.doi), ("UR", encode_url(ref.url)), ("LA", ref.language),
              ("AB", ref.abstract)]
    lines += [("KW", tag) for tag in b.tags]
    values = ((tag, _one_line(value)) for tag, value in lines)
    body = "".join(f"{tag}  - {value}\r\n" for tag, value in values if value)
    return body + "ER  - \r\n"


def csl_json(ref: Reference) -> str:
    """CSL-JSON, the format of citeproc processors and of Zotero's citation engine."""
    b = ref.briefing
    parts = [p for p in (ref.date.year, ref.date.month, ref.date.day) if p is not None]
    item = {
        "id": b.slug,
        "type": CSL_TYPES[ref.kind],
        "title": b.title,
        "author": [{"family": n.family, "given": n.given} for n in ref.names],
        "issued": {"date-parts": [parts]},
        "container-title": "" if ref.kind == "report" else ref.container,
        "collection-title": b.series,
        "collection-number": b.series_number,
        "number": b.report_number,
        "publisher": ref.publisher,
        "DOI": b.doi,
        "URL": ref.url,
        "license": b.license,
        "language": ref.language,
        "abstract": ref.abstract,
        "keyword": ", ".join(b.tags),
    }
    item = {key: value for key, value in item.items() if value not in ("", [], None)}
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def json_ld(ref: Reference, modified: str, corrections: tuple[tuple[str, str], ...]) -> dict:
    """schema.org metadata for the article page, as search engines and Zotero read it.

    Its address is the reference's: the original's for a republished briefing. ``modified``
    is the ISO date it last changed ("" if never); ``corrections`` are (ISO date, plain
    text) pairs.
    """
    b = ref.briefing
    publisher = {"@type": "Organization", "name": ref.publisher} if ref.publisher else None
    series = ({"@type": "CreativeWorkSeries", "name": b.series,
               **({"position": b.series_number} if b.series_number else {})}
              if b.series else None)
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(b.type, "ScholarlyArticle"),
        "headline": b.title,
        "name": b.title,
        "alternativeHeadline": b.subtitle,
        "description": ref.abstract,
        "datePublished": b.date.iso(),
        "dateModified": modified,
        "inLanguage": ref.language,
        "keywords": list(b.tags),
        "author": [_person(author) for author in b.authors],
        "publisher": publisher,
        "isPartOf": [part for part in (
            None if ref.kind == "report" else {
                "@type": "Periodical", "name": ref.container,
                **({"publisher": publisher} if publisher else {})}, series) if part],
        "identifier": ({"@type": "PropertyValue", "propertyID": "DOI", "value": b.doi,
                        "url": ref.doi_url} if b.doi else None),
        "reportNumber": b.report_number if b.type == "report" else "",
        "license": license_url(b.license),
        "correction": [{"@type": "CorrectionComment", "datePublished": date, "text": text}
                       for date, text in corrections],
        "url": ref.url,
        "mainEntityOfPage": ref.url,
    }
    if len(data["isPartOf"]) == 1:  # as before series: one thing it is part of
        data["isPartOf"] = data["isPartOf"][0]
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def _person(author: Author) -> dict:
    name = split_name(author)
    person = {"@type": "Person", "name": author.name, "givenName": name.given,
              "familyName": name.family, "honorificPrefix": author.honorific,
              "jobTitle": author.position,
              "affiliation": ({"@type": "Organization", "name": author.affiliation}
                              if author.affiliation else None),
              "sameAs": orcid_url(author)}
    return {key: value for key, value in person.items() if value}
