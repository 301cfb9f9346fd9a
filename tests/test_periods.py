"""Periods: what each form of period id means in dates."""

from __future__ import annotations

import datetime as dt

import pytest
from projecttools import objective

from okrpub.config import CustomPeriod
from okrpub.model.periods import canonical_period_id, period_dates

D = dt.date
SPRINTS = {
    "sprint-1": CustomPeriod(D(2026, 10, 1), D(2026, 10, 14)),
    "FY2027": CustomPeriod(D(2026, 7, 1), D(2027, 6, 30)),
    "2026-Q4": CustomPeriod(D(2026, 9, 28), D(2026, 12, 27)),
}


@pytest.mark.parametrize(
    ("period_id", "start", "end"),
    [
        ("2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
        ("2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2026-01", D(2026, 1, 1), D(2026, 1, 31)),
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28)),
        ("2026-04", D(2026, 4, 1), D(2026, 4, 30)),
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31)),
        ("1000", D(1000, 1, 1), D(1000, 12, 31)),
        ("9999-Q4", D(9999, 10, 1), D(9999, 12, 31)),
    ],
)
def test_built_in_periods(period_id: str, start: dt.date, end: dt.date) -> None:
    assert period_dates(period_id, {}) == (start, end)


@pytest.mark.parametrize(
    ("period_id", "end"),
    [
        ("2024-02", D(2024, 2, 29)),
        ("2028-02", D(2028, 2, 29)),
        ("2000-02", D(2000, 2, 29)),
        ("1900-02", D(1900, 2, 28)),
        ("2100-02", D(2100, 2, 28)),
        ("2025-02", D(2025, 2, 28)),
        ("2024-Q1", D(2024, 3, 31)),
    ],
)
def test_february_in_leap_years(period_id: str, end: dt.date) -> None:
    dates = period_dates(period_id, {})
    assert dates is not None
    assert dates[1] == end


@pytest.mark.parametrize("period_id", ["2026-q4", "2026-h2", "2026-Q4", "2026-H2"])
def test_built_in_ids_are_case_insensitive(period_id: str) -> None:
    assert period_dates(period_id, {}) == period_dates(period_id.upper(), {})
    assert canonical_period_id(period_id, {}) == period_id.upper()


@pytest.mark.parametrize(
    "period_id",
    [
        "",
        "26",
        "0999",
        "2026-Q0",
        "2026-Q5",
        "2026-H0",
        "2026-H3",
        "2026-00",
        "2026-13",
        "2026-1",
        "2026-Q4 ",
        "2026-10-01",
        "2026Q4",
        "Q4-2026",
        "sprint-1",
        "２０２６-Q4",  # digits, but not ASCII ones
        "٢٠٢٦",  # Arabic-Indic digits
    ],
)
def test_not_a_period(period_id: str) -> None:
    assert period_dates(period_id, {}) is None


def test_custom_periods() -> None:
    assert period_dates("sprint-1", SPRINTS) == (D(2026, 10, 1), D(2026, 10, 14))
    assert period_dates("FY2027", SPRINTS) == (D(2026, 7, 1), D(2027, 6, 30))
    assert canonical_period_id("sprint-1", SPRINTS) == "sprint-1"
    assert canonical_period_id("FY2027", SPRINTS) == "FY2027"


def test_custom_ids_are_case_insensitive() -> None:
    assert period_dates("Sprint-1", SPRINTS) == period_dates("sprint-1", SPRINTS)
    assert period_dates("fy2027", SPRINTS) == period_dates("FY2027", SPRINTS) is not None
    assert canonical_period_id("fy2027", SPRINTS) == "FY2027"


def test_a_custom_period_overrides_a_built_in_one() -> None:
    assert period_dates("2026-Q4", SPRINTS) == (D(2026, 9, 28), D(2026, 12, 27))
    assert period_dates("2026-Q3", SPRINTS) == (D(2026, 7, 1), D(2026, 9, 30))


def test_lower_case_period_in_content_is_one_period(analysis_of) -> None:
    analysis = analysis_of(
        {
            "content/2026-Q4/sales/lower.md": objective(
                "title: L\nowner: sales\nparent: grow\nperiod: 2026-q4"
            )
        }
    )
    assert not analysis.diagnostics.has_errors()
    assert list(analysis.model.periods) == ["2026-Q4"]
    assert analysis.model.objectives["lower"].period == "2026-Q4"
    assert analysis.model.periods["2026-Q4"].slug == "2026-q4"


def test_a_year_period_written_as_a_number(analysis_of) -> None:
    analysis = analysis_of(
        {"content/2026/acme/year.md": objective("title: Y\nowner: acme\nperiod: 2026")}
    )
    assert [d.as_text() for d in analysis.diagnostics] == []
    assert analysis.model.objectives["year"].period == "2026"
    assert analysis.model.periods["2026"].end == D(2026, 12, 31)
