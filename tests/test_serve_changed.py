"""``serve``'s rebuilds look only at what an edit changed: the counts of what was looked at,
and the bytes of a clean build."""

from __future__ import annotations

from pathlib import Path

import pytest
from rebuildtools import Project

from okrpub.engine.stats import FILES_LOOKED_AT, FILES_PARSED


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
