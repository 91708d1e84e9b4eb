from briefing_site.chart import build_chart
from briefing_site.errors import SourceRef
from briefing_site.model import Event, PartialDate

HERE = SourceRef("timeline.yml")


def event(year, month=None, day=None, title="e"):
    return Event(f"{year}-{month}-{day}-{title}", PartialDate(year, month, day), title, "", HERE)


def test_the_busiest_month_gets_a_day_by_day_axis():
    events = [event(1991), event(2010, 6), *[event(2022, 1, d) for d in (2, 5, 5, 7, 19)]]
    chart = build_chart(events)
    assert len(chart.axes) == 2
    main, detail = chart.axes
    assert len(main.marks) == 2 and len(detail.marks) == 5
    assert detail.caption == "January 2022, day by day"
    # Two events on 5 January are stacked, not drawn on top of each other.
    fifth = [m for m in detail.marks if "5 January 2022" in m.label]
    assert len({(m.x, m.y) for m in fifth}) == 2
    assert chart.band is not None and "5 of January 2022" in chart.description


def test_no_second_axis_when_no_month_is_busy():
    chart = build_chart([event(1991), event(2000, 3, 1), event(2010, 6, 2)])
    assert len(chart.axes) == 1 and chart.band is None
    xs = [m.x for m in chart.axes[0].marks]
    assert xs == sorted(xs) and chart.axes[0].x0 <= xs[0] and xs[-1] <= chart.axes[0].x1


def test_nothing_to_draw_without_events():
    assert build_chart([]) is None
