"""JSON Schemas (draft 2020-12) of front matter and of ``api/okrs.json``.

Nothing here is written by hand twice: the front-matter schemas are made
from the field tables :mod:`okrpub.source.schema` validates with (each check
carries its JSON Schema, each field its description), and the export's from
the shapes in :mod:`okrpub.site.export`. ``okrpub schema NAME`` prints one; every
build publishes them all under ``api/``.

A schema says what a value may be and which keys there are. What okrpub
checks across keys or files (a key result needs ``target`` or ``done``, ids
are unique, owners and parents exist) only ``okrpub check`` can tell.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from okrpub.config import LINT_LEVELS, LINT_RULES
from okrpub.site.export import EXPORT_SHAPE, Shape
from okrpub.source.configfields import CONFIG_FIELDS, PERIOD_FIELDS, THRESHOLD_FIELDS
from okrpub.source.schema import FROM_DEFAULTS, OBJECTIVE_FIELDS, PAGE_FIELDS, UNIT_FIELDS, Field

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def table_schema(
    fields: Mapping[str, Field], optional: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A mapping checked against ``fields``: no other keys, and the required ones (but
    those in ``optional``)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {key: field_schema(field) for key, field in fields.items()},
        "additionalProperties": False,
    }
    required = [key for key, field in fields.items() if field.required and key not in optional]
    if required:
        schema["required"] = required
    return schema


def field_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = dict(field.check.json)
    if field.description:
        schema["description"] = field.description
    if field.entries is not None:
        schema["items"] = table_schema(field.entries)
    if field.max_entries is not None:
        schema["maxItems"] = field.max_entries
    return schema


def shape_schema(value: Any) -> Any:
    """An export :class:`~okrpub.site.export.Shape` (also inside lists) as JSON Schema."""
    if isinstance(value, Shape):
        return {
            "type": "object",
            "description": value.description,
            "properties": {key: shape_schema(item) for key, item in value.keys.items()},
            "required": list(value.keys),
            "additionalProperties": False,
        }
    if isinstance(value, dict):
        return {key: shape_schema(item) for key, item in value.items()}
    return value


def objective_schema() -> dict[str, Any]:
    schema = table_schema(OBJECTIVE_FIELDS, optional=FROM_DEFAULTS)
    # a numeric key result (one with a target) needs its start
    schema["properties"]["key_results"]["items"]["dependentRequired"] = {"target": ["start"]}
    return {
        "$schema": DIALECT,
        "title": "okrpub objective front matter",
        "description": "The YAML front matter of an objective file. owner and period may "
        "come from a _defaults.yaml, so the schema does not require them.",
        **schema,
    }


def unit_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "title": "okrpub unit front matter",
        "description": "The YAML front matter of a unit file (content/units/*.md).",
        **table_schema(UNIT_FIELDS),
    }


def page_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "title": "okrpub page front matter",
        "description": "The YAML front matter of a free page (content/pages/*.md).",
        **table_schema(PAGE_FIELDS),
    }


def config_schema() -> dict[str, Any]:
    schema = table_schema(CONFIG_FIELDS)
    properties = schema["properties"]
    properties["grade_thresholds"] |= table_schema(THRESHOLD_FIELDS)
    properties["periods"]["additionalProperties"] = table_schema(PERIOD_FIELDS)
    levels = {"enum": [*LINT_LEVELS, False]}  # a bare off is false in YAML 1.1
    properties["lint"] |= {
        "properties": {rule: {**levels, "description": what} for rule, what in LINT_RULES.items()},
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "title": "okrpub okrpub.yaml",
        "description": "The site configuration, okrpub.yaml. Every key is optional. Whether a logo "
        "file exists, and what okrpub checks across keys, only okrpub check can tell.",
        **schema,
    }


def okrs_schema() -> dict[str, Any]:
    return {"$schema": DIALECT, "title": "okrpub api/okrs.json", **shape_schema(EXPORT_SHAPE)}


#: Every schema by the name ``okrpub schema NAME`` takes; the first is the default.
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "objective": objective_schema,
    "unit": unit_schema,
    "page": page_schema,
    "config": config_schema,
    "okrs": okrs_schema,
}


def schema_text(name: str) -> str:
    return json.dumps(SCHEMAS[name](), indent=2, ensure_ascii=False) + "\n"


def schema_files() -> dict[str, bytes]:
    """The schemas as the files of a site: ``api/<name>.schema.json``."""
    return {f"api/{name}.schema.json": schema_text(name).encode("utf-8") for name in SCHEMAS}
