"""The resolution ``check`` keeps: what it needs of the resolved content, kept between runs.

Resolution and the cascade are plain functions of the files' outlines
(:mod:`okrpub.engine.outlines`) and the configuration, and the frame of the
day too. ``check`` keeps what it needs of their result in the store (kind
:data:`RESOLUTION`) under the digest of those inputs (:func:`key`): the
problems found up to resolution, and for each objective, in the cascade's
order, what the key of its warnings is made of and what computing it needs.
After an edit that leaves every outline as it was (a title, a note, a value,
a body: anything but references and the lines they stand on) a new ``check``
decodes no outline and resolves nothing: it takes the warnings of every
other objective from the store, and computes the edited one from its full
entry, its kept place and the kept units, pages and periods.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import msgspec

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic
from okrpub.engine.frame import Frame
from okrpub.engine.results import frame_digest, references_digest
from okrpub.engine.reuse import digest_of, plain
from okrpub.model import cascade as cascades
from okrpub.model.cascade import Place
from okrpub.model.compute import Setting, setting
from okrpub.model.resolve import Resolved
from okrpub.model.types import Unit
from okrpub.source.entries import PageEntry

#: The kind of row that keeps the resolution (one row, key ``""``).
RESOLUTION = "resolution"


class Row(msgspec.Struct, array_like=True, frozen=True):
    """One objective as ``check`` knows it once the content is resolved."""

    id: str
    path: str
    #: What resolution filled in: the canonical period, and the visibility.
    period: str
    visibility: str | None
    place: Place
    #: The digest of its references and place
    #: (:func:`~okrpub.engine.results.references_digest`): with the frame and its file's
    #: digest, what its computed value is made from
    #: (:func:`~okrpub.engine.results.inputs_digest`); ``None`` when its file does not
    #: decide its entry.
    inputs: bytes | None
    parent_period: str | None


class Context(msgspec.Struct, array_like=True):
    """What resolution made of the units (in their tree), pages and periods: the setting
    of every objective (:func:`~okrpub.model.compute.setting`)."""

    units: dict[str, Unit]
    pages: dict[str, PageEntry]
    periods: dict[str, tuple[dt.date, dt.date]]


class Resolution(msgspec.Struct, array_like=True):
    """What ``check`` needs of the resolved content and its cascade."""

    #: The problems found loading and resolving, in order.
    found: list[Diagnostic]
    #: The digest of the objectives' frame (:func:`~okrpub.engine.results.frame_digest`).
    frame: bytes
    units: int
    #: Every objective, in the cascade's order.
    rows: list[Row]
    context: Context


class Files(Protocol):
    """The content files as ``check`` read them."""

    def file_digest(self, path: str) -> bytes | None:
        """The digest ``path`` was loaded from, when it decides its one objective."""
        ...


def key(outlines: bytes, config: Config, today: dt.date) -> bytes:
    """What a resolution is made from: the digest of the ``outlines``, the configuration
    and the day (the frame's periods depend on it)."""
    return digest_of(outlines, *plain(config), today.isoformat().encode())


def resolution_of(
    resolved: Resolved, config: Config, today: dt.date, files: Files, found: list[Diagnostic]
) -> tuple[Resolution, Setting]:
    """What ``check`` needs of ``resolved``, and the setting of its objectives; ``found``:
    the problems found up to resolution."""
    made_in = setting(resolved, config, today, cascades.units(resolved.units))
    frame = frame_digest(Frame.of(config, today, resolved.public, made_in))
    objectives = resolved.objectives
    rows = []
    for objective_id, place in cascades.cascade(resolved, made_in.periods).places.items():
        entry = objectives[objective_id]
        decided = files.file_digest(entry.path) is not None
        rows.append(
            Row(
                objective_id,
                entry.path,
                entry.period,
                entry.visibility,
                place,
                references_digest(entry, place) if decided else None,
                objectives[place.parent].period if place.parent else None,
            )
        )
    context = Context(made_in.units, resolved.pages, resolved.periods)
    return Resolution(found, frame, len(made_in.units), rows, context), made_in


def setting_of(resolution: Resolution, config: Config, today: dt.date) -> Setting:
    """The setting of the objectives of a kept ``resolution``."""
    context = resolution.context
    resolved = Resolved({}, {}, context.periods, context.pages)
    return setting(resolved, config, today, context.units)
