"""``okrpub check`` output formats, exit statuses and the date it checks for."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from projecttools import objective
from sitetools import md

from okrpub.diagnostics import (
    Diagnostic,
    Diagnostics,
    Location,
    Severity,
    format_diagnostics,
    gitlab_report,
)

LEADS = "content/2026-Q4/sales/leads.md"
#: One error (an unknown owner) and one warning (two key results).
MIXED = {
    LEADS: objective("title: L\nowner: sales\nparent: grow", 2),
    "content/2026-Q4/sales/bad.md": objective("title: B\nowner: nobody\nparent: grow"),
}


def test_text_format(check_files) -> None:
    result = check_files(MIXED)
    assert result.lines == [
        "content/2026-Q4/sales/bad.md:3:8: error: unknown owner 'nobody' [unknown-owner]",
        f"{LEADS}:1:1: warning: objective has 2 key results; aim for 3 to 5 [kr-count]",
    ]
    assert result.err == "checked 3 objectives and 3 units: 1 error, 1 warning\n"
    assert result.code == 1


def test_text_format_is_the_default(check_files) -> None:
    assert check_files(MIXED, "--format", "text").out == check_files(MIXED).out


def test_json_format(check_files) -> None:
    result = check_files(MIXED, "--format", "json")
    assert json.loads(result.out) == [
        {
            "path": "content/2026-Q4/sales/bad.md",
            "line": 3,
            "column": 8,
            "severity": "error",
            "rule": "unknown-owner",
            "message": "unknown owner 'nobody'",
        },
        {
            "path": LEADS,
            "line": 1,
            "column": 1,
            "severity": "warning",
            "rule": "kr-count",
            "message": "objective has 2 key results; aim for 3 to 5",
        },
    ]
    assert result.err == ""
    assert result.code == 1


def test_json_format_without_diagnostics_is_an_empty_list(check_files) -> None:
    result = check_files({}, "--format", "json")
    assert json.loads(result.out) == []
    assert result.code == 0


def test_json_format_for_configuration_errors(check_files) -> None:
    result = check_files({"okrpub.yaml": "titel: x\n"}, "--format", "json")
    assert json.loads(result.out) == [
        {
            "path": "okrpub.yaml",
            "line": 1,
            "column": 1,
            "severity": "error",
            "rule": "unknown-key",
            "message": "unknown key 'titel' in okrpub.yaml; did you mean 'title'?",
        }
    ]
    assert result.code == 2


def test_github_format(check_files) -> None:
    result = check_files(MIXED, "--format", "github")
    assert result.lines == [
        "::error file=content/2026-Q4/sales/bad.md,line=3,col=8,title=unknown-owner"
        "::unknown owner 'nobody'",
        f"::warning file={LEADS},line=1,col=1,title=kr-count"
        "::objective has 2 key results; aim for 3 to 5",
    ]
    assert result.err == ""
    assert result.code == 1


def test_github_format_escapes_properties_and_data(check_files) -> None:
    path = "content/2026-Q4/sales/a,b:c.md"
    result = check_files(
        {
            path: objective("title: A\nowner: sales\nparent: grow"),
            LEADS: objective('title: L\nowner: sales\nparent: grow\n"100%\\nsure": yes'),
        },
        "--format",
        "github",
    )
    assert result.lines == [
        "::error file=content/2026-Q4/sales/a%2Cb%3Ac.md,line=1,col=1,title=bad-id"
        "::file name 'a,b:c' is not a valid objective id: use lower-case letters, digits and '-'",
        f"::error file={LEADS},line=5,col=1,title=unknown-key"
        "::unknown key '100%25%0Asure' in objective",
    ]


def test_github_escaping_of_every_special_character() -> None:
    diagnostic = Diagnostic(
        Location("a:b,c%d.md", 2, 3), Severity.WARNING, "r,u:l%e", "50%\r\nsure: a, b"
    )
    assert diagnostic.as_github() == (
        "::warning file=a%3Ab%2Cc%25d.md,line=2,col=3,title=r%2Cu%3Al%25e::50%25%0D%0Asure: a, b"
    )


#: A file name that, written out raw, makes a second line that reads as a diagnostic.
FORGING = "content/2026-Q4/sales/a\ncontent/units/acme.md:1:1: error: forged [schema].md"
#: Every character that ends a line for some reader (``str.splitlines``, terminals, GitHub's
#: runner), and the escape character that drives terminals.
LINE_ENDS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("end", [*LINE_ENDS, "\x1b[2J"])
def test_a_file_name_cannot_forge_a_line_of_output(check_files, end: str) -> None:
    name = FORGING.replace("\n", end)
    files = {name: objective("title: F\nowner: sales\nparent: grow")}
    rows = json.loads(check_files(files, "--format", "json").out)
    assert [row["path"] for row in rows] == [name]  # the JSON formats keep it exactly
    assert [
        issue["location"]["path"]
        for issue in json.loads(check_files(files, "--format", "gitlab").out)
    ] == [name]
    text = check_files(files).lines
    assert len(text) == 1
    assert text[0].startswith("content/2026-Q4/sales/a\\")
    assert text[0].isprintable()
    github = check_files(files, "--format", "github").lines
    assert len(github) == 1
    assert github[0].startswith("::error file=content/2026-Q4/sales/a")
    assert github[0].isprintable()


@given(path=st.text(), message=st.text(), rule=st.text())
def test_text_and_github_output_is_one_printable_line_for_any_text(
    path: str, message: str, rule: str
) -> None:
    diagnostic = Diagnostic(Location(path, 2, 3), Severity.WARNING, rule, message)
    for line in (diagnostic.as_text(), diagnostic.as_github()):
        assert len(line.splitlines()) == 1
        assert not any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in line)


def test_gitlab_format(check_files) -> None:
    result = check_files(MIXED, "--format", "gitlab")
    report = json.loads(result.out)
    for issue in report:
        assert re.fullmatch(r"[0-9a-f]{64}", issue.pop("fingerprint"))
    assert report == [
        {
            "description": "unknown owner 'nobody'",
            "check_name": "unknown-owner",
            "severity": "major",
            "location": {"path": "content/2026-Q4/sales/bad.md", "lines": {"begin": 3}},
        },
        {
            "description": "objective has 2 key results; aim for 3 to 5",
            "check_name": "kr-count",
            "severity": "minor",
            "location": {"path": LEADS, "lines": {"begin": 1}},
        },
    ]
    assert result.err == ""
    assert result.code == 1


def test_gitlab_format_without_diagnostics_is_an_empty_report(check_files) -> None:
    result = check_files({}, "--format", "gitlab")
    assert json.loads(result.out) == []
    assert result.code == 0


def test_gitlab_format_for_configuration_errors(check_files) -> None:
    result = check_files({"okrpub.yaml": "titel: x\n"}, "--format", "gitlab")
    [issue] = json.loads(result.out)
    assert issue["location"] == {"path": "okrpub.yaml", "lines": {"begin": 1}}
    assert result.code == 2


def _fingerprints(result) -> list[str]:
    return [issue["fingerprint"] for issue in json.loads(result.out)]


def test_gitlab_fingerprints_are_stable_across_runs_and_edits_above(check_files) -> None:
    first = _fingerprints(check_files(MIXED, "--format", "gitlab"))
    assert _fingerprints(check_files(MIXED, "--format", "gitlab")) == first
    # a line added above the problem moves it, but it is the same problem
    moved = {
        **MIXED,
        "content/2026-Q4/sales/bad.md": objective(
            "tags: [x]\ntitle: B\nowner: nobody\nparent: grow"
        ),
    }
    result = check_files(moved, "--format", "gitlab")
    assert json.loads(result.out)[0]["location"]["lines"]["begin"] == 4
    assert _fingerprints(result) == first


def test_gitlab_fingerprints_are_unique_even_for_identical_problems() -> None:
    diagnostics = [
        Diagnostic(Location("a.md", line, 1), Severity.ERROR, "schema", "same")
        for line in (2, 5, 9)
    ] + [
        Diagnostic(Location("b.md", 2, 1), Severity.ERROR, "schema", "same"),
        Diagnostic(Location("a.md", 2, 1), Severity.ERROR, "range", "same"),
        Diagnostic(Location("a.md", 2, 1), Severity.ERROR, "schema", "other"),
    ]
    report = json.loads(format_diagnostics(diagnostics, "gitlab"))
    assert len({issue["fingerprint"] for issue in report}) == len(diagnostics)


@given(
    st.lists(
        st.builds(
            Diagnostic,
            st.builds(Location, st.sampled_from(["a.md", "b.md"]), st.integers(1, 5)),
            st.sampled_from(Severity),
            st.sampled_from(["schema", "stale"]),
            st.sampled_from(["x", "y"]),
        ),
        unique=True,
    )
)
def test_gitlab_fingerprints_are_unique_for_any_diagnostics(items: list[Diagnostic]) -> None:
    report = gitlab_report(sorted(items))
    assert len({issue["fingerprint"] for issue in report}) == len(items)
    assert [issue["location"]["lines"]["begin"] for issue in report] == [
        d.location.line for d in sorted(items)
    ]


def test_diagnostics_are_sorted_and_deduplicated() -> None:
    diagnostics = Diagnostics()
    diagnostics.warning(Location("b.md", 1, 1), "kr-count", "w")
    diagnostics.error(Location("a.md", 9, 1), "schema", "e2")
    diagnostics.error(Location("a.md", 2, 5), "schema", "e1")
    diagnostics.error(Location("a.md", 2, 5), "schema", "e1")
    assert format_diagnostics(diagnostics, "text").splitlines() == [
        "a.md:2:5: error: e1 [schema]",
        "a.md:9:1: error: e2 [schema]",
        "b.md:1:1: warning: w [kr-count]",
    ]
    assert [d.message for d in diagnostics.errors] == ["e1", "e2"]
    assert [d.message for d in diagnostics.warnings] == ["w"]
    assert diagnostics.has_errors()


# -- exit statuses ---------------------------------------------------------------------------


def test_exit_0_when_clean(check_files) -> None:
    assert check_files({}).code == 0


def test_exit_1_on_content_errors(check_files) -> None:
    assert check_files({"content/units/x.md": ""}).code == 1


def test_exit_2_on_configuration_errors(check_files) -> None:
    result = check_files({"okrpub.yaml": "stale_after_days: 0\n"})
    assert result.lines == [
        "okrpub.yaml:1:19: error: stale_after_days must be a whole number of days greater "
        "than 0, got 0 [schema]"
    ]
    assert result.code == 2


@pytest.mark.parametrize("today", ["2026-13-01", "tomorrow", "26-11-2026", ""])
def test_exit_2_on_a_bad_today(check_files, today: str) -> None:
    result = check_files({}, today=today)
    assert result.code == 2
    assert result.out == ""
    assert (
        result.err == f"okrpub: error: --today must be a date such as 2026-11-26, got {today!r}\n"
    )


def test_exit_2_on_a_bad_source_date_epoch(check_files, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = check_files({}, today=None)
    assert result.code == 2
    assert result.err == "okrpub: error: SOURCE_DATE_EPOCH must be a Unix time, got 'yesterday'\n"


def test_exit_2_on_an_unknown_format(check_files, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        check_files({}, "--format", "xml")
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


# -- today -----------------------------------------------------------------------------------


def _epoch(day: str) -> str:
    return str(int(dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()))


STALE_LATER = {
    LEADS: md(
        """
        title: L
        owner: sales
        parent: grow
        key_results:
          - {title: a, target: 10, checkins: [{date: 2026-11-24, value: 5}], start: 0}
          - {title: b, target: 10, checkins: [{date: 2026-11-24, value: 5}], start: 0}
          - {title: c, target: 10, checkins: [{date: 2026-11-24, value: 5}], start: 0}
        """
    )
}


def _stale_lines(result) -> list[str]:
    """The places of ``STALE_LATER``'s diagnostics: its three key results once they are stale."""
    return [line.split(": ", 1)[0] for line in result.lines if line.startswith(LEADS)]


STALE = [f"{LEADS}:6:5", f"{LEADS}:7:5", f"{LEADS}:8:5"]


def test_today_comes_from_the_option(check_files) -> None:
    assert _stale_lines(check_files(STALE_LATER, today="2026-12-01")) == []
    assert _stale_lines(check_files(STALE_LATER, today="2026-12-02")) == STALE


def test_today_comes_from_source_date_epoch(check_files, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch("2026-12-01"))
    assert _stale_lines(check_files(STALE_LATER, today=None)) == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch("2026-12-02"))
    assert _stale_lines(check_files(STALE_LATER, today=None)) == STALE


def test_the_option_wins_over_source_date_epoch(
    check_files, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch("2026-12-02"))
    assert _stale_lines(check_files(STALE_LATER, today="2026-12-01")) == []


_DIAGNOSTICS = st.lists(
    st.builds(
        Diagnostic,
        st.builds(Location, st.text(), st.integers(0, 10**6), st.integers(0, 10**6)),
        st.sampled_from(list(Severity)),
        st.text(),
        st.text(),
    ),
    max_size=5,
)


@given(_DIAGNOSTICS)
def test_json_output_is_what_the_standard_encoder_writes(diagnostics: list[Diagnostic]) -> None:
    """``--format json`` writes its rows itself (the standard encoder indents slowly):
    the very text ``json.dumps(indent=2)`` gives, for any paths and messages."""
    rows = [diagnostic.as_dict() for diagnostic in diagnostics]
    expected = json.dumps(rows, indent=2, ensure_ascii=False)
    assert format_diagnostics(diagnostics, "json") == expected
