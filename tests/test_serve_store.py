"""What ``serve``'s rebuilds keep in the store: after an edit, the rows of what the edit
changed are written, and the rows of everything else stay, so that the next ``check`` or
``build`` needs to read and lint again only what the edit changed."""

from __future__ import annotations

import time
from pathlib import Path

from cachetools import results
from rebuildtools import Project

from okrpub.engine.results import LINT
from okrpub.engine.signatures import MARGIN_NS, STAT

TITLED = "content/2026-Q4/smokey/grow-to-1m-online.md"


def test_a_rebuild_after_an_edit_keeps_the_other_files_and_objectives_rows(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path / "example")
    time.sleep(MARGIN_NS / 1e9 + 0.2)  # old enough for the files to be known by signature
    project.rebuild()
    signatures, warnings = results(project.root, STAT), results(project.root, LINT)
    assert TITLED in signatures and "grow-to-1m-online" in warnings
    project.edit(TITLED, "title: ", "title: X ")
    assert project.rebuild() == project.clean_build()
    assert results(project.root, STAT) == signatures  # the edited file is too new to keep
    after = results(project.root, LINT)
    assert after.keys() == warnings.keys()
    assert {key for key in after if after[key] != warnings[key]} <= {"grow-to-1m-online"}
