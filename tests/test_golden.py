"""The golden site: every byte of a small fixture site's output, as committed in tests/golden/.

After an intended change to the output, regenerate it with ``UPDATE_GOLDEN=1 make test`` and
read the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, TEMPLATES, snapshot

GOLDEN_CONTENT = REPO / "tests" / "fixtures" / "golden" / "content"
GOLDEN = REPO / "tests" / "golden"


def _diff(expected: bytes, actual: bytes, path: str) -> str:
    try:
        lines = difflib.unified_diff(expected.decode().splitlines(), actual.decode().splitlines(),
                                     f"golden/{path}", f"built/{path}", lineterm="", n=2)
        return "\n".join(list(lines)[:60])
    except UnicodeDecodeError:
        return f"{path}: binary files differ"


def test_the_golden_site_is_built_byte_for_byte(tmp_path, run):
    out = tmp_path / "site"
    result = run("build", "--content", GOLDEN_CONTENT, "--templates", TEMPLATES, "--out", out,
                 "--no-cache", "--jobs", "1")
    assert result.code == 0, result.err
    built = snapshot(out)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    expected = snapshot(GOLDEN)
    assert sorted(built) == sorted(expected), "the site's files differ from tests/golden/"
    differences = [_diff(expected[path], built[path], path)
                   for path in sorted(built) if built[path] != expected[path]]
    assert not differences, "\n\n".join(differences[:5])


def test_the_golden_content_has_what_the_site_is_meant_to_guard():
    texts = "".join(p.read_text(encoding="utf-8") for p in GOLDEN_CONTENT.rglob("*.*"))
    for feature in ("[^1]:", "|------|", "notes:", "draft: true", "Степной", "locator:"):
        assert feature in texts, feature
    assert Path(GOLDEN / "index.html").is_file()


def _build_in_a_process(out: Path, seed: str, *args: str) -> None:
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--content",
                    str(GOLDEN_CONTENT), "--templates", str(TEMPLATES), "--out", str(out), *args],
                   env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                   capture_output=True)


def test_builds_in_processes_with_other_hash_seeds_are_identical(tmp_path):
    """Nothing in the output, nor in what the cache records, depends on the order of a set
    or a dict of strings, which changes with every process."""
    _build_in_a_process(tmp_path / "one", "1", "--cache", str(tmp_path / "cache-one"))
    _build_in_a_process(tmp_path / "two", "2", "--cache", str(tmp_path / "cache-two"))
    _build_in_a_process(tmp_path / "cold", "3", "--no-cache")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two") == snapshot(tmp_path / "cold")
    with open(tmp_path / "cache-one" / "records.pickle", "rb") as one, \
            open(tmp_path / "cache-two" / "records.pickle", "rb") as two:
        first, second = pickle.load(one), pickle.load(two)
    assert first["records"] and first["stamps"] == second["stamps"]
    assert {path: set(reads) for path, reads in first["records"].items()} == \
        {path: set(reads) for path, reads in second["records"].items()}
