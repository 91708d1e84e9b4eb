"""The site's search index, written at build time in MiniSearch's serialised format.

The reader's browser runs MiniSearch (vendored in ``templates/assets/minisearch``) on an
index this module writes, so that no Node is needed to build and nothing is served but files:

- ``search/index.js``: what every query needs (MiniSearch's ``loadJSON`` format without its
  terms: the documents, their field lengths and what a result shows);
- ``search/<shard>.js``: the index's terms, split by their first letter (``shard_of``), so
  that a query loads the index of the words it has and no more;
- ``search/text/<slug>.js``: a briefing's paragraphs, loaded for the briefings a query
  shows, to cut a snippet from the paragraph that matched.

Each is a plain script (``briefingSearch.base(...)`` and so on): pages opened from disk cannot
``fetch``. A document is a briefing (its title and subtitle; its summary and paragraphs), a
glossary term (its term; full name, aliases and native spelling; its hint) or a timeline
event (its title; its description). Words are split and folded here exactly as
``templates/assets/search.js`` splits and folds a query (``tokenize``, ``process_term``); the
tests check this writer against MiniSearch's own indexing of the same documents.

Analysing a document is the costly part: ``corpus`` keeps each document's analysis in
``memo`` by a digest of all it reads, so that an edit analyses again only what it changed.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from .markup import FieldRenderer
from .views import Enriched

FIELDS = ("title", "names", "text")
MEMO_PREFIX = "search/"
# Words too common to find anything by, left out of the index and of queries alike (the
# same list is in search.js). They still count in a field's length, as MiniSearch counts.
STOP_WORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will",
    "with"])


class _Separators(dict):
    """``str.translate`` table: anything but a letter, mark or digit becomes a space (as the
    ``[^\\p{L}\\p{M}\\p{N}]`` of search.js), each character classified once."""

    def __missing__(self, code: int) -> str:
        character = chr(code)
        self[code] = found = character if unicodedata.category(character)[0] in "LMN" else " "
        return found


_SEPARATORS = _Separators()


def tokenize(text: str) -> list[str]:
    """The words of ``text``: runs of letters, marks and digits."""
    return text.translate(_SEPARATORS).split()


def process_term(word: str) -> str | None:
    """A word as the index keeps it: lower case, accents and other marks dropped (Cyrillic
    й and ё too), None for a stop word."""
    folded = "".join(c for c in unicodedata.normalize("NFD", word.lower())
                     if unicodedata.category(c)[0] != "M")
    return None if not folded or folded in STOP_WORDS else folded


def shard_of(term: str) -> str:
    """Which file a term's entry is in: its first letter, a-z; ``0`` for digits; otherwise
    ``u`` and a bucket of its first character's code point."""
    first = term[0]
    if "a" <= first <= "z":
        return first
    if "0" <= first <= "9":
        return "0"
    return f"u{ord(first) % 8}"


@dataclass(frozen=True)
class Entry:
    """One document as analysed: what a result shows and the terms of each field."""

    key: str  # a digest of everything the rest is made from (track stamps it by this)
    stored: tuple[tuple[str, str], ...]  # what a result shows, as (name, text)
    lengths: tuple[int, ...]  # distinct words of each field, as MiniSearch counts them
    shards: dict[str, tuple[tuple[str, tuple[tuple[int, int], ...]], ...]]
    # by shard: (term, ((field, times), ...)), terms in order


def _analyse(fields: tuple[str, ...]) -> tuple[tuple[int, ...], dict]:
    lengths, found = [], {}
    for number, text in enumerate(fields):
        words = tokenize(text)
        lengths.append(len(set(words)))
        for word in words:
            term = process_term(word)
            if term is not None:
                counts = found.setdefault(term, {})
                counts[number] = counts.get(number, 0) + 1
    shards: dict[str, list] = {}
    for term in sorted(found):
        shards.setdefault(shard_of(term), []).append((term, tuple(sorted(found[term].items()))))
    return tuple(lengths), {shard: tuple(terms) for shard, terms in shards.items()}


def _documents(data: Enriched, renderer: FieldRenderer) -> Iterable[tuple[tuple, tuple]]:
    """(what a result shows, the text of each field) of every document, in order."""
    for view in data.briefings:
        briefing = view.briefing
        yield (("k", "b"), ("t", briefing.title), ("d", briefing.date.display()),
               ("u", view.url), ("s", briefing.slug)), (
            f"{briefing.title} {briefing.subtitle}", "",
            "\n".join([view.summary_text, *view.document.texts]))
    for view in data.terms:
        term = view.term
        names = [term.full_name, *term.aliases, term.native]
        yield (("k", "t"), ("t", term.term), ("f", term.full_name),
               ("a", ", ".join(term.aliases)), ("n", term.native),
               ("u", f"glossary.html#{term.id}")), (term.term, "\n".join(names), view.tip)
    for view in data.events:
        event = view.event
        yield (("k", "e"), ("t", renderer.plain(event.title)), ("d", event.date.display()),
               ("u", f"timeline.html#{event.id}")), (
            renderer.plain(event.title), "", renderer.plain(event.description))


def corpus(data: Enriched, renderer: FieldRenderer,
           memo: MutableMapping[str, object] | None = None) -> tuple[Entry, ...]:
    """Every document of the site analysed, briefings (newest first), terms, events.

    ``memo`` keeps each analysis from one build to the next, by a digest of its inputs.
    """
    memo = {} if memo is None else memo
    entries, used = [], set()
    for stored, fields in _documents(data, renderer):
        digest = hashlib.blake2b(repr((stored, fields)).encode("utf-8", "surrogatepass"),
                                 digest_size=16).hexdigest()
        key = MEMO_PREFIX + digest
        if key not in memo:
            memo[key] = _analyse(fields)
        used.add(key)
        lengths, shards = memo[key]
        entries.append(Entry(digest, stored, lengths, shards))
    for stale in [k for k in memo if k.startswith(MEMO_PREFIX) and k not in used]:
        del memo[stale]
    return tuple(entries)


def shards(entries: tuple[Entry, ...]) -> list[str]:
    """The shards that have any term, in order."""
    return sorted({shard for entry in entries for shard in entry.shards})


def _script(call: str, value: Any, name: str = "") -> bytes:
    """``call('name', '<value as JSON>');``: a JSON string in a script, which JSON.parse
    reads faster than the same value written as a JavaScript literal. (``name`` is a slug or
    a shard's name: nothing to escape.)"""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("\\", "\\\\").replace("'", "\\'") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    first = f"'{name}'," if name else ""
    return f"{call}({first}'{text}');\n".encode("utf-8", "surrogatepass")


def base(entries: tuple[Entry, ...]) -> dict[str, Any]:
    """MiniSearch's serialised index of ``entries`` (``toJSON``) without its terms, and the
    list of shards that hold them."""
    averages = [0.0] * len(FIELDS)
    for count, entry in enumerate(entries):
        for field, length in enumerate(entry.lengths):
            # Summed as MiniSearch sums (addFieldLength), so that the scores are its own.
            averages[field] = (averages[field] * count + length) / (count + 1)
    return {
        "documentCount": len(entries),
        "nextId": len(entries),
        "documentIds": {str(n): n for n in range(len(entries))},
        "fieldIds": {name: n for n, name in enumerate(FIELDS)},
        "fieldLength": {str(n): list(entry.lengths) for n, entry in enumerate(entries)},
        "averageFieldLength": averages,
        "storedFields": {str(n): dict(entry.stored) for n, entry in enumerate(entries)},
        "dirtCount": 0,
        "index": [],
        "serializationVersion": 2,
        "shards": shards(entries),
    }


def terms(entries: tuple[Entry, ...], shard: str) -> list:
    """The serialised index's terms that are in ``shard`` (``toJSON``'s ``index``)."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for number, entry in enumerate(entries):
        for term, counts in entry.shards.get(shard, ()):
            fields = found.setdefault(term, {})
            for field, times in counts:
                fields.setdefault(str(field), {})[str(number)] = times
    return [[term, found[term]] for term in sorted(found)]


def index_script(context: dict[str, Any]) -> bytes:
    """``search/index.js``."""
    return _script("briefingSearch.base", base(context["entries"]))


def shard_script(context: dict[str, Any]) -> bytes:
    """``search/<shard>.js``."""
    shard = context["shard"]
    return _script("briefingSearch.shard", terms(context["entries"], shard), shard)


def text_script(context: dict[str, Any]) -> bytes:
    """``search/text/<slug>.js``: a briefing's paragraphs as (anchor, text)."""
    view = context["view"]
    document = view.document
    paragraphs = [[anchor.id, text] for anchor, text in zip(document.paragraphs,
                                                            document.texts, strict=True)]
    return _script("briefingSearch.text", paragraphs, view.briefing.slug)
