"""The writer keeps a previous file only while it is still the one the build relied on."""

from __future__ import annotations

import os

import pytest

from briefing_site.errors import OutputError
from briefing_site.write import write_site


def stat(path):
    info = path.stat()
    return (info.st_size, info.st_mtime_ns)


def test_a_kept_file_is_linked_with_its_modification_time(tmp_path):
    out = tmp_path / "site"
    write_site({"a.html": b"old a", "b/c.html": b"old c"}, out)
    before = stat(out / "b" / "c.html")
    write_site([("a.html", b"new a"), ("b/c.html", None)], out,
               kept={"b/c.html": before})
    assert (out / "a.html").read_bytes() == b"new a"
    assert (out / "b" / "c.html").read_bytes() == b"old c"
    assert stat(out / "b" / "c.html") == before


@pytest.mark.parametrize("change", ["edited", "removed"])
def test_a_kept_file_changed_since_the_build_began_fails_the_write(tmp_path, change):
    out = tmp_path / "site"
    write_site({"a.html": b"old a", "c.html": b"old c"}, out)
    recorded = stat(out / "c.html")
    if change == "edited":
        (out / "c.html").write_bytes(b"edited by hand")
    else:
        (out / "c.html").unlink()
    with pytest.raises(OutputError, match="changed while the site was being built"):
        write_site([("a.html", b"new a"), ("c.html", None)], out, kept={"c.html": recorded})
    assert (out / "a.html").read_bytes() == b"old a"  # the old site stays as it was
    assert sorted(os.listdir(tmp_path)) == [".site.lock", "site"]


def test_a_build_failing_while_the_writer_is_open_leaves_the_old_site(tmp_path):
    from briefing_site.write import SiteWriter

    out = tmp_path / "site"
    write_site({"a.html": b"old"}, out)
    with pytest.raises(RuntimeError), SiteWriter(out) as writer:
        writer.write([("a.html", b"new"), ("b.html", b"new")])
        raise RuntimeError("the build failed")
    assert sorted(os.listdir(out)) == [".briefing-site", "a.html"]
    assert sorted(os.listdir(tmp_path)) == [".site.lock", "site"]
