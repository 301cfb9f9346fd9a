"""Periods: what a period id such as ``2026-Q4`` means in dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okrpub.config import CustomPeriod

_YEAR = re.compile(r"([1-9]\d{3})\Z", re.ASCII)
_HALF = re.compile(r"([1-9]\d{3})-H([12])\Z", re.ASCII)
_QUARTER = re.compile(r"([1-9]\d{3})-Q([1-4])\Z", re.ASCII)
_MONTH = re.compile(r"([1-9]\d{3})-(0[1-9]|1[0-2])\Z", re.ASCII)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_dates(period_id: str, custom: dict[str, CustomPeriod]) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a period, or ``None`` if the id is not a period.

    Ids are ``YYYY``, ``YYYY-H1``/``H2``, ``YYYY-Q1``..``Q4``, ``YYYY-MM``, or a
    custom period from the configuration. Ids are case-insensitive.
    """
    custom_id = _custom_id(period_id, custom)
    if custom_id is not None:
        return custom[custom_id].start, custom[custom_id].end
    upper = period_id.upper()
    if match := _YEAR.match(upper):
        year = int(match[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if match := _HALF.match(upper):
        year, half = int(match[1]), int(match[2])
        first = 1 + 6 * (half - 1)
        return dt.date(year, first, 1), _month_end(year, first + 5)
    if match := _QUARTER.match(upper):
        year, quarter = int(match[1]), int(match[2])
        first = 1 + 3 * (quarter - 1)
        return dt.date(year, first, 1), _month_end(year, first + 2)
    if match := _MONTH.match(upper):
        year, month = int(match[1]), int(match[2])
        return dt.date(year, month, 1), _month_end(year, month)
    return None


def _custom_id(period_id: str, custom: dict[str, CustomPeriod]) -> str | None:
    """The custom period ``period_id`` names, spelt as in the configuration."""
    lowered = period_id.lower()
    return next((name for name in custom if name.lower() == lowered), None)


def canonical_period_id(period_id: str, custom: dict[str, CustomPeriod]) -> str:
    """``2026-q4`` and ``2026-Q4`` are one period; this is its canonical spelling:
    a custom period's as configured, a built-in one's in capitals."""
    return _custom_id(period_id, custom) or period_id.upper()
