"""``okrpub.yaml``: defaults, valid settings, and configuration errors (exit status 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from okrpub.config import Config, CustomPeriod, GradeThresholds, StatusRule, load_config
from okrpub.diagnostics import Diagnostics


def config_error(line: int, column: int, message: str, rule: str) -> str:
    return f"okrpub.yaml:{line}:{column}: error: {message} [{rule}]"


def load(tmp_path: Path, text: str) -> tuple[Config, list[str]]:
    (tmp_path / "okrpub.yaml").write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    return config, [d.as_text() for d in diagnostics]


def test_no_config_file_means_defaults(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    assert load_config(tmp_path, diagnostics) == Config()
    assert not diagnostics


def test_empty_config_file_means_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "# nothing yet\n") == (Config(), [])


def test_defaults() -> None:
    config = Config()
    assert config.content_dir == "content"
    assert config.output_dir == "site"
    assert config.default_visibility == "internal"
    assert config.stale_after_days == 7
    assert config.grade_thresholds == GradeThresholds(0.4, 0.7)
    assert config.unsafe_html is False
    assert config.lint_level("stale") == "warning"


def test_settings_are_read(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        "title: Our OKRs\n"
        "content_dir: okrs\n"
        "default_visibility: public\n"
        "stale_after_days: 14\n"
        "grade_thresholds: {yellow: 0.3, green: 0.6}\n"
        "lint: {kr-count: 'off', stale: error}\n"
        "periods:\n"
        "  sprint-1: {start: 2026-10-01, end: 2026-10-14}\n"
        "unsafe_html: true\n",
    )
    assert problems == []
    assert config.title == "Our OKRs"
    assert config.content_dir == "okrs"
    assert config.default_visibility == "public"
    assert config.stale_after_days == 14
    assert config.grade_thresholds == GradeThresholds(0.3, 0.6)
    assert config.lint_level("kr-count") == "off"
    assert config.lint_level("stale") == "error"
    assert config.lint_level("unaligned") == "warning"
    assert config.periods == {"sprint-1": CustomPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 14))}
    assert config.unsafe_html is True


def test_unknown_key_exits_2_with_a_suggestion(check_files) -> None:
    result = check_files({"okrpub.yaml": "titel: Our OKRs\nstale_afterdays: 3\n"})
    assert result.lines == [
        config_error(
            1, 1, "unknown key 'titel' in okrpub.yaml; did you mean 'title'?", "unknown-key"
        ),
        config_error(
            2,
            1,
            "unknown key 'stale_afterdays' in okrpub.yaml; did you mean 'stale_after_days'?",
            "unknown-key",
        ),
    ]
    assert result.code == 2


def test_bad_lint_rule_name_and_level(check_files) -> None:
    result = check_files({"okrpub.yaml": "lint:\n  stal: 'off'\n  kr-count: loud\n"})
    assert result.lines == [
        config_error(2, 3, "unknown lint rule 'stal'; did you mean 'stale'?", "unknown-key"),
        config_error(
            3, 13, "lint.kr-count must be 'off', 'warning' or 'error', got 'loud'", "schema"
        ),
    ]
    assert result.code == 2


def test_yellow_must_be_below_green(check_files) -> None:
    result = check_files({"okrpub.yaml": "grade_thresholds: {yellow: 0.7, green: 0.4}\n"})
    assert result.lines == [
        config_error(
            1, 19, "grade_thresholds.yellow must be below grade_thresholds.green", "config"
        )
    ]
    assert result.code == 2


def test_equal_thresholds_are_refused(check_files) -> None:
    result = check_files({"okrpub.yaml": "grade_thresholds:\n  yellow: 0.5\n  green: 0.5\n"})
    assert result.lines == [
        config_error(2, 3, "grade_thresholds.yellow must be below grade_thresholds.green", "config")
    ]
    assert result.code == 2


def test_thresholds_must_be_fractions_and_both_given(check_files) -> None:
    result = check_files({"okrpub.yaml": "grade_thresholds: {yellow: 1.5}\n"})
    assert result.lines == [
        config_error(1, 19, "grade_thresholds is missing required key 'green'", "missing-key"),
        config_error(
            1, 28, "grade_thresholds.yellow must be between 0.0 and 1.0, got 1.5", "range"
        ),
    ]
    assert result.code == 2


def test_custom_period_ids_differing_only_in_case(check_files) -> None:
    config = "periods:\n  fy27: {start: 2026-10-01, end: 2027-09-30}\n"
    config += "  FY27: {start: 2026-10-01, end: 2027-09-30}\n"
    result = check_files({"okrpub.yaml": config})
    assert result.lines == [
        config_error(
            3, 3, "period id 'FY27' is the same as 'fy27' (ids are case-insensitive)", "bad-id"
        )
    ]
    assert result.code == 2


def test_bad_custom_periods(check_files) -> None:
    result = check_files(
        {
            "okrpub.yaml": (
                "periods:\n"
                "  backwards: {start: 2026-11-30, end: 2026-11-01}\n"
                "  sprint 2: {start: 2026-11-01, end: 2026-11-14}\n"
                "  open: {start: 2026-11-01}\n"
            )
        }
    )
    assert result.lines == [
        config_error(2, 39, "periods.backwards.end is before its start", "bad-date"),
        config_error(3, 3, "period id 'sprint 2' must be letters, digits and '-'", "bad-id"),
        config_error(4, 9, "periods.open is missing required key 'end'", "missing-key"),
    ]
    assert result.code == 2


@pytest.mark.parametrize("folder", ["/etc", "../elsewhere", "okrs/../../x"])
def test_content_dir_must_stay_inside_the_project(check_files, folder: str) -> None:
    result = check_files({"okrpub.yaml": f"content_dir: {folder}\n"})
    assert result.lines == [
        config_error(
            1,
            14,
            f"content_dir must be a folder inside the project, such as 'content', got {folder!r}",
            "schema",
        )
    ]
    assert result.code == 2


def test_config_that_is_not_a_mapping(check_files) -> None:
    result = check_files({"okrpub.yaml": "- title\n"})
    assert result.lines == [
        config_error(1, 1, "okrpub.yaml must be a mapping of keys to values, got a list", "schema")
    ]
    assert result.code == 2


def test_config_with_a_yaml_error(check_files) -> None:
    result = check_files({"okrpub.yaml": "title: [Our OKRs\n"})
    assert result.lines == [
        config_error(2, 1, "YAML syntax error: did not find expected ',' or ']'", "yaml")
    ]
    assert result.code == 2


def test_config_not_utf8(check_files) -> None:
    result = check_files({"okrpub.yaml": b"title: \xff\n"})
    assert result.lines == [
        config_error(
            1, 1, "file is not UTF-8 (byte 0xff at offset 7); save it as UTF-8", "encoding"
        )
    ]
    assert result.code == 2


def test_config_errors_stop_before_the_content_is_checked(check_files) -> None:
    result = check_files({"okrpub.yaml": "titel: x\n", "content/units/broken.md": ""})
    assert [line.split(":")[0] for line in result.lines] == ["okrpub.yaml"]
    assert result.code == 2


def test_content_dir_is_used(check_files) -> None:
    files = {
        "okrpub.yaml": "content_dir: okrs\n",
        "okrs/units/solo.md": "---\nname: Solo\nkind: company\n---\n",
    }
    result = check_files(files, base=False)
    assert result.code == 0
    assert result.err == "checked 0 objectives and 1 unit: 0 errors, 0 warnings\n"


# The status rule (issue #18) -------------------------------------------------------------


def test_the_status_rule_has_defaults_and_is_read(tmp_path: Path) -> None:
    assert Config().status == StatusRule(
        at_risk_confidence=0.5, off_track_confidence=0.3, at_risk_behind=0.25, off_track_behind=0.5
    )
    config, problems = load(
        tmp_path,
        "status:\n  at_risk_confidence: 0.6\n  off_track_confidence: 0.2\n"
        "  at_risk_behind: 0.2\n  off_track_behind: 0.4\n",
    )
    assert problems == []
    assert config.status == StatusRule(0.6, 0.2, 0.2, 0.4)
    # each key is optional
    config, problems = load(tmp_path, "status: {at_risk_confidence: 0.4}\n")
    assert (problems, config.status) == ([], StatusRule(at_risk_confidence=0.4))


def test_bad_status_thresholds_are_errors_at_their_line(check_files) -> None:
    result = check_files(
        {
            "okrpub.yaml": "title: T\nstatus:\n  at_risk_confidence: 1.5\n"
            "  off_track_behind: -1\n  at_risk_confidenc: 0.4\n"
        }
    )
    assert result.lines == [
        config_error(
            3, 23, "status.at_risk_confidence must be between 0.0 and 1.0, got 1.5", "range"
        ),
        config_error(4, 21, "status.off_track_behind must be between 0.0 and 1.0, got -1", "range"),
        config_error(
            5,
            3,
            "unknown key 'status.at_risk_confidenc' in status; did you mean 'at_risk_confidence'?",
            "unknown-key",
        ),
    ]
    assert result.code == 2


def test_status_thresholds_must_be_in_order(check_files) -> None:
    result = check_files({"okrpub.yaml": "status:\n  off_track_confidence: 0.6\n"})
    assert result.lines == [
        config_error(
            2,
            25,
            "status.off_track_confidence (0.6) must not be above status.at_risk_confidence (0.5)",
            "config",
        )
    ]
    assert result.code == 2
    result = check_files({"okrpub.yaml": "status: {at_risk_behind: 0.6, off_track_behind: 0.4}\n"})
    assert result.lines == [
        config_error(
            1,
            26,
            "status.at_risk_behind (0.6) must not be above status.off_track_behind (0.4)",
            "config",
        )
    ]


def test_the_status_rule_must_be_a_mapping(check_files) -> None:
    result = check_files({"okrpub.yaml": "status: strict\n"})
    assert result.lines == [
        config_error(1, 9, "status must be a mapping of keys to values, got 'strict'", "schema")
    ]
    assert result.code == 2
