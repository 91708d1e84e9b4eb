"""Checks across content files. Pure: each returns every problem it finds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .errors import Diagnostic, SourceRef
from .model import Site


def _duplicates(items: Iterable[tuple[str, SourceRef]], what: str) -> list[Diagnostic]:
    first: dict[str, SourceRef] = {}
    problems = []
    for key, where in items:
        if not key:
            continue
        if key in first:
            problems.append(Diagnostic(f"duplicate {what} '{key}'", where,
                                       f"already used at {first[key]}"))
        else:
            first[key] = where
    return problems


def validate(site: Site, check_references: bool = True) -> list[Diagnostic]:
    """Duplicate slugs, DOIs, ids and aliases; references to glossary ids that do not exist.

    ``check_references`` is off when the glossary could not be read, since every reference
    would then look unknown.
    """
    problems = []
    problems += _duplicates(((b.slug, b.source) for b in site.briefings), "briefing slug")
    # A DOI names one work: two briefings with one would be merged by every reference manager.
    problems += _duplicates(((b.doi.lower(), b.source) for b in site.briefings), "DOI")
    problems += _duplicates(((t.id, t.source) for t in site.terms), "glossary id")
    problems += _duplicates(((e.id, e.source) for e in site.events), "timeline event id")

    owner: dict[str, tuple[str, SourceRef]] = {}
    for term in site.terms:
        for form in dict.fromkeys(term.forms):
            if form in owner and owner[form][0] != term.id:
                problems.append(Diagnostic(
                    f"'{form}' is claimed by two glossary terms, '{owner[form][0]}' and "
                    f"'{term.id}'", term.source, f"first claimed at {owner[form][1]}"))
            owner.setdefault(form, (term.id, term.source))

    if not check_references:
        return problems
    known = {term.id for term in site.terms}
    for term in site.terms:
        problems += _unknown_ids(term.related, known, term.source, f"term '{term.id}'")
    for event in site.events:
        problems += _unknown_ids(event.terms, known, event.source, f"event '{event.title}'")
    return problems


def _unknown_ids(ids: Iterable[str], known: set[str], where: SourceRef,
                 owner: str) -> list[Diagnostic]:

    problems = []
    for term_id in ids:
        if term_id not in known:
            close = difflib.get_close_matches(term_id, sorted(known), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "add it to glossary.yml"
            problems.append(Diagnostic(f"{owner} refers to unknown glossary id '{term_id}'",
                                       where, hint))
    return problems
