"""The input digest: files whose stat is as recorded are not read again, unless that is unsafe."""

from __future__ import annotations

import builtins
import datetime
import io
import os
from pathlib import Path

import pytest

from briefing_site import incremental as cache
from briefing_site import walk
from briefing_site.incremental import input_digest


def _content(folder: Path) -> Path:
    (folder / "briefings").mkdir(parents=True)
    (folder / "site.yml").write_text("title: T\n")
    for n in range(3):
        (folder / "briefings" / f"b{n}.md").write_text(f"---\ntitle: B{n}\n---\nText {n}.\n")
    return folder


def _reads(monkeypatch) -> list[str]:
    """The files input_digest opens from now on."""
    opened: list[str] = []

    def spy(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(cache, "open", spy, raising=False)
    return opened


def test_files_as_recorded_are_not_read_again(tmp_path, monkeypatch):
    monkeypatch.setattr(walk, "RACY_NS", 0)  # these files were written a moment ago
    folder = _content(tmp_path / "content")
    digest, sources = input_digest([folder], {})
    opened = _reads(monkeypatch)
    again, _ = input_digest([folder], {}, sources)
    assert again == digest
    assert opened == []


def test_a_file_rewritten_with_its_size_and_time_kept_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setattr(walk, "RACY_NS", 0)
    folder = _content(tmp_path / "content")
    digest, sources = input_digest([folder], {})
    path = folder / "briefings" / "b1.md"
    before = path.stat()
    path.write_text(path.read_text().replace("Text 1.", "Text 9."))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as rsync -t or cp -p do
    assert path.stat().st_size == before.st_size
    opened = _reads(monkeypatch)
    again, _ = input_digest([folder], {}, sources)
    assert again != digest
    assert opened == [str(path.resolve())]


def test_files_changed_just_before_they_were_read_are_read_again(tmp_path, monkeypatch):
    # A write in the same tick of the file system's clock as the read would keep the stat:
    # a file that changed within RACY_NS of the recording is never trusted.
    folder = _content(tmp_path / "content")
    digest, sources = input_digest([folder], {})
    opened = _reads(monkeypatch)
    again, _ = input_digest([folder], {}, sources)
    assert again == digest
    assert len(opened) == 4


def test_anything_unexpected_as_sources_is_ignored(tmp_path):
    folder = _content(tmp_path / "content")
    digest, _ = input_digest([folder], {})
    for junk in (None, [], {"files": []}, {"at": "x", "files": {"a": 1}},
                 {"at": 1, "files": {str(folder.resolve() / "site.yml"): [0, 0, 0, 0, "x"]}}):
        assert input_digest([folder], {}, junk)[0] == digest


def test_the_cache_reads_back_its_own_records_and_refuses_anything_else(tmp_path):
    import pickle

    from briefing_site.errors import SourceRef
    from briefing_site.model import Briefing, PartialDate
    from briefing_site.yamlsource import Mapping

    nested = Mapping({"when": datetime.date(2022, 1, 5), "list": [1, {"a": frozenset({2})}]})
    record = Briefing("b", "B", PartialDate(2022), "x", 1, SourceRef("b.md"), extra={"n": nested})
    (tmp_path / "good.pickle").write_bytes(pickle.dumps({"docs": record}, protocol=5))
    loaded = cache._load(tmp_path / "good.pickle")["docs"]
    assert loaded == record and loaded.extra == record.extra
    assert type(loaded.extra["n"]) is Mapping

    class Planted:
        def __reduce__(self):
            return (os.system, ("touch planted",))

    planted = pickle.dumps(Planted())
    with pytest.raises(pickle.UnpicklingError, match="may not"):
        cache._Unpickler(io.BytesIO(planted)).load()
    (tmp_path / "bad.pickle").write_bytes(planted)
    refused: list[str] = []
    assert cache._load(tmp_path / "bad.pickle", refused) is None
    assert refused == ["bad.pickle"]  # to be noted, and rebuilt
    assert cache._load(tmp_path / "missing.pickle", refused) is None and len(refused) == 1
    assert not Path("planted").exists()


def test_a_settled_state_with_no_records_is_settled_no_longer():
    """``settled`` holds for the next build only, whether or not records came with it: else
    a later save would keep every file unstamped."""
    state = cache.State()
    state.settled = True
    assert state.unchanged(["index.html"], site=None) == set()
    assert state.settled is False
