"""Search: the index the build writes, against MiniSearch's own indexing of the same documents
(in Node), and the field in a real browser (Debian's Chromium, driven by playwright-core as
the audit is), from disk and served under a sub-path. Where Node, the npm packages or Chromium
are missing these skip and say why; under CI they fail instead."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefing_site import search
from briefing_site.cli import main
from briefing_site.convert import convert_bodies
from briefing_site.enrich import enrich, glossary_entries
from briefing_site.incremental import State
from briefing_site.load import load_site
from briefing_site.markup import FieldRenderer
from briefing_site.options import Options
from briefing_site.pipeline import build_site
from tests.conftest import CONTENT, REPO, TEMPLATES, unavailable

AUDIT = REPO / "tests" / "audit"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Made-up spellings with marks, for folding (no facts: only how words are written).
SPELLINGS = """---
title: Notes on spelling
date: 2022-02-01
author: A. Writer
summary: How names with marks are written here.
---
Names such as Zürich, Şymkent and Ёлки keep their marks in the text.

A second paragraph, about nothing in particular.
"""
QUERIES = ["tokay", "Tokaev", "Gokayev", "ОДКБ", "csto", "Kazakhstan protests", "Nazarbayev",
           "Organisation", "zurich", "SYMKENT", "елки", "castling move", "the"]


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search") / "content"
    shutil.copytree(CONTENT, folder)
    (folder / "briefings" / "notes-on-spelling.md").write_text(SPELLINGS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(content) -> Path:
    out = content.parent / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--out", str(out), "--no-cache"]) == 0
    return out


def _node_modules() -> None:
    if shutil.which("node") is None:
        unavailable("node is not installed")
    if not (AUDIT / "node_modules" / "minisearch").is_dir():
        unavailable("the npm packages are not installed (npm ci in tests/audit)")


def test_the_vendored_minisearch_is_the_pinned_npm_package():
    pinned = json.loads((AUDIT / "package.json").read_text())["dependencies"]["minisearch"]
    locked = json.loads((AUDIT / "package-lock.json").read_text())
    assert locked["packages"]["node_modules/minisearch"]["version"] == pinned
    _node_modules()
    package = AUDIT / "node_modules" / "minisearch"
    assert json.loads((package / "package.json").read_text())["version"] == pinned
    vendored = TEMPLATES / "assets" / "minisearch"
    assert (vendored / "index.js").read_bytes() == (package / "dist/umd/index.js").read_bytes()
    assert (vendored / "LICENSE.txt").read_bytes() == (package / "LICENSE.txt").read_bytes()


def _documents(content: Path) -> list[dict]:
    site = load_site(content).site
    entries = glossary_entries(site, FieldRenderer())
    data = enrich(site, convert_bodies(site.briefings, entries, site.config), entries)
    return [{"id": number, **dict(zip(search.FIELDS, fields, strict=True))}
            for number, (_, fields) in enumerate(search.documents(data, FieldRenderer()))]


def test_the_written_index_answers_as_minisearch_own_index(content, site, tmp_path):
    _node_modules()
    documents = tmp_path / "documents.json"
    documents.write_text(json.dumps(_documents(content)), encoding="utf-8")
    done = subprocess.run(["node", str(AUDIT / "search-index.mjs"), str(site), str(documents),
                           *QUERIES], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    for query in QUERIES:  # the query split and folded as the index was
        assert found["words"][query] == [search.process_term(word)
                                         for word in search.tokenize(query)], query
    for query, ways in found["report"].items():
        native = dict(ways["native"])
        assert native or query == "the", query  # a stop word finds nothing
        for way in ("written", "client"):
            got = dict(ways[way])
            assert got.keys() == native.keys(), (query, way)
            for number, score in native.items():
                assert got[number] == pytest.approx(score, rel=1e-9), (query, way, number)
        assert [n for n, _ in ways["client"][:20]] == [n for n, _ in ways["native"][:20]] or \
            len({round(s, 9) for _, s in ways["native"][:20]}) < len(ways["native"][:20]), query
    stored = json.loads((site / "search" / "index.js").read_text(encoding="utf-8")
                        .removeprefix("briefingSearch.base('").removesuffix("');\n")
                        .replace("\\'", "'").replace("\\\\", "\\"))["storedFields"]

    def first(query: str) -> dict:
        return stored[str(found["report"][query]["native"][0][0])]

    assert first("tokay")["u"] == "glossary.html#tokayev"  # a prefix
    assert first("Tokaev")["u"] == "glossary.html#tokayev"  # one letter missing
    assert first("Gokayev")["u"] == "glossary.html#tokayev"  # the first letter wrong
    assert first("ОДКБ")["u"] == "glossary.html#csto"  # the native spelling
    assert first("zurich")["t"] == "Notes on spelling"  # marks folded, Latin and Cyrillic
    assert first("елки")["t"] == "Notes on spelling"


def test_every_page_has_the_field_hidden_until_its_script_runs(site):
    for page in ("index.html", "glossary.html", "briefings/emergency-on-the-steppe.html"):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        box = soup.select_one("header search.site-search")
        assert box is not None and box.has_attr("hidden"), page
        field = box.select_one("input[type=search]")
        assert field["aria-controls"] == "search-results" and not field.has_attr("role")
        assert soup.select_one("#search-results")["role"] == "listbox"
        assert soup.select_one(f"label[for={field['id']}]").get_text() == \
            "Search briefings, terms and events"
        root = "../" if "/" in page else ""
        assert soup.select_one(f'script[src="{root}assets/search.js"]') is not None
    paragraphs = (site / "search" / "text" / "notes-on-spelling.js").read_text(encoding="utf-8")
    assert paragraphs.startswith("briefingSearch.text('notes-on-spelling','[[\"p1\",\"Names")


def test_a_part_of_the_index_is_stamped_by_a_digest_of_its_terms(content):
    site = load_site(content).site
    entries = glossary_entries(site, FieldRenderer())
    data = enrich(site, convert_bodies(site.briefings, entries, site.config), entries)
    shards = search.corpus(data, FieldRenderer()).shards
    parts = [part for shard in shards for part in shard.parts]
    assert len({part.digest for part in parts}) == len({part.terms for part in parts}) > 100
    for part in parts:
        assert part.digest == search._digest(part.terms)
    for shard in shards:  # and a shard by a digest of what its parts are stamped by
        assert shard.digest == search._digest(tuple((p.number, p.digest) for p in shard.parts))


def test_search_false_in_site_yml_leaves_search_out(content, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(content, folder)
    settings = folder / "site.yml"
    settings.write_text(settings.read_text() + "search: false\n", encoding="utf-8")
    files = build_site(folder, TEMPLATES).files
    assert not [path for path in files if path.startswith("search/")]
    assert b"<search" not in files["index.html"] and b"search.js" not in files["index.html"]


def test_search_must_be_true_or_false(tmp_path, run):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "site.yml").write_text("title: T\nsearch: maybe\n", encoding="utf-8")
    result = run("build", "--content", tmp_path / "c", "--out", tmp_path / "out")
    assert result.code == 1
    assert f"{(tmp_path / 'c' / 'site.yml').as_posix()}:2: error: 'search' must be true or false" \
        in result.err


def test_an_edit_analyses_again_only_the_document_it_changed(content, tmp_path, monkeypatch):
    folder = tmp_path / "content"
    shutil.copytree(content, folder)
    state = State()
    build_site(folder, TEMPLATES, Options(), state)
    analysed = []
    real = search._analyse
    monkeypatch.setattr(search, "_analyse", lambda fields: analysed.append(fields) or
                        real(fields))
    briefing = folder / "briefings" / "notes-on-spelling.md"
    briefing.write_text(SPELLINGS.replace("particular", "particular, edited"), encoding="utf-8")
    build_site(folder, TEMPLATES, Options(), state)
    assert len(analysed) == 1 and "edited" in analysed[0][2]


def _chromium(site_url: str, *queries: str, axe: bool = False) -> dict:
    _node_modules()
    if not (AUDIT / "node_modules" / "playwright-core").is_dir():
        unavailable("playwright-core is not installed (npm ci in tests/audit)")
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    env = {**os.environ, "CHROMIUM": CHROMIUM, "AXE": "1" if axe else ""}
    done = subprocess.run(["node", str(AUDIT / "search.mjs"), site_url, "glossary.html",
                           *queries], capture_output=True, text=True, timeout=300, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _check(report: dict, root: str) -> None:
    expected = {"tokay": "glossary.html#tokayev", "ОДКБ": "glossary.html#csto",
                "castling move": "glossary.html#castling", "Gokayev": "glossary.html#tokayev"}
    for found in report["queries"]:
        query = found["query"]
        assert found["focused"] == "search-field", query  # "/" focused it
        assert found["shown"][0]["href"] == root + expected[query], query
        assert found["expanded"] and found["status"].endswith(("result", "shown",
                                                                         "results")), query
        assert found["selected"] == "true", query  # ArrowDown selects the first
        assert found["closed"] and found["collapsed"] is None, query  # Escape closes
        assert found["opened"] == root + expected[query], query  # ArrowDown, Enter opens it
    castling = next(q for q in report["queries"] if q["query"] == "castling move")
    briefing = next(r for r in castling["shown"] if r["text"].startswith("Briefing"))
    assert briefing["href"].startswith(root + "briefings/emergency-on-the-steppe.html#p")
    assert "castling" in briefing["marks"] and "move" in briefing["marks"]
    assert report["console"] == [] and report["elsewhere"] == []


def test_the_field_finds_and_opens_results_from_disk(site):
    report = _chromium(site.as_uri() + "/", "tokay", "ОДКБ", "castling move", "Gokayev",
                       axe=True)
    _check(report, site.as_uri() + "/")
    assert len(report["axe"]) == 6
    assert all(variant["violations"] == [] for variant in report["axe"]), report["axe"]


def test_the_field_finds_and_opens_results_under_a_sub_path(site, tmp_path):
    www = tmp_path / "www"
    shutil.copytree(site, www / "sub" / "path")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/sub/path/"
        _check(_chromium(root, "tokay", "ОДКБ", "castling move"), root)
    finally:
        server.shutdown()
        server.server_close()
