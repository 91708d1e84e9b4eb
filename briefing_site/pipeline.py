"""The build as one function: load -> validate -> enrich -> render. Writes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import DEFAULT_TEMPLATES, search
from .bibliography import cite, note_style
from .chars import url_problem
from .convert import Progress, convert_bodies
from .enrich import enrich, glossary_entries
from .errors import NOTE, WARNING, BuildFailed, Diagnostic, SourceRef
from .incremental import State
from .load import load_site
from .markup import FieldRenderer
from .options import Options
from .render import page_count, plan_site, render_files, template_digests
from .stamps import Stamper
from .track import Resolver
from .validate import validate

DEFAULTS = Options()


@dataclass(frozen=True)
class BuildResult:
    files: Mapping[str, bytes] | Iterator[tuple[str, bytes | None]]  # an iterator when streamed
    warnings: tuple[Diagnostic, ...]
    pages: int
    briefings: int
    trusted_html: bool = False
    base_url: str = ""
    # files rendered, and kept from the last build, so far as ``files`` has been taken
    counts: dict[str, int] = field(default_factory=lambda: {"rendered": 0, "kept": 0})


def build_site(content: Path, templates: Path = DEFAULT_TEMPLATES, options: Options = DEFAULTS,
               state: State | None = None, *, progress: Progress | None = None,
               stream: bool = False) -> BuildResult:
    """Build the whole site in memory.

    Raises BuildFailed with every error found, sorted by file and line; warnings come back
    with the result (or as errors with ``strict``). With a ``state`` (see ``incremental``),
    only what changed since the build that state last saw is done again, and a file whose
    last version is still right comes as (path, None); the state records this build, to be
    kept by ``state.commit`` once its output is in place. With ``stream``, ``files`` is an
    iterator that renders each file as it is taken (so that a large site is never all in
    memory); template errors then come as BuildFailed from the iterator.
    """
    cold = state is None
    state = State() if state is None else state
    loaded = load_site(content, None if cold else state.loaded)
    site, problems = loaded.site, list(loaded.diagnostics)
    if options.base_url is not None:
        base = options.base_url
        problem = url_problem(base) if base else None
        if problem is not None:  # the command line refuses it first; this is for callers
            why, hint = problem
            raise BuildFailed([Diagnostic(
                f"the base URL {base!r} is not a web address" + (f": {why}" if why else ""),
                None, hint)])
        normalised = base.rstrip("/") + "/" if base else ""
        site = replace(site, config=replace(site.config, base_url=normalised))
    problems += validate(site, check_references=loaded.glossary_complete)
    try:
        renderer = FieldRenderer(site.config.trusted_html)
        entries = glossary_entries(site, renderer)
        docs = convert_bodies(site.briefings, entries, site.config, state.bodies, options.jobs,
                              progress, note_style(site, content))
        references, cited = cite(site, docs, content, state.citations, options.jobs,
                                 loaded.briefings_complete)
        problems += cited
        data = enrich(site, docs, entries, include_drafts=options.drafts,
                      complete=loaded.briefings_complete, memo=state.memo,
                      made=None if cold else state.made, references=references)
    except Exception:
        # Content that already failed to load can trip later stages; its errors say why.
        if any(p.is_error for p in problems):
            raise BuildFailed(sorted(problems, key=Diagnostic.sort_key)) from None
        raise
    problems += data.diagnostics
    if options.strict:
        problems = [p.as_error() if p.severity == WARNING else p for p in problems]
    if not site.config.base_url:
        problems.append(Diagnostic(
            "base_url is not set: sitemap.xml and robots.txt are left out, and feed.xml and "
            "the citations have no address of this site", SourceRef((content / "site.yml")
                                                                   .as_posix()),
            "set base_url in site.yml, or pass --base-url, when you publish", NOTE))
    errors = sorted((p for p in problems if p.is_error), key=Diagnostic.sort_key)
    if errors:
        raise BuildFailed(errors)
    digests = template_digests(templates)
    env = state.environment[1] if state.environment and \
        state.environment[0] == digests["*"] else None
    index = search.corpus(data, renderer, state.memo, options.jobs) \
        if site.config.search else None
    plan = plan_site(data, templates, env, digests, index)
    state.environment = (digests["*"], plan.env)
    keep: set[str] = set()
    stamper = None
    if not cold:
        # A converted body is stamped by the digest it is kept under: it is not read again.
        stamper = Stamper({id(doc): key for key, doc in state.bodies.items()}, state.stamped)
        state.stamped = stamper
        resolver = Resolver(data, plan.contexts(), plan.digests, stamper)
        keep = state.unchanged([planned.path for planned in plan.files], resolver)

    counts = {"rendered": 0, "kept": 0}

    def files() -> Iterator[tuple[str, bytes | None]]:
        for path, data, reads in render_files(plan, keep, not cold, options.jobs, progress):
            if reads:
                state.remember(path, reads)
            counts["kept" if data is None else "rendered"] += 1
            yield path, data

    warnings = tuple(sorted(problems, key=Diagnostic.sort_key))
    return BuildResult(files() if stream else dict(files()), warnings, page_count(plan),
                       len(data.briefings), site.config.trusted_html, site.config.base_url,
                       counts)
