"""Owner-set health (issue #17 item 10): ``health`` and ``health_note`` on a key result,
``health`` on a check-in; the newest statement wins, and the derived status is shown beside
it when they differ. Through ``check``, ``checkin``, ``build`` (pages and
``api/okrs.json``) and ``diff``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gittools import commit, init_repo
from projecttools import BASE
from sitetools import TODAY, build, main_of, md, run_okrpub, write_files

GROW = "content/2026-Q4/acme/grow.md"

#: ``revenue`` is on track by the numbers, but its owner says it is at risk; ``visitors``
#: was said to be off track, but its newer check-in says on track; ``orders`` agrees.
HEALTHY = md(
    """
    title: Grow the business
    owner: acme
    key_results:
      - id: revenue
        title: Reach 100 k revenue
        start: 0
        target: 100
        health: at_risk
        health_note: "The *big* customer may leave."
        checkins:
          - {date: 2026-11-23, value: 80, confidence: 0.8}
      - id: visitors
        title: Reach 2000 visitors a month
        start: 0
        target: 2000
        health: off_track
        health_note: Old news.
        checkins:
          - {date: 2026-11-16, value: 1000, health: at_risk, note: Slow.}
          - {date: 2026-11-23, value: 1500, confidence: 0.8, health: on_track, note: Better.}
      - id: orders
        title: Take 300 orders
        start: 0
        target: 300
        health: on_track
        checkins:
          - {date: 2026-11-23, value: 240, confidence: 0.8}
    """
)


def project(root: Path, grow: str = HEALTHY) -> Path:
    return write_files(root, {**BASE, GROW: grow})


def key_results(site: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((site / "api/okrs.json").read_text(encoding="utf-8"))
    (grow,) = [o for o in data["objectives"] if o["id"] == "grow"]
    return {kr["id"]: kr for kr in grow["key_results"]}


def test_health_is_exported_the_newest_statement_winning(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "error" not in checked.out, checked.out
    assert build(root, tmp_path / "site").code == 0
    krs = key_results(tmp_path / "site")
    revenue = krs["revenue"]
    assert (revenue["health"], revenue["health_note"], revenue["status"]) == (
        "at_risk",
        "The *big* customer may leave.",
        "on_track",
    )
    visitors = krs["visitors"]
    # a check-in is dated, so newer than the key result's own health
    assert (visitors["health"], visitors["health_note"]) == ("on_track", "Better.")
    assert [c["health"] for c in visitors["checkins"]] == ["at_risk", "on_track"]
    assert krs["orders"]["health"] == "on_track"


def test_the_card_says_what_the_owner_says_and_the_status_beside_it(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    build(root, tmp_path / "site")
    page = main_of(tmp_path / "site/objectives/grow/index.html")
    revenue = page.find("li", id="kr-revenue").find("p", class_="kr-health")
    assert (
        revenue.text
        == "Owner says: At risk — The big customer may leave. · computed status: On track"
    )
    assert revenue.find("em").text == "big"  # the note's inline Markdown
    visitors = page.find("li", id="kr-visitors").find("p", class_="kr-health")
    assert visitors.text == "Owner says: On track — Better. (23 November 2026)"
    # they agree: the derived status is not repeated
    orders = page.find("li", id="kr-orders").find("p", class_="kr-health")
    assert orders.text == "Owner says: On track"


def test_no_health_shows_nothing_of_it(tmp_path: Path) -> None:
    plain = HEALTHY.replace("    health: at_risk\n", "").replace(
        '    health_note: "The *big* customer may leave."\n', ""
    )
    root = project(tmp_path / "project", plain)
    build(root, tmp_path / "site")
    assert key_results(tmp_path / "site")["revenue"]["health"] is None
    card = main_of(tmp_path / "site/objectives/grow/index.html").find("li", id="kr-revenue")
    assert card.find_all("p", class_="kr-health") == []


def test_a_health_that_is_not_one_of_the_three_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path / "project", HEALTHY.replace("health: at_risk\n", "health: red\n"))
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert checked.code == 1
    assert (
        f"{GROW}:9:13: error: key_results[0].health must be 'on_track' or 'at_risk' or "
        "'off_track', got 'red' [schema]"
    ) in checked.out
    wrong = HEALTHY.replace("health: at_risk, note: Slow.", "health: late, note: Slow.")
    checked = run_okrpub(project(tmp_path / "other", wrong), "check", "--today", TODAY)
    assert "key_results[1].checkins[0].health must be 'on_track'" in checked.out


def test_a_status_written_on_a_key_result_points_to_health(tmp_path: Path) -> None:
    root = project(tmp_path / "project", HEALTHY.replace("health: at_risk", "status: at_risk"))
    checked = run_okrpub(root, "check", "--today", TODAY)
    assert "unknown key 'key_results[0].status'" in checked.out
    assert "(to say how its owner sees a key result, use 'health')" in checked.out


def test_checkin_takes_health(tmp_path: Path) -> None:
    root = project(tmp_path / "project")
    run = run_okrpub(
        root, "checkin", "--today", TODAY, "grow#revenue", "85", "--health", "off_track"
    )
    assert run.code == 0, run.err
    assert '{date: 2026-11-26, value: 85, health: "off_track"}' in (root / GROW).read_text()
    build(root, tmp_path / "site")
    revenue = key_results(tmp_path / "site")["revenue"]
    assert (revenue["health"], revenue["checkins"][-1]["health"]) == ("off_track", "off_track")
    with pytest.raises(SystemExit) as refused:
        run_okrpub(root, "checkin", "--today", TODAY, "grow#revenue", "90", "--health", "ok")
    assert refused.value.code == 2


def test_diff_shows_a_check_in_with_its_health(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    first = commit(repo, {**BASE, GROW: HEALTHY})
    newer = HEALTHY.replace(
        "      - {date: 2026-11-23, value: 80, confidence: 0.8}\n",
        "      - {date: 2026-11-23, value: 80, confidence: 0.8}\n"
        "      - {date: 2026-11-25, value: 82, health: on_track}\n",
    )
    second = commit(repo, {GROW: newer})
    data = json.loads(
        run_okrpub(repo, "diff", first, second, "--format", "json", "--today", TODAY).out
    )
    (grow,) = data["objectives"]
    (revenue,) = grow["key_results"]
    assert revenue["new_checkins"][0]["health"] == "on_track"
