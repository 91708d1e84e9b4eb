"""Caching and parallel builds change how fast a site is built, never a byte of it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from tests.conftest import TEMPLATES, snapshot

N = 40  # enough for the work to be shared among processes


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("scale"), N)


def build(run, content: Path, out: Path, *args: str):
    result = run("build", "--content", content, "--templates", TEMPLATES, "--out", out, *args)
    assert result.code == 0, result.err
    return result


def test_cold_cached_and_parallel_builds_give_identical_bytes(content, tmp_path, run):
    cold = tmp_path / "cold"
    build(run, content, cold, "--jobs", "1", "--no-cache")
    parallel = tmp_path / "parallel"
    build(run, content, parallel, "--jobs", "2", "--cache", tmp_path / "cache")
    assert snapshot(parallel) == snapshot(cold)
    (parallel / "index.html").unlink()  # the output no longer matches the cache's record
    again = build(run, content, parallel, "--jobs", "2", "--cache", tmp_path / "cache")
    assert again.out.startswith("Built ")
    assert snapshot(parallel) == snapshot(cold)
    single_cached = tmp_path / "single"
    build(run, content, single_cached, "--jobs", "1", "--cache", tmp_path / "cache")
    assert snapshot(single_cached) == snapshot(cold)


def test_a_rebuild_with_nothing_changed_does_nothing(content, tmp_path, run):
    out = tmp_path / "site"
    build(run, content, out, "--cache", tmp_path / "cache")
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = build(run, content, out, "--cache", tmp_path / "cache")
    assert result.out.startswith(f"Nothing changed: {out}/ is up to date")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == times


def test_an_edit_rewrites_only_the_files_whose_bytes_change(content, tmp_path, run):
    out = tmp_path / "site"
    cache = tmp_path / "cache"
    build(run, content, out, "--cache", cache)
    before = snapshot(out)
    times = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
             for p in out.rglob("*") if p.is_file()}
    time.sleep(0.01)
    briefing = content / "briefings" / "synthetic-00007.md"
    original = briefing.read_text()
    try:
        briefing.write_text(original + "\nOne more sentence at the end.\n")
        result = build(run, content, out, "--cache", cache)
    finally:
        briefing.write_text(original)
    assert result.out.startswith("Built ")
    after = snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "briefings/synthetic-00007.html" in changed
    for path in after:
        mtime = (out / path).stat().st_mtime_ns
        if path in changed:
            assert mtime != times.get(path), path
        else:
            assert mtime == times[path], f"{path} was rewritten with the same bytes"
    assert len(changed) < len(after) / 4


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x04K\x01."])
def test_a_corrupt_cache_is_rebuilt_not_trusted(damage, content, tmp_path, run):
    cache = tmp_path / "cache"
    reference = tmp_path / "reference"
    build(run, content, reference, "--no-cache")
    out = tmp_path / "site"
    build(run, content, out, "--cache", cache)
    (cache / "docs.pickle").write_bytes(damage)
    (cache / "state.json").write_text("{not json")
    build(run, content, out, "--cache", cache)
    assert snapshot(out) == snapshot(reference)


def test_the_default_cache_lives_beside_the_content(content, tmp_path, run):
    out = tmp_path / "site"
    build(run, content, out)
    assert (content.parent / ".cache" / "docs.pickle").is_file()
    assert os.path.getsize(content.parent / ".cache" / "state.json") > 0
