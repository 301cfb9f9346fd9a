"""YAML with positions: plain data, the location of every node, and the safety limits."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from okrpub.diagnostics import Diagnostics, Location
from okrpub.source import yamlbuild
from okrpub.source.yamlbuild import MAX_DEPTH
from okrpub.source.yamldoc import Document, double_quoted, parse_yaml

FRONT_MATTER = textwrap.dedent(
    """\
    title: Grow
    tags: [a, b]
    key_results:
      - id: kr1
        target: 10
      - title: Second
        checkins:
          - {date: 2026-10-05, value: 3}
    """
)


class CoreLoader(yaml.SafeLoader):
    """The reference reader: PyYAML's safe loader with the tags of the YAML 1.2 core schema,
    written as the specification writes them, and PyYAML's dates."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[Any]]] = {}


for _tag, _regex, _first in [
    ("null", r"~|null|Null|NULL|", "~nN"),
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        "float",
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN",
        "-+.0123456789",
    ),
]:
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:" + _tag,
        re.compile(f"^(?:{_regex})$"),
        [*_first, ""] if _tag == "null" else list(_first),
    )
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp",
    yaml.resolver.Resolver.yaml_implicit_resolvers["2"][-1][1],
    list("0123456789"),
)
CoreLoader.add_constructor(
    "tag:yaml.org,2002:int",
    lambda loader, node: int(node.value, 0 if node.value[:2] in ("0o", "0x") else 10),
)


def core_load(text: str) -> object:
    return yaml.load(text, Loader=CoreLoader)  # a safe loader


def parse(text: str, first_line: int = 1) -> tuple[Document | None, list[str]]:
    diagnostics = Diagnostics()
    document = parse_yaml(text, "f.md", diagnostics, first_line=first_line)
    return document, [d.as_text() for d in diagnostics]


def parsed(text: str, first_line: int = 1) -> Document:
    document, problems = parse(text, first_line)
    assert problems == []
    assert document is not None
    return document


def test_plain_data() -> None:
    assert parsed(FRONT_MATTER).data == {
        "title": "Grow",
        "tags": ["a", "b"],
        "key_results": [
            {"id": "kr1", "target": 10},
            {"title": "Second", "checkins": [{"date": dt.date(2026, 10, 5), "value": 3}]},
        ],
    }


def test_where_gives_the_value_of_a_path() -> None:
    document = parsed(FRONT_MATTER)
    assert document.where(()) == Location("f.md", 1, 1)
    assert document.where(("title",)) == Location("f.md", 1, 8)
    assert document.where(("tags", 1)) == Location("f.md", 2, 11)
    assert document.where(("key_results", 0)) == Location("f.md", 4, 5)
    assert document.where(("key_results", 0, "target")) == Location("f.md", 5, 13)
    assert document.where(("key_results", 1, "checkins", 0, "value")) == Location("f.md", 8, 35)


def test_where_with_key_gives_the_key() -> None:
    document = parsed(FRONT_MATTER)
    assert document.where(("key_results", 0, "target"), key=True) == Location("f.md", 5, 5)
    assert document.where(("title",), key=True) == Location("f.md", 1, 1)
    # list items have no key: their value stands in
    assert document.where(("tags", 1), key=True) == Location("f.md", 2, 11)


def test_where_falls_back_to_the_nearest_located_ancestor() -> None:
    document = parsed(FRONT_MATTER)
    assert document.where(("key_results", 1, "target")) == Location("f.md", 6, 5)
    assert document.where(("key_results", 9, "title")) == Location("f.md", 4, 3)
    assert document.where(("nope", "deeper")) == Location("f.md", 1, 1)


def test_locations_are_offset_by_the_first_line() -> None:
    document = parsed(FRONT_MATTER, first_line=2)
    assert document.where(("key_results", 0, "target")) == Location("f.md", 6, 13)
    assert document.where(()) == Location("f.md", 2, 1)


def test_empty_document_is_none_located_at_its_first_line() -> None:
    document = parsed("\n", first_line=2)
    assert document.data is None
    assert document.where(("title",)) == Location("f.md", 2, 1)


def test_scalars_keep_their_yaml_types() -> None:
    data = parsed("a: 1\nb: 1.5\nc: true\nd: ~\ne: 2026-10-05\nf: '7'\ng: off\n").data
    assert data == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": dt.date(2026, 10, 5),
        "f": "7",
        "g": "off",
    }


#: What YAML 1.1 read as booleans: text in YAML 1.2.
YAML11_BOOLEANS = [v for w in ("yes", "no", "on", "off") for v in (w, w.title(), w.upper())]


@given(st.sampled_from(YAML11_BOOLEANS), st.booleans())
def test_yaml11_booleans_are_text_as_keys_and_values(word: str, as_key: bool) -> None:
    text = f"{word}: 1\n" if as_key else f"a: {word}\n"
    assert parsed(text).data == ({word: 1} if as_key else {"a": word})


@given(st.integers(0, 10**30), st.integers(1, 20), st.sampled_from(["", "-", "+"]))
def test_leading_zeros_leave_a_decimal_number(number: int, zeros: int, sign: str) -> None:
    value = parsed(f"a: {sign}{'0' * zeros}{number}\n").data["a"]
    assert type(value) is int
    assert value == (-number if sign == "-" else number)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1:30", "1:30"),
        ("1_000", "1_000"),
        ("0b11", "0b11"),
        ("1e3", 1000.0),
        ("-1E-3", -0.001),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.", 1.0),
        ("TRUE", True),
        ("NULL", None),
        ("=", "="),
        ("<<", "<<"),
        ("2026-11-26", dt.date(2026, 11, 26)),
        ("2026-11-26 10:00:00", dt.datetime(2026, 11, 26, 10)),
    ],
)
def test_plain_scalars_follow_the_yaml12_core_schema_with_dates(text: str, value: object) -> None:
    assert typed(parsed(f"a: {text}\n").data) == typed({"a": value})


def test_text_yaml11_read_as_a_number_is_text_however_long() -> None:
    """Base 60 (``1:1:1...``) took 5 s to read as a number under YAML 1.1."""
    text = "1" + ":1" * 100_000
    assert parsed(f"a: {text}\n").data == {"a": text}


def test_a_yaml11_boolean_and_its_quoted_text_are_the_same_key() -> None:
    assert parse('"no": 1\nno: 2\n')[1] == [
        "f.md:2:1: error: duplicate key 'no' (first at line 1) [duplicate-key]"
    ]


def test_an_impossible_date_stays_text_for_the_schema_to_report() -> None:
    assert parsed("due: 2026-02-30\n").data == {"due": "2026-02-30"}


def test_syntax_error_position_is_offset_by_the_first_line() -> None:
    document, problems = parse("title: x\n  bad: indent\n", first_line=2)
    assert document is None
    assert problems == [
        "f.md:3:6: error: YAML syntax error: mapping values are not allowed in this context [yaml]"
    ]


def test_duplicate_key_names_the_first() -> None:
    assert parse("a: 1\nb: 2\na: 3\n", first_line=2)[1] == [
        "f.md:4:1: error: duplicate key 'a' (first at line 2) [duplicate-key]"
    ]


def test_duplicate_key_of_another_type_names_the_first_equal_key() -> None:
    assert parse("1: a\nb: c\n1.0: d\n")[1] == [
        "f.md:3:1: error: duplicate key '1.0' (first at line 1) [duplicate-key]"
    ]


def test_duplicate_key_inside_a_list_item() -> None:
    assert parse("k:\n  - x: 1\n    x: 2\n")[1] == [
        "f.md:3:5: error: duplicate key 'x' (first at line 2) [duplicate-key]"
    ]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object:os.system {}\n", "tag:yaml.org,2002:python/object:os.system"),
        ("a: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
        ("a: !custom x\n", "!custom"),
        ("a: !!binary aGVsbG8=\n", "tag:yaml.org,2002:binary"),
        ("a: !!set {x}\n", "tag:yaml.org,2002:set"),
    ],
)
def test_tags_are_refused(text: str, tag: str) -> None:
    assert parse(text)[1] == [
        f"f.md:1:4: error: YAML tag {tag!r} is not allowed; use plain strings, numbers, "
        "booleans, dates, lists and mappings [yaml-tag]"
    ]


def test_merge_keys_are_refused() -> None:
    assert parse("a: &a {x: 1}\nb:\n  <<: *a\n")[1] == [
        "f.md:3:3: error: YAML merge keys (<<) are not supported [yaml-tag]"
    ]


def test_a_key_must_be_a_scalar() -> None:
    assert parse("? [a]\n: 1\n")[1] == ["f.md:1:3: error: a key must be a plain word [yaml]"]


def test_billion_laughs_stops_at_the_node_budget() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    document, problems = parse("\n".join(lines) + "\n")
    assert document is None
    assert len(problems) == 1
    assert problems[0].endswith(
        "error: YAML expands to more than 50000 values (an alias bomb?) [yaml-limit]"
    )


def test_small_aliases_are_fine() -> None:
    assert parsed("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}


def test_recursive_alias_stops_at_the_depth_limit() -> None:
    assert parse("a: &a [*a]\n")[1] == [
        f"f.md:1:4: error: YAML is nested more than {MAX_DEPTH} levels deep [yaml-limit]"
    ]


def test_deep_nesting_within_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    assert parsed("a: " + "[" * depth + "1" + "]" * depth + "\n").data is not None


@pytest.mark.parametrize(("opener", "closer"), [("[", "]"), ("{a: ", "}")])
def test_deep_nesting_is_refused_at_the_limit(opener: str, closer: str) -> None:
    text = "a: " + opener * 30 + "1" + closer * 30 + "\n"
    document, problems = parse(text, first_line=2)
    assert document is None
    assert len(problems) == 1
    assert problems[0].startswith("f.md:2:")
    assert problems[0].endswith(f"YAML is nested more than {MAX_DEPTH} levels deep [yaml-limit]")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_absurd_nesting_is_a_diagnostic_not_a_crash(depth: int) -> None:
    # composing this overflows the stack (libyaml's composer crashes the process)
    document, problems = parse("a: " + "[" * depth + "]" * depth + "\n", first_line=2)
    assert document is None
    assert problems == [
        f"f.md:2:{3 + MAX_DEPTH}: error: YAML is nested more than {MAX_DEPTH} levels deep "
        "[yaml-limit]"
    ]


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(" " * level + "- \n" for level in range(200))
    document, problems = parse(text)
    assert document is None
    assert [p.split(": ", 1)[1] for p in problems] == [
        f"error: YAML is nested more than {MAX_DEPTH} levels deep [yaml-limit]"
    ]


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_double_quoted_reads_back_as_the_same_text(text: str) -> None:
    """Any text, line separators and control characters included, on one line."""
    quoted = double_quoted(text)
    assert "\n" not in quoted
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        assert yaml.load(f"note: {quoted}\n", Loader=loader) == {"note": text}
        assert yaml.load(f"[{{note: {quoted}}}]", Loader=loader) == [{"note": text}]


def test_node_is_the_node_at_a_path_or_none() -> None:
    document = parsed("a:\n  - {b: 1}\n")
    node = document.node(("a", 0, "b"))
    assert isinstance(node, yaml.ScalarNode)
    assert (node.start_mark.line, node.start_mark.column) == (1, 8)
    assert document.node(("a", 1)) is None
    assert document.node(("x",)) is None


# Plain scalars, resolved and read by the builder ---------------------------------


def typed(value: object) -> object:
    """``value`` with the type of every part beside it: ``1``, ``1.0`` and ``True`` differ."""
    if isinstance(value, dict):
        return {typed(key): typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


SCALARS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(str),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "true",
            "TRUE",
            "null",
            "Null",
            "~",
            "2026-11-26",
            "1_000",
            "0x1F",
            "0o17",
            "012",
            "0b101",
            "+12",
            "1:20",
            "1e3",
            "1.0e+3",
            "-.5",
            ".inf",
            "2026-1-5",
            "2026-11-26T10:00:00Z",
            "2026-11-26t10:00:00.5",
        ]
    ),
    st.from_regex(r"[a-z][a-z0-9 ]{0,8}", fullmatch=True),
)


@given(st.lists(st.tuples(SCALARS, st.booleans()), min_size=1, max_size=12))
def test_remembered_tags_give_what_pyyaml_gives(items: list[tuple[str, bool]]) -> None:
    """Plain and quoted forms of the same text, in any order, twice over."""
    lines = [
        f"k{i}: {json.dumps(text) if quoted else text}" for i, (text, quoted) in enumerate(items)
    ]
    text = "\n".join(lines) + "\n"
    for _ in range(2):
        document = parse_yaml(text, "t.yaml", Diagnostics())
        assert document is not None
        assert typed(document.data) == typed(core_load(text))


def test_a_plain_key_and_value_read_as_the_core_schema_reads_them() -> None:
    text = "1: yes\nno: 2026-11-26\n0x10: [on, 1_000, '1']\n"
    assert typed(parsed(text).data) == typed(core_load(text))
    assert parsed(text).data == {1: "yes", "no": dt.date(2026, 11, 26), 16: ["on", "1_000", "1"]}


def test_the_remembered_tags_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlbuild, "MAX_RESOLVED", 10)
    monkeypatch.setattr(yamlbuild, "_resolved", {})
    text = "".join(f"k{i}: {i}.5\n" for i in range(40))
    document = parse_yaml(text, "t.yaml", Diagnostics())
    assert document is not None
    assert document.data == {f"k{i}": i + 0.5 for i in range(40)}
    assert len(yamlbuild._resolved) <= 10


# Bounds on what the text expands to ------------------------------------------------


@pytest.mark.parametrize(("filler", "problems"), [(7, []), (8, ["f.md:2:4"])])
def test_text_through_aliases_is_bounded_inclusively(filler: int, problems: list[str]) -> None:
    """Ten copies of 99,999 characters, the keys and a filler: exactly the limit, or one more
    (reported at the value the aliases repeat)."""
    text = f"m: {'f' * filler}\nk: &a {'x' * 99_999}\nl: [{', '.join(['*a'] * 9)}]\n"
    assert 3 + filler + 99_999 * 10 == yamlbuild.MAX_TEXT + len(problems)
    assert [problem.split(": ")[0] for problem in parse(text)[1]] == problems
    if problems:
        assert parse(text)[1][0].endswith(
            f"error: YAML expands to more than {yamlbuild.MAX_TEXT:,} characters of text "
            "(an alias bomb?) [yaml-limit]"
        )


def test_keys_count_towards_the_text_limit() -> None:
    text = f"k: &a {'x' * 200_000}\nl: [{', '.join(['{*a : 1}'] * 5)}]\n"
    assert parse(text)[1] == [
        "f.md:1:4: error: YAML expands to more than 1,000,000 characters of text "
        "(an alias bomb?) [yaml-limit]"
    ]


@pytest.mark.parametrize(
    "number",
    ["9" * 100, "-" + "9" * 99, "0x" + "f" * 98, "0o" + "7" * 98, "0" * 99 + "1"],
    ids=["decimal", "negative", "hex", "octal", "leading zeros"],
)
def test_a_whole_number_up_to_the_length_limit_reads_as_the_core_schema_reads_it(
    number: str,
) -> None:
    assert len(number) <= yamlbuild.MAX_INT_LENGTH
    assert parsed(f"a: {number}\n").data == core_load(f"a: {number}\n")


@pytest.mark.parametrize(
    "number",
    [
        "9" * 101,
        "-" + "9" * 5_000,  # more digits than Python turns into an int
        "0x" + "f" * 99,  # any number of hex digits would be read, but not printed
        "0o" + "7" * 99,
        '!!int "' + "9" * 101 + '"',
    ],
    ids=["decimal", "5,000 digits", "hex", "octal", "tagged"],
)
def test_a_longer_whole_number_is_refused(number: str) -> None:
    length = len(number.removeprefix('!!int "').removesuffix('"'))
    assert parse(f"a: {number}\n", first_line=2)[1] == [
        f"f.md:2:4: error: whole number is {length:,} characters long; the limit is "
        f"{yamlbuild.MAX_INT_LENGTH} (quote it if it is text) [yaml-limit]"
    ]


# Explicit tags ---------------------------------------------------------------------

#: The tags of plain scalars, which okrpub allows, and text that made their constructors
#: raise IndexError, KeyError or AttributeError.
PLAIN_TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp"]
JUNK = ["", "-", "+", ".", "_", "maybe", "junk", "0x", "0b_", "0o", "08", "1:", "2026-13-01"]


@given(
    st.sampled_from(PLAIN_TAGS),
    st.sampled_from(JUNK) | SCALARS | st.text("-+._:0123456789abeoxyTINF ", max_size=8),
)
def test_a_tagged_scalar_reads_as_the_core_schema_reads_it_or_is_refused(
    tag: str, text: str
) -> None:
    """Quoted, so that no text is a syntax error: with a tag, quotes change nothing."""
    source = f"a: {tag} {json.dumps(text)}\n"
    document, problems = parse(source)
    if document is None:
        assert len(problems) == 1
        assert problems[0].startswith("f.md:1:4: error: ")
    elif tag == "!!timestamp" and isinstance(document.data["a"], str):
        assert document.data["a"] == text  # an impossible date, for the schema to report
    else:
        assert typed(document.data) == typed(core_load(source))


@pytest.mark.parametrize(
    "value",
    [
        '!!int ""',
        '!!float ""',
        '!!int "-"',
        "!!bool maybe",
        "!!timestamp junk",
        "!!null x",
        "!!bool yes",  # text in YAML 1.2
        "!!int 1:30",
        "!!int 1_000",
        "!!int 0b11",
    ],
)
def test_a_tag_must_fit_its_text(value: str) -> None:
    tag = value.split()[0].replace("!!", "tag:yaml.org,2002:")
    assert parse(f"a: {value}\n")[1] == [
        f"f.md:1:4: error: YAML tag {tag!r} does not fit this value; remove the tag [yaml-tag]"
    ]


def test_a_tag_that_fits_reads_as_without_it() -> None:
    text = (
        'a: !!int "12"\nb: !!float 1.5\nc: !!bool "TRUE"\nd: !!null ""\ne: !!timestamp 2026-11-26\n'
        'f: !!int "010"\ng: !!float 1e3\n'
    )
    assert typed(parsed(text).data) == typed(
        {"a": 12, "b": 1.5, "c": True, "d": None, "e": dt.date(2026, 11, 26), "f": 10, "g": 1e3}
    )
