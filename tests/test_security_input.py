"""Hostile files get a diagnostic, never a crash (docs/format.md §14, docs/security.md).

Ids and file names that try to leave the output folder are errors; every
documented size limit is an error with a clear message; and a build stops
at them, writing nothing.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from projecttools import BASE, objective
from sitetools import TODAY, build, md, run_okrpub, write_files

from okrpub.source.checks import MAX_NUMBER, MAX_WEIGHT
from okrpub.source.frontmatter import MAX_BODY_BYTES, MAX_FILE_BYTES, MAX_FRONT_MATTER_BYTES
from okrpub.source.schema import MAX_CHECKINS, MAX_KEY_RESULTS
from okrpub.source.yamlbuild import MAX_DEPTH, MAX_INT_LENGTH, MAX_NODES, MAX_TEXT

BAD = "content/2026-Q4/sales/bad.md"


def _checkins(count: int) -> str:
    return "".join(f"\n      - {{date: 2026-11-{1 + i % 28:02d}, value: 1}}" for i in range(count))


def _key_results(count: int) -> str:
    return "".join(f"\n  - {{title: KR {i}, target: 10, start: 0}}" for i in range(count))


# -- size limits -----------------------------------------------------------------------------

BIG_FILE = objective("title: Big\nowner: sales") + "x" * MAX_FILE_BYTES

LIMITS = {
    "file size": (
        {BAD: BIG_FILE},
        f"{BAD}:1:1: error: file is {len(BIG_FILE):,} bytes; the limit is "
        f"{MAX_FILE_BYTES:,} [file-size]",
    ),
    "front matter size": (
        {BAD: md("title: Big\nowner: sales\nnote: " + "x" * MAX_FRONT_MATTER_BYTES)},
        f"{BAD}:2:1: error: front matter is {MAX_FRONT_MATTER_BYTES + 31:,} bytes; "
        f"the limit is {MAX_FRONT_MATTER_BYTES:,} [limit]",
    ),
    "body size": (
        {BAD: objective("title: Big\nowner: sales", 1) + "y" * (MAX_BODY_BYTES + 1)},
        f"{BAD}:10:1: error: body is {MAX_BODY_BYTES + 1:,} bytes; the limit is "
        f"{MAX_BODY_BYTES:,} [limit]",
    ),
    "body size of a unit": (
        {"content/units/big.md": md("name: Big\nkind: team\nparent: acme", "z" * 200_000)},
        f"content/units/big.md:6:1: error: body is 200,000 bytes; the limit is "
        f"{MAX_BODY_BYTES:,} [limit]",
    ),
    "body size of a free page": (
        {"content/pages/big.md": md("title: Big", "p\n" * 60_000)},
        f"content/pages/big.md:4:1: error: body is 120,000 bytes; the limit is "
        f"{MAX_BODY_BYTES:,} [limit]",
    ),
    "key results": (
        {BAD: "---\ntitle: Many\nowner: sales\nkey_results:" + _key_results(21) + "\n---\n"},
        f"{BAD}:5:3: error: objective has {MAX_KEY_RESULTS + 1} key results; "
        f"the limit is {MAX_KEY_RESULTS} [limit]",
    ),
    "check-ins": (
        {
            BAD: "---\ntitle: Many\nowner: sales\nkey_results:\n"
            "  - title: KR\n    start: 0\n    target: 10\n"
            "    checkins:" + _checkins(MAX_CHECKINS + 1) + "\n---\n"
        },
        f"{BAD}:9:7: error: key_results[0].checkins has {MAX_CHECKINS + 1} check-ins; "
        f"the limit is {MAX_CHECKINS} [limit]",
    ),
    "nesting": (
        {BAD: "---\ntitle: Deep\ntags: " + "[" * 30 + "]" * 30 + "\n---\n"},
        f"{BAD}:3:{7 + MAX_DEPTH - 1}: error: YAML is nested more than {MAX_DEPTH} levels deep "
        "[yaml-limit]",
    ),
    "nesting, thousands deep": (
        {BAD: "---\ntitle: Deep\ntags: " + "[" * 50_000 + "]" * 50_000 + "\n---\n"},
        f"{BAD}:3:{7 + MAX_DEPTH - 1}: error: YAML is nested more than {MAX_DEPTH} levels deep "
        "[yaml-limit]",
    ),
    "alias expansion": (
        {
            BAD: "---\ntitle: Bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n"
                for p, n in zip("abcde", "bcdef", strict=True)
            )
            + "---\n"
        },
        f"{BAD}:3:29: error: YAML expands to more than {MAX_NODES} values (an alias bomb?) "
        "[yaml-limit]",
    ),
    "alias text expansion": (
        # 140 KB that expanded to 1 GB of tags: a build took 33 s and 3.9 GB, and wrote 2.8 GB
        {
            BAD: "---\ntitle: &t "
            + "x" * 100_000
            + "\nowner: sales\ntags: ["
            + ", ".join(["*t"] * 10_000)
            + "]\n---\n"
        },
        f"{BAD}:2:8: error: YAML expands to more than {MAX_TEXT:,} characters of text "
        "(an alias bomb?) [yaml-limit]",
    ),
    "long whole number": (
        {BAD: objective("title: Big\nowner: sales\nperiod: 0x" + "f" * 200_000)},
        f"{BAD}:4:9: error: whole number is 200,002 characters long; the limit is "
        f"{MAX_INT_LENGTH} (quote it if it is text) [yaml-limit]",
    ),
    "python tag": (
        {BAD: "---\ntitle: !!python/name:os.system x\n---\n"},
        f"{BAD}:2:8: error: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not "
        "allowed; use plain strings, numbers, booleans, dates, lists and mappings [yaml-tag]",
    ),
    "merge key": (
        {BAD: "---\nbase: &b {title: X}\n<<: *b\n---\n"},
        f"{BAD}:3:1: error: YAML merge keys (<<) are not supported [yaml-tag]",
    ),
}


@pytest.mark.parametrize("case", sorted(LIMITS))
def test_each_limit_is_an_error(check_files, case: str) -> None:
    files, expected = LIMITS[case]
    result = check_files(files)
    assert result.code == 1
    assert expected in result.lines, result.lines


def test_limits_are_inclusive(check_files) -> None:
    """Exactly at each limit is fine."""
    front = "title: Fits\nowner: sales\nkey_results:" + _key_results(MAX_KEY_RESULTS)
    body = "b" * MAX_BODY_BYTES
    result = check_files({BAD: "---\n" + front + "\n---\n" + body})
    assert not [line for line in result.lines if "[limit]" in line]
    result = check_files(
        {
            BAD: "---\ntitle: Fits\nowner: sales\nkey_results:\n"
            "  - title: KR\n    start: 0\n    target: 10\n"
            "    checkins:" + _checkins(MAX_CHECKINS) + "\n---\n"
        }
    )
    assert not [line for line in result.lines if "[limit]" in line]


def test_a_build_stops_at_a_limit(make_project, tmp_path: Path) -> None:
    project = make_project({BAD: objective("title: Big\nowner: sales", 1) + "y" * 200_000})
    out = tmp_path / "site"
    result = build(project, out)
    assert result.code == 1
    assert "body is 200,000 bytes" in result.out
    assert not out.exists()


def _aliased_title(size: int, key_results: int) -> str:
    """An objective whose title of ``size`` characters each key result repeats by an alias."""
    return (
        f"---\ntitle: &t {'x' * size}\nowner: sales\nkey_results:\n"
        + "  - {title: *t, target: 10, start: 0}\n" * key_results
        + "---\n"
    )


def test_a_build_stops_at_the_alias_text_limit(make_project, tmp_path: Path) -> None:
    project = make_project({BAD: _aliased_title(100_000, 12)})  # 1.3 million characters
    out = tmp_path / "site"
    result = build(project, out)
    assert result.code == 1
    assert (
        f"{BAD}:2:8: error: YAML expands to more than {MAX_TEXT:,} characters of text "
        "(an alias bomb?) [yaml-limit]"
    ) in result.out.splitlines()
    assert not out.exists()


def test_aliases_within_the_text_limit_are_fine(check_files) -> None:
    ordinary = md(
        """
        title: &title Grow the business
        owner: sales
        parent: grow
        key_results:
          - title: *title
            target: 10
            start: 0
            checkins:
              - &checkin {date: 2026-11-24, value: 9, note: &note On track.}
          - {title: Second, target: 10, checkins: [*checkin], start: 0}
          - {title: Third, start: 0, target: 10,
             checkins: [{date: 2026-11-24, value: 9, note: *note}]}
        """
    )
    result = check_files({BAD: ordinary})
    assert (result.code, result.out) == (0, "")
    result = check_files({BAD: _aliased_title(99_000, 9)})  # 990,000 characters and the keys
    assert result.code == 0
    assert not [line for line in result.lines if "error" in line]


# -- numbers and tags: a diagnostic or a valid result, never a traceback ----------------------

#: Each numeric field of a key result, as a line of it with the number for ``{}``.
NUMBER_FIELDS = {
    "target": "    target: {}",
    "start": "    start: {}",
    "current": "    current: {}",
    "weight": "    weight: {}",
    "check-in value": "    checkins: [{{date: 2026-11-24, value: {}}}]",
}


def _with_number(field: str, number: str) -> tuple[str, str]:
    """An objective with ``number`` (or any value) in ``field`` of its first key result
    (target 0.5, which no whole number equals), and where it stands (``path:line:col``)."""
    line = NUMBER_FIELDS[field].format(number)
    lines = ["---", "title: Big", "owner: sales", "parent: grow", "key_results:", "  - title: K"]
    lines += [line] if field == "target" else ["    target: 0.5", line]
    where = f"{BAD}:{len(lines)}:{line.rindex(number) + 1}"
    if field != "start":
        lines.append("    start: 0")
    lines += [
        "  - {title: L, target: 10, start: 0}",
        "  - {title: M, target: 10, start: 0}",
        "---",
        "",
    ]
    return "\n".join(lines), where


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project, in which each example writes its own ``BAD`` file."""
    return write_files(tmp_path_factory.mktemp("numbers"), BASE)


def _fits(field: str, number: str) -> bool:
    """Whether ``number`` is a valid value of ``field`` (with target 0.5 and start 0)."""
    if len(number) > MAX_INT_LENGTH:
        return False
    value = int(number)
    if field == "weight":
        return 0 < value <= MAX_WEIGHT
    return abs(value) <= MAX_NUMBER and not (field == "target" and value == 0)


def _check_and_build(project: Path, text: str) -> tuple[int, list[str]]:
    """``okrpub check`` and ``okrpub build`` on ``project`` with ``text`` as ``BAD``: the exit
    status (the same for both) and the errors. A failed build writes nothing."""
    (project / BAD).write_text(text, encoding="utf-8")
    checked = run_okrpub(project, "check", "--today", TODAY)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "site"
        built = build(project, out)
        assert built.code == checked.code
        if built.code == 0:
            json.loads((out / "api" / "okrs.json").read_text(encoding="utf-8"))
        else:
            assert not out.exists()
    return checked.code, [line for line in checked.out.splitlines() if ": error: " in line]


@st.composite
def whole_numbers(draw: st.DrawFn) -> str:
    """The text of a whole number of 1 to 5,000 digits, either sign."""
    length = draw(st.integers(1, 5_000))
    head = draw(st.sampled_from("123456789")) + draw(st.text("0123456789", max_size=20))
    return draw(st.sampled_from(["", "-"])) + (head + "7" * length)[:length]


@settings(max_examples=20, deadline=None)
@given(field=st.sampled_from(sorted(NUMBER_FIELDS)), number=whole_numbers())
@example(field="target", number="9" * 400)  # overflowed a float: a traceback
@example(field="weight", number="9" * 5_000)  # more digits than Python converts
@example(field="check-in value", number="-" + "9" * 309)
@example(field="current", number="9" * MAX_INT_LENGTH)
@example(field="start", number="-" + "9" * (MAX_INT_LENGTH - 1))
@example(field="weight", number=str(MAX_WEIGHT))
def test_any_whole_number_in_a_numeric_field(base_project: Path, field: str, number: str) -> None:
    text, where = _with_number(field, number)
    code, errors = _check_and_build(base_project, text)
    assert code == (0 if _fits(field, number) else 1), errors
    assert all(line.startswith(f"{where}: error: ") for line in errors), errors


#: The scalar tags okrpub allows, and text their constructors once failed on with an
#: exception of their own (IndexError, KeyError, AttributeError).
TAGS = ["!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!str"]
JUNK = ["", "-", "+", ".", "_", "maybe", "junk", "0x", "0b_", "1:", "08", "0o", "2026-13-01"]


@settings(max_examples=40, deadline=None)
@given(
    tag=st.sampled_from(TAGS),
    value=st.sampled_from(JUNK) | st.text("-+._:0123456789abeoxyTINF ", max_size=8),
)
@example(tag="!!int", value="")
@example(tag="!!float", value="")
@example(tag="!!int", value="-")
@example(tag="!!bool", value="maybe")
@example(tag="!!timestamp", value="junk")
def test_any_tagged_value(base_project: Path, tag: str, value: str) -> None:
    """A tag and a value in ``target``: a valid target or an error there, never a traceback.

    The value is quoted, which only keeps it from being a syntax error: with a tag, a
    quoted value is read as the same plain one is.
    """
    text, where = _with_number("target", f"{tag} {json.dumps(value)}")
    code, errors = _check_and_build(base_project, text)
    assert code == (1 if errors else 0)
    assert all(line.startswith(f"{where}: error: ") for line in errors), errors


@pytest.mark.parametrize(
    "value", ['!!int ""', '!!float ""', '!!int "-"', "!!bool maybe", "!!timestamp junk"]
)
def test_a_tag_that_does_not_fit_its_value_is_an_error(check_files, value: str) -> None:
    tag = value.split()[0].replace("!!", "tag:yaml.org,2002:")
    result = check_files({BAD: _with_number("target", value)[0]})
    assert result.code == 1
    assert result.lines == [
        f"{BAD}:7:13: error: YAML tag {tag!r} does not fit this value; remove the tag [yaml-tag]"
    ]


def test_a_tag_that_fits_its_value_is_read_as_without_it(check_files) -> None:
    result = check_files({BAD: _with_number("target", '!!int "12"')[0]})
    assert result.code == 0
    assert not [line for line in result.lines if ": error: " in line]


# -- ids and file names stay inside the output folder -----------------------------------------

ESCAPING_IDS = {
    "objective id": {BAD: objective("title: X\nowner: sales\nid: ../../x")},
    "objective id, absolute": {BAD: objective("title: X\nowner: sales\nid: /tmp/x")},
    "objective id, dot dot": {BAD: objective("title: X\nowner: sales\nid: '..'")},
    "objective id, backslashes": {BAD: objective("title: X\nowner: sales\nid: '..\\..\\x'")},
    "objective id, full-width dots": {BAD: objective("title: X\nowner: sales\nid: x\uff0e\uff0e")},
    "objective file name": {"content/2026-Q4/sales/a..b.md": objective("title: X\nowner: sales")},
    "objective file name with a space": {
        "content/2026-Q4/sales/a b.md": objective("title: X\nowner: sales")
    },
    "unit file name": {"content/units/x..y.md": md("name: X\nkind: team\nparent: acme")},
    "page file name": {"content/pages/about..us.md": md("title: About")},
    "key result id": {
        BAD: "---\ntitle: X\nowner: sales\n"
        "key_results: [{id: ../x, title: K, target: 1, start: 0}]\n---\n"
    },
    "owner": {BAD: objective("title: X\nowner: ../sales")},
    "parent": {BAD: objective("title: X\nowner: sales\nparent: ../grow")},
    "unit parent": {"content/units/x.md": md("name: X\nkind: team\nparent: ../acme")},
}


@pytest.mark.parametrize("case", sorted(ESCAPING_IDS))
def test_ids_that_leave_the_output_folder_are_errors(
    check_files, make_project, tmp_path: Path, case: str
) -> None:
    result = check_files(ESCAPING_IDS[case])
    assert result.code == 1
    assert any(line.endswith("[bad-id]") for line in result.lines), result.lines
    out = tmp_path / "out" / "site"
    assert build(make_project(ESCAPING_IDS[case]), out).code == 1
    assert not (tmp_path / "out").exists()  # nothing written, in the site or beside it
    assert not (tmp_path / "x").exists()


def test_a_custom_period_id_that_leaves_the_folder_is_a_configuration_error(
    check_files,
) -> None:
    config = "periods:\n  ../x: {start: 2026-01-01, end: 2026-03-31}\n"
    result = check_files({"okrpub.yaml": config})
    assert result.code == 2
    assert "okrpub.yaml:2:3: error: period id '../x' must be letters, digits and '-' [bad-id]" in (
        result.lines
    )


@pytest.mark.parametrize(
    ("key", "value", "example"),
    [
        ("output_dir", "/tmp/elsewhere", "site"),
        ("output_dir", "../../home", "site"),
        ("theme", "/etc", "theme"),
        ("theme", "../other-project/theme", "theme"),
    ],
)
def test_configuration_cannot_point_outside_the_project(
    check_files, key: str, value: str, example: str
) -> None:
    """``okrpub.yaml`` may come from a pull request: it cannot make a build replace or
    read a folder outside the project."""
    result = check_files({"okrpub.yaml": f"{key}: {value}\n"})
    assert result.code == 2
    assert result.lines == [
        f"okrpub.yaml:1:{len(key) + 3}: error: {key} must be a folder inside the project, "
        f"such as '{example}', got '{value}' [schema]"
    ]
