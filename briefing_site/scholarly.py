"""The scholarly fields of a briefing's front matter: a DOI, the authors' ORCID iDs, a licence,
a report number and series, an update date and corrections. Each is checked as it is read, so
that what reference managers import is an identifier that resolves."""

from __future__ import annotations

import re
from typing import Any

from license_expression import ExpressionError, get_spdx_licensing

from .fields import Record
from .model import LaterNote, PartialDate
from .yamlsource import Mapping

FIELDS = ("abstract", "doi", "license", "report_number", "series", "updated", "corrections")
SERIES_FIELDS = ("title", "number")
CORRECTION_FIELDS = ("date", "note")

# Crossref's pattern for the DOIs it has registered (all but a few old ones): a prefix
# 10.NNNN and a suffix of letters, digits and -._;()/: only, so that a DOI can stand as it is
# in a page, a BibTeX field, an RIS line and a URL.
_DOI = re.compile(r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                 "http://dx.doi.org/", "doi:")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/")


def orcid_check_digit(digits: str) -> str:
    """The check character of the first fifteen digits of an ORCID iD (ISO 7064 MOD 11-2)."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def read_orcid(rec: Record) -> str:
    """An author's ``orcid``: the iD alone (``0000-0002-1825-0097``), its checksum checked."""
    value = rec.text("orcid")
    for prefix in _ORCID_PREFIXES:
        value = value.removeprefix(prefix)
    if not value:
        return ""
    if not _ORCID.fullmatch(value):
        rec.error("orcid", f"'orcid' {value!r} is not an ORCID iD",
                  "sixteen digits in groups of four, e.g. 0000-0002-1825-0097")
        return ""
    expected = orcid_check_digit(value.replace("-", "")[:15])
    if value[-1] != expected:
        rec.error("orcid", f"'orcid' {value} fails its checksum: the last character should "
                  f"be {expected}", "copy the iD from the author's record at orcid.org")
        return ""
    return value


def _doi(rec: Record) -> str:
    value = rec.text("doi")
    for prefix in _DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    if value and not _DOI.fullmatch(value):
        rec.error("doi", f"'doi' {value!r} is not a DOI",
                  "10., four to nine digits, '/' and the suffix, e.g. 10.1234/abc-5")
        return ""
    return value


_SPDX = get_spdx_licensing()


def _license(rec: Record) -> str:
    """An SPDX identifier, as SPDX spells it, or a web address."""
    value = rec.text("license")
    if not value or value.startswith(("http://", "https://")):
        return rec.url("license") if value else ""
    try:
        info = _SPDX.validate(value, strict=True)
    except ExpressionError:  # pragma: no cover - validate reports rather than raises
        info = None
    if info is None or info.errors or " " in value:
        rec.error("license", f"'license' {value!r} is not an SPDX licence identifier",
                  "an identifier from spdx.org/licenses such as CC-BY-4.0, or the "
                  "licence's web address")
        return ""
    return info.normalized_expression


def _series(rec: Record) -> tuple[str, str]:
    raw = rec.raw("series")
    if raw is None:
        return "", ""
    if not isinstance(raw, Mapping):
        rec.error("series", "'series' must be a mapping with 'title' and 'number'",
                  "e.g. series: {title: Policy Brief, number: 12}")
        return "", ""
    one = Record(raw, rec.where, "'series'", SERIES_FIELDS, rec.diagnostics)
    return one.text("title", required=True), one.text("number")


def _not_before(rec: Record, key: str, when: PartialDate | None,
                published: PartialDate | None) -> None:
    if when and published and when.sort_key() < published.sort_key():
        rec.error(key, f"'{key}' ({when}) is before the briefing's date ({published})")


def read(rec: Record, published: PartialDate | None) -> dict[str, Any]:
    """The scholarly fields of a briefing's front matter, as keyword arguments of
    ``Briefing``; each mistake is filed with its line."""
    updated = rec.date("updated")
    _not_before(rec, "updated", updated, published)
    corrections = []
    for entry in rec.mappings("corrections"):
        one = Record(entry, rec.where, "a correction", CORRECTION_FIELDS, rec.diagnostics)
        date, note = one.date("date", required=True), one.markdown("note", required=True)
        _not_before(one, "date", date, published)
        if date:
            corrections.append(LaterNote(date, note))
    series, number = _series(rec)
    return {"abstract": rec.markdown("abstract"), "doi": _doi(rec), "license": _license(rec),
            "report_number": rec.text("report_number"), "series": series,
            "series_number": number, "updated": updated,
            "corrections": tuple(sorted(corrections, key=lambda c: c.date.sort_key()))}
