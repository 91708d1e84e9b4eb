"""Ways into a large archive: pages of the newest briefings, years, topics, authors, and
"related briefings". Pure functions; every order is fixed, so builds stay byte-identical."""

from __future__ import annotations

import bisect
import functools
import hashlib
import heapq
import itertools
import math
from collections import Counter
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .model import Author, Briefing
from .slugs import RESERVED, slugify

View = TypeVar("View")
PER_PAGE = 10
RELATED = 3


@dataclass(frozen=True)
class Page(Generic[View]):
    """One page of a paginated list."""

    path: str
    number: int
    count: int
    items: tuple[View, ...]
    previous: str = ""  # path of the page of newer items
    next: str = ""  # path of the page of older items


def paginate(items: Sequence[View], per_page: int, first: str = "index.html",
             pattern: str = "page/{}.html") -> list[Page[View]]:
    """``index.html``, ``page/2.html``, ...: at least one page, even when empty."""
    count = max(1, math.ceil(len(items) / per_page))
    paths = [first] + [pattern.format(n) for n in range(2, count + 1)]
    return [Page(paths[n], n + 1, count, tuple(items[n * per_page:(n + 1) * per_page]),
                 paths[n - 1] if n else "", paths[n + 1] if n + 1 < count else "")
            for n in range(count)]


def by_year(items: Iterable[View], briefing_of) -> list[tuple[int, list[View]]]:
    """Items (newest first already) grouped by their briefing's year."""
    return [(year, list(group)) for year, group in
            itertools.groupby(items, key=lambda item: briefing_of(item).date.year)]


@functools.lru_cache(maxsize=4096)  # a large archive names each topic thousands of times
def _file_name(slug: str, kind: str) -> str:
    """``slug`` as a page's file name: a name Windows reserves (a topic "NUL", an author
    "Con") gets the kind after it, so that the site can be copied anywhere."""
    return f"{slug}-{kind}" if slug in RESERVED else slug or kind


def tag_slug(tag: str) -> str:
    return _file_name(slugify(tag), "topic")


@dataclass(frozen=True)
class Group(Generic[View]):
    """The briefings that share a topic, or an author."""

    slug: str
    name: str
    items: tuple[View, ...]
    author: Author | None = None  # for an author: as the newest briefing describes them


def tags(items: Sequence[View], briefing_of) -> list[Group[View]]:
    groups: dict[str, list] = {}
    names: dict[str, str] = {}
    for item in items:
        for tag in dict.fromkeys(briefing_of(item).tags):
            slug = tag_slug(tag)
            names.setdefault(slug, tag)
            groups.setdefault(slug, []).append(item)
    return [Group(slug, names[slug], tuple(groups[slug])) for slug in sorted(groups)]


def author_slug(author: Author) -> str:
    return _file_name(slugify(author.name), "author")


def authors(items: Sequence[View], briefing_of) -> list[Group[View]]:
    groups: dict[str, list] = {}
    newest: dict[str, Author] = {}
    for item in items:  # newest first, so the first description met is the latest
        for author in briefing_of(item).authors:
            slug = author_slug(author)
            newest.setdefault(slug, author)
            if not groups.get(slug) or groups[slug][-1] is not item:
                groups.setdefault(slug, []).append(item)
    return [Group(slug, newest[slug].name, tuple(groups[slug]), newest[slug])
            for slug in sorted(groups)]


WINDOW = 64  # briefings nearest in date considered for each shared topic or term


def related(briefings: Sequence[Briefing], terms: dict[str, frozenset[str]],
            limit: int = RELATED, memo: MutableMapping[str, object] | None = None
            ) -> dict[str, tuple[str, ...]]:
    """For each briefing, the slugs of the ``limit`` others most alike.

    A shared topic counts 3, a shared glossary term 1, weighted down by how many briefings
    share it (by 1 / log2(2 + n)), so that what every briefing mentions tells little, though
    never nothing. Ties go to the newer, then
    to the slug. Of the briefings sharing a topic or term, only the ``WINDOW`` nearest in
    date are candidates, so that the cost stays linear in the archive's size.

    ``memo`` keeps the answer by a digest of all it depends on: most edits change no date,
    topic or set of terms, and the next build finds it there.
    """
    if memo is None:
        return _related(briefings, terms, limit)
    key = "related/" + hashlib.blake2b(repr((limit, WINDOW, [
        (b.slug, b.date.sort_key(), b.tags, sorted(terms.get(b.slug, ())))
        for b in briefings])).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    if key not in memo:
        for stale in [k for k in memo if k.startswith("related/")]:
            del memo[stale]
        memo[key] = _related(briefings, terms, limit)
    return memo[key]


def _related(briefings: Sequence[Briefing], terms: dict[str, frozenset[str]],
             limit: int) -> dict[str, tuple[str, ...]]:
    order = sorted(range(len(briefings)), key=lambda i: (briefings[i].date.sort_key(),
                                                         briefings[i].slug), reverse=True)
    rank = {index: position for position, index in enumerate(order)}
    postings: dict[tuple[str, str], list[int]] = {}  # ranks, newest first
    for index in order:
        briefing = briefings[index]
        for tag in set(briefing.tags):
            postings.setdefault(("tag", tag_slug(tag)), []).append(rank[index])
        for term in terms.get(briefing.slug, ()):
            postings.setdefault(("term", term), []).append(rank[index])
    # What many share weighs less, but never nothing: in an archive where every topic is
    # broad (a country, a region) a briefing still has briefings related to it.
    weights = {key: (3.0 if key[0] == "tag" else 1.0) / math.log2(2 + len(members))
               for key, members in postings.items()}
    result = {}
    for index, briefing in enumerate(briefings):
        scores: Counter[int] = Counter()  # by rank
        # In a fixed order, so that the sums of weights come out the same in every run.
        keys = [("tag", tag_slug(t)) for t in sorted(set(briefing.tags))]
        keys += [("term", term) for term in sorted(terms.get(briefing.slug, ()))]
        own = rank[index]
        for key in keys:
            weight = weights.get(key)
            if weight:
                members = postings[key]
                if len(members) > WINDOW:
                    at = bisect.bisect_left(members, own)
                    start = min(max(0, at - WINDOW // 2), len(members) - WINDOW)
                    members = members[start:start + WINDOW]
                for other in members:
                    if other != own:
                        scores[other] += weight
        best = heapq.nsmallest(limit, ((-score, other) for other, score in scores.items()))
        result[briefing.slug] = tuple(briefings[order[other]].slug for _, other in best)
    return result
