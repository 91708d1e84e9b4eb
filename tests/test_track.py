"""What a page reads is recorded: a spy changes each field of each record in turn and fails
when a page's bytes change though its record does not name that field."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from briefing_site import render, search
from briefing_site.bibliography import cite
from briefing_site.convert import convert_bodies
from briefing_site.enrich import enrich, glossary_entries
from briefing_site.load import load_site
from briefing_site.markup import FieldRenderer
from briefing_site.render import plan_site, render_files
from briefing_site.stamps import Stamper
from briefing_site.track import Resolver, unwrap
from tests.conftest import REPO, TEMPLATES

GOLDEN_CONTENT = REPO / "tests" / "fixtures" / "golden" / "content"


def _site(content: Path, templates: Path):
    site = load_site(content).site
    entries = glossary_entries(site, FieldRenderer())
    docs = convert_bodies(site.briefings, entries, site.config)
    references, problems = cite(site, docs, content)
    assert not [p for p in problems if p.is_error]
    data = enrich(site, docs, entries, references=references)
    # (The index's own files read what search.corpus analysed, stamped by its contents; its
    # paragraphs' files read each briefing's view, as pages do.)
    return data, plan_site(data, templates, index=search.corpus(data, FieldRenderer()))


def _files(plan) -> dict[str, bytes]:
    return {path: data for path, data, _ in render_files(plan) if path.endswith(
        (".html", ".xml", ".txt", ".bib", ".ris", ".json", ".js"))}


def _changed(value):
    """Another value of the same kind, or None where there is no safe one."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + " (changed)" if value else "changed"
    if isinstance(value, tuple) and len(value) > 1:
        return value[::-1]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # (a value made of parts, such as a briefing's rendered references: one part changed)
        for field in dataclasses.fields(value):
            changed = _changed(getattr(value, field.name))
            if changed is not None:
                return dataclasses.replace(value, **{field.name: changed})
    return None


def gaps(content: Path, templates: Path) -> list[tuple[str, tuple, str]]:
    """(page, record, field) for each field whose change changes a page that did not read it."""
    data, plan = _site(content, templates)
    reads = {path: {read for read in found} for path, _, found in
             render_files(plan, record=True)}
    before = _files(plan)
    found, tried = [], 0
    records = Resolver(data, plan.contexts(), plan.digests, Stamper()).index()
    for identity, record in records.items():
        for field in dataclasses.fields(record):
            original = getattr(record, field.name)
            changed = _changed(original)
            if changed is None:
                continue
            object.__setattr__(record, field.name, changed)  # every holder sees the change
            try:
                after = _files(plan)
            except Exception:  # a change that cannot render says nothing either way
                continue
            finally:
                object.__setattr__(record, field.name, original)
            tried += 1
            found += [(path, identity, field.name) for path in before
                      if after[path] != before[path]
                      and (identity, field.name) not in reads[path]]
    assert tried > 100, tried  # the spy did change things
    return found


def test_every_page_records_every_field_it_depends_on():
    assert gaps(GOLDEN_CONTENT, TEMPLATES) == []


def test_the_spy_finds_a_read_that_bypasses_the_record(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    card = templates / "partials" / "card.html"
    card.write_text(card.read_text().replace("</h3>", "</h3>{{ view | sneaky }}"))
    original = render._environment

    def environment(*args, **kwargs):
        env = original(*args, **kwargs)
        # A filter that looks behind what templates see: nothing records what it reads.
        env.filters["sneaky"] = lambda view: unwrap(view).summary_text
        return env

    monkeypatch.setattr(render, "_environment", environment)
    found = gaps(GOLDEN_CONTENT, templates)
    assert ("index.html", ("view", "quiet-week"), "summary_text") in found


def test_values_spelt_out_for_their_stamps_leave_no_field_out():
    from briefing_site.search import Entry, Part, Shard
    from briefing_site.stamps import SPELT
    from briefing_site.views import MentionGroup, UsedTerm

    # Each is spelt as (a tag, then every field): a field added to one of these records
    # must be added to its spelling, or pages showing it would not see it change. (A part
    # of the search index is spelt by a digest of its terms, a shard by one of its parts':
    # tests/test_search.py.)
    covered = {MentionGroup: {"briefing", "places"}, UsedTerm: {"term", "tip"},
               Entry: {"stored", "lengths"}, Part: {"number", "digest", "terms"},
               Shard: {"name", "digest", "parts"}}
    assert set(SPELT) == set(covered)
    for kind, names in covered.items():
        assert {f.name for f in dataclasses.fields(kind)} == names, kind


def test_a_list_of_spelt_values_made_again_is_stamped_by_what_it_holds():
    from briefing_site.model import Briefing
    from briefing_site.views import MentionGroup

    some = load_site(GOLDEN_CONTENT).site.briefings[0]

    def briefing(slug: str) -> Briefing:
        return dataclasses.replace(some, slug=slug)

    def groups(*places: int) -> list[MentionGroup]:
        return [MentionGroup(briefing(f"b{n}"), ((f"p{n}", n),)) for n in places]

    first = Stamper()
    kept = groups(1, 2, 3)
    stamp = first(kept)
    # The next build's stamper, handed the last one: a new list of the same groups, a new
    # list of equal new groups, and lists that differ in one place, in order or in length.
    later = Stamper(last=first)
    assert later(list(kept)) == stamp
    assert later(groups(1, 2, 3)) == stamp
    assert later([*kept[:2], MentionGroup(kept[2].briefing, (("p3", 4),))]) != stamp
    assert later([kept[0], kept[2], kept[1]]) != stamp
    assert later(kept[:2]) != stamp
    assert later(tuple(kept)) != stamp  # a tuple is not a list to a template's tests
    assert Stamper()(groups(1, 2, 3)) == stamp  # another process, nothing kept
