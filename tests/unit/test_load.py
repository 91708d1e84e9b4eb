"""Loading: every problem a single file can show, with its line."""

from pathlib import Path

from briefing_site.load import load_site
from tests.conftest import make_content


def problems(content: Path) -> list[str]:
    return [str(d) for d in load_site(content).diagnostics]


def test_the_real_fixture_loads_without_problems(tmp_path):
    loaded = load_site(make_content(tmp_path))
    site, found = loaded.site, loaded.diagnostics
    assert found == []
    assert [b.slug for b in site.briefings] == ["quiet-week"]
    assert site.briefings[0].date.iso() == "2022-01-05"
    assert site.briefings[0].body_line == 9


def test_front_matter_yaml_errors_carry_the_file_line(tmp_path):
    content = make_content(tmp_path, {"briefings/quiet-week.md": (
        "---\n"          # line 1
        "title: Fine\n"  # line 2
        "date: 2022\n"   # line 3
        "tags: [a, b\n"  # line 4: unclosed
        "---\n\nBody.\n")})
    [message] = problems(content)
    assert message.startswith(f"{content}/briefings/quiet-week.md:5:")
    assert "invalid YAML" in message


def test_field_errors_point_at_the_line_of_the_field(tmp_path):
    content = make_content(tmp_path, {"briefings/quiet-week.md": (
        "---\ntitle: Fine\n\ndate: next week\n---\n\nBody.\n")})
    [message] = problems(content)
    assert message == (f"{content}/briefings/quiet-week.md:4: error: bad 'date': 'next week' is "
                       "not a date (expected a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2022, "
                       "2022-01 or 2022-01-05)")


def test_unknown_fields_get_a_did_you_mean(tmp_path):
    content = make_content(tmp_path, {"briefings/quiet-week.md": (
        "---\ntitle: Fine\ndate: 2022\nsumary: typo\n---\n\nBody.\n")})
    [message] = problems(content)
    assert (":4: error: unknown field 'sumary' in the front matter "
            "(did you mean 'summary'?)") in message


def test_missing_title_and_date_are_both_reported(tmp_path):
    content = make_content(tmp_path, {"briefings/quiet-week.md": "---\nsummary: x\n---\n\nBody.\n"})
    found = problems(content)
    assert len(found) == 2
    assert any("has no 'title'" in m for m in found)
    assert any("has no 'date'" in m for m in found)


def test_duplicate_keys_are_an_error_not_a_silent_overwrite(tmp_path):
    content = make_content(tmp_path, {"site.yml": "title: A\ndescription: x\ntitle: B\n"})
    [message] = problems(content)
    assert f"{content}/site.yml:3:1: error:" in message
    assert "'title' appears twice" in message


def test_glossary_entries_report_their_own_line(tmp_path):
    content = make_content(tmp_path, {"glossary.yml": (
        "- id: a\n  term: A\n  kind: concept\n  definition: x\n"
        "- id: b\n  term: B\n  kind: colour\n  definition: y\n")})
    [message] = problems(content)
    assert message.startswith(f"{content}/glossary.yml:7: error: unknown kind 'colour'")


def test_bom_crlf_and_tabs_are_accepted(tmp_path):
    text = "\ufeff---\r\ntitle: Fine\r\ndate: 2022\r\n---\r\n\r\nBody\twith a tab.\r\n"
    content = make_content(tmp_path)
    (content / "briefings" / "quiet-week.md").write_bytes(text.encode("utf-8"))
    loaded = load_site(content)
    site, found = loaded.site, loaded.diagnostics
    assert found == []
    assert site.briefings[0].title == "Fine"


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    content = make_content(tmp_path)
    (content / "briefings" / "quiet-week.md").write_bytes(
        b"---\ntitle: x\ndate: 2022\n---\n\ncaf\xe9\n")
    [message] = problems(content)
    assert message.startswith(f"{content}/briefings/quiet-week.md:6: error: the file is not UTF-8")


def test_single_author_with_affiliation_is_accepted(tmp_path):
    content = make_content(tmp_path, {"briefings/quiet-week.md": (
        "---\ntitle: T\ndate: 2022\nauthor: Jo Writer\naffiliation: Somewhere\n---\n\nBody.\n")})
    loaded = load_site(content)
    site, found = loaded.site, loaded.diagnostics
    assert found == []
    assert site.briefings[0].authors[0].name == "Jo Writer"
    assert site.briefings[0].authors[0].affiliation == "Somewhere"


def test_slug_comes_from_the_file_name_unless_given(tmp_path):
    content = make_content(tmp_path, {
        "briefings/Ёлка Report.md": "---\ntitle: T\ndate: 2022\n---\n\nBody.\n",
        "briefings/other.md": "---\ntitle: T2\ndate: 2022\nslug: chosen-one\n---\n\nBody.\n",
    })
    loaded = load_site(content)
    site, found = loaded.site, loaded.diagnostics
    assert found == []
    assert sorted(b.slug for b in site.briefings) == ["chosen-one", "elka-report", "quiet-week"]


def test_a_slug_that_could_leave_the_output_folder_is_refused(tmp_path):
    content = make_content(tmp_path, {"briefings/quiet-week.md": (
        "---\ntitle: T\ndate: 2022\nslug: ../../etc\n---\n\nBody.\n")})
    [message] = problems(content)
    assert ":4: error: 'slug' '../../etc' is not usable in a URL" in message


def test_an_empty_or_comment_only_glossary_is_an_empty_list(tmp_path):
    content = make_content(tmp_path, {"glossary.yml": "# terms will come\n",
                                      "timeline.yml": "", "briefings/quiet-week.md": None,
                                      "briefings/x.md": "---\ntitle: X\ndate: 2022\n---\n\nX.\n"})
    loaded = load_site(content)
    assert loaded.diagnostics == []
    assert loaded.site.terms == () and loaded.site.events == ()
    assert loaded.glossary_complete


def test_a_file_as_it_was_when_last_read_is_not_read_again(tmp_path, monkeypatch):
    import pathlib

    from briefing_site import walk

    monkeypatch.setattr(walk, "RACY_NS", 0)  # these files were written a moment ago
    content = make_content(tmp_path)
    memo: dict = {}
    first = load_site(content, memo)
    opened: list[str] = []
    real = walk.read_regular

    def spy(path):
        opened.append(pathlib.Path(path).name)
        return real(path)

    monkeypatch.setattr(walk, "read_regular", spy)
    assert load_site(content, memo).site == first.site
    assert opened == []
    briefing = content / "briefings" / "quiet-week.md"
    briefing.write_text(briefing.read_text().replace("Quiet Week", "Busy Week"))
    again = load_site(content, memo)
    assert set(opened) == {"quiet-week.md"}  # the changed file, and no other
    assert again.site.briefings[0].title == "Busy Week in Almaty"


def test_a_file_changed_just_before_it_was_read_is_read_again(tmp_path, monkeypatch):
    import pathlib

    from briefing_site import walk

    content = make_content(tmp_path)  # written within the last two seconds
    memo: dict = {}
    load_site(content, memo)
    opened: list[str] = []
    real = walk.read_regular
    monkeypatch.setattr(walk, "read_regular",
                        lambda path: opened.append(pathlib.Path(path).name) or real(path))
    load_site(content, memo)
    assert "quiet-week.md" in opened
