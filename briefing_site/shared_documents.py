"""Which briefings' citations can share one document of the CSL processor, unchanged.

Pandoc spends most of a briefing's citation time on what every document costs (reading the
style and the locale, setting up), not on its citations. Briefings whose citations cannot
influence each other's therefore go to the processor as one document, and each gets back
exactly what it would have got alone (tests/unit/test_csl.py renders both ways).

A document's citations influence each other through the works they cite, and only through
works that share a name: a CSL processor adds year suffixes (2022a), more names or initials
only to tell apart works whose authors, editors... are written alike, and a style that names
no one cites by title. So two briefings share a document only if they cite no work in
common (a work's first citation, "ibid." and "subsequent" forms depend on every earlier
citation of it) and no work of one shares a family name with a work of the other (works
without names count as sharing one). Only first names count where the style's
``givenname-disambiguation-rule`` expands no other (``primary-name``, ``by-cite``: cites
alike begin with the same name); with ``all-names`` every name does. Styles that number
works or notes across the document (``citation-number``, ``first-reference-note-number``)
never share one.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as etree
from functools import lru_cache

# More briefings in a document cost more than they save: measured on the bench corpus
# (ten citations each, APA), 100 briefings cost 12 ms each in documents of five, 14 ms in
# documents of ten, 33 ms alone.
MOST = 5
_WORD = re.compile(r"\w+")
_NO_NAMES = "\0anonymous"  # a word no name has: every work without names shares it
_NUMBERED = {"citation-number", "first-reference-note-number"}


@lru_cache(maxsize=8)
def sharing(style: str) -> str | None:
    """How briefings may share documents under the CSL style ``style`` (its XML): None (they
    may not), "first" (only the first name of a work's people counts) or "all"."""
    root = etree.fromstring(style.encode("utf-8"))
    if any(_NUMBERED & set(element.get("variable", "").split()) for element in root.iter()):
        return None
    rule = next((element.get("givenname-disambiguation-rule") for element in root
                 if element.tag.endswith("citation")), None) or "by-cite"
    return "all" if rule.startswith("all-names") else "first"


def names(item: dict, first: bool = False) -> frozenset[str]:
    """The words of the family names (and organisations) of a CSL-JSON item's people; with
    ``first``, of the first of each role's (the first author, the first editor...)."""
    words: set[str] = set()
    for value in item.values():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for name in value[:1] if first else value:
                for part in ("family", "literal", "non-dropping-particle"):
                    words.update(w.casefold() for w in _WORD.findall(str(name.get(part, ""))))
    return frozenset(words or {_NO_NAMES})


def groups(works: list[tuple[str, ...]], most: int = MOST, first: bool = False
           ) -> list[list[int]]:
    """The briefings (given by the CSL-JSON texts of the works each cites), as groups of
    their indices that may each be one document: no work, nor family name, in common
    (``first``: of first names only, see ``sharing``)."""
    memo: dict[str, tuple[str, frozenset[str]]] = {}
    open_groups: list[tuple[list[int], set[str], set[str]]] = []  # indices, keys, names
    done: list[list[int]] = []
    for index, texts in enumerate(works):
        keys, words = set(), set()
        for text in texts:
            if text not in memo:
                item = json.loads(text)
                memo[text] = (str(item.get("id")), names(item, first))
            key, its = memo[text]
            keys.add(key)
            words |= its
        for group in open_groups:
            if not (keys & group[1] or words & group[2]):
                break
        else:
            group = ([], set(), set())
            open_groups.append(group)
        group[0].append(index)
        group[1].update(keys)
        group[2].update(words)
        if len(group[0]) >= most:
            open_groups.remove(group)
            done.append(group[0])
    return sorted(done + [group[0] for group in open_groups])
