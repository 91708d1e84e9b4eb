"""The build cache: what a build may skip because nothing it depends on has changed.

One folder (``.cache/`` beside the content folder unless ``--cache`` says otherwise) holds:

- ``docs-*.pickle``: converted briefing bodies by content key (see ``convert``);
- ``briefings-*.pickle``: loaded content files by path and bytes (see ``load``);
- ``uses-*.pickle``: which context names each template reads (see ``render``);
- ``memo-*.pickle``: costly results of enrichment by a digest of their inputs (see
  ``listings.related``);
- ``templates/``: compiled templates (Jinja's own bytecode cache);
- ``state.json``: a digest of every input of the last successful build (content, templates,
  options and this package's own code) and the size and modification time of every file it
  left in the output folder.

A build whose inputs have the same digest, and whose output folder is exactly as that build
left it, has nothing to do. Anything unreadable, from another version or not matching is
ignored and rebuilt, never trusted. This module imports nothing heavy, so that the
nothing-changed answer comes before any Markdown or template machinery is loaded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__, walk
from .write import leftovers

PACKAGE = Path(__file__).resolve().parent
FORMAT = 1


@functools.cache
def code_digest() -> str:
    """A digest of the code that builds: a new version invalidates everything cached."""
    digest = hashlib.blake2b(f"{__version__}/{FORMAT}".encode(), digest_size=16)
    for source in sorted(PACKAGE.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


# A file's recorded digest is trusted only if it last changed this long before it was read:
# a write within the file system's timestamp granularity would leave its stat unchanged.
RACY_NS = 2_000_000_000


def input_digest(folders: list[Path], options: dict[str, Any],
                 known: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """One digest of every file under ``folders``, the options and the code that builds.

    Returns it with each file's stat and digest (``sources``): given back as ``known`` to
    the next build, they spare reading a file again whose size, times and inode are as
    recorded and which had not changed for a while when it was read (as git's index does).
    """
    started = time.time_ns()
    known = known if isinstance(known, dict) else {}
    recorded = known.get("files") if isinstance(known.get("files"), dict) else {}
    trusted_before = known.get("at", 0) - RACY_NS if isinstance(known.get("at"), int) else 0
    digest = hashlib.blake2b(digest_size=20)
    digest.update(code_digest().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    files: dict[str, list] = {}
    for folder in folders:
        root = os.fspath(folder.resolve())
        digest.update(b"\0folder\0" + os.fsencode(root))
        for relative, stat, target in walk.files(root):
            path = f"{root}/{relative}"
            stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
            old = recorded.get(path)
            if isinstance(old, list) and old[:4] == stamp and stamp[2] < trusted_before:
                file_digest = old[4]
            else:
                with open(path, "rb") as file:
                    file_digest = hashlib.blake2b(file.read(), digest_size=16).hexdigest()
            files[path] = [*stamp, file_digest]
            digest.update(b"\0" + os.fsencode(relative) + b"\0" + file_digest.encode())
            if target is not None:  # where a link leads matters too: the loader checks it
                digest.update(b"\0->" + os.fsencode(target))
    return digest.hexdigest(), {"at": started, "files": files}


def snapshot(out: Path) -> dict[str, list[int]]:
    """Size and modification time of every file in ``out``: enough to notice any change."""
    return {relative: [stat.st_size, stat.st_mtime_ns]
            for relative, stat, _ in walk.files(os.fspath(out))}


def _atomic_write(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Let ``fill`` write the file's new content, then put it in place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            fill(file)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


class Cache:
    """The cache folder of one project."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._state: dict[str, Any] | None = None

    def state(self) -> dict[str, Any]:
        """What the last successful build recorded (read once: a large site's is megabytes)."""
        if self._state is None:
            try:
                state = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = {}
            ok = isinstance(state, dict) and state.get("format") == FORMAT
            self._state = state if ok else {}
        return self._state

    def up_to_date(self, digest: str, out: Path) -> dict[str, Any] | None:
        """The last build's state if ``out`` is exactly what a build of ``digest`` left."""
        state = self.state()
        if state.get("inputs") != digest or state.get("out") != str(out.resolve()):
            return None
        if not out.is_dir() or snapshot(out) != state.get("files"):
            return None
        if leftovers(out):
            return None  # an interrupted build left something to clean up
        return state

    def reusable(self, out: Path) -> tuple[dict[str, str], dict[str, list[int]]]:
        """The fingerprints of the files the last build left in ``out`` that are still as it
        left them, and the size and modification time of each of those files."""
        state = self.state()
        if state.get("out") != str(out.resolve()) or not out.is_dir():
            return {}, {}
        recorded, pages = state.get("files"), state.get("pages")
        if not isinstance(recorded, dict) or not isinstance(pages, dict):
            return {}, {}
        now = snapshot(out)
        kept = {path: now[path] for path in pages
                if path in now and now[path] == recorded.get(path)}
        return {path: pages[path] for path in kept}, kept

    def record(self, digest: str, out: Path, warnings: list[str],
               pages: dict[str, str] | None = None,
               files: dict[str, list[int]] | None = None,
               sources: dict[str, Any] | None = None) -> None:
        """Remember a successful build: its inputs, its output files and their fingerprints.

        ``files`` is the size and modification time of every file in ``out``, as the writer
        placed them (else ``out`` is walked); ``sources`` what ``input_digest`` learned.
        """
        state = {"format": FORMAT, "inputs": digest, "out": str(out.resolve()),
                 "warnings": warnings, "files": snapshot(out) if files is None else files,
                 "pages": pages or {}, "sources": sources or {}}
        self._state = state
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            _atomic_write(self.folder / "state.json",
                          lambda file: file.write(json.dumps(state).encode()))

    def forget(self) -> None:
        self._state = {}
        with contextlib.suppress(OSError):
            (self.folder / "state.json").unlink()

    def entries(self, name: str) -> dict:
        """What earlier builds kept under ``name`` (empty when missing, stale or corrupt):
        ``docs`` converted bodies, ``briefings`` loaded content files, ``uses`` what each
        template reads, ``memo`` results of enrichment."""
        found: dict = {}
        for shard in range(SHARDS):
            try:
                with open(self.folder / f"{name}-{shard:x}.pickle", "rb") as file:
                    stored = pickle.load(file)
            except Exception:  # any unreadable cache is simply rebuilt
                continue
            if isinstance(stored, dict) and stored.get("code") == code_digest() and \
                    isinstance(stored.get("docs"), dict):
                found.update(stored["docs"])
        return found

    def keep(self, name: str, docs: dict, before: set | None = None) -> None:
        """Keep ``docs`` under ``name``, rewriting only the shards whose keys differ from
        ``before`` (the keys ``entries`` gave)."""
        shards: list[dict] = [{} for _ in range(SHARDS)]
        for key, value in docs.items():
            shards[_shard(key)][key] = value
        changed = {_shard(key) for key in set(docs) ^ (before or set())} if before is not None \
            else set(range(SHARDS))
        for shard in sorted(changed):
            stored = {"code": code_digest(), "docs": shards[shard]}
            with contextlib.suppress(OSError):  # a cache that cannot be written costs time
                _atomic_write(self.folder / f"{name}-{shard:x}.pickle",
                              lambda file, stored=stored: pickle.dump(
                                  stored, file, protocol=pickle.HIGHEST_PROTOCOL))


# Kept in a few files, so that one edit rewrites a sixteenth of the cache, not all of it.
SHARDS = 16


def _shard(key: str) -> int:
    return int(hashlib.blake2b(key.encode(), digest_size=1).hexdigest(), 16) % SHARDS
