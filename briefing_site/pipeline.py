"""The build as one function: load -> validate -> enrich -> render. Writes nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import DEFAULT_TEMPLATES
from .convert import Progress, convert_bodies
from .enrich import enrich, glossary_entries
from .errors import NOTE, WARNING, BuildFailed, Diagnostic, SourceRef
from .load import load_site
from .markup import Document, FieldRenderer
from .render import render_stream
from .validate import validate


@dataclass(frozen=True)
class BuildResult:
    files: Mapping[str, bytes] | Iterator[tuple[str, bytes]]  # an iterator when streamed
    warnings: tuple[Diagnostic, ...]
    pages: int
    briefings: int
    trusted_html: bool = False
    base_url: str = ""
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # see render_stream


def build_site(content: Path, templates: Path = DEFAULT_TEMPLATES, *, drafts: bool = False,
               strict: bool = False, base_url: str | None = None,
               live_reload: bool = False, jobs: int = 1,
               doc_cache: MutableMapping[str, Document] | None = None,
               load_memo: MutableMapping[str, tuple] | None = None,
               progress: Progress | None = None, stream: bool = False,
               salt: str | None = None, reuse: Mapping[str, str] | None = None,
               compiled: Path | None = None,
               uses_memo: MutableMapping[str, object] | None = None,
               memo: MutableMapping[str, object] | None = None) -> BuildResult:
    """Build the whole site in memory.

    Raises BuildFailed with every error found, sorted by file and line; warnings come back
    with the result (or as errors with ``strict``). ``live_reload`` adds the preview server's
    reload script to every page, for ``serve`` only. ``jobs`` worker processes convert the
    bodies that ``doc_cache`` does not already hold, and ``load_memo`` keeps loaded briefings;
    none of these changes a byte of the output.
    With ``stream``, ``files`` is an iterator that renders each file as it is taken (for the
    writer, so that a large site is never all in memory); template errors then come as
    BuildFailed from the iterator. ``salt`` and ``reuse`` are as for ``render_stream``: a
    file that need not be rendered again comes as (path, None). ``compiled`` (a folder) and
    ``uses_memo`` keep what templates compile to and read, and ``memo`` costly results of
    enrichment, from one build to the next.
    """
    loaded = load_site(content, load_memo)
    site, problems = loaded.site, list(loaded.diagnostics)
    if base_url is not None:
        normalised = base_url.rstrip("/") + "/" if base_url else ""
        site = replace(site, config=replace(site.config, base_url=normalised))
    problems += validate(site, check_references=loaded.glossary_complete)
    try:
        entries = glossary_entries(site, FieldRenderer(site.config.trusted_html))
        docs = convert_bodies(site.briefings, entries, site.config, doc_cache, jobs, progress)
        data = enrich(site, docs, entries, include_drafts=drafts,
                      complete=loaded.briefings_complete, memo=memo)
    except Exception:
        # Content that already failed to load can trip later stages; its errors say why.
        if any(p.is_error for p in problems):
            raise BuildFailed(sorted(problems, key=Diagnostic.sort_key)) from None
        raise
    problems += data.diagnostics
    if strict:
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
    rendering = render_stream(data, templates, live_reload, jobs, progress, salt, reuse,
                              compiled, uses_memo)
    files = rendering.files if stream else dict(rendering.files)
    warnings = tuple(sorted(problems, key=Diagnostic.sort_key))
    return BuildResult(files, warnings, rendering.pages, len(data.briefings),
                       site.config.trusted_html, site.config.base_url, rendering.fingerprints)
