"""``check`` with the store finds the content files without walking the content folder
when no folder in it changed (:mod:`okrpub.engine.listing`), and after any change of a
folder finds exactly what ``check --no-cache`` finds."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from cachetools import GROW, checked_here, results, write_result
from sitetools import REPOSITORY, TODAY

from okrpub.engine.listing import LISTING
from okrpub.engine.project import analyse, open_cache, read_config
from okrpub.engine.signatures import MARGIN_NS
from okrpub.engine.stats import CONTENT_WALKS, FILES_PARSED, Stats

FOLDER = "content/2026-Q4/smokey"


def copy_of_example(root: Path) -> Path:
    shutil.copytree(REPOSITORY / "content", root / "content")
    shutil.copy(REPOSITORY / "okrpub.yaml", root / "okrpub.yaml")
    return root


@pytest.fixture(scope="module")
def aged_examples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Copies of the example whose folders are old enough to be known by their signature,
    made together and left to age once."""
    folder = tmp_path_factory.mktemp("aged")
    needed = len(CHANGES) + len(PLANTED) + 3  # one for each test below
    examples = [copy_of_example(folder / str(number)) for number in range(needed)]
    time.sleep(MARGIN_NS / 1e9 + 0.2)
    return examples


@pytest.fixture
def example(aged_examples: list[Path]) -> Path:
    """An aged copy of the example, checked once (its walk kept in the store)."""
    project = aged_examples.pop()
    _, stats = checked_here(project)
    assert stats[CONTENT_WALKS] == 1
    return project


def test_a_check_after_an_edit_of_a_file_walks_no_folder(example: Path) -> None:
    file = example / GROW
    file.write_text(file.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))
    found, stats = checked_here(example)
    assert (stats[CONTENT_WALKS], stats[FILES_PARSED]) == (0, 1)
    assert found == checked_here(example, cached=False)[0]


def test_an_analysis_with_the_store_walks_no_folder_and_finds_the_same(example: Path) -> None:
    """What ``build`` and ``serve`` analyse takes the files from the listing ``check`` kept."""
    file = example / GROW
    file.write_text(file.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))
    config, _ = read_config(example)
    today = dt.date.fromisoformat(TODAY)
    stats = Stats()
    cache = open_cache(example, config, True)
    analysis = analyse(example, config, today, cache, stats=stats)
    assert (stats[CONTENT_WALKS], stats[FILES_PARSED]) == (0, 1)
    walked = Stats()
    clean = analyse(example, config, today, stats=walked)
    assert walked[CONTENT_WALKS] == 1
    assert analysis.model == clean.model
    assert analysis.diagnostics.sorted() == clean.diagnostics.sorted()


def add_objective(project: Path) -> None:
    text = (project / GROW).read_text(encoding="utf-8")
    (project / FOLDER / "grow-more.md").write_text(text.replace("title: ", "title: More ", 1))


def add_folder(project: Path) -> None:
    (project / FOLDER / "more").mkdir()
    shutil.copy(project / GROW, project / FOLDER / "more" / "grow-again.md")


def add_in_a_new_empty_folder(project: Path) -> None:
    """A file in a folder that held nothing when the walk was kept."""
    (project / FOLDER / "empty").mkdir()
    checked_here(project)
    time.sleep(MARGIN_NS / 1e9 + 0.2)
    checked_here(project)
    shutil.copy(project / GROW, project / FOLDER / "empty" / "grow-again.md")


def remove_file(project: Path) -> None:
    (project / GROW).unlink()


def rename_file(project: Path) -> None:
    (project / GROW).rename(project / FOLDER / "renamed.md")


def add_link(project: Path) -> None:
    (project / FOLDER / "linked.md").symlink_to(project / GROW)


def add_name_not_in_utf8(project: Path) -> None:
    os.mkdir(os.fsencode(project / FOLDER) + b"/bad\xff")


def hide_folder(project: Path) -> None:
    (project / FOLDER).rename(project / "content/2026-Q4/.smokey")


CHANGES: dict[str, Callable[[Path], None]] = {
    "a new file": add_objective,
    "a new folder": add_folder,
    "a file in a folder that was empty": add_in_a_new_empty_folder,
    "a removed file": remove_file,
    "a renamed file": rename_file,
    "a symbolic link": add_link,
    "a name that is not UTF-8": add_name_not_in_utf8,
    "a folder hidden": hide_folder,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES)
def test_a_change_of_a_folder_is_found_as_without_the_store(
    example: Path, change: Callable[[Path], None]
) -> None:
    before, _ = checked_here(example)
    change(example)
    found, stats = checked_here(example)
    assert stats[CONTENT_WALKS] == 1
    assert found == checked_here(example, cached=False)[0] != before


def test_a_walk_that_found_a_link_is_walked_again(example: Path) -> None:
    """A link is reported by walking, so the walk that found it is not kept."""
    add_link(example)
    found, _ = checked_here(example)
    time.sleep(MARGIN_NS / 1e9 + 0.2)
    again, stats = checked_here(example)
    assert stats[CONTENT_WALKS] == 1
    assert again == found


def listing(folders: list[tuple[str, bytes]], files: list[str]) -> bytes:
    return msgspec.msgpack.encode([folders, files])


def kept_folders(project: Path) -> list[tuple[str, bytes]]:
    folders: list[tuple[str, bytes]] = msgspec.msgpack.decode(results(project, LISTING)[""])[0]
    return folders


#: Listings planted in the store, from the folders the kept one names.
PLANTED: dict[str, Callable[[list[tuple[str, bytes]]], bytes]] = {
    "garbage": lambda folders: b"not msgpack",
    "no folder": lambda folders: listing([], []),
    "a file outside the content folder": lambda folders: listing(folders, ["../okrpub.md"]),
    "a file in a folder not named": lambda folders: listing(folders, ["nowhere/x.md"]),
    "a folder outside": lambda folders: listing([*folders, ("../", folders[0][1])], []),
    "a file named twice": lambda folders: listing(folders, ["2026-Q4/a.md", "2026-Q4/a.md"]),
    "a NUL in a name": lambda folders: listing(folders, ["2026-Q4/a\0.md"]),
    "no files": lambda folders: listing(folders, []),
}


@pytest.mark.parametrize("planted", PLANTED.values(), ids=PLANTED)
def test_a_planted_listing_is_a_walk_or_what_it_names(
    example: Path, planted: Callable[[list[tuple[str, bytes]]], bytes]
) -> None:
    """A listing that does not hold together costs a walk; one that does names files of
    the content folder, as a planted entry could always show what the planter wrote."""
    write_result(example, LISTING, "", planted(kept_folders(example)))
    found, stats = checked_here(example)
    assert stats[CONTENT_WALKS] == (planted is not PLANTED["no files"])
    if stats[CONTENT_WALKS]:
        assert found == checked_here(example, cached=False)[0]
