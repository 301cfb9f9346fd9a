"""A revision's analysis: the project as it was in one commit, for ``okrpub diff``."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from okrpub.engine.project import Analysis, analyse, read_config
from okrpub.errors import UsageError
from okrpub.git.repo import export_revision


def analyse_revision(root: Path, commit: str, today: dt.date) -> Analysis:
    """The analysis of the project as it was in ``commit``, read from git alone into a
    temporary folder outside the project (:func:`~okrpub.git.repo.export_revision`).
    A broken configuration in that commit is a usage error."""
    with tempfile.TemporaryDirectory(prefix="okrpub-") as folder:
        snapshot = Path(folder)
        problems = export_revision(root, commit, snapshot)
        config, errors = read_config(snapshot)
        if errors.has_errors():
            raise UsageError(
                f"the project in {commit[:12]} cannot be read: {errors.errors[0].as_text()}"
            )
        analysis = analyse(snapshot, config, today)
        analysis.diagnostics.extend(problems.as_found())
        return analysis
