"""Chart layout: nice ticks, their labels, and labels placed where they overlap none.

Plain arithmetic for :mod:`okrpub.site.charts`, in the chart's SVG units.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from okrpub.site.format import with_unit
from okrpub.site.i18n import Locale

#: The chart's width in SVG units; the theme shows it 320 to 420 pixels wide.
WIDTH = 360
#: Label size in SVG units: at least 12 pixels on a phone (about 0.9 pixels a unit).
FONT = 14
#: The estimated width of one character of a label.
CHAR = 0.62 * FONT
#: Units written in every tick label; any other unit is written once above the axis.
SHORT_UNITS = ("€", "$", "£", "¥", "%")


def nice_ticks(low: float, high: float, most: int = 5, whole: bool = False) -> list[float]:
    """Three to ``most`` evenly spaced round values (steps of 1, 2, 2.5 or 5 times a power
    of ten) from at or below ``low`` to at or above ``high``; whole numbers if ``whole``
    (for counts: no tick at 0.5 newspapers)."""
    if high < low:
        low, high = high, low
    if high == low:
        low, high = (low - 1, high + 1) if low else (0.0, 1.0)
    power = 10.0 ** math.floor(math.log10((high - low) / (most - 1)))
    for exponent in (0, 1, 2):
        for multiple in (1, 2, 2.5, 5):
            step = multiple * power * 10**exponent
            if whole and not step.is_integer():
                continue
            first, last = math.floor(low / step), math.ceil(high / step)
            if last - first + 1 <= most:
                count = max(last - first + 1, 3)
                return [(first + index) * step + 0.0 for index in range(count)]
    raise AssertionError("unreachable: a step of ten times the rough one always fits")


def tick_labels(
    locale: Locale, ticks: list[float], unit: str, position: str | None = None
) -> list[str]:
    """The ticks' values, short and with as many decimals as the step needs: ``25k``,
    ``2.5M``, ``€ 300k``, ``40%``, ``1,500``."""
    largest = max(abs(tick) for tick in ticks)
    sizes = ((1e9, "G"), (1e6, "M"), (1e3, "k"))
    scale, suffix = next(((s, letter) for s, letter in sizes if largest >= 10 * s), (1.0, ""))
    step = (ticks[1] - ticks[0]) / scale
    decimals = next((d for d in range(3) if abs(round(step, d) - step) < 1e-9), 3)
    texts = [locale.number(tick / scale, decimals) + suffix for tick in ticks]
    if unit in SHORT_UNITS:
        return [with_unit(text, unit, position) for text in texts]
    return texts


def fmt(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".removesuffix(".0")


def text_width(text: str) -> float:
    return len(text) * CHAR


class Attributes(str):
    """The position of a drawn shape or label as its SVG attributes, such as
    ``x1="…" y1="…" x2="…" y2="…"`` of a line: numbers formatted here, so that the theme
    writes each shape with one expression. Safe HTML as it is (markupsafe's ``__html__``),
    and cheaper to make than a ``Markup``."""

    __slots__ = ()

    def __html__(self) -> str:
        return self


class Label(NamedTuple):
    """A text of the chart: where it is (its ``x`` and ``y``, and its ``text-anchor`` unless
    that is ``start``), the text, and its ``role``, its class."""

    at: Attributes
    text: str
    role: str


#: Where a label may go: its ``x``, its baseline and its anchor.
Spot = tuple[float, float, str]
Edges = tuple[float, float, float, float]

#: How much of a label's width lies left of its ``x``, by its anchor.
_LEFT_OF = {"start": 0.0, "middle": 0.5, "end": 1.0}


class Placer:
    """Labels placed one by one, each where it overlaps none placed before."""

    def __init__(self) -> None:
        self.labels: list[Label] = []
        self._taken: list[Edges] = []

    def place(self, text: str, role: str, *spots: Spot) -> None:
        """``text`` at the first of ``spots`` clear of the labels placed (moved to stay
        inside the chart), else at the first."""
        width = text_width(text)
        taken = self._taken
        x, y, anchor = spots[0]
        edges = _edges(width, x, y, anchor)
        if len(spots) > 1 and _overlaps(edges, taken):
            clear = (
                (spot, found)
                for spot in spots[1:]
                if not _overlaps(found := _edges(width, *spot), taken)
            )
            (x, y, anchor), edges = next(clear, (spots[0], edges))
        taken.append(edges)
        shift = edges[0] - (x - _LEFT_OF[anchor] * width)
        where = f'x="{fmt(x + shift)}" y="{fmt(y)}"'
        if anchor != "start":
            where += f' text-anchor="{anchor}"'
        self.labels.append(Label(Attributes(where), text, role))


def _edges(width: float, x: float, y: float, anchor: str) -> Edges:
    left = x - _LEFT_OF[anchor] * width
    left += max(0.0, -left) - max(0.0, left + width - WIDTH)
    return (left, y - 0.8 * FONT, left + width, y + 0.25 * FONT)


def _overlaps(a: Edges, taken: list[Edges]) -> bool:
    """Whether ``a`` overlaps any of ``taken``."""
    left, top, right, bottom = a
    return any(left < b[2] and b[0] < right and top < b[3] and b[1] < bottom for b in taken)
