"""The only code that writes the site: into a temporary folder, swapped in on success."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import OutputError

MARKER = ".briefing-site"
MARKER_TEXT = "This folder is written by briefing-site and replaced on every build.\n"


def check_output(out: Path) -> None:
    """Refuse an output folder that holds files the builder did not put there."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputError(
            f"{out} is not empty and was not made by briefing-site; refusing to replace it "
            "(choose another --out, or empty that folder yourself)")


def _clean_leftovers(out: Path) -> None:
    """Remove temporary folders that an interrupted earlier build left beside ``out``."""
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for leftover in out.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Write ``files`` as the complete new content of ``out``.

    The previous site stays whole until the new one is complete; then the two folders swap.
    """
    out = Path(os.path.abspath(out))
    check_output(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot create the output folder beside {out}: {exc.strerror}") from exc
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
        for relative, data in sorted(files.items()):
            target = tmp.joinpath(*relative.split("/"))
            if not target.resolve().is_relative_to(tmp.resolve()):
                raise OutputError(f"refusing to write {relative!r} outside the output folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write the site to {out}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
