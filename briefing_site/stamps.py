"""Stamps of the values pages read: equal for two values exactly when a page could not tell
them apart (see ``track``, which records the reads, and ``incremental``, which keeps them).

An entity is named by its identity (``IDENTITIES``), in any build; its stamp is that name,
what is read of it being recorded in turn.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import pickle
from collections.abc import Callable, Mapping
from typing import Any

from .listings import Group, Page
from .model import Briefing, Event, SiteConfig, Term
from .search import Entry, Part, Shard
from .views import BriefingView, Enriched, EventView, MentionGroup, TermView, UsedTerm

Identity = tuple
Read = tuple[Identity, str]  # (what was read, which attribute of it)

# How each kind of entity is named. Anything else that holds entities is looked through.
IDENTITIES: dict[type, Callable[[Any], Identity]] = {
    Briefing: lambda b: ("briefing", b.slug),
    BriefingView: lambda v: ("view", v.briefing.slug),
    Term: lambda t: ("term", t.id),
    TermView: lambda v: ("term-view", v.term.id),
    Event: lambda e: ("event", e.id),
    EventView: lambda v: ("event-view", v.event.id),
    SiteConfig: lambda c: ("site",),
    Enriched: lambda d: ("data",),
    Page: lambda p: ("page", p.path),
    Group: lambda g: ("author" if g.author else "topic", g.slug),
}
# Values that many others hold, by the thousand (each group of mentions is in a term's list
# and on a page of it): spelt out directly as every field they have, an entity by its
# identity (tests/test_track.py checks that no field is left out).
SPELT: dict[type, Callable[[Any], tuple]] = {
    MentionGroup: lambda g: ("group", g.briefing.slug, g.places),
    UsedTerm: lambda u: ("used", u.term.id, u.tip),
    Entry: lambda e: ("entry", e.stored, e.lengths),  # the search index's, and its parts:
    Part: lambda p: ("part", p.number, p.digest),  # their terms by a digest of them,
    Shard: lambda s: ("shard", s.name, s.digest),  # and a shard's parts by one of theirs
}


class Seen:
    """What a template sees of a value (``track``'s proxies): never stamped itself."""

    __slots__ = ()


def _named(identity: Identity) -> Identity:  # what an entity is pickled as, never called
    return identity


class Stamper:
    """Stamps values read: equal for two values exactly when a page could not tell them
    apart. Short ones stand for themselves, an entity for its identity, a list of entities or
    spelt values for a digest of their spelling, the rest for a digest of their pickle (in
    fast mode: how objects happen to be shared does not count), in which each entity stands
    for its identity and each value in ``addresses`` for its address there (a converted body
    for the digest of its Markdown). Stamps are kept by object for the length of a build and,
    with ``last`` (the stamper of the build before), for the objects that outlive it: a list
    that did not change is stamped once, not on every save, and a list made again of the same
    spelt values (a term's thousands of mentions) from the digests of its items."""

    def __init__(self, addresses: Mapping[int, str] | None = None,
                 last: Stamper | None = None) -> None:
        self.addresses = addresses or {}
        self.kept: dict[int, tuple[Any, Any]] = {}
        self.items: dict[int, tuple[Any, bytes]] = {}
        self._last = last.kept if last is not None else {}
        self._last_items = last.items if last is not None else {}
        stamper = self

        class Pickler(pickle.Pickler):
            def reducer_override(self, obj: Any) -> Any:
                return stamper._reduce(obj)

        self._pickler_class = Pickler

    def _reduce(self, obj: Any) -> Any:
        name = IDENTITIES.get(type(obj))
        if name is not None:
            return _named, (name(obj),)
        address = self.addresses.get(id(obj))
        if address is not None:
            return _named, (("content", address),)
        spell = SPELT.get(type(obj))
        if spell is not None:
            return _named, (spell(obj),)
        if isinstance(obj, Seen):
            raise TypeError("a stamp is made of values, not of what a template sees of them")
        return NotImplemented

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is bool or value is None or (kind is str and len(value) < 48):
            return value
        found = self.kept.get(id(value)) or self._last.get(id(value))
        if found is not None and found[0] is value:
            self.kept[id(value)] = found
            return found[1]
        name = IDENTITIES.get(kind)
        if name is not None:  # an entity stands for itself: what is read of it is recorded
            result: Any = ("=", *name(value))
        else:
            data = self._spelling(value) if kind is tuple or kind is list else None
            if data is None:
                buffer = io.BytesIO()
                pickler = self._pickler_class(buffer, protocol=5)
                pickler.fast = True
                pickler.dump(value)
                data = buffer.getvalue()
            result = "#" + hashlib.blake2b(data, digest_size=12).hexdigest()
        self.kept[id(value)] = (value, result)
        return result

    def _spelling(self, items: tuple | list) -> bytes | None:
        """Bytes that only an equal sequence gives, for a sequence of entities or of spelt
        values all of one kind (what its pickle would say, made faster); else None. marshal's
        version 0 marks no text as interned and shares nothing, so equal values give equal
        bytes however they were made (a str subclass raises ValueError)."""
        kind = type(items[0]) if items else None
        name, spell = IDENTITIES.get(kind), SPELT.get(kind)
        if (name is None and spell is None) or any(type(item) is not kind for item in items):
            return None
        try:
            if name is not None:
                return marshal.dumps((type(items).__name__, kind.__name__, *map(name, items)), 0)
            parts = [type(items).__name__.encode(), kind.__name__.encode()]
            for item in items:
                found = self.items.get(id(item)) or self._last_items.get(id(item))
                if found is None or found[0] is not item:
                    found = (item, hashlib.blake2b(marshal.dumps(spell(item), 0),
                                                   digest_size=12).digest())
                self.items[id(item)] = found
                parts.append(found[1])
        except ValueError:
            return None
        return b"\0".join(parts)
