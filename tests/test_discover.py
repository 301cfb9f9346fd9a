"""Discovery: which files are content, and what each one is."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projecttools import objective
from sitetools import build, write_files

from okrpub.diagnostics import Diagnostics
from okrpub.source.discover import Kind, discover, rediscover


def found(root: Path, content_dir: str = "content") -> dict[str, Kind]:
    diagnostics = Diagnostics()
    files = discover(root, content_dir, diagnostics)
    assert [d.as_text() for d in diagnostics] == []
    return {source.path: source.kind for source in files}


def test_classification(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "content/units/acme.md": "",
            "content/units/teams/sales.md": "",
            "content/pages/about.md": "",
            "content/pages/help/faq.md": "",
            "content/2026-Q4/_defaults.yaml": "",
            "content/units/_defaults.yaml": "",
            "content/2026-Q4/acme/grow.md": "",
            "content/grow.md": "",
            "content/units.md": "",
            "content/other/units/x.md": "",
            "okrpub.yaml": "",
            "README.md": "",
            "elsewhere/units/y.md": "",
        },
    )
    assert found(tmp_path) == {
        "content/2026-Q4/_defaults.yaml": Kind.DEFAULTS,
        "content/2026-Q4/acme/grow.md": Kind.OBJECTIVE,
        "content/grow.md": Kind.OBJECTIVE,
        "content/other/units/x.md": Kind.OBJECTIVE,
        "content/pages/about.md": Kind.PAGE,
        "content/pages/help/faq.md": Kind.PAGE,
        "content/units.md": Kind.OBJECTIVE,
        "content/units/_defaults.yaml": Kind.DEFAULTS,
        "content/units/acme.md": Kind.UNIT,
        "content/units/teams/sales.md": Kind.UNIT,
    }


def test_order_is_stable_and_sorted(tmp_path: Path) -> None:
    names = ["b.md", "a.md", "c/z.md", "c/a.md", "B.md"]
    write_files(tmp_path, {f"content/{name}": "" for name in names})
    paths = list(found(tmp_path))
    assert paths == sorted(paths)
    assert paths == [
        "content/B.md",
        "content/a.md",
        "content/b.md",
        "content/c/a.md",
        "content/c/z.md",
    ]


@pytest.mark.parametrize(
    "name",
    [
        ".#grow.md",  # Emacs lock file
        "#grow.md#",  # Emacs auto-save
        "grow.md~",  # backup
        "~grow.md",
        ".grow.md.swp",  # Vim swap file
        ".grow.md",
        "grow.md___jb_tmp___",  # JetBrains safe write
        "grow.md___jb_old___",
        "README.md",
        "readme.md",
        "ReadMe.md",
        "grow.txt",
        "grow.markdown",
        "defaults.yaml",
        "_defaults.yml",
    ],
)
def test_ignored_files(tmp_path: Path, name: str) -> None:
    write_files(tmp_path, {f"content/2026-Q4/{name}": "", "content/2026-Q4/grow.md": ""})
    assert found(tmp_path) == {"content/2026-Q4/grow.md": Kind.OBJECTIVE}


@pytest.mark.parametrize("folder", [".git", ".obsidian", ".hidden/deeper", "#backup#", "old~"])
def test_ignored_folders(tmp_path: Path, folder: str) -> None:
    write_files(tmp_path, {f"content/{folder}/x.md": "", "content/units/acme.md": ""})
    assert found(tmp_path) == {"content/units/acme.md": Kind.UNIT}


def test_content_dir_is_configurable(tmp_path: Path) -> None:
    write_files(tmp_path, {"okrs/units/a.md": "", "content/units/b.md": ""})
    assert found(tmp_path, "okrs") == {"okrs/units/a.md": Kind.UNIT}


def test_missing_content_dir_has_no_files(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    assert discover(tmp_path, "content", diagnostics) == []
    assert not diagnostics.sorted()  # the configuration stage reports it


def test_symlinks_followed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_files(root, {"content/units/a.md": "", "shared/b.md": "", ".git/config": ""})
    write_files(tmp_path, {"outside/c.md": "", "outside/dir/d.md": ""})
    os.symlink(root / "shared/b.md", root / "content/units/b.md")  # inside: followed
    os.symlink(root / "content", root / "content/units/loop")  # a loop: visited once
    os.symlink(tmp_path / "outside/c.md", root / "content/units/c.md")  # outside: refused
    os.symlink(tmp_path / "outside/dir", root / "content/units/dir")  # outside: refused
    os.symlink("../../.git/config", root / "content/units/e.md")  # hidden: refused
    os.symlink("f.md", root / "content/units/f.md")  # to itself: unreadable, no crash
    os.symlink("g", root / "content/units/g")
    diagnostics = Diagnostics()
    links: list[str] = []
    files = discover(root, "content", diagnostics, links, follow_links=True)
    assert [(source.path, source.kind) for source in files] == [
        ("content/units/a.md", Kind.UNIT),
        ("content/units/b.md", Kind.UNIT),
        ("content/units/f.md", Kind.UNIT),
    ]
    assert links == [
        "content/units/b.md",
        "content/units/f.md",
        "content/units/g",
        "content/units/loop",
    ]
    outside = "symbolic link points outside the project; okrpub does not follow it [symlink]"
    assert [d.as_text() for d in diagnostics] == [
        f"content/units/c.md:1:1: error: {outside}",
        f"content/units/dir:1:1: error: {outside}",
        "content/units/e.md:1:1: error: symbolic link points into a hidden or ignored place "
        "(such as .git); okrpub does not follow it [symlink]",
    ]


def test_symlinks_refused_by_default(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/units/a.md": "", "shared/b.md": ""})
    os.symlink(tmp_path / "shared/b.md", tmp_path / "content/units/b.md")
    os.symlink(tmp_path / "shared", tmp_path / "content/shared")
    diagnostics = Diagnostics()
    files = discover(tmp_path, "content", diagnostics)
    assert [source.path for source in files] == ["content/units/a.md"]
    assert [(d.location.path, d.rule) for d in diagnostics] == [
        ("content/shared", "symlink"),
        ("content/units/b.md", "symlink"),
    ]


# -- through the command line ----------------------------------------------------------------

LINKED_PLAN = {
    "content/2026-Q4/secret/_defaults.yaml": "visibility: internal\n",
    "content/2026-Q4/secret/plan.md": objective("title: Secret plan\nowner: acme"),
    "content/2026-Q4/public/_defaults.yaml": "visibility: public\n",
    "content/2026-Q4/public/shown.md": objective("title: Shown plan\nowner: acme"),
}
REFUSED = (
    "error: symbolic link: okrpub follows links only when okrpub.yaml sets "
    "follow_symlinks: true; put the file or folder itself here, or set that key [symlink]"
)


def published(site: Path) -> bytes:
    return b"".join(path.read_bytes() for path in site.rglob("*") if path.is_file())


def test_a_link_cannot_publish_what_it_points_to(make_project, check, tmp_path: Path) -> None:
    """A link in a public folder took that folder's defaults: ``--public`` published
    the internal objective it points to."""
    project = make_project(LINKED_PLAN)
    os.symlink("../secret/plan.md", project / "content/2026-Q4/public/launch.md")
    result = check(project)
    assert (result.code, result.lines) == (1, [f"content/2026-Q4/public/launch.md:1:1: {REFUSED}"])
    run = build(project, tmp_path / "site", "--public")
    assert run.code == 1
    assert b"Secret plan" not in published(tmp_path / "site")
    (project / "okrpub.yaml").write_text("follow_symlinks: true\n", encoding="utf-8")
    assert check(project).code == 0  # allowed: the link is read as it is where it stands
    assert build(project, tmp_path / "allowed").code == 0
    assert b"Secret plan" in published(tmp_path / "allowed")


@pytest.mark.parametrize("allowed", [False, True])
def test_a_content_folder_linked_outside_the_project_is_not_read(
    make_project, check, tmp_path: Path, allowed: bool
) -> None:
    outside = write_files(
        tmp_path / "outside", {"2026-Q4/x/leak.md": objective("title: Leaked\nowner: acme")}
    )
    project = make_project({"okrpub.yaml": f"follow_symlinks: {str(allowed).lower()}\n"})
    shutil.rmtree(project / "content")
    os.symlink(outside, project / "content")
    result = check(project)
    message = (
        "error: symbolic link points outside the project; okrpub does not follow it [symlink]"
        if allowed
        else REFUSED
    )
    assert (result.code, result.lines) == (1, [f"content:1:1: {message}"])
    run = build(project, tmp_path / "site", "--public")
    assert run.code == 1
    assert b"Leaked" not in published(tmp_path / "site")


def test_links_that_loop_are_no_crash(make_project, check) -> None:
    project = make_project({"okrpub.yaml": "follow_symlinks: true\n"})
    os.symlink("self.md", project / "content/2026-Q4/self.md")
    os.symlink("folder", project / "content/2026-Q4/folder")
    result = check(project)
    assert result.lines == [
        "content/2026-Q4/self.md:1:1: error: cannot read file: "
        "Too many levels of symbolic links [read]"
    ]


def test_names_that_are_not_utf8_are_errors(make_project, check, tmp_path: Path) -> None:
    project = make_project({"content/2026-Q4/good/x.md": objective("title: Good\nowner: acme")})
    folder = os.fsencode(project / "content/2026-Q4")
    with open(folder + b"/bad\xff.md", "w", encoding="utf-8") as file:
        file.write(objective("title: Bad\nowner: acme"))
    os.mkdir(folder + b"/dir\xfe\xfd")
    with open(folder + b"/dir\xfe\xfd/x.md", "w", encoding="utf-8") as file:
        file.write(objective("title: Inside\nowner: acme"))
    result = check(project)
    assert (result.code, result.lines) == (
        1,
        [
            "content/2026-Q4/bad\\xff.md:1:1: error: file name is not UTF-8 (byte 0xff at "
            "offset 3); okrpub does not read it: rename it in UTF-8 [encoding]",
            "content/2026-Q4/dir\\xfe\\xfd:1:1: error: folder name is not UTF-8 (byte 0xfe at "
            "offset 3); okrpub does not read it: rename it in UTF-8 [encoding]",
        ],
    )
    data = json.loads(check(project, "--format", "json").out)
    assert [d["path"] for d in data] == [
        "content/2026-Q4/bad\\xff.md",
        "content/2026-Q4/dir\\xfe\\xfd",
    ]
    run = build(project, tmp_path / "site")
    assert run.code == 1 and "bad\\xff.md" in run.out


_NAMES = st.sampled_from(
    ["a.md", "b.md", "_defaults.yaml", "notes.txt", ".hidden.md", "x.md~", "README.md"]
)
_FOLDERS = st.sampled_from(["content", "content/units", "content/2026-Q4/acme", "content/pages"])
_CHANGES = st.lists(
    st.tuples(st.sampled_from(["write", "remove"]), _FOLDERS, _NAMES), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(before=_CHANGES, changes=_CHANGES)
def test_rediscovery_of_changed_files_equals_a_whole_discovery(
    tmp_path_factory: pytest.TempPathFactory,
    before: list[tuple[str, str, str]],
    changes: list[tuple[str, str, str]],
) -> None:
    """What ``serve`` does with the paths its watcher reports: the same as walking again."""
    root = tmp_path_factory.mktemp("rediscover")
    (root / "content").mkdir()
    for operation, folder, name in before:
        _apply(root, operation, f"{folder}/{name}")
    first = discover(root, "content", Diagnostics())
    changed = set()
    for operation, folder, name in changes:
        _apply(root, operation, f"{folder}/{name}")
        changed.add(f"{folder}/{name}")
    again = rediscover(first, frozenset(changed), root, "content")
    assert again == discover(root, "content", Diagnostics())


def _apply(root: Path, operation: str, relative: str) -> None:
    path = root / relative
    if operation == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def test_rediscovery_leaves_links_and_other_folders_to_a_whole_discovery(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/a.md": "", "elsewhere/b.md": ""})
    first = discover(tmp_path, "content", Diagnostics())
    assert rediscover(first, frozenset({"elsewhere/b.md"}), tmp_path, "content") is None
    (tmp_path / "content/link.md").symlink_to(tmp_path / "content/a.md")
    assert rediscover(first, frozenset({"content/link.md"}), tmp_path, "content") is None
    unchanged = rediscover(first, frozenset({"content/a.md"}), tmp_path, "content")
    assert unchanged is first
