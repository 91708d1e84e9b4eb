"""What a page reads, recorded as it is rendered, and checked against a newer site.

An *entity* (a briefing, the view of one, a term, an event, a listing page or group, the site
settings, the enriched site itself) has an identity that names it in any build:
``("briefing", slug)``, ``("term", id)``... Every attribute a page reads of an entity is
recorded as ``(identity, attribute)``: where a template reads it, through Jinja's attribute
hook (``Recorder.getattr``, called by ``render``); where Python code behind a property or a
method reads it, through a proxy that the code runs with as ``self`` (``_Proxy``), and so for
the citation files that ``exports`` writes. Once a build is in place, each read is stamped
(``stamps.Stamper``): an entity stands for itself by its identity (what is read of it is recorded in
turn), anything else by its contents.

A page is a function of what it read. So a later build may keep the page if each of its reads,
made again on the later site (``Resolver``), gives the same stamp: nothing is listed by hand,
and a view field added tomorrow is recorded the day it is first read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from .bibliography import CitedWork, References
from .chart import Axis, Chart, Mark, Tick
from .cite import Name, Styled
from .markup import Anchor, Block, Document
from .model import Author, LaterNote, PartialDate, Sourced
from .search import Entry, Part, Shard
from .stamps import IDENTITIES, Identity, Read, Seen, Stamper
from .views import Enriched

# Values made only of text and numbers: handed to templates as they are, stamped by content.
PLAIN = frozenset({PartialDate, Author, Sourced, LaterNote, Anchor, Block, Document, Name,
                   Styled, Chart, Axis, Tick, Mark, References, CitedWork, Entry, Part, Shard})
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


class _Proxy(Seen):
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
