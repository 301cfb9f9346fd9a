"""``okrpub init`` never writes through a symbolic link, and tells git what not to keep.

A folder ``init`` is run in may come with symbolic links (a cloned
repository): a file name that is a link, even to nothing yet, is never
written through, and a folder may be a link only to a folder inside the
project. Either way ``init`` refuses before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sitetools import TODAY, run_okrpub

from okrpub.edit.scaffold import project_files


def init(folder: Path) -> tuple[int, str, str]:
    result = run_okrpub(folder.parent, "init", str(folder), "--today", TODAY)
    return result.code, result.out, result.err


def tree(folder: Path) -> dict[str, str]:
    """Every file and link under ``folder`` (a link as ``-> target``)."""
    return {
        path.relative_to(folder).as_posix(): (
            f"-> {path.readlink()}" if path.is_symlink() else path.read_text(encoding="utf-8")
        )
        for path in sorted(folder.rglob("*"))
        if path.is_symlink() or path.is_file()
    }


@pytest.mark.parametrize(
    "name", ["okrpub.yaml", "content/units/company.md", "content/pages/about.md"]
)
def test_a_file_name_that_is_a_link_to_nothing_yet_is_not_written_through(
    tmp_path: Path, name: str
) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    outside.mkdir()
    link = project / name
    link.parent.mkdir(parents=True)
    link.symlink_to(outside / "planted")
    code, out, err = init(project)
    assert code == 2
    assert err == f"okrpub: error: refusing to overwrite existing files: {project / name}\n"
    assert out == ""
    assert list(outside.iterdir()) == []
    assert tree(project) == {name: f"-> {outside / 'planted'}"}


@pytest.mark.parametrize("folder", ["content", "content/units", "content/2026-Q4"])
def test_a_folder_that_links_outside_the_project_is_refused(tmp_path: Path, folder: str) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    outside.mkdir()
    (project / folder).parent.mkdir(parents=True, exist_ok=True)
    (project / folder).symlink_to(outside, target_is_directory=True)
    code, _, err = init(project)
    assert code == 2
    assert err == (
        f"okrpub: error: refusing to write into {project}: {folder} is a symbolic link to "
        "outside the project; okrpub does not follow it\n"
    )
    assert list(outside.iterdir()) == []
    assert tree(project) == {folder: f"-> {outside}"}


def test_a_folder_that_links_inside_the_project_is_used(tmp_path: Path) -> None:
    """As ``check`` follows it, so does ``init``."""
    project = tmp_path / "project"
    (project / "okrs").mkdir(parents=True)
    (project / "content").symlink_to(project / "okrs", target_is_directory=True)
    code, _, err = init(project)
    assert (code, err) == (0, "")
    assert (project / "okrs/units/company.md").is_file()
    assert (project / "content").is_symlink()


def test_init_writes_a_gitignore_for_the_site_and_the_cache(tmp_path: Path) -> None:
    project = tmp_path / "project"
    assert init(project)[0] == 0
    git = shutil.which("git")
    assert git is not None
    subprocess.run([git, "init", "-q"], cwd=project, check=True)
    assert run_okrpub(project, "build", "--today", TODAY).code == 0
    assert (project / "site/index.html").is_file()
    assert any((project / ".okrpub-cache").iterdir())
    status = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    untracked = sorted(line.removeprefix("?? ") for line in status.splitlines())
    assert untracked == sorted(project_files(dt.date.fromisoformat(TODAY)))


def test_an_existing_gitignore_is_kept_as_it_was(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".gitignore").write_text("*.pyc\n")
    code, out, _ = init(project)
    assert code == 0
    assert (project / ".gitignore").read_text() == "*.pyc\n"
    assert (
        f"note: {project}/.gitignore is kept as it was; "
        "make it ignore /site/, /.site.okrpub-* and /.okrpub-cache/\n" in out
    )


@pytest.mark.parametrize("today", ["2026-10-01", "2026-11-15", "2026-12-02", "2028-02-29"])
def test_a_new_project_looks_healthy_whatever_day_it_is_made(tmp_path: Path, today: str) -> None:
    """The scaffold's check-ins are dated just before the day ``init`` runs, with values on
    pace: the first site shows no warning and nothing at risk, not a page of red."""
    project = tmp_path / "okrs"
    assert run_okrpub(tmp_path, "init", str(project), "--today", today).code == 0
    checked = run_okrpub(project, "check", "--today", today, "--format", "json")
    assert (checked.code, json.loads(checked.out)) == (0, [])
    assert run_okrpub(project, "build", "--today", today).code == 0
    export = json.loads((project / "site" / "api" / "okrs.json").read_text(encoding="utf-8"))
    statuses = {
        status
        for objective in export["objectives"]
        for status in (objective["status"], *(kr["status"] for kr in objective["key_results"]))
    }
    assert statuses <= {"on_track", "done"}
