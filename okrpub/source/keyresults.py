"""Key results and check-ins: the entries of an objective's ``key_results`` list."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from okrpub.diagnostics import Diagnostics
from okrpub.source import schema
from okrpub.source.checks import as_date
from okrpub.source.entries import CheckinRow, Checkins, KeyResultEntry, as_ids
from okrpub.source.links import link_entries
from okrpub.source.schema import MAX_CHECKINS, MAX_KEY_RESULTS
from okrpub.source.validate import describe, locations, valid, validate_mapping
from okrpub.source.yamldoc import Document

#: Why a numeric key result needs its ``start``: okrpub no longer takes 0 for it.
NO_START = (
    "{name} is missing required key 'start': a numeric key result needs the value it "
    "stood at when the period began, so that progress can be measured from it; "
    "write 'start: 0' if it really starts at zero"
)


def valid_key_results(document: Document) -> tuple[KeyResultEntry, ...]:
    """The key results of an objective's front matter that are valid on their own (a
    numeric one without its ``start`` too: the history reads only ``current``).

    For versions of a file read from the history, where nothing is reported.
    """
    entries = document.data.get("key_results")
    return key_result_entries(document, entries, Diagnostics()) if isinstance(entries, list) else ()


def key_result_entries(
    document: Document, entries: list[Any], diagnostics: Diagnostics
) -> tuple[KeyResultEntry, ...]:
    """The valid key results of the objective ``document``'s list ``entries``; the problems
    of the others go to ``diagnostics``."""
    if len(entries) > MAX_KEY_RESULTS:
        diagnostics.error(
            document.where(("key_results",)),
            "limit",
            f"objective has {len(entries)} key results; the limit is {MAX_KEY_RESULTS}",
        )
        return ()
    key_results: list[KeyResultEntry] = []
    first_use: dict[str, int] = {}
    for index in range(len(entries)):
        key_result = _key_result(document, index, diagnostics)
        if key_result is None:
            continue
        if key_result.id in first_use:
            diagnostics.error(
                key_result.locations.get("id", key_result.locations[""]),
                "duplicate-id",
                f"key result id '{key_result.id}' is used twice in this objective "
                f"(key_results[{first_use[key_result.id]}] and key_results[{index}])",
            )
            continue
        first_use[key_result.id] = index
        key_results.append(key_result)
    return tuple(key_results)


def _key_result(document: Document, index: int, diagnostics: Diagnostics) -> KeyResultEntry | None:
    path = ("key_results", index)
    name = f"key_results[{index}]"
    values = validate_mapping(document, path, schema.KEY_RESULT_FIELDS, name, diagnostics)
    if values is None:
        return None
    found = locations(document, path, ("id", "owner"))
    where = found[""]
    binary = "done" in values
    if "target" in values and binary:
        diagnostics.error(
            where,
            "schema",
            f"{name} has both 'target' and 'done'; a key result is numeric or binary",
        )
        return None
    written = document.data["key_results"][index]
    if "target" not in values and not binary:
        if "target" in written or "done" in written:
            return None  # it is there but wrong; that is already reported
        diagnostics.error(
            where,
            "not-measurable",
            f"{name} has neither 'target' (a number to reach) nor 'done' (true/false): "
            "it is not measurable",
        )
        return None
    if not binary and "start" not in written:
        # an error, but the check-ins are still checked (and the history still read)
        diagnostics.error(where, "missing-key", NO_START.format(name=name))
    start = values.get("start", 0)  # 0 only where it is never used: binary, or an error
    if "start" in values and values.get("target") == start:
        diagnostics.error(
            document.where((*path, "target")),
            "target-equals-start",
            f"{name}.target equals its start ({start}); there is nothing to progress",
        )
        return None
    if binary and "current" in values:
        diagnostics.error(
            document.where((*path, "current")),
            "schema",
            f"{name}.current applies to numeric key results; a binary one uses 'done'",
        )
        return None
    needs_unit = [key for key in ("unit_singular", "unit_position") if key in values]
    if needs_unit and not values.get("unit", "").strip():
        diagnostics.error(
            document.where((*path, needs_unit[0])),
            "schema",
            f"{name}.{needs_unit[0]} needs a unit: give 'unit' (such as 'orders') too",
        )
        return None
    checkins = _checkins(document, path, values.get("checkins", []), binary, diagnostics)
    links = link_entries(document, path, diagnostics)
    if checkins is None or "title" not in values:
        return None  # what is wrong is already reported
    due = values.get("due")
    return KeyResultEntry(
        id=values.get("id", f"kr{index + 1}"),
        title=values["title"].strip(),
        start=start,
        target=values.get("target"),
        current=values.get("current"),
        done=values.get("done"),
        unit=values.get("unit", "").strip(),
        owners=as_ids(values.get("owner")),
        due=as_date(due) if due is not None else None,
        weight=values.get("weight", 1),
        confidence=values.get("confidence"),
        score=values.get("score"),
        checkins=checkins,
        visibility=values.get("visibility"),
        locations=found,
        cancelled=values["cancelled"].strip() if "cancelled" in values else None,
        links=links,
        health=values.get("health"),
        health_note=values.get("health_note", "").strip(),
        unit_singular=values["unit_singular"].strip() if "unit_singular" in values else None,
        unit_position=values.get("unit_position"),
    )


def _checkins(
    document: Document,
    path: tuple[str, int],
    entries: list[Any],
    binary: bool,
    diagnostics: Diagnostics,
) -> Checkins | None:
    name = describe((*path, "checkins"))
    if len(entries) > MAX_CHECKINS:
        diagnostics.error(
            document.where((*path, "checkins")),
            "limit",
            f"{name} has {len(entries)} check-ins; the limit is {MAX_CHECKINS}",
        )
        return None
    rows: list[CheckinRow] = []
    ok = True
    for index, entry in enumerate(entries):
        values: dict[str, Any] | None = entry
        if not isinstance(entry, dict) or not valid(entry, schema.CHECKIN_FIELDS):
            at = (*path, "checkins", index)
            values = validate_mapping(
                document, at, schema.CHECKIN_FIELDS, f"{name}[{index}]", diagnostics
            )
        if values is None or "date" not in values:
            ok = False
            continue
        value = values.get("value")
        if value is not None and isinstance(value, bool) != binary:
            expected = "true or false (the key result is binary)" if binary else "a number"
            diagnostics.error(
                document.where((*path, "checkins", index, "value")),
                "schema",
                f"{name}[{index}].value must be {expected}, got {value!r}",
            )
            ok = False
            continue
        date = as_date(values["date"])
        assert date is not None  # checked by the schema
        note = values.get("note", "").strip()
        rows.append((date, value, values.get("confidence"), note, values.get("health")))
    if not ok:
        return None
    return Checkins.of_rows(sorted(rows, key=itemgetter(0)))  # by date, stable
