"""Badges: small SVG images (label | value) of an objective's or a unit's numbers.

For READMEs and wikis: ``badges/<objective-id>.svg`` and
``badges/units/<unit-id>.svg``. They follow the site's colour language: once
the period has closed, the grade in its colour, or "not graded" in grey;
while it runs, an objective's status and progress in the status's colour, and
a unit's progress in a neutral colour (a unit has no status); "no data" in grey.
No font is read: text widths are estimated per character, and ``textLength``
makes the text fill exactly the estimated width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from okrpub.model.types import Objective, Period, PeriodState, Rollup, Status
from okrpub.site.format import format_grade, format_percent
from okrpub.site.i18n import Locale

#: Background of the label, and of the value by grade colour (``blue``: done; ``neutral``:
#: a progress, which has no colour of its own). White text has a contrast of at least 4.5:1
#: on each (WCAG AA); the colours are the site's text colours.
LABEL_COLOUR = "#555555"
COLOURS = {
    "red": "#b42318",
    "yellow": "#8a5a00",
    "green": "#1a7f37",
    "blue": "#0b57b0",
    "neutral": "#44505c",
    None: "#6e6e6e",
}
#: The colour of each status while a period runs (the site's status badges').
STATUS_COLOURS = {
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.OFF_TRACK: "red",
    Status.DONE: "blue",
}

HEIGHT = 20
PADDING = 6
#: Widths in pixels of 11 px Verdana, the badge font, by character class (estimated).
_NARROW = set("fijlrt.,:;'!|()[] ")
_WIDE = set("mwMW%@")
_NARROW_WIDTH, _WIDE_WIDTH, _UPPER_WIDTH, _OTHER_WIDTH, _FULL_WIDTH = 4.0, 10.5, 7.5, 6.8, 11.0
#: What XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Badge:
    label: str
    value: str
    #: A key of :data:`COLOURS`.
    colour: str | None
    #: What the badge says in words (its ``<title>`` and ``aria-label``).
    description: str


def text_width(text: str) -> float:
    """The estimated width of ``text`` in the badge font."""
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> float:
    if char in _NARROW:
        return _NARROW_WIDTH
    if char in _WIDE:
        return _WIDE_WIDTH
    if ord(char) > 0x2E7F:  # CJK and other full-width scripts
        return _FULL_WIDTH
    return _UPPER_WIDTH if char.isupper() else _OTHER_WIDTH


def _xml(text: str) -> str:
    return escape(_NOT_XML.sub("", text), quote=True)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def badge_svg(badge: Badge) -> bytes:
    """The badge as a standalone SVG document."""
    label_width = round(text_width(badge.label)) + 2 * PADDING
    value_width = round(text_width(badge.value)) + 2 * PADDING
    width = label_width + value_width
    description = _xml(badge.description)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{description}">',
        f"<title>{description}</title>",
        f'<rect width="{label_width}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>',
        f'<rect x="{label_width}" width="{value_width}" height="{HEIGHT}" '
        f'fill="{COLOURS[badge.colour]}"/>',
        '<g fill="#ffffff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11" aria-hidden="true">',
        _text(badge.label, label_width / 2),
        _text(badge.value, label_width + value_width / 2),
        "</g>",
        "</svg>",
    ]
    return ("\n".join(parts) + "\n").encode("utf-8")


def _text(text: str, middle: float) -> str:
    length = _number(max(text_width(text), 1.0))
    return (
        f'<text x="{_number(middle)}" y="14" textLength="{length}" '
        f'lengthAdjust="spacingAndGlyphs">{_xml(text)}</text>'
    )


def _graded(
    locale: Locale, name: str, suffix: str, score: float | None, colour: str | None
) -> Badge:
    """A closed period's badge: the grade in its colour, or "not graded" in grey."""
    label = f"{locale.text('grade.label')} {suffix}".strip()
    if score is None or colour is None:
        value = locale.text("grade.not_graded")
        return Badge(label, value, None, f"{name}: {label}: {value}")
    value = format_grade(locale, score)
    words = locale.text(f"colour.{colour}")
    return Badge(label, value, colour, f"{name}: {label} {value} ({words})")


def _no_data(locale: Locale, name: str, label: str) -> Badge:
    value = locale.text("badge.no_data")
    return Badge(label, value, None, f"{name}: {label}: {value}")


def objective_badge(objective: Objective, locale: Locale) -> Badge:
    """Its grade once closed; while it runs its status and progress, in the status's colour."""
    if objective.closed:
        return _graded(locale, objective.title, "", objective.score, objective.colour)
    label = locale.text("status.label")
    if objective.status is None or objective.progress is None:
        return _no_data(locale, objective.title, label)
    status = locale.text(f"status.{objective.status}")
    value = f"{status} · {format_percent(locale, objective.progress)}"
    colour = STATUS_COLOURS.get(objective.status)
    return Badge(label, value, colour, f"{objective.title}: {label}: {value}")


def unit_badge(
    name: str,
    period: Period | None,
    rollup: Rollup | None,
    locale: Locale,
) -> Badge:
    """A unit's badge: the rollup of its own objectives in ``period`` (the current one):
    its grade once closed, else its progress in a neutral colour."""
    suffix = period.id if period else ""
    if period is not None and rollup is not None and period.state is PeriodState.PAST:
        return _graded(locale, name, suffix, rollup.score, rollup.colour)
    label = f"{locale.text('home.progress')} {suffix}".strip()
    if rollup is None or rollup.progress is None:
        return _no_data(locale, name, label)
    value = format_percent(locale, rollup.progress)
    return Badge(label, value, "neutral", f"{name}: {label} {value}")
