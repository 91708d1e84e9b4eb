"""Publishing to a git branch: the built site becomes the whole content of the branch.

Like ``mkdocs gh-deploy``, with plain git and nothing of the working tree touched: the commit
is made in a temporary repository, on top of the branch as the remote has it (so its history
is kept, one commit per publish), and pushed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from .write import MARKER

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
    with tempfile.TemporaryDirectory(prefix="briefing-site-publish-") as tmp:
        repo = Path(tmp) / "repo"
        _git(Path(tmp), "init", "--quiet", "--", str(repo))
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
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
