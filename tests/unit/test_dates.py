import datetime

import pytest

from briefing_site.dates import newest_day, parse_date
from briefing_site.model import PartialDate


@pytest.mark.parametrize(("value", "iso", "shown"), [
    ("2006", "2006", "2006"),
    (2006, "2006", "2006"),
    ("2019-03", "2019-03", "March 2019"),
    ("2022-01-05", "2022-01-05", "5 January 2022"),
    (datetime.date(2022, 1, 5), "2022-01-05", "5 January 2022"),
    (" 2024-02-29 ", "2024-02-29", "29 February 2024"),
])
def test_dates_keep_their_precision(value, iso, shown):
    date = parse_date(value)
    assert date.iso() == iso
    assert date.display() == shown


@pytest.mark.parametrize("value", [
    "2022-13-45", "2022-02-30", "2023-02-29", "next week", "22-01-05", 5, 20220105, True,
    "2022-1-5", ["2022"], None,
])
def test_rejects_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_less_precise_dates_sort_first_within_their_period():
    dates = [PartialDate(2022, 1, 5), PartialDate(2022), PartialDate(2022, 1),
             PartialDate(2021, 12, 31)]
    assert [d.iso() for d in sorted(dates, key=PartialDate.sort_key)] == [
        "2021-12-31", "2022", "2022-01", "2022-01-05"]


@pytest.mark.parametrize(("dates", "expected"), [
    ([], None),
    (["2022-01-05"], "2022-01-05"),
    (["2022-01"], None),
    (["2022-01-05", "2021-11", "2020"], "2022-01-05"),
    # January 2022 may be after the 5th.
    (["2022-01-05", "2022-01"], None),
    (["2022-01-31", "2022-01"], "2022-01-31"),
    (["2022-02-28", "2022-02"], "2022-02-28"),
    (["2024-02-28", "2024-02"], None),  # a leap year: 29 February may be later
    (["2022-03-01", "2022"], None),
    (["2022-12-31", "2022"], "2022-12-31"),
])
def test_newest_day_is_the_newest_date_unless_a_vaguer_one_may_be_later(dates, expected):
    newest = newest_day(parse_date(date) for date in dates)
    assert (newest.iso() if newest else None) == expected
