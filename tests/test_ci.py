"""CI integration: the pre-commit hook and the recipes of docs/ci.md.

Every ``okrpub ...`` command of every YAML recipe in docs/ci.md runs here, in
a copy of the example project (a git repository), with forge variables
filled in; the folders and reports the recipes publish must exist afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitetools import REPOSITORY, TODAY, run_okrpub

CI_DOC = REPOSITORY / "docs" / "ci.md"
HOOKS = REPOSITORY / ".pre-commit-hooks.yaml"
#: Forge variables and expressions the recipes use, as CI would fill them in.
VARIABLES = {
    "GITHUB_BASE_REF": "main",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    "CI_PAGES_URL": "https://okrs.gitlab.example",
    "${{ steps.pages.outputs.base_url }}": "https://okrs.github.example",
}
SHELL_OPERATORS = {"||", "&&", "|", ";"}


@dataclass(frozen=True)
class Recipe:
    """One YAML block of docs/ci.md."""

    name: str
    data: Any

    def commands(self) -> list[list[str]]:
        """The ``okrpub`` commands of its steps and scripts, in order, as argument lists."""
        return [
            words
            for line in _shell_lines(self.data)
            if (words := _words(line)) and words[0] == "okrpub"
        ]

    def outputs(self) -> list[str]:
        """What it publishes or keeps: GitLab artifacts, and the paths of upload actions."""
        found = []
        for item in _mappings(self.data):
            artifacts = item.get("artifacts")
            if isinstance(artifacts, dict):
                found += artifacts.get("paths", [])
                found += artifacts.get("reports", {}).values()
            if str(item.get("uses", "")).startswith("actions/upload-"):
                found.append(item["with"]["path"])
        return found


def recipes() -> list[Recipe]:
    text = CI_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    found = []
    for block in blocks:
        first = block.splitlines()[0]
        name = first.removeprefix("# ").strip() if first.startswith("# ") else "pre-commit"
        found.append(Recipe(name, yaml.safe_load(block)))
    return found


def _mappings(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _mappings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mappings(item)


def _shell_lines(value: Any) -> Iterator[str]:
    """The shell lines of GitHub ``run:`` steps and GitLab ``script:`` lists."""
    for item in _mappings(value):
        if isinstance(item.get("run"), str):
            yield from item["run"].splitlines()
        for key in ("script", "before_script"):
            if isinstance(item.get(key), list):
                yield from item[key]


def _words(line: str) -> list[str]:
    """A shell line as words, forge variables filled in, up to the first operator;
    ``> file`` stays as the last two words."""
    for name, value in VARIABLES.items():
        line = line.replace(name if name.startswith("$") else f"${name}", value)
    words = []
    for word in shlex.split(line):
        if word in SHELL_OPERATORS:
            break
        words.append(word)
    return words


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example as a git repository with a ``main`` branch on ``origin``."""
    root = tmp_path / "okrs"
    shutil.copytree(REPOSITORY / "content", root / "content")
    shutil.copy(REPOSITORY / "okrpub.yaml", root / "okrpub.yaml")
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.org", "commit", "-qm", "OKRs"],
        ["git", "update-ref", "refs/remotes/origin/main", "HEAD"],
    ):
        subprocess.run(command, cwd=root, check=True)
    epoch = dt.datetime.fromisoformat(f"{TODAY}T12:00:00+00:00").timestamp()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(epoch)))
    return root


def run(project: Path, words: list[str]) -> int:
    """Run ``okrpub ARGS [> FILE]`` in ``project``; the output goes to FILE if redirected."""
    arguments, target = words[1:], None
    if len(arguments) >= 2 and arguments[-2] == ">":
        arguments, target = arguments[:-2], arguments[-1]
    result = run_okrpub(project, *arguments)
    if target is not None:
        (project / target).write_text(result.out, encoding="utf-8")
    return result.code


# -- docs/ci.md ---------------------------------------------------------------------------


def test_the_recipes_are_there() -> None:
    names = [recipe.name for recipe in recipes()]
    assert names == [
        "pre-commit",
        ".github/workflows/okrs-check.yml",
        ".github/workflows/okrs-publish.yml",
        ".gitlab-ci.yml",
    ]


@pytest.mark.parametrize("recipe", recipes()[1:], ids=lambda recipe: recipe.name)
def test_the_okrpub_commands_of_a_recipe_run(project: Path, recipe: Recipe) -> None:
    ran = []
    for words in recipe.commands():
        assert run(project, words) == 0, words
        ran.append(words)
    assert ran
    for output in recipe.outputs():
        assert (project / output).exists(), (recipe.name, output)


def test_the_gitlab_code_quality_report_of_the_recipe(project: Path) -> None:
    [gitlab] = [recipe for recipe in recipes() if recipe.name == ".gitlab-ci.yml"]
    for words in gitlab.commands():
        if words[1] == "check" and ">" in words:
            run(project, words)
    report = json.loads((project / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert {issue["check_name"] for issue in report} == {
        "kr-count",
        "no-key-results",
        "stale",
        "unaligned",
    }


def test_the_diff_comment_of_the_recipes(project: Path) -> None:
    diffs = [words for recipe in recipes() for words in recipe.commands() if words[1] == "diff"]
    assert len(diffs) == 2  # GitHub's and GitLab's
    for words in diffs:
        assert run(project, words) == 0, words
        assert (project / "okr-diff.md").read_text(encoding="utf-8").startswith("#")


def test_the_docs_link_to_ci_md() -> None:
    assert "(ci.md)" in (REPOSITORY / "docs" / "index.md").read_text(encoding="utf-8")
    assert "(docs/ci.md)" in (REPOSITORY / "README.md").read_text(encoding="utf-8")


# -- .pre-commit-hooks.yaml -------------------------------------------------------------------


@pytest.fixture(scope="module")
def hook() -> dict[str, Any]:
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    return hook


def test_the_pre_commit_hook(hook: dict[str, Any]) -> None:
    assert hook["id"] == "okrpub-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert {"name", "entry", "files"} <= set(hook)


def test_the_hook_names_an_entry_point_that_checks(hook: dict[str, Any], project: Path) -> None:
    scripts = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    command, *arguments = hook["entry"].split()
    assert scripts["project"]["scripts"][command] == "okrpub.cli.main:run"
    assert arguments == ["check"]
    assert run_okrpub(project, *arguments).code == 0
    [pre_commit] = [recipe for recipe in recipes() if recipe.name == "pre-commit"]
    assert pre_commit.data["repos"][0]["hooks"] == [{"id": hook["id"]}]


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("okrpub.yaml", True),
        ("content/2026-Q4/smokey/grow-to-1m-online.md", True),
        ("content/units/joe.md", True),
        ("content/2026-Q4/_defaults.yaml", True),
        ("README.md", False),
        ("docs/okrpub.yaml", False),
        ("themes/default/templates/base.html", False),
        ("content/logo.png", False),
    ],
)
def test_the_hook_runs_for_content_and_configuration(
    hook: dict[str, Any], path: str, runs: bool
) -> None:
    assert bool(re.search(hook["files"], path)) is runs
