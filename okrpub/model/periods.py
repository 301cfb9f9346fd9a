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
#: ``FY27``, ``FY27-H1``, ``FY27-Q1``: fiscal periods, with ``fiscal_year_start`` set.
_FISCAL = re.compile(r"FY(\d\d)(?:-([HQ])([1-4]))?\Z", re.ASCII)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _months_later(year: int, month: int, months: int) -> tuple[int, int]:
    """The year and month ``months`` after ``month`` of ``year``."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _fiscal_dates(upper: str, fiscal_year_start: int) -> tuple[dt.date, dt.date] | None:
    """The dates of a fiscal period id such as ``FY27-Q1``: fiscal year 2027 is the one that
    ends in 2027 (it starts in 2026 unless the fiscal year is the calendar year)."""
    match = _FISCAL.match(upper)
    if match is None or (match[2] == "H" and match[3] not in "12"):
        return None
    year = 2000 + int(match[1])
    first = (year, 1) if fiscal_year_start == 1 else (year - 1, fiscal_year_start)
    length = {None: 12, "H": 6, "Q": 3}[match[2]]
    number = int(match[3] or 1)
    start_year, start_month = _months_later(*first, length * (number - 1))
    end_year, end_month = _months_later(start_year, start_month, length - 1)
    return dt.date(start_year, start_month, 1), _month_end(end_year, end_month)


def period_dates(
    period_id: str, custom: dict[str, CustomPeriod], fiscal_year_start: int | None = None
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a period, or ``None`` if the id is not a period.

    Ids are ``YYYY``, ``YYYY-H1``/``H2``, ``YYYY-Q1``..``Q4``, ``YYYY-MM``, a custom
    period from the configuration, or, with ``fiscal_year_start`` (a month), ``FYyy``,
    ``FYyy-H1``/``H2`` and ``FYyy-Q1``..``Q4``. Ids are case-insensitive.
    """
    custom_id = _custom_id(period_id, custom)
    if custom_id is not None:
        return custom[custom_id].start, custom[custom_id].end
    upper = period_id.upper()
    if fiscal_year_start is not None and upper.startswith("FY"):
        return _fiscal_dates(upper, fiscal_year_start)
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


def period_forms(period_id: str, fiscal_year_start: int | None) -> str:
    """What a period id may be, for the message about the unknown ``period_id``."""
    if fiscal_year_start is not None:
        return (
            "; use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, FYyy, FYyy-H1, FYyy-Q1 "
            "or a period defined in okrpub.yaml"
        )
    if period_id.upper().startswith("FY"):
        return "; fiscal periods such as FY27-Q1 need fiscal_year_start in okrpub.yaml"
    return "; use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM or a period defined in okrpub.yaml"


def _custom_id(period_id: str, custom: dict[str, CustomPeriod]) -> str | None:
    """The custom period ``period_id`` names, spelt as in the configuration."""
    lowered = period_id.lower()
    return next((name for name in custom if name.lower() == lowered), None)


def canonical_period_id(period_id: str, custom: dict[str, CustomPeriod]) -> str:
    """``2026-q4`` and ``2026-Q4`` are one period; this is its canonical spelling:
    a custom period's as configured, a built-in one's in capitals."""
    return _custom_id(period_id, custom) or period_id.upper()
