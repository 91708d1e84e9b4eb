"""Converting briefing bodies: in parallel across cores, and remembered across builds.

Converting Markdown is most of a build's work, and each body's result depends only on the
body and the glossary, so it is a pure function of a content key: bodies whose key a cache
already holds are not converted again, and the rest are shared out among worker processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping

from .errors import BuildFailed, Diagnostic
from .markdown_ext import GlossaryEntry
from .markup import BodyConverter, Document
from .model import Briefing, SiteConfig
from .workers import can_fork, die_with_parent, pool

GLOSSARY_HREF = "../glossary.html"

_worker: BodyConverter | None = None  # each worker process's own converter

# Told (stage, done, total) as work goes on; the command line draws it on a terminal.
Progress = Callable[[str, int, int], None]


def converter_key(entries: tuple[GlossaryEntry, ...], config: SiteConfig,
                  notes: bool = False) -> str:
    """What, besides the body, a converted body depends on: the terms' forms, not their
    hints (which the pages put in); whether citations are notes."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((tuple((e.id, e.forms) for e in entries), config.known_abbreviations,
                        config.trusted_html, GLOSSARY_HREF, notes)).encode())
    return digest.hexdigest()


def body_key(base: str, body: str) -> str:
    return hashlib.blake2b(f"{base}\0{body}".encode(), digest_size=16).hexdigest()


def _make(entries: tuple[GlossaryEntry, ...], config: SiteConfig,
          notes: bool = False) -> BodyConverter:
    return BodyConverter(entries, GLOSSARY_HREF, config.known_abbreviations,
                         config.trusted_html, notes)


def _start_worker(entries: tuple[GlossaryEntry, ...], config: SiteConfig, notes: bool) -> None:
    global _worker
    die_with_parent()
    _worker = _make(entries, config, notes)


def _convert(body: str) -> Document | None:
    return _safely(_worker, body)


def _safely(converter: BodyConverter, body: str) -> Document | None:
    """The converted body; None where it nests too deeply for Python's stack. (``limits``
    refuses such bodies before they come here: this is the net under that rule.)"""
    try:
        return converter.convert(body)
    except RecursionError:
        return None


def convert_bodies(briefings: tuple[Briefing, ...], entries: tuple[GlossaryEntry, ...],
                   config: SiteConfig, cache: MutableMapping[str, Document] | None = None,
                   jobs: int = 1, progress: Progress | None = None, notes: bool = False
                   ) -> dict[str, Document]:
    """Each briefing's converted body, by slug, converting only what ``cache`` lacks;
    ``notes``: the citation style makes notes of citations.

    New results are added to ``cache``. The output does not depend on ``jobs`` or on the
    cache: the same bodies always give the same documents.
    """
    cache = {} if cache is None else cache
    base = converter_key(entries, config, notes)
    keys = {b.slug: body_key(base, b.body) for b in briefings}
    failed: list[str] = []
    todo = sorted({keys[b.slug]: b.body for b in briefings if keys[b.slug] not in cache}.items())
    if can_fork(jobs, len(todo)):
        with pool(jobs, _start_worker, (entries, config, notes)) as workers:
            size = max(1, len(todo) // (jobs * 8))
            converted = zip(todo, workers.map(_convert, [body for _, body in todo],
                                           chunksize=size), strict=True)
            for done, ((key, _), doc) in enumerate(converted, 1):
                if doc is None:
                    failed.append(key)
                else:
                    cache[key] = doc
                if progress:
                    progress("converting", done, len(todo))
    else:
        converter = _make(entries, config, notes)
        for done, (key, body) in enumerate(todo, 1):
            doc = _safely(converter, body)
            if doc is None:
                failed.append(key)
            else:
                cache[key] = doc
            if progress:
                progress("converting", done, len(todo))
    if failed:
        raise BuildFailed([Diagnostic(
            "the text nests too deeply to be converted", b.source.at(b.body_line),
            "flatten its lists, quotes or emphasis") for b in briefings if keys[b.slug] in failed])
    for stale in set(cache) - set(keys.values()):  # the cache keeps what this build used
        del cache[stale]
    return {slug: cache[key] for slug, key in keys.items()}
