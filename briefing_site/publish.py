"""Publishing to a git branch: the built site becomes the whole content of the branch.

Like ``mkdocs gh-deploy``, with plain git and nothing of the working tree touched: the commit
is made in a temporary repository, on top of the branch as the remote has it (so its history
is kept, one commit per publish), and pushed.

That repository holds every file of the site. It is made beside the site folder, under a
fixed name (``.site.publish-*``), while a lock beside it (``.site.publish.lock``) is held:
a publish that was killed leaves it there, and the next publish, once it holds the lock,
knows that no other is using it and removes it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .write import MARKER, open_lock

try:
    import fcntl
except ImportError:  # not on a POSIX system: no lock, leftovers are still removed
    fcntl = None

FALLBACK_NAME = "briefing-site"
FALLBACK_EMAIL = "briefing-site@localhost"


class PublishError(Exception):
    """git refused; the message says what it answered."""


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                                text=True, check=False, env={**os.environ, **(env or {})})
    except FileNotFoundError:
        raise PublishError("git is not installed") from None
    if result.returncode != 0:
        answer = (result.stderr or result.stdout).strip().splitlines()
        raise PublishError(f"git {args[0]} failed: {answer[-1] if answer else result.returncode}")
    return result.stdout.strip()


def leftovers(site: Path) -> list[Path]:
    """Temporary repositories that publishes of ``site`` killed on the way left beside it."""
    return sorted(site.parent.glob(f".{site.name}.publish-*"))


@contextlib.contextmanager
def _workspace(site: Path) -> Iterator[Path]:
    """A new temporary folder beside ``site``, after removing what killed publishes left.

    Only while the lock is held: a second publish of the same site is refused rather than
    have its repository removed under it (or push at the same time)."""
    lock = site.parent / f".{site.name}.publish.lock"
    try:
        descriptor = open_lock(lock)  # as the build's own lock
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):
            raise PublishError(f"{lock} is not the lock file a publish makes (a link, or not "
                               "a file); remove it and publish again") from None
        raise PublishError(f"cannot make {lock}: {exc.strerror or exc}") from exc
    with os.fdopen(descriptor, "a") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PublishError(f"another publish of {site} is running (it holds "
                                   f"{lock}); try again when it has finished") from None
        for old in leftovers(site):
            if old.is_dir() and not old.is_symlink():  # rmtree would refuse a link anyway
                shutil.rmtree(old, ignore_errors=True)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.publish-", dir=site.parent))
        except OSError as exc:
            raise PublishError(f"cannot make a temporary repository beside {site}: "
                               f"{exc.strerror or exc}") from exc
        try:
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def publish(site: Path, remote: str, branch: str, message: str) -> str:
    """Commit every file of ``site`` as the content of ``branch`` on ``remote`` and push it.

    Returns the new commit's id. The site folder's own marker file is left out. A remote
    that begins with '-' is refused: git would read it as an option (``--upload-pack=CMD``
    runs CMD); the remote also always comes after ``--``.
    """
    if not site.is_dir():
        raise PublishError(f"{site} does not exist; build the site first")
    if remote.startswith("-"):
        raise PublishError(f"the remote {remote!r} begins with '-', which git would read as "
                           "an option (write a folder whose name begins with '-' as ./-name)")
    if Path(remote).exists():  # a local repository: git runs elsewhere, so make it absolute
        remote = str(Path(remote).resolve())
    with _workspace(site.resolve()) as tmp:
        repo = tmp / "repo"
        _git(tmp, "init", "--quiet", "--", str(repo))
        index = {"GIT_INDEX_FILE": str(tmp / "index")}
        parent = None
        if _git(repo, "ls-remote", "--heads", "--", remote, f"refs/heads/{branch}"):
            _git(repo, "fetch", "--quiet", "--depth=1", "--", remote, f"refs/heads/{branch}")
            parent = _git(repo, "rev-parse", "FETCH_HEAD")
        _git(repo, f"--work-tree={site.resolve()}", "add", "--all", "--force", "--", ".",
             f":(exclude){MARKER}", env=index)
        tree = _git(repo, "write-tree", env=index)
        identity = {}
        if not _git_config(repo, "user.email"):
            identity = {"GIT_AUTHOR_NAME": FALLBACK_NAME, "GIT_AUTHOR_EMAIL": FALLBACK_EMAIL,
                        "GIT_COMMITTER_NAME": FALLBACK_NAME,
                        "GIT_COMMITTER_EMAIL": FALLBACK_EMAIL}
        commit = _git(repo, "commit-tree", tree, *(["-p", parent] if parent else []),
                      "-m", message, env=identity)
        _git(repo, "push", "--quiet", "--", remote, f"{commit}:refs/heads/{branch}")
        return commit


def _git_config(repo: Path, key: str) -> str:
    try:
        return _git(repo, "config", "--get", key)
    except PublishError:
        return ""
