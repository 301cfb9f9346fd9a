"""Hostile git objects: ``okrpub diff`` writes nothing outside its scratch folder and
follows no link there, whatever the revisions' trees hold (docs/review.md).

Every test makes the scratch folder a known, empty ``tmp_path/scratch`` and checks
that it is empty again afterwards and that nothing new appeared beside it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from gittools import commit, hostile_commit, init_repo, nested, tree, write_object
from projecttools import BASE, objective
from sitetools import TODAY, Run, run_okrpub


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder ``okrpub diff`` makes its temporary folder in."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo")
    commit(repo, BASE)
    return repo


def diff(repo: Path, *args: str) -> Run:
    run = run_okrpub(repo, "diff", *args, "--format", "json", "--today", TODAY)
    assert "Traceback" not in run.err
    return run


def introduced(run: Run) -> list[tuple[str, str, str]]:
    assert run.code == 0, run.err
    data = json.loads(run.out)
    return [(d["path"], d["severity"], d["rule"]) for d in data["introduced"]]


def assert_nothing_left(tmp_path: Path, scratch: Path) -> None:
    assert sorted(os.listdir(tmp_path)) == ["repo", "scratch"]
    assert os.listdir(scratch) == []


def blob(repo: Path, text: bytes) -> str:
    return write_object(repo, "blob", text)


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        # from the scratch folder's content/: up to scratch/, then up to tmp_path
        ([b"..", b"..", b"..", b"pwned.md"], "content/../../../pwned.md"),
        ([b"..", b"..", b"pwned.md"], "content/../../pwned.md"),
        ([b".", b"pwned.md"], "content/./pwned.md"),
        ([b".git", b"hooks", b"pre-commit"], "content/.git/hooks/pre-commit"),
        ([b".GIT", b"config"], "content/.GIT/config"),
        ([b"..\\..\\..\\pwned.md"], "content/..\\..\\..\\pwned.md"),
        ([b"..", b"pwned\n\xff.md"], "content/../pwned\\n\\xff.md"),
    ],
)
def test_a_path_that_leaves_the_folder_is_reported_never_used(
    tmp_path: Path, scratch: Path, repo: Path, names: list[bytes], shown: str
) -> None:
    """Git lists a tree entry named ``..`` as ``content/../x``; it must not be written."""
    evil = hostile_commit(
        repo, "content", [nested(repo, names[:-1], ("100644", names[-1], blob(repo, b"owned\n")))]
    )
    run = diff(repo, "HEAD", evil)
    assert introduced(run) == [(shown, "error", "unsafe-path")]
    assert not (tmp_path / "pwned.md").exists()
    assert_nothing_left(tmp_path, scratch)


def test_a_link_in_a_revision_is_never_written_through(
    tmp_path: Path, scratch: Path, repo: Path
) -> None:
    """A link and a folder of the same name: the folder's file lands in the scratch
    folder, and the link is refused, whatever the order of the tree."""
    target = tmp_path / "repo" / "target"
    target.mkdir()
    folder = tree(repo, [("100644", b"x.md", blob(repo, b"owned\n"))])
    evil = hostile_commit(
        repo,
        "content",
        [("120000", b"dir", blob(repo, str(target).encode())), ("40000", b"dir", folder)],
    )
    run = diff(repo, "HEAD", evil)
    assert introduced(run) == [
        ("content/dir", "error", "unsafe-path"),
        ("content/dir/x.md", "error", "front-matter"),
    ]
    assert os.listdir(target) == []
    target.rmdir()
    assert_nothing_left(tmp_path, scratch)


def test_the_same_path_twice_is_reported(tmp_path: Path, scratch: Path, repo: Path) -> None:
    one, two = blob(repo, b"one\n"), blob(repo, b"two\n")
    evil = hostile_commit(repo, "content", [("100644", b"x.md", one), ("100644", b"x.md", two)])
    run = diff(repo, "HEAD", evil)
    assert ("content/x.md", "error", "unsafe-path") in introduced(run)
    assert_nothing_left(tmp_path, scratch)


def test_a_submodule_in_content_is_a_warning(tmp_path: Path, scratch: Path, repo: Path) -> None:
    """Its files are not in this repository: diff says it cannot compare them."""
    head = (repo / ".git" / "refs" / "heads" / "main").read_text().strip()
    evil = hostile_commit(repo, "content/2026-Q4", [("160000", b"vendor", head)])
    assert introduced(diff(repo, "HEAD", evil)) == [
        ("content/2026-Q4/vendor", "warning", "submodule")
    ]
    assert_nothing_left(tmp_path, scratch)


def test_pathspec_magic_in_content_dir_is_a_plain_folder_name(
    tmp_path: Path, scratch: Path
) -> None:
    """``content_dir: ':(top)'`` in a pull request's okrpub.yaml once listed the whole
    repository, as ``../…`` paths from a project in a subfolder."""
    repo = init_repo(tmp_path / "repo")
    project = {f"okrs/{path}": text for path, text in BASE.items()}
    base = commit(repo, {**project, "content/elsewhere.md": "---\ntitle: x\n---\n"})
    commit(repo, {"okrs/okrpub.yaml": "content_dir: ':(top)'\n"})
    run = diff(repo / "okrs", base)
    assert run.code == 2
    assert "content folder ':(top)' does not exist" in run.err
    assert_nothing_left(tmp_path, scratch)


def test_the_fetch_hint_quotes_the_revision(tmp_path: Path, repo: Path) -> None:
    run = diff(repo, "$(touch pwned)")
    assert run.code == 2
    assert "git fetch --depth 1 origin -- '$(touch pwned)')" in run.err
    odd = diff(repo, "a\nb")
    assert "git fetch --depth 1 origin -- REVISION)" in odd.err
    assert "\n" not in odd.err.rstrip("\n")


LINKED_PLAN = {
    "content/2026-Q4/secret/_defaults.yaml": "visibility: internal\n",
    "content/2026-Q4/secret/plan.md": objective("title: Secret plan\nowner: acme"),
    "content/2026-Q4/public/_defaults.yaml": "visibility: public\n",
}


def test_a_link_in_content_shows_in_the_diff(tmp_path: Path, scratch: Path, repo: Path) -> None:
    """Diff once left links out, and said "No changes to the OKRs" of a change that
    published an internal objective through one."""
    base = commit(repo, LINKED_PLAN)
    os.symlink("../secret/plan.md", repo / "content/2026-Q4/public/launch.md")
    commit(repo, {})
    assert introduced(diff(repo, base)) == [
        ("content/2026-Q4/public/launch.md", "error", "symlink")
    ]
    commit(repo, {"okrpub.yaml": "follow_symlinks: true\n"})
    run = diff(repo, base)
    assert introduced(run) == []
    added = [(o["id"], o["title"]) for o in json.loads(run.out)["objectives"]]
    assert added == [("launch", "Secret plan")]  # what the link points to
    assert_nothing_left(tmp_path, scratch)


def test_an_allowed_link_is_followed_only_inside_the_revision(
    tmp_path: Path, scratch: Path, repo: Path
) -> None:
    """Links lead to the revision's files anywhere in the project, never out of it."""
    secret = tmp_path / "repo" / ".git" / "secret.md"  # not in any revision
    secret.write_text(objective("title: Outside\nowner: acme"), encoding="utf-8")
    base = commit(repo, {"okrpub.yaml": "follow_symlinks: true\n"})
    linked = {"common/ops.md": objective("title: Shared ops\nowner: acme")}
    os.makedirs(repo / "content/2026-Q4/links")
    os.symlink("../../../common/ops.md", repo / "content/2026-Q4/links/ops.md")
    os.symlink(secret, repo / "content/2026-Q4/links/absolute.md")
    os.symlink("../../../../outside.md", repo / "content/2026-Q4/links/up.md")
    commit(repo, linked)
    run = diff(repo, base)
    assert introduced(run) == [
        ("content/2026-Q4/links/absolute.md", "error", "symlink"),
        ("content/2026-Q4/links/up.md", "error", "symlink"),
    ]
    assert [o["title"] for o in json.loads(run.out)["objectives"]] == ["Shared ops"]
    assert_nothing_left(tmp_path, scratch)


def test_names_that_are_not_utf8_in_a_revision(tmp_path: Path, scratch: Path, repo: Path) -> None:
    with open(os.fsencode(repo / "content/2026-Q4") + b"/bad\xff.md", "w") as file:
        file.write(objective("title: Bad\nowner: acme"))
    head = commit(repo, {})
    assert introduced(diff(repo, "HEAD~1", head)) == [
        ("content/2026-Q4/bad\\xff.md", "error", "encoding")
    ]
    assert_nothing_left(tmp_path, scratch)
