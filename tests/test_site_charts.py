"""Charts that read without hovering, and the latest note on the card (issue #18, item 5).

Built through the command line: the ticks, gridlines and labels of a key result's
chart, its pace line, the "today" marker only while the period runs, the
confidence strip, the text alternative, and what a key result with no data yet
or a cancelled one draws.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from projecttools import BASE
from sitetools import Element, build, main_of, md, write_files

from okrpub.site.chartlayout import nice_ticks

RUNNING = "content/2026-Q4/acme/grow.md"
CLOSED = "content/2026-Q3/acme/summer.md"
COMING = "content/2027-Q1/acme/spring.md"

#: The running quarter (2026-Q4 on ``TODAY``): revenue in euros with confidence and notes,
#: a key result with no value yet, and a cancelled one.
GROW = md(
    """
    title: Grow the business
    owner: acme
    key_results:
      - id: revenue
        title: Reach 300 k revenue
        start: 120000
        target: 300000
        unit: €
        checkins:
          - {date: 2026-10-15, value: 150000, confidence: 0.6, note: "Slow start."}
          - {date: 2026-11-02, value: 180000, confidence: 0.7, note: "Forecast is short."}
          - {date: 2026-11-20, value: 210000, confidence: 0.8}
      - id: visitors
        title: Reach 2000 visitors a month
        start: 0
        target: 2000
        unit: visitors
        checkins:
          - {date: 2026-11-23, note: "No analytics yet."}
      - id: fair
        title: Sell 5 grills at the trade fair
        start: 0
        target: 5
        cancelled: "The fair was called off."
    """
)

#: A closed quarter's key result, in percent.
SUMMER = md(
    """
    title: A good summer
    owner: acme
    period: 2026-Q3
    key_results:
      - id: share
        title: Reach 40% market share
        start: 20
        target: 40
        unit: "%"
        score: 0.5
        checkins: [{date: 2026-09-20, value: 30, confidence: 0.5}]
    """
)

#: A quarter still to come.
SPRING = md(
    """
    title: A good spring
    owner: acme
    period: 2027-Q1
    key_results:
      - id: stores
        title: Open 2 stores
        start: 0
        target: 2
    """
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("charts")
    files = {**BASE, RUNNING: GROW, CLOSED: SUMMER, COMING: SPRING}
    root = write_files(folder / "project", files)
    result = build(root, folder / "site")
    assert result.code in (0, 1), result.err
    return folder / "site"


def key_result(site: Path, objective: str, kr_id: str) -> Element:
    page = main_of(site / "objectives" / objective / "index.html")
    return page.find("li", class_="key-result", id=f"kr-{kr_id}")


def labels(chart: Element, role: str) -> list[str]:
    return [text.text for text in chart.find_all("text", class_=role)]


def test_the_value_axis_has_nice_ticks_in_the_unit_with_gridlines(site: Path) -> None:
    chart = key_result(site, "grow", "revenue").find("svg", class_="chart")
    ticks = ["€ 100k", "€ 150k", "€ 200k", "€ 250k", "€ 300k"]
    assert labels(chart, "chart-tick") == ticks
    gridlines = chart.find_all("line", class_="chart-grid")
    assert len(gridlines) == len(ticks)
    # each tick's label sits at its gridline, top to bottom in reverse order
    heights = [float(line.attrs["y1"]) for line in gridlines]
    assert heights == sorted(heights, reverse=True)
    tick_ys = [float(t.attrs["y"]) for t in chart.find_all("text", class_="chart-tick")]
    assert [round(y - h) for y, h in zip(tick_ys, heights, strict=True)] == [5] * len(ticks)
    percent = key_result(site, "summer", "share").find("svg", class_="chart")
    assert labels(percent, "chart-tick") == ["20%", "25%", "30%", "35%", "40%"]
    assert not percent.find_all("text", class_="chart-unit")  # the % is in every tick


def test_a_count_has_whole_ticks(site: Path) -> None:
    chart = key_result(site, "spring", "stores").find("svg", class_="chart")
    assert labels(chart, "chart-tick") == ["0", "1", "2"]  # not 0.5 stores


def test_a_unit_that_is_a_word_is_written_once_above_the_axis(site: Path) -> None:
    chart = key_result(site, "grow", "visitors").find("svg", class_="chart")
    assert labels(chart, "chart-tick") == ["0", "500", "1,000", "1,500", "2,000"]
    assert labels(chart, "chart-unit") == ["visitors"]
    revenue = key_result(site, "grow", "revenue").find("svg", class_="chart")
    assert not revenue.find_all("text", class_="chart-unit")  # the € is in every tick


def test_target_line_is_labelled_and_the_last_value_printed_at_its_point(site: Path) -> None:
    chart = key_result(site, "grow", "revenue").find("svg", class_="chart")
    assert labels(chart, "chart-target-label") == ["target € 300,000"]
    target = chart.find("line", class_="chart-target")
    top = chart.find_all("line", class_="chart-grid")[-1]
    assert target.attrs["y1"] == target.attrs["y2"] == top.attrs["y1"]  # 300k: the top tick
    assert labels(chart, "chart-value") == ["€ 210,000"]
    last = chart.find_all("circle", class_="chart-point")[-1]
    value = chart.find("text", class_="chart-value")
    assert abs(float(value.attrs["x"]) - float(last.attrs["cx"])) < 10
    assert abs(float(value.attrs["y"]) - float(last.attrs["cy"])) < 25


def test_pace_line_runs_from_start_at_period_start_to_target_at_period_end(site: Path) -> None:
    chart = key_result(site, "grow", "revenue").find("svg", class_="chart")
    pace = chart.find("line", class_="chart-pace")
    axis = chart.find("line", class_="chart-axis")
    grid = {t.text: t for t in chart.find_all("text", class_="chart-tick")}
    # from the left end (1 October) at the start value 120k, between the 100k and 150k ticks
    assert pace.attrs["x1"] == axis.attrs["x1"]
    low, high = (float(grid[f"€ {k}k"].attrs["y"]) - 5 for k in (100, 150))
    assert float(pace.attrs["y1"]) == pytest.approx(low + (high - low) * 20 / 50, abs=0.1)
    # to the right end (31 December) at the target
    assert pace.attrs["x2"] == axis.attrs["x2"]
    assert pace.attrs["y2"] == chart.find("line", class_="chart-target").attrs["y1"]
    assert labels(chart, "chart-date") == ["1 October 2026", "31 December 2026"]


def test_today_is_marked_only_while_the_period_runs(site: Path) -> None:
    running = key_result(site, "grow", "revenue").find("svg", class_="chart")
    today = running.find("line", class_="chart-today")
    axis = running.find("line", class_="chart-axis")
    left, right = float(axis.attrs["x1"]), float(axis.attrs["x2"])
    # 26 November: day 56 of the 91 days from 1 October to 31 December
    assert float(today.attrs["x1"]) == pytest.approx(left + (right - left) * 56 / 91, abs=0.1)
    assert labels(running, "chart-today-label") == ["today"]
    for objective, kr in (("summer", "share"), ("spring", "stores")):
        chart = key_result(site, objective, kr).find("svg", class_="chart")
        assert not chart.find_all("line", class_="chart-today")
        assert not chart.find_all("text", class_="chart-today-label")


def test_confidence_history_is_a_strip_below_the_chart(site: Path) -> None:
    chart = key_result(site, "grow", "revenue").find("svg", class_="chart")
    bars = chart.find_all("rect", class_="chart-bar")
    assert [bar.find("title").text for bar in bars] == [
        "15 October 2026: confidence 60%",
        "2 November 2026: confidence 70%",
        "20 November 2026: confidence 80%",
    ]
    heights = [float(bar.attrs["height"]) for bar in bars]
    assert heights == sorted(heights) and heights[-1] / heights[0] == pytest.approx(8 / 6)
    axis = chart.find("line", class_="chart-axis")
    assert all(float(bar.attrs["y"]) > float(axis.attrs["y1"]) for bar in bars)
    assert labels(chart, "chart-strip-label") == ["Confidence"]
    assert labels(chart, "chart-strip-value") == ["80%"]
    # no check-in with a confidence: no strip
    spring = key_result(site, "spring", "stores").find("svg", class_="chart")
    assert not spring.find_all("rect")


def test_the_chart_says_in_words_what_it_shows(site: Path) -> None:
    item = key_result(site, "grow", "revenue")
    chart = item.find("svg", class_="chart")
    summary = (
        "Now € 210,000 (50% progress); pace 62% (€ 230,772) on 26 November 2026; "
        "target € 300,000 by 31 December 2026."
    )
    assert item.find("figcaption", class_="chart-summary").text == summary
    assert chart.attrs["role"] == "img"
    described = chart.find("desc", id=chart.attrs["aria-labelledby"].split()[1])
    assert summary in described.text
    closed = key_result(site, "summer", "share").find("figcaption", class_="chart-summary")
    assert closed.text == "Now 30% (50% progress); target 40% by 30 September 2026."


def test_no_data_yet_draws_no_value_line_and_cancelled_no_chart(site: Path) -> None:
    chart = key_result(site, "grow", "visitors").find("svg", class_="chart")
    assert not chart.find_all("polyline")
    assert not chart.find_all("circle")
    assert not chart.find_all("text", class_="chart-value")
    assert chart.find_all("line", class_="chart-target")  # what it aims at is known
    caption = key_result(site, "grow", "visitors").find("figcaption").text
    assert caption.startswith("No values yet; pace 62% (1,231 visitors) on 26 November 2026")
    assert not key_result(site, "grow", "fair").find_all("svg")


def test_the_latest_note_is_on_the_card_outside_the_check_ins(site: Path) -> None:
    item = key_result(site, "grow", "revenue")
    note = item.find("p", class_="kr-note")
    assert note.text == "Latest note (2 November 2026): Forecast is short."
    assert all(element.tag != "details" for element in note.ancestors())
    visitors = key_result(site, "grow", "visitors").find("p", class_="kr-note")
    assert visitors.text == "Latest note (23 November 2026): No analytics yet."
    assert not key_result(site, "spring", "stores").find_all("p", class_="kr-note")


#: A key result's values: up to a billion, in hundredths.
VALUES = st.integers(-(10**11), 10**11).map(lambda hundredths: hundredths / 100)


@given(VALUES, VALUES, st.booleans())
def test_nice_ticks_cover_the_values_in_three_to_five_even_steps(
    a: float, b: float, whole: bool
) -> None:
    if whole:  # counts: whole numbers, and whole ticks
        a, b = float(round(a)), float(round(b))
    ticks = nice_ticks(a, b, whole=whole)
    assert not whole or all(tick.is_integer() for tick in ticks)
    assert 3 <= len(ticks) <= 5
    steps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    step = steps[0]
    assert steps == pytest.approx([step] * len(steps), rel=1e-9)
    assert ticks[0] <= min(a, b) + step * 1e-9 and ticks[-1] >= max(a, b) - step * 1e-9
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)  # 10: log10 rounded down
