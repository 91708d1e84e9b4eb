"""The site's search index, written at build time for MiniSearch.

The reader's browser runs MiniSearch (vendored in ``templates/assets/minisearch``) on an
index this module writes, so that no Node is needed to build and nothing is served but files:

- ``search/index.js``: what every query needs (MiniSearch's ``loadJSON`` format without its
  terms: the documents, their field lengths and what a result shows);
- ``search/<shard>.js``: the index's terms, split by their first letter (``shard_of``), so
  that a query loads the index of the words it has and no more. A shard lists each
  document's words (see ``Terms``), not MiniSearch's each word's documents: its file is
  then the analyses joined, with no work (the reader's browser turns it round, see
  ``index`` in search-ui.js), and smaller;
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

import bisect
import collections
import hashlib
import itertools
import json
import marshal
import re
import unicodedata
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from .markup import FieldRenderer
from .views import Enriched
from .workers import can_fork, pool

FIELDS = ("title", "names", "text")
MEMO_PREFIX = "search/"
# Words too common to find anything by, left out of the index and of queries alike (the
# same list is in search.js). They still count in a field's length, as MiniSearch counts.
STOP_WORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in",
    "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will",
    "with"])


class _Folding(dict):
    """``str.translate`` table of decomposed text: marks dropped, and anything else but a
    letter or digit a space (as search.js folds), each character classified once."""

    def __missing__(self, code: int) -> str:
        character = chr(code)
        kind = unicodedata.category(character)[0]
        self[code] = found = "" if kind == "M" else character if kind in "LN" else " "
        return found


_FOLDING = _Folding()
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORDS = re.compile(r"[0-9a-z\x80-\U0010ffff]+")  # (once the rest is folded)


def tokenize(text: str) -> list[str]:
    """The words of ``text`` as the index keeps them: in lower case, with accents and other
    marks dropped (Cyrillic й and ё too), split at anything but a letter or a digit. (The
    whole text at once, and what is not ASCII through the table: each word or character
    on its own would cost many times as much.)"""
    text = unicodedata.normalize("NFD", text.lower())
    if not text.isascii():
        text = _NOT_ASCII.sub(lambda run: run.group().translate(_FOLDING), text)
    return _WORDS.findall(text)


def process_term(word: str) -> str | None:
    """A word as the index keeps it (see ``tokenize``), or None for a stop word."""
    return None if word in STOP_WORDS else word


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
    """One document as ``search/index.js`` has it: what a result shows, and its length."""

    stored: tuple[tuple[str, str], ...]  # what a result shows, as (name, text)
    lengths: tuple[int, ...]  # distinct words of each field, as MiniSearch counts them


# Of each field of a document, its words in one shard and how many times each is in it, as
# the shard's file has them: for each field two JSON strings, the words and the numbers, each
# space-separated, UTF-8 (``"castling move","1 2","","",...``). Words need no escaping, in
# JSON or in the script's quotes: tokenize leaves nothing in them but letters and digits.
# Bytes, because the cache keeps every document's: a pickle of bytes loads in a blink.
Terms = bytes


@dataclass(frozen=True)
class Part:
    """The terms of one document that are in one shard: what that shard's file has of it.

    Stamped (see ``stamps.SPELT``) by its number and ``digest``, a digest of ``terms``: a
    shard's file is written again only when the terms it has of some document change."""

    number: int  # the document's, in the index
    digest: str
    terms: Terms


@dataclass(frozen=True)
class Shard:
    """The parts of one shard's file, in order. Stamped (see ``stamps.SPELT``) by its name and
    ``digest``, a digest of its parts' numbers and digests: recording that a file read a
    thousand parts costs one stamp, not a thousand."""

    name: str
    digest: str
    parts: tuple[Part, ...]


def _analyse(fields: tuple[str, ...]) -> tuple[tuple[int, ...], dict[str, tuple[str, Terms]]]:
    """A document's length in each field, and its terms by shard, each with their digest."""
    lengths, shards = [], {}
    for number, text in enumerate(fields):
        words = collections.Counter(tokenize(text))
        lengths.append(len(words))  # stop words included, as MiniSearch counts
        for stop in STOP_WORDS & words.keys():
            del words[stop]
        for shard, terms in _by_shard(words):
            shards.setdefault(shard, [("", "")] * len(fields))[number] = terms
    kept = {shard: ('"' + '","'.join(itertools.chain.from_iterable(terms)) + '"').encode()
            for shard, terms in sorted(shards.items())}
    return tuple(lengths), {shard: (_digest(terms), terms) for shard, terms in kept.items()}


_LETTERS = [chr(code) for code in range(ord("a"), ord("z") + 2)]


def _by_shard(counts: dict[str, int]) -> Iterable[tuple[str, tuple[str, str]]]:
    """The words and their times of each shard, each space-separated: digits and a-z cut
    from the sorted terms (all in C: a Python loop over each term costs twice as much), the
    rest one by one."""
    terms = sorted(counts)
    times = counts.__getitem__

    def joined(cut: list[str]) -> tuple[str, str]:
        return " ".join(cut), " ".join(map(str, map(times, cut)))

    start = bisect.bisect_left(terms, "a")
    if start:
        yield "0", joined(terms[:start])
    for letter, following in itertools.pairwise(_LETTERS):
        end = bisect.bisect_left(terms, following, start)
        if end > start:
            yield letter, joined(terms[start:end])
        start = end
    rest: dict[str, list[str]] = {}
    for term in terms[start:]:
        rest.setdefault(shard_of(term), []).append(term)
    for shard in sorted(rest):
        yield shard, joined(rest[shard])


def _digest(value: object) -> str:
    """A digest of texts and numbers (marshal's version 2 shares nothing: equal values give
    equal bytes)."""
    return hashlib.blake2b(marshal.dumps(value, 2), digest_size=16).hexdigest()


def _sources(data: Enriched, renderer: FieldRenderer) -> Iterable[tuple[tuple, Any, Any]]:
    """(what a result shows, what its fields are made of, a function that makes them) of
    every document, in order. A briefing's paragraphs are unpacked, and an event's
    description converted, only to be analysed: what they are made of tells whether they
    changed."""
    for view in data.briefings:
        briefing, document = view.briefing, view.document
        title = f"{briefing.title} {briefing.subtitle}"
        yield (("k", "b"), ("t", briefing.title), ("d", briefing.date.display()),
               ("u", view.url), ("s", briefing.slug)), (
            title, view.summary_text, document.packed_texts), (
            lambda title=title, view=view: (title, "", "\n".join(
                [view.summary_text, *view.document.texts])))
    for view in data.terms:
        term = view.term
        names = [term.full_name, *term.aliases, term.native]
        fields = (term.term, "\n".join(names), view.tip)
        yield (("k", "t"), ("t", term.term), ("f", term.full_name),
               ("a", ", ".join(term.aliases)), ("n", term.native),
               ("u", f"glossary.html#{term.id}")), fields, lambda fields=fields: fields
    for view in data.events:
        event = view.event
        title = renderer.plain(event.title)  # (a title is nearly always plain: no Markdown)
        yield (("k", "e"), ("t", title), ("d", event.date.display()),
               ("u", f"timeline.html#{event.id}")), (title, event.description), (
            lambda title=title, event=event: (title, "", renderer.plain(event.description)))


def documents(data: Enriched, renderer: FieldRenderer) -> list[tuple[tuple, tuple]]:
    """(what a result shows, the text of each field) of every document, in order."""
    return [(stored, make()) for stored, _, make in _sources(data, renderer)]


@dataclass(frozen=True)
class Corpus:
    """Every document of the site analysed: briefings (newest first), terms, events."""

    entries: tuple[Entry, ...]
    shards: tuple[Shard, ...]  # by name


def corpus(data: Enriched, renderer: FieldRenderer,
           memo: MutableMapping[str, object] | None = None, jobs: int = 1) -> Corpus:
    """Every document of the site analysed, by ``jobs`` forked workers where many are to be.
    ``memo`` keeps each analysis from one build to the next, by a digest of what its text
    is made of."""
    memo = {} if memo is None else memo
    sources = list(_sources(data, renderer))
    keys = [MEMO_PREFIX + _digest(made_of) for _, made_of, _ in sources]
    todo = {key: make for key, (_, _, make) in zip(keys, sources, strict=True)
            if key not in memo}
    memo.update(zip(todo, _analyses(list(todo.values()), jobs), strict=True))
    entries, parts = [], {}
    for number, ((stored, _, _), key) in enumerate(zip(sources, keys, strict=True)):
        lengths, shards = memo[key]
        entries.append(Entry(stored, lengths))
        for shard, (digest, terms) in shards.items():
            parts.setdefault(shard, []).append(Part(number, digest, terms))
    used = set(keys)
    for stale in [k for k in memo if k.startswith(MEMO_PREFIX) and k not in used]:
        del memo[stale]
    return Corpus(tuple(entries), tuple(
        Shard(name, _digest(tuple((part.number, part.digest) for part in parts[name])),
              tuple(parts[name])) for name in sorted(parts)))


_todo: list[Callable[[], tuple[str, ...]]] = []  # what forked workers analyse: inherited


def _analyse_at(index: int) -> tuple:
    return _analyse(_todo[index]())


def _analyses(makes: list[Callable[[], tuple[str, ...]]], jobs: int) -> list:
    """The analysis of each document ``makes`` make, in order. (A cold build analyses every
    document: a few seconds at N = 5,000, shared out as bodies are.)"""
    if not can_fork(jobs, len(makes)):
        return [_analyse(make()) for make in makes]
    global _todo
    _todo = makes
    try:
        with pool(jobs) as workers:
            return list(workers.map(_analyse_at, range(len(makes)),
                                    chunksize=max(1, len(makes) // (jobs * 8))))
    finally:
        _todo = []


def _script(call: str, value: Any, name: str = "") -> bytes:
    """``call('name', '<value as JSON>');``: a JSON string in a script, which JSON.parse
    reads faster than the same value written as a JavaScript literal. (``name`` is a slug or
    a shard's name: nothing to escape.)"""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("\\", "\\\\").replace("'", "\\'") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    first = f"'{name}'," if name else ""
    return f"{call}({first}'{text}');\n".encode("utf-8", "surrogatepass")


def base(entries: tuple[Entry, ...], shards: tuple[str, ...]) -> dict[str, Any]:
    """MiniSearch's serialised index of ``entries`` (``toJSON``) without its terms, and the
    names of the ``shards`` that hold them."""
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
        "shards": list(shards),
    }


def rows(parts: tuple[Part, ...]) -> bytes:
    """One shard's ``parts`` as its file has them: a JSON list of rows, one a document, each
    its number and then its ``Terms`` (``[[0,"castling move","1 2",...],...]``)."""
    return b"[[" + b"],[".join(b"%d,%s" % (part.number, part.terms) for part in parts) + b"]]"


def index_script(context: dict[str, Any]) -> bytes:
    """``search/index.js``."""
    return _script("briefingSearch.base", base(context["entries"], context["shards"]))


def shard_script(context: dict[str, Any]) -> bytes:
    """``search/<shard>.js``."""
    shard = context["shard"]  # (rows need no escaping: see Terms)
    return b"briefingSearch.shard('%s','%s');\n" % (shard.name.encode(), rows(shard.parts))


def text_script(context: dict[str, Any]) -> bytes:
    """``search/text/<slug>.js``: a briefing's paragraphs as (anchor, text)."""
    view = context["view"]
    document = view.document
    paragraphs = [[anchor.id, text] for anchor, text in zip(document.paragraphs,
                                                            document.texts, strict=True)]
    return _script("briefingSearch.text", paragraphs, view.briefing.slug)
