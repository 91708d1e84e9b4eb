"""Command line: parse arguments, call the library, print what happened, return an exit code."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
import time
from pathlib import Path

from . import DEFAULT_TEMPLATES, __version__
from .chars import url_problem
from .errors import WARNING, BuildFailed, Diagnostic, OutputError
from .options import Options
from .project import build_into, check_folders
from .scaffold import ScaffoldError, create_briefing
from .write import check_output, write_site

# The pipeline, the preview server and publishing are imported where they are used, so that
# a build with nothing to do answers before Markdown, Jinja and the rest are even loaded.

OK, CONTENT_ERROR, USAGE_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits with 2 already; keep its wording
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="briefing-site", description=(
        "Build a static website of research briefings, with a glossary and a timeline."))
    parser.add_argument("--version", action="version", version=f"briefing-site {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def content_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="the content folder (default: content)")
        sub.add_argument("--templates", type=Path, default=None, metavar="DIR",
                         help="the templates folder (default: templates beside the content "
                              "folder, else the built-in theme)")
        sub.add_argument("--strict", action="store_true",
                         help="treat warnings (glossary hygiene) as errors")
        sub.add_argument("--drafts", action="store_true", help="include briefings marked draft")

    def build_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--jobs", type=int, default=_cores(), metavar="N",
                         help="processes that convert, cite, index and render "
                         "(default: one per core)")
        sub.add_argument("--cache", type=Path, default=None, metavar="DIR",
                         help="the build cache (default: .cache beside the content folder)")
        sub.add_argument("--no-cache", action="store_true",
                         help="build everything from scratch, and leave the cache alone")

    build = commands.add_parser("build", help="build the site (the default command)",
                                description="Build the content folder into a static site.")
    content_options(build)
    build_options(build)
    build.add_argument("--out", type=Path, default=Path("site"), metavar="DIR",
                       help="the output folder (default: site)")
    build.add_argument("--base-url", default=None, metavar="URL", type=_base_url,
                       help="the public address of the site, overriding site.yml's base_url")
    check = commands.add_parser("check", help="check the content, write nothing",
                                description="Validate everything and report every problem.")
    content_options(check)
    build_options(check)
    serve = commands.add_parser(
        "serve", help="preview the site, rebuilding and reloading on every change",
        description="Build the site in memory and serve it; watch the content and templates, "
                    "rebuild on change and reload open pages. Errors show over the last good "
                    "version of the page.")
    content_options(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000,
                       help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    publish = commands.add_parser(
        "publish", help="build and commit the site to a git branch, then push it",
        description="Build with the site's base_url, write --out, commit it as the whole "
                    "content of a branch (keeping the branch's history) and push it, like "
                    "mkdocs gh-deploy. Your working tree is not touched.")
    content_options(publish)
    publish.add_argument("--git", required=True, metavar="REMOTE",
                         help="the repository to push to: a remote name, URL or path")
    publish.add_argument("--branch", default="gh-pages", help="the branch (default gh-pages)")
    publish.add_argument("--message", default=None, help="the commit message")
    publish.add_argument("--out", type=Path, default=Path("site"), metavar="DIR",
                         help="the output folder written on the way (default: site)")
    new = commands.add_parser("new", help="create a new briefing",
                              description="Create content/briefings/<slug>.md with every "
                                          "front-matter field, as a draft.")
    new.add_argument("title", help="the briefing's title")
    new.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                     help="the content folder (default: content)")
    return parser


def _base_url(value: str) -> str:
    """``--base-url`` as site.yml's ``base_url`` must be (empty: none); argparse turns the
    error into a usage message and exit code 2."""
    problem = url_problem(value) if value else None
    if problem is not None:
        why, hint = problem
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a web address" + (f": {why}" if why else "") + f" ({hint})")
    return value


class _ProgressLine:
    """One updating line on a terminal (stage, count, elapsed) once a build passes two
    seconds; nothing at all when the output is not a terminal."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.shown = False
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.started < 2 or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        self.shown = True
        sys.stderr.write(f"\r{stage} {done}/{total} ({now - self.started:.1f} s)\033[K")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cache(args: argparse.Namespace) -> Path | None:
    if args.no_cache:
        return None
    return args.cache if args.cache is not None else args.content.parent / ".cache"


def _options(args: argparse.Namespace, **more) -> Options:
    return Options(drafts=args.drafts, strict=args.strict,
                   base_url=getattr(args, "base_url", None), **more)


def _templates(args: argparse.Namespace) -> Path:
    if args.templates is not None:
        return args.templates
    beside = args.content.parent / "templates"
    return beside if beside.is_dir() else DEFAULT_TEMPLATES


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def _build(args: argparse.Namespace, write: bool) -> int:
    started = time.perf_counter()
    # A build makes millions of small objects that live until it ends: collecting garbage
    # at the default pace re-scans them all again and again (about a tenth of a rebuild).
    gc.set_threshold(100_000, 50, 100)
    templates = _templates(args)
    progress = _ProgressLine(started) if sys.stderr.isatty() else None
    try:
        if write:
            built = build_into(args.content, templates, args.out,
                               _options(args, jobs=args.jobs), _cache(args),
                               progress=progress, on_wait=lambda: print(
                                   f"Waiting for another build of {args.out}/ to finish...",
                                   file=sys.stderr))
            result = built.result
            _report(built.notes)
        else:  # check writes nothing, not even the cache
            from .pipeline import build_site

            check_folders(args.content, templates)
            result = build_site(args.content, templates, _options(args, jobs=args.jobs),
                                progress=progress, stream=True)
            for _ in result.files:  # render everything, so that template errors show
                pass
    except BuildFailed as failed:
        if progress:
            progress.clear()
        _report(failed.diagnostics)
        kept = " The previous site was left as it was." if write else ""
        print(f"Build failed: {_count(len(failed.diagnostics), 'error')}.{kept}",
              file=sys.stderr)
        return CONTENT_ERROR
    except OutputError as exc:
        if progress:
            progress.clear()
        print(f"error: {exc}", file=sys.stderr)
        return CONTENT_ERROR
    if progress:
        progress.clear()
    if result is None:
        for line in built.warnings:
            print(line, file=sys.stderr)
        print(f"Nothing changed: {args.out}/ is up to date "
              f"({time.perf_counter() - started:.2f} s).")
        return OK
    _report(result.warnings)
    seconds = time.perf_counter() - started
    warnings = sum(1 for d in result.warnings if d.severity == WARNING)
    warned = f", {_count(warnings, 'warning')}" if warnings else ""
    done = f"{_count(result.pages, 'page')} ({_count(result.briefings, 'briefing')})"
    if result.trusted_html:
        warned += ", raw HTML not sanitised (trusted_html is on)"
    if write:
        print(f"Built {done} into {args.out}/ in {seconds:.2f} s{warned}. "
              f"Open {args.out / 'index.html'}")
    else:
        print(f"Checked {done}: no errors{warned}.")
    return OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 content error, 2 usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    args = _parser().parse_args(argv)
    if args.command == "new":
        try:
            path = create_briefing(args.content, args.title)
        except (ScaffoldError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return CONTENT_ERROR
        print(f"Created {path} (a draft: set 'draft: false' to publish it).")
        return OK
    if args.command == "serve":
        return _serve(args)
    if args.command == "publish":
        return _publish(args)
    return _build(args, write=args.command == "build")


def _publish(args: argparse.Namespace) -> int:
    from .pipeline import build_site
    from .publish import PublishError, publish

    templates = _templates(args)
    try:
        check_folders(args.content, templates)
        check_output(args.out, (args.content, templates))
        result = build_site(args.content, templates, _options(args, jobs=_cores()))
        if not result.base_url:
            print("error: publish needs base_url in site.yml, the address the site will have "
                  "(e.g. https://you.github.io/briefings/)", file=sys.stderr)
            return CONTENT_ERROR
        write_site(result.files, args.out, (args.content, templates))
        message = args.message or f"Publish {len(result.files)} files with briefing-site"
        commit = publish(args.out, args.git, args.branch, message)
    except BuildFailed as failed:
        _report(failed.diagnostics)
        print(f"Nothing published: {_count(len(failed.diagnostics), 'error')}.",
              file=sys.stderr)
        return CONTENT_ERROR
    except (OutputError, PublishError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return CONTENT_ERROR
    _report(result.warnings)
    print(f"Published {args.out}/ to {args.git} branch {args.branch} (commit {commit[:10]}), "
          f"for {result.base_url}")
    return OK


def _serve(args: argparse.Namespace) -> int:
    import ipaddress  # the preview's own needs, not every build's
    import webbrowser

    from .serve import Preview, make_server

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt  # stop on SIGTERM as on Ctrl-C, cleanly

    templates = _templates(args)
    try:
        check_folders(args.content, templates)  # nothing to watch, nothing to preview
    except BuildFailed as failed:
        _report(failed.diagnostics)
        print(f"Nothing served: {_count(len(failed.diagnostics), 'error')}.", file=sys.stderr)
        return CONTENT_ERROR
    gc.set_threshold(100_000, 50, 100)  # as for a build: the preview keeps a site alive
    cache = args.content.parent / ".cache"  # what `build` converted, for a quicker start
    preview = Preview(args.content, templates, drafts=args.drafts, log=log, jobs=_cores(),
                      cache=cache if cache.is_dir() else None)
    preview.rebuild()
    try:
        server = make_server(preview, args.host, args.port)
    except OSError as exc:
        log(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return CONTENT_ERROR
    stop = threading.Event()
    signal.signal(signal.SIGTERM, interrupt)
    try:
        watcher = threading.Thread(target=preview.watch,
                                   args=(stop, [args.content, templates]), daemon=True)
        watcher.start()
        host, port = server.server_address[:2]
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        if not ipaddress.ip_address(host).is_loopback:
            log(f"warning: listening on {host}, so other machines on the network can see the "
                "preview; use --host 127.0.0.1 to keep it to this machine")
        print(f"Serving {args.content} at {url} (Ctrl-C to stop)", flush=True)
        if args.open:
            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    print("Stopped.", flush=True)
    return OK
