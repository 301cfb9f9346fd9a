"""Missing is a state, not a number (issue #17): not graded, no data yet, cancelled.

Each state through ``check``, ``build`` (pages and ``api/okrs.json``) and ``diff``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gittools import commit, init_repo
from projecttools import BASE
from sitetools import TODAY, build, main_of, md, run_okrpub, write_files

CLOSED = "content/2026-Q3/acme/summer.md"
RUNNING = "content/2026-Q4/acme/grow.md"

#: A closed quarter: one key result graded 0.6, one not graded (no score, not done).
SUMMER = md(
    """
    title: A good summer
    owner: acme
    period: 2026-Q3
    key_results:
      - id: graded
        title: Sell 100 grills
        target: 100
        start: 0
        score: 0.6
        checkins: [{date: 2026-09-20, value: 60}]
      - id: ungraded
        title: Sell 50 smokers
        target: 50
        start: 0
        checkins: [{date: 2026-09-20, value: 10}]
    """
)

#: The running quarter: a score given early (not a grade yet), a key result with no
#: data yet (a check-in without a value), and a cancelled one at 0.
GROW = md(
    """
    title: Grow the business
    owner: acme
    type: committed
    key_results:
      - id: revenue
        title: Reach 100 k revenue
        target: 100
        start: 0
        score: 0.9
        checkins:
          - {date: 2026-11-23, value: 80, confidence: 0.8}
      - id: visitors
        title: Reach 2000 visitors a month
        target: 2000
        start: 0
        checkins:
          - {date: 2026-11-23, note: "No analytics yet."}
      - id: fair
        title: Win the trade fair prize
        done: false
        cancelled: "The fair was called off."
    """
)


def project(tmp_path: Path, grow: str = GROW) -> Path:
    return write_files(tmp_path / "project", {**BASE, CLOSED: SUMMER, RUNNING: grow})


def exported(site: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((site / "api/okrs.json").read_text(encoding="utf-8"))
    assert data["version"] == 3
    return {o["id"]: o for o in data["objectives"]}


def key_results(objective: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {kr["id"]: kr for kr in objective["key_results"]}


def page_text(site: Path, path: str) -> str:
    return main_of(site / path).text


def test_a_closed_key_result_without_score_is_not_graded(tmp_path: Path) -> None:
    root = project(tmp_path)
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "error" not in checked.out, checked.out
    assert "key result 'ungraded' has no final 'score' [ungraded]" in checked.out
    assert build(root, tmp_path / "site").code in (0, 1)
    summer = exported(tmp_path / "site")["summer"]
    krs = key_results(summer)
    assert (krs["ungraded"]["score"], krs["ungraded"]["graded"]) == (None, False)
    assert krs["ungraded"]["progress"] == 0.2
    assert (krs["graded"]["score"], krs["graded"]["graded"]) == (0.6, True)
    # the grade rollup counts only the graded key result, and says so
    assert (summer["score"], summer["graded"], summer["of"]) == (0.6, 1, 2)
    text = page_text(tmp_path / "site", "objectives/summer/index.html")
    assert "0.60 (yellow) · 1 of 2 graded" in text
    assert "not graded" in text
    assert "0.00" not in text
    period = page_text(tmp_path / "site", "periods/2026-q3/index.html")
    assert "0.60 (yellow) · 1 of 2 graded" in period


def test_nothing_is_graded_while_the_period_runs(tmp_path: Path) -> None:
    root = project(tmp_path)
    build(root, tmp_path / "site")
    grow = exported(tmp_path / "site")["grow"]
    revenue = key_results(grow)["revenue"]
    assert (revenue["score"], revenue["graded"], revenue["progress"]) == (None, False, 0.8)
    assert (grow["score"], grow["graded"]) == (None, 0)
    page = main_of(tmp_path / "site/objectives/grow/index.html")
    figures = page.find("dl", **{"class": "figures"})
    # no grade at all while it runs (it showed "Grade: not graded"): progress and status
    assert [dt.text for dt in figures.find_all("dt")] == ["Progress", "Status"]


def test_a_numeric_key_result_without_a_value_has_no_data_yet(tmp_path: Path) -> None:
    root = project(tmp_path)
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "visitors" not in checked.out, checked.out
    build(root, tmp_path / "site")
    grow = exported(tmp_path / "site")["grow"]
    visitors = key_results(grow)["visitors"]
    assert (visitors["progress"], visitors["current"], visitors["status"]) == (
        None,
        None,
        "no_data",
    )
    # the objective's progress skips it (and the cancelled one), and says what it covers
    assert (grow["progress"], grow["with_data"], grow["of"]) == (0.8, 1, 2)
    text = page_text(tmp_path / "site", "objectives/grow/index.html")
    item = main_of(tmp_path / "site/objectives/grow/index.html").find("li", id="kr-visitors")
    assert "Nowno data yet" in item.text
    assert "0%" not in item.text
    assert "No data yet" in text
    status = main_of(tmp_path / "site/status/index.html")
    section = status.find("section", id="2026-q4-no_data")
    assert "1 key result with no data yet" in section.text
    assert "Reach 2000 visitors a month" in section.text


def test_an_objective_with_no_data_at_all(tmp_path: Path) -> None:
    grow = GROW.replace("    score: 0.9\n", "").replace(
        "      - {date: 2026-11-23, value: 80, confidence: 0.8}\n",
        "      - {date: 2026-11-23, note: Later.}\n",
    )
    root = project(tmp_path, grow)
    assert build(root, tmp_path / "site").code in (0, 1)
    objective = exported(tmp_path / "site")["grow"]
    assert (objective["progress"], objective["status"], objective["with_data"]) == (
        None,
        "no_data",
        0,
    )
    badge = (tmp_path / "site/badges/grow.svg").read_text(encoding="utf-8")
    assert "no data" in badge and "0%" not in badge


def test_a_cancelled_key_result_is_shown_but_out_of_every_mean(tmp_path: Path) -> None:
    root = project(tmp_path)
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "fair" not in checked.out, checked.out
    build(root, tmp_path / "site")
    grow = exported(tmp_path / "site")["grow"]
    fair = key_results(grow)["fair"]
    assert (fair["cancelled"], fair["status"], fair["score"]) == (
        "The fair was called off.",
        "cancelled",
        None,
    )
    assert key_results(grow)["revenue"]["cancelled"] is None
    assert (grow["progress"], grow["of"]) == (0.8, 2)
    page = main_of(tmp_path / "site/objectives/grow/index.html")
    item = page.find("li", id="kr-fair")
    assert "cancelled" in item.attrs["class"]
    assert item.find("s").text == "Win the trade fair prize"
    assert "Cancelled: The fair was called off." in item.text


def test_cancelled_must_be_a_reason(tmp_path: Path) -> None:
    root = project(tmp_path, GROW.replace('"The fair was called off."', '""'))
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert checked.code != 0
    assert "cancelled" in checked.out and "[schema]" in checked.out
    schema = json.loads(run_okrpub(root, "schema", "objective").out)
    assert "cancelled" in json.dumps(schema)


def test_diff_reports_a_key_result_cancelled_and_uncancelled(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    live = GROW.replace('    cancelled: "The fair was called off."\n', "")
    first = commit(repo, {**BASE, RUNNING: live})
    second = commit(repo, {RUNNING: GROW})
    run = run_okrpub(repo, "diff", first, second, "--today", TODAY)
    assert run.code == 0, run.err
    assert "- **Win the trade fair prize** (`fair`) cancelled: The fair was called off." in run.out
    data = json.loads(
        run_okrpub(repo, "diff", first, second, "--format", "json", "--today", TODAY).out
    )
    (grow,) = data["objectives"]
    (fair,) = grow["key_results"]
    assert fair["cancelled"] == {"before": None, "after": "The fair was called off."}
    back = run_okrpub(repo, "diff", second, first, "--today", TODAY)
    assert "- **Win the trade fair prize** (`fair`) is no longer cancelled; it counts again" in (
        back.out
    )


def test_an_objective_whose_key_results_are_all_cancelled(tmp_path: Path) -> None:
    summer = SUMMER.replace("    score: 0.6\n", '    cancelled: "No grills."\n').replace(
        "    target: 50\n", '    target: 50\n    cancelled: "No smokers."\n'
    )
    root = write_files(tmp_path / "project", {**BASE, CLOSED: summer})
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "[ungraded]" not in checked.out, checked.out
    build(root, tmp_path / "site")
    objective = exported(tmp_path / "site")["summer"]
    assert (objective["progress"], objective["score"], objective["status"]) == (None, None, None)
    assert objective["of"] == 0
    text = page_text(tmp_path / "site", "objectives/summer/index.html")
    assert "All its key results are cancelled" in text
