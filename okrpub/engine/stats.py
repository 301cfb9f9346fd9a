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

#: Finer kinds, for the tests of reuse (counted in this process: not in worker processes).
#: Content files read (the others were known unchanged by their signature, or by
#: ``serve``'s watcher).
FILES_READ = "files read"
#: Content files whose result a load looked up (``serve`` looks only at those its watcher
#: saw change, while the content has the same files).
FILES_LOOKED_AT = "files looked at"
#: Walks of the whole content folder (``check`` walks none when no folder in it changed:
#: :mod:`okrpub.engine.listing`).
CONTENT_WALKS = "content walks"
#: Merges of what every file gave (``serve`` puts an edited file's result into the last one).
MERGES = "merges"
#: Pages and badges of a plan that are not the last plan's very objects (``serve``).
PAGES_PLANNED = "pages planned"
#: Objectives (units) whose pages' (and badges') inputs a plan worked out again.
OBJECTIVE_PAGES_PLANNED = "objective pages planned"
UNIT_PAGES_PLANNED = "unit pages planned"
PERIOD_PAGES_PLANNED = "period pages planned"
#: Objectives whose inputs a computation compared with the last ones (or computed), and
#: whose warnings a lint looked up (``serve`` looks only at those an edit touched).
OBJECTIVES_LOOKED_AT = "objectives looked at"
WARNINGS_LOOKED_AT = "objectives' warnings looked at"
#: Parts of views made rather than reused (:mod:`okrpub.engine.contexts`).
OBJECTIVE_PARTS_MADE = "objective parts made"
STATUS_ROWS_MADE = "status rows made"
GRADINGS_MADE = "grading counts made"
ROLLUP_LISTS_MADE = "rollup lists made"
#: The periods whose list of units' rollups was made again (the others' kept as they were).
ROLLUP_PERIODS_LISTED = "rollup periods listed"
#: Pages whose rendering waits until they are first read (``serve``: :mod:`okrpub.engine.ondemand`);
#: each is counted under "pages rendered" too once it is made.
PAGES_DEFERRED = "pages deferred"
#: ``{% cache %}`` blocks rendered rather than reused (:mod:`okrpub.engine.fragments`).
FRAGMENTS_RENDERED = "fragments rendered"
#: Data files made (the two search indexes together count once), and their parts made:
#: each objective's JSON for the export, the rows of an objective or unit for the search
#: indexes, the newest check-in of an objective for the feed.
#: Objectives whose digest (what their pages' digests are made of) was made rather than
#: taken from the store (:class:`~okrpub.engine.results.ObjectiveDigests`).
OBJECTIVES_DIGESTED = "objectives digested"
DATA_FILES_MADE = "data files made"
EXPORT_PARTS_MADE = "export parts made"
SEARCH_ROWS_MADE = "search rows made"
FEED_PARTS_MADE = "feed parts made"

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
        """One line per kind of :data:`KINDS`, as ``build --stats`` prints them (the finer
        kinds are for the tests of reuse)."""
        return [f"{kind}: {self.counts[kind]}" for kind in KINDS]
