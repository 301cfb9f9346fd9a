"""History: the values ``current`` had in the git history (``okrpub build --history git``).

A key result without check-ins has no chart points of its own; its
``current`` value, edited commit after commit, is a history all the same.
This stage reads it from git in two processes (one ``git log`` over the
content folder, one ``git cat-file --batch`` for the file versions), parses
each version of each objective file with the loader's own pieces, and keeps
the last value of each key result per day (the commit date). Versions that do
not parse are left out, as are key results that are not valid on their own.
Defaults from ``_defaults.yaml`` are not applied: ``current`` is never a default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

from okrpub.config import Config
from okrpub.diagnostics import Diagnostics
from okrpub.git.repo import check_repository, file_versions, read_blobs
from okrpub.model.types import History, Number
from okrpub.source.discover import Kind, classify, is_ignored
from okrpub.source.frontmatter import decode
from okrpub.source.keyresults import valid_key_results
from okrpub.source.load import parse_markdown


def read_history(root: Path, config: Config) -> History:
    """The history of every key result's ``current`` in the objective files under content."""
    check_repository(root)
    content = PurePosixPath(Path(config.content_dir).as_posix())
    versions = [v for v in file_versions(root, str(content)) if _is_objective(v.path, content)]
    contents = read_blobs(root, (version.blob for version in versions))
    by_day: dict[str, dict[str, dict[dt.date, Number]]] = {}
    for version in versions:  # oldest first, so a later commit of the same day wins
        raw = contents.get(version.blob)
        for objective_id, key_result_id, value in (
            _values(raw, version.path) if raw is not None else ()
        ):
            days = by_day.setdefault(objective_id, {}).setdefault(key_result_id, {})
            days[version.date] = value
    return History(
        {
            objective_id: {kr_id: tuple(sorted(days.items())) for kr_id, days in krs.items()}
            for objective_id, krs in by_day.items()
        }
    )


def _is_objective(path: str, content: PurePosixPath) -> bool:
    relative = PurePosixPath(path).relative_to(content)
    return not any(is_ignored(part) for part in relative.parts) and (
        classify(relative.as_posix()) is Kind.OBJECTIVE
    )


def _values(raw: bytes, path: str) -> list[tuple[str, str, Number]]:
    """``(objective id, key result id, current)`` of one version of an objective file."""
    ignored = Diagnostics()
    text = decode(raw, path, ignored)
    parsed = parse_markdown(text, path, ignored) if text is not None else None
    if parsed is None:
        return []
    document = parsed[0]
    objective_id = document.data.get("id")
    if not isinstance(objective_id, str):
        objective_id = PurePosixPath(path).stem
    return [
        (objective_id, kr.id, kr.current)
        for kr in valid_key_results(document)
        if kr.current is not None
    ]
