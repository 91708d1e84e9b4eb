"""Reading dates written as YYYY, YYYY-MM or YYYY-MM-DD, keeping their precision."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable

from .model import PartialDate

_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

EXPECTED = "a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2022, 2022-01 or 2022-01-05"


def parse_date(value: object) -> PartialDate:
    """Turn a YAML value into a PartialDate, or raise ValueError saying what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int):
        # YAML reads an unquoted 2006 as a number; a four-digit number is a year.
        if 1000 <= value <= 9999:
            return PartialDate(value)
        raise ValueError(f"{value} is not a date")
    if isinstance(value, datetime.date):
        return PartialDate(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise ValueError(f"expected a date, found {type(value).__name__}")
    match = _PATTERN.fullmatch(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a date")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{value!r} has no month {month}")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"{value!r}: {calendar.month_name[month]} {year} has no day {day}")
    return PartialDate(year, month, day)


def newest_day(dates: Iterable[PartialDate]) -> PartialDate | None:
    """The newest of ``dates`` if it is known to the day and no date known only to its month
    or year may be later (January 2022 may be after 5 January 2022); else None.

    What a sitemap's ``lastmod`` can say of a page showing things of these dates: its schema
    takes whole days only, and a day made up for a month could tell crawlers that the page is
    older than it is.
    """
    dates = list(dates)
    newest = max(dates, key=PartialDate.sort_key, default=None)
    if newest is None or newest.day is None:
        return None
    last = (newest.year, newest.month, newest.day)
    if any(_last_day(date) > last for date in dates):
        return None
    return newest


def _last_day(date: PartialDate) -> tuple[int, int, int]:
    """The last day ``date`` may stand for: (2022, 1, 31) for January 2022."""
    month = date.month or 12
    return (date.year, month, date.day or calendar.monthrange(date.year, month)[1])
