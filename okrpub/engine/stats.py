"""Stats: what the engine did in one run, counted per kind of work.

The engine, never a stage, counts: each time it runs a stage function
instead of reusing a result it adds one under the work's name. ``build
--stats`` prints the counts, and the tests of incremental behaviour assert
them (one edit parses one file) beside a byte comparison with a clean build.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

#: The kinds of work counted, in the order ``build --stats`` prints them.
FILES_PARSED = "files parsed"
#: Whole resolutions of the content (``serve`` skips one when no reference changed).
RESOLUTIONS = "resolutions"
OBJECTIVES_COMPUTED = "objectives computed"
OBJECTIVES_LINTED = "objectives linted"
#: Rollups of a period's objectives, or of an owner's in a period.
ROLLUPS_COMPUTED = "rollups computed"
PAGES_RENDERED = "pages rendered"
FILES_WRITTEN = "files written"
FILES_KEPT = "files kept"
KINDS = (
    FILES_PARSED,
    RESOLUTIONS,
    OBJECTIVES_COMPUTED,
    OBJECTIVES_LINTED,
    ROLLUPS_COMPUTED,
    PAGES_RENDERED,
    FILES_WRITTEN,
    FILES_KEPT,
)

#: Called with a stage's name, how much of it is done and its total.
Progress = Callable[[str, int, int], None]


class Stats:
    """Counts of the work done in one run, and where progress is reported while it runs."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self._progress = progress

    def add(self, kind: str, times: int = 1) -> None:
        """Count ``times`` more of ``kind``."""
        self.counts[kind] += times

    def __getitem__(self, kind: str) -> int:
        return self.counts[kind]

    def progress(self, stage: str, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` of ``stage`` are done (to a terminal, say)."""
        if self._progress is not None:
            self._progress(stage, done, total)

    def lines(self) -> list[str]:
        """One line per kind, the known kinds first, as ``build --stats`` prints them."""
        kinds = [*KINDS, *sorted(set(self.counts) - set(KINDS))]
        return [f"{kind}: {self.counts[kind]}" for kind in kinds]
