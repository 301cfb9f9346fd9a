"""``okrpub new objective`` and ``okrpub new unit``: files where ``check`` finds them, with
placeholders that ``check`` reports (rule ``placeholder``) until they are filled in."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from sitetools import md, run_okrpub

from okrpub.edit.new import slugify

NEW = "content/2026-Q4/sales/call-every-customer-twice.md"
TITLE = '"<FILL IN: a result you can measure>"'
TARGET = '"<FILL IN: a number>"'
START = '"<FILL IN: the number when the period begins>"'
WHY = "<FILL IN: why this objective matters>"

NEW_TEXT = f"""\
---
title: "Call every customer: \\"twice\\""
owner: sales
period: 2026-Q4
parent: grow#revenue
type: committed
# Each key result has a start and a target, or done: false if it is yes or no.
key_results:
  - title: {TITLE}
    start: {START}
    target: {TARGET}
  - title: {TITLE}
    start: {START}
    target: {TARGET}
  - title: {TITLE}
    start: {START}
    target: {TARGET}
---
{WHY}
"""


@pytest.fixture
def project(make_project, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return make_project()


def new_objective(project: Path, *args: str) -> object:
    return run_okrpub(project, "new", "objective", *args)


def test_new_objective_writes_the_file_and_names_each_placeholder(project: Path, check) -> None:
    result = new_objective(
        project,
        *("--owner", "sales", "--period", "2026-q4", "--parent", "grow#revenue"),
        *("--type", "committed", 'Call every customer: "twice"'),
    )
    assert result.code == 0, result.err
    assert (project / NEW).read_text() == NEW_TEXT
    placed = [f"{NEW}:{line}:{column}" for line, column in PLACEHOLDERS]
    assert result.out.splitlines()[:2] == [
        f"created {NEW}",
        "fill in these placeholders, then run 'okrpub check':",
    ]
    assert [line.split(": ")[0].strip() for line in result.out.splitlines()[2:]] == placed
    checked = check(project)
    assert checked.code == 1
    assert [line.split(": error: ")[0] for line in checked.lines] == placed
    assert all(line.endswith("[placeholder]") for line in checked.lines)
    assert checked.lines[0] == (
        f"{NEW}:9:12: error: key_results[0].title is still a placeholder: replace "
        "'<FILL IN: a result you can measure>' [placeholder]"
    )
    assert checked.lines[-1] == (
        f"{NEW}:19:1: error: the text below the front matter is still a placeholder: "
        f"replace '{WHY}' [placeholder]"
    )


#: Where the placeholders of ``NEW_TEXT`` stand: (line, column).
PLACEHOLDERS = [
    *(
        (line, column)
        for kr in (9, 12, 15)
        for line, column in ((kr, 12), (kr + 1, 12), (kr + 2, 13))
    ),
    (19, 1),
]


def test_the_new_objective_passes_check_once_filled_in(project: Path, check) -> None:
    assert new_objective(project, "--owner", "sales", "--period", "2026-Q4", "Calls").code == 0
    text = (project / "content/2026-Q4/sales/calls.md").read_text()
    for number in range(3):
        text = (
            text.replace(TITLE, f"Result {number}", 1)
            .replace(START, "0", 1)
            .replace(TARGET, "10", 1)
        )
    (project / "content/2026-Q4/sales/calls.md").write_text(text.replace(WHY, "Because."))
    result = check(project)
    assert result.code == 0
    assert "error" not in result.out


def test_each_check_in_on_a_new_objective_only_adds_lines(project: Path) -> None:
    """No ``checkins: []`` to rewrite: the first check-in adds ``checkins:`` and its own
    line, each later one its own line."""
    assert new_objective(project, "--owner", "sales", "--period", "2026-Q4", "Calls").code == 0
    file = project / "content/2026-Q4/sales/calls.md"
    text = file.read_text()
    for number in range(3):
        text = (
            text.replace(TITLE, f"Result {number}", 1)
            .replace(START, "0", 1)
            .replace(TARGET, "10", 1)
        )
    file.write_text(text.replace(WHY, "Because."))
    diffs = []
    for date in ("2026-11-02", "2026-11-09", "2026-11-16"):
        before = file.read_text()
        assert run_okrpub(project, "checkin", "calls#kr2", "4", "--date", date).code == 0
        lines = difflib.unified_diff(before.splitlines(), file.read_text().splitlines(), n=0)
        diffs.append([line for line in lines if line[:1] in "+-"][2:])
    assert diffs == [
        ["+    checkins:", "+      - {date: 2026-11-02, value: 4}"],
        ["+      - {date: 2026-11-09, value: 4}"],
        ["+      - {date: 2026-11-16, value: 4}"],
    ]


def test_a_title_without_letters_needs_an_id(project: Path) -> None:
    args = ("--owner", "sales", "--period", "2026-Q4")
    result = new_objective(project, *args, "€€€")
    assert (result.code, result.err) == (
        2,
        "okrpub: error: cannot make an id from the title '€€€'; give one with --id\n",
    )
    assert new_objective(project, *args, "--id", "euros", "€€€").code == 0
    assert (project / "content/2026-Q4/sales/euros.md").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--owner", "sals"), "unknown owner 'sals'; did you mean 'sales'?"),
        (("--period", "2026-Q44"), "unknown period '2026-Q44'; did you mean '2026-Q4'?"),
        (("--parent", "grwo"), "unknown parent objective 'grwo'; did you mean 'grow'?"),
        (
            ("--parent", "grow#revenu"),
            "objective 'grow' has no key result 'revenu'; did you mean 'revenue'? "
            "(it has: revenue, customers, launch)",
        ),
        (("--id", "more-leads"), "objective id 'more-leads' is taken; choose another with --id"),
        (("--id", "Bad Id"), "--id must be lower-case letters, digits and '-', got 'Bad Id'"),
    ],
)
def test_new_objective_refusals_write_nothing(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    defaults = {"--owner": "sales", "--period": "2026-Q4"}
    options = dict(zip(args[::2], args[1::2], strict=True))
    argv = [item for pair in {**defaults, **options}.items() for item in pair]
    before = content_files(project)
    result = new_objective(project, *argv, "T")
    assert (result.code, result.err) == (2, f"okrpub: error: {message}\n")
    assert content_files(project) == before


def test_new_objective_refuses_to_overwrite(project: Path) -> None:
    """An id taken by a file with errors (so unknown to the analysis) is still taken."""
    path = project / "content/2026-Q4/sales/broken.md"
    path.write_text("not front matter\n")
    result = new_objective(project, "--owner", "sales", "--period", "2026-Q4", "Broken")
    assert result.code == 2
    assert result.err == "okrpub: error: objective id 'broken' is taken; choose another with --id\n"
    assert path.read_text() == "not front matter\n"


def test_new_objective_never_overwrites_a_file(project: Path) -> None:
    """``readme.md`` is no objective (check ignores it), but it is a file all the same."""
    path = project / "content/2026-Q4/sales/readme.md"
    path.write_text("About sales.\n")
    result = new_objective(project, "--owner", "sales", "--period", "2026-Q4", "Readme")
    assert result.code == 2
    assert result.err == ("okrpub: error: refusing to overwrite content/2026-Q4/sales/readme.md\n")
    assert path.read_text() == "About sales.\n"


def test_new_unit_writes_a_unit_file(project: Path, check) -> None:
    result = run_okrpub(
        project, "new", "unit", "support", "Support", "--kind", "team", "--parent", "acme"
    )
    assert result.code == 0, result.err
    path = "content/units/support.md"
    body = "<FILL IN: what this team does, in a sentence or two>"
    assert (project / path).read_text() == (
        f'---\nname: "Support"\nkind: team\nparent: acme\n---\n{body}\n'
    )
    assert result.out.splitlines()[2] == (
        f"  {path}:6:1: the text below the front matter is still a placeholder: replace '{body}'"
    )
    assert check(project).code == 1
    (project / path).write_text((project / path).read_text().replace(body, "We help."))
    assert check(project).code == 0


def test_new_person_with_a_lead_and_a_company(project: Path, check) -> None:
    assert (
        run_okrpub(
            project, "new", "unit", "kim", "Kim", "--kind", "person", "--parent", "sales"
        ).code
        == 0
    )
    result = run_okrpub(
        project,
        "new",
        "unit",
        "north",
        "North",
        "--kind",
        "team",
        "--parent",
        "acme",
        "--lead",
        "kim",
    )
    assert result.code == 0, result.err
    assert "lead: kim\n" in (project / "content/units/north.md").read_text()
    assert run_okrpub(project, "new", "unit", "holding", "Holding", "--kind", "company").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("jo", "Jo", "--kind", "person", "--parent", "sales"), "unit id 'jo' is taken"),
        (("Kim", "Kim", "--kind", "person", "--parent", "sales"), "unit id must be lower-case"),
        (("kim", "Kim", "--kind", "person"), "a person unit needs --parent"),
        (
            ("kim", "Kim", "--kind", "person", "--parent", "sale"),
            "unknown parent unit 'sale'; did you mean 'sales'?",
        ),
        (("kim", "Kim", "--kind", "person", "--parent", "jo"), "--parent 'jo' is a person"),
        (("kim", "Kim", "--kind", "company", "--parent", "acme"), "a company unit has no --parent"),
        (
            ("kim", "Kim", "--kind", "team", "--parent", "acme", "--lead", "sales"),
            "--lead 'sales' is a team, not a person",
        ),
        (
            ("kim", "Kim", "--kind", "team", "--parent", "acme", "--lead", "joe"),
            "unknown lead 'joe'; did you mean 'jo'?",
        ),
        (("kim", " ", "--kind", "team", "--parent", "acme"), "the name must not be empty"),
    ],
)
def test_new_unit_refusals_write_nothing(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    before = content_files(project)
    result = run_okrpub(project, "new", "unit", *args)
    assert result.code == 2
    assert result.err.startswith(f"okrpub: error: {message}")
    assert content_files(project) == before


def test_ids_that_yaml_would_read_as_something_else_are_quoted(make_project, check) -> None:
    """A unit called ``1e3`` (a number in YAML 1.2, not in 1.1) and a year as the period;
    ``no`` (false in YAML 1.1) is text to okrpub, so it stays plain."""
    project = make_project(
        {
            "content/units/1e3.md": md("name: Thousand\nkind: team\nparent: acme\n"),
            "content/units/no.md": md("name: Norway\nkind: team\nparent: acme\n"),
        }
    )
    result = new_objective(project, "--owner", "1e3", "--period", "2026", "--id", "fjords", "F")
    assert result.code == 0, result.err
    text = (project / "content/2026/1e3/fjords.md").read_text()
    assert 'owner: "1e3"\nperiod: "2026"\n' in text
    result = new_objective(project, "--owner", "no", "--period", "2026-Q4", "--id", "oslo", "O")
    assert result.code == 0, result.err
    assert "owner: no\n" in (project / "content/2026-Q4/no/oslo.md").read_text()
    errors = [line for line in check(project).lines if ": error: " in line]
    assert len(errors) == 20  # the placeholders of both, and nothing about owner or period
    assert all(line.endswith("[placeholder]") for line in errors)


def test_a_placeholder_anywhere_is_an_error_where_it_stands(check_files) -> None:
    """Also in a key that takes a number: the placeholder is reported, not a wrong type."""
    result = check_files(
        {
            "content/units/jo.md": md(
                """
                name: "<FILL IN: your name>"
                kind: person
                parent: sales
                """,
                "Hello.\n\nSee <FILL IN: a link>.\n",
            )
        }
    )
    assert result.lines == [
        "content/units/jo.md:2:7: error: name is still a placeholder: "
        "replace '<FILL IN: your name>' [placeholder]",
        "content/units/jo.md:8:5: error: the text below the front matter is still a placeholder: "
        "replace '<FILL IN: a link>' [placeholder]",
    ]
    assert result.code == 1


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Grow to €1 million!", "grow-to-1-million"),
        ("Café Crème", "cafe-creme"),
        ("A " + "long " * 20, "a" + "-long" * 9),  # at most 50 characters, whole words
        ("€", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def content_files(project: Path) -> list[Path]:
    """What the project holds besides okrpub's own cache folder (which analysing fills)."""
    return sorted(path for path in project.rglob("*") if ".okrpub-cache" not in path.parts)


# -- symbolic links ----------------------------------------------------------------------


def test_new_objective_never_writes_through_a_folder_link_to_outside(project: Path) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (project / "content/2026-Q3").symlink_to(outside, target_is_directory=True)
    result = new_objective(project, "--owner", "sales", "--period", "2026-Q3", "Planted")
    assert result.code == 2
    assert result.err == (
        "okrpub: error: refusing to write content/2026-Q3/sales/planted.md: content/2026-Q3 "
        "is a symbolic link to outside the project; okrpub does not follow it\n"
    )
    assert list(outside.iterdir()) == []


def test_new_unit_never_writes_through_a_folder_link_to_outside(project: Path) -> None:
    outside = project.parent / "outside"
    (project / "content/units").rename(outside)
    (project / "content/units").symlink_to(outside, target_is_directory=True)
    before = sorted(outside.iterdir())
    result = run_okrpub(project, "new", "unit", "bigco", "Big Co", "--kind", "company")
    assert result.code == 2
    assert result.err == (
        "okrpub: error: refusing to write content/units/bigco.md: content/units is a symbolic "
        "link to outside the project; okrpub does not follow it\n"
    )
    assert sorted(outside.iterdir()) == before


def test_new_unit_never_writes_through_a_file_name_that_is_a_link(project: Path) -> None:
    """Even a link to nothing yet: ``new`` makes a file, never one that a link names."""
    outside = project.parent / "outside"
    outside.mkdir()
    (project / "content/units/kim.md").symlink_to(outside / "planted.md")
    result = run_okrpub(project, "new", "unit", "kim", "Kim", "--kind", "company")
    assert result.code == 2
    assert result.err == "okrpub: error: refusing to overwrite content/units/kim.md\n"
    assert list(outside.iterdir()) == []


def test_new_objective_follows_a_folder_link_inside_the_project(project: Path) -> None:
    """As ``check`` follows it, so does ``new``."""
    (project / "q3").mkdir()
    (project / "content/2026-Q3").symlink_to(project / "q3", target_is_directory=True)
    result = new_objective(project, "--owner", "sales", "--period", "2026-Q3", "Inside")
    assert result.code == 0, result.err
    assert (project / "q3/sales/inside.md").is_file()
