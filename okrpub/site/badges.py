"""Badges: small SVG images (label | value) of an objective's or a unit's grade.

For READMEs and wikis: ``badges/<objective-id>.svg`` and
``badges/units/<unit-id>.svg``. The value is the grade once there is one (the
period has closed and a key result has a final ``score``), else the progress
while the period runs, else "not graded" or "no data" in grey; its colour is
the grade's or the progress's (the site's thresholds and words).
No font is read: text widths are estimated per character, and ``textLength``
makes the text fill exactly the estimated width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from okrpub.model.types import Objective, Period, Rollup
from okrpub.site.format import format_grade, format_percent
from okrpub.site.i18n import Locale

#: Background of the label, and of the value by grade colour. White text has a contrast
#: of at least 4.5:1 on each (WCAG AA); the three colours are the site's text colours.
LABEL_COLOUR = "#555555"
COLOURS = {"red": "#b42318", "yellow": "#8a5a00", "green": "#1a7f37", None: "#6e6e6e"}

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
    #: ``red``, ``yellow``, ``green``, or ``None`` for no data.
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


def _badge(
    locale: Locale,
    name: str,
    suffix: str,
    numbers: tuple[float | None, float | None, str | None],
) -> Badge:
    """The badge of ``name`` with ``(score, progress, colour)``; ``suffix`` ends its label.

    The grade when there is one; else the progress while it has a colour (the period
    runs); else grey "not graded" (a closed period) or "no data".
    """
    score, progress, colour = numbers
    if score is not None:
        word, value = locale.text("grade.label"), format_grade(locale, score)
    elif progress is not None:
        word, value = locale.text("home.progress"), format_percent(locale, progress)
    if colour is None or (score is None and progress is None):
        label = f"{locale.text('grade.label')} {suffix}".strip()
        value = locale.text("badge.no_data" if progress is None else "grade.not_graded")
        return Badge(label, value, None, f"{name}: {label}: {value}")
    label = f"{word} {suffix}".strip()
    words = locale.text(f"colour.{colour}")
    return Badge(label, value, colour, f"{name}: {label} {value} ({words})")


def objective_badge(objective: Objective, locale: Locale) -> Badge:
    numbers = (objective.score, objective.progress, objective.colour)
    return _badge(locale, objective.title, "", numbers)


def unit_badge(
    name: str,
    period: Period | None,
    rollup: Rollup | None,
    locale: Locale,
) -> Badge:
    """A unit's badge: the rollup of its own objectives in ``period`` (the current one)."""
    if period is None or rollup is None:
        return _badge(locale, name, period.id if period else "", (None, None, None))
    return _badge(locale, name, period.id, (rollup.score, rollup.progress, rollup.colour))
