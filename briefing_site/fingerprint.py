"""Fingerprints of pages: one digest of everything a page's templates can see.

A rebuild renders only the pages whose fingerprint differs from the one the previous build
recorded for the file it left; every other page is the previous file, unchanged. So a
fingerprint must change whenever the page's bytes could: it covers

- the salt (the code that builds, from the caller), the template files, the site's settings,
  the whole glossary and timeline, and the page's path;
- for each briefing the page shows, that briefing as loaded (its converted body is a
  function of it and of the glossary);
- for the names a template uses but no rule here knows, the value's ``repr``.

A template that uses ``data`` (the whole enriched site) makes its pages depend on every
briefing. Which names a template uses is for the renderer to find out (see ``render``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import walk
from .enrich import BriefingView, Enriched, EventView, MentionGroup, TermView
from .listings import Group, Page
from .model import Briefing

# Names in every page's context that the base fingerprint already covers.
COVERED = frozenset({"site", "live_reload", "not_found_root", "root", "page_path",
                     "generator"})


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def template_digest(templates: Path) -> str:
    """One digest of every file in the templates folder (linked folders too), names and
    bytes."""
    digest = hashlib.blake2b(digest_size=16)
    root = os.fspath(templates)
    for relative, _, _ in walk.files(root):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        with open(os.path.join(root, relative), "rb") as file:
            digest.update(file.read() + b"\0")
    return digest.hexdigest()


class Fingerprints:
    """Computes the fingerprint of each page of one enriched site."""

    def __init__(self, data: Enriched, templates: str, salt: str, live_reload: bool) -> None:
        """``templates`` is the digest of the template files (``template_digest``)."""
        site = data.site
        self.base = _digest(salt, templates, site.config, live_reload, site.terms,
                            site.events)
        self.briefings: dict[str, str] = {}
        self.data = data
        self._everything: str | None = None
        self._data_keys: dict[str, str] = {}
        self._terms: dict[str, str] = {}
        self._views: dict[str, str] = {}
        self._groups: dict[int, str] = {}  # the groups live as long as ``data``
        self.heads: dict[str, str] = {}

    def briefing(self, briefing: Briefing) -> str:
        """The digest of one briefing as loaded: front matter, notes and body."""
        slug = briefing.slug
        if slug not in self.briefings:
            self.briefings[slug] = briefing.digest or _digest(briefing)
        return self.briefings[slug]

    def front_matter(self, briefing: Briefing) -> str:
        """The digest of a briefing without its body."""
        slug = briefing.slug
        if slug not in self.heads:
            self.heads[slug] = briefing.head_digest or _digest(
                dataclasses.replace(briefing, body=""))
        return self.heads[slug]

    def everything(self) -> str:
        """What a template using ``data`` depends on: every published briefing, in order."""
        if self._everything is None:
            self._everything = _digest([self.briefing(v.briefing)
                                        for v in self.data.briefings])
        return self._everything

    def key(self, value: Any) -> Any:
        """A small stand-in for ``value`` that changes whenever what a page shows of it can."""
        if value is None or isinstance(value, str | int | float):
            return value  # shown as it is: the digest's repr covers it
        kind = type(value)
        if kind is MentionGroup:  # by far the most common: thousands on the term pages
            # The briefing's front matter and the paragraphs themselves: an edit elsewhere
            # in the body leaves the lists of mentions as they were. (By identity: the term
            # pages show the very groups the glossary's views hold.)
            found = self._groups.get(id(value))
            if found is None:
                found = self._groups[id(value)] = self.front_matter(value.briefing) + (
                    value.digest or _digest([(p.number, p.digest) for p in value.paragraphs]))
            return found
        if kind is BriefingView:
            slug = value.briefing.slug
            if slug not in self._views:  # listing pages show each view again and again
                self._views[slug] = _digest(self.briefing(value.briefing),
                                            [self.briefing(b) for b in value.related])
            return self._views[slug]
        if kind is list or kind is tuple:
            return [self.key(item) for item in value]
        if isinstance(value, Briefing):
            return self.briefing(value)
        if isinstance(value, TermView):
            if value.term.id not in self._terms:
                self._terms[value.term.id] = _digest(value.term.id, self.key(value.mentions))
            return self._terms[value.term.id]
        if isinstance(value, EventView):
            return ("event", value.event.id, self.key(value.discussed))
        if isinstance(value, Page | Group):
            return (kind.__name__, *[self.key(getattr(value, f.name))
                                     for f in dataclasses.fields(value)])
        if isinstance(value, Enriched):
            return self.everything()
        if isinstance(value, list | tuple):
            return [self.key(item) for item in value]
        if isinstance(value, Mapping):
            return [(self.key(k), self.key(v)) for k, v in value.items()]
        return repr(value)

    def data_key(self, attributes: frozenset[str] | None) -> Any:
        """The stand-in for ``data`` when templates read only ``attributes`` of it."""
        if attributes is None:
            return self.everything()
        keys = []
        for attribute in sorted(attributes):
            if attribute not in self._data_keys:
                self._data_keys[attribute] = _digest(self.key(
                    getattr(self.data, attribute, None)))
            keys.append((attribute, self._data_keys[attribute]))
        return keys

    def page(self, path: str, uses: Uses, context: Mapping[str, Any]) -> str:
        """The fingerprint of the page at ``path``, whose templates use what ``uses`` says."""
        keys = []
        # A template pulled in by a computed name may read anything in the context.
        names = set(context) if "*" in uses.names else uses.names
        for name in sorted(names - COVERED):
            value = context.get(name)
            keys.append((name, self.data_key(uses.data) if value is self.data
                         else self.key(value)))
        return _digest(self.base, path, keys)


@dataclasses.dataclass(frozen=True)
class Uses:
    """What a page's templates (with all they extend, include and import) read."""

    names: frozenset[str]  # context variables
    data: frozenset[str] | None  # attributes of ``data`` read; None if used otherwise
