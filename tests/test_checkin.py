"""``okrpub checkin``: a check-in is added and every other byte of the file stays as it was.

The byte-for-byte tests write the whole expected file out, so a failure shows
the diff. The property test varies the formatting and the note and asserts
that the only change is one inserted piece of text that reads back as the
old data plus the check-in.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from projecttools import BASE
from sitetools import TODAY, run_okrpub, write_files

ODD = "content/2026-Q4/sales/odd.md"

#: Comments, quoting, blank lines, a sequence that is not indented, a folded note,
#: an empty flow list, a key result with no ``checkins`` last in the front matter.
ODD_TEXT = """\
---
# The sales team's main objective.
title: 'Sell more'   # single-quoted
owner: sales
parent: grow#revenue
key_results:
- id: calls   # not indented
  title: "Make calls"
  target: 50
  start: 0

  checkins:
  - date: 2026-11-16
    value: 20   # first week
    note: >-
      A folded
      note.
  # the next one came late
- id: meetings
  title: Meetings
  target: 10
  start: 0
  checkins: []
- id: hire
  title: Hire an SDR
  done: false
---
Body **text**.

---
Not front matter.
"""


@pytest.fixture
def odd(make_project, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return make_project({ODD: ODD_TEXT})


def run(project: Path, *args: str) -> Any:
    return run_okrpub(project, "checkin", "--today", TODAY, *args)


def test_block_list_gets_a_block_item_before_the_comment_that_follows_it(odd: Path) -> None:
    result = run(odd, "odd#calls", "30", "--confidence", "0.8", "--note", "Calls: up # again")
    assert result.code == 0, result.err
    assert result.out == (
        f"{ODD}:18: added "
        '{date: 2026-11-26, value: 30, confidence: 0.8, note: "Calls: up # again"}\n'
    )
    assert (odd / ODD).read_text() == ODD_TEXT.replace(
        "      note.\n",
        "      note.\n"
        "  - date: 2026-11-26\n"
        "    value: 30\n"
        "    confidence: 0.8\n"
        '    note: "Calls: up # again"\n',
    )


def test_an_empty_flow_list_becomes_a_block_list(odd: Path) -> None:
    assert run(odd, "odd#meetings", "3", "--date", "2026-11-25").code == 0
    assert (odd / ODD).read_text() == ODD_TEXT.replace(
        "  checkins: []\n", "  checkins:\n  - {date: 2026-11-25, value: 3}\n"
    )


def _changes(old: str, new: str) -> tuple[list[str], list[str]]:
    """The lines a diff from ``old`` to ``new`` removes, and those it adds."""
    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), n=0, lineterm=""))[2:]
    removed = [line[1:] for line in diff if line.startswith("-")]
    return removed, [line[1:] for line in diff if line.startswith("+")]


def test_seventeen_weekly_checkins_are_seventeen_lines_each_one_added_line(odd: Path) -> None:
    """``checkins: []`` becomes a block list once; from then on a week is one added line."""
    dates = [dt.date(2026, 10, 5) + dt.timedelta(weeks=week) for week in range(17)]
    versions = [(odd / ODD).read_text()]
    for week, date in enumerate(dates):
        args = (str(week), "--date", date.isoformat(), "--note", "on track")
        assert run(odd, "odd#meetings", *args).code == 0
        versions.append((odd / ODD).read_text())
    items = [
        f'  - {{date: {date}, value: {week}, note: "on track"}}' for week, date in enumerate(dates)
    ]
    assert versions[-1] == ODD_TEXT.replace(
        "  checkins: []\n", "  checkins:\n" + "".join(item + "\n" for item in items)
    )
    assert _changes(versions[0], versions[1]) == (["  checkins: []"], ["  checkins:", items[0]])
    for week in range(1, 17):
        assert _changes(versions[week], versions[week + 1]) == ([], [items[week]])


ONE_LINE = """\
---
title: By hand
owner: sales
key_results:
    -   id: calls
        title: Calls
        start: 0
        target: 50
        checkins: [{date: 2026-11-02, value: 1},  { date: 2026-11-09 , note: "a, b", value: 2 }]   # hand
        unit: calls
---
"""  # noqa: E501


def test_a_one_line_flow_list_is_made_a_block_list_once(make_project) -> None:
    """The items written by hand keep their text, one to a line; the comment stays."""
    path = "content/2026-Q4/sales/hand.md"
    project = make_project({path: ONE_LINE})
    assert run(project, "hand#calls", "3").code == 0
    assert (project / path).read_text() == ONE_LINE.replace(
        "        checkins: [{date: 2026-11-02, value: 1},  "
        '{ date: 2026-11-09 , note: "a, b", value: 2 }]   # hand\n',
        "        checkins:   # hand\n"
        "            -   {date: 2026-11-02, value: 1}\n"
        '            -   { date: 2026-11-09 , note: "a, b", value: 2 }\n'
        "            -   {date: 2026-11-26, value: 3}\n",
    )
    before = (project / path).read_text()
    assert run(project, "hand#calls", "4", "--date", "2026-12-03").code == 0
    after = (project / path).read_text()
    assert _changes(before, after) == ([], ["            -   {date: 2026-12-03, value: 4}"])


BLOCKS = """\
---
title: Blocks
owner: sales
key_results:
  # calls come first
  - id: calls
    title: Calls
    target: 50
    start: 0
    checkins:
      # the first week
      - {date: 2026-11-02, value: 10}   # slow start

      # then better
      - {date: 2026-11-09, value: 20}
    # the next key comes after the check-ins
    unit: calls
  - id: demos
    title: Demos
    target: 5
    start: 0
    checkins:
      - {date: 2026-11-02, value: 1}
    # after the list, before the next key result
  - id: deals
    title: Deals
    target: 5
    start: 0
    checkins:
      - {date: 2026-11-02, value: 1}  # last in the front matter
---
Body
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_block_list_gets_one_line_after_its_last_item(make_project, newline: str) -> None:
    """Before a following key, before a comment, at the end of the front matter."""
    path = "content/2026-Q4/sales/blocks.md"
    project = make_project({path: BLOCKS.replace("\n", newline).encode()})
    for key_result, value in (("calls", "30"), ("demos", "2"), ("deals", "3")):
        assert run(project, f"blocks#{key_result}", value).code == 0
    expected = (
        BLOCKS.replace(
            "      - {date: 2026-11-09, value: 20}\n",
            "      - {date: 2026-11-09, value: 20}\n      - {date: 2026-11-26, value: 30}\n",
        )
        .replace(
            "      - {date: 2026-11-02, value: 1}\n    # after",
            "      - {date: 2026-11-02, value: 1}\n      - {date: 2026-11-26, value: 2}\n"
            "    # after",
        )
        .replace(
            "front matter\n---\n",
            "front matter\n      - {date: 2026-11-26, value: 3}\n---\n",
        )
    )
    assert (project / path).read_bytes() == expected.replace("\n", newline).encode()


def test_done_and_score_on_the_last_key_result_without_checkins(odd: Path, check) -> None:
    assert run(odd, "odd#hire", "--done", "--score", "0.9", "--note", "Kim starts").code == 0
    assert (odd / ODD).read_text() == ODD_TEXT.replace(
        "  done: false\n---\n",
        "  done: true\n"
        "  checkins:\n"
        '  - {date: 2026-11-26, value: true, note: "Kim starts"}\n'
        "  score: 0.9\n"
        "---\n",
    )
    assert check(odd).code == 0


def test_crlf_line_endings_and_a_byte_order_mark_are_kept(make_project) -> None:
    crlf = b"\xef\xbb\xbf" + ODD_TEXT.replace("\n", "\r\n").encode()
    project = make_project({ODD: crlf})
    assert run(project, "odd#hire", "--done").code == 0
    assert (project / ODD).read_bytes() == crlf.replace(
        b"  done: false\r\n",
        b"  done: true\r\n  checkins:\r\n  - {date: 2026-11-26, value: true}\r\n",
    )


INDENTED = """\
---
title: Deep
owner: sales
key_results:
    -   id: a
        title: A
        start: 0
        target: 5
        checkins:
            -   {date: 2026-11-20, value: 1}   # trailing comment
    -   {id: b, title: B, start: 0, target: 5}
    -   id: c
        title: C
        start: 1
        target: 5
        score: 0.1
---
"""


def test_wide_indentation_and_gaps_after_the_dash_are_kept(make_project) -> None:
    project = make_project({"content/2026-Q4/sales/deep.md": INDENTED})
    assert run(project, "deep#a", "2").code == 0
    assert run(project, "deep#c", "5", "--score", "1").code == 0
    assert (
        (project / "content/2026-Q4/sales/deep.md").read_text()
        == """\
---
title: Deep
owner: sales
key_results:
    -   id: a
        title: A
        start: 0
        target: 5
        checkins:
            -   {date: 2026-11-20, value: 1}   # trailing comment
            -   {date: 2026-11-26, value: 2}
    -   {id: b, title: B, start: 0, target: 5}
    -   id: c
        title: C
        start: 1
        target: 5
        score: 1.0
        checkins:
            -   {date: 2026-11-26, value: 5}
---
"""
    )


def test_a_flow_mapping_key_result_gets_its_checkins_inside_the_braces(make_project) -> None:
    project = make_project({"content/2026-Q4/sales/deep.md": INDENTED})
    assert run(project, "deep#b", "4.5", "--score", "0.75").code == 0
    assert (project / "content/2026-Q4/sales/deep.md").read_text() == INDENTED.replace(
        "    -   {id: b, title: B, start: 0, target: 5}\n",
        "    -   {id: b, title: B, start: 0, target: 5, "
        "checkins: [{date: 2026-11-26, value: 4.5}], score: 0.75}\n",
    )


def test_a_numbers_type_is_kept(make_project) -> None:
    project = make_project({ODD: ODD_TEXT})
    for value in ("7", "-3", "1e21", "0.1", "12.0"):
        assert run(project, "odd#meetings", value).code == 0
    assert (project / ODD).read_text() == ODD_TEXT.replace(
        "  checkins: []\n",
        "  checkins:\n"
        "  - {date: 2026-11-26, value: 7}\n"
        "  - {date: 2026-11-26, value: -3}\n"
        "  - {date: 2026-11-26, value: 1.0e+21}\n"
        "  - {date: 2026-11-26, value: 0.1}\n"
        "  - {date: 2026-11-26, value: 12.0}\n",
    )


def test_the_base_project_check_in_passes_check(make_project, check) -> None:
    project = make_project()
    assert run(project, "grow#revenue", "90", "--confidence", "0.9").code == 0
    assert run(project, "more-leads#kr3", "--done").code == 0
    result = check(project)
    assert (result.code, result.out) == (0, "")


def test_the_file_is_found_by_objective_id(make_project) -> None:
    """The objective's ``id`` is not its file name: the analysis knows which file it is."""
    text = ODD_TEXT.replace("title: 'Sell more'", "id: sell-more\ntitle: 'Sell more'")
    project = make_project({"content/2026-Q4/sales/misc/notes.md": text})
    assert run(project, "sell-more#meetings", "2").code == 0
    assert (project / "content/2026-Q4/sales/misc/notes.md").read_text() == text.replace(
        "  checkins: []\n", "  checkins:\n  - {date: 2026-11-26, value: 2}\n"
    )


def test_date_comes_from_source_date_epoch(odd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")  # 2025-11-28
    assert run_okrpub(odd, "checkin", "odd#meetings", "1").code == 0
    assert "  - {date: 2025-11-28, value: 1}\n" in (odd / ODD).read_text()


def test_a_note_on_current_that_wins_over_checkins(make_project) -> None:
    text = ODD_TEXT.replace("  target: 10\n", "  target: 10\n  current: 4\n")
    project = make_project({ODD: text})
    result = run(project, "odd#meetings", "5")
    assert result.code == 0
    assert result.out.splitlines()[1] == (
        "note: 'current: 4' in the key result wins over its check-ins"
    )


# -- refusals: exit status 2, the file unchanged -----------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("odd#calls", "thirty"), "VALUE must be a number, got 'thirty'"),
        (("odd#calls", "nan"), "VALUE must be a number, got 'nan'"),
        (("odd#calls", "2e100"), "VALUE must be between -1e+100 and 1e+100, got 2e100"),
        (("odd#calls", "9" * 101), f"VALUE must be between -1e+100 and 1e+100, got {'9' * 101}"),
        (("odd#calls", "9" * 5000), f"VALUE must be a number, got '{'9' * 5000}'"),
        (("odd#calls",), "key result 'calls' is numeric: give its VALUE now"),
        (("odd#calls", "3", "--done"), "--done is for binary key results; 'calls' has a target"),
        (("odd#hire", "1"), "key result 'hire' is binary (done or not): leave out the VALUE"),
        (("odd#calls", "3", "--confidence", "1.5"), "--confidence must be between 0.0 and 1.0"),
        (("odd#calls", "3", "--confidence", "high"), "--confidence must be a number"),
        (("odd#calls", "3", "--score", "-0.1"), "--score must be between 0.0 and 1.0"),
        (("odd#calls", "3", "--date", "2026-02-30"), "--date must be a date such as 2026-11-26"),
        (("odd#calls", "3", "--date", "next week"), "--date must be a date such as 2026-11-26"),
        (("odd#cals", "3"), "objective 'odd' has no key result 'cals'; did you mean 'calls'?"),
        (("od#calls", "3"), "unknown objective 'od'; did you mean 'odd'?"),
        (("odd", "3"), "name the key result as OBJECTIVE#KR"),
    ],
)
def test_refusals_leave_the_file_alone(odd: Path, args: tuple[str, ...], message: str) -> None:
    result = run(odd, *args)
    assert result.code == 2
    assert result.err.startswith(f"okrpub: error: {message}")
    assert (odd / ODD).read_text() == ODD_TEXT


def test_a_note_that_is_not_text_is_refused(odd: Path) -> None:
    result = run(odd, "odd#calls", "3", "--note", "bad \udcff byte")
    assert (result.code, (odd / ODD).read_text()) == (2, ODD_TEXT)
    assert "--note is not valid text" in result.err


ALIASED = """\
---
title: Shared
owner: sales
key_results:
  - title: A
    target: 5
    start: 0
    checkins: &shared [{date: 2026-11-20, value: 1}]
  - title: B
    target: 5
    start: 0
    checkins: *shared
---
"""


@pytest.mark.parametrize("key_result", ["kr1", "kr2"])
def test_an_edit_that_would_change_more_is_refused(make_project, key_result: str) -> None:
    """The list is shared through a YAML alias: adding to it would change both key results."""
    project = make_project({"content/2026-Q4/sales/shared.md": ALIASED})
    result = run(project, f"shared#{key_result}", "2")
    assert result.code == 2
    assert "cannot add the check-in to content/2026-Q4/sales/shared.md safely" in result.err
    assert (project / "content/2026-Q4/sales/shared.md").read_text() == ALIASED


def test_an_objective_with_errors_is_not_found(make_project) -> None:
    broken = ODD_TEXT.replace("target: 50", "target: fifty")
    project = make_project({ODD: broken})
    result = run(project, "odd#calls", "3")
    assert result.code == 2
    assert "unknown objective 'odd' (objectives with errors are not known" in result.err
    assert (project / ODD).read_text() == broken


def test_bad_configuration_is_a_usage_error(make_project) -> None:
    project = make_project({"okrpub.yaml": "titel: x\n"})
    result = run(project, "grow#revenue", "3")
    assert result.code == 2
    assert "unknown key 'titel'" in result.out


def test_the_file_is_replaced_through_a_temporary_file(odd: Path) -> None:
    (odd / ODD).chmod(0o640)
    before = (odd / ODD).stat().st_ino
    assert run(odd, "odd#meetings", "1").code == 0
    assert (odd / ODD).stat().st_ino != before
    assert (odd / ODD).stat().st_mode & 0o777 == 0o640
    assert sorted(path.name for path in (odd / ODD).parent.iterdir()) == ["more-leads.md", "odd.md"]


# -- property: the only change is the inserted check-in ------------------------------------

notes = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["a: b", "# no comment", "'quoted'", '"double"', "- dash", "{x}", "[y]", "1.0"])
values = st.integers(-(10**9), 10**9) | st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def objective_files(draw: st.DrawFn) -> tuple[str, int]:
    """An objective file in one of many formattings, and the index of the key result to edit."""
    indent = draw(st.sampled_from(["", "  ", "    "]))
    gap = draw(st.sampled_from([" ", "   "]))
    comment = draw(st.sampled_from(["", "  # a comment"]))
    blank = draw(st.sampled_from(["", "\n"]))
    key_results = []
    for number in range(draw(st.integers(1, 3))):
        pad = indent + " " + " " * len(gap)
        style = draw(st.sampled_from(["none", "empty", "flow", "block-flow", "block-block"]))
        lines = [f"{indent}-{gap}id: k{number}{comment}", f"{pad}title: 'K {number}'"]
        lines += [f"{pad}start: 0", f"{pad}target: 100{comment}"]
        if style == "empty":
            lines.append(f"{pad}checkins: []")
        elif style == "flow":
            lines.append(f"{pad}checkins: [{{date: 2026-11-02, value: 1}}]{comment}")
        elif style == "block-flow":
            lines += [f"{pad}checkins:", f"{pad}{indent[:2]}-{gap}{{date: 2026-11-02, value: 1}}"]
        elif style == "block-block":
            item = pad + indent[:2]
            lines += [f"{pad}checkins:{comment}", f"{item}-{gap}date: 2026-11-02"]
            lines.append(f'{item} {" " * len(gap)}note: "x"{comment}')
        key_results.append("\n".join(lines) + "\n" + blank)
    text = f"---\ntitle: T{comment}\nowner: sales\nkey_results:\n{''.join(key_results)}---\nBody\n"
    return text, draw(st.integers(0, len(key_results) - 1))


@settings(max_examples=60, deadline=None)
@given(
    source=objective_files(),
    crlf=st.booleans(),
    bom=st.booleans(),
    value=values,
    confidence=st.none() | st.floats(0, 1),
    note=st.none() | notes,
)
def test_only_the_checkin_is_inserted(
    source: tuple[str, int],
    crlf: bool,
    bom: bool,
    value: float,
    confidence: float | None,
    note: str | None,
) -> None:
    text, index = source
    old = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", "\r\n" if crlf else "\n").encode()
    with tempfile.TemporaryDirectory() as folder:
        project = write_files(Path(folder), {**BASE, "content/2026-Q4/sales/f.md": old})
        args = ["--date", "2026-11-20"]
        args += [f"--confidence={confidence}"] if confidence is not None else []
        args += [f"--note={note}"] if note is not None else []
        result = run(project, *args, "--", f"f#k{index}", str(value))
        assert result.code == 0, result.err
        new = (project / "content/2026-Q4/sales/f.md").read_bytes()
    _assert_one_insertion_or_conversion(old, new)
    expected = copy.deepcopy(_front_matter(old))
    checkin_data: dict[str, Any] = {"date": dt.date(2026, 11, 20), "value": value}
    if confidence is not None:
        checkin_data["confidence"] = confidence
    if note is not None:
        checkin_data["note"] = note
    expected["key_results"][index].setdefault("checkins", []).append(checkin_data)
    assert _front_matter(new) == expected


def _assert_one_insertion_or_conversion(old: bytes, new: bytes) -> None:
    """``new`` is ``old`` with lines inserted in one place, or with one line
    ``checkins: [...]`` made ``checkins:`` and one line per check-in after it."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    changes = [opcode for opcode in matcher.get_opcodes() if opcode[0] != "equal"]
    assert len(changes) == 1
    tag, i1, i2, j1, j2 = changes[0]
    if tag == "insert":
        prefix = _common_prefix(old, new)
        suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
        assert prefix + suffix == len(old) < len(new)  # one insertion, nothing else changed
        return
    assert (tag, i2 - i1) == ("replace", 1)
    assert re.sub(rb" \[.*\]", b"", old_lines[i1]) == new_lines[j1]
    assert new_lines[j1].rstrip().endswith((b"checkins:", b"# a comment"))
    for line in new_lines[j1 + 1 : j2]:
        assert re.fullmatch(rb" *- +\{[^\n]*\}\r?\n", line)


def _common_prefix(a: bytes, b: bytes) -> int:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return length


def _front_matter(raw: bytes) -> Any:
    """The front matter read with PyYAML's own loader, independent of okrpub's."""
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    return yaml.safe_load(text.split("\n---\n")[0].removeprefix("---\n"))


# -- what checkin leaves alone -----------------------------------------------------------------

#: Files whose anchors the edit would break, each with the key result to check in to and
#: the arguments: an anchored empty list, an anchored list of check-ins, an anchored score.
ANCHORED = {
    "flow-list": ("    checkins: &none []\n", "kr1", ("3",)),
    "block-list": ("    checkins: &some\n      - {date: 2026-11-20, value: 1}\n", "kr1", ("3",)),
    "score": ("    score: &half 0.5\n", "kr1", ("3", "--score", "0.7")),
}


@pytest.mark.parametrize(("lines", "key_result", "args"), ANCHORED.values(), ids=list(ANCHORED))
def test_a_file_whose_yaml_anchors_the_edit_would_break_is_refused_saying_so(
    make_project, lines: str, key_result: str, args: tuple[str, ...]
) -> None:
    """Not "cannot read": the file reads well, but an anchor sits where the edit goes."""
    alias = "*half" if "score" in lines else "*none" if "none" in lines else "*some"
    text = (
        "---\ntitle: Anchored\nowner: sales\nkey_results:\n"
        f"  - title: A\n    start: 0\n    target: 5\n{lines}"
        f"  - title: B\n    start: 0\n    target: 5\n"
        f"    {'score' if alias == '*half' else 'checkins'}: {alias}\n"
        "---\n"
    )
    path = "content/2026-Q4/sales/anchored.md"
    project = make_project({path: text})
    result = run(project, f"anchored#{key_result}", *args)
    assert result.err == (
        f"okrpub: error: cannot add the check-in to {path} safely: it uses YAML anchors and "
        "aliases (&name, *name), which the edit would break or change; add the check-in by "
        "hand; the file was not changed\n"
    )
    assert result.code == 2
    assert (project / path).read_text() == text


def test_a_save_between_its_read_and_its_write_is_never_lost(
    odd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves the file while ``checkin`` edits it: the editor's save stays."""
    saved = ODD_TEXT.replace("title: 'Sell more'", "title: 'Sell much more'")
    make_temporary = tempfile.mkstemp

    def save_first(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs.get("dir", "")) == (odd / ODD).parent:
            (odd / ODD).write_text(saved)
        return make_temporary(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", save_first)
    result = run(odd, "odd#meetings", "1")
    assert result.err == (
        f"okrpub: error: {ODD} changed while okrpub added the check-in (saved in an editor?); "
        "it was left as it is: run the command again\n"
    )
    assert result.code == 2
    assert (odd / ODD).read_text() == saved
    assert sorted(path.name for path in (odd / ODD).parent.iterdir()) == ["more-leads.md", "odd.md"]


def test_a_file_that_is_a_symbolic_link_is_not_written_through(make_project) -> None:
    """The link stays inside the project, so ``check`` follows it where links are allowed;
    ``checkin`` does not."""
    project = make_project({"shared/odd.md": ODD_TEXT, "okrpub.yaml": "follow_symlinks: true\n"})
    (project / ODD).symlink_to(project / "shared/odd.md")
    result = run(project, "odd#meetings", "1")
    assert result.err == (
        f"okrpub: error: {ODD} is a symbolic link, which okrpub does not write through; "
        "add the check-in to the file it points to by hand\n"
    )
    assert result.code == 2
    assert (project / "shared/odd.md").read_text() == ODD_TEXT
    assert (project / ODD).is_symlink()


def test_a_file_in_a_folder_linked_inside_the_project_is_edited_there(make_project) -> None:
    project = make_project({ODD: ODD_TEXT, "okrpub.yaml": "follow_symlinks: true\n"})
    (project / "content/2026-Q4/sales").rename(project / "sales")
    (project / "content/2026-Q4/sales").symlink_to(project / "sales", target_is_directory=True)
    assert run(project, "odd#meetings", "1").code == 0
    assert "{date: 2026-11-26, value: 1}" in (project / "sales/odd.md").read_text()
    assert (project / "content/2026-Q4/sales").is_symlink()
