"""Incremental builds: one object holds what the last build did, and what it read.

A build runs load -> validate -> enrich -> render (see ``pipeline``). Given a ``State``, each
stage reads through it, and only the work that a change reaches is done again:

- loading keeps each content file as loaded, by its path and bytes (``State.loaded``, given to
  ``load``): an unchanged file is not parsed again;
- converting keeps each briefing body as converted, by the body and everything else it depends
  on (the glossary's forms, the settings that shape it; not the terms' hints, which pages put
  in; ``State.bodies``, given to ``convert``);
- enrichment keeps its costly results by a digest of their inputs (``State.memo``, given to
  ``listings.related``), and is otherwise done again whole: it is a few hundredths of a
  second per thousand briefings;
- rendering records, for each output file, what it *read* of the enriched site (see
  ``track``): which briefings, views, terms, events, settings, listing pages and templates,
  down to the attribute, with a stamp of each value read. The next build makes each recorded
  read again on the new site; a file whose reads all give the same stamps is the previous
  build's file, unchanged, and is not rendered (``State.unchanged``). What a page reads is
  never listed by hand: a view field added tomorrow is recorded when a template first reads
  it, and a test renders every page of a site with a spy to make sure.

Where the previous files are is the caller's business: ``build`` writes a folder and
``serve`` keeps the site in memory; each tells the state which of the last output's files it
still holds as they were (``State.available``), and confirms with ``State.commit`` once the
new output is in place, so that a failed build leaves the state as it was.

``build`` keeps the state in the cache folder between runs (``Store``): the loaded files and
bodies in sixteen shards each, so that one edit rewrites a sixteenth of them, the records of
the output, and ``state.json``, which lets a build whose inputs have the same digest as the
last one's, into an output folder exactly as that build left it, answer "nothing changed"
before any Markdown or template machinery is even imported. ``serve`` keeps the same state in
memory between saves, with its Jinja environment. Anything unreadable, from another version or
not matching is ignored and rebuilt, never trusted; what is read back can only be this
package's own records (``_Unpickler``), never code. This module imports nothing heavy.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import io
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__, walk

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
    read_at = known.get("at") if isinstance(known.get("at"), int) else 0
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
            if isinstance(old, list) and walk.as_read(stamp, old[:4], read_at):
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


class State:
    """What the last build loaded, converted, enriched and rendered, for the next one.

    A fresh state knows nothing, and the build that uses it does all the work (and records
    it). Stages see only the plain mappings they are given; the records of the output are
    updated through ``unchanged``, ``remember`` and ``commit``, by the pipeline and its caller.
    """

    def __init__(self) -> None:
        self.loaded: dict[str, tuple] = {}  # content files as loaded (see load)
        self.bodies: dict[str, object] = {}  # converted bodies (see convert)
        self.memo: dict[str, object] = {}  # costly results of enrichment (see listings)
        self.records: dict[str, tuple] = {}  # each output file: the reads it made
        # each read's stamp when last made, by what was read and then which attribute
        self.stamps: dict[tuple, dict[str, Any]] = {}
        # Files of the last output that the caller still holds as they were recorded.
        self.available: set[str] | frozenset[str] = frozenset()
        # Set by a caller that knows the inputs are those the records were made from (the
        # same digest): the next build keeps every file it still has, stamping nothing.
        self.settled = False
        # Kept in memory only, for ``serve``: the Jinja environment of the last plan, with its
        # templates' digest; the views the last enrichment made, by their inputs (see
        # ``enrich``); and what the last build's reads were made of, to tell at a glance that
        # a value is the very object it was (see ``track.Resolver``).
        self.environment: tuple[Any, Any] | None = None
        self.made: dict[tuple, tuple] = {}
        self.stamped: Any = None  # the last build's ``stamps.Stamper``
        self.seen: Any = None
        self._pending: dict[str, dict] = {}
        self._stale: set[tuple] = set()
        self._seeing: Any = None

    def unchanged(self, paths: list[str], site: Any) -> set[str]:
        """The paths whose last file is still right: each read it made, made again on the new
        ``site`` (a ``track.Resolver``), is of the very object it was on the last site kept in
        memory, or gives the stamp it gave then; and the caller still has the file."""
        self._pending, self._seeing = {}, site
        settled, self.settled = self.settled, False
        if not self.records:
            return set()
        if settled:
            return {path for path in paths if path in self.available and path in self.records}
        before = self.seen
        self._stale = stale = set()
        for identity, attributes in self.stamps.items():
            entity = identity[0] not in ("context", "template")
            if entity and before is not None and site.same((identity, ""), before):
                continue  # the very object it was: every read of it reads as it did
            for attribute, old in attributes.items():
                read = (identity, attribute)
                passed = not entity and before is not None and site.same(read, before)
                if not passed and site.stamp(read) != old:
                    stale.add(read)
        stale, records = self._stale, self.records
        return {path for path in paths if path in self.available and path in records
                and stale.isdisjoint(records[path])}

    def remember(self, path: str, reads: Iterable[tuple]) -> None:
        """What the file just rendered at ``path`` read (kept once ``commit`` is called)."""
        self._pending[path] = reads

    def commit(self, paths: set[str] | frozenset[str]) -> None:
        """The output of the build is in place with exactly ``paths``: keep its records."""
        fresh: dict[tuple, tuple] = {}
        for path, reads in self._pending.items():
            # One tuple for each read, however many of the files rendered made it: the records
            # of a large archive are millions of reads of far fewer attributes.
            self.records[path] = tuple(fresh.setdefault(read, read) for read in reads)
        stale, stamps, site = self._stale, self.stamps, self._seeing
        # Stamped once each, on the site the files were rendered from: a read still as it
        # was keeps the stamp that told so.
        for read in fresh:
            identity, attribute = read
            known = stamps.setdefault(identity, {})
            if read in stale or attribute not in known:
                known[attribute] = site.stamp(read)
        for identity, attribute in stale - fresh.keys():  # no file that is kept made these
            stamps.get(identity, {}).pop(attribute, None)
        gone = [path for path in self.records if path not in paths]
        for path in gone:
            del self.records[path]
        if gone:  # reads no file makes any more
            used = {read for reads in self.records.values() for read in reads}
            self.stamps = {identity: kept for identity, attributes in self.stamps.items()
                           if (kept := {attribute: value for attribute, value
                                        in attributes.items() if (identity, attribute) in used})}
        self._pending, self._stale = {}, set()
        self.available = frozenset(paths)
        self.seen, self._seeing = self._seeing, None


class _Unpickler(pickle.Unpickler):
    """Reads back this package's own records and nothing else: a planted file can name no
    function to run, only the plain data classes of ``briefing_site`` (which run no code when
    made), the mapping YAML is read into, Python's own containers and the dates YAML gives."""

    def find_class(self, module: str, name: str) -> Any:
        # (Only the modules whose records are kept: importing another one, the package's
        # __main__ say, would run it.)
        if module in _RECORD_MODULES:
            found = getattr(__import__(module, fromlist=[name]), name, None)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or (
                    module == "briefing_site.yamlsource" and name == "Mapping")):
                return found
        if module == "builtins" and name in ("frozenset", "set", "tuple", "dict", "list"):
            return getattr(builtins, name)
        if module == "datetime" and name in ("date", "datetime", "time", "timedelta",
                                             "timezone"):
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"the cache names {module}.{name}, which it may not")


_RECORD_MODULES = frozenset(f"briefing_site.{name}" for name in (
    "errors", "markup", "model", "yamlsource"))


def _load(path: Path, refused: list[str] | None = None) -> Any:
    """What ``path`` holds; None where it is missing, and where it is not this package's
    own (noted in ``refused``: a damaged or planted file is ignored, and rebuilt)."""
    try:
        data = walk.read_regular(path)
    except OSError:  # missing, or unreadable (a FIFO, no permission): not planted, only gone
        return None
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except Exception:
        if refused is not None:
            refused.append(path.name)
        return None


class Store:
    """The cache folder of one project: a ``State`` kept between runs of ``build``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._state: dict[str, Any] | None = None
        self.refused: list[str] = []  # its files that were not this package's records

    def summary(self) -> dict[str, Any]:
        """What the last successful build recorded in ``state.json`` (read once)."""
        if self._state is None:
            try:
                state = json.loads(walk.read_regular(self.folder / "state.json"))
            except (OSError, ValueError):
                state = {}
            ok = isinstance(state, dict) and state.get("format") == FORMAT
            self._state = state if ok else {}
        return self._state

    def up_to_date(self, digest: str, out: Path) -> dict[str, Any] | None:
        """The last build's summary if ``out`` is exactly what a build of ``digest`` left."""
        state = self.summary()
        if state.get("inputs") != digest or state.get("out") != str(out.resolve()):
            return None
        if not out.is_dir() or snapshot(out) != state.get("files"):
            return None
        return state

    def open(self, out: Path) -> State:
        """The state the last build into ``out`` left (a fresh one where there is none);
        ``available`` are its files still as that build left them."""
        state = State()
        summary = self.summary()
        state.loaded = self._entries("briefings")
        state.bodies = self._entries("docs")
        state.memo = self._entries("memo")
        self._known = {name: set(entries) for name, entries in
                       (("briefings", state.loaded), ("docs", state.bodies),
                        ("memo", state.memo))}
        if summary.get("out") == str(out.resolve()) and out.is_dir():
            stored = _load(self.folder / "records.pickle", self.refused)
            if isinstance(stored, dict) and stored.get("code") == code_digest() and \
                    isinstance(stored.get("records"), dict) and \
                    isinstance(stored.get("stamps"), dict):
                state.records, state.stamps = stored["records"], stored["stamps"]
                recorded = summary.get("files")
                recorded = recorded if isinstance(recorded, dict) else {}
                now = snapshot(out)
                state.available = frozenset(path for path in state.records
                                            if path in now and now[path] == recorded.get(path))
        return state

    def memos(self) -> State:
        """A state with what the last build loaded and converted, but no records of its
        output: for ``serve``, whose pages are not ``build``'s."""
        state = State()
        state.loaded, state.bodies, state.memo = (self._entries("briefings"),
                                                  self._entries("docs"), self._entries("memo"))
        return state

    def save(self, state: State, digest: str, out: Path, warnings: list[str],
             files: dict[str, list[int]], sources: dict[str, Any]) -> None:
        """Keep ``state`` after a successful build into ``out``, whose files the writer
        placed with the sizes and times ``files``; ``digest`` and ``sources`` are from
        ``input_digest``."""
        known = getattr(self, "_known", {})
        for name, entries in (("briefings", state.loaded), ("docs", state.bodies),
                              ("memo", state.memo)):
            if set(entries) != known.get(name):  # something was added, or dropped
                self._keep(name, entries, known.get(name))
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            stored = {"code": code_digest(), "records": state.records, "stamps": state.stamps}
            _atomic_write(self.folder / "records.pickle", lambda file: pickle.dump(
                stored, file, protocol=pickle.HIGHEST_PROTOCOL))
        summary = {"format": FORMAT, "inputs": digest, "out": str(out.resolve()),
                   "warnings": warnings, "files": files, "sources": sources}
        self._state = summary
        with contextlib.suppress(OSError):
            _atomic_write(self.folder / "state.json",
                          lambda file: file.write(json.dumps(summary).encode()))

    def forget(self) -> None:
        """After a failed build: the next one checks everything again."""
        self._state = {}
        with contextlib.suppress(OSError):
            (self.folder / "state.json").unlink()

    def _entries(self, name: str) -> dict:
        found: dict = {}
        for shard in range(SHARDS):
            stored = _load(self.folder / f"{name}-{shard:x}.pickle", self.refused)
            if isinstance(stored, dict) and stored.get("code") == code_digest() and \
                    isinstance(stored.get("docs"), dict):
                found.update(stored["docs"])
        return found

    def _keep(self, name: str, docs: dict, before: set | None = None) -> None:
        """Keep ``docs`` under ``name``, rewriting only the shards whose keys differ from
        ``before``."""
        shards: list[dict] = [{} for _ in range(SHARDS)]
        for key, value in docs.items():
            shards[_shard(key)][key] = value
        changed = {_shard(key) for key in set(docs) ^ before} if before is not None \
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
