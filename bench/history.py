"""Benchmark ``okrpub build --history git``: what reading the git history costs.

    python bench/history.py [--commits 300] [--repeat 3]

Copies the example project into a scratch git repository and makes
``--commits`` commits, one a day, each setting ``current`` of one key result
without check-ins (the files are spread over the example's objectives), then
times ``build`` with and without ``--history git`` in fresh processes and
reports the median wall time of each and the number of history points drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from orgs import okrpub_command, okrpub_environment
from run import timed

REPOSITORY = Path(__file__).resolve().parent.parent
TODAY = "2026-11-26"
ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
#: An objective file of its own, spread over the example's folders, for each of these.
FILES = 20


def git(repo: Path, *args: str, date: str = "2026-10-01T12:00:00+00:00") -> None:
    env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def objective(number: int, value: int) -> str:
    return (
        f"---\ntitle: Bench objective {number}\nowner: smokey\nperiod: 2026-Q4\n"
        f"parent: grow-to-1m-online\nkey_results:\n"
        f"  - {{id: measured, title: Measured, target: 1000, current: {value}, start: 0}}\n"
        f"  - {{id: other, title: Other, target: 10, current: 1, start: 0}}\n"
        f"  - {{id: third, title: Third, done: false}}\n---\n"
    )


def make_repository(repo: Path, commits: int) -> None:
    shutil.copytree(REPOSITORY / "content", repo / "content")
    shutil.copy(REPOSITORY / "okrpub.yaml", repo / "okrpub.yaml")
    path = repo / "content" / "2026-Q4" / "bench"
    path.mkdir()
    for number in range(FILES):
        (path / f"bench-{number}.md").write_text(objective(number, 0), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    start = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
    for step in range(1, commits):
        number = step % FILES
        (path / f"bench-{number}.md").write_text(objective(number, step), encoding="utf-8")
        date = (start + dt.timedelta(hours=6 * step)).isoformat()
        git(repo, "commit", "-q", "-a", "-m", f"step {step}", date=date)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        make_repository(repo, args.commits)
        out = Path(scratch) / "site"
        print(f"{args.commits} commits; {'command':>22} {'median s':>9}")
        for name, extra in (("build", []), ("build --history git", ["--history", "git"])):
            arguments = ["build", "--today", TODAY, "--out", str(out), *extra]
            runs = [
                timed(okrpub_command(*arguments), repo, okrpub_environment())
                for _ in range(args.repeat)
            ]
            seconds = statistics.median(run.seconds for run in runs)
            print(f"{'':>{len(str(args.commits)) + 9}}{name:>22} {seconds:>9.2f}")
        page = (out / "objectives" / "bench-1" / "index.html").read_text(encoding="utf-8")
        points = len(re.findall(r'class="chart-point"', page))
        print(f"points on the chart of bench-1's first key result: {points}", file=sys.stderr)


if __name__ == "__main__":
    main()
