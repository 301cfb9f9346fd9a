"""A revision's analysis: the project as it was in one commit, for ``okrpub diff``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from okrpub.engine.project import Analysis, analyse, read_config, today_from
from okrpub.errors import UsageError
from okrpub.git.repo import export_revision


def analyse_revision(root: Path, commit: str, today: str | None) -> Analysis:
    """The analysis of the project as it was in ``commit``, read from git alone into a
    temporary folder outside the project (:func:`~okrpub.git.repo.export_revision`), on
    the day ``--today`` gives, else the one that commit's ``okrpub.yaml`` pins (else the
    default: :func:`~okrpub.engine.project.today_from`).
    A broken configuration in that commit is a usage error."""
    with tempfile.TemporaryDirectory(prefix="okrpub-") as folder:
        snapshot = Path(folder)
        problems = export_revision(root, commit, snapshot)
        config, errors = read_config(snapshot)
        if errors.has_errors():
            raise UsageError(
                f"the project in {commit[:12]} cannot be read: {errors.errors[0].as_text()}"
            )
        analysis = analyse(snapshot, config, today_from(today, config.today))
        analysis.diagnostics.extend(problems.as_found())
        return analysis
