"""Charts: a key result's values over its period, laid out at build time.

The points are the check-ins' values, or for a key result without check-ins
the values of ``current`` from the git history (``build --history git``),
drawn the same way. :func:`checkin_chart` computes every coordinate and label
of the chart (with :mod:`okrpub.site.chartlayout`); the theme's ``chart.html``
only presents it as inline SVG.

The chart reads without hovering: 3 to 5 "nice" ticks in the key result's
unit with gridlines, the target line labelled with its value, the even pace
from start at the period's start to target when due, a "today" marker while
the period runs, the last value printed at its point, and the confidence of
each check-in as a strip below. Labels do not overlap. A key result with no
values yet gets no value line; a cancelled one gets no chart. The chart says
in words what it shows (:func:`summary`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from okrpub.model.types import KeyResult, Number, Period, PeriodState
from okrpub.site.chartlayout import (
    FONT,
    SHORT_UNITS,
    WIDTH,
    Attributes,
    Label,
    Placer,
    fmt,
    nice_ticks,
    text_width,
    tick_labels,
)
from okrpub.site.format import ShownCheckin, format_percent, format_quantity
from okrpub.site.i18n import Locale

ROW = 20
PLOT_TOP, PLOT_HEIGHT, RIGHT = 30, 130, 8
STRIP_HEIGHT = 22


class Mark(NamedTuple):
    """A value's point: where it is drawn, and its tooltip."""

    at: Attributes
    title: str


class Bar(NamedTuple):
    """A check-in's confidence: its ``track`` (the full height), its bar and its tooltip."""

    track: Attributes
    at: Attributes
    title: str


@dataclass(frozen=True)
class Strip:
    """The confidence of each check-in as a bar up from ``axis``."""

    bars: tuple[Bar, ...]
    axis: Attributes


@dataclass(frozen=True)
class Chart:
    """Everything the theme draws of one key result's chart, in SVG units."""

    id: str
    title: str
    #: What the chart draws, for its ``desc``.
    description: str
    #: Where the key result stands, in words: the chart's visible caption.
    summary: str
    width: int
    height: int
    #: The lines across: gridlines, the axis, the target; the pace and today's marker.
    gridlines: tuple[Attributes, ...]
    axis: Attributes
    target: Attributes
    pace: Attributes
    today: Attributes | None
    #: The value line's points (``"x,y x,y"``); empty without values.
    line: str
    points: tuple[Mark, ...]
    strip: Strip | None
    labels: tuple[Label, ...]


def _segment(x1: str, y1: str, x2: str, y2: str) -> Attributes:
    return Attributes(f'x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"')


class _Plot:
    """The plot area: days across, the ticks' range up."""

    def __init__(self, left: float, ticks: list[float], first: dt.date, last: dt.date) -> None:
        self.left, self.right, self.bottom = left, WIDTH - RIGHT, PLOT_TOP + PLOT_HEIGHT
        self.ticks, self.first, self.last = ticks, first, last
        self._days = max((last - first).days, 1)
        self._ends = fmt(self.left), fmt(self.right)

    def x(self, day: dt.date) -> float:
        return self.left + (self.right - self.left) * (day - self.first).days / self._days

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return PLOT_TOP + PLOT_HEIGHT * (high - value) / (high - low)

    def xs(self, days: list[dt.date]) -> list[float]:
        """:meth:`x` of each of ``days``."""
        left, span, first, count = self.left, self.right - self.left, self.first, self._days
        return [left + span * (day - first).days / count for day in days]

    def ys(self, values: list[float]) -> list[float]:
        """:meth:`y` of each of ``values``."""
        high, size = self.ticks[-1], self.ticks[-1] - self.ticks[0]
        return [PLOT_TOP + PLOT_HEIGHT * (high - value) / size for value in values]

    def across(self, y: float) -> Attributes:
        at = fmt(y)
        return _segment(self._ends[0], at, self._ends[1], at)


def checkin_chart(
    key_result: KeyResult,
    period: Period,
    today: dt.date,
    locale: Locale,
    chart_id: str,
    shown: tuple[ShownCheckin, ...],
) -> Chart | None:
    """The chart of a numeric key result that counts, or ``None`` when it has none;
    ``shown`` are its check-ins as shown (:func:`~okrpub.site.format.shown_checkins`)."""
    if key_result.kind != "numeric" or key_result.cancelled is not None:
        return None
    if key_result.start is None or key_result.target is None:
        return None
    unit, position = key_result.unit, key_result.unit_position

    def quantity(value: Number | None) -> str:
        return format_quantity(locale, value, unit, key_result.unit_singular, position)

    # the points: each day and value, and the two as the check-ins' table shows them
    points = [
        (row[0], float(row[1]), texts[0], texts[1])
        for row, texts in zip(key_result.checkins.rows, shown, strict=True)
        if isinstance(row[1], (int, float))
    ]
    if not points:
        past = [(day, float(value)) for day, value in key_result.history]
        points = [(day, value, locale.date(day), quantity(value)) for day, value in past]
    start, target = float(key_result.start), float(key_result.target)
    values = [start, target, *(point[1] for point in points)]
    ticks = nice_ticks(min(values), max(values), whole=all(v.is_integer() for v in values))
    tick_texts = tick_labels(locale, ticks, unit, position)
    days = [point[0] for point in points]
    plot = _Plot(
        max(map(text_width, tick_texts)) + 10,
        ticks,
        min([period.start, *days]),
        max([key_result.due, period.end, *days]),
    )
    running = period.state is PeriodState.CURRENT and plot.first <= today <= plot.last
    xs, ys = plot.xs(days), plot.ys([point[1] for point in points])

    placer = Placer()
    _axis_labels(placer, plot, tick_texts, unit, locale)
    target_y = plot.y(target)
    target_text = quantity(key_result.target)
    placer.place(
        locale.text("chart.target_value", value=target_text),
        "chart-target-label",
        *_beside(plot.right, target_y, "end"),
        *_beside(plot.left + 4, target_y, "start"),
    )
    if points:
        placer.place(points[-1][3], "chart-value", *_around(xs[-1], ys[-1]))
    tx = plot.x(today)
    if running:
        placer.place(locale.text("chart.today"), "chart-today-label", *_at_top(tx, plot.bottom))
    strip = _strip(key_result, shown, plot, placer, locale)
    start_x, start_y = fmt(plot.x(period.start)), fmt(plot.y(start))
    line, marks = [f"{start_x},{start_y}"], []
    for (_, _, day_text, value_text), x, y in zip(points, xs, ys, strict=True):
        cx, cy = fmt(x), fmt(y)
        line.append(f"{cx},{cy}")
        marks.append(Mark(Attributes(f'cx="{cx}" cy="{cy}"'), f"{day_text}: {value_text}"))
    history = bool(key_result.history)
    return Chart(
        id=chart_id,
        title=locale.text(
            "chart.history_title" if history else "chart.title", title=key_result.title
        ),
        description=locale.text(
            "chart.history_description" if history else "chart.description",
            count=len(points),
            start=quantity(key_result.start),
            target=target_text,
        ),
        summary=summary(key_result, period, today, locale),
        width=WIDTH,
        height=int(float(strip.base) + 6) if strip else plot.bottom + ROW + 8,
        gridlines=tuple(plot.across(plot.y(tick)) for tick in ticks),
        axis=plot.across(plot.bottom),
        target=plot.across(target_y),
        pace=_segment(start_x, start_y, fmt(plot.x(key_result.due)), fmt(target_y)),
        today=_segment(fmt(tx), fmt(PLOT_TOP), fmt(tx), fmt(plot.bottom)) if running else None,
        line=" ".join(line) if points else "",
        points=tuple(marks),
        strip=strip.drawn if strip else None,
        labels=tuple(placer.labels),
    )


def _axis_labels(
    placer: Placer, plot: _Plot, tick_texts: list[str], unit: str, locale: Locale
) -> None:
    """The ticks' values, the first and last day, and a unit that is a word."""
    for tick, text in zip(plot.ticks, tick_texts, strict=True):
        placer.place(text, "chart-tick", (plot.left - 6, plot.y(tick) + 5, "end"))
    placer.place(locale.date(plot.first), "chart-date", (plot.left, plot.bottom + ROW, "start"))
    placer.place(locale.date(plot.last), "chart-date", (plot.right, plot.bottom + ROW, "end"))
    if unit and unit not in SHORT_UNITS:
        placer.place(unit, "chart-unit", (0, PLOT_TOP - 12, "start"))


def _beside(x: float, y: float, anchor: str) -> list[tuple[float, float, str]]:
    """Just above a horizontal line at ``y``, else just below it."""
    return [(x, y - 6, anchor), (x, y + FONT + 2, anchor)]


def _around(x: float, y: float) -> list[tuple[float, float, str]]:
    """Above a point, else below, right or left of it."""
    return [
        (x, y - 10, "middle"),
        (x, y + FONT + 8, "middle"),
        (x + 9, y + 5, "start"),
        (x - 9, y + 5, "end"),
    ]


def _at_top(x: float, bottom: float) -> list[tuple[float, float, str]]:
    """Above the top of a vertical line at ``x``, else beside its foot."""
    top = PLOT_TOP - 12
    return [
        (x, top, "middle"),
        (x + 4, top, "start"),
        (x - 4, top, "end"),
        (x + 4, bottom - 6, "start"),
    ]


class _Strip(NamedTuple):
    drawn: Strip
    #: Where its axis is drawn (as written: the chart's height follows from it).
    base: str


def _strip(
    key_result: KeyResult,
    shown: tuple[ShownCheckin, ...],
    plot: _Plot,
    placer: Placer,
    locale: Locale,
) -> _Strip | None:
    """The confidence of each check-in that gives one, below the dates; labelled."""
    rated = [
        (row[0], float(row[2]), texts)
        for row, texts in zip(key_result.checkins.rows, shown, strict=True)
        if row[2] is not None
    ]
    if not rated:
        return None
    label_y = plot.bottom + 2 * ROW + 4
    base = label_y + 8 + STRIP_HEIGHT
    placer.place(
        locale.text("chart.confidence"), "chart-strip-label", (plot.left, label_y, "start")
    )
    track = f'" y="{fmt(base - STRIP_HEIGHT)}" width="6" height="{STRIP_HEIGHT}"'
    bars = []
    xs = plot.xs([day for day, _, _ in rated])
    for (_, confidence, (date, _, shown_confidence)), bar_x in zip(rated, xs, strict=True):
        height = max(confidence * STRIP_HEIGHT, 1.0)
        title = locale.text("chart.confidence_on", date=date, confidence=shown_confidence)
        x = fmt(bar_x - 3)
        at = f'x="{x}" y="{fmt(base - height)}" width="6" height="{fmt(height)}"'
        bars.append(Bar(Attributes(f'x="{x}{track}'), Attributes(at), title))
    lx = xs[-1]
    placer.place(
        rated[-1][2].confidence,
        "chart-strip-value",
        (lx + 7, base - 4, "start"),
        (lx - 7, base - 4, "end"),
    )
    return _Strip(Strip(tuple(bars), plot.across(base)), fmt(base))


def summary(key_result: KeyResult, period: Period, today: dt.date, locale: Locale) -> str:
    """The chart in words: where the key result stands, against the pace and the target."""

    def quantity(value: Number | None) -> str:
        return format_quantity(
            locale, value, key_result.unit, key_result.unit_singular, key_result.unit_position
        )

    if key_result.current is None or key_result.progress is None:
        parts = [locale.text("chart.summary_no_values")]
    else:
        progress = format_percent(locale, key_result.progress)
        parts = [
            locale.text("chart.summary_now", value=quantity(key_result.current), progress=progress)
        ]
    expected = key_result.expected_progress
    if expected is not None and period.state is PeriodState.CURRENT:
        start, target = float(key_result.start or 0), float(key_result.target or 0)
        pace = start + (target - start) * expected
        whole = start.is_integer() and target.is_integer()
        parts.append(
            locale.text(
                "chart.summary_pace",
                pace=format_percent(locale, expected),
                value=quantity(round(pace) if whole else round(pace, 2)),
                date=locale.date(today),
            )
        )
    due = locale.date(key_result.due)
    parts.append(locale.text("chart.summary_target", value=quantity(key_result.target), date=due))
    return locale.text("chart.summary", parts="; ".join(parts))
