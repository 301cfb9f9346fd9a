"""Dates in ``okrpub.yaml``: a site pinned to a day (``today:``), and fiscal periods named
after the year they end in (``fiscal_year_start:``); their JSON Schema (issues #17, #18)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from projecttools import objective
from sitetools import REPOSITORY, build, run_okrpub

from okrpub.model.periods import canonical_period_id, period_dates

D = dt.date
FISCAL = "content/fy/acme/fiscal.md"


def config_error(line: int, column: int, message: str, rule: str) -> str:
    return f"okrpub.yaml:{line}:{column}: error: {message} [{rule}]"


# -- today: ------------------------------------------------------------------------------------


def test_the_example_is_pinned_to_the_day_of_its_check_ins(
    check, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first command, ``okrpub check`` with no date, gives the four deliberate
    warnings on any day (also with a build system's SOURCE_DATE_EPOCH)."""
    result = check(REPOSITORY, today=None)
    assert result.code == 0
    assert [line.rsplit(" ", 1)[1] for line in result.lines] == [
        "[kr-count]",
        "[no-key-results]",
        "[unaligned]",
        "[stale]",
    ]
    assert result.err.endswith(": 0 errors, 4 warnings\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01
    assert run_okrpub(REPOSITORY, "check").out.splitlines() == result.lines


def test_today_in_okrpub_yaml_is_the_site_s_date_and_today_on_the_command_line_wins(
    check_files, make_project, tmp_path: Path
) -> None:
    """A key result last checked in on 2026-11-24 is stale from 2026-12-02 on."""
    pinned = {"okrpub.yaml": "title: Archive\ntoday: 2026-11-26\n"}
    assert check_files(pinned, today=None).lines == []
    later = check_files(pinned, today="2026-12-02").lines
    assert later and all(line.endswith("[stale]") for line in later)
    unpinned = check_files({"okrpub.yaml": "today: 2026-12-02\n"}, today=None).lines
    assert unpinned == later
    project = make_project(pinned)
    assert build(project, tmp_path / "site", today=None).code == 0
    export = json.loads((tmp_path / "site/api/okrs.json").read_text(encoding="utf-8"))
    assert export["today"] == "2026-11-26"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "title: T\ntoday: 2026-13-01\n",
            config_error(
                2, 8, "today must be a date such as 2026-10-05, got '2026-13-01'", "bad-date"
            ),
        ),
        (
            "today: 26-11-2026\n",
            config_error(
                1, 8, "today must be a date such as 2026-10-05, got '26-11-2026'", "bad-date"
            ),
        ),
        (
            "today: [2026-11-26]\n",
            config_error(
                1,
                8,
                "today must be a date such as 2026-10-05, got [datetime.date(2026, 11, 26)]",
                "bad-date",
            ),
        ),
    ],
)
def test_a_bad_today_is_a_config_error_at_its_line(check_files, text: str, error: str) -> None:
    result = check_files({"okrpub.yaml": text}, today=None)
    assert result.code == 2
    assert result.lines == [error]


def test_diff_takes_each_revision_s_pinned_day(tmp_path: Path) -> None:
    from gittools import commit, init_repo
    from projecttools import BASE

    repo = init_repo(tmp_path / "repo")
    first = commit(repo, {**BASE, "okrpub.yaml": "today: 2026-11-26\n"})
    second = commit(repo, {"okrpub.yaml": "today: 2026-12-20\n"})
    result = run_okrpub(repo, "diff", first, second)
    assert result.code == 0, result.err
    assert "status on track → at risk" in result.out.lower()


# -- fiscal_year_start: ------------------------------------------------------------------------


def fiscal_project(make_project, period: str, config: str = "fiscal_year_start: 2\n") -> Path:
    return make_project(
        {
            "okrpub.yaml": config,
            FISCAL: objective(f"title: Fiscal\nowner: acme\nperiod: {period}"),
        }
    )


def test_fiscal_quarters_are_named_after_the_year_they_end_in(make_project, tmp_path: Path) -> None:
    """With the year starting in February, FY20-Q1 is February to April 2019."""
    project = fiscal_project(make_project, "fy20-q1")
    result = build(project, tmp_path / "site", today="2019-03-15")
    assert result.code == 0, result.out + result.err
    export = json.loads((tmp_path / "site/api/okrs.json").read_text(encoding="utf-8"))
    periods = {period["id"]: period for period in export["periods"]}
    assert periods["FY20-Q1"]["start"] == "2019-02-01"
    assert periods["FY20-Q1"]["end"] == "2019-04-30"
    (fiscal,) = [objective for objective in export["objectives"] if objective["id"] == "fiscal"]
    assert (fiscal["period"], fiscal["status"]) == ("FY20-Q1", "on_track")
    assert (tmp_path / "site/periods/fy20-q1/index.html").is_file()


@pytest.mark.parametrize(
    ("period_id", "start", "end"),
    [
        ("FY20", D(2019, 2, 1), D(2020, 1, 31)),
        ("FY20-Q1", D(2019, 2, 1), D(2019, 4, 30)),
        ("FY20-Q4", D(2019, 11, 1), D(2020, 1, 31)),
        ("FY20-H1", D(2019, 2, 1), D(2019, 7, 31)),
        ("FY20-H2", D(2019, 8, 1), D(2020, 1, 31)),
        ("fy24-q1", D(2023, 2, 1), D(2023, 4, 30)),
    ],
)
def test_fiscal_period_ids(period_id: str, start: dt.date, end: dt.date) -> None:
    assert period_dates(period_id, {}, 2) == (start, end)
    assert canonical_period_id(period_id, {}) == period_id.upper()


def test_a_fiscal_year_starting_in_january_is_the_calendar_year() -> None:
    assert period_dates("FY26-Q4", {}, 1) == (D(2026, 10, 1), D(2026, 12, 31))
    assert period_dates("FY26", {}, 1) == period_dates("2026", {})


@given(month=st.integers(1, 12), year=st.integers(0, 99))
def test_fiscal_quarters_and_halves_tile_their_year(month: int, year: int) -> None:
    """Each fiscal year is 12 months from the 1st of ``month``, ending in 20yy; its halves
    and quarters follow each other without a gap."""
    name = f"FY{year:02d}"
    whole = period_dates(name, {}, month)
    assert whole is not None
    assert whole[0].day == 1 and whole[0].month == month
    assert whole[1].year == 2000 + year
    for parts in (["H1", "H2"], ["Q1", "Q2", "Q3", "Q4"]):
        spans = [period_dates(f"{name}-{part}", {}, month) for part in parts]
        assert spans[0][0] == whole[0] and spans[-1][1] == whole[1]  # type: ignore[index]
        for earlier, later in itertools.pairwise(spans):
            assert later[0] == earlier[1] + dt.timedelta(days=1)  # type: ignore[index]


@pytest.mark.parametrize("period_id", ["FY20-Q5", "FY20-H3", "FY2020", "FY2-Q1", "FY20Q1"])
def test_not_a_fiscal_period(period_id: str) -> None:
    assert period_dates(period_id, {}, 2) is None


def test_fiscal_periods_need_fiscal_year_start(check_files, make_project, check) -> None:
    project = fiscal_project(make_project, "FY20-Q1", config="title: T\n")
    assert check(project).lines == [
        f"{FISCAL}:4:9: error: unknown period 'FY20-Q1'; fiscal periods such as FY27-Q1 need "
        "fiscal_year_start in okrpub.yaml [unknown-period]"
    ]
    project = fiscal_project(make_project, "FY20-Q5")
    assert check(project).lines == [
        f"{FISCAL}:4:9: error: unknown period 'FY20-Q5'; use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM, "
        "FYyy, FYyy-H1, FYyy-Q1 or a period defined in okrpub.yaml [unknown-period]"
    ]


def test_a_custom_period_still_wins_over_a_fiscal_one(make_project, check) -> None:
    config = "fiscal_year_start: 2\nperiods:\n  fy20-q1: {start: 2019-02-04, end: 2019-05-05}\n"
    project = fiscal_project(make_project, "FY20-Q1", config=config)
    assert check(project, today="2019-05-05").lines == []
    assert period_dates("FY20-Q1", {}, 2) != (D(2019, 2, 4), D(2019, 5, 5))


@pytest.mark.parametrize("value", ["0", "13", "true", "'2'", "2.0"])
def test_a_bad_fiscal_year_start_is_a_config_error(check_files, value: str) -> None:
    result = check_files({"okrpub.yaml": f"title: T\nfiscal_year_start: {value}\n"})
    assert result.code == 2
    (line,) = result.lines
    assert line.startswith(
        "okrpub.yaml:2:20: error: fiscal_year_start must be the number of a month, "
        "1 (January) to 12 (December), got "
    )
    assert line.endswith(" [schema]")


def test_okrpub_new_knows_fiscal_periods(make_project) -> None:
    project = make_project({"okrpub.yaml": "fiscal_year_start: 7\n"})
    result = run_okrpub(project, "new", "objective", "--owner", "sales", "--period", "fy27-q1", "X")
    assert result.code == 0, result.err
    assert (project / "content/FY27-Q1/sales/x.md").is_file()
    refused = run_okrpub(
        project, "new", "objective", "--owner", "sales", "--period", "FY27-Q9", "Y"
    )
    assert refused.code == 2
    assert "FYyy-Q1" in refused.err


# -- the schema of okrpub.yaml -----------------------------------------------------------------


def config_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(run_okrpub(REPOSITORY, "schema", "config").out))


def as_json(text: str) -> object:
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_the_example_okrpub_yaml_passes_the_config_schema() -> None:
    text = (REPOSITORY / "okrpub.yaml").read_text(encoding="utf-8")
    assert config_validator().is_valid(as_json(text))
    full = (
        "today: 2026-11-26\nfiscal_year_start: 2\nstale_after_days: 14\n"
        "grade_thresholds: {yellow: 0.3, green: 0.6}\nlint: {direction: error, stale: off}\n"
        "periods:\n  sprint-1: {start: 2026-10-01, end: 2026-10-14}\n"
    )
    assert config_validator().is_valid(as_json(full))


@pytest.mark.parametrize(
    "text",
    [
        "titel: T\n",
        "fiscal_year_start: 13\n",
        "fiscal_year_start: 0\n",
        "stale_after_days: 0\n",
        "lint: {direction: loud}\n",
        "lint: {directions: error}\n",
        "grade_thresholds: {yellow: 0.3}\n",
        "periods: {fy: {start: 2026-10-01}}\n",
    ],
)
def test_the_config_schema_rejects(text: str) -> None:
    assert not config_validator().is_valid(as_json(text))


def test_the_objective_schema_knows_stale_after_days_and_needs_a_start() -> None:
    schema = json.loads(run_okrpub(REPOSITORY, "schema", "objective").out)
    validator = Draft202012Validator(schema)
    good = {"title": "T", "stale_after_days": 30, "key_results": [{"title": "K", "done": False}]}
    assert validator.is_valid(good)
    numeric = {**good, "key_results": [{"title": "K", "target": 5}]}
    assert not validator.is_valid(numeric)
    assert validator.is_valid({**good, "key_results": [{"title": "K", "start": 0, "target": 5}]})
