"""Rendering many pages in forked worker processes gives the very bytes rendering
them in one process gives, and a theme error in a worker is the same usage error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitetools import REPOSITORY, SMALL_PROJECT, build, render_in_workers, tree_of, write_files


@pytest.mark.parametrize("audience", [(), ("--public",)])
def test_pages_rendered_in_workers_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, audience: tuple[str, ...]
) -> None:
    assert build(REPOSITORY, tmp_path / "serial", "--no-cache", *audience).code == 0
    render_in_workers(monkeypatch)
    assert build(REPOSITORY, tmp_path / "parallel", "--no-cache", *audience).code == 0
    assert tree_of(tmp_path / "parallel") == tree_of(tmp_path / "serial")


def test_a_theme_error_in_a_worker_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_in_workers(monkeypatch)
    project = write_files(tmp_path / "project", {**SMALL_PROJECT, "okrpub.yaml": "theme: broken\n"})
    write_files(project / "broken", {"templates/objective.html": "{{ 1 + 'a' }}"})
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "objective.html:1: TypeError" in result.err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project"]  # no staging left
