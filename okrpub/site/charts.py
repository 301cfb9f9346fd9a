"""Charts: a key result's check-in history as inline SVG, drawn at build time.

The points are the check-ins' values, or for a key result without check-ins
the values of ``current`` from the git history (``build --history git``),
drawn the same way. The chart shows the values over the period with the target as a dashed
line and the even pace from start to target as a faint line. Every string
from content is escaped; the chart has a text alternative.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from okrpub.model.types import KeyResult, Period
from okrpub.site.format import format_quantity
from okrpub.site.i18n import Locale

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 28


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def checkin_chart(
    key_result: KeyResult, period: Period, locale: Locale, chart_id: str
) -> Markup | None:
    """The SVG chart of a numeric key result, or ``None`` when there is nothing to draw."""
    if key_result.kind != "numeric" or key_result.start is None or key_result.target is None:
        return None
    points = [
        (c.date, float(c.value)) for c in key_result.checkins if isinstance(c.value, (int, float))
    ] or [(day, float(value)) for day, value in key_result.history]
    start, target = float(key_result.start), float(key_result.target)
    values = [start, target, *(value for _, value in points)]
    low, high = min(values), max(values)
    first_day = min([period.start, *(day for day, _ in points)])
    last_day = max([key_result.due, period.end, *(day for day, _ in points)])
    span_days = max((last_day - first_day).days, 1)

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first_day).days / span_days

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - value) / (high - low)

    from_history = bool(key_result.history)
    title = locale.text(
        "chart.history_title" if from_history else "chart.title", title=key_result.title
    )
    description = locale.text(
        "chart.history_description" if from_history else "chart.description",
        count=len(points),
        start=locale.number(start, 2).rstrip("0").rstrip(locale.decimal_separator),
        target=locale.number(target, 2).rstrip("0").rstrip(locale.decimal_separator),
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<line class="chart-axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}"/>',
        f'<line class="chart-pace" x1="{_fmt(x(period.start))}" y1="{_fmt(y(start))}" '
        f'x2="{_fmt(x(key_result.due))}" y2="{_fmt(y(target))}"/>',
        f'<line class="chart-target" x1="{LEFT}" y1="{_fmt(y(target))}" x2="{WIDTH - RIGHT}" '
        f'y2="{_fmt(y(target))}"/>',
        f'<text class="chart-label" x="{LEFT - 6}" y="{_fmt(y(target) + 4)}" text-anchor="end">'
        f"{escape(locale.text('chart.target'))}</text>",
        f'<text class="chart-label" x="{LEFT - 6}" y="{_fmt(y(start) + 4)}" text-anchor="end">'
        f"{escape(locale.text('chart.start'))}</text>",
        f'<text class="chart-label" x="{LEFT}" y="{HEIGHT - 8}">'
        f"{escape(locale.date(first_day))}</text>",
        f'<text class="chart-label" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">'
        f"{escape(locale.date(last_day))}</text>",
    ]
    if points:
        placed = [(_fmt(x(day)), _fmt(y(value))) for day, value in points]
        line = " ".join(
            f"{cx},{cy}" for cx, cy in [(_fmt(x(period.start)), _fmt(y(start))), *placed]
        )
        parts.append(f'<polyline class="chart-line" points="{line}"/>')
        for (day, value), (cx, cy) in zip(points, placed, strict=True):
            shown = format_quantity(locale, value, key_result.unit, key_result.unit_singular)
            label = f"{locale.date(day)}: {shown}"
            parts.append(
                f'<circle class="chart-point" cx="{cx}" cy="{cy}" r="4">'
                f"<title>{escape(label)}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
