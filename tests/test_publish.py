"""publish: the built site becomes the whole content of a branch, pushed to a repository."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BRIEFING, REPO, SITE_YML, TEMPLATES, make_content, snapshot

PUBLISHED_SITE = SITE_YML + "base_url: https://example.github.io/briefings/\n"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *IDENTITY, *args], capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.fixture
def remote(tmp_path) -> Path:
    """A bare repository whose main branch already holds the project's history."""
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(bare)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(work)], check=True)
    (work / "README.md").write_text("the project\n")
    git(work, "add", "README.md")
    git(work, "commit", "--quiet", "-m", "Start")
    git(work, "push", "--quiet", str(bare), "main")
    return bare


def published_files(remote: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    names = git(remote, "ls-tree", "-r", "--name-only", branch).splitlines()
    return {name: subprocess.run(["git", "-C", str(remote), "show", f"{branch}:{name}"],
                                 capture_output=True, check=True).stdout for name in names}


def test_publishing_twice_makes_the_branch_the_site_with_one_commit_each(tmp_path, run,
                                                                         remote):
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    out = tmp_path / "site"
    main_before = git(remote, "rev-parse", "main")
    content_before = snapshot(content)

    first = run("publish", "--content", content, "--templates", TEMPLATES, "--out", out,
                "--git", remote)
    assert first.code == 0, first.err
    assert f"to {remote} branch gh-pages" in first.out
    site = {k: v for k, v in snapshot(out).items() if k != ".briefing-site"}
    assert published_files(remote) == site
    assert ".nojekyll" in site and "sitemap.xml" in site
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"

    (content / "briefings" / "quiet-week.md").write_text(BRIEFING + "\nA later addition.\n")
    second = run("publish", "--content", content, "--templates", TEMPLATES, "--out", out,
                 "--git", remote, "--message", "Second edition")
    assert second.code == 0, second.err
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Second edition"
    site = {k: v for k, v in snapshot(out).items() if k != ".briefing-site"}
    assert published_files(remote) == site
    assert b"A later addition." in published_files(remote)["briefings/quiet-week.html"]

    assert git(remote, "rev-parse", "main") == main_before
    changed = snapshot(content)
    del changed["briefings/quiet-week.md"]
    del content_before["briefings/quiet-week.md"]
    assert changed == content_before  # nothing else of the working tree was touched


def test_another_branch_name_and_a_removed_page(tmp_path, run, remote):
    extra = "---\ntitle: Short-lived\ndate: 2022\n---\n\nText.\n"
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE,
                                      "briefings/short.md": extra})
    args = ("publish", "--content", content, "--templates", TEMPLATES, "--out",
            tmp_path / "site", "--git", remote, "--branch", "pages")
    assert run(*args).code == 0
    assert "briefings/short.html" in published_files(remote, "pages")
    (content / "briefings" / "short.md").unlink()
    assert run(*args).code == 0
    assert "briefings/short.html" not in published_files(remote, "pages")


def test_refuses_without_a_base_url(tmp_path, run, remote):
    content = make_content(tmp_path)
    result = run("publish", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site", "--git", remote)
    assert result.code == 1
    assert "publish needs base_url" in result.err
    assert "gh-pages" not in git(remote, "branch", "--list")


def test_refuses_when_the_build_has_errors(tmp_path, run, remote):
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE,
                                      "briefings/quiet-week.md": BRIEFING.replace(
                                          "date: 2022-01-05", "date: soon")})
    result = run("publish", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site", "--git", remote)
    assert result.code == 1
    assert "error: bad 'date'" in result.err and "Nothing published" in result.err
    assert "gh-pages" not in git(remote, "branch", "--list")


def test_a_remote_that_refuses_gives_a_message(tmp_path, run):
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    result = run("publish", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site", "--git", tmp_path / "not-a-repository")
    assert result.code == 1
    assert result.err.startswith("error: git ")


def test_works_without_a_git_identity(tmp_path, run, remote, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    result = run("publish", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site", "--git", remote)
    assert result.code == 0, result.err
    assert git(remote, "log", "-1", "--format=%an <%ae>", "gh-pages") == \
        "briefing-site <briefing-site@localhost>"


def test_a_remote_that_git_would_read_as_an_option_is_refused_and_runs_nothing(tmp_path, run):
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    ran = tmp_path / "ran"
    result = run("publish", "--content", content, "--templates", TEMPLATES,
                 "--out", tmp_path / "site", f"--git=--upload-pack=touch {ran}")
    assert not ran.exists()
    assert result.code == 1
    assert "begins with '-', which git would read as an option" in result.err


def test_every_remote_is_given_to_git_after_a_double_dash(tmp_path, run, remote, monkeypatch):
    """So that no remote (nor the branch after it) can ever be read as an option."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def recording(argv, *args, **kwargs):
        calls.append(list(argv))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr("briefing_site.publish.subprocess.run", recording)
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    for _ in range(2):  # the second publish fetches the branch the first made
        assert run("publish", "--content", content, "--templates", TEMPLATES,
                   "--out", tmp_path / "site", "--git", remote).code == 0
    with_remote = [argv for argv in calls if str(remote) in argv]
    assert {argv[3] for argv in with_remote} == {"ls-remote", "fetch", "push"}
    for argv in with_remote:
        assert argv.index("--") < argv.index(str(remote)), argv


def test_the_next_publish_removes_the_repository_a_killed_one_left(tmp_path, run, remote):
    """The temporary repository holds the whole site: one left in the system's temporary
    folder by every killed publish would fill it. It is made beside the site instead."""
    hook = remote / "hooks" / "pre-receive"
    started, hang = tmp_path / "push-started", tmp_path / "hang"
    hook.write_text(f'#!/bin/sh\nif [ -e "{hang}" ]; then touch "{started}"; sleep 600; fi\n')
    hook.chmod(0o755)
    hang.touch()
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    out, temporary = tmp_path / "site", tmp_path / "tmp"
    temporary.mkdir()
    args = [sys.executable, str(REPO / "build.py"), "publish", "--content", str(content),
            "--templates", str(TEMPLATES), "--out", str(out), "--git", str(remote)]
    environment = {**os.environ, "TMPDIR": str(temporary)}
    process = subprocess.Popen(args, env=environment, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():  # the push has begun: the repository is complete
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # publish, git and the hook's sleep
        process.wait()
    left = sorted(temporary.iterdir()) + sorted(tmp_path.glob(".site.publish-*"))
    assert left, "the killed publish left nothing to clean"

    hang.unlink()
    again = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=120,
                           check=False)
    assert again.returncode == 0, again.stderr
    assert list(temporary.iterdir()) == [] and list(tmp_path.glob(".site.publish-*")) == []
    assert "index.html" in published_files(remote)


def test_a_publish_of_the_same_site_is_refused_while_another_runs(tmp_path, run, remote):
    """The lock that makes it safe to remove what killed publishes left."""
    fcntl = pytest.importorskip("fcntl")
    content = make_content(tmp_path, {"site.yml": PUBLISHED_SITE})
    in_use = tmp_path / ".site.publish-running"
    in_use.mkdir()
    with open(tmp_path / ".site.publish.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run("publish", "--content", content, "--templates", TEMPLATES,
                     "--out", tmp_path / "site", "--git", remote)
    assert result.code == 1
    assert f"another publish of {tmp_path / 'site'} is running" in result.err
    assert in_use.is_dir() and "gh-pages" not in git(remote, "branch", "--list")
