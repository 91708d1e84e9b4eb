"""Geometry of the timeline overview, drawn at build time as inline SVG.

One axis spans all years; the month with the most dated events gets a second, zoomed axis
below it, so that a fortnight of crisis stays readable next to thirty years of context.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass

from .model import MONTHS, Event, PartialDate

WIDTH = 760
MARGIN = 24
MARK_GAP = 7  # px between stacked marks
ZOOM_MINIMUM = 4  # events a month needs to get its own axis


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Axis:
    y: float
    x0: float
    x1: float
    ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    caption: str
    caption_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    axes: tuple[Axis, ...]
    band: tuple[float, float] | None  # the zoomed month on the main axis
    description: str


def _position(date: PartialDate) -> float:
    """A date as a fractional year; an imprecise date sits in the middle of its period."""
    if date.month is None:
        return date.year + 0.5
    days = calendar.monthrange(date.year, date.month)[1]
    day = date.day if date.day is not None else (days + 1) / 2
    return date.year + (date.month - 1) / 12 + (day - 0.5) / days / 12


def _levels(xs: list[float]) -> list[int]:
    """For marks at ``xs`` (sorted), the level each is lifted to so that none overlap."""
    levels = []
    last_x: dict[int, float] = {}  # level -> x of the last mark placed on it
    for x in xs:
        level = 0
        while level in last_x and x - last_x[level] < MARK_GAP:
            level += 1
        last_x[level] = x
        levels.append(level)
    return levels


def _axis(points: list[tuple[float, str]], top: float, ticks: list[Tick], x0: float, x1: float,
          caption: str) -> Axis:
    """An axis whose highest stacked mark sits at ``top``; marks rise above the line."""
    points = sorted(points)
    levels = _levels([x for x, _ in points])
    height = max(levels, default=0)
    y = top + height * MARK_GAP + 10
    marks = tuple(Mark(round(x, 1), round(y - 10 - level * MARK_GAP, 1), label)
                  for (x, label), level in zip(points, levels, strict=True))
    return Axis(round(y, 1), x0, x1, tuple(ticks), marks, caption, round(top - 14, 1))


def build_chart(events: list[Event]) -> Chart | None:
    """The overview of ``events``, or None when there are none."""
    if not events:
        return None
    first = min(e.date.year for e in events)
    last = max(e.date.year for e in events) + 1
    span = last - first
    x0, x1 = MARGIN, WIDTH - MARGIN

    def x_of(year: float) -> float:
        return x0 + (year - first) / span * (x1 - x0)

    months = Counter((e.date.year, e.date.month) for e in events if e.date.day is not None)
    zoom = None
    if months:
        (year, month), count = max(months.items(), key=lambda item: (item[1], item[0]))
        if count >= ZOOM_MINIMUM:
            zoom = (year, month)
    in_zoom = [e for e in events if e.date.day is not None
               and (e.date.year, e.date.month) == zoom]
    outside = [e for e in events if e not in in_zoom]

    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if span / s <= 12)
    ticks = [Tick(round(x_of(y), 1), str(y)) for y in range(first, last + 1)
             if (y - first) % step == 0]
    main = _axis([(x_of(_position(e.date)), _label(e)) for e in outside], 34, ticks, x0, x1,
                 f"{first}–{last - 1}")
    axes = [main]
    band = None
    height = main.y + 30
    if zoom:
        year, month = zoom
        days = calendar.monthrange(year, month)[1]
        start = x_of(year + (month - 1) / 12)
        band = (round(start, 1), round(max(x_of(year + month / 12) - start, 3), 1))

        def x_day(day: float) -> float:
            return x0 + (day - 0.5) / days * (x1 - x0)

        day_ticks = [Tick(round(x_day(d), 1), str(d)) for d in range(1, days + 1)
                     if d == 1 or d % 5 == 0]
        detail = _axis([(x_day(e.date.day), _label(e)) for e in in_zoom], main.y + 70,
                       day_ticks, x0, x1, f"{MONTHS[month - 1]} {year}, day by day")
        axes.append(detail)
        height = detail.y + 30
    description = (f"{len(events)} events from {first} to {last - 1}, one mark each"
                   + (f"; the {len(in_zoom)} of {MONTHS[zoom[1] - 1]} {zoom[0]} are drawn "
                      "again on a second axis, day by day" if zoom else "")
                   + ". The list below gives every event in full.")
    return Chart(WIDTH, int(height), tuple(axes), band, description)


def _label(event: Event) -> str:
    return f"{event.date.display()}: {event.title}"
