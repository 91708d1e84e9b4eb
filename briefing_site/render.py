"""Pages from the enriched model through Jinja2 templates. Pure: returns bytes by path."""

from __future__ import annotations

import collections
import contextlib
import itertools
import multiprocessing
import os
from collections.abc import Iterator, Mapping, MutableMapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
from jinja2 import meta, nodes

from . import __version__, cite, walk
from .chart import build_chart
from .convert import PARALLEL_MINIMUM, Progress, die_with_parent
from .enrich import MENTIONS_SHOWN, Enriched
from .errors import BuildFailed, Diagnostic, SourceRef
from .fingerprint import Fingerprints, Uses, template_digest
from .listings import author_slug, paginate, tag_slug

ASSETS = "assets"
MENTIONS_PER_PAGE = 50  # briefings on each page of a term's mentions


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by earlier builds, kept in a folder: compiling them all costs more
    than rendering the few pages an edit changes.

    Jinja checks each entry against the template's source; an unreadable one is compiled
    again, never trusted.
    """

    def __init__(self, folder: Path) -> None:
        with contextlib.suppress(OSError):  # unwritable: every build compiles, as without it
            folder.mkdir(parents=True, exist_ok=True)
        super().__init__(str(folder))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # truncated or corrupt: compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            super().dump_bytecode(bucket)


def _environment(templates: Path, compiled: jinja2.BytecodeCache | None = None
                 ) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=compiled,
        autoescape=True,
        # A build reads each template once: checking its file before every use costs a stat
        # per include, tens of thousands on a large site.
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["generator"] = f"briefing-site {__version__}"
    env.filters["hostname"] = _hostname
    env.filters["type_label"] = _type_label
    env.filters["atom_date"] = _atom_date
    env.filters["slash_date"] = _slash_date
    env.filters["author_slug"] = author_slug
    env.filters["tag_slug"] = tag_slug
    return env


def _atom_date(date) -> str:
    """Atom wants a full timestamp; a partial date becomes the start of its period."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def _slash_date(date) -> str:
    """``2022/01/05`` as Highwire tags want it, at the date's own precision (``2022/01``)."""
    return date.iso().replace("-", "/")


def _type_label(kind: str) -> str:
    """``op-ed`` -> ``Op-ed``, ``research-note`` -> ``Research note``."""
    return "Op-ed" if kind == "op-ed" else kind.replace("-", " ").capitalize()


def _hostname(url: str) -> str:
    """A short label for an external link: its host without ``www.``."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _template_error(exc: Exception, templates: Path) -> Diagnostic:
    """Name the template file and line of a Jinja error, whichever kind it is."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "?"
        return Diagnostic(f"template error: {exc.message}", SourceRef(name, exc.lineno))
    line, name = None, None
    tb = exc.__traceback__
    while tb is not None:  # Jinja maps its frames back to template files and lines.
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".svg")):
            name, line = filename, tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name} (looked in {templates})"
    else:
        message = "template error: " + (
            exc.message if isinstance(exc, jinja2.TemplateError) else str(exc))
    return Diagnostic(message, SourceRef(name or templates.as_posix(), line))


def _root(path: str) -> str:
    """The relative way back to the site root from ``path``."""
    return "../" * path.count("/")


def _uses(env: jinja2.Environment, name: str, memo: dict[str, Uses]) -> Uses:
    """What template ``name`` and every template it pulls in read from the context.

    A template pulled in by a name computed at render time could read anything: then every
    name counts, and ``data`` whole.
    """
    if name in memo:
        return memo[name]
    memo[name] = Uses(frozenset(), frozenset())  # a template that includes itself
    tree = env.parse(env.loader.get_source(env, name)[0])
    # Every name read, local or not: more than the context variables used, never fewer.
    names = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
    attributes: set[str] | None = set()
    parents = {id(child): node for node in tree.find_all(nodes.Node)
               for child in node.iter_child_nodes()}
    for node in tree.find_all(nodes.Name):
        if node.name != "data" or attributes is None:
            continue
        parent = parents.get(id(node))
        if isinstance(parent, nodes.Getattr) and parent.node is node:
            attributes.add(parent.attr)
        else:
            attributes = None
    for reference in meta.find_referenced_templates(tree):
        if reference is None:
            names.add("*")
            attributes = None
            continue
        pulled = _uses(env, reference, memo)
        names |= pulled.names
        attributes = None if attributes is None or pulled.data is None \
            else attributes | pulled.data
    memo[name] = Uses(frozenset(names), None if attributes is None else frozenset(attributes))
    return memo[name]


_job: tuple | None = None  # what forked workers render from: inherited, never pickled


def _render_one(index: int) -> tuple[str, bytes | Diagnostic]:
    env, pages, context, templates = _job
    path, template, extra = pages[index]
    try:
        html = env.get_template(template).render(
            **context, root=context["not_found_root"] if path == "404.html" else _root(path),
            page_path=path, **extra)
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        return path, _template_error(exc, templates)
    return path, html.encode("utf-8")


def _render_chunk(indexes: range) -> list[tuple[str, bytes | Diagnostic]]:
    return [_render_one(index) for index in indexes]


def _rendered(count: int, jobs: int, progress: Progress | None
              ) -> Iterator[tuple[str, bytes | Diagnostic]]:
    """Each page as it is rendered, in order, by forked workers or in this process."""
    if jobs > 1 and count >= PARALLEL_MINIMUM and "fork" in multiprocessing.get_all_start_methods():
        size = max(1, min(64, count // (jobs * 8)))
        chunks = iter([range(start, min(start + size, count))
                       for start in range(0, count, size)])
        done = 0
        with ProcessPoolExecutor(max_workers=jobs, initializer=die_with_parent,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            # A few chunks in flight, not all of them: finished pages would otherwise pile
            # up in memory faster than they are written.
            pending = collections.deque(pool.submit(_render_chunk, chunk)
                                        for chunk in itertools.islice(chunks, jobs * 2))
            while pending:
                results = pending.popleft().result()
                following = next(chunks, None)
                if following is not None:
                    pending.append(pool.submit(_render_chunk, following))
                for result in results:
                    done += 1
                    if progress:
                        progress("rendering", done, count)
                    yield result
        return
    for index in range(count):
        if progress:
            progress("rendering", index + 1, count)
        yield _render_one(index)


@dataclass(frozen=True)
class Rendering:
    """The site's files, produced one at a time as they are consumed.

    ``pages`` is known before anything is rendered. A template error ends the stream with
    BuildFailed naming every problem, after the pages rendered so far.
    """

    pages: int
    files: Iterator[tuple[str, bytes | None]]
    fingerprints: dict[str, str] = field(default_factory=dict)


def render_stream(data: Enriched, templates: Path, live_reload: bool = False, jobs: int = 1,
                  progress: Progress | None = None, salt: str | None = None,
                  reuse: Mapping[str, str] | None = None,
                  compiled: Path | None = None,
                  uses_memo: MutableMapping[str, Uses] | None = None) -> Rendering:
    """Every output file as (path relative to the site root, bytes), without holding them all.

    With ``jobs`` above 1, pages are rendered by that many forked processes; the bytes are the
    same either way. With a ``salt`` (a digest of the code), each page and reference file
    gets a fingerprint (see ``fingerprint``); a file whose fingerprint ``reuse`` holds for its
    path comes as (path, None): the previous build's file at that path is still right.
    ``compiled`` is a folder that keeps compiled templates, and ``uses_memo`` what each
    template reads, from one build to the next.
    """
    env = _environment(templates, CompiledTemplates(compiled) if compiled else None)
    config = data.site.config
    pages = [(page.path, "index.html", {"page": page}) for page in data.pages]
    pages += [
        ("archive.html", "archive.html", {}),
        ("glossary.html", "glossary.html", {"letters": _by_letter(data),
                                            "shown": MENTIONS_SHOWN}),
        ("timeline.html", "timeline.html", {
            "years": [(year, list(group)) for year, group in
                      itertools.groupby(data.events, key=lambda v: v.event.date.year)],
            "chart": build_chart([v.event for v in data.events])}),
        ("404.html", "404.html", {}),
        ("feed.xml", "feed.xml", {}),
    ]
    if config.base_url:  # both need absolute addresses
        pages += [("sitemap.xml", "sitemap.xml", {}), ("robots.txt", "robots.txt", {})]
    pages += [(f"tags/{group.slug}.html", "listing.html", {"group": group, "kind": "topic"})
              for group in data.tags]
    pages += [(f"authors/{group.slug}.html", "listing.html", {"group": group, "kind": "author"})
              for group in data.authors]
    # A term in hundreds of briefings gets pages of them, each light enough to read.
    pages += [(page.path, "mentions.html", {"view": view, "page": page})
              for view in data.terms if len(view.mentions) > MENTIONS_SHOWN
              for page in paginate(view.mentions, MENTIONS_PER_PAGE,
                                   f"glossary/{view.term.id}.html",
                                   f"glossary/{view.term.id}/page/{{}}.html")]
    pages += [(view.url, "article.html", {"view": view}) for view in data.briefings]
    # Counts on their own, so that pages showing only them do not depend on every briefing.
    totals = {"briefings": len(data.briefings), "terms": len(data.terms),
              "events": len(data.events),
              "first_year": data.events[0].event.date.year if data.events else None,
              "last_year": data.events[-1].event.date.year if data.events else None}
    # A host serves 404.html for any missing path, at any depth: with a base URL its links
    # can be absolute; without one they work at the top level.
    context = {"site": config, "data": data, "totals": totals, "live_reload": live_reload,
               "not_found_root": urlsplit(config.base_url).path if config.base_url else ""}
    fingerprints = {} if salt is None else _fingerprints(
        env, pages, context, data, templates, salt, live_reload,
        {} if uses_memo is None else uses_memo)
    reuse = reuse or {}
    kept = {path for path, print_ in fingerprints.items() if reuse.get(path) == print_}

    def files() -> Iterator[tuple[str, bytes | None]]:
        global _job
        problems = []
        for path in sorted(kept):
            yield path, None
        todo = [page for page in pages if page[0] not in kept]
        _job = (env, todo, context, templates)
        try:
            for path, result in _rendered(len(todo), jobs, progress):
                if isinstance(result, Diagnostic):
                    problems.append(result)
                elif not problems:
                    yield path, result
        finally:
            _job = None
        if problems:
            raise BuildFailed(sorted(set(problems), key=Diagnostic.sort_key))
        for view in data.briefings:
            stem = view.url.removesuffix(".html")
            ref = view.citation.reference
            for suffix, write in ((".bib", cite.bibtex), (".ris", cite.ris),
                                  (".json", cite.csl_json)):
                if stem + suffix not in kept:
                    yield stem + suffix, write(ref).encode("utf-8")
        yield ".nojekyll", b""  # GitHub Pages: serve the files as they are
        assets = templates / ASSETS
        for relative, _, _ in walk.files(os.fspath(assets)) if assets.is_dir() else ():
            yield f"{ASSETS}/{relative}", (assets / relative).read_bytes()

    count = sum(1 for path, _, _ in pages if path.endswith(".html"))
    return Rendering(count, files(), fingerprints)


def _fingerprints(env: jinja2.Environment, pages: list, context: dict, data: Enriched,
                  templates: Path, salt: str, live_reload: bool,
                  memo: MutableMapping[str, Uses]) -> dict[str, str]:
    """The fingerprint of every page and reference file (none if a template is broken).

    ``memo`` holds what each template reads, by the digest of all the templates and the
    name: entries for other versions of the templates are dropped.
    """
    version = template_digest(templates)
    for stale in [key for key in memo if not key.startswith(version)]:
        del memo[stale]
    uses: dict[str, Uses] = {key.removeprefix(version): value for key, value in memo.items()}
    prints = Fingerprints(data, version, salt, live_reload)
    try:
        result = {path: prints.page(path, _uses(env, template, uses), {**context, **extra})
                  for path, template, extra in pages}
    except jinja2.TemplateError:
        return {}  # rendering reports the error, with its file and line
    memo.update((version + name, value) for name, value in uses.items())
    for view in data.briefings:
        stem = view.url.removesuffix(".html")
        for suffix in (".bib", ".ris", ".json"):
            result[stem + suffix] = prints.page(stem + suffix, Uses(frozenset({"b"}), frozenset()),
                                                {"b": view.briefing})
    return result


def _by_letter(data: Enriched) -> list[tuple[str, list]]:
    return [(key, list(group))
            for key, group in itertools.groupby(data.terms, key=lambda view: view.letter)]
