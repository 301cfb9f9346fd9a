"""Export: the whole computed model as ``api/okrs.json`` (SPEC §5)."""

from __future__ import annotations

import json
from typing import Any

from okrpub import __version__
from okrpub.model import KeyResult, Model, Objective


def _key_result(key_result: KeyResult) -> dict[str, Any]:
    return {
        "id": key_result.id,
        "title": key_result.title,
        "kind": key_result.kind,
        "start": key_result.start,
        "target": key_result.target,
        "current": key_result.current,
        "unit": key_result.unit,
        "done": key_result.done,
        "progress": key_result.progress,
        "score": key_result.score,
        "confidence": key_result.confidence,
        "status": str(key_result.status),
        "due": key_result.due.isoformat(),
        "checkins": [
            {
                "date": checkin.date.isoformat(),
                "value": checkin.value,
                "confidence": checkin.confidence,
                "note": checkin.note,
            }
            for checkin in key_result.checkins
        ],
    }


def _objective(objective: Objective) -> dict[str, Any]:
    return {
        "id": objective.id,
        "title": objective.title,
        "owner": objective.owner,
        "period": objective.period,
        "parent": objective.parent,
        "type": objective.type,
        "visibility": objective.visibility,
        "tags": list(objective.tags),
        "progress": objective.progress,
        "score": objective.score,
        "status": None if objective.status is None else str(objective.status),
        "url": f"objectives/{objective.id}/",
        "key_results": [_key_result(kr) for kr in objective.key_results],
    }


def export_json(model: Model) -> bytes:
    """``api/okrs.json``: the periods, units and objectives with every computed number."""
    document = {
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
        "objectives": [_objective(objective) for objective in model.objectives.values()],
    }
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
