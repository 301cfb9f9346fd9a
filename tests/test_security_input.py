"""Hostile files get a diagnostic, never a crash (docs/format.md §14, docs/security.md).

Ids and file names that try to leave the output folder are errors; every
documented size limit is an error with a clear message; and a build stops
at them, writing nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from projecttools import objective
from sitetools import build, md

from okrpub.frontmatter import MAX_BODY_BYTES, MAX_FILE_BYTES, MAX_FRONT_MATTER_BYTES
from okrpub.load import MAX_CHECKINS, MAX_KEY_RESULTS
from okrpub.yamldoc import MAX_DEPTH, MAX_NODES

BAD = "content/2026-Q4/sales/bad.md"


def _checkins(count: int) -> str:
    return "".join(f"\n      - {{date: 2026-11-{1 + i % 28:02d}, value: 1}}" for i in range(count))


def _key_results(count: int) -> str:
    return "".join(f"\n  - {{title: KR {i}, target: 10}}" for i in range(count))


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
        f"{BAD}:9:1: error: body is {MAX_BODY_BYTES + 1:,} bytes; the limit is "
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
            BAD: "---\ntitle: Many\nowner: sales\nkey_results:\n  - title: KR\n    target: 10\n"
            "    checkins:" + _checkins(MAX_CHECKINS + 1) + "\n---\n"
        },
        f"{BAD}:8:7: error: key_results[0].checkins has {MAX_CHECKINS + 1} check-ins; "
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
            BAD: "---\ntitle: Fits\nowner: sales\nkey_results:\n  - title: KR\n    target: 10\n"
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
        BAD: "---\ntitle: X\nowner: sales\nkey_results: [{id: ../x, title: K, target: 1}]\n---\n"
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
