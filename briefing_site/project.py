"""Building a project's site into its output folder, incrementally: what ``build`` does.

The state of the last build comes from the cache folder (see ``incremental``), the build runs
while the output folder is locked, the writer places the new site, and only then is the state
saved. A build that fails leaves the previous site, and forgets the summary that would let the
next build answer "nothing changed" without looking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NOTE, BuildFailed, Diagnostic, OutputError, SourceRef
from .incremental import Store, input_digest
from .options import Options
from .write import MARKER, SiteWriter, check_output, leftovers

if TYPE_CHECKING:  # convert imports Markdown, which a build with nothing to do never needs
    from .convert import Progress

# The pipeline is imported where it is used, so that a build with nothing to do answers
# before Markdown, Jinja and the rest are even loaded.


@dataclass(frozen=True)
class Built:
    """What a build did: ``result`` is None when nothing had changed (``warnings`` are then
    the last build's, as text)."""

    result: object | None  # pipeline.BuildResult
    warnings: tuple[str, ...] = ()
    notes: tuple[Diagnostic, ...] = ()  # about the cache: files in it that it did not write


def check_folders(content: Path, templates: Path) -> None:
    """Raise BuildFailed unless ``content`` and ``templates`` are folders.

    Checked before anything else reads them or writes anything: the cache's digest, the
    loader and the templates' loader would each fail on a missing folder or a file in its
    own way, some with a traceback."""
    problems = []
    for folder, what in ((content, "content"), (templates, "templates")):
        if folder.is_dir():
            continue
        problem = f"this is a file, not a {what} folder" if folder.exists() else \
            f"{what} folder not found"
        problems.append(Diagnostic(problem, SourceRef(folder.as_posix()),
                                   f"--{what} must name the {what} folder"))
    if problems:
        raise BuildFailed(problems)


def build_into(content: Path, templates: Path, out: Path, options: Options,
               cache: Path | None = None,
               *, progress: Progress | None = None,
               on_wait: Callable[[], None] | None = None) -> Built:
    """Build ``content`` with ``templates`` and ``options`` into
    ``out``, keeping the incremental state in the folder ``cache`` (None: build everything,
    keep nothing). Raises BuildFailed or OutputError."""
    check_folders(content, templates)
    sources = (content, templates)
    store = Store(cache) if cache is not None else None
    if store is not None and cache.resolve().is_relative_to(out.resolve()):
        raise OutputError(f"the cache folder {cache} is inside {out}, which every build "
                          "replaces; choose another --cache")
    settings = options.settings(templates)
    digest, files_read = ("", {})
    if store is not None:
        digest, files_read = input_digest([content, templates], settings,
                                          store.summary().get("sources"))
        summary = store.up_to_date(digest, out)
        if summary is not None and not leftovers(out):  # else: an interrupted build to undo
            return Built(None, tuple(summary.get("warnings", [])))
    from .pipeline import build_site

    check_output(out, sources)
    try:
        with SiteWriter(out, sources, on_wait=on_wait) as writer:
            # Opened while the folder is locked: the files it keeps are the ones replaced.
            state = store.open(out) if store is not None else None
            result = build_site(content, templates, options, state, progress=progress,
                                stream=True)
            recorded = store.summary().get("files", {}) if store is not None else {}
            writer.write(result.files, recorded)
    except BuildFailed:
        if store is not None:
            store.forget()
        raise
    if store is not None and state is not None:
        state.commit(frozenset(writer.placed) - {MARKER})
        store.save(state, digest, out, [str(d) for d in result.warnings], writer.placed,
                   files_read)
    refused = sorted(store.refused) if store is not None else []
    named = ", ".join(refused[:3]) + (f" and {len(refused) - 3} more" if len(refused) > 3
                                      else "")
    notes = (Diagnostic(f"the build cache held files it did not write ({named}); they were "
                        "ignored, and what they would have held was built again",
                        SourceRef(cache.as_posix()), severity=NOTE),) if refused else ()
    return Built(result, notes=notes)
