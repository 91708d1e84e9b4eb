"""Builds killed at any moment, and builds of the same folder started at once."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from briefing_site.write import MARKER
from tests.conftest import REPO, TEMPLATES, snapshot


def start_build(content: Path, out: Path, quiet: bool = False,
                cache: Path | None = None) -> subprocess.Popen:
    # Builds that will be killed write to no pipe: a worker outliving its build must show
    # up as a leftover process below, not as a test waiting forever on the pipe.
    stream = subprocess.DEVNULL if quiet else subprocess.PIPE
    caching = ["--cache", str(cache)] if cache else ["--no-cache"]
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--content", str(content),
         "--templates", str(TEMPLATES), "--out", str(out), *caching],
        stdout=stream, stderr=stream, text=True)


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """A content folder, the site of its first version, and the site its second version gives."""
    root = tmp_path_factory.mktemp("kill")
    content = generate(root, 120)
    out = root / "site"
    assert start_build(content, out).wait() == 0
    old = snapshot(out)
    briefing = content / "briefings" / "synthetic-00007.md"
    briefing.write_text(briefing.read_text() + "\nA sentence added later.\n")
    reference = root / "reference"
    assert start_build(content, reference).wait() == 0
    return content, out, old, snapshot(reference)


def start_and_wait_for_writing(content: Path, out: Path) -> tuple[subprocess.Popen, float]:
    """Start a build; return it once it has begun writing its temporary folder, and when."""
    earlier = set(out.parent.glob(".site.tmp-*"))  # left by builds killed before
    process = start_build(content, out, quiet=True)
    deadline = time.monotonic() + 60
    while not set(out.parent.glob(".site.tmp-*")) - earlier and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.0005)
    return process, time.monotonic()


def builds_running(content: Path) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    return [line for line in listing if "build.py" in line and str(content) in line]


def finish(process: subprocess.Popen) -> int:
    process.communicate()
    return process.returncode


def test_a_build_killed_at_any_moment_leaves_a_complete_site(two_versions):
    content, out, old, new = two_versions
    # How long the writing phase lasts here, so that the kills can be spread across all of it.
    process, began = start_and_wait_for_writing(content, out)
    assert finish(process) == 0
    writing = time.monotonic() - began
    killed_while_writing = 0
    for step in range(13):
        process, _ = start_and_wait_for_writing(content, out)
        time.sleep(writing * step / 12)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_while_writing += 1
        finish(process)
        assert snapshot(out) in (old, new), f"incomplete site after a kill at step {step}"
    assert killed_while_writing >= 6  # the kills did land while the build was writing
    # The killed builds' worker processes ended with them: none is left waiting for work.
    deadline = time.monotonic() + 10
    while builds_running(content) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert builds_running(content) == []
    assert finish(start_build(content, out)) == 0
    assert snapshot(out) == new
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site")) == \
        [".site.lock"]


def test_a_second_build_waits_for_the_first(two_versions):
    content, out, _, new = two_versions
    lock = out.parent / ".site.lock"
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another build is writing
        process = start_build(content, out)
        time.sleep(3)
        assert process.poll() is None  # still waiting
        fcntl.flock(handle, fcntl.LOCK_UN)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Waiting for another build of" in stderr
    assert snapshot(out) == new


def test_two_builds_started_at_once_give_one_complete_site(two_versions):
    content, out, _, new = two_versions
    processes = [start_build(content, out) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    assert snapshot(out) == new
    assert not list(out.parent.glob(".site.tmp-*")) and not list(out.parent.glob(".site.old-*"))


def test_incremental_builds_killed_at_any_moment_leave_a_site_and_a_cache_to_trust(
        two_versions, tmp_path):
    """Kills anywhere in a cached build, while the content goes back and forth between two
    versions: the site is always one of the two, and the next build is right."""
    content, _, old, new = two_versions
    out, cache = tmp_path / "site", tmp_path / "cache"
    briefing = content / "briefings" / "synthetic-00007.md"
    second = briefing.read_text()
    first = second.replace("\nA sentence added later.\n", "")
    assert finish(start_build(content, out, cache=cache)) == 0
    started = time.monotonic()
    briefing.write_text(first)
    assert finish(start_build(content, out, cache=cache)) == 0
    took = time.monotonic() - started
    versions = {first: old, second: new}
    try:
        _kill_repeatedly(content, out, cache, briefing, (first, second), took, versions)
    finally:
        briefing.write_text(second)  # as the other tests of this module expect it


def _kill_repeatedly(content, out, cache, briefing, texts, took, versions) -> None:
    first, second = texts
    for step in range(14):
        text = second if step % 2 == 0 else first
        briefing.write_text(text)
        process = start_build(content, out, quiet=True, cache=cache)
        time.sleep(took * (step % 7) / 6)
        process.send_signal(signal.SIGKILL)
        finish(process)
        assert snapshot(out) in versions.values(), f"incomplete site after a kill at step {step}"
        assert finish(start_build(content, out, cache=cache)) == 0
        assert snapshot(out) == versions[text], f"a wrong site after a kill at step {step}"


@pytest.fixture
def mount_point(tmp_path):
    """A tmpfs mounted in a temporary folder: an output folder that no rename can replace,
    as a Docker bind mount or a web root of its own is."""
    web = tmp_path / "web"
    web.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(web)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield web
    subprocess.run(["umount", "-l", str(web)], check=True)


def _served(out: Path) -> dict[str, bytes]:
    """What a web server serving ``out`` shows, bar the build's own staging and journal."""
    return {path: data for path, data in snapshot(out).items()
            if not path.startswith(".briefing-site.tmp-")
            and not path.startswith(".briefing-site.journal")}


def test_a_mount_point_is_updated_in_place_and_a_kill_is_finished_by_the_next_build(
        two_versions, mount_point):
    content, _, _, new = two_versions
    out = mount_point
    assert finish(start_build(content, out)) == 0
    assert snapshot(out) == new  # nothing of the staging is left
    # Builds killed at moments spread over a build: each next one leaves the complete site.
    started = time.monotonic()
    assert finish(start_build(content, out, quiet=True)) == 0
    length = time.monotonic() - started
    for step in range(8):
        (out / "stale.html").write_text("a file the site does not have")
        (out / "index.html").write_text("changed by hand")
        (out / MARKER).touch()
        process = start_build(content, out, quiet=True)
        time.sleep(length * step / 8)
        process.send_signal(signal.SIGKILL)
        finish(process)
        if not (out / ".briefing-site.journal").exists():  # else its next build finishes it
            assert not any(name.startswith(".briefing-site.tmp-") for name in _served(out))
        assert finish(start_build(content, out)) == 0
        assert snapshot(out) == new, f"after a kill at step {step}"
    # A file where the new site has a folder, and a folder where it has a file.
    shutil.rmtree(out / "briefings")
    (out / "briefings").write_text("a file in the way")
    (out / "index.html").unlink()
    (out / "index.html").mkdir()
    assert finish(start_build(content, out)) == 0
    assert snapshot(out) == new


def test_an_update_in_place_stopped_halfway_is_finished_by_the_next_build(
        two_versions, mount_point, tmp_path, monkeypatch, run):
    """A failing disk (or Ctrl-C) after the journal is written and some files are moved: the
    staged files are kept, and the next build moves them in."""
    from briefing_site import write

    content, _, _, new = two_versions
    out = mount_point
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
               "--no-cache").code == 0
    (out / "index.html").write_text("changed by hand")
    (out / "stale.html").write_text("a file the new site does not have")
    real, moves = os.replace, []

    def replace_then_stop(source, target):
        moves.append(target)
        if len(moves) == 6:  # the journal, then five files of the site
            raise OSError(5, "Input/output error")
        real(source, target)

    monkeypatch.setattr(write.os, "replace", replace_then_stop)
    assert run("build", "--content", content, "--templates", TEMPLATES, "--out", out,
               "--no-cache").code != 0
    monkeypatch.setattr(write.os, "replace", real)
    assert (out / ".briefing-site.journal").is_file()
    assert finish(start_build(content, out)) == 0
    assert snapshot(out) == new
