"""JSON Schemas: ``okrpub schema``, the schemas a build publishes, and that they agree with
the validator: the example's front matter and ``api/okrs.json`` pass them, and on generated
front matter the schema and ``okrpub check`` give the same verdict."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from projecttools import objective
from sitetools import REPOSITORY, build, run_okrpub, write_files

from okrpub.cli.main import main
from okrpub.cli.schema import NAMES
from okrpub.diagnostics import Diagnostics
from okrpub.engine.loader import load_sources
from okrpub.site.jsonschema import SCHEMAS, schema_text
from okrpub.source.checks import SLUG
from okrpub.source.discover import Kind, SourceFile, discover
from okrpub.source.frontmatter import split_front_matter
from okrpub.source.yamldoc import parse_yaml


def validator(name: str) -> Draft202012Validator:
    schema = json.loads(schema_text(name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_json(value: Any) -> Any:
    """YAML data as the JSON an editor's schema check sees: dates become ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


def front_matter(path: Path) -> Any:
    """The front matter of a content file, as okrpub reads it."""
    diagnostics = Diagnostics()
    split = split_front_matter(path.read_text(encoding="utf-8"), path.name, diagnostics)
    assert split is not None
    document = parse_yaml(split.front_matter, path.name, diagnostics)
    assert document is not None
    return as_json(document.data)


# -- the command and the site ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_okrpub_schema_prints_a_valid_draft_2020_12_schema(name: str) -> None:
    result = run_okrpub(REPOSITORY, "schema", name)
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_okrpub_schema_takes_the_name_of_every_schema_and_no_other() -> None:
    """The command names the schemas without importing them (``check`` starts sooner)."""
    assert tuple(SCHEMAS) == NAMES


def test_okrpub_schema_prints_the_objective_schema_by_default() -> None:
    assert run_okrpub(REPOSITORY, "schema").out == schema_text("objective")


def test_okrpub_schema_refuses_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["schema", "checkin"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'checkin'" in capsys.readouterr().err


def test_the_site_publishes_every_schema(example_site: Path) -> None:
    for name in SCHEMAS:
        path = example_site / "api" / f"{name}.schema.json"
        assert path.read_text(encoding="utf-8") == schema_text(name)


def test_descriptions_come_from_the_field_tables() -> None:
    objective = json.loads(schema_text("objective"))
    key_result = objective["properties"]["key_results"]["items"]
    assert "lower is better" in key_result["properties"]["target"]["description"]
    checkin = key_result["properties"]["checkins"]["items"]
    assert checkin["required"] == ["date"]
    # owner, period: _defaults.yaml; key_results: a qualitative objective has none yet
    assert objective["required"] == ["title"]
    assert all(prop.get("description") for prop in objective["properties"].values())


# -- the example passes -------------------------------------------------------------------------


def test_the_example_front_matter_passes_its_schemas() -> None:
    files = discover(REPOSITORY, "content", Diagnostics())
    schemas = {Kind.OBJECTIVE: validator("objective"), Kind.UNIT: validator("unit")}
    checked = 0
    for source in files:
        if source.kind in schemas:
            errors = list(schemas[source.kind].iter_errors(front_matter(Path(source.file))))
            assert not errors, (source.path, [e.message for e in errors])
            checked += 1
    assert checked >= 20


def test_the_example_api_json_passes_its_schema(example_site: Path, tmp_path: Path) -> None:
    okrs = validator("okrs")
    internal = json.loads((example_site / "api" / "okrs.json").read_text(encoding="utf-8"))
    okrs.validate(internal)
    assert build(REPOSITORY, tmp_path / "public", "--public").code == 0
    okrs.validate(json.loads((tmp_path / "public" / "api" / "okrs.json").read_bytes()))


def test_the_okrs_schema_rejects_a_key_the_export_does_not_have(example_site: Path) -> None:
    document = json.loads((example_site / "api" / "okrs.json").read_text(encoding="utf-8"))
    document["objectives"][0]["key_results"][0]["colour"] = "red"
    assert not validator("okrs").is_valid(document)
    del document["objectives"][0]["key_results"][0]["colour"]
    del document["objectives"][0]["url"]
    assert not validator("okrs").is_valid(document)


def test_a_schema_comment_in_front_matter_is_harmless(check_files) -> None:
    comment = "# yaml-language-server: $schema=https://okr.example.com/api/objective.schema.json"
    result = check_files(
        {
            "content/2026-Q4/sales/leads.md": objective(
                f"{comment}\ntitle: L\nowner: sales\nparent: grow"
            )
        }
    )
    assert (result.code, result.out) == (0, "")


# -- rejects what the validator rejects ------------------------------------------------------

GOOD = {"title": "Grow", "owner": "acme", "period": "2026-Q4", "key_results": [{"title": "x"}]}


@pytest.mark.parametrize(
    "change",
    [
        {"titel": "Grow"},  # unknown key
        {"title": ""},
        {"title": 5},
        {"owner": "Acme Inc"},
        {"period": True},
        {"parent": "grow#"},
        {"draft": "yes"},
        {"tags": "growth"},
        {"key_results": {}},
        {"owner": []},
        {"owner": ["acme", "acme"]},
        {"owner": ["acme", "Bad"]},
        {"parent": ["grow", "grow#"]},
        {"key_results": [{"title": "x", "owner": ["acme", "sales", "acme"]}]},
        {"key_results": [{"title": "x", "target": "ten"}]},
        {"key_results": [{"title": "x", "target": 10}]},  # a numeric one needs its start
        {"key_results": [{"title": "x", "weight": 0}]},
        {"key_results": [{"title": "x", "score": 1.5}]},
        {"key_results": [{"title": "x", "bogus": 1}]},
        {"key_results": [{"title": "x", "checkins": [{"value": 1}]}]},
        {"key_results": [{"title": "x", "checkins": [{"date": "5-10-2026"}]}]},
        {"key_results": [{"title": "x", "checkins": [{"date": "2026-10-05", "note": 3}]}]},
        {"key_results": [{"title": f"k{i}", "done": True} for i in range(21)]},
    ],
)
def test_the_objective_schema_rejects(change: dict[str, Any]) -> None:
    assert validator("objective").is_valid(GOOD)
    assert not validator("objective").is_valid({**GOOD, **change})


@pytest.mark.parametrize(
    "unit",
    [{"name": "A"}, {"name": "A", "kind": "department"}, {"name": "A", "kind": "team", "x": 1}],
)
def test_the_unit_schema_rejects(unit: dict[str, Any]) -> None:
    assert not validator("unit").is_valid(unit)


# -- the same verdict as the validator on generated front matter ------------------------------
#
# Valid front matter is drawn first, then up to three mutations: a key set to a value of any
# type, a key left out, or an unknown key added. Mutations that only a check across keys or
# files would catch (two key results with one id, neither target nor done, a check-in value
# of the other kind, a target equal to the start, no owner or period where a _defaults.yaml
# could give them) are not made: a schema of one value cannot see them.

#: Values of any type, near misses first.
JUNK = st.one_of(
    st.sampled_from([1.5, -0.5, 0, "", " ", "A b", "2026-13-01", "x\n"]),
    st.none(),
    st.booleans(),
    st.integers(-2, 3),
    st.floats(-2, 3, allow_nan=False),
    st.text(alphabet=" a\t-Ä\xa0#A1", max_size=4),
    st.sampled_from(["2026-10-05", "Grow", "a#b", "kr1"]),
    st.builds(lambda: [1]),
    st.builds(lambda: ["a"]),
    st.builds(lambda: {"a": 1}),
)
NOT_SCALAR = st.one_of(
    st.none(), st.text(max_size=2), st.builds(lambda: [1]), st.builds(lambda: {"a": 1})
)
BAD = {
    "id": JUNK.filter(lambda v: not (isinstance(v, str) and SLUG.match(v))),
    "value": NOT_SCALAR,
    "target": NOT_SCALAR,
    # JSON cannot tell 2026.0 from 2026: a period written as a float is okrpub's to reject
    "period": JUNK.filter(lambda v: not (isinstance(v, float) and v.is_integer())),
}
#: Keys a mutation never leaves out (see above).
KEEP = {"target", "done", "owner", "period"}
SHARES = st.sampled_from([0, 0.5, 1])
DATES = st.sampled_from([dt.date(2026, 10, 5), "2026-12-31"])


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """A value, or ``...``: leave the key out."""
    return st.one_of(st.just(...), strategy)


def mapping(**values: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries(values).map(
        lambda drawn: {key: value for key, value in drawn.items() if value is not ...}
    )


def checkin(binary: bool) -> st.SearchStrategy:
    return mapping(
        date=DATES,
        value=optional(st.booleans() if binary else st.integers(-5, 5)),
        confidence=optional(SHARES),
        note=optional(st.text(max_size=3)),
    )


@st.composite
def key_result(draw: st.DrawFn, index: int) -> dict[str, Any]:
    binary = draw(st.booleans())
    values = draw(
        mapping(
            title=st.just("Ship it"),
            id=optional(st.just(f"k{index}")),
            unit=optional(st.just("%")),
            owner=optional(st.just("acme")),
            due=optional(DATES),
            weight=optional(st.sampled_from([1, 2.5])),
            confidence=optional(SHARES),
            score=optional(SHARES),
            visibility=optional(st.sampled_from(["internal", "public"])),
            checkins=optional(st.lists(checkin(binary), max_size=2)),
        )
    )
    if binary:
        values["done"] = draw(st.booleans())
    else:
        values["start"] = draw(st.sampled_from([0, 5, 2.5]))
        values["target"] = draw(st.sampled_from([10, -3.5]))
        current = draw(optional(st.integers(-5, 5)))
        if current is not ...:
            values["current"] = current
    return values


VALID_OBJECTIVES = st.integers(1, 3).flatmap(
    lambda count: mapping(
        title=st.just("Grow"),
        id=optional(st.just("grow")),
        owner=st.just("acme"),
        period=st.sampled_from(["2026-Q4", 2026]),
        parent=optional(st.sampled_from(["acme", "grow#kr1"])),
        type=optional(st.sampled_from(["committed", "aspirational"])),
        visibility=optional(st.sampled_from(["public", "internal"])),
        draft=optional(st.booleans()),
        tags=optional(st.sampled_from([("a", "b"), ()]).map(list)),
        key_results=st.tuples(*(key_result(i) for i in range(count))).map(list),
    )
)
VALID_UNITS = mapping(
    name=st.just("Acme"),
    kind=st.sampled_from(["company", "team", "person"]),
    parent=optional(st.just("acme")),
    lead=optional(st.just("jo")),
    visibility=optional(st.sampled_from(["public", "internal"])),
)


def mappings(value: Any) -> list[dict[str, Any]]:
    """Every mapping in ``value``, itself included."""
    if isinstance(value, list):
        return [found for item in value for found in mappings(item)]
    if isinstance(value, dict):
        return [value, *(found for item in value.values() for found in mappings(item))]
    return []


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy) -> dict[str, Any]:
    data = draw(valid)
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(mappings(data)))
        key = draw(st.sampled_from([*target, "bogus"]))
        if key in target and key not in KEEP and draw(st.booleans()):
            del target[key]
        else:
            target[key] = draw(BAD.get(key, JUNK))
    return data


OBJECTIVES = mutated(VALID_OBJECTIVES)
UNITS = mutated(VALID_UNITS)


def validator_accepts(data: dict[str, Any], kind: Kind) -> bool:
    """Whether ``okrpub check``'s loading stage finds no error in a file with this front matter."""
    folder = "units" if kind is Kind.UNIT else "2026-Q4"
    with tempfile.TemporaryDirectory() as temporary:
        path = f"content/{folder}/item.md"
        text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"
        root = write_files(Path(temporary), {path: text})
        diagnostics = Diagnostics()
        load_sources([SourceFile(path, root / path, kind)], "content", diagnostics)
        return not diagnostics.has_errors()


def schema_accepts(data: dict[str, Any], kind: Kind) -> bool:
    """Whether the schema accepts the front matter as okrpub reads it."""
    diagnostics = Diagnostics()
    document = parse_yaml(yaml.safe_dump(data, allow_unicode=True), "item.md", diagnostics)
    assert document is not None, [d.as_text() for d in diagnostics]
    name = "unit" if kind is Kind.UNIT else "objective"
    return VALIDATORS[name].is_valid(as_json(document.data))


VALIDATORS = {name: validator(name) for name in ("objective", "unit")}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(OBJECTIVES)
def test_objective_schema_and_validator_agree(data: dict[str, Any]) -> None:
    assert schema_accepts(data, Kind.OBJECTIVE) == validator_accepts(data, Kind.OBJECTIVE)


@SETTINGS
@given(UNITS)
def test_unit_schema_and_validator_agree(data: dict[str, Any]) -> None:
    assert schema_accepts(data, Kind.UNIT) == validator_accepts(data, Kind.UNIT)
