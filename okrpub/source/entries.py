"""Entries: what one content file gives, as typed plain values.

Loading (:mod:`okrpub.source.load`) makes them; resolution and computing
(:mod:`okrpub.model`) read them. They are plain data (frozen dataclasses of
strings, numbers, dates and tuples), so that the engine can keep them in its
store as they are (:mod:`okrpub.engine.loader`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from okrpub.diagnostics import Diagnostic, Location


def as_ids(value: str | list[str] | None) -> tuple[str, ...]:
    """``owner: a`` or ``owner: [a, b]`` (validated) as a tuple of ids; none as ``()``."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


Number = int | float

#: One check-in as plain data: its date, value, confidence, note and health.
CheckinRow = tuple[dt.date, Number | bool | None, Number | None, str, str | None]


@dataclass(frozen=True)
class Checkin:
    date: dt.date
    value: Number | bool | None
    #: A whole number when written as one (``confidence: 1``), like every number here.
    confidence: Number | None
    note: str
    #: What its owner says of it: ``on_track``, ``at_risk`` or ``off_track`` (or ``None``).
    health: str | None = None


@dataclass(frozen=True, eq=False, init=False)
class Checkins(Sequence[Checkin]):
    """A key result's check-ins, oldest first, as rows of plain data.

    They are most of a model's values (about fifty a key result), and a run
    reads few of them as :class:`Checkin` objects (only a page rendered again
    shows them), so those are made on first read; computing reads the rows.

    Two are equal when their check-ins are equal and their numbers of the same
    type: ``1`` and ``1.0`` are shown differently (in ``api/okrs.json``).
    """

    rows: tuple[CheckinRow, ...]

    def __init__(self, checkins: Iterable[Checkin] = ()) -> None:
        items = tuple(checkins)
        object.__setattr__(
            self, "rows", tuple((c.date, c.value, c.confidence, c.note, c.health) for c in items)
        )
        object.__setattr__(self, "_items", items)

    @classmethod
    def of_rows(cls, rows: Iterable[CheckinRow]) -> Checkins:
        """The check-ins of ``rows``, in their order (loading makes the rows, not the
        :class:`Checkin` objects, which are then made on first read)."""
        checkins = cls.__new__(cls)
        object.__setattr__(checkins, "rows", tuple(rows))
        return checkins

    @property
    def last_date(self) -> dt.date | None:
        return self.rows[-1][0] if self.rows else None

    @property
    def latest_value(self) -> Number | bool | None:
        """The value of the newest check-in that gives one."""
        return next((row[1] for row in reversed(self.rows) if row[1] is not None), None)

    @property
    def latest_confidence(self) -> Number | None:
        """The confidence of the newest check-in that gives one."""
        return next((row[2] for row in reversed(self.rows) if row[2] is not None), None)

    @property
    def latest_health(self) -> tuple[str, str, dt.date] | None:
        """The health, note and date of the newest check-in that gives a health."""
        return next(
            ((row[4], row[3], row[0]) for row in reversed(self.rows) if row[4] is not None), None
        )

    def _checkins(self) -> tuple[Checkin, ...]:
        items: tuple[Checkin, ...] | None = self.__dict__.get("_items")
        if items is None:
            items = tuple(Checkin(*row) for row in self.rows)
            object.__setattr__(self, "_items", items)
        return items

    @overload
    def __getitem__(self, index: int) -> Checkin: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Checkin, ...]: ...
    def __getitem__(self, index: int | slice) -> Checkin | tuple[Checkin, ...]:
        return self._checkins()[index]

    def __iter__(self) -> Iterator[Checkin]:
        return iter(self._checkins())

    def __reversed__(self) -> Iterator[Checkin]:
        return reversed(self._checkins())

    def __len__(self) -> int:
        return len(self.rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Checkins) and _typed(self.rows) == _typed(other.rows)

    def __hash__(self) -> int:
        return hash(self.rows)

    def __repr__(self) -> str:
        return f"Checkins({self._checkins()!r})"


def _typed(rows: tuple[CheckinRow, ...]) -> tuple[object, ...]:
    """The rows with each number's type and text beside it: ``1``, ``1.0``, ``True`` and
    ``-0.0`` are equal numbers but not shown alike."""
    return tuple((row, repr(row[1]), repr(row[2])) for row in rows)


@dataclass(frozen=True)
class Link:
    """A link of an objective or key result (``links:``): an http(s) or mailto URL."""

    title: str
    url: str


@dataclass(frozen=True)
class KeyResultEntry:
    id: str
    title: str
    start: Number
    target: Number | None
    current: Number | None
    done: bool | None
    unit: str
    #: The units that own it, the accountable one first; empty: its objective's owner.
    owners: tuple[str, ...]
    due: dt.date | None
    weight: Number
    confidence: Number | None
    score: Number | None
    checkins: Checkins
    visibility: str | None
    locations: dict[str, Location]
    #: Why it was cancelled; it stays visible but out of every mean.
    cancelled: str | None = None
    #: The unit after the number 1 (``order`` for ``orders``); ``None``: the unit.
    unit_singular: str | None = None
    #: Where the unit is written, ``before`` or ``after`` the number; ``None``: by the unit.
    unit_position: str | None = None
    links: tuple[Link, ...] = ()
    #: What its owner says of it (``on_track``, ``at_risk``, ``off_track``), and why.
    health: str | None = None
    health_note: str = ""

    @property
    def owner(self) -> str | None:
        """The accountable owner, if it has its own."""
        return self.owners[0] if self.owners else None


@dataclass(frozen=True)
class ObjectiveEntry:
    id: str
    title: str
    #: The units that own it, the accountable one first (never empty).
    owners: tuple[str, ...]
    period: str
    #: What it aligns to, as written (``objective`` or ``objective#kr``), the first being
    #: its main place in the cascade.
    parents: tuple[str, ...]
    type: str
    visibility: str | None
    draft: bool
    tags: tuple[str, ...]
    key_results: tuple[KeyResultEntry, ...]
    body: str
    path: str
    locations: dict[str, Location]
    #: The grade of the objective as a whole, given at the end of the period.
    score: Number | None = None
    links: tuple[Link, ...] = ()

    @property
    def owner(self) -> str:
        """The accountable owner."""
        return self.owners[0]

    @property
    def parent(self) -> str | None:
        """The first parent: the objective's main place in the cascade."""
        return self.parents[0] if self.parents else None

    #: Its own ``stale_after_days`` (from its file or a ``_defaults.yaml``), if any.
    stale_after_days: int | None = None


@dataclass(frozen=True)
class UnitEntry:
    id: str
    name: str
    kind: str
    parent: str | None
    lead: str | None
    visibility: str | None
    body: str
    path: str
    locations: dict[str, Location]


@dataclass(frozen=True)
class PageEntry:
    id: str
    title: str
    body: str
    path: str
    locations: dict[str, Location]
    #: ``public`` or ``internal``; ``None`` until resolution applies ``default_visibility``.
    visibility: str | None = None
    #: Where the site links to it: ``header``, ``footer`` or ``none``.
    nav: str = "header"
    #: The link's words; ``None``: the title.
    nav_title: str | None = None
    #: Lower comes first; ``None``: after those with one.
    nav_order: int | None = None


@dataclass
class Sources:
    """Everything that loaded cleanly, plus the ids of files that did not."""

    units: list[UnitEntry] = field(default_factory=list)
    objectives: list[ObjectiveEntry] = field(default_factory=list)
    pages: list[PageEntry] = field(default_factory=list)
    declared_units: set[str] = field(default_factory=set)
    declared_objectives: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Loaded:
    """What one file gave: its entries (or its id, when it has errors) and its diagnostics."""

    sources: Sources
    diagnostics: tuple[Diagnostic, ...]
