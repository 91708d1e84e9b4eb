"""The only code that writes the site: into a temporary folder, swapped in on success."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from stat import S_ISREG

try:
    import fcntl
except ImportError:  # Windows: builds of one folder are not serialised there
    fcntl = None

from .errors import OutputError

MARKER = ".briefing-site"
MARKER_TEXT = "This folder is written by briefing-site and replaced on every build.\n"
# On a mount point, which cannot be swapped: the new site is staged inside it, and this
# journal, once written, says which files the new site has (see _update_in_place).
STAGED = ".briefing-site.tmp-"
JOURNAL = ".briefing-site.journal"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def check_output(out: Path, sources: tuple[Path, ...] = ()) -> None:
    """Refuse an output folder that must not be replaced.

    That is the file-system root, the home folder, the current folder, the folders in
    ``sources`` (content and templates) and the project folder holding them, any folder that
    contains one of these or lies inside a source, and any folder holding files the builder
    did not put there.
    """
    target = out.resolve()
    protected = {Path("/"), Path.home().resolve(), Path.cwd().resolve()}
    for source in sources:
        source = source.resolve()
        protected |= {source, source.parent}
        if target.is_relative_to(source):
            raise OutputError(f"{out} is inside {source}, which the build reads from")
    for place in sorted(protected):
        if place.is_relative_to(target):
            raise OutputError(f"refusing to write the site to {out}: that would replace "
                              f"{place}" + ("" if place == target else ", which it contains"))
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputError(
            f"{out} is not empty and was not made by briefing-site; refusing to replace it "
            "(choose another --out, or empty that folder yourself)")


def leftovers(out: Path) -> list[Path]:
    """Temporary folders that an interrupted earlier build left beside ``out`` (or inside
    it, on a mount point), and its journal."""
    return sorted(out.parent.glob(f".{out.name}.tmp-*")) + sorted(
        out.parent.glob(f".{out.name}.old-*")) + sorted(out.glob(f"{STAGED}*")) + (
        [out / JOURNAL] if (out / JOURNAL).exists() else [])


@functools.cache
def _renameat2():
    """Linux's renameat2(), which can swap two folders in one step; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot, so the caller falls back."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def open_lock(lock: Path) -> int:
    """A descriptor of the lock file ``lock``, made if need be. Never through a link: a
    planted one would have a build (as root, say) create whatever file it names; nor
    waiting on a FIFO put in its place. OSError with ELOOP or ENXIO for either."""
    descriptor = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(
        os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0),
                         0o644)
    if not S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(errno.ENXIO, "not a regular file")
    return descriptor


@contextlib.contextmanager
def _locked(out: Path, wait: float, on_wait: Callable[[], None] | None):
    """Hold ``.<out>.lock`` beside ``out``, so that two builds never write it at once."""
    lock = out.parent / f".{out.name}.lock"
    try:
        descriptor = open_lock(lock)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):
            raise OutputError(f"{lock} is not the lock file a build makes (a link, or not a "
                              "file); remove it and build again") from None
        raise
    with os.fdopen(descriptor, "a") as handle:
        if fcntl is not None:
            deadline = time.monotonic() + wait
            told = False
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError(
                            f"another build is still writing {out} (it holds {lock}); "
                            "try again when it has finished") from None
                    if on_wait and not told:
                        on_wait()
                        told = True
                    time.sleep(0.05)
        yield


def _place(target: str, previous: str | None, data: bytes | None,
           expected: tuple[int, int] | None = None) -> list[int]:
    """Write ``data`` at ``target``, or link the previous site's identical file there.

    A link keeps the file's modification time, so that rsync and CDNs upload only the
    pages whose bytes changed. ``data`` None keeps the previous file, which must still have
    the size and modification time ``expected``. Returns the placed file's size and
    modification time (ns). (Plain string paths: a large site places thousands of files,
    and pathlib's objects cost more than the system calls.)
    """
    if data is None:
        try:
            stat = os.stat(previous) if previous else None
        except OSError:
            stat = None
        if stat is None or [stat.st_size, stat.st_mtime_ns] != list(expected or ()):
            raise OutputError(f"{previous or target} changed while the site was being "
                              "built; build again")
        return _link(previous, target, stat)
    try:
        stat = os.stat(previous) if previous is not None else None
        # (Only a regular file is compared: opening a FIFO left in its place would hang.)
        if stat is not None and S_ISREG(stat.st_mode) and stat.st_size == len(data):
            with open(previous, "rb") as file:
                if file.read() == data:
                    return _link(previous, target, stat)
    except OSError:
        pass
    _write_new(target, data)
    stat = os.stat(target)
    return [stat.st_size, stat.st_mtime_ns]


def _link(previous: str, target: str, stat: os.stat_result) -> list[int]:
    """Link ``previous`` (whose stat is ``stat``) at ``target``; copy where links fail."""
    try:
        os.link(previous, target)
    except OSError:  # a file system without hard links
        shutil.copy2(previous, target)
        stat = os.stat(target)
    return [stat.st_size, stat.st_mtime_ns]


def _write_new(target: str, data: bytes) -> None:
    with open(target, "wb") as file:
        file.write(data)


def _swap_in(tmp: Path, out: Path) -> None:
    """Put the finished ``tmp`` at ``out``; ``out`` is never missing where renameat2 exists."""
    if not out.exists():
        tmp.rename(out)
    elif _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous site
    else:
        # Two renames: a kill between them leaves the old site beside out, and the next
        # build puts it back (see _recover).
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)


def _update_in_place(out: Path, staged: Path, files: Iterable[str]) -> None:
    """Make ``out`` the site staged in ``staged`` (a folder inside it), whose files are
    ``files``, file by file.

    For a mount point, which no rename can replace. The journal names every file of the new
    site before the first is moved, so that a build killed in between is finished by the
    next one (``_recover``); before the journal, the old site is whole and the staged one
    is dropped. Each file is renamed into place in one step.
    """
    journal = out / JOURNAL
    part = out / f"{JOURNAL}.part"
    with open(part, "w", encoding="utf-8") as file:
        json.dump({"staged": staged.name, "files": sorted(files)}, file)
        file.flush()
        os.fsync(file.fileno())  # on disk before it is the journal: never half a journal
    os.replace(part, journal)
    _finish_in_place(out)


def _journal(out: Path) -> tuple[Path, set[str]] | None:
    """The staged folder and the files an update in place's journal names; None for a
    journal the build did not write, which is ignored (a planted one could name any
    folder to remove and any place to move files to)."""
    try:
        plan = json.loads((out / JOURNAL).read_text(encoding="utf-8"))
        staged, files = plan["staged"], plan["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    inside = isinstance(staged, str) and staged.startswith(STAGED) and "/" not in staged \
        and isinstance(files, list) and all(
            isinstance(f, str) and f and not os.path.isabs(f) and os.path.normpath(f) == f
            and not f.startswith(("..", STAGED)) and "\0" not in f for f in files)
    return (out / staged, set(files)) if inside else None


def _finish_in_place(out: Path) -> None:
    """Carry out the journal of an update in place (see ``_update_in_place``)."""
    journal = out / JOURNAL
    found = _journal(out)
    if found is None:
        journal.unlink()
        return
    staged, files = found
    for relative in sorted(files):
        source, target = staged / relative, out / relative
        if os.path.lexists(source):  # else moved already, before a kill
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)  # a folder where the new site has a file
            for folder in reversed(target.relative_to(out).parents[:-1]):
                if (out / folder).is_file() or (out / folder).is_symlink():
                    (out / folder).unlink()  # a file where the new site has a folder
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for folder, _, names in os.walk(out, topdown=False):
        relative_folder = os.path.relpath(folder, out)
        if relative_folder.split(os.sep)[0] == staged.name:
            continue
        for name in names:
            relative = os.path.normpath(os.path.join(relative_folder, name))
            if relative not in files and relative != JOURNAL:
                os.unlink(os.path.join(folder, name))  # a file the new site does not have
        if folder != os.fspath(out) and not os.listdir(folder):
            os.rmdir(folder)
    shutil.rmtree(staged, ignore_errors=True)
    journal.unlink()


def _recover(out: Path) -> None:
    """Undo what an interrupted build left: restore a site moved aside, drop partial ones,
    finish an update in place whose journal was written."""
    if (out / JOURNAL).is_file():
        _finish_in_place(out)
    if not out.exists():
        moved_aside = sorted(out.parent.glob(f".{out.name}.old-*"))
        if moved_aside and (moved_aside[-1] / MARKER).is_file():
            moved_aside[-1].rename(out)
    for leftover in leftovers(out):
        shutil.rmtree(leftover, ignore_errors=True)


class SiteWriter:
    """Writes one complete site into ``out``; use it as a context manager.

    The new site grows in a temporary folder beside ``out`` while the previous one stays whole
    and in place; when the ``with`` block ends without an error the two swap, and otherwise
    the new one is thrown away. A build killed at any moment leaves one complete site at
    ``out``. The folder's lock is held throughout: a second build of the same ``out`` waits
    up to ``wait`` seconds for the first (calling ``on_wait`` once).
    """

    def __init__(self, out: Path, sources: tuple[Path, ...] = (), *, wait: float = 600,
                 on_wait: Callable[[], None] | None = None) -> None:
        self.out = Path(os.path.abspath(out))
        self.sources, self.wait, self.on_wait = sources, wait, on_wait

    def __enter__(self) -> SiteWriter:
        out = self.out
        check_output(out, self.sources)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {out.parent}: {exc.strerror}") from exc
        self.lock = _locked(out, self.wait, self.on_wait)
        with self._reporting():
            self.lock.__enter__()
        try:
            check_output(out, self.sources)  # another build may have changed it meanwhile
            with self._reporting():
                _recover(out)
                # A mount point cannot be swapped: the new site is staged inside it.
                self.in_place = os.path.ismount(out)
                self.tmp = Path(tempfile.mkdtemp(prefix=STAGED, dir=out) if self.in_place
                                else tempfile.mkdtemp(prefix=f".{out.name}.tmp-",
                                                      dir=out.parent))
                os.chmod(self.tmp, 0o755)  # mkdtemp makes it private; servers must read it
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise
        # No previous site: nothing to compare with (a first build skips thousands of stats).
        self.new, self.old = os.fspath(self.tmp), os.fspath(out) if out.is_dir() else None
        self.folders = {""}
        # Size and modification time of every file placed, by path: what Cache.record keeps.
        self.placed: dict[str, list[int]] = {}
        return self

    @contextlib.contextmanager
    def _reporting(self):
        try:
            yield
        except OSError as exc:
            raise OutputError(
                f"cannot write the site to {self.out}: {exc.strerror or exc}") from exc

    def _target(self, relative: str) -> str:
        parts = relative.split("/")
        # Paths come from slugs, but the writer checks for itself that none can leave the
        # site: no empty, '.' or '..' parts, no backslashes.
        if any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
            raise OutputError(f"refusing to write {relative!r} outside the site")
        folder = relative.rpartition("/")[0]
        if folder not in self.folders:
            with self._reporting():
                os.makedirs(os.path.join(self.new, folder), exist_ok=True)
            self.folders.add(folder)
        return f"{self.new}/{relative}"

    def write(self, files: Mapping[str, bytes] | Iterable[tuple[str, bytes | None]],
              kept: Mapping[str, tuple[int, int]] | None = None) -> None:
        """Place ``files`` in the new site.

        A file given as None is the one already at that path in ``out``, which must still
        have the (size, modification time in ns) that ``kept`` gives for it.
        """
        with self._reporting():
            items = sorted(files.items()) if isinstance(files, Mapping) else files
            for relative, data in items:
                self.placed[relative] = _place(
                    self._target(relative), self.old and f"{self.old}/{relative}", data,
                    (kept or {}).get(relative))

    def __exit__(self, kind, value, traceback) -> None:
        try:
            with self._reporting():
                try:
                    if kind is None:
                        self.placed[MARKER] = _place(
                            f"{self.new}/{MARKER}", self.old and f"{self.old}/{MARKER}",
                            MARKER_TEXT.encode("utf-8"))
                        if self.in_place:
                            _update_in_place(self.out, self.tmp, self.placed)
                        else:
                            _swap_in(self.tmp, self.out)
                    else:
                        shutil.rmtree(self.tmp, ignore_errors=True)
                except BaseException:
                    # Once its journal is written, an update in place is finished, never
                    # undone: the next build moves the rest of the staged files in.
                    if not (self.in_place and (self.out / JOURNAL).exists()):
                        shutil.rmtree(self.tmp, ignore_errors=True)
                    raise
        finally:
            self.lock.__exit__(None, None, None)


def write_site(files: Mapping[str, bytes] | Iterable[tuple[str, bytes | None]], out: Path,
               sources: tuple[Path, ...] = (), *,
               kept: Mapping[str, tuple[int, int]] | None = None,
               wait: float = 600, on_wait: Callable[[], None] | None = None) -> None:
    """Write ``files`` as the complete new content of ``out`` (see ``SiteWriter``)."""
    with SiteWriter(out, sources, wait=wait, on_wait=on_wait) as writer:
        writer.write(files, kept)
