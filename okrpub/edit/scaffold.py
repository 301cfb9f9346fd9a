"""``okrpub init``: write a small, working project to start from."""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

from okrpub.config import Config
from okrpub.edit.newfile import create_file, folder_problem
from okrpub.errors import UsageError

GITIGNORE = ".gitignore"
#: What git should not keep: the built site, the spare folder and lock file a build keeps
#: beside it (``.site.okrpub-spare``, docs/site.md), and the cache folder (their default
#: places, which the scaffold's ``okrpub.yaml`` keeps).
IGNORED = (
    f"/{Config().output_dir}/",
    f"/.{Config().output_dir}.okrpub-*",
    f"/{Config().cache_dir}/",
)


def _quarter(today: dt.date) -> tuple[str, dt.date, dt.date]:
    """The quarter of ``today``: its id, first and last day."""
    quarter = (today.month - 1) // 3 + 1
    start = dt.date(today.year, 3 * quarter - 2, 1)
    following = dt.date(today.year + quarter // 4, 3 * quarter % 12 + 1, 1)
    return f"{today.year}-Q{quarter}", start, following - dt.timedelta(days=1)


def _on_pace(start: int, target: int, share: float) -> int:
    """The value between ``start`` and ``target`` that a key result on pace has reached
    when ``share`` of its period has gone by (rounded towards the target)."""
    step = math.ceil(abs(target - start) * share)
    return start + step if target >= start else start - step


def project_files(today: dt.date) -> dict[str, str]:
    """The scaffold, by path relative to the project folder.

    Every key result has a check-in two days before ``today`` (the quarter's first day at
    the earliest) with a value on pace for ``today``, so that a new site shows a quarter
    under way rather than a page of red, whatever day it is made on. (One binary key
    result is done; the other, not yet done, is at risk late in the quarter: that is the
    status rule working.)
    """
    period, start, end = _quarter(today)
    checked = max(start, today - dt.timedelta(days=2))
    share = (today - start).days / (end - start).days

    def checkin(value: object, note: str = "") -> str:
        shown = str(value).lower() if isinstance(value, bool) else value
        noted = f", note: {note}" if note else ""
        entry = f"{{date: {checked}, value: {shown}, confidence: 0.8{noted}}}"
        return f"    checkins:\n      - {entry}\n"

    return {
        GITIGNORE: "# made by okrpub: the site, what builds keep beside it, the cache\n"
        + "\n".join(IGNORED)
        + "\n",
        "okrpub.yaml": (
            "# okrpub configuration; every key is documented in docs/format.md.\n"
            'title: "Our OKRs"\n'
            'base_url: "https://okr.example.com/"\n'
            "language: en\n"
            "default_visibility: internal\n"
            "stale_after_days: 7\n"
        ),
        "content/units/company.md": (
            "---\nname: Our Company\nkind: company\nvisibility: public\n---\n"
            "What the company is here for, in a sentence or two.\n"
        ),
        "content/units/product.md": (
            "---\nname: Product team\nkind: team\nparent: company\nlead: alex\n---\n"
            "The team that builds the product.\n"
        ),
        "content/units/alex.md": (
            "---\nname: Alex Example\nkind: person\nparent: product\n---\nLeads the product team.\n"
        ),
        f"content/{period}/_defaults.yaml": f"period: {period}\n",
        f"content/{period}/company/delight-customers.md": (
            "---\n"
            "title: Customers love using our product\n"
            "owner: company\n"
            "type: committed\n"
            "key_results:\n"
            "  - id: nps\n"
            "    title: Raise the net promoter score\n"
            "    start: 20\n"
            "    target: 40\n"
            "    unit: points\n"
            + checkin(_on_pace(20, 40, share), "The latest survey is in")
            + "  - id: churn\n"
            "    title: Cut monthly churn\n"
            "    start: 5\n"
            "    target: 3\n"
            '    unit: "%"\n' + checkin(_on_pace(5, 3, share)) + "  - id: support-site\n"
            "    title: Launch the self-service support site\n"
            "    done: false\n" + checkin(False) + "---\n"
            "Why this matters: happy customers stay, and tell their friends.\n"
        ),
        f"content/{period}/product/faster-onboarding.md": (
            "---\n"
            "title: New customers get going in minutes\n"
            "owner: product\n"
            "parent: delight-customers#nps\n"
            "key_results:\n"
            "  - title: Cut the median time to first success\n"
            "    start: 30\n"
            "    target: 5\n"
            "    unit: minutes\n"
            + checkin(_on_pace(30, 5, share))
            + "  - title: Finish onboarding without help\n"
            "    start: 40\n"
            "    target: 80\n"
            '    unit: "%"\n'
            + checkin(_on_pace(40, 80, share))
            + "  - title: Ship the guided tour\n"
            "    done: false\n" + checkin(False) + "---\n"
            "Most people who give up do so in their first ten minutes.\n"
        ),
        "content/pages/about.md": (
            "---\ntitle: How we use OKRs\nvisibility: public\n---\n"
            "We check in every week and grade every key result at the end of the quarter.\n"
        ),
    }


@dataclass(frozen=True)
class Scaffold:
    """The files written, and whether a ``.gitignore`` that was there is kept as it was."""

    written: list[Path]
    kept_gitignore: bool


def scaffold(directory: Path, today: dt.date) -> Scaffold:
    """Write the scaffold into ``directory``; refuse, writing nothing, if any of its files
    exists (but ``.gitignore``, which is then left alone) or a folder on the way is a
    symbolic link that leads out of ``directory``."""
    files = project_files(today)
    kept = os.path.lexists(directory / GITIGNORE)
    if kept:
        del files[GITIGNORE]
    existing = sorted(str(directory / path) for path in files if os.path.lexists(directory / path))
    if existing:
        raise UsageError("refusing to overwrite existing files: " + ", ".join(existing))
    for relative in files:
        problem = folder_problem(directory, relative)
        if problem is not None:
            raise UsageError(f"refusing to write into {directory}: {problem}")
    for relative, text in files.items():
        try:
            create_file(directory, relative, text)
        except FileExistsError:  # made since it was checked
            raise UsageError(f"refusing to overwrite {directory / relative}") from None
    return Scaffold([directory / relative for relative in files], kept)
