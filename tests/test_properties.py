"""Property-based tests: the formulas hold for any numbers, and no input crashes the loader."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from projecttools import BASE
from sitetools import TODAY, write_files

from okrpub.config import Config, GradeThresholds
from okrpub.diagnostics import format_diagnostics
from okrpub.engine.project import Analysis, analyse
from okrpub.model.progress import numeric_progress, weighted_mean
from okrpub.source.schema import (
    CHECKIN_FIELDS,
    DEFAULTS_FIELDS,
    KEY_RESULT_FIELDS,
    OBJECTIVE_FIELDS,
    UNIT_FIELDS,
)

# Numbers as OKRs use them: anything from tiny fractions to trillions, either sign.
numbers = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False) | (
    st.integers(min_value=-(10**12), max_value=10**12)
)
fractions = st.floats(min_value=0.0, max_value=1.0)
weights = st.floats(min_value=1e-6, max_value=1e6) | st.integers(min_value=1, max_value=1000)


# -- numeric progress ------------------------------------------------------------------------


@given(start=numbers, target=numbers, current=numbers)
def test_progress_is_between_0_and_1(start: float, target: float, current: float) -> None:
    assume(target != start)
    assert 0.0 <= numeric_progress(start, target, current) <= 1.0


@given(start=numbers, target=numbers)
def test_progress_is_0_at_start_and_1_at_target(start: float, target: float) -> None:
    assume(target != start)
    assert numeric_progress(start, target, start) == 0.0
    assert numeric_progress(start, target, target) == 1.0


@given(start=numbers, target=numbers, a=numbers, b=numbers)
def test_progress_grows_towards_the_target(start: float, target: float, a: float, b: float) -> None:
    assume(target != start)
    # ``nearer`` is at least as far as ``farther`` in the direction of the target,
    # which for a target below the start (lower is better) means lower
    farther, nearer = sorted((a, b), reverse=target < start)
    assert numeric_progress(start, target, farther) <= numeric_progress(start, target, nearer)


@given(start=numbers, target=numbers, current=numbers)
def test_lower_is_better_mirrors_higher_is_better(
    start: float, target: float, current: float
) -> None:
    assume(target != start)
    mirrored = numeric_progress(-start, -target, -current)
    assert numeric_progress(start, target, current) == pytest.approx(mirrored)


# -- weighted mean ---------------------------------------------------------------------------

pairs = st.lists(st.tuples(fractions, weights), min_size=1, max_size=20)


@given(pairs=pairs)
def test_weighted_mean_lies_between_min_and_max(pairs: list[tuple[float, float]]) -> None:
    values = [value for value, _ in pairs]
    mean = weighted_mean(pairs)
    assert min(values) - 1e-9 <= mean <= max(values) + 1e-9


@given(pairs=pairs, data=st.data())
def test_weighted_mean_ignores_order(pairs: list[tuple[float, float]], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(pairs))
    assert weighted_mean(shuffled) == pytest.approx(weighted_mean(pairs), abs=1e-9)


@given(value=fractions, weight=weights, count=st.integers(min_value=1, max_value=20))
def test_weighted_mean_of_equal_values_is_that_value(
    value: float, weight: float, count: int
) -> None:
    assert weighted_mean([(value, weight)] * count) == pytest.approx(value)


@given(pairs=pairs, factor=st.floats(min_value=1e-3, max_value=1e3))
def test_weighted_mean_ignores_the_scale_of_weights(
    pairs: list[tuple[float, float]], factor: float
) -> None:
    scaled = [(value, weight * factor) for value, weight in pairs]
    assert weighted_mean(scaled) == pytest.approx(weighted_mean(pairs), abs=1e-9)


def test_weighted_mean_of_nothing_is_none() -> None:
    """Nothing to average is no number (not 0): missing is a state."""
    assert weighted_mean([]) is None
    assert weighted_mean([(None, 1)]) is None
    assert weighted_mean([(None, 1), (0.5, 2)]) == 0.5


# -- grade colours ---------------------------------------------------------------------------

thresholds = st.tuples(fractions, fractions).filter(lambda t: t[0] < t[1])
RANK = {"red": 0, "yellow": 1, "green": 2}


@given(limits=thresholds, grade=fractions)
def test_grade_colour_follows_the_thresholds(limits: tuple[float, float], grade: float) -> None:
    """The grade as shown, with two decimals, is compared (0.6986 reads 0.70)."""
    yellow, green = limits
    colour = GradeThresholds(yellow, green).colour(grade)
    shown = round(grade, 2)
    assert colour == ("red" if shown < yellow else "yellow" if shown < green else "green")


@given(limits=thresholds, a=fractions, b=fractions)
def test_a_higher_grade_is_never_a_worse_colour(
    limits: tuple[float, float], a: float, b: float
) -> None:
    colour = GradeThresholds(*limits).colour
    low, high = sorted((a, b))
    assert RANK[colour(low)] <= RANK[colour(high)]


@given(grade=fractions)
def test_default_colours(grade: float) -> None:
    shown = float(f"{grade:.2f}")  # as the site writes it
    expected = "red" if shown < 0.4 else "yellow" if shown < 0.7 else "green"
    assert GradeThresholds().colour(grade) == expected


# -- the loader never raises -----------------------------------------------------------------

FUZZ_FILES = {
    "objective": "content/2026-Q4/sales/fuzz.md",
    "unit": "content/units/fuzz.md",
    "page": "content/pages/fuzz.md",
    "defaults": "content/2026-Q4/sales/_defaults.yaml",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project, in which each example writes (and then removes) one file."""
    return write_files(tmp_path_factory.mktemp("fuzz"), BASE)


def analyse_with(project: Path, relative: str, content: str | bytes) -> Analysis:
    """Run the whole pipeline with one extra file; check what every run must satisfy."""
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    try:
        analysis = analyse(project, Config(), dt.date.fromisoformat(TODAY))
    finally:
        path.unlink()
    for diagnostic in analysis.diagnostics:
        location = diagnostic.location
        assert location.line >= 1
        assert location.column >= 1
        assert (project / location.path).exists() or location.path == relative
    json.loads(format_diagnostics(analysis.diagnostics, "json"))
    for objective in analysis.model.objectives.values():
        for number in (objective.progress, objective.score):
            assert number is None or 0.0 <= number <= 1.0
        for key_result in objective.key_results:
            assert key_result.progress is None or 0.0 <= key_result.progress <= 1.0
    return analysis


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(FUZZ_FILES)), content=st.binary(max_size=300))
def test_any_bytes_as_a_content_file(project: Path, kind: str, content: bytes) -> None:
    analyse_with(project, FUZZ_FILES[kind], content)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(sorted(FUZZ_FILES)),
    content=st.text(max_size=300)
    | st.text(alphabet="-:{}[]#&*!|>'\"%@`,?\n .0123abc", max_size=200),
)
def test_any_text_as_a_content_file(project: Path, kind: str, content: str) -> None:
    analyse_with(project, FUZZ_FILES[kind], content)


@settings(max_examples=100, deadline=None)
@given(body=st.text(alphabet="-:{}[]#&*!|>'\" \n.0123abc~", max_size=200))
def test_any_text_after_an_opening_fence(project: Path, body: str) -> None:
    analyse_with(project, FUZZ_FILES["objective"], "---\n" + body)


# Front matter that looks like the real thing: the schema's keys, with values that are
# sometimes right and sometimes of any other kind.
ALL_KEYS = sorted({*OBJECTIVE_FIELDS, *KEY_RESULT_FIELDS, *CHECKIN_FIELDS, *UNIT_FIELDS})
TYPICAL = [
    "2026-Q4", "2026-q4", "2026", "2026-13", "sales", "acme", "jo", "nobody", "grow",
    "grow#revenue", "grow#nope", "more-leads", "fuzz", "kr1", "public", "internal",
    "committed", "aspirational", "team", "person", "company", "2026-02-30", "%", "",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(),
    st.text(max_size=12),
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)),
    st.sampled_from(TYPICAL),
)
anything = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(ALL_KEYS) | st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)

TYPOS = ("titel", "traget", "key_result")
#: How often a key that may be left out is there, and how often something rare happens.
#: (Hypothesis favours the first and last choices, hence the rare choice in the middle.)
OPTIONAL = st.sampled_from([False, True, False])
RARE = st.sampled_from([False] * 8 + [True] + [False] * 8)


@st.composite
def entries(
    draw: st.DrawFn,
    fields: dict[str, Any],
    typical: dict[str, st.SearchStrategy[Any]],
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A mapping with the ``required`` keys and some others of ``fields``; rarely, a typo.

    Each value is a typical one for its key, or rarely anything at all.
    """
    chosen = [key for key in sorted(fields) if key in required or draw(OPTIONAL)]
    chosen += [key for key in TYPOS if draw(RARE)]
    return {
        key: draw(anything if key not in typical or draw(RARE) else typical[key]) for key in chosen
    }


words = st.text(alphabet="abcdefghij XYZ€%&:#'\"", min_size=1, max_size=12).filter(str.strip)
days = st.dates(min_value=dt.date(2026, 9, 1), max_value=dt.date(2027, 1, 31))
small = st.integers(-5, 50) | st.floats(-5, 50)
visibility = st.sampled_from(["public", "internal"])
checkins = entries(
    CHECKIN_FIELDS,
    {"date": days, "value": small, "confidence": fractions, "note": words},
    required=("date", "value"),
)
KEY_RESULT_TYPICAL = {
    "title": words,
    "id": st.sampled_from(["kr1", "kr2", "a", "b", "Bad Id"]),
    "start": small,
    "target": small,
    "current": small,
    "done": st.booleans(),
    "unit": st.sampled_from(["%", "€", "customers", ""]),
    "owner": st.sampled_from(["jo", "sales", "nobody"]),
    "due": days,
    "weight": weights,
    "confidence": fractions,
    "score": fractions,
    "checkins": st.lists(checkins, max_size=3),
    "visibility": visibility,
}
NUMERIC = {key: f for key, f in KEY_RESULT_FIELDS.items() if key != "done"}
BINARY = {
    key: f for key, f in KEY_RESULT_FIELDS.items() if key not in ("target", "start", "current")
}
key_results = (
    entries(NUMERIC, KEY_RESULT_TYPICAL, required=("title", "target", "checkins"))
    | entries(BINARY, KEY_RESULT_TYPICAL, required=("title", "done"))
    | entries(KEY_RESULT_FIELDS, KEY_RESULT_TYPICAL, required=("title",))
)
objectives = entries(
    OBJECTIVE_FIELDS,
    {
        "title": words,
        "id": st.sampled_from(["fuzz", "grow", "more-leads", "Fuzz"]),
        "owner": st.sampled_from(["sales", "acme", "jo", "nobody", "fuzz"]),
        "period": st.sampled_from(["2026-Q4", "2026-q4", "2026-Q3", "2026-11", "2026", "x"]),
        "parent": st.sampled_from(["grow", "grow#revenue", "more-leads", "fuzz", "nope#kr1"]),
        "type": st.sampled_from(["committed", "aspirational"]),
        "visibility": visibility,
        "draft": st.booleans(),
        "tags": st.lists(words, max_size=3),
        "key_results": st.lists(key_results, min_size=1, max_size=5),
    },
    required=("title", "owner", "period", "key_results"),
)
units = entries(
    UNIT_FIELDS,
    {
        "name": words,
        "kind": st.sampled_from(["company", "team", "person"]),
        "parent": st.sampled_from(["acme", "sales", "jo", "fuzz", "nobody"]),
        "lead": st.sampled_from(["jo", "sales", "fuzz", "nobody"]),
        "visibility": visibility,
    },
    required=("name", "kind", "parent"),
)


def front_matter(data: dict[str, Any]) -> str:
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return "---\n" + dumped + "---\nBody.\n"


@settings(max_examples=100, deadline=None)
@given(data=objectives)
def test_random_objective_front_matter(project: Path, data: dict[str, Any]) -> None:
    analyse_with(project, FUZZ_FILES["objective"], front_matter(data))


@settings(max_examples=60, deadline=None)
@given(data=units)
def test_random_unit_front_matter(project: Path, data: dict[str, Any]) -> None:
    analyse_with(project, FUZZ_FILES["unit"], front_matter(data))


@settings(max_examples=60, deadline=None)
@given(data=entries(DEFAULTS_FIELDS, {}))
def test_random_defaults_file(project: Path, data: dict[str, Any]) -> None:
    analyse_with(project, FUZZ_FILES["defaults"], yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=100, deadline=None)
@given(data=objectives, edit=st.data())
def test_random_front_matter_with_a_typo(
    project: Path, data: dict[str, Any], edit: st.DataObject
) -> None:
    text = front_matter(data)
    at = edit.draw(st.integers(min_value=0, max_value=len(text)))
    cut = edit.draw(st.integers(min_value=0, max_value=5))
    typo = edit.draw(st.text(alphabet="-:{}[]#&*!|>'\" \n\t.0a", max_size=3))
    analyse_with(project, FUZZ_FILES["objective"], text[:at] + typo + text[at + cut :])


@settings(max_examples=60, deadline=None)
@given(data=objectives)
def test_an_objective_is_in_the_model_or_reported(project: Path, data: dict[str, Any]) -> None:
    path = FUZZ_FILES["objective"]
    analysis = analyse_with(project, path, front_matter(data))
    in_model = any(o.path == path for o in analysis.model.objectives.values())
    # nothing is left out without a word ...
    assert in_model or analysis.diagnostics.has_errors()
    # ... and a file with an error is left out
    if any(d.location.path == path for d in analysis.diagnostics.errors):
        assert not in_model
