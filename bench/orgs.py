"""Generated organisations for the benchmarks, cached in ``bench/.orgs/``.

``generate(objectives)`` runs ``../shared/bench/gen_org.py`` once per size
and returns the project folder (``okrpub.yaml`` and ``content/``);
``hugo_site(objectives)`` returns the Hugo site gen_org writes from the same
content in the same run (``--hugo``). Treat both as read-only: a benchmark
that edits files, or runs a program that writes into its project, works on a
copy (``scratch_copy``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
ORGS = HERE / ".orgs"
GEN_ORG = REPOSITORY.parent / "shared" / "bench" / "gen_org.py"
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
    project, site = ORGS / f"org{objectives}", ORGS / f"hugo{objectives}"
    if (project / "okrpub.yaml").exists() and (site / "hugo.toml").exists():
        return project, site
    partial = ORGS / f".partial{objectives}"
    for folder in (partial, project, site):
        shutil.rmtree(folder, ignore_errors=True)
    _gen_org().generate(objectives, partial / "org", hugo=partial / "hugo")
    (partial / "org").rename(project)
    (partial / "hugo").rename(site)
    partial.rmdir()
    return project, site


def _gen_org() -> object:
    spec = importlib.util.spec_from_file_location("gen_org", GEN_ORG)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {GEN_ORG}")
    gen_org = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_org)
    return gen_org


def scratch_copy(project: Path, folder: Path) -> Path:
    """Copy an okrpub project (its configuration and content) into ``folder``."""
    shutil.copytree(project / "content", folder / "content")
    shutil.copy2(project / "okrpub.yaml", folder / "okrpub.yaml")
    return folder


def okrpub_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "okrpub", *arguments]


def okrpub_environment(**extra: str) -> dict[str, str]:
    """The environment for an okrpub subprocess: this checkout's okrpub comes first on
    the path, whichever copy is installed."""
    path = os.pathsep.join(p for p in (str(REPOSITORY), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}
