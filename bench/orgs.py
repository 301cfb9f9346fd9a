"""Generated organisations for the benchmarks, cached in ``bench/.orgs/``.

``generate(objectives)`` runs ``bench/generate.py`` (seed 1) once per size
and returns the project folder (``okrpub.yaml`` and ``content/``);
``hugo_site(objectives)`` returns the Hugo twin it writes from the same
content in the same run. Treat both as read-only: a benchmark that edits
files, or runs a program that writes into its project, works on a copy
(``scratch_copy``). The cached folders are named after the generator's
digest, so that a changed generator writes them anew.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from generate import write_org

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
ORGS = HERE / ".orgs"
#: Names the cached organisations: those of an older generator are not used.
GENERATOR_DIGEST = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
#: The date every benchmark runs on (a Thursday in 2026-Q4).
TODAY = "2026-11-26"


def generate(objectives: int) -> Path:
    """The okrpub project of ``objectives`` objectives."""
    return _generated(objectives)[0]


def hugo_site(objectives: int) -> Path:
    """The Hugo site with the same content as ``generate(objectives)``."""
    return _generated(objectives)[1]


def _generated(objectives: int) -> tuple[Path, Path]:
    """Both sides, written together into a partial folder that is renamed when complete,
    so an interrupted run never leaves a cache that looks whole."""
    name = f"{objectives}-{GENERATOR_DIGEST}"
    project, site = ORGS / f"org{name}", ORGS / f"hugo{name}"
    if (project / "okrpub.yaml").exists() and (site / "hugo.toml").exists():
        return project, site
    partial = ORGS / f".partial{name}"
    for folder in (partial, project, site):
        shutil.rmtree(folder, ignore_errors=True)
    write_org(objectives, partial / "org", hugo=partial / "hugo")
    (partial / "org").rename(project)
    (partial / "hugo").rename(site)
    partial.rmdir()
    return project, site


def scratch_copy(project: Path, folder: Path) -> Path:
    """Copy an okrpub project (its configuration and content) into ``folder``."""
    shutil.copytree(project / "content", folder / "content")
    shutil.copy2(project / "okrpub.yaml", folder / "okrpub.yaml")
    return folder


def okrpub_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "okrpub", *arguments]


def okrpub_environment(**extra: str) -> dict[str, str]:
    """The environment for an okrpub subprocess: this checkout's okrpub comes first on
    the path, whichever copy is installed, and its modules are compiled once, as an
    installed package's are (``PYTHONDONTWRITEBYTECODE`` would compile them at every run)."""
    path = os.pathsep.join(p for p in (str(REPOSITORY), os.environ.get("PYTHONPATH")) if p)
    environment = {**os.environ, "PYTHONPATH": path, **extra}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment
