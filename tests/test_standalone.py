"""The repository stands alone: a clone with nothing beside it runs its tests and benchmark.

No file of the project names a folder beside the repository; the benchmark's
organisation generator (``bench/generate.py``) is the project's own and gives
the same bytes for the same arguments; test modules import nothing from each
other (shared helpers live in ``tests/*tools.py``); and the unit tests are
collected without Playwright, whose browser tests are then skipped.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from projecttools import write_org
from sitetools import REPOSITORY, TODAY, run_okrpub, tree_of

#: A path into a folder beside the repository, written with either separator, and a
#: folder beside the repository made in code from the repository's parent (both built
#: from parts, so that this file does not name one itself).
OUTSIDE = re.compile(
    re.escape(b"..") + rb"[/\\]" + b"shared"
    + rb"|\.parents?(?:\[\d+\])?\s*/\s*[\"']" + b"shared"
)  # fmt: skip


def repository_files() -> list[Path]:
    """The files git tracks (and new ones it does not ignore); without git, or outside a
    git checkout, every file but those of ``.git``."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPOSITORY,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return walked_files()
    paths = (REPOSITORY / os.fsdecode(name) for name in listed.split(b"\0") if name)
    return [path for path in paths if path.is_symlink() or path.is_file()]


def walked_files() -> list[Path]:
    files = []
    for folder, folders, names in os.walk(REPOSITORY):
        folders[:] = [name for name in folders if name != ".git"]
        files += [Path(folder, name) for name in names if name != ".git"]
    return files


def stored_text(path: Path) -> bytes:
    """What git stores for ``path``: its bytes, or a symbolic link's target."""
    return os.fsencode(os.readlink(path)) if path.is_symlink() else path.read_bytes()


def test_no_file_names_a_folder_beside_the_repository() -> None:
    files = repository_files()
    assert REPOSITORY / "README.md" in files
    naming = [
        f"{path.relative_to(REPOSITORY)}: {match.group().decode()}"
        for path in files
        if (match := OUTSIDE.search(stored_text(path)))
    ]
    assert not naming, "these files name a path outside the repository:\n" + "\n".join(naming)


def test_test_modules_import_nothing_from_each_other() -> None:
    """Neither a test module nor ``conftest``: shared helpers live in ``tests/*tools.py``."""
    found = []
    for path in sorted((REPOSITORY / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            top = {name.partition(".")[0] for name in names}
            found += [f"{path.name}: {t}" for t in top if t == "conftest" or t.startswith("test_")]
    assert not found, found


def test_the_unit_tests_are_collected_without_playwright() -> None:
    """As for a contributor without the ``test`` extra: the browser modules are skipped."""
    blocked = "import sys; sys.modules['playwright'] = sys.modules['axe_playwright_python'] = None"
    arguments = ["--collect-only", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_periods.py"]
    arguments += ["tests/test_browser.py", "tests/test_serve_browser.py"]
    run = f"{blocked}; import pytest; sys.exit(pytest.main({arguments!r}))"
    path = os.pathsep.join(p for p in (str(REPOSITORY), os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", run],
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tests/test_periods.py::" in done.stdout
    for module in ("test_browser.py", "test_serve_browser.py"):
        assert f"SKIPPED [1] tests/{module}" in done.stdout
        assert f"tests/{module}::" not in done.stdout


# -- the benchmark's organisation generator ---------------------------------------------


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8").split("---\n")[1]
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_the_generator_gives_the_same_bytes_for_the_same_arguments(tmp_path: Path) -> None:
    org = write_org(40, tmp_path / "first" / "org", hugo=tmp_path / "first" / "hugo")
    write_org(40, tmp_path / "again" / "org", hugo=tmp_path / "again" / "hugo")
    write_org(40, tmp_path / "other" / "org", seed=2, hugo=tmp_path / "other" / "hugo")
    first = tree_of(tmp_path / "first")
    # objectives and units on both sides; okrpub.yaml; hugo.toml and two layouts
    assert len(first) == 2 * (40 + len(org.units)) + 1 + 3
    assert tree_of(tmp_path / "again") == first
    other = tree_of(tmp_path / "other")
    assert other.keys() == first.keys()
    assert other != first


def test_the_generated_organisation_holds_every_kind_of_item(tmp_path: Path) -> None:
    project = tmp_path / "org"
    org = write_org(60, project)
    units = {path.stem: front_matter(path) for path in (project / "content/units").glob("*.md")}
    assert units.keys() == org.units.keys()
    assert Counter(unit["kind"] for unit in units.values()) == {
        "company": 1,
        "team": 3,  # a department and two teams
        "person": 10,
    }
    assert {unit["visibility"] for unit in units.values()} == {"public", "internal"}
    objectives = [front_matter(path) for path in (project / "content").glob("2026-Q*/*/*.md")]
    assert len(objectives) == 60
    assert {o["period"] for o in objectives} == {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}
    assert {o["visibility"] for o in objectives} == {"public", "internal"}
    assert sum("parent" in o for o in objectives) > 40
    assert {len(o["key_results"]) for o in objectives} == {3, 4, 5}
    key_results = [kr for o in objectives for kr in o["key_results"]]
    binary = [kr for kr in key_results if "done" in kr]
    lower_is_better = [kr for kr in key_results if kr.get("target", 0) < kr.get("start", 0)]
    assert binary and lower_is_better and len(binary) + len(lower_is_better) < len(key_results)
    checkins = [c for kr in key_results for c in kr["checkins"]]
    assert all(kr["checkins"] for kr in key_results)
    assert any("note" in c for c in checkins) and not all("note" in c for c in checkins)
    result = run_okrpub(project, "check", "--today", TODAY)
    assert result.code == 0, result.out
    assert "checked 60 objectives and 14 units: 0 errors" in result.err


def test_the_hugo_twin_holds_the_same_content(tmp_path: Path) -> None:
    org = write_org(30, tmp_path / "org", hugo=tmp_path / "hugo")
    content = tmp_path / "org" / "content"
    okrpub_files = {path.name: path.read_bytes() for path in content.glob("2026-Q*/*/*.md")}
    hugo_files = tree_of(tmp_path / "hugo" / "content" / "objectives")
    assert hugo_files == okrpub_files
    assert {Path(name).stem for name in tree_of(tmp_path / "hugo" / "content" / "units")} == set(
        org.units
    )
    layout = (tmp_path / "hugo" / "layouts" / "_default" / "single.html").read_text()
    for shown in (".title", ".start", ".target", ".unit", ".value", ".confidence"):
        assert "{{ " + shown + " }}" in layout


def test_the_generator_replaces_no_file_and_follows_no_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("mine\n", encoding="utf-8")
    units = tmp_path / "org" / "content" / "units"
    units.mkdir(parents=True)
    (units / "acme.md").symlink_to(outside)
    with pytest.raises(FileExistsError):
        write_org(10, tmp_path / "org")
    assert outside.read_text(encoding="utf-8") == "mine\n"
