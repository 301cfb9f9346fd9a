"""Formats: numbers, percentages, grades and quantities as the site shows them.

Plain functions of a locale and a value, used by the theme's filters, the
badges, the charts and the feed alike, so that a number reads the same
everywhere.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from okrpub.model.types import KeyResult, Number
from okrpub.site.i18n import Locale

#: Units written before the number: ``€ 420,000``.
_CURRENCIES = ("€", "$", "£", "¥", "EUR", "USD", "GBP")


def format_percent(locale: Locale, share: float) -> str:
    """``0.625`` as ``63%``."""
    return f"{locale.number(whole_percent(share))}%"


def format_grade(locale: Locale, score: float) -> str:
    """A grade on the 0.0-1.0 scale, with two decimals."""
    return locale.number(score, 2)


def format_number(locale: Locale, value: Number | None) -> str:
    """``420000`` as ``420,000``, ``2.6`` as ``2.6``: at most two decimals, none when whole."""
    if value is None:
        return "–"
    decimals = 0 if float(value).is_integer() else min(_decimals(value), 2)
    return locale.number(value, decimals)


def format_quantity(
    locale: Locale,
    value: Number | None,
    unit: str,
    singular: str | None = None,
    position: str | None = None,
) -> str:
    """A value with its unit: ``€ 420,000``, ``64%``, ``12 orders``, ``1 order`` with the
    ``singular``, ``rank 14`` with the ``position`` ``before`` (the feed uses it too)."""
    shown = format_number(locale, value)
    if not unit or value is None:
        return shown
    if singular and value == 1 and not isinstance(value, bool):
        unit = singular
    return with_unit(shown, unit, position)


class ShownCheckin(NamedTuple):
    """A check-in's day, value and confidence as the site shows them (an en dash for none)."""

    date: str
    value: str
    confidence: str


def shown_checkins(locale: Locale, key_result: KeyResult) -> tuple[ShownCheckin, ...]:
    """``key_result``'s check-ins, oldest first, as shown: formatted once for its table
    and its chart."""
    unit, singular, position = key_result.unit, key_result.unit_singular, key_result.unit_position
    binary = key_result.kind == "binary"
    done, not_done = locale.text("value.done"), locale.text("value.not_done")
    shown = []
    for day, value, confidence, _, _ in key_result.checkins.rows:
        if value is None:
            value_text = "–"
        elif binary:
            value_text = done if value else not_done
        else:
            value_text = format_quantity(locale, value, unit, singular, position)
        percent = "–" if confidence is None else format_percent(locale, confidence)
        shown.append(ShownCheckin(locale.date(day), value_text, percent))
    return tuple(shown)


def with_unit(shown: str, unit: str, position: str | None = None) -> str:
    """A formatted number and its unit: before it for ``position`` ``before`` (``rank 14``),
    and by default for a currency (``€ 420,000``); ``%`` right after it; else after a
    space (``12 orders``)."""
    if unit_position(unit, position) == "before":
        return f"{unit}\u00a0{shown}"
    if unit == "%":
        return f"{shown}%"
    return f"{shown}\u00a0{unit}"


def unit_position(unit: str, position: str | None) -> str:
    """Where ``unit`` is written, ``before`` or ``after`` the number, as :func:`with_unit`
    writes it."""
    return position or ("before" if unit in _CURRENCIES else "after")


def whole_percent(share: float) -> int:
    """``0.625`` as ``63`` (halves round up): a progress bar's width and ``aria-valuenow``."""
    return math.floor(share * 100 + 0.5)


def _decimals(value: Number) -> int:
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 2
