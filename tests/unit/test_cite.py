"""Reference styles by the rules of their manuals, for one, two, three and many authors."""

import pytest

from briefing_site import cite, exports
from briefing_site.errors import SourceRef
from briefing_site.model import Author, Briefing, PartialDate, SiteConfig

CONFIG = SiteConfig(title="Steppe Briefings", publisher="The Institute")
FIFTH_OF_JANUARY = PartialDate(2022, 1, 5)


def ref(*names: str, date=FIFTH_OF_JANUARY, title="The Title", url="https://x.org/a",
        **fields):
    briefing = Briefing(slug="the-title", title=title, date=date, body="x", body_line=1,
                        source=SourceRef("b.md"), authors=tuple(Author(n) for n in names),
                        publication="The Journal", **fields)
    return cite.reference(briefing, CONFIG, url, "")


@pytest.mark.parametrize(("names", "apa_authors"), [
    (["Charles J. Sullivan"], "Sullivan, C. J."),
    (["Ann Bo", "Kassym-Jomart Tokayev"], "Bo, A., & Tokayev, K.-J."),
    (["Ann Bo", "Cy Do", "Ed Fo"], "Bo, A., Do, C., & Fo, E."),
    (["van der Berg, Anna"], "van der Berg, A."),
])
def test_apa_author_lists(names, apa_authors):
    assert cite.plain(cite.apa(ref(*names))) == (
        f"{apa_authors} (2022, January 5). The Title. The Journal. https://x.org/a")


@pytest.mark.parametrize(("date", "shown"), [
    (PartialDate(2022), "(2022)"), (PartialDate(2022, 3), "(2022, March)"),
    (PartialDate(2022, 3, 9), "(2022, March 9)")])
def test_apa_dates_keep_their_precision(date, shown):
    assert shown in cite.plain(cite.apa(ref("Ann Bo", date=date)))


def test_apa_without_author_starts_with_the_title():
    assert cite.plain(cite.apa(ref())) == (
        "The Title. (2022, January 5). The Journal. https://x.org/a")


def test_apa_italicises_only_the_container():
    assert [text for text, italic in cite.apa(ref("Ann Bo")) if italic] == ["The Journal"]


@pytest.mark.parametrize(("names", "note", "bibliography"), [
    (["Ann Bo"], "Ann Bo", "Bo, Ann."),
    (["Ann Bo", "Cy Do"], "Ann Bo and Cy Do", "Bo, Ann, and Cy Do."),
    (["Ann Bo", "Cy Do", "Ed Fo"], "Ann Bo, Cy Do, and Ed Fo", "Bo, Ann, Cy Do, and Ed Fo."),
    (["Ann Bo", "Cy Do", "Ed Fo", "Gil Ho"], "Ann Bo et al.",
     "Bo, Ann, Cy Do, Ed Fo, and Gil Ho."),
])
def test_chicago_author_lists(names, note, bibliography):
    r = ref(*names)
    assert cite.plain(cite.chicago_note(r)) == (
        f"{note}, “The Title,” The Journal, January 5, 2022, https://x.org/a.")
    assert cite.plain(cite.chicago_bibliography(r)) == (
        f"{bibliography} “The Title.” The Journal, January 5, 2022. https://x.org/a.")


def test_chicago_keeps_a_question_mark_inside_the_quotes():
    r = ref("Ann Bo", title="What Next?")
    assert "“What Next?” The Journal" in cite.plain(cite.chicago_note(r))
    assert "“What Next?” The Journal" in cite.plain(cite.chicago_bibliography(r))


def test_bibtex_escapes_tex_specials_and_uses_month_macros():
    r = ref("Ann Bo", title="Oil & Gas: 50% {up}", date=PartialDate(2022, 3),
            type="research-note")
    text = exports.bibtex(r)
    # A brace is a command with balanced braces, never \{: BibTeX counts that brace too.
    assert r"title = {{Oil \& Gas: 50\% \textbraceleft{}up\textbraceright{}}}" in text
    assert "month = mar," in text and "day =" not in text
    assert text.startswith("@article{bo2022title,")


def test_an_op_ed_is_an_online_entry_dated_by_date_alone():
    text = exports.bibtex(ref("Ann Bo", date=PartialDate(2022, 3)))
    assert text.startswith("@online{bo2022title,")
    assert "  date = {2022-03},\n" in text
    assert "year =" not in text and "month =" not in text and "publisher" not in text
    assert "  journaltitle = {The Journal},\n  booktitle = {The Journal},\n" in text


@pytest.mark.parametrize(("fields", "shown"), [
    ({}, "Bo, A. (2022). The Title. The Institute. https://x.org/a"),
    ({"report_number": "12"}, "Bo, A. (2022). The Title (No. 12). The Institute. https://x.org/a"),
    ({"report_number": "PB-3", "series": "Policy Brief", "series_number": "7"},
     "Bo, A. (2022). The Title (PB-3; Policy Brief 7). The Institute. https://x.org/a"),
    ({"doi": "10.1234/x.5"}, "Bo, A. (2022). The Title. The Institute. https://doi.org/10.1234/x.5"),
])
def test_apa_for_a_report_dates_it_by_year_and_italicises_its_title(fields, shown):
    styled = cite.apa(ref("Ann Bo", type="report", **fields))
    assert cite.plain(styled) == shown
    assert [text for text, italic in styled if italic] == ["The Title"]


def test_reference_files_percent_encode_what_could_end_an_address():
    # Loading refuses such addresses; a model made by other code gets them encoded.
    r = ref("Ann Bo", url="https://x.org/a}\n@preamble{b}")
    assert "  url = {https://x.org/a%7D%0A@preamble%7Bb%7D},\n" in exports.bibtex(r)
    assert "UR  - https://x.org/a%7D%0A@preamble%7Bb%7D\r\n" in exports.ris(r)


def test_ris_dates_at_each_precision():
    assert "DA  - 2022///\r\n" in exports.ris(ref("A B", date=PartialDate(2022)))
    assert "DA  - 2022/03//\r\n" in exports.ris(ref("A B", date=PartialDate(2022, 3)))
    assert "DA  - 2022/03/09/\r\n" in exports.ris(ref("A B", date=PartialDate(2022, 3, 9)))
    assert exports.ris(ref("A B")).endswith("ER  - \r\n")
