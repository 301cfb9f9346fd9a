"""``okrpub build --history git``: chart points from the values of ``current`` in git history."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from gittools import commit, git, hostile_commit, init_repo, nested, write_object
from projecttools import BASE
from sitetools import build, md, parse_html, write_files

from okrpub.config import Config
from okrpub.git.history import read_history
from okrpub.git.repo import read_blobs

SIGNUPS = "content/2026-Q4/acme/signups.md"


def signups(current: int | None, *, visibility: str = "public") -> str:
    """An objective whose first key result has no check-ins and the given ``current``."""
    value = f"\n{' ' * 12}current: {current}" if current is not None else ""
    return md(
        f"""
        title: Get sign-ups
        owner: acme
        key_results:
          - id: signups
            title: Reach 100 sign-ups
            target: 100{value}
            start: 0
          - id: secret
            title: Secret sign-ups
            target: 10
            start: 0
            current: {current or 0}
            visibility: {visibility}
          - id: checked
            title: Checked in
            target: 10
            start: 0
            current: {current or 0}
            checkins: [{{date: 2026-11-24, value: 5}}]
        """
    )


def make_history(repo: Path) -> None:
    """Three days of edits: two the same day (the later wins), one that does not parse."""
    commit(repo, {**BASE, SIGNUPS: signups(None)}, date="2026-10-01T09:00:00+00:00")
    commit(repo, {SIGNUPS: signups(10)}, date="2026-10-15T09:00:00+00:00")
    commit(repo, {SIGNUPS: signups(20)}, date="2026-11-02T09:00:00+02:00")
    commit(repo, {SIGNUPS: signups(25)}, date="2026-11-02T18:00:00+02:00")
    commit(repo, {SIGNUPS: "---\ntitle: [broken\n---\n"}, date="2026-11-10T09:00:00+00:00")
    commit(repo, {SIGNUPS: signups(40, visibility="internal")}, date="2026-11-20T23:30:00-05:00")


def test_history_keeps_the_last_value_per_day(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    make_history(repo)
    history = read_history(repo, Config())
    day = dt.date.fromisoformat
    # the commit date is the committer's own day, in the committer's time zone
    assert history.of("signups", "signups") == (
        (day("2026-10-15"), 10),
        (day("2026-11-02"), 25),
        (day("2026-11-20"), 40),
    )
    assert history.of("signups", "checked")  # read, but compute leaves it out (check-ins)
    assert history.of("grow", "revenue") == ()  # a key result without ``current`` has none


def test_build_draws_history_points_only_with_the_option(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    make_history(repo)
    with_history = build(repo, tmp_path / "with", "--history", "git")
    assert with_history.code == 0, with_history.err
    page = parse_html(tmp_path / "with" / "objectives" / "signups" / "index.html")
    charts = page.find_all("svg", class_="chart")
    points = [
        [circle.find("title").text for circle in chart.find_all("circle")] for chart in charts
    ]
    assert points[0] == ["15 October 2026: 10", "2 November 2026: 25", "20 November 2026: 40"]
    assert charts[0].find("title").text == "History of Reach 100 sign-ups"
    assert "3 values of current from the git history" in charts[0].find("desc").text
    assert points[2] == ["24 November 2026: 5"]  # check-ins win over history
    assert build(repo, tmp_path / "without").code == 0
    page = parse_html(tmp_path / "without" / "objectives" / "signups" / "index.html")
    assert page.find("svg", class_="chart").find_all("circle") == []
    # the JSON export keeps the shape of the spec: history points are not check-ins
    api = "api/okrs.json"
    assert (tmp_path / "with" / api).read_bytes() == (tmp_path / "without" / api).read_bytes()


def test_public_build_gives_history_to_public_key_results_only(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    make_history(repo)  # its last version makes the second key result internal
    run = build(repo, tmp_path / "public", "--public", "--history", "git")
    assert run.code == 0, run.err
    page = (tmp_path / "public" / "objectives" / "signups" / "index.html").read_text()
    assert "20 November 2026: 40" in page
    assert "Secret" not in page


def test_history_needs_a_git_repository(tmp_path: Path) -> None:
    project = tmp_path / "plain"
    write_files(project, BASE)
    run = build(project, tmp_path / "site", "--history", "git")
    assert run.code == 2
    assert run.err.startswith("okrpub: error: ") and "not in a git repository" in run.err


def test_history_of_a_shallow_clone_is_shorter(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    make_history(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    history = read_history(clone, Config())
    assert history.of("signups", "signups") == ((dt.date(2026, 11, 20), 40),)


def test_a_blob_missing_from_the_clone_is_left_out(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    make_history(repo)
    blob = git(repo, "rev-parse", f"HEAD:{SIGNUPS}").strip()
    assert read_blobs(repo, [blob, "0" * 40]).keys() == {blob}


def test_hostile_names_in_the_history_are_no_crash(tmp_path: Path) -> None:
    """Paths from git log are only read, never used to write; odd ones are no crash: a
    \\x01 once split the log wrongly, and a tree entry ``..`` or a name that is not
    UTF-8 is just another path."""
    repo = init_repo(tmp_path / "repo")
    make_history(repo)
    folder = os.fsencode(repo / "content/2026-Q4/acme")
    names = (b"a\x01b.md", b"c\n:100644 100644 x y A\n.md", b"bad\xff.md")
    for name in names:
        with open(folder + b"/" + name, "w", encoding="utf-8") as file:
            file.write(signups(99))
    commit(repo, {}, date="2026-11-21T09:00:00+00:00")
    git(repo, "rm", "-q", "--", *(os.fsdecode(folder + b"/" + name) for name in names))
    commit(repo, {}, date="2026-11-22T09:00:00+00:00")
    leaf = ("100644", b"x.md", write_object(repo, "blob", signups(77).encode()))
    evil = hostile_commit(repo, "content", [nested(repo, [b"..", b".."], leaf)])
    git(repo, "update-ref", "HEAD", evil)
    history = read_history(repo, Config())
    assert history.of("signups", "signups")[:3] == (
        (dt.date(2026, 10, 15), 10),
        (dt.date(2026, 11, 2), 25),
        (dt.date(2026, 11, 20), 40),
    )
    assert build(repo, tmp_path / "site", "--history", "git").code == 0
    page = (tmp_path / "site" / "objectives" / "signups" / "index.html").read_text()
    assert "20 November 2026: 40" in page
    assert sorted(os.listdir(tmp_path)) == ["repo", "site"]
