"""Reading dates written as YYYY, YYYY-MM or YYYY-MM-DD, keeping their precision."""

from __future__ import annotations

import calendar
import datetime
import re

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
