"""Export: the whole computed model as ``api/okrs.json`` (docs/site.md, "The JSON export").

The ``*_SHAPE`` tables below say what each object of the file holds, key by
key, as JSON Schema; :mod:`okrpub.site.jsonschema` publishes them as
``api/okrs.schema.json``, and the tests validate the export against it, so a
key added here without its description (or the other way round) fails them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from okrpub import __version__
from okrpub.model.types import KeyResult, Link, Model, Objective, Status
from okrpub.site.format import unit_position
from okrpub.source.schema import HEALTH_VALUES


@dataclass(frozen=True)
class Shape:
    """A JSON object of the export: each key's JSON Schema (all keys are always there)."""

    description: str
    keys: dict[str, Any]


def _list(shape: Shape, description: str) -> dict[str, Any]:
    return {"type": "array", "items": shape, "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


def _share(description: str, *, nullable: bool = False) -> dict[str, Any]:
    kind = ["number", "null"] if nullable else "number"
    return {"type": kind, "minimum": 0, "maximum": 1, "description": description}


#: The version of the export's format; raised when a key changes meaning (docs/site.md).
EXPORT_VERSION = 3

_DATE = {"type": "string", "format": "date"}
_ID = {"type": "string", "description": "The id."}
_STATUS = [str(status) for status in Status]

_HEALTH = [*HEALTH_VALUES, None]
#: A title as plain text: its inline Markdown taken away.
_TITLE = {"type": "string", "description": "The title, as plain text (no Markdown)."}

CHECKIN_SHAPE = Shape(
    "A check-in.",
    {
        "date": {**_DATE, "description": "The day of the check-in."},
        "value": {"type": ["number", "boolean", "null"], "description": "The value, if given."},
        "confidence": _share("The confidence, if given.", nullable=True),
        "note": {"type": "string", "description": "The note as written (empty if none)."},
        "health": {"enum": _HEALTH, "description": "What the owner said of it, if anything."},
    },
)

LINK_SHAPE = Shape(
    "A link (an http, https or mailto URL).",
    {
        "title": {"type": "string", "description": "The link's text."},
        "url": {"type": "string", "description": "Where it goes."},
    },
)

#: The kinds of :class:`okrpub.model.types.Reason`, in the order of the status rule.
REASON_KINDS = ("overdue", "confidence", "behind", "stale", "no_checkin", "no_data")

REASON_SHAPE = Shape(
    "One cause of a key result's status, by the status rule (okrpub.yaml's status:), "
    "worst first: what the status page says in words (version 3).",
    {
        "kind": {
            "enum": list(REASON_KINDS),
            "description": "confidence: the confidence 'value' is below 'limit'; behind: the "
            "progress 'value' is behind the pace 'limit' (the progress expected today); "
            "overdue: it was due on 'date' and is not done; stale: its last check-in was on "
            "'date'; no_checkin: no check-in since the period began on 'date'; no_data: no "
            "value reported yet.",
        },
        "value": _share("The confidence or the progress (confidence, behind).", nullable=True),
        "limit": _share("The threshold or the pace it is measured against.", nullable=True),
        "date": {"type": ["string", "null"], "format": "date", "description": "The day."},
    },
)

KEY_RESULT_SHAPE = Shape(
    "A key result with its computed numbers.",
    {
        "id": _ID,
        "title": _TITLE,
        "kind": {"enum": ["numeric", "binary"], "description": "Numeric (target) or binary."},
        "start": {"type": ["number", "null"], "description": "Start (numeric only)."},
        "target": {"type": ["number", "null"], "description": "Target (numeric only)."},
        "current": {"type": ["number", "null"], "description": "Current value (numeric only)."},
        "unit": {"type": "string", "description": "Unit of the numbers (empty if none)."},
        "unit_singular": {
            "type": ["string", "null"],
            "description": "The unit after the number 1 (unit_singular), or null: the unit.",
        },
        "unit_position": {
            "enum": ["before", "after"],
            "description": "Where the site writes the unit: before the number ('€ 420,000', "
            "'rank 14') or after it ('12 orders').",
        },
        "owner": {
            "type": ["string", "null"],
            "description": "Id of its accountable owner unit, if it has its own and this build "
            "shows that unit; else null (version 3).",
        },
        "owners": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Ids of all its own owner units this build shows, the accountable "
            "one first; empty: its objective's owners (version 3).",
        },
        "done": {"type": ["boolean", "null"], "description": "Whether it is done (binary only)."},
        "progress": _share(
            "Progress, 0.0 to 1.0; null: no data yet (a numeric key result with no value).",
            nullable=True,
        ),
        "score": _share(
            "The grade: the given score once the period has closed; null: not graded "
            "(no score, or the period still runs). Never the progress.",
            nullable=True,
        ),
        "graded": {"type": "boolean", "description": "Whether it has a grade (score)."},
        "cancelled": {
            "type": ["string", "null"],
            "description": "Why it was cancelled (it is out of every mean), or null.",
        },
        "confidence": _share("The confidence, if known.", nullable=True),
        "status": {"enum": _STATUS, "description": "Derived status."},
        "health": {
            "enum": _HEALTH,
            "description": "What its owner says of it: the newest check-in's health, else "
            "its own; null if none. The derived status is 'status'.",
        },
        "health_note": {
            "type": "string",
            "description": "Why (that check-in's note, or its health_note); empty if none.",
        },
        "due": {**_DATE, "description": "The due date."},
        "reasons": _list(
            REASON_SHAPE,
            "Why it has its status, worst first: every rule that holds (at risk, off track, "
            "no data); empty when none does (on track, done, closed, cancelled).",
        ),
        "links": _list(LINK_SHAPE, "Its links."),
        "checkins": _list(CHECKIN_SHAPE, "The check-ins, oldest first."),
    },
)

OBJECTIVE_SHAPE = Shape(
    "An objective with its computed numbers.",
    {
        "id": _ID,
        "title": _TITLE,
        "owner": {"type": "string", "description": "Id of the accountable owner unit."},
        "owners": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "Ids of all its owner units this build shows, the accountable one "
            "(owner) first (version 3).",
        },
        "period": {"type": "string", "description": "Id of the period."},
        "parent": {
            "type": ["string", "null"],
            "description": "What it aligns to first (objective or objective#kr), if shown in "
            "this build.",
        },
        "parents": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Everything it aligns to that this build shows (objective or "
            "objective#kr), parent first (version 3).",
        },
        "type": {"enum": ["committed", "aspirational"], "description": "The objective's type."},
        "visibility": {"enum": ["public", "internal"], "description": "Its visibility."},
        "tags": {"type": "array", "items": {"type": "string"}, "description": "Its tags."},
        "progress": _share(
            "Weighted progress of the key results with data (not cancelled); null when none has.",
            nullable=True,
        ),
        "score": _share(
            "The grade: the objective's own score once the period has closed (score_given), "
            "else key_results_grade; null: not graded.",
            nullable=True,
        ),
        "score_given": {
            "type": "boolean",
            "description": "Whether score is the objective's own grade (given as a whole).",
        },
        "key_results_grade": _share(
            "Weighted grade of the graded key results (not cancelled); null when none is. "
            "It covers 'graded' of 'of' key results.",
            nullable=True,
        ),
        "of": _count("How many key results count (this build shows, not cancelled)."),
        "with_data": _count("How many of those have data (a progress)."),
        "graded": _count("How many of those are graded (a score)."),
        "links": _list(LINK_SHAPE, "Its links."),
        "status": {"enum": [*_STATUS, None], "description": "Derived status, or null."},
        "url": {"type": "string", "description": "Its page, relative to the site root."},
        "key_results": _list(KEY_RESULT_SHAPE, "The key results this build shows."),
    },
)

PERIOD_SHAPE = Shape(
    "A period that has objectives in this build.",
    {
        "id": _ID,
        "start": {**_DATE, "description": "Its first day."},
        "end": {**_DATE, "description": "Its last day."},
    },
)

UNIT_SHAPE = Shape(
    "A unit: the company, a team or a person.",
    {
        "id": _ID,
        "name": {"type": "string", "description": "The name."},
        "kind": {"enum": ["company", "team", "person"], "description": "What it is."},
        "parent": {"type": ["string", "null"], "description": "Id of the parent unit, if any."},
        "url": {"type": "string", "description": "Its page, relative to the site root."},
    },
)

EXPORT_SHAPE = Shape(
    "api/okrs.json: the periods, units and objectives of one build, with every computed number.",
    {
        "version": {
            "const": EXPORT_VERSION,
            "description": "The version of this format (docs/site.md, 'The JSON export').",
        },
        "generator": {"type": "string", "description": "okrpub and its version."},
        "today": {**_DATE, "description": "The date the numbers were computed for."},
        "periods": _list(PERIOD_SHAPE, "The periods."),
        "units": _list(UNIT_SHAPE, "The units."),
        "objectives": _list(OBJECTIVE_SHAPE, "The objectives."),
    },
)


def _key_result(key_result: KeyResult) -> dict[str, Any]:
    return {
        "id": key_result.id,
        "title": key_result.title,
        "kind": key_result.kind,
        "start": key_result.start,
        "target": key_result.target,
        "current": key_result.current,
        "unit": key_result.unit,
        "unit_singular": key_result.unit_singular,
        "unit_position": unit_position(key_result.unit, key_result.unit_position),
        "owner": key_result.owner,
        "owners": list(key_result.owners),
        "done": key_result.done,
        "progress": key_result.progress,
        "score": key_result.score,
        "graded": key_result.graded,
        "cancelled": key_result.cancelled,
        "confidence": key_result.confidence,
        "status": str(key_result.status),
        "health": None if key_result.health is None else str(key_result.health),
        "health_note": key_result.health_note,
        "due": key_result.due.isoformat(),
        "reasons": [
            {
                "kind": reason.kind,
                "value": reason.value,
                "limit": reason.limit,
                "date": None if reason.date is None else reason.date.isoformat(),
            }
            for reason in key_result.reasons
        ],
        "links": _links(key_result.links),
        # read as rows: a check-in read as a Checkin would stay in memory with the model
        "checkins": [
            {
                "date": day.isoformat(),
                "value": value,
                "confidence": confidence,
                "note": note,
                "health": health,
            }
            for day, value, confidence, note, health in key_result.checkins.rows
        ],
    }


def _links(links: tuple[Link, ...]) -> list[dict[str, str]]:
    return [{"title": link.title, "url": link.url} for link in links]


def _objective(objective: Objective) -> dict[str, Any]:
    return {
        "id": objective.id,
        "title": objective.title,
        "owner": objective.owner,
        "owners": list(objective.owners),
        "period": objective.period,
        "parent": objective.parent,
        "parents": list(objective.parents),
        "type": objective.type,
        "visibility": objective.visibility,
        "tags": list(objective.tags),
        "progress": objective.progress,
        "score": objective.score,
        "score_given": objective.score_given,
        "key_results_grade": objective.key_results_score,
        "of": objective.counted,
        "with_data": objective.with_data,
        "graded": objective.graded,
        "links": _links(objective.links),
        "status": None if objective.status is None else str(objective.status),
        "url": f"objectives/{objective.id}/",
        "key_results": [_key_result(kr) for kr in objective.key_results],
    }


#: Where the export goes in the site.
EXPORT_FILE = "api/okrs.json"


#: What comes before the objectives' parts, one ``,`` between each two, in the export.
OBJECTIVES_OPEN = b',"objectives":['


def export_json(model: Model, objective_parts: Iterable[bytes] | None = None) -> bytes:
    """``api/okrs.json``: the periods, units and objectives with every computed number.

    The objectives are encoded one at a time (:func:`objective_part`; or given, in
    the order of the model's objectives), so that a big organisation's export is
    never also in memory as one large structure of Python objects.
    """
    head = {
        "version": EXPORT_VERSION,
        "generator": f"okrpub {__version__}",
        "today": model.today.isoformat(),
        "periods": [
            {"id": p.id, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in model.periods.values()
        ],
        "units": [
            {
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind,
                "parent": unit.parent,
                "url": f"units/{unit.id}/",
            }
            for unit in model.units.values()
        ],
    }
    if objective_parts is None:
        objective_parts = map(objective_part, model.objectives.values())
    # joined once: on a big site each copy of the whole costs as much as the rest together
    separated = [part for objective in objective_parts for part in (b",", objective)][1:]
    return b"".join((_encode(head)[:-1], OBJECTIVES_OPEN, *separated, b"]}\n"))


def first_part(content: bytes) -> int:
    """Where the first objective's part begins in ``content``, made by :func:`export_json`
    (the head has no key ``objectives``, and a ``"`` in a string is escaped)."""
    return content.index(OBJECTIVES_OPEN) + len(OBJECTIVES_OPEN)


def objective_part(objective: Objective) -> bytes:
    """The JSON of one objective in the export."""
    return _encoded_objective(objective)


def _encoded_objective(objective: Objective) -> bytes:
    return _encode(_objective(objective))


def _encode(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
