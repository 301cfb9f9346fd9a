"""Computation: progress, grades, colours, status and the current period.

Each test writes one company objective (so no lint rule interferes), runs the
whole pipeline for a given day and reads the computed model. 2026-Q4 runs
from 2026-10-01 to 2026-12-31: 91 days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from projecttools import objective
from sitetools import TODAY, md

from okrpub.config import GradeThresholds
from okrpub.model.types import KeyResult, Objective, PeriodState, Reason, Status

PATH = "content/t/acme/t.md"


@pytest.fixture
def computed(analysis_of):
    """``computed(*key_results, today=..., period=..., header=...)``: the objective ``t``."""

    def run(
        *key_results: str,
        today: str = TODAY,
        period: str = "2026-Q4",
        header: str = "",
        files: dict[str, str] | None = None,
    ) -> Objective:
        text = (
            f"---\ntitle: T\nowner: acme\nperiod: {period}\n{header}key_results:\n"
            + "".join(f"  - {kr}\n" for kr in key_results)
            + "---\n"
        )
        analysis = analysis_of({PATH: text, **(files or {})}, today=today)
        assert [d.as_text() for d in analysis.diagnostics.errors] == []
        return analysis.model.objectives["t"]

    return run


@pytest.fixture
def key_result(computed):
    """``key_result(yaml, today=...)``: the one key result of objective ``t``."""

    def run(kr: str, **options: str) -> KeyResult:
        return computed(kr, **options).key_results[0]

    return run


# -- progress --------------------------------------------------------------------------------


def test_current_is_the_latest_checkin_value(key_result) -> None:
    kr = key_result(
        "{title: a, start: 0, target: 10, checkins: ["
        "{date: 2026-11-20, value: 7}, {date: 2026-10-05, value: 2, confidence: 0.5}, "
        "{date: 2026-11-24, confidence: 0.9, note: no new number}]}"
    )
    assert kr.kind == "numeric"
    assert kr.current == 7
    assert kr.progress == 0.7
    assert kr.confidence == 0.9
    assert kr.last_checkin == dt.date(2026, 11, 24)
    assert [c.date for c in kr.checkins] == [
        dt.date(2026, 10, 5),
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 24),
    ]


def test_given_current_and_confidence_win_over_checkins(key_result) -> None:
    kr = key_result(
        "{title: a, start: 0, target: 10, current: 3, confidence: 0.8, "
        "checkins: [{date: 2026-11-24, value: 7, confidence: 0.2}]}"
    )
    assert kr.current == 3
    assert kr.progress == 0.3
    assert kr.confidence == 0.8


def test_without_a_value_there_is_no_data_yet(key_result) -> None:
    """No check-in value and no ``current``: no data, not the start (issue #17)."""
    kr = key_result("{title: a, start: 20, target: 40}")
    assert kr.current is None
    assert kr.progress is None
    assert kr.status is Status.NO_DATA
    assert kr.colour is None
    assert kr.confidence is None
    assert kr.last_checkin is None


@pytest.mark.parametrize(
    ("current", "progress"), [(-5, 0.0), (0, 0.0), (2.5, 0.25), (10, 1.0), (15, 1.0)]
)
def test_numeric_progress_is_clamped(key_result, current: float, progress: float) -> None:
    assert (
        key_result(f"{{title: a, target: 10, current: {current}, start: 0}}").progress == progress
    )


@pytest.mark.parametrize(
    ("current", "progress"), [(10, 0.0), (12, 0.0), (7.5, 0.5), (5, 1.0), (4, 1.0)]
)
def test_lower_is_better(key_result, current: float, progress: float) -> None:
    kr = key_result(f"{{title: a, start: 10, target: 5, current: {current}}}")
    assert kr.lower_is_better
    assert kr.progress == progress


def test_higher_is_better_is_not_lower_is_better(key_result) -> None:
    assert not key_result("{title: a, target: 10, start: 0}").lower_is_better


@pytest.mark.parametrize(("done", "progress"), [("true", 1.0), ("false", 0.0)])
def test_binary_progress(key_result, done: str, progress: float) -> None:
    kr = key_result(f"{{title: a, done: {done}}}")
    assert kr.kind == "binary"
    assert kr.progress == progress
    assert kr.done is (done == "true")
    assert (kr.start, kr.target, kr.current) == (None, None, None)


def test_objective_progress_and_score_are_weighted(computed) -> None:
    objective = computed(
        "{title: a, done: true, weight: 3, score: 1}",
        "{title: b, done: false, score: 0}",
        today="2027-01-15",
    )
    assert objective.progress == 0.75
    assert objective.score == 0.75
    assert (objective.graded, objective.counted) == (2, 2)


def test_equal_weights_by_default(computed) -> None:
    objective = computed(
        "{title: a, target: 10, current: 2, start: 0}",
        "{title: b, target: 10, current: 6, start: 0}",
    )
    assert objective.progress == 0.4
    assert [kr.weight for kr in objective.key_results] == [1, 1]


@pytest.mark.parametrize("today", ["2026-11-26", "2027-01-15"])
def test_score_never_defaults_to_progress(key_result, today: str) -> None:
    """Without a ``score`` a key result is not graded, running or closed (issue #17)."""
    kr = key_result("{title: a, target: 10, current: 6, start: 0}", today=today)
    assert kr.progress == 0.6
    assert (kr.score, kr.graded, kr.score_given) == (None, False, False)


def test_nothing_is_graded_while_the_period_runs(computed) -> None:
    objective = computed("{title: a, target: 10, current: 6, score: 0.9, start: 0}")
    (kr,) = objective.key_results
    assert (kr.score, kr.graded, kr.score_given) == (None, False, True)
    assert (objective.score, objective.graded) == (None, 0)
    # while it runs colour means status only: no grade, so no colour (it used to be the
    # progress's, "yellow")
    assert kr.colour is objective.colour is None


def test_given_score_is_the_grade(computed) -> None:
    objective = computed(
        "{title: a, target: 10, current: 5, score: 0.9, weight: 2, start: 0}",
        "{title: b, done: false, score: 0.15}",
        today="2027-01-15",
    )
    a, b = objective.key_results
    assert (a.progress, a.score, a.score_given) == (0.5, 0.9, True)
    assert (b.progress, b.score, b.score_given) == (0.0, 0.15, True)
    assert objective.progress == 0.3333
    assert objective.score == 0.65
    assert objective.colour == "yellow"


@pytest.mark.parametrize(
    ("score", "colour"),
    [(0.0, "red"), (0.39, "red"), (0.4, "yellow"), (0.69, "yellow"), (0.7, "green"), (1, "green")],
)
def test_grade_colours(computed, score: float, colour: str) -> None:
    objective = computed(f"{{title: a, done: false, score: {score}}}", today="2027-01-15")
    assert objective.key_results[0].colour == colour
    assert objective.colour == colour


def test_grade_colours_follow_configured_thresholds(computed) -> None:
    config = {"okrpub.yaml": "grade_thresholds: {yellow: 0.2, green: 0.5}\n"}
    objective = computed(
        "{title: a, done: false, score: 0.1}",
        "{title: b, done: false, score: 0.2}",
        "{title: c, done: false, score: 0.5}",
        files=config,
        today="2027-01-15",
    )
    assert [kr.colour for kr in objective.key_results] == ["red", "yellow", "green"]


def test_grade_threshold_colour() -> None:
    """A grade is coloured as it is shown, with two decimals: 0.3999 reads "0.40", yellow."""
    thresholds = GradeThresholds()
    grades = (0.0, 0.3949, 0.3951, 0.3999, 0.4, 0.6949, 0.6951, 0.7, 1.0)
    assert [thresholds.colour(g) for g in grades] == [
        "red",
        "red",
        "yellow",
        "yellow",
        "yellow",
        "yellow",
        "green",
        "green",
        "green",
    ]


def test_due_defaults_to_the_period_end(computed) -> None:
    objective = computed("{title: a, done: false}", "{title: b, done: false, due: 2026-11-15}")
    assert [kr.due for kr in objective.key_results] == [
        dt.date(2026, 12, 31),
        dt.date(2026, 11, 15),
    ]


def test_expected_progress_is_the_elapsed_share_until_due(computed) -> None:
    objective = computed(
        "{title: a, target: 10, start: 0}",
        "{title: b, target: 10, due: 2026-10-31, start: 0}",
        "{title: c, done: false}",
        today="2026-10-16",
    )
    a, b, c = objective.key_results
    assert a.expected_progress == round(15 / 91, 4)
    assert b.expected_progress == 0.5
    assert c.expected_progress is None


def test_no_expected_progress_outside_the_current_period(key_result) -> None:
    assert (
        key_result("{title: a, target: 10, start: 0}", period="2026-Q3").expected_progress is None
    )


# -- status ----------------------------------------------------------------------------------


def _numeric(progress: int, checked_in: str, confidence: str = "") -> str:
    """A key result from 0 to 100 at ``progress`` percent, checked in on ``checked_in``."""
    extra = f", confidence: {confidence}" if confidence else ""
    checkin = f"{{date: {checked_in}, value: {progress}{extra}}}"
    return f"{{title: a, start: 0, target: 100, checkins: [{checkin}]}}"


@pytest.mark.parametrize(
    ("confidence", "status"),
    [
        # the default status rule: off track below 0.3, at risk below 0.5 (it used to be
        # the grade bands, 0.4 and 0.7)
        ("0.1", Status.OFF_TRACK),
        ("0.29", Status.OFF_TRACK),
        ("0.3", Status.AT_RISK),
        ("0.49", Status.AT_RISK),
        ("0.5", Status.ON_TRACK),
        ("0.69", Status.ON_TRACK),
        ("1.0", Status.ON_TRACK),
    ],
)
def test_status_from_confidence(key_result, confidence: str, status: Status) -> None:
    # on 2026-11-26 the period is 56/91 = 62% gone; 70% is ahead of pace
    kr = key_result(_numeric(70, "2026-11-24", confidence))
    assert kr.status is status


def test_status_from_confidence_follows_the_configured_rule(computed) -> None:
    krs = (
        _numeric(70, "2026-11-24", "0.35"),
        _numeric(70, "2026-11-24", "0.45"),
        _numeric(70, "2026-11-24", "0.65"),
    )
    rule = "status: {off_track_confidence: 0.4, at_risk_confidence: 0.6}\n"
    objective = computed(*krs, files={"okrpub.yaml": rule})
    assert [kr.status for kr in objective.key_results] == [
        Status.OFF_TRACK,
        Status.AT_RISK,
        Status.ON_TRACK,
    ]
    # the grade bands colour grades only; they no longer move a status (the default rule)
    bands = "grade_thresholds: {yellow: 0.5, green: 0.9}\n"
    assert [kr.status for kr in computed(*krs, files={"okrpub.yaml": bands}).key_results] == [
        Status.AT_RISK,
        Status.AT_RISK,
        Status.ON_TRACK,
    ]


def test_status_from_pace_follows_the_configured_rule(computed) -> None:
    # 2026-11-15: 45/91 = 0.4945 of the period is gone; at 20 it is 0.2945 behind
    kr = _numeric(20, "2026-11-14")
    for rule, status in [
        ("", Status.AT_RISK),
        ("status: {at_risk_behind: 0.3}\n", Status.ON_TRACK),
        ("status: {at_risk_behind: 0.1, off_track_behind: 0.2}\n", Status.OFF_TRACK),
    ]:
        objective = computed(kr, today="2026-11-15", files={"okrpub.yaml": rule})
        assert objective.key_results[0].status is status


def test_each_status_says_why(computed) -> None:
    """Every rule that holds is a reason, worst first, with its numbers."""
    objective = computed(
        _numeric(10, "2026-11-24", "0.2"),
        _numeric(30, "2026-11-24", "0.45"),
        _numeric(30, "2026-11-02", "0.9"),
        "{title: n, start: 0, target: 10}",
        "{title: o, done: false, due: 2026-11-20}",
        _numeric(70, "2026-11-24", "0.8"),
    )
    pace = round(56 / 91, 4)
    assert [kr.reasons for kr in objective.key_results] == [
        (Reason("confidence", 0.2, 0.3), Reason("behind", 0.1, pace)),
        (Reason("confidence", 0.45, 0.5), Reason("behind", 0.3, pace)),
        (Reason("behind", 0.3, pace), Reason("stale", date=dt.date(2026, 11, 2))),
        (Reason("no_data"),),
        (
            Reason("overdue", date=dt.date(2026, 11, 20)),
            Reason("no_checkin", date=dt.date(2026, 10, 1)),
        ),
        (),
    ]


@pytest.mark.parametrize(
    ("today", "checked_in", "progress", "status"),
    [
        # 2026-11-15: 45/91 = 0.4945 of the period is gone
        ("2026-11-15", "2026-11-14", 25, Status.ON_TRACK),  # 0.2445 behind
        ("2026-11-15", "2026-11-14", 24, Status.AT_RISK),  # 0.2545 behind
        ("2026-11-15", "2026-11-14", 0, Status.AT_RISK),  # 0.4945 behind
        # 2026-12-22: 82/91 = 0.9011 of the period is gone
        ("2026-12-22", "2026-12-21", 41, Status.AT_RISK),  # 0.4911 behind
        ("2026-12-22", "2026-12-21", 40, Status.OFF_TRACK),  # 0.5011 behind
        ("2026-12-22", "2026-12-21", 95, Status.ON_TRACK),  # ahead
    ],
)
def test_status_from_pace(
    key_result, today: str, checked_in: str, progress: int, status: Status
) -> None:
    assert key_result(_numeric(progress, checked_in), today=today).status is status


def test_past_due_is_off_track(computed) -> None:
    objective = computed(
        "{title: a, start: 0, target: 100, due: 2026-11-20,"
        " checkins: [{date: 2026-11-24, value: 99}]}",
        "{title: b, done: false, due: 2026-11-25, checkins: [{date: 2026-11-24, value: false}]}",
        "{title: c, done: true, due: 2026-11-01}",
    )
    assert [kr.status for kr in objective.key_results] == [
        Status.OFF_TRACK,
        Status.OFF_TRACK,
        Status.DONE,
    ]


def test_stale_is_never_on_track(key_result) -> None:
    fresh = key_result(_numeric(90, "2026-11-20", "0.9"))
    stale = key_result(_numeric(90, "2026-11-18", "0.9"))
    assert (fresh.stale, fresh.status) == (False, Status.ON_TRACK)
    assert (stale.stale, stale.status) == (True, Status.AT_RISK)


def test_stale_and_off_track_is_off_track(key_result) -> None:
    kr = key_result(_numeric(90, "2026-11-18", "0.2"))
    assert (kr.stale, kr.status) == (True, Status.OFF_TRACK)


def test_no_checkin_since_the_period_began_is_stale(key_result) -> None:
    assert key_result("{title: a, done: false}", today="2026-10-08").stale is False
    assert key_result("{title: a, done: false}", today="2026-10-09").stale is True


def test_reached_is_done_whatever_else(key_result) -> None:
    kr = key_result(
        "{title: a, target: 10, current: 10, confidence: 0.1, due: 2026-10-02, start: 0}"
    )
    assert kr.status is Status.DONE
    assert not kr.stale


def test_past_period_is_closed(key_result) -> None:
    kr = key_result("{title: a, target: 10, current: 5, score: 0.5, start: 0}", period="2026-Q3")
    assert kr.status is Status.CLOSED
    assert not kr.stale


def test_future_period_is_on_track(key_result) -> None:
    kr = key_result(
        "{title: a, target: 10, current: 0, confidence: 0.1, start: 0}", period="2027-Q1"
    )
    assert kr.status is Status.ON_TRACK
    assert not kr.stale


ON = _numeric(70, "2026-11-24")
AT_RISK = _numeric(70, "2026-11-24", "0.4")
OFF = _numeric(70, "2026-11-24", "0.2")
DONE = "{title: d, done: true}"


@pytest.mark.parametrize(
    ("key_results", "status"),
    [
        ((ON, ON, ON), Status.ON_TRACK),
        # the weighted median of the statuses, a tie going to the worse (docs/format.md §12)
        ((OFF, ON, ON, ON), Status.ON_TRACK),
        ((AT_RISK, ON), Status.AT_RISK),
        ((OFF, ON), Status.OFF_TRACK),
        ((OFF, AT_RISK, ON), Status.AT_RISK),
        ((OFF, OFF, AT_RISK, ON), Status.OFF_TRACK),
        ((OFF.replace("{title: a,", "{title: a, weight: 3,"), ON, ON), Status.OFF_TRACK),
        ((ON.replace("{title: a,", "{title: a, weight: 3,"), OFF, OFF), Status.ON_TRACK),
        # done key results count as the best status
        ((AT_RISK, DONE), Status.AT_RISK),
        ((AT_RISK, DONE, DONE), Status.ON_TRACK),
    ],
)
def test_objective_status_is_the_weighted_median(
    computed, key_results: tuple[str, ...], status: Status
) -> None:
    assert computed(*key_results).status is status


def test_objective_with_every_key_result_done_is_done(computed) -> None:
    objective = computed("{title: a, done: true}", "{title: b, target: 5, current: 6, start: 0}")
    assert objective.status is Status.DONE
    assert objective.progress == 1.0


def test_objective_of_a_past_period_is_closed_unless_done(computed) -> None:
    closed = computed("{title: a, done: true}", "{title: b, done: false}", period="2026-Q3")
    done = computed("{title: a, done: true}", "{title: b, done: true}", period="2026-Q3")
    assert closed.status is Status.CLOSED
    assert done.status is Status.DONE


# -- periods, structure and rollups ------------------------------------------------------


def _period_files(*periods: str) -> dict[str, str]:
    return {
        f"content/{period}/acme/o-{period.lower()}.md": objective(
            f"title: O\nowner: acme\nperiod: {period}"
        )
        for period in periods
    }


@pytest.mark.parametrize(
    ("periods", "today", "current"),
    [
        # the shortest period containing today
        (("2026", "2026-H2", "2026-Q4", "2026-11"), "2026-11-26", "2026-11"),
        (("2026", "2026-H2", "2026-Q4", "2026-11"), "2026-12-01", "2026-Q4"),
        (("2026", "2026-H2", "2026-Q4", "2026-11"), "2026-07-01", "2026-H2"),
        (("2026", "2026-H2", "2026-Q4", "2026-11"), "2026-03-01", "2026"),
        # else the one that ended last
        (("2026-Q3", "2026-Q2"), "2026-11-26", "2026-Q3"),
        # else the first
        (("2027-Q2", "2027-Q1"), "2026-11-26", "2027-Q1"),
    ],
)
def test_current_period(analysis_of, periods: tuple[str, ...], today: str, current: str) -> None:
    files = {**_period_files(*periods), "content/2026-Q4/acme/grow.md": None}
    files["content/2026-Q4/sales/more-leads.md"] = None
    model = analysis_of(files, today=today).model
    assert model.current_period == current


def test_period_state_and_elapsed_share(analysis_of) -> None:
    model = analysis_of(_period_files("2026-Q3", "2027-Q1"), today="2026-11-15").model
    periods = model.periods
    assert list(periods) == ["2026-Q3", "2026-Q4", "2027-Q1"]
    assert [p.state for p in periods.values()] == [
        PeriodState.PAST,
        PeriodState.CURRENT,
        PeriodState.FUTURE,
    ]
    assert [p.elapsed for p in periods.values()] == [1.0, round(45 / 91, 4), 0.0]
    assert periods["2026-Q4"].slug == "2026-q4"


def test_cascade_children_and_ancestors(analysis_of) -> None:
    files = {"content/2026-Q4/jo/call.md": objective("title: C\nowner: jo\nparent: more-leads#kr1")}
    model = analysis_of(files).model
    assert model.objectives["grow"].children == ("more-leads",)
    assert model.objectives["more-leads"].children == ("call",)
    assert model.objectives["call"].ancestors == ("more-leads", "grow")
    assert model.objectives["call"].parent_objective == "more-leads"
    assert model.objectives["call"].parent_key_result == "kr1"
    assert model.objectives["more-leads"].parent_key_result == "revenue"
    assert model.objectives["grow"].ancestors == ()
    assert list(model.objectives) == ["grow", "more-leads", "call"]


def test_unit_tree(analysis_of) -> None:
    files = {"content/units/ops.md": md("name: Ops\nkind: team\nparent: sales\n")}
    units = analysis_of(files).model.units
    assert list(units) == ["acme", "ops", "sales", "jo"]
    assert units["acme"].children == ("sales",)
    assert units["sales"].children == ("ops", "jo")
    assert units["ops"].ancestors == ("sales", "acme")
    assert units["jo"].visibility == "internal"
    assert units["sales"].lead == "jo"


def test_visibility_defaults(analysis_of) -> None:
    files = {
        "okrpub.yaml": "default_visibility: public\n",
        "content/units/ops.md": md("name: Ops\nkind: team\nparent: acme\nvisibility: internal\n"),
        "content/2026-Q4/ops/o.md": objective("title: O\nowner: ops\nparent: grow"),
        "content/2026-Q4/ops/p.md": objective(
            "title: P\nowner: ops\nparent: grow\nvisibility: public"
        ),
    }
    model = analysis_of(files).model
    assert model.units["jo"].visibility == "public"  # from the config
    assert model.objectives["o"].visibility == "internal"  # from the owner
    assert model.objectives["p"].visibility == "public"  # its own


def test_defaults_files_apply_nearest_first_and_own_keys_win(analysis_of) -> None:
    files = {
        "content/2026-Q4/sales/_defaults.yaml": "owner: sales\nparent: grow\ntags: [sales]\n",
        "content/2026-Q4/sales/jo/_defaults.yaml": "owner: jo\n",
        "content/2026-Q4/sales/a.md": objective("title: A"),
        "content/2026-Q4/sales/jo/b.md": objective("title: B\nparent: more-leads"),
        "content/2026-Q4/sales/jo/c.md": objective("title: C\nowner: acme\ntags: [own]"),
    }
    analysis = analysis_of(files)
    assert [d.as_text() for d in analysis.diagnostics] == []
    objectives = analysis.model.objectives
    assert (objectives["a"].owner, objectives["a"].period, objectives["a"].parent) == (
        "sales",
        "2026-Q4",
        "grow",
    )
    assert (objectives["b"].owner, objectives["b"].parent) == ("jo", "more-leads")
    assert objectives["b"].tags == ("sales",)
    assert (objectives["c"].owner, objectives["c"].parent, objectives["c"].tags) == (
        "acme",
        "grow",
        ("own",),
    )


def test_rollups(analysis_of) -> None:
    files = {
        "content/2026-Q4/acme/grow.md": objective("title: G\nowner: acme"),
        "content/2026-Q4/acme/two.md": md(
            """
            title: Two
            owner: acme
            key_results:
              - {title: a, done: false, score: 0.2}
              - {title: b, done: false, score: 0.2}
              - {title: c, done: false, score: 0.5}
            """
        ),
        "content/2026-Q4/sales/more-leads.md": None,
    }
    running = analysis_of(files).model.period_rollups["2026-Q4"]
    # running: no grade, so no colour (colour means status only; it was the progress's)
    assert (running.progress, running.score, running.colour) == (0.45, None, None)
    assert (running.graded, running.counted, running.with_data) == (0, 6, 6)
    # closed: only "two" is graded; the grade covers its three key results of six
    model = analysis_of(files, today="2027-01-15").model
    grow, two = model.objectives["grow"], model.objectives["two"]
    assert (grow.score, grow.colour) == (None, None)
    assert two.score == 0.3
    rollup = model.period_rollups["2026-Q4"]
    assert rollup.objectives == ("grow", "two")
    assert rollup.score == 0.3
    assert rollup.colour == "red"
    assert (rollup.graded, rollup.counted) == (3, 6)
    assert (rollup.key_result_colours.red, rollup.key_result_colours.yellow) == (2, 1)
    assert rollup.key_result_colours.green == 0
    assert model.unit_rollups[("acme", "2026-Q4")] == rollup
    assert ("sales", "2026-Q4") not in model.unit_rollups
