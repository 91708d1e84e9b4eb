"""Walking a folder as the loaders see it: linked folders followed, each real folder once.

Both the check for "nothing changed" and the digest of the templates must see every file a
build can read, including those behind a link to a folder (Jinja and the content loader
follow such links).
"""

from __future__ import annotations

import errno
import os
import stat

# A file's recorded stat is trusted only if the file last changed this long before it was
# read: a write within the file system's timestamp granularity would leave its stat as it was.
RACY_NS = 2_000_000_000


def as_read(stamp: tuple | list, recorded: tuple | list, read_at: int) -> bool:
    """Whether a file whose stat is now ``stamp`` (size, modification time, change time,
    inode, and whatever else the caller adds) is the one that was ``recorded`` when it was read
    at ``read_at`` (ns): then it need not be read again, as git's index reasons."""
    return list(stamp) == list(recorded) and stamp[2] < read_at - RACY_NS


def files(root: str) -> list[tuple[str, os.stat_result, str | None]]:
    """Every file under ``root`` as (relative path, stat, real path if reached through a
    link, else None), sorted by relative path."""
    found = []
    folders = [("", root, False)]
    seen = {os.path.realpath(root)}  # the real folders entered through links
    while folders:
        prefix, folder, linked = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                through = linked or entry.is_symlink()
                if entry.is_dir():
                    if through:  # only a link can lead back up the tree, forever
                        real = os.path.realpath(entry.path)
                        if real in seen:
                            continue
                        seen.add(real)
                    folders.append((f"{prefix}{entry.name}/", entry.path, through))
                elif entry.is_file():
                    found.append((prefix + entry.name, entry.stat(),
                                  os.path.realpath(entry.path) if through else None))
    return sorted(found, key=lambda item: item[0])


def named(folder: str, suffix: str) -> list[str]:
    """The names in ``folder`` ending in ``suffix`` of files and broken links, sorted (as
    text: sorting thousands of paths as Path objects costs a tenth of a second); none where
    the folder is missing or unreadable."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entry.name for entry in entries if entry.name.endswith(suffix)
                          and (entry.is_file() or not os.path.exists(entry.path)))
    except OSError:
        return []


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of the file at ``path``; OSError unless it is a regular file. A FIFO or a
    device is not even waited on: opening a FIFO to read blocks until someone writes to it,
    and a build would hang there, holding its lock."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        return file.read()
