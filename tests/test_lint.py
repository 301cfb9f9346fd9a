"""Lint: OKR-quality warnings, their places, and how ``lint:`` and ``--strict`` change them."""

from __future__ import annotations

import pytest
from projecttools import objective
from sitetools import md

PATH = "content/2026-Q4/sales/leads.md"


def warning(path: str, line: int, column: int, message: str, rule: str) -> str:
    return f"{path}:{line}:{column}: warning: {message} [{rule}]"


def kr_count(path: str, count: int) -> str:
    noun = "key result" if count == 1 else "key results"
    return warning(path, 1, 1, f"objective has {count} {noun}; aim for 3 to 5", "kr-count")


@pytest.mark.parametrize("count", [1, 2, 6])
def test_kr_count_outside_three_to_five(check_files, count: int) -> None:
    result = check_files({PATH: objective("title: L\nowner: sales\nparent: grow", count)})
    assert result.lines == [kr_count(PATH, count)]
    assert result.code == 0
    assert result.err.endswith(": 0 errors, 1 warning\n")


@pytest.mark.parametrize("count", [3, 4, 5])
def test_kr_count_within_three_to_five(check_files, count: int) -> None:
    result = check_files({PATH: objective("title: L\nowner: sales\nparent: grow", count)})
    assert result.lines == []


def test_unaligned_team_and_person_objectives(check_files) -> None:
    person = "content/2026-Q4/jo/learn.md"
    result = check_files(
        {
            PATH: objective("title: L\nowner: sales"),
            person: objective("title: Learn\nowner: jo"),
        }
    )
    assert result.lines == [
        warning(
            person,
            1,
            1,
            "person objective aligns to nothing; set 'parent' to the objective it supports",
            "unaligned",
        ),
        warning(
            PATH,
            1,
            1,
            "team objective aligns to nothing; set 'parent' to the objective it supports",
            "unaligned",
        ),
    ]


def test_company_objectives_need_no_parent(check_files) -> None:
    result = check_files({"content/2026-Q4/acme/more.md": objective("title: M\nowner: acme")})
    assert result.lines == []


def _checked_in(last: str, *, current: str = "") -> str:
    """Three key results; the second, ``slow``, was last checked in on ``last`` (file line 7)."""
    return (
        "---\n"
        "title: L\n"
        "owner: sales\n"
        "parent: grow\n"
        "key_results:\n"
        "  - {title: a, target: 10, checkins: [{date: 2026-11-24, value: 5}], start: 0}\n"
        "  - id: slow\n"
        "    title: b\n"
        "    start: 0\n"
        f"    target: 10{current}\n"
        "    checkins:\n"
        "      - {date: 2026-10-01, value: 1}\n"
        f"      - {{date: {last}, value: 2}}\n"
        "  - {title: c, target: 10, checkins: [{date: 2026-11-24, value: 5}], start: 0}\n"
        "---\n"
    )


def test_stale_key_result(check_files) -> None:
    result = check_files({PATH: _checked_in("2026-11-18")})
    assert result.lines == [
        warning(
            PATH,
            7,
            5,
            "key result 'slow' has had no check-in since 2026-11-18 (stale after 7 days)",
            "stale",
        )
    ]
    assert result.code == 0


def test_checked_in_exactly_stale_after_days_ago_is_not_stale(check_files) -> None:
    assert check_files({PATH: _checked_in("2026-11-19")}).lines == []


def test_a_finished_key_result_is_never_stale(check_files) -> None:
    assert check_files({PATH: _checked_in("2026-10-02", current="\n    current: 10")}).lines == []


def test_stale_without_any_checkin(check_files) -> None:
    front = md(
        """
        title: L
        owner: sales
        parent: grow
        key_results:
          - {title: a, target: 10, start: 0}
          - {title: b, done: false}
          - {title: c, done: true}
        """
    )
    since = "has had no check-in since the period began (stale after 7 days)"
    assert check_files({PATH: front}).lines == [
        warning(PATH, 6, 5, f"key result 'kr1' {since}", "stale"),
        warning(PATH, 7, 5, f"key result 'kr2' {since}", "stale"),
    ]


def test_stale_after_days_comes_from_the_config(check_files) -> None:
    config = "stale_after_days: 10\n"
    assert check_files({"okrpub.yaml": config, PATH: _checked_in("2026-11-16")}).lines == []
    assert check_files({"okrpub.yaml": config, PATH: _checked_in("2026-11-15")}).lines == [
        warning(
            PATH,
            7,
            5,
            "key result 'slow' has had no check-in since 2026-11-15 (stale after 10 days)",
            "stale",
        )
    ]


def test_only_the_current_period_goes_stale(check_files) -> None:
    future = "content/2027-Q1/sales/next.md"
    result = check_files(
        {future: md("title: N\nowner: acme\nperiod: 2027-Q1\nkey_results:\n" + _three_binary())}
    )
    assert result.lines == []


def _three_binary(score: str = "") -> str:
    return "".join(f"  - {{title: k{n}, done: false{score}}}\n" for n in range(1, 4))


def test_parent_in_another_period(check_files) -> None:
    path = "content/2026-11/sales/november.md"
    result = check_files({path: objective("title: N\nowner: sales\nperiod: 2026-11\nparent: grow")})
    assert result.lines == [
        warning(
            path,
            5,
            9,
            "parent 'grow' is in period 2026-Q4, this objective in 2026-11",
            "parent-period",
        )
    ]


def test_ungraded_key_results_of_a_closed_period(check_files) -> None:
    path = "content/2026-Q3/acme/summer.md"
    front = md("title: S\nowner: acme\nperiod: 2026-Q3\nkey_results:\n" + _three_binary())
    front = front.replace("{title: k2, done: false}", "{title: k2, done: false, score: 0.3}")
    assert check_files({path: front}).lines == [
        warning(
            path,
            6,
            5,
            "period 2026-Q3 is closed but key result 'kr1' has no final 'score'",
            "ungraded",
        ),
        warning(
            path,
            8,
            5,
            "period 2026-Q3 is closed but key result 'kr3' has no final 'score'",
            "ungraded",
        ),
    ]


def test_done_key_results_need_no_final_score(check_files) -> None:
    path = "content/2026-Q3/acme/summer.md"
    front = md("title: S\nowner: acme\nperiod: 2026-Q3\nkey_results:\n" + _three_binary())
    front = front.replace("{title: k1, done: false}", "{title: k1, done: true}")
    assert check_files({path: front}).lines == [
        warning(
            path,
            line,
            5,
            f"period 2026-Q3 is closed but key result 'kr{line - 5}' has no final 'score'",
            "ungraded",
        )
        for line in (7, 8)
    ]


def test_graded_closed_period_is_clean(check_files) -> None:
    path = "content/2026-Q3/acme/summer.md"
    front = md(
        "title: S\nowner: acme\nperiod: 2026-Q3\nkey_results:\n" + _three_binary(", score: 0.5")
    )
    assert check_files({path: front}).lines == []


# -- configuration and --strict --------------------------------------------------------------

TWO_KRS = {PATH: objective("title: L\nowner: sales\nparent: grow", 2)}


def test_warnings_alone_exit_0(check_files) -> None:
    result = check_files(TWO_KRS)
    assert result.code == 0
    assert result.lines == [kr_count(PATH, 2)]


def test_strict_makes_warnings_fail(check_files) -> None:
    result = check_files(TWO_KRS, "--strict")
    assert result.code == 1
    assert result.lines == [kr_count(PATH, 2)]


def test_strict_without_warnings_passes(check_files) -> None:
    assert check_files({}, "--strict").code == 0


def test_lint_rule_turned_off(check_files) -> None:
    result = check_files({"okrpub.yaml": "lint:\n  kr-count: 'off'\n", **TWO_KRS}, "--strict")
    assert result.lines == []
    assert result.code == 0


def test_lint_rule_turned_off_with_a_bare_yaml_off(check_files) -> None:
    # YAML 1.1 reads a bare `off` as false
    result = check_files({"okrpub.yaml": "lint:\n  kr-count: off\n", **TWO_KRS})
    assert result.lines == []
    assert result.code == 0


def test_lint_rule_made_an_error(check_files) -> None:
    result = check_files({"okrpub.yaml": "lint:\n  kr-count: error\n", **TWO_KRS})
    assert result.lines == [
        f"{PATH}:1:1: error: objective has 2 key results; aim for 3 to 5 [kr-count]"
    ]
    assert result.code == 1


def test_other_rules_keep_their_level(check_files) -> None:
    files = {
        "okrpub.yaml": "lint:\n  unaligned: error\n  stale: warning\n",
        **TWO_KRS,
    }
    result = check_files(files)
    assert result.lines == [kr_count(PATH, 2)]
    assert result.code == 0
