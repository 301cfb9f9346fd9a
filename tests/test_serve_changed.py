"""``serve``'s rebuilds look only at what an edit changed: the counts of what was looked at,
and the bytes of a clean build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cachetools import CACHE
from rebuildtools import TODAY, Project

from okrpub.engine.build import BuildOptions
from okrpub.engine.cache import DATABASE
from okrpub.engine.results import LINT
from okrpub.engine.stats import FILES_LOOKED_AT, FILES_PARSED
from okrpub.serve.live import LiveSite

EDITED = "content/2026-Q4/tom/payments-expert.md"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "project")


def test_an_edit_looks_only_at_the_file_it_changed(project: Project) -> None:
    """While the content has the same files, a load looks up what the edited file gives,
    and takes every other file's as it was; a new file, or a changed ``_defaults.yaml``
    (which every file below it depends on), looks at them all."""
    project.rebuild()
    every = project.stats[FILES_LOOKED_AT]  # the files that give something: not _defaults.yaml
    assert every > 20
    project.edit("content/2026-Q4/tom/payments-expert.md", "title: ", "title: Edited ")
    files = project.rebuild()
    assert (project.stats[FILES_LOOKED_AT], project.stats[FILES_PARSED]) == (1, 1)
    assert b"Edited " in files["objectives/payments-expert/index.html"]
    assert files == project.clean_build()
    project.edit("content/2026-Q4/tom/_defaults.yaml", "owner: tom", "owner: tom\ntags: [x]")
    files = project.rebuild()
    assert project.stats[FILES_LOOKED_AT] == every
    assert files == project.clean_build()
    project.write(
        "content/2026-Q4/tom/extra.md",
        "---\ntitle: An extra objective\n"
        "key_results:\n  - {title: One, target: 3, start: 0}\n---\n",
    )
    files = project.rebuild()
    assert project.stats[FILES_LOOKED_AT] == every + 1
    assert files == project.clean_build()
    project.edit("content/2026-Q4/tom/extra.md", "title: ", "title: Edited ")
    project.edit("content/2026-Q4/tom/payments-expert.md", "title: ", "title: Again ")
    files = project.rebuild()
    assert project.stats[FILES_LOOKED_AT] == 2
    assert files == project.clean_build()


def test_a_live_rebuild_writes_what_the_edit_changed_to_the_store(tmp_path: Path) -> None:
    """``serve`` holds a rebuild's writes to the store and makes them together at its end:
    once it reports, the store has the edited file's and objective's new rows."""
    project = Project(tmp_path / "project")
    logged: list[str] = []
    site = LiveSite(project.root, BuildOptions(Path()), lambda _: TODAY, logged.append)
    try:
        site.rebuild()
        files, warnings = stored(project.root, "files"), stored(project.root, "results")
        project.edit(EDITED, "title: ", "title: Edited ")
        site.rebuild(frozenset({EDITED}))
        assert logged[-1].startswith("rebuilt")
    finally:
        site.close()
    now = stored(project.root, "files")
    assert {key for key in now if now[key] != files[key]} == {EDITED}
    changed = {key for key, row in stored(project.root, "results").items() if warnings[key] != row}
    assert (LINT, "payments-expert") in changed


def stored(root: Path, table: str) -> dict[object, tuple[bytes, ...]]:
    """The rows of one of the store's tables, by key: ``files`` by path, ``results`` by
    kind and key."""
    keys = "path" if table == "files" else "kind, key"
    with sqlite3.connect(root / CACHE / DATABASE) as connection:
        rows = connection.execute(f"SELECT {keys}, digest FROM {table}")
        return {row[:-1] if table != "files" else row[0]: row[-1:] for row in rows}
