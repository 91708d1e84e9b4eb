"""What a page reads, recorded as it is rendered, and checked against a newer site.

An *entity* (a briefing, the view of one, a term, an event, a listing page or group, the site
settings, the enriched site itself) has an identity that names it in any build:
``("briefing", slug)``, ``("term", id)``... Every attribute a page reads of an entity is
recorded as ``(identity, attribute)``: where a template reads it, through Jinja's attribute
hook (``Recorder.getattr``, called by ``render``); where Python code behind a property or a
method reads it, through a proxy that the code runs with as ``self`` (``_Proxy``), and so for
the citation files that ``cite`` writes. Once a build is in place, each read is stamped
(``Stamper``): an entity stands for itself by its identity (what is read of it is recorded in
turn), anything else by its contents.

A page is a function of what it read. So a later build may keep the page if each of its reads,
made again on the later site (``Resolver``), gives the same stamp: nothing is listed by hand,
and a view field added tomorrow is recorded the day it is first read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import marshal
import pickle
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from .chart import Axis, Chart, Mark, Tick
from .cite import Name, Styled
from .listings import Group, Page
from .markup import Anchor, Block, Document
from .model import Author, Briefing, Event, LaterNote, PartialDate, SiteConfig, Sourced, Term
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
# Values made only of text and numbers: handed to templates as they are, stamped by content.
PLAIN = frozenset({PartialDate, Author, Sourced, LaterNote, Anchor, Block, Document, Name,
                   Styled, Chart, Axis, Tick, Mark})
# Values that many others hold, by the thousand (each group of mentions is in a term's list
# and on a page of it): spelt out directly as every field they have, an entity by its
# identity (tests/test_track.py checks that no field is left out).
SPELT: dict[type, Callable[[Any], tuple]] = {
    MentionGroup: lambda g: ("group", g.briefing.slug, g.places),
    UsedTerm: lambda u: ("used", u.term.id, u.tip),
}
_SCALARS = frozenset({str, int, float, bool, type(None), Markup, bytes})
_PLAINISH = _SCALARS | PLAIN
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    if kind not in _FIELDS:
        _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return _FIELDS[kind]


def unwrap(value: Any) -> Any:
    """The value itself, where ``value`` is what a template sees of it."""
    return object.__getattribute__(value, "_target") if isinstance(value, _Proxy) else value


def _named(identity: Identity) -> Identity:  # what an entity is pickled as, never called
    return identity


class Stamper:
    """Stamps values read: equal for two values exactly when a page could not tell them
    apart. Short ones stand for themselves, an entity for its identity, a list of entities or
    spelt values for a digest of their spelling, the rest for a digest of their pickle, in
    which each entity stands for its identity, and each value in ``addresses`` for its
    address there (a converted body for the digest of its Markdown). Pickled in fast mode
    (no memo), so that how objects happen to be shared does not count.
    Stamps are kept by object, for the length of a build and, with ``last`` (the stamper of
    the build before), for the objects that outlive it: a list that did not change is stamped
    once, not again on every save, and a list made again of the same spelt values is stamped
    from the digests of its items.
    """

    def __init__(self, addresses: Mapping[int, str] | None = None,
                 last: Stamper | None = None) -> None:
        self.addresses = addresses or {}
        self.kept: dict[int, tuple[Any, Any]] = {}
        # each spelt value's digest, by object: a term's list of thousands of mentions, made
        # again when one briefing changes, is stamped from the digests of the groups it had
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
        if isinstance(obj, _Proxy):
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
        """A sequence of entities, or of values spelt out (``SPELT``), all of one kind, as
        bytes that only an equal sequence gives (what its pickle would say, made faster);
        None for any other sequence."""
        if not items:
            return None
        kind = type(items[0])
        if any(type(item) is not kind for item in items):
            return None
        # marshal's version 0 marks no text as interned and shares nothing, so equal values
        # give equal bytes however they were made (a str subclass raises ValueError)
        name = IDENTITIES.get(kind)
        if name is not None:
            with contextlib.suppress(ValueError):
                return marshal.dumps((type(items).__name__, kind.__name__, *map(name, items)), 0)
            return None
        spell = SPELT.get(kind)
        if spell is None:
            return None
        known, last = self.items, self._last_items
        parts = [type(items).__name__.encode(), kind.__name__.encode()]
        for item in items:
            found = known.get(id(item)) or last.get(id(item))
            if found is None or found[0] is not item:
                try:
                    found = (item, hashlib.blake2b(marshal.dumps(spell(item), 0),
                                                   digest_size=12).digest())
                except ValueError:
                    return None
            known[id(item)] = found
            parts.append(found[1])
        return b"\0".join(parts)


def _plain(value: Any) -> bool:
    """Whether ``value`` is texts, numbers, dates and such, or a sequence of them, or of
    sequences of them: nothing in it is to be wrapped or read through."""
    kind = type(value)
    if kind in _PLAINISH:
        return True
    if kind is not tuple and kind is not list:
        return False
    return all(type(item) in _PLAINISH or (type(item) is tuple and all(
        type(inner) in _PLAINISH for inner in item)) for item in value)


class Recorder:
    """Collects the reads of one page: ``getattr`` for what its templates read, ``wrap`` for
    the proxies that properties and methods run with."""

    def __init__(self, shared: dict | None = None) -> None:
        """``shared`` (one for all the pages of a build) keeps what properties gave and
        read, for the next page that asks the same object."""
        self.reads: dict[Read, None] = {}  # in the order made; stamped later, once each
        self._wrapped: dict[int, Any] = {}  # the same value read twice: one wrapper
        self._shared = {} if shared is None else shared

    def read(self, identity: Identity, attribute: str) -> None:
        self.reads[(identity, attribute)] = None

    def wrap(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS or kind in PLAIN:
            return value
        found = self._wrapped.get(id(value))
        if found is not None and unwrap(found[0]) is value:
            return found[1]
        name = IDENTITIES.get(kind)
        if name is not None:
            wrapped: Any = _Entity(value, name(value), self)
        elif kind is tuple or kind is list:
            if _plain(value):
                return value  # (texts, numbers, dates: nothing in it to wrap or record)
            wrapped = _Seq(value, self)
        elif isinstance(value, Mapping):
            wrapped = {key: self.wrap(item) for key, item in value.items()}
        elif dataclasses.is_dataclass(value):
            wrapped = _Proxy(value, None, self)
        else:
            return value
        self._wrapped[id(value)] = (value, wrapped)
        return wrapped

    def context(self, page: str, context: Mapping[str, Any]) -> Mapping[str, Any]:
        """A page's template context; each of its names counts as read."""
        for name in context:
            self.read(("context", page), name)
        return context

    def getattr(self, obj: Any, name: str) -> Any:
        """``obj.name`` as a template reads it (see ``render``): a field of an entity is
        recorded; a property or method runs with ``obj`` seen through a proxy, so that what it
        reads is recorded too. Anything else is Python's own ``getattr``."""
        kind = type(obj)
        fields = _FIELDS.get(kind)
        if fields is None:
            if kind in _SCALARS or not dataclasses.is_dataclass(obj):
                return getattr(obj, name)
            fields = _fields(kind)
        if name in fields:
            identity = IDENTITIES.get(kind)
            if identity is not None:
                self.reads[(identity(obj), name)] = None
            return getattr(obj, name)
        member = getattr(kind, name, None)
        if isinstance(member, property):
            # Records never change: a property's value and reads, if plain, are kept for all.
            key = (id(obj), name)
            found = self._shared.get(key)
            if found is not None and found[0] is obj:
                self.reads.update(found[2])
                return found[1]
            outer, self.reads = self.reads, {}
            try:
                value = getattr(self.wrap(obj), name)
            finally:
                made, self.reads = self.reads, outer
                outer.update(made)
            if _plain(value):
                self._shared[key] = (obj, value, made)
            return value
        if callable(member) and hasattr(member, "__get__") and not name.startswith("__"):
            return getattr(self.wrap(obj), name)
        return getattr(obj, name)


class _Seq(tuple):
    """A sequence as templates see it: its items are wrapped as they are taken, so that the
    length of a list of a thousand mentions costs no thousand wrappers. (A tuple of the items
    themselves underneath: ``tojson`` and ``len`` see them as they are.)"""

    recorder: Recorder

    def __new__(cls, items: tuple | list, recorder: Recorder) -> _Seq:
        seq = super().__new__(cls, items)
        seq.recorder = recorder
        return seq

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        if isinstance(index, slice):
            return _Seq(item, self.recorder)
        return self.recorder.wrap(item)

    def __iter__(self) -> Any:
        wrap = self.recorder.wrap
        return (wrap(item) for item in tuple.__iter__(self))

    def __reversed__(self) -> Any:
        return map(self.recorder.wrap, reversed(tuple(tuple.__iter__(self))))

    def __contains__(self, item: object) -> bool:
        return tuple.__contains__(self, unwrap(item))


class _Proxy:
    """An object as templates see it: what is read through it is wrapped in turn; for an
    entity (``_Entity``) every field read is also recorded."""

    __slots__ = ("_identity", "_read", "_recorder", "_target")

    def __init__(self, target: Any, identity: Identity | None, recorder: Recorder) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_identity", identity)
        object.__setattr__(self, "_recorder", recorder)
        object.__setattr__(self, "_read", {})  # what was read through this proxy

    def __getattr__(self, name: str) -> Any:
        read = object.__getattribute__(self, "_read")
        if name in read:  # read again: recorded already, and records never change
            return read[name]
        target = object.__getattribute__(self, "_target")
        recorder = object.__getattribute__(self, "_recorder")
        kind = type(target)
        if name in _fields(kind):
            value = getattr(target, name)
            identity = object.__getattribute__(self, "_identity")
            if identity is not None:
                recorder.read(identity, name)
            read[name] = found = recorder.wrap(value)
            return found
        member = getattr(kind, name, None)
        if isinstance(member, property):  # run with this proxy as self: its reads count
            read[name] = found = recorder.wrap(member.fget(self))
            return found
        if callable(member) and hasattr(member, "__get__") and not name.startswith("__"):
            return member.__get__(self, kind)
        return getattr(target, name)  # constants of the class, or AttributeError

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{name} is read-only")

    def __eq__(self, other: object) -> bool:
        return unwrap(self) == unwrap(other) if isinstance(other, _Proxy) else NotImplemented

    def __hash__(self) -> int:
        return hash(unwrap(self))

    def __repr__(self) -> str:
        return f"<as read: {object.__getattribute__(self, '_target')!r}>"


class _Entity(_Proxy):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:  # entities are equal when they are the same one
        if isinstance(other, _Entity):
            return object.__getattribute__(self, "_identity") == \
                object.__getattribute__(other, "_identity")
        return NotImplemented

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_identity"))


class Resolver:
    """Finds each entity of a site by its identity, and reads of it made again."""

    def __init__(self, data: Enriched, contexts: Mapping[str, Mapping[str, Any]],
                 templates: Mapping[str, str], stamp: Stamper) -> None:
        """``contexts`` is each planned page's context by path, ``templates`` a digest of each
        template file by name; ``stamp`` as the pages were rendered with."""
        self.data, self.contexts, self.templates = data, contexts, templates
        self._stamp = stamp
        self._index: dict[Identity, Any] | None = None

    def index(self) -> dict[Identity, Any]:
        """Every entity of the site by its identity."""
        if self._index is None:
            data = self.data
            found: list[Any] = [data, data.site.config, *data.site.briefings, *data.site.terms,
                                *data.site.events, *data.briefings, *data.terms, *data.events,
                                *data.pages, *data.tags, *data.authors,
                                *(page for _, page in data.mention_pages)]
            self._index = {IDENTITIES[type(item)](item): item for item in found}
        return self._index

    def same(self, read: Read, before: Resolver) -> bool:
        """Whether the read is of the very object it was on ``before``'s site: records are
        never changed once made, so it reads as it did (and need not be stamped again). For
        an entity that is the whole object, whatever attribute is read of it."""
        identity, attribute = read
        if identity[0] == "context":
            now, then = self.contexts.get(identity[1]), before.contexts.get(identity[1])
            return now is not None and then is not None and attribute in now and \
                attribute in then and now[attribute] is then[attribute]
        if identity[0] == "template":
            return False
        target = self.index().get(identity)
        return target is not None and target is before.index().get(identity)

    def stamp(self, read: Read) -> Any:
        """The stamp the read would give on this site (a marker when its entity is gone)."""
        identity, attribute = read
        if identity[0] == "context":
            context = self.contexts.get(identity[1])
            if not context or attribute not in context:
                return _GONE
            return self._stamp(context[attribute])
        if identity[0] == "template":
            return self.templates.get(identity[1], _GONE)
        target = self.index().get(identity)
        if target is None:
            return _GONE
        if attribute not in _fields(type(target)):
            return _GONE
        return self._stamp(getattr(target, attribute))


_GONE = ("gone",)
