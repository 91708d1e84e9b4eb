"""Pages from the enriched model through Jinja2 templates. Pure: returns bytes by path."""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import itertools
import os
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2 import meta

from . import __version__, exports, search, walk
from .chart import build_chart
from .convert import Progress
from .dates import newest_day
from .errors import BuildFailed, Diagnostic, SourceRef
from .listings import author_slug, tag_slug
from .track import Recorder, unwrap
from .views import MENTIONS_SHOWN, Enriched
from .workers import can_fork, pool

ASSETS = "assets"


class _Undefined(jinja2.StrictUndefined):
    """Strict, and naming the record a template read, not the proxy it read it through."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        target = unwrap(self._undefined_obj)
        if target is self._undefined_obj:
            return super()._undefined_message
        return _Undefined(self._undefined_hint, target, self._undefined_name)._undefined_message


class _Recording(jinja2.Environment):
    """Jinja, telling the page's ``Recorder`` (if any) each attribute a template reads."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # The templates each template pulls in (see Plan.templates_read): the same for as
        # long as the environment is, which the preview keeps while the templates are as
        # they were.
        self.pulled_in: dict[str, list[str]] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        if _recorder is None:
            return super().getattr(obj, attribute)
        try:
            return _recorder.getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)  # an item, or strict undefined

    def getitem(self, obj: Any, argument: Any) -> Any:
        if _recorder is not None and isinstance(argument, str) and \
                dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return self.getattr(obj, argument)  # filters' attribute= lookups come here
        return super().getitem(obj, argument)


def _environment(templates: Path) -> _Recording:
    env = _Recording(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        # A build reads each template once: checking its file before every use costs a stat
        # per include, tens of thousands on a large site.
        auto_reload=False,
        undefined=_Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["generator"] = f"briefing-site {__version__}"
    env.filters["hostname"] = _hostname
    env.filters["type_label"] = _type_label
    env.filters["atom_date"] = _atom_date
    env.filters["slash_date"] = _slash_date
    env.filters["lastmod"] = _lastmod
    env.filters["author_slug"] = author_slug
    env.filters["tag_slug"] = tag_slug
    return env


def _atom_date(date) -> str:
    """Atom wants a full timestamp; a partial date becomes the start of its period."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def _lastmod(dates) -> str:
    """A sitemap's ``<lastmod>``: a whole day, as its schema requires, or "" (see newest_day)."""
    day = newest_day(dates)
    return day.iso() if day else ""


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


def _pulled_in(env: jinja2.Environment, name: str, found: set[str]) -> bool:
    """Add ``name`` and every template it extends, includes or imports to ``found``; False
    when one is named by an expression, which could be any template."""
    if name in found:
        return True
    found.add(name)
    tree = env.parse(env.loader.get_source(env, name)[0])
    complete = True
    for reference in meta.find_referenced_templates(tree):
        if reference is None or not _pulled_in(env, reference, found):
            complete = False
    return complete


def template_digests(templates: Path) -> dict[str, str]:
    """A digest of each file of the templates folder by name, and of all of them as ``*``."""
    digests, every = {}, hashlib.blake2b(digest_size=16)
    root = os.fspath(templates)
    for relative, _, _ in walk.files(root):
        with open(os.path.join(root, relative), "rb") as file:
            digests[relative] = hashlib.blake2b(file.read(), digest_size=16).hexdigest()
        every.update(f"{relative}\0{digests[relative]}\0".encode("utf-8", "surrogateescape"))
    digests["*"] = every.hexdigest()
    return digests


@dataclass(frozen=True)
class Planned:
    """One file of the site before it is rendered: a page from a template, or a file that
    ``make`` writes from its context (a citation file, the search index), reading it as
    templates do (see ``track``)."""

    path: str
    template: str | None
    context: dict[str, Any]
    make: Callable[[dict[str, Any]], bytes] | None = None


@dataclass
class Plan:
    """Every file the site will have (bar its assets), with what each is rendered from."""

    files: list[Planned]
    env: _Recording
    templates: Path
    digests: dict[str, str]  # of each template (see template_digests)

    def contexts(self) -> dict[str, dict[str, Any]]:
        return {planned.path: planned.context for planned in self.files}

    def templates_read(self, planned: Planned) -> list[str]:
        """The names of the templates that rendering ``planned`` reads (``*``: any)."""
        if planned.template is None:
            return []
        known = self.env.pulled_in
        if planned.template not in known:
            found: set[str] = set()
            try:
                complete = _pulled_in(self.env, planned.template, found)
            except jinja2.TemplateError:
                complete = False  # rendering reports it, with its file and line
            known[planned.template] = sorted(found) if complete else ["*"]
        return known[planned.template]


CITATION_FILES = ((".bib", exports.bibtex), (".ris", exports.ris), (".json", exports.csl_json))


def _citation(style: Callable[[Any], str], context: dict[str, Any]) -> bytes:
    return style(context["view"].citation.reference).encode("utf-8")


def plan_site(data: Enriched, templates: Path,
              env: jinja2.Environment | None = None,
              digests: dict[str, str] | None = None,
              index: search.Corpus | None = None) -> Plan:
    """What to render: every page with its template and context, the citation files, and
    with an ``index`` (``search.corpus``) the search index's files.

    An ``env`` from an earlier plan of the same templates is used again as it is; ``digests``
    are ``template_digests``. (Compiled templates are never kept on disk: Jinja's bytecode
    cache is code, which a planted file would run, and compiling every template costs less
    than a tenth of a second.)
    """
    env = env or _environment(templates)
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
              for view, page in data.mention_pages]
    pages += [(view.url, "article.html", {"view": view}) for view in data.briefings]
    # Counts on their own, so that pages showing only them do not depend on every briefing.
    totals = {"briefings": len(data.briefings), "terms": len(data.terms),
              "events": len(data.events),
              "first_year": data.events[0].event.date.year if data.events else None,
              "last_year": data.events[-1].event.date.year if data.events else None}
    # A host serves 404.html for any missing path, at any depth: with a base URL its links
    # can be absolute; without one they work at the top level.
    not_found_root = urlsplit(config.base_url).path if config.base_url else ""
    shared = {"site": config, "data": data, "totals": totals}
    files = [Planned(path, template, {
        **shared, "root": not_found_root if path == "404.html" else _root(path),
        "page_path": path, **extra}) for path, template, extra in pages]
    files += [Planned(view.url.removesuffix(".html") + suffix, None, {"view": view},
                      functools.partial(_citation, style))
              for view in data.briefings for suffix, style in CITATION_FILES]
    if index is not None:
        files.append(Planned("search/index.js", None, {
            "entries": index.entries, "shards": tuple(s.name for s in index.shards)},
            search.index_script))
        files += [Planned(f"search/{shard.name}.js", None, {"shard": shard}, search.shard_script)
                  for shard in index.shards]
        files += [Planned(f"search/text/{view.briefing.slug}.js", None, {"view": view},
                          search.text_script) for view in data.briefings]
    return Plan(files, env, templates, digests or template_digests(templates))


_job: tuple | None = None  # what forked workers render from: inherited, never pickled
_recorder: Recorder | None = None  # what the page being rendered reads (see _Recording)

Rendered = tuple[str, "bytes | Diagnostic", dict]  # path, bytes or the error, reads


def _render_one(index: int) -> Rendered:
    plan, todo, record, shared = _job
    planned = todo[index]
    recorder = Recorder(shared) if record else None
    context = planned.context if recorder is None else \
        recorder.context(planned.path, planned.context)
    if planned.make is not None:
        data = planned.make(context if recorder is None else recorder.wrap(context))
    else:
        if recorder is not None:
            for name in plan.templates_read(planned):
                recorder.read(("template", name), "")
        global _recorder
        _recorder = recorder
        try:
            data = plan.env.get_template(planned.template).render(context).encode("utf-8")
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
            return planned.path, _template_error(exc, plan.templates), {}
        finally:
            _recorder = None
    return planned.path, data, recorder.reads if recorder is not None else {}


def _render_chunk(indexes: range) -> list[Rendered]:
    return [_render_one(index) for index in indexes]


def _rendered(count: int, jobs: int, progress: Progress | None) -> Iterator[Rendered]:
    """Each file as it is rendered, in order, by forked workers or in this process."""
    if can_fork(jobs, count):
        size = max(1, min(64, count // (jobs * 8)))
        chunks = iter([range(start, min(start + size, count))
                       for start in range(0, count, size)])
        done = 0
        with pool(jobs) as workers:
            # A few chunks in flight, not all of them: finished pages would otherwise pile
            # up in memory faster than they are written.
            pending = collections.deque(workers.submit(_render_chunk, chunk)
                                        for chunk in itertools.islice(chunks, jobs * 2))
            while pending:
                results = pending.popleft().result()
                following = next(chunks, None)
                if following is not None:
                    pending.append(workers.submit(_render_chunk, following))
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


def render_files(plan: Plan, keep: Container[str] = (), record: bool = False, jobs: int = 1,
                 progress: Progress | None = None) -> Iterator[tuple[str, bytes | None, dict]]:
    """Every file of the site as (path relative to its root, bytes, what it read).

    A path in ``keep`` is not rendered: it comes as (path, None, {}), the previous build's
    file at that path being still right. With ``record``, each rendered file comes with its
    reads (see ``track``). With ``jobs`` above 1, files are rendered by that
    many forked processes; the bytes are the same either way. A template error ends the stream with
    BuildFailed naming every problem, after the files rendered so far.
    """
    global _job
    problems = []
    todo = []
    for planned in plan.files:
        if planned.path in keep:
            yield planned.path, None, {}
        else:
            todo.append(planned)
    _job = (plan, todo, record, {})
    try:
        for path, result, reads in _rendered(len(todo), jobs, progress):
            if isinstance(result, Diagnostic):
                problems.append(result)
            elif not problems:
                yield path, result, reads
    finally:
        _job = None
    if problems:
        raise BuildFailed(sorted(set(problems), key=Diagnostic.sort_key))
    yield ".nojekyll", b"", {}  # GitHub Pages: serve the files as they are
    assets = plan.templates / ASSETS
    for relative, _, _ in walk.files(os.fspath(assets)) if assets.is_dir() else ():
        yield f"{ASSETS}/{relative}", (assets / relative).read_bytes(), {}


def page_count(plan: Plan) -> int:
    return sum(1 for planned in plan.files if planned.path.endswith(".html"))


def _by_letter(data: Enriched) -> list[tuple[str, list]]:
    return [(key, list(group))
            for key, group in itertools.groupby(data.terms, key=lambda view: view.letter)]
