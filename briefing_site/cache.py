"""The build cache: what a build may skip because nothing it depends on has changed.

One folder (``.cache/`` beside the content folder unless ``--cache`` says otherwise) holds:

- ``docs.pickle``: converted briefing bodies by content key (see ``convert``);
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
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__
from .write import leftovers

PACKAGE = Path(__file__).resolve().parent
FORMAT = 1


def _code_digest() -> str:
    digest = hashlib.blake2b(f"{__version__}/{FORMAT}".encode(), digest_size=16)
    for source in sorted(PACKAGE.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def input_digest(folders: list[Path], options: dict[str, Any]) -> str:
    """One digest of every file under ``folders``, the options and the code that builds."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_code_digest().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    for folder in folders:
        digest.update(b"\0folder\0" + os.fsencode(folder.resolve()))
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(b"\0" + os.fsencode(path.relative_to(folder)) + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def snapshot(out: Path) -> dict[str, list[int]]:
    """Size and modification time of every file in ``out``: enough to notice any change."""
    files = {}
    for path in out.rglob("*"):
        if path.is_file():
            stat = path.stat()
            files[path.relative_to(out).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return files


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

    def state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) and state.get("format") == FORMAT else {}

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

    def record(self, digest: str, out: Path, warnings: list[str]) -> None:
        state = {"format": FORMAT, "inputs": digest, "out": str(out.resolve()),
                 "warnings": warnings, "files": snapshot(out)}
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            _atomic_write(self.folder / "state.json",
                          lambda file: file.write(json.dumps(state).encode()))

    def forget(self) -> None:
        with contextlib.suppress(OSError):
            (self.folder / "state.json").unlink()

    def documents(self) -> dict:
        """Converted bodies from earlier builds (empty when missing, stale or corrupt)."""
        try:
            with open(self.folder / "docs.pickle", "rb") as file:
                stored = pickle.load(file)
        except Exception:  # any unreadable cache is simply rebuilt
            return {}
        if not isinstance(stored, dict) or stored.get("code") != _code_digest():
            return {}
        docs = stored.get("docs")
        return docs if isinstance(docs, dict) else {}

    def save_documents(self, docs: dict) -> None:
        # Streamed to the file: a large archive's bodies never sit in memory twice.
        stored = {"code": _code_digest(), "docs": docs}
        with contextlib.suppress(OSError):
            _atomic_write(self.folder / "docs.pickle", lambda file: pickle.dump(
                stored, file, protocol=pickle.HIGHEST_PROTOCOL))
