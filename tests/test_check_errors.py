"""``okrpub check`` on broken content: every kind of error, at its exact place.

Each test writes the base project plus one or more broken files and asserts
the whole output, so a diagnostic that is missing, extra or in the wrong
place fails the test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projecttools import objective
from sitetools import md

BAD = "content/2026-Q4/sales/bad.md"


def error(path: str, line: int, column: int, message: str, rule: str) -> str:
    return f"{path}:{line}:{column}: error: {message} [{rule}]"


def assert_errors(result, *expected: str) -> None:
    """The output is exactly the ``expected`` lines, all errors, and the exit status is 1."""
    assert result.lines == list(expected)
    assert result.code == 1
    errors = len(expected)
    assert f": {errors} error{'s' * (errors != 1)}, " in result.err


# -- reading and parsing ---------------------------------------------------------------------


def test_the_base_project_is_clean(check_files) -> None:
    result = check_files({})
    assert result.code == 0
    assert result.out == ""
    assert result.err == "checked 2 objectives and 3 units: 0 errors, 0 warnings\n"


def test_yaml_syntax_error_is_placed_in_the_file(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
          period: 2026-Q4
        key_results: []
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD, 4, 9, "YAML syntax error: mapping values are not allowed in this context", "yaml"
        ),
    )


def test_unclosed_flow_list(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results: [
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 5, 1, "YAML syntax error: did not find expected node content", "yaml"),
    )


def test_file_not_utf8(check_files) -> None:
    assert_errors(
        check_files({BAD: b"---\ntitle: caf\xe9\n---\n"}),
        error(
            BAD,
            2,
            1,
            "file is not UTF-8 (byte 0xe9 at offset 14); save it as UTF-8",
            "encoding",
        ),
    )


def test_empty_file(check_files) -> None:
    assert_errors(
        check_files({BAD: ""}),
        error(BAD, 1, 1, "file is empty; it needs YAML front matter", "front-matter"),
    )


def test_no_front_matter(check_files) -> None:
    assert_errors(
        check_files({BAD: "# Just Markdown\n\nNo front matter here.\n"}),
        error(
            BAD,
            1,
            1,
            "file has no front matter: its first line must be '---', "
            "followed by YAML and a closing '---'",
            "front-matter",
        ),
    )


def test_unclosed_front_matter(check_files) -> None:
    assert_errors(
        check_files({BAD: "---\ntitle: Bad\nowner: sales\n"}),
        error(
            BAD, 1, 1, "front matter is not closed: add a line '---' after the YAML", "front-matter"
        ),
    )


def test_front_matter_that_is_a_list(check_files) -> None:
    assert_errors(
        check_files({BAD: "---\n- title: Bad\n- owner: sales\n---\n"}),
        error(
            BAD,
            2,
            1,
            "front matter must be a mapping of keys to values, got a list",
            "front-matter",
        ),
    )


def test_front_matter_that_is_empty(check_files) -> None:
    assert_errors(
        check_files({BAD: "---\n---\nbody\n"}),
        error(
            BAD,
            2,
            1,
            "front matter must be a mapping of keys to values, got nothing",
            "front-matter",
        ),
    )


def test_duplicate_yaml_key(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        title: Again
        key_results: [{title: x, target: 1, start: 0}]
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 4, 1, "duplicate key 'title' (first at line 2)", "duplicate-key"),
    )


def test_billion_laughs(check_files) -> None:
    lines = ["title: Bad", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    result = check_files({BAD: "---\n" + "\n".join(lines) + "\n---\n"})
    assert_errors(
        result,
        error(BAD, 3, 4, "YAML expands to more than 50000 values (an alias bomb?)", "yaml-limit"),
    )


def test_deep_nesting(check_files) -> None:
    result = check_files(
        {BAD: "---\ntitle: Bad\nkey_results: " + "[" * 500 + "]" * 500 + "\n---\n"}
    )
    assert_errors(
        result, error(BAD, 3, 33, "YAML is nested more than 20 levels deep", "yaml-limit")
    )


def test_python_object_tag(check_files) -> None:
    front = "---\ntitle: !!python/object/apply:os.system [echo hi]\nowner: sales\n---\n"
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            2,
            8,
            "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; "
            "use plain strings, numbers, booleans, dates, lists and mappings",
            "yaml-tag",
        ),
    )


# -- schema ----------------------------------------------------------------------------------


def test_unknown_keys_with_did_you_mean(check_files) -> None:
    front = md(
        """
        titel: Bad
        owner: sales
        key_result: [{title: x, target: 1, start: 0}]
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 2, 1, "objective is missing required key 'title'", "missing-key"),
        error(BAD, 2, 1, "unknown key 'titel' in objective; did you mean 'title'?", "unknown-key"),
        error(
            BAD,
            4,
            1,
            "unknown key 'key_result' in objective; did you mean 'key_results'?",
            "unknown-key",
        ),
    )


def test_unknown_key_far_from_any_known_one_has_no_suggestion(check_files) -> None:
    front = objective("title: Bad\nowner: sales\nparent: grow\nflavour: mint")
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 5, 1, "unknown key 'flavour' in objective", "unknown-key"),
    )


def test_unknown_key_in_a_key_result(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - title: x
            traget: 5
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            5,
            5,
            "key_results[0] has neither 'target' (a number to reach) nor 'done' (true/false): "
            "it is not measurable",
            "not-measurable",
        ),
        error(
            BAD,
            6,
            5,
            "unknown key 'key_results[0].traget' in key_results[0]; did you mean 'target'?",
            "unknown-key",
        ),
    )


def test_missing_required_keys(check_files) -> None:
    front = md(
        """
        owner: sales
        key_results:
          - target: 3
            start: 0
            checkins:
              - {value: 1}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 2, 1, "objective is missing required key 'title'", "missing-key"),
        error(BAD, 4, 5, "key_results[0] is missing required key 'title'", "missing-key"),
        error(
            BAD, 7, 9, "key_results[0].checkins[0] is missing required key 'date'", "missing-key"
        ),
    )


def test_key_result_without_a_title(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - target: 3
            start: 0
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 5, 5, "key_results[0] is missing required key 'title'", "missing-key"),
    )


def test_missing_unit_keys(check_files) -> None:
    path = "content/units/ops.md"
    assert_errors(
        check_files({path: "---\nparent: acme\n---\n"}),
        error(path, 2, 1, "unit is missing required key 'kind'", "missing-key"),
        error(path, 2, 1, "unit is missing required key 'name'", "missing-key"),
    )


def test_wrong_types(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        draft: maybe
        tags: logistics
        key_results:
          - title: x
            target: drie
          - title: 42
            done: true
            weight: heavy
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 4, 8, "draft must be true or false, got 'maybe'", "schema"),
        error(BAD, 5, 7, "tags must be a list of strings, got 'logistics'", "schema"),
        error(BAD, 8, 13, "key_results[0].target must be a number, got 'drie'", "schema"),
        error(BAD, 9, 12, "key_results[1].title must be a non-empty string, got 42", "schema"),
        error(BAD, 11, 13, "key_results[1].weight must be a number, got 'heavy'", "schema"),
    )


def test_key_results_must_be_a_list(check_files) -> None:
    # (an empty list, or none, is a qualitative objective: tests/test_owners.py)
    front = md(
        """
        title: Bad
        owner: sales
        key_results: 3
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 4, 14, "key_results must be a list, got 3", "schema"),
    )


def test_a_key_result_that_is_not_a_mapping(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - Sell more
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            5,
            5,
            "key_results[0] must be a mapping of keys to values, got a str",
            "schema",
        ),
    )


def test_unit_kind_must_be_one_of_three(check_files) -> None:
    path = "content/units/ops.md"
    unit = md(
        """
        name: Ops
        kind: tema
        parnet: acme
        """
    )
    assert_errors(
        check_files({path: unit}),
        error(path, 3, 7, "kind must be 'company' or 'team' or 'person', got 'tema'", "schema"),
        error(path, 4, 1, "unknown key 'parnet' in unit; did you mean 'parent'?", "unknown-key"),
    )


# -- ids -------------------------------------------------------------------------------------


def test_bad_objective_id(check_files) -> None:
    front = md(
        """
        title: Bad
        id: Grow Sales
        owner: sales
        key_results: [{title: x, target: 1, start: 0}]
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            3,
            5,
            "id must be an id of lower-case letters, digits and '-' (such as 'grow-sales'), "
            "got 'Grow Sales'",
            "bad-id",
        ),
    )


def test_bad_objective_file_name(check_files) -> None:
    path = "content/2026-Q4/sales/Grow-Sales.md"
    assert_errors(
        check_files({path: objective("title: Bad\nowner: sales\nparent: grow")}),
        error(
            path,
            1,
            1,
            "file name 'Grow-Sales' is not a valid objective id: "
            "use lower-case letters, digits and '-'",
            "bad-id",
        ),
    )


def test_file_name_does_not_matter_when_the_id_is_given(check_files) -> None:
    path = "content/2026-Q4/sales/Grow Sales.md"
    result = check_files({path: objective("title: OK\nid: grow-sales\nowner: sales\nparent: grow")})
    assert result.code == 0
    assert result.out == ""


def test_bad_unit_file_name(check_files) -> None:
    path = "content/units/Ops Team.md"
    assert_errors(
        check_files({path: md("name: Ops\nkind: team\nparent: acme\n")}),
        error(
            path,
            1,
            1,
            "file name 'Ops Team' is not a valid unit id: use lower-case letters, digits and '-'",
            "bad-id",
        ),
    )


def test_bad_key_result_id_and_parent_reference(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        parent: "grow#Revenue"
        key_results:
          - {id: KR_1, title: x, target: 1, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            4,
            9,
            "parent must be an objective id or 'objective-id#kr-id', got 'grow#Revenue'",
            "bad-id",
        ),
        error(
            BAD,
            6,
            10,
            "key_results[0].id must be an id of lower-case letters, digits and '-' "
            "(such as 'grow-sales'), got 'KR_1'",
            "bad-id",
        ),
    )


def test_duplicate_objective_ids_name_both_files(check_files) -> None:
    first = "content/2026-Q3/sales/leads.md"
    second = "content/2026-Q4/sales/leads.md"
    result = check_files(
        {
            first: objective("title: Q3 leads\nowner: sales\nperiod: 2026-Q3\nparent: grow"),
            second: objective("title: Q4 leads\nowner: sales\nparent: grow"),
        },
        "--format",
        "json",
    )
    errors = [d for d in json.loads(result.out) if d["severity"] == "error"]
    assert errors == [
        {
            "path": second,
            "line": 2,
            "column": 1,
            "severity": "error",
            "rule": "duplicate-id",
            "message": f"objective id 'leads' is used by both {first} and {second}",
        }
    ]
    assert result.code == 1


def test_duplicate_id_given_in_front_matter_points_at_the_id(check_files) -> None:
    front = objective("title: Bad\nid: more-leads\nowner: sales\nparent: grow")
    assert_errors(
        check_files({BAD: front}),
        error(
            "content/2026-Q4/sales/more-leads.md",
            2,
            1,
            "objective id 'more-leads' is used by both content/2026-Q4/sales/bad.md "
            "and content/2026-Q4/sales/more-leads.md",
            "duplicate-id",
        ),
    )


def test_duplicate_key_result_ids(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - {id: a, title: x, target: 1, start: 0}
          - {title: y, target: 1, start: 0}
          - {id: a, title: z, target: 1, start: 0}
          - {id: kr2, title: w, target: 1, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            7,
            10,
            "key result id 'a' is used twice in this objective (key_results[0] and key_results[2])",
            "duplicate-id",
        ),
        error(
            BAD,
            8,
            10,
            "key result id 'kr2' is used twice in this objective "
            "(key_results[1] and key_results[3])",
            "duplicate-id",
        ),
    )


# -- references ------------------------------------------------------------------------------


def test_unknown_owner_and_period(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: saels
        period: 2026-Q9
        key_results:
          - {title: x, target: 1, owner: jjo, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 3, 8, "unknown owner 'saels'; did you mean 'sales'?", "unknown-owner"),
        error(
            BAD,
            4,
            9,
            "unknown period '2026-Q9'; use YYYY, YYYY-H1, YYYY-Q1, YYYY-MM "
            "or a period defined in okrpub.yaml",
            "unknown-period",
        ),
        error(BAD, 6, 34, "unknown owner 'jjo'; did you mean 'jo'?", "unknown-owner"),
    )


def test_unknown_custom_period_suggests_a_defined_one(check_files) -> None:
    config = "periods:\n  sprint-12: {start: 2026-11-01, end: 2026-11-30}\n"
    front = objective("title: Bad\nowner: sales\nparent: grow\nperiod: sprint-21")
    assert_errors(
        check_files({"okrpub.yaml": config, BAD: front}),
        error(BAD, 5, 9, "unknown period 'sprint-21'; did you mean 'sprint-12'?", "unknown-period"),
    )


def test_unknown_parent(check_files) -> None:
    front = objective("title: Bad\nowner: sales\nparent: grwo")
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 4, 9, "unknown parent objective 'grwo'; did you mean 'grow'?", "unknown-parent"),
    )


def test_an_unknown_owner_does_not_hide_an_unknown_parent(check_files) -> None:
    front = objective("title: Bad\nowner: saels\nparent: grwo")
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 3, 8, "unknown owner 'saels'; did you mean 'sales'?", "unknown-owner"),
        error(BAD, 4, 9, "unknown parent objective 'grwo'; did you mean 'grow'?", "unknown-parent"),
    )


def test_unknown_key_result_lists_the_ones_there_are(check_files) -> None:
    front = objective("title: Bad\nowner: sales\nparent: grow#revenu")
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            4,
            9,
            "objective 'grow' has no key result 'revenu'; did you mean 'revenue'? "
            "(it has: revenue, customers, launch)",
            "unknown-kr",
        ),
    )


def test_unknown_key_result_without_a_likely_one(check_files) -> None:
    front = objective("title: Bad\nowner: sales\nparent: more-leads#zzz")
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            4,
            9,
            "objective 'more-leads' has no key result 'zzz' (it has: kr1, kr2, kr3)",
            "unknown-kr",
        ),
    )


def _aligned(objective_id: str, parent: str) -> str:
    return objective(f"title: {objective_id}\nowner: sales\nparent: {parent}")


def test_cascade_cycle_of_two(check_files) -> None:
    result = check_files(
        {
            "content/2026-Q4/sales/a.md": _aligned("a", "b"),
            "content/2026-Q4/sales/b.md": _aligned("b", "a#kr1"),
        }
    )
    assert_errors(
        result,
        error("content/2026-Q4/sales/a.md", 4, 9, "the cascade has a cycle: a → b → a", "cycle"),
    )


def test_cascade_cycle_of_three_reports_the_whole_chain(check_files) -> None:
    result = check_files(
        {
            "content/2026-Q4/sales/a.md": _aligned("a", "c"),
            "content/2026-Q4/sales/b.md": _aligned("b", "a"),
            "content/2026-Q4/sales/c.md": _aligned("c", "b"),
        }
    )
    assert_errors(
        result,
        error(
            "content/2026-Q4/sales/a.md", 4, 9, "the cascade has a cycle: a → c → b → a", "cycle"
        ),
    )


def test_objective_that_is_its_own_parent(check_files) -> None:
    assert_errors(
        check_files({"content/2026-Q4/sales/a.md": _aligned("a", "a")}),
        error("content/2026-Q4/sales/a.md", 4, 9, "the cascade has a cycle: a → a", "cycle"),
    )


def test_unit_cycle(check_files) -> None:
    result = check_files(
        {
            "content/units/t1.md": md("name: T1\nkind: team\nparent: t2\n"),
            "content/units/t2.md": md("name: T2\nkind: team\nparent: t1\n"),
        }
    )
    assert_errors(
        result, error("content/units/t1.md", 4, 9, "units form a cycle: t1 → t2 → t1", "cycle")
    )


def test_team_without_parent(check_files) -> None:
    path = "content/units/ops.md"
    assert_errors(
        check_files({path: md("name: Ops\nkind: team\n")}),
        error(path, 2, 1, "a team unit needs a 'parent' unit", "missing-key"),
    )


def test_company_with_parent(check_files) -> None:
    path = "content/units/holding.md"
    assert_errors(
        check_files({path: md("name: Holding\nkind: company\nparent: acme\n")}),
        error(path, 4, 9, "a company unit has no parent; make it a team", "unit-kind"),
    )


def test_lead_who_is_not_a_person(check_files) -> None:
    path = "content/units/ops.md"
    assert_errors(
        check_files({path: md("name: Ops\nkind: team\nparent: acme\nlead: sales\n")}),
        error(path, 5, 7, "lead 'sales' is a team, not a person", "unit-kind"),
    )


def test_unknown_lead_and_a_person_as_parent(check_files) -> None:
    path = "content/units/ops.md"
    assert_errors(
        check_files({path: md("name: Ops\nkind: team\nparent: jo\nlead: nobody\n")}),
        error(path, 4, 9, "parent 'jo' is a person; a person has no sub-units", "unit-kind"),
        error(path, 5, 7, "unknown lead 'nobody'", "unknown-unit"),
    )


def test_unknown_parent_unit(check_files) -> None:
    path = "content/units/ops.md"
    assert_errors(
        check_files({path: md("name: Ops\nkind: team\nparent: acne\n")}),
        error(path, 4, 9, "unknown parent unit 'acne'; did you mean 'acme'?", "unknown-unit"),
    )


# -- key results -----------------------------------------------------------------------------


def test_measurability(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - title: same
            start: 5
            target: 5
          - title: nothing to measure
          - title: both
            target: 3
            done: false
          - title: a done that is not a boolean
            done: yes please
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            7,
            13,
            "key_results[0].target equals its start (5); there is nothing to progress",
            "target-equals-start",
        ),
        error(
            BAD,
            8,
            5,
            "key_results[1] has neither 'target' (a number to reach) nor 'done' (true/false): "
            "it is not measurable",
            "not-measurable",
        ),
        error(
            BAD,
            9,
            5,
            "key_results[2] has both 'target' and 'done'; a key result is numeric or binary",
            "schema",
        ),
        error(BAD, 13, 11, "key_results[3].done must be true or false, got 'yes please'", "schema"),
    )


def test_target_equals_a_start_of_0(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - {title: zero, target: 0.0, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            5,
            27,
            "key_results[0].target equals its start (0); there is nothing to progress",
            "target-equals-start",
        ),
    )


def test_current_on_a_binary_key_result(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - {title: x, done: false, current: 3}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            5,
            38,
            "key_results[0].current applies to numeric key results; a binary one uses 'done'",
            "schema",
        ),
    )


def test_out_of_range_confidence_score_and_weight(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - title: ranges
            target: 10
            start: 0
            confidence: 1.5
            score: -0.1
            weight: 0
            checkins:
              - {date: 2026-10-05, value: 3, confidence: 2}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD, 8, 17, "key_results[0].confidence must be between 0.0 and 1.0, got 1.5", "range"
        ),
        error(BAD, 9, 12, "key_results[0].score must be between 0.0 and 1.0, got -0.1", "range"),
        error(BAD, 10, 13, "key_results[0].weight must be greater than 0, got 0", "range"),
        error(
            BAD,
            12,
            50,
            "key_results[0].checkins[0].confidence must be between 0.0 and 1.0, got 2",
            "range",
        ),
    )


def test_weights_are_finite_and_at_most_a_million(check_files) -> None:
    """A weight of 1.7e308 made the weighted mean infinite, so a progress of 0."""
    front = md(
        """
        title: Weights
        owner: sales
        key_results:
          - {title: A, target: 10, weight: 1.7e+308, start: 0}
          - {title: B, target: 10, weight: .inf, start: 0}
          - {title: C, target: 10, weight: -1.0e+308, start: 0}
          - {title: D, target: 10, weight: 1000001, start: 0}
          - {title: E, target: 10, weight: 1000000, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 5, 36, "key_results[0].weight must be at most 1,000,000, got 1.7e+308", "range"),
        error(BAD, 6, 36, "key_results[1].weight must be a number, got inf", "schema"),
        error(BAD, 7, 36, "key_results[2].weight must be greater than 0, got -1e+308", "range"),
        error(BAD, 8, 36, "key_results[3].weight must be at most 1,000,000, got 1000001", "range"),
    )


def test_numbers_are_within_a_googol(check_files) -> None:
    front = md(
        """
        title: Big
        owner: sales
        key_results:
          - {title: A, start: -1.0e+100, target: 1.0e+100, current: 0}
          - {title: B, start: -1.1e+100, target: 1.0e+101, current: -1.0e+300}
          - title: C
            target: 10
            start: 0
            checkins: [{date: 2026-11-24, value: -1.0e+200}]
        """
    )
    within = "between -1e+100 and 1e+100"
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 6, 23, f"key_results[1].start must be {within}, got -1.1e+100", "range"),
        error(BAD, 6, 42, f"key_results[1].target must be {within}, got 1e+101", "range"),
        error(BAD, 6, 61, f"key_results[1].current must be {within}, got -1e+300", "range"),
        error(
            BAD, 10, 42, f"key_results[2].checkins[0].value must be {within}, got -1e+200", "range"
        ),
    )


def test_a_whole_number_of_hundreds_of_digits_is_an_error(check_files) -> None:
    """Such a number overflowed a float: a traceback in check and build."""
    front = md(
        f"""
        title: Big
        owner: sales
        key_results:
          - {{title: A, target: {"9" * 400}, start: 0}}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            5,
            24,
            "whole number is 400 characters long; the limit is 100 (quote it if it is text)",
            "yaml-limit",
        ),
    )


def test_bad_dates(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - title: dates
            target: 10
            start: 0
            due: 2026-02-30
            checkins:
              - {date: next week, value: 3}
              - {date: 2026-13-01, value: 4}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            8,
            10,
            "key_results[0].due must be a date such as 2026-10-05, got '2026-02-30'",
            "bad-date",
        ),
        error(
            BAD,
            10,
            16,
            "key_results[0].checkins[0].date must be a date such as 2026-10-05, got 'next week'",
            "bad-date",
        ),
        error(
            BAD,
            11,
            16,
            "key_results[0].checkins[1].date must be a date such as 2026-10-05, got '2026-13-01'",
            "bad-date",
        ),
    )


def test_a_quoted_date_is_a_date(check_files) -> None:
    front = objective("title: OK\nowner: sales\nparent: grow")
    front = front.replace("{date: 2026-11-24,", '{date: "2026-11-24",')
    assert check_files({BAD: front}).code == 0


def test_checkin_value_of_the_wrong_kind(check_files) -> None:
    front = md(
        """
        title: Bad
        owner: sales
        key_results:
          - title: binary
            done: false
            checkins:
              - {date: 2026-10-05, value: 3}
          - title: numeric
            target: 4
            start: 0
            checkins:
              - {date: 2026-10-05, value: true}
              - {date: 2026-10-06, value: "3"}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            8,
            35,
            "key_results[0].checkins[0].value must be true or false (the key result is binary), "
            "got 3",
            "schema",
        ),
        error(BAD, 13, 35, "key_results[1].checkins[0].value must be a number, got True", "schema"),
        error(
            BAD,
            14,
            35,
            "key_results[1].checkins[1].value must be a number or true/false, got '3'",
            "schema",
        ),
    )


# -- _defaults.yaml --------------------------------------------------------------------------


def test_unknown_key_in_defaults(check_files) -> None:
    path = "content/2026-Q4/sales/_defaults.yaml"
    result = check_files(
        {path: "owner: sales\nownr: jo\n", BAD: objective("title: A\nparent: grow")}
    )
    assert_errors(
        result,
        error(
            path, 2, 1, "unknown key 'ownr' in _defaults.yaml; did you mean 'owner'?", "unknown-key"
        ),
    )


def test_bad_owner_from_defaults_is_reported_in_the_defaults_file(check_files) -> None:
    path = "content/2026-Q4/sales/_defaults.yaml"
    result = check_files({path: "owner: nobody\n", BAD: objective("title: A\nparent: grow")})
    assert_errors(result, error(path, 1, 8, "unknown owner 'nobody'", "unknown-owner"))


def test_wrong_type_in_defaults(check_files) -> None:
    path = "content/2026-Q4/_defaults.yaml"
    result = check_files({path: "period: 2026-Q4\ndraft: sometimes\n"})
    assert_errors(
        result, error(path, 2, 8, "draft must be true or false, got 'sometimes'", "schema")
    )


def test_broken_defaults_file(check_files) -> None:
    path = "content/2026-Q4/sales/_defaults.yaml"
    result = check_files({path: "owner: [sales\n"})
    assert_errors(
        result,
        error(path, 2, 1, "YAML syntax error: did not find expected ',' or ']'", "yaml"),
    )


def test_unreadable_defaults_file(make_project, check) -> None:
    project = make_project({"okrpub.yaml": "follow_symlinks: true\n"})
    path = "content/2026-Q4/sales/_defaults.yaml"
    os.symlink(project / "missing.yaml", project / path)  # a link to nothing
    assert_errors(
        check(project), error(path, 1, 1, "cannot read file: No such file or directory", "read")
    )


# -- files and folders -----------------------------------------------------------------------


def test_symlink_out_of_the_project(make_project, check, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\n")
    project = make_project({"okrpub.yaml": "follow_symlinks: true\n"})
    os.symlink(outside / "secret.md", project / "content/2026-Q4/secret.md")
    os.symlink(outside, project / "content/elsewhere")
    assert_errors(
        check(project),
        error(
            "content/2026-Q4/secret.md",
            1,
            1,
            "symbolic link points outside the project; okrpub does not follow it",
            "symlink",
        ),
        error(
            "content/elsewhere",
            1,
            1,
            "symbolic link points outside the project; okrpub does not follow it",
            "symlink",
        ),
    )


def test_symlinks_inside_the_project_are_followed_once(make_project, check) -> None:
    project = make_project(
        {
            "okrpub.yaml": "follow_symlinks: true\n",
            "shared/units/ops.md": md("name: Ops\nkind: team\nparent: acme\n"),
        }
    )
    os.symlink(project / "shared/units/ops.md", project / "content/units/ops.md")
    os.symlink(project / "content", project / "content/2026-Q4/loop")
    result = check(project)
    assert result.code == 0
    assert result.err == "checked 2 objectives and 4 units: 0 errors, 0 warnings\n"


def test_readme_files_are_ignored(check_files) -> None:
    result = check_files(
        {
            "content/README.md": "# About this folder\n",
            "content/units/README.md": "",
            "content/2026-Q4/sales/readme.md": "no front matter",
        }
    )
    assert result.code == 0
    assert result.out == ""


def test_missing_content_folder_is_a_configuration_error(check_files) -> None:
    result = check_files({"okrpub.yaml": "content_dir: okrs\n"})
    assert result.lines == [
        error(
            "okrs",
            1,
            1,
            "content folder 'okrs' does not exist; "
            "run 'okrpub init' or set content_dir in okrpub.yaml",
            "content",
        )
    ]
    assert result.code == 2


# -- one problem does not hide or cause another -------------------------------------------


def test_two_broken_files_are_both_reported(check_files) -> None:
    result = check_files(
        {
            "content/2026-Q4/sales/a.md": "---\ntitle: [\n---\n",
            "content/units/ops.md": "Ops, without front matter\n",
        }
    )
    assert_errors(
        result,
        error(
            "content/2026-Q4/sales/a.md",
            3,
            1,
            "YAML syntax error: did not find expected node content",
            "yaml",
        ),
        error(
            "content/units/ops.md",
            1,
            1,
            "file has no front matter: its first line must be '---', "
            "followed by YAML and a closing '---'",
            "front-matter",
        ),
    )


def test_errors_in_several_files_and_stages_are_all_reported(check_files) -> None:
    result = check_files(
        {
            "content/2026-Q4/sales/a.md": objective("title: A\nowner: nobody\nparent: grow"),
            "content/2026-Q4/sales/b.md": objective("title: B\nowner: sales\nparent: nothing"),
            "content/units/ops.md": md("name: Ops\nkind: team\n"),
        }
    )
    assert_errors(
        result,
        error("content/2026-Q4/sales/a.md", 3, 8, "unknown owner 'nobody'", "unknown-owner"),
        error(
            "content/2026-Q4/sales/b.md",
            4,
            9,
            "unknown parent objective 'nothing'",
            "unknown-parent",
        ),
        error("content/units/ops.md", 2, 1, "a team unit needs a 'parent' unit", "missing-key"),
    )


def test_broken_files_cause_no_unknown_reference_errors(check_files) -> None:
    result = check_files(
        {
            # an objective and a unit that cannot be read
            "content/2026-Q4/sales/a.md": "---\ntitle: [\n---\n",
            "content/units/ops.md": "no front matter\n",
            # ... and files that refer to them, which are fine
            "content/2026-Q4/sales/b.md": objective("title: B\nowner: sales\nparent: a#kr1"),
            "content/units/pat.md": md("name: Pat\nkind: person\nparent: ops\n"),
            "content/2026-Q4/ops/c.md": objective("title: C\nowner: ops\nparent: grow"),
            "content/2026-Q4/sales/d.md": objective("title: D\nowner: pat\nparent: b"),
        }
    )
    assert [line.rsplit(" [", 1)[1] for line in result.lines] == ["yaml]", "front-matter]"]
    assert result.code == 1


def test_an_objective_with_an_error_is_still_a_known_parent(check_files) -> None:
    result = check_files(
        {
            "content/2026-Q4/sales/a.md": objective(
                "title: A\nowner: sales\nparent: grow\nflavour: x"
            ),
            "content/2026-Q4/sales/b.md": objective("title: B\nowner: sales\nparent: a"),
        }
    )
    assert_errors(
        result,
        error(
            "content/2026-Q4/sales/a.md", 5, 1, "unknown key 'flavour' in objective", "unknown-key"
        ),
    )


# -- YAML 1.2 core-schema scalars ------------------------------------------------------------

#: What YAML 1.1 read as booleans: text in YAML 1.2, which okrpub reads.
YAML11_BOOLEANS = [v for w in ("yes", "no", "on", "off") for v in (w, w.title(), w.upper())]
ONE_AT_A_TIME = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@ONE_AT_A_TIME
@given(st.sampled_from(YAML11_BOOLEANS))
def test_yaml11_booleans_are_text(check_files, word: str) -> None:
    """``title: no`` is the title "no" (it was the error "got False"); ``draft: yes`` says why."""
    front = objective(f"title: {word}\nowner: sales\ndraft: {word}\n{word}: 1")
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            4,
            8,
            f"draft must be true or false, got '{word}' "
            f"({word} is text in YAML 1.2, which okrpub reads: write true or false)",
            "schema",
        ),
        error(BAD, 5, 1, f"unknown key '{word}' in objective", "unknown-key"),
    )


@ONE_AT_A_TIME
@given(st.integers(8, 10**12), st.integers(1, 5))
def test_leading_zeros_leave_a_decimal_number(check_files, number: int, zeros: int) -> None:
    """``010`` is ten, not eight; ``09`` a number, not text."""
    front = md(
        f"""
        title: Zeros
        owner: sales
        key_results:
          - {{title: A, target: 10, confidence: {"0" * zeros}{number}, start: 0}}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            5,
            40,
            f"key_results[0].confidence must be between 0.0 and 1.0, got {number}",
            "range",
        ),
    )


def test_numbers_follow_the_yaml12_core_schema(check_files) -> None:
    """``1:30`` and ``1_000`` are text; ``1e3`` and ``0o17`` numbers."""
    front = md(
        """
        title: Numbers
        owner: sales
        key_results:
          - {title: A, target: 1:30, start: 0}
          - {title: B, target: 1_000, start: 0}
          - {title: C, target: 1e3, start: 0o17, current: 0x1F, weight: 1E2}
          - {title: D, target: 10, confidence: 1e3, start: 0}
          - {title: E, target: 10, confidence: 0o17, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(BAD, 5, 24, "key_results[0].target must be a number, got '1:30'", "schema"),
        error(
            BAD,
            6,
            24,
            "key_results[1].target must be a number, got '1_000' "
            "(1_000 is text in YAML 1.2, which okrpub reads: write 1000)",
            "schema",
        ),
        error(
            BAD, 8, 40, "key_results[3].confidence must be between 0.0 and 1.0, got 1000.0", "range"
        ),
        error(BAD, 9, 40, "key_results[4].confidence must be between 0.0 and 1.0, got 15", "range"),
    )


def test_okrpub_yaml_and_defaults_are_read_as_yaml12(check_files) -> None:
    """The same reader reads okrpub.yaml and _defaults.yaml."""
    result = check_files({"okrpub.yaml": "title: no\nunsafe_html: off\n"})
    assert result.lines == [
        error(
            "okrpub.yaml",
            2,
            14,
            "unsafe_html must be true or false, got 'off' "
            "(off is text in YAML 1.2, which okrpub reads: write true or false)",
            "schema",
        )
    ]
    assert result.code == 2  # a configuration error
    defaults = "content/2026-Q4/sales/_defaults.yaml"
    result = check_files(
        {
            "okrpub.yaml": "title: no\n",
            defaults: "owner: sales\ndraft: on\n",
            BAD: objective("title: A\nparent: grow"),
        }
    )
    assert_errors(
        result,
        error(
            defaults,
            2,
            8,
            "draft must be true or false, got 'on' "
            "(on is text in YAML 1.2, which okrpub reads: write true or false)",
            "schema",
        ),
    )


# -- where a key belongs ---------------------------------------------------------------------


def test_a_key_of_another_kind_of_file_says_where_it_belongs(check_files) -> None:
    defaults = "content/2026-Q4/sales/_defaults.yaml"
    front = md(
        """
        title: Keys
        owner: sales
        kind: team
        date: 2026-11-24
        key_results:
          - {title: A, target: 10, period: 2026-Q4, note: Hi, base_url: x, statu: x, start: 0}
        """
    )
    result = check_files({defaults: "key_results: []\ntitle: T\n", BAD: front})
    assert_errors(
        result,
        error(
            defaults,
            1,
            1,
            "unknown key 'key_results' in _defaults.yaml; 'key_results' belongs in an objective",
            "unknown-key",
        ),
        error(
            defaults,
            2,
            1,
            "unknown key 'title' in _defaults.yaml; 'title' belongs in an objective, "
            "a key result, a page or okrpub.yaml",
            "unknown-key",
        ),
        error(
            BAD, 4, 1, "unknown key 'kind' in objective; 'kind' belongs in a unit", "unknown-key"
        ),
        error(
            BAD,
            5,
            1,
            "unknown key 'date' in objective; 'date' belongs in a check-in",
            "unknown-key",
        ),
        error(
            BAD,
            7,
            28,
            "unknown key 'key_results[0].period' in key_results[0]; "
            "'period' belongs in an objective or _defaults.yaml",
            "unknown-key",
        ),
        error(
            BAD,
            7,
            45,
            "unknown key 'key_results[0].note' in key_results[0]; 'note' belongs in a check-in",
            "unknown-key",
        ),
        error(
            BAD,
            7,
            55,
            "unknown key 'key_results[0].base_url' in key_results[0]; "
            "'base_url' belongs in okrpub.yaml",
            "unknown-key",
        ),
        error(
            BAD,
            7,
            68,
            "unknown key 'key_results[0].statu' in key_results[0]; did you mean 'start'?",
            "unknown-key",
        ),
    )


def test_a_key_for_what_okrpub_works_out_says_so(check_files) -> None:
    """``status: at_risk`` got "did you mean 'start'?"."""
    front = md(
        """
        title: Worked out
        owner: sales
        progress: 0.5
        key_results:
          - {title: A, target: 10, status: at_risk, grade: 0.7, start: 0}
        """
    )
    assert_errors(
        check_files({BAD: front}),
        error(
            BAD,
            4,
            1,
            "unknown key 'progress' in objective; okrpub works out the progress from start, "
            "target and the check-ins",
            "unknown-key",
        ),
        error(
            BAD,
            6,
            28,
            "unknown key 'key_results[0].status' in key_results[0]; okrpub works out the status "
            "from progress, dates and confidence (to say how its owner sees a key result, "
            "use 'health')",
            "unknown-key",
        ),
        error(
            BAD,
            6,
            45,
            "unknown key 'key_results[0].grade' in key_results[0]; okrpub works out the grade: "
            "a key result's final grade is its 'score'",
            "unknown-key",
        ),
    )


def test_a_list_where_one_id_is_expected_says_so(check_files) -> None:
    # (an objective's or key result's owner, and an objective's parent, may be lists:
    # tests/test_owners.py)
    unit = "content/units/pair.md"
    front = md(
        """
        name: A pair
        kind: team
        parent: [acme, sales]
        lead: [jo]
        """
    )
    objective = md(
        """
        title: Shared
        owner: sales
        period: [2026-Q4]
        key_results:
          - {title: A, target: 10, owner: [sales, acme, jo], start: 0}
        """
    )
    assert_errors(
        check_files({unit: front, BAD: objective}),
        error(BAD, 4, 9, "period: one period id is expected here, got a list of 1", "schema"),
        error(unit, 4, 9, "parent: one parent id is expected here, got a list of 2", "bad-id"),
        error(unit, 5, 7, "lead: one lead id is expected here, got a list of 1", "bad-id"),
    )
