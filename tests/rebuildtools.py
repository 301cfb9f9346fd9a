"""A copy of the example kept across rebuilds, as ``okrpub serve`` keeps it, and edits to it.

``Project(root)`` copies the example to ``root`` and keeps a load cache, a
renderer and a compute memo between its rebuilds; ``EDITS`` are edits of
every kind (a title, a check-in, a parent, a removed, renamed or new file, a
final score, a unit, defaults, the day, the configuration) for tests that
apply any series of them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from sitetools import REPOSITORY

from okrpub.engine.analysis import AnalysisMemo
from okrpub.engine.build import BuildOptions, new_renderer, render
from okrpub.engine.cache import CacheStore
from okrpub.engine.loader import LoadCache
from okrpub.engine.project import read_config
from okrpub.engine.stats import Stats

#: The day every rebuild runs on unless an edit moves it (a Thursday in 2026-Q4).
TODAY = dt.date(2026, 11, 26)


class Project:
    """A copy of the example with a load cache (on disk), a renderer and a compute memo
    kept, like ``serve``; its edits tell the next rebuild which files changed, as
    ``serve``'s watcher does (``None``: it cannot tell)."""

    def __init__(self, root: Path) -> None:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(REPOSITORY / "content", root / "content")
        shutil.copy(REPOSITORY / "okrpub.yaml", root / "okrpub.yaml")
        self.root = root
        self.options = BuildOptions(root / "unused")
        self.cache = LoadCache(CacheStore(root / ".okrpub-cache"))
        self.memo = AnalysisMemo()
        config, _ = read_config(root)
        self.renderer = new_renderer(root, config, self.options)
        self.changed: set[str] | None = None
        self.today = TODAY
        #: What the engine did in the last rebuild (data files read since included).
        self.stats = Stats()

    def rebuild(self, stats: Stats | None = None) -> dict[str, bytes]:
        """The site rebuilt; what the engine did is counted in ``stats``."""
        config, _ = read_config(self.root)
        changed = None if self.changed is None else frozenset(self.changed)
        result = render(
            self.root, config, self.today, self.options, self.cache, self.renderer,
            changed=changed, memo=self.memo, stats=stats,
        )  # fmt: skip
        assert result.files is not None, [d.as_text() for d in result.analysis.diagnostics]
        self.changed = set()
        self.stats = result.stats
        return dict(result.files)

    def told(self, *relative: str) -> None:
        """Tell the next rebuild that the files at ``relative`` changed."""
        if self.changed is not None:
            self.changed.update(relative)

    def write(self, relative: str, text: str) -> None:
        (self.root / relative).write_text(text, encoding="utf-8")
        self.told(relative)

    def remove(self, relative: str) -> None:
        (self.root / relative).unlink()
        self.told(relative)

    def rename(self, relative: str, new: str) -> None:
        (self.root / relative).rename(self.root / new)
        self.told(relative, new)

    def clean_build(self) -> dict[str, bytes]:
        config, _ = read_config(self.root)
        result = render(self.root, config, self.today, self.options)
        assert result.files is not None
        return dict(result.files)

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        self.write(relative, text.replace(old, new, 1))

    def edit_config(self, old: str, new: str) -> None:
        """Edit ``okrpub.yaml``: everything may change, and ``serve`` makes a new renderer."""
        self.edit("okrpub.yaml", old, new)
        self.changed = None
        config, _ = read_config(self.root)
        self.renderer = new_renderer(self.root, config, self.options)


def set_a_current_value(project: Project) -> None:
    """A new ``current`` in the running period: the objective's progress, its owner's
    rollup and both their badges change. (A ``score`` would not: nothing is graded while
    the period runs.)"""
    project.edit(
        "content/2026-Q4/marketing/top-3-in-search.md",
        "    unit: guides\n",
        "    unit: guides\n    current: 11\n",
    )


EDITS: list[Callable[[Project], None]] = [
    lambda p: p.edit("content/2026-Q4/smokey/grow-to-1m-online.md", "title: ", "title: X "),
    lambda p: p.edit("content/2026-Q4/marketing/top-3-in-search.md", "value: 7,", "value: 5,"),
    lambda p: p.edit(
        "content/2026-Q4/sam/guides-and-links.md",
        "parent: top-3-in-search",
        "parent: grow-to-1m-online#online-sales",
    ),
    lambda p: p.edit(
        "content/2026-Q4/tom/payments-expert.md", "title: ", "parent: five-star-service\ntitle: "
    ),
    lambda p: p.remove("content/2026-Q4/webshop/checkout-that-converts.md"),
    lambda p: p.rename(
        "content/2026-Q4/warehouse/ship-same-day.md",
        "content/2026-Q4/warehouse/same-day-shipping.md",
    ),
    lambda p: p.write(
        "content/2026-Q4/marketing/extra.md",
        "---\ntitle: An extra objective\nparent: top-3-in-search\n"
        "key_results:\n  - {title: One, target: 3, start: 0}\n"
        "  - {title: Two, target: 4, start: 0}\n"
        "  - {title: Three, done: false}\n---\nWhy.\n",
    ),
    lambda p: p.edit("content/2026-Q3/smokey/best-summer-ever-q3.md", "score: ", "score: 0.1 #"),
    # the newest check-in of all, and the newest ones gone from another objective
    lambda p: p.edit(
        "content/2026-Q4/tom/payments-expert.md",
        'Exam booked for 10 December."}\n',
        'Exam booked for 10 December."}\n      - {date: 2026-11-25, value: true}\n',
    ),
    lambda p: [
        p.edit("content/2026-Q4/marketing/top-3-in-search.md", "- {date: 2026-11-23", "# {")
        for _ in range(4)
    ],
    set_a_current_value,
    lambda p: p.edit("content/units/sam.md", "name: ", "name: Samuel "),
    lambda p: p.edit("content/2026-Q4/customer-service/_defaults.yaml", "owner: ", "owner: lena #"),
    lambda p: setattr(p, "today", TODAY + dt.timedelta(days=9)),
    lambda p: p.edit_config("title: ", "title: Renamed "),
]
