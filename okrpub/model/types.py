"""The computed model: what the site, the JSON export and every command read.

Plain frozen dataclasses (key results: frozen msgspec structs, made faster)
with every number already computed (progress, grades, colours, status,
staleness, rollups); a key result's check-ins are a read-only sequence of
plain rows (:class:`Checkins`). Nothing
downstream computes; it only selects and presents. Ids refer between
objects; the ``Model`` holds the lookup tables.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from enum import StrEnum

import msgspec

from okrpub.config import Config

# The check-ins are kept as read (a plain sequence); the model's users import them here.
from okrpub.source.entries import Checkin as Checkin
from okrpub.source.entries import Checkins as Checkins
from okrpub.source.entries import Link as Link
from okrpub.source.entries import Number as Number


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"
    CLOSED = "closed"
    #: A numeric key result with no value yet: no check-in with a value and no ``current``.
    NO_DATA = "no_data"
    #: A key result given ``cancelled: reason``: shown, but out of every mean.
    CANCELLED = "cancelled"


class PeriodState(StrEnum):
    PAST = "past"
    CURRENT = "current"
    FUTURE = "future"


@dataclass(frozen=True)
class Period:
    id: str
    slug: str
    start: dt.date
    end: dt.date
    state: PeriodState
    #: Share of the period gone by on *today*, 0.0 to 1.0.
    elapsed: float


@dataclass(frozen=True)
class Reason:
    """One cause of a key result's status, with the numbers the site words it with.

    ``kind`` is ``confidence`` (``value`` below ``limit``), ``behind`` (progress
    ``value`` against the pace ``limit``), ``overdue`` (due on ``date``), ``stale``
    (last check-in on ``date``), ``no_checkin`` (none since the period began on
    ``date``) or ``no_data`` (no value reported yet).
    """

    kind: str
    value: Number | None = None
    limit: Number | None = None
    date: dt.date | None = None


class KeyResult(msgspec.Struct, frozen=True):
    """One key result computed. A frozen struct rather than a dataclass: a build makes
    tens of thousands, and a struct is made about four times faster (it compares, hashes
    and encodes as a dataclass of the same fields does, so digests are unchanged)."""

    id: str
    title: str
    kind: str  # "numeric" or "binary"
    start: Number | None
    target: Number | None
    current: Number | None
    done: bool | None
    unit: str
    #: The accountable owner, when it has its own and this build shows it.
    owner: str | None
    due: dt.date
    weight: Number
    confidence: Number | None
    #: ``None`` for a numeric key result with no data yet (status ``no_data``).
    progress: Number | None
    #: The grade: the given ``score`` once the period has closed; ``None`` while it runs, and
    #: in a closed period without a ``score`` (not graded). Never the progress.
    score: Number | None
    score_given: bool
    #: The grade's colour when graded; else ``None`` (running, not graded, no data yet,
    #: cancelled): while a period runs, colour means status only.
    colour: str | None
    status: Status
    #: Progress that keeping pace would have reached by today (``None`` outside the period).
    expected_progress: Number | None
    stale: bool
    last_checkin: dt.date | None
    checkins: Checkins
    visibility: str
    lower_is_better: bool
    #: Dated values of ``current`` from the git history (``build --history git``), oldest
    #: first; only for a key result without check-ins, and empty without that option.
    history: tuple[tuple[dt.date, Number], ...] = ()
    #: Why it was cancelled (``cancelled: reason``); ``None`` when it counts.
    cancelled: str | None = None
    #: Why its status is what it is, worst first (empty when on track, done or closed).
    reasons: tuple[Reason, ...] = ()
    #: Every owner of its own this build shows, the accountable one first.
    owners: tuple[str, ...] = ()
    #: The title as written, with its inline Markdown (``title`` is its plain text).
    title_markdown: str = ""
    links: tuple[Link, ...] = ()
    #: What its owner says of it (``on_track``, ``at_risk``, ``off_track``), the note that
    #: goes with it, and the date of the check-in that said it (``None``: the key result's
    #: own ``health``). The newest statement wins.
    health: Status | None = None
    health_note: str = ""
    health_date: dt.date | None = None
    #: ``score:`` as written, whether or not it counts yet (for ``okrpub diff``).
    given_score: Number | None = None
    #: The unit after the number 1; ``None``: the unit.
    unit_singular: str | None = None
    #: Where the unit is written, ``before`` or ``after`` the number; ``None``: by the unit.
    unit_position: str | None = None

    @property
    def graded(self) -> bool:
        return self.score is not None

    @property
    def health_differs(self) -> bool:
        """Whether its owner says otherwise than the derived status."""
        return self.health is not None and self.health is not self.status

    @property
    def counts(self) -> bool:
        """Whether it goes into means and rollups (it is not cancelled)."""
        return self.cancelled is None


@dataclass(frozen=True)
class Objective:
    id: str
    title: str
    owner: str
    period: str
    #: What this objective aligns to, as written (``objective`` or ``objective#kr``).
    parent: str | None
    parent_objective: str | None
    parent_key_result: str | None
    #: The parent exists but is left out of this build (not public, or a draft).
    parent_hidden: bool
    type: str
    visibility: str
    draft: bool
    tags: tuple[str, ...]
    key_results: tuple[KeyResult, ...]
    #: Key results left out of this build because they are internal.
    hidden_key_results: int
    body: str
    path: str
    #: The numbers below are ``None`` when the build shows none of its key results that
    #: count (a public build of an objective whose key results are all internal, or all
    #: cancelled). ``progress`` is also ``None`` when none has data yet. ``score`` is the
    #: objective's own ``score:`` once the period has closed, else the weighted mean of its
    #: graded key results' grades; ``None`` when neither is (always, while the period runs).
    progress: Number | None
    score: Number | None
    colour: str | None
    status: Status | None
    #: A team or person objective that aligns to nothing (lint rule ``unaligned``).
    unaligned: bool
    #: Ids of the objectives that align to this one, in order.
    children: tuple[str, ...]
    #: Ids of the parent chain, nearest first, up to the top.
    ancestors: tuple[str, ...]
    #: Coverage: key results that count (not cancelled), those of them with data, graded.
    counted: int = 0
    with_data: int = 0
    graded: int = 0
    #: Its period has ended: the site shows its grade (or "not graded"), not its status.
    closed: bool = False
    #: Every owner this build shows, the accountable one (:attr:`owner`) first.
    owners: tuple[str, ...] = ()
    #: Everything it aligns to that this build shows (``objective`` or ``objective#kr``),
    #: the first (:attr:`parent`) first.
    parents: tuple[str, ...] = ()
    #: The title as written, with its inline Markdown (``title`` is its plain text).
    title_markdown: str = ""
    links: tuple[Link, ...] = ()
    #: ``score`` is the objective's own (``score:`` given, the period closed) and not
    #: ``key_results_score``, the weighted mean of its graded key results' grades.
    score_given: bool = False
    key_results_score: Number | None = None
    #: ``score:`` as written, whether or not it counts yet (for ``okrpub diff``).
    given_score: Number | None = None

    @property
    def measured(self) -> bool:
        """Whether this build shows numbers for it (a key result that counts)."""
        return self.status is not None

    @property
    def qualitative(self) -> bool:
        """Whether it has no key results yet (not even hidden ones)."""
        return not self.key_results and not self.hidden_key_results

    @property
    def parent_objectives(self) -> tuple[str, ...]:
        """The ids of the objectives it aligns to, each once, the first parent first."""
        return tuple(dict.fromkeys(parent.partition("#")[0] for parent in self.parents))

    @property
    def units_involved(self) -> tuple[str, ...]:
        """Every unit that owns it or one of its key results, each once."""
        krs = (owner for kr in self.key_results for owner in kr.owners)
        return tuple(dict.fromkeys((*self.owners, *krs)))

    @property
    def grade_covers(self) -> int:
        """How many of its key results its grade covers: all that count when it is graded
        as a whole, else the graded ones."""
        return self.counted if self.score_given else self.graded


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str  # "company", "team" or "person"
    parent: str | None
    lead: str | None
    visibility: str
    body: str
    path: str
    #: Sub-units (teams) and members (people), in order.
    children: tuple[str, ...]
    #: Ids of the parent chain, nearest first.
    ancestors: tuple[str, ...]
    #: Ids of the units this one (a person) leads, in order.
    leads: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusCounts:
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    done: int = 0
    closed: int = 0
    no_data: int = 0


@dataclass(frozen=True)
class ColourCounts:
    red: int = 0
    yellow: int = 0
    green: int = 0


@dataclass(frozen=True)
class Rollup:
    """Numbers for a set of objectives: a unit's in one period, or a whole period's.

    ``objectives`` lists them all; the numbers come from those that have numbers
    (see :attr:`Objective.measured`), and are ``None`` when none has. The grade is
    the mean of the graded objectives' grades; the counts say what it covers.
    """

    objectives: tuple[str, ...]
    progress: Number | None
    score: Number | None
    colour: str | None
    statuses: StatusCounts
    #: Colours of the key results that have one (the red/yellow/green distribution).
    key_result_colours: ColourCounts
    #: Coverage: key results that count, those with data, those graded (by themselves, or
    #: by their objective's own grade).
    counted: int = 0
    with_data: int = 0
    graded: int = 0
    #: How many of the objectives have numbers (not qualitative, not all cancelled).
    measured: int = 0


@dataclass(frozen=True)
class FreePage:
    id: str
    title: str
    body: str
    path: str
    visibility: str
    #: Where the site links to it: ``header``, ``footer`` or ``none``.
    nav: str = "header"
    #: The link's words.
    nav_title: str = ""
    #: Lower comes first; ``None``: after those with one.
    nav_order: int | None = None


@dataclass(frozen=True)
class Model:
    config: Config
    today: dt.date
    periods: dict[str, Period]
    units: dict[str, Unit]
    objectives: dict[str, Objective]
    pages: dict[str, FreePage]
    #: Rollup of each period, by period id.
    period_rollups: dict[str, Rollup]
    #: Rollup of each unit's own objectives per period, by ``(unit id, period id)``.
    unit_rollups: dict[tuple[str, str], Rollup]
    current_period: str | None
    #: A public build: only public items are in this model.
    public: bool = False
    #: The ids of the objectives with a key result each unit owns or co-owns, in order.
    key_result_owners: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def objectives_in(self, period_id: str) -> list[Objective]:
        return list(self._objectives_by_period[period_id])

    @functools.cached_property
    def _objectives_by_period(self) -> dict[str, tuple[Objective, ...]]:
        """Each period's objectives, in the order of its rollup (the site asks many times)."""
        objectives = self.objectives
        return {
            period_id: tuple(objectives[i] for i in rollup.objectives)
            for period_id, rollup in self.period_rollups.items()
        }


#: Dated values of one key result, oldest first.
Points = tuple[tuple[dt.date, Number], ...]


@dataclass(frozen=True)
class History:
    """Dated values of ``current`` by objective id, then key result id, as the git history
    has them (``build --history git``, :mod:`okrpub.git.history`)."""

    points: dict[str, dict[str, Points]] = field(default_factory=dict)

    def of(self, objective_id: str, key_result_id: str) -> Points:
        return self.points.get(objective_id, {}).get(key_result_id, ())
