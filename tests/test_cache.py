"""The load cache in ``cache_dir``: a warm run gives exactly what a cold one gives,
and nothing but the same bytes (with the same defaults, under the same okrpub)
is ever taken from it."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path

import pytest
from cachetools import CACHE, GROW, Planted, check_json, digest_of, rows, write_row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, Project
from sitetools import TODAY, build, calls_from_now_on, run_okrpub, tree_of, write_files

from okrpub.diagnostics import Diagnostics
from okrpub.engine import cache as cache_module
from okrpub.engine.cache import DATABASE, SEAL_SIZE, CacheStore, key_file, seal, secret_key
from okrpub.engine.project import analyse, read_config
from okrpub.model.types import Checkins
from okrpub.source import load
from okrpub.source.discover import discover
from okrpub.source.load import LoadCache, Loaded, ObjectiveEntry, load_sources


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Project(tmp_path / "example").root


def test_a_warm_check_says_exactly_what_a_cold_one_says(example: Path) -> None:
    cold = check_json(example)
    assert (example / CACHE / DATABASE).is_file()
    assert GROW in rows(example)
    assert check_json(example) == cold
    assert check_json(example, "--no-cache") == cold


def test_a_warm_build_writes_the_same_bytes(example: Path, tmp_path: Path) -> None:
    assert build(example, tmp_path / "cold").code == 0
    assert build(example, tmp_path / "warm").code == 0
    assert tree_of(tmp_path / "warm") == tree_of(tmp_path / "cold")


def test_a_warm_check_reads_no_check_ins(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What computing needs of a key result's check-ins is known without reading them."""
    cold = check_json(example)
    read = calls_from_now_on(monkeypatch, Checkins, "_items")
    assert check_json(example) == cold
    assert read == []


def test_no_cache_leaves_no_cache_folder(example: Path, tmp_path: Path) -> None:
    check_json(example, "--no-cache")
    assert build(example, tmp_path / "site", "--no-cache").code == 0
    assert not (example / CACHE).exists()


def test_the_cache_is_what_a_warm_run_uses(example: Path) -> None:
    """A tampered row shows up, so the cache really is read (the next tests rely on it)."""
    check_json(example)
    tamper_title(example, GROW, "Tampered title")
    assert objective_titles(example)[GROW] == "Tampered title"


def test_a_row_without_a_valid_seal_is_never_unpickled(example: Path, tmp_path: Path) -> None:
    """A pull request can commit a cache folder; what is in it must not run in CI."""
    cold = check_json(example)
    marker = tmp_path / "pwned"
    planted = pickle.dumps(Planted(marker))
    write_row(example, GROW, planted)
    assert check_json(example) == cold
    write_row(example, GROW, b"\0" * SEAL_SIZE + planted)
    assert check_json(example) == cold
    assert not marker.exists()


def test_the_key_is_kept_outside_the_project_for_the_user_alone(
    example: Path, user_cache_folder: Path
) -> None:
    check_json(example)
    assert key_file().is_relative_to(user_cache_folder)
    assert key_file().stat().st_mode & 0o777 == 0o600
    assert len(key_file().read_bytes()) == 32


def test_the_same_size_and_time_with_other_bytes_is_read_again(example: Path) -> None:
    check_json(example)
    file = example / GROW
    before = file.stat()
    text = file.read_text(encoding="utf-8")
    changed = text.replace("title: Grow", "title: Sell", 1)
    assert changed != text and len(changed) == len(text)
    file.write_text(changed, encoding="utf-8")
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "Sell" in objective_titles(example)[GROW]


def test_a_changed_defaults_file_reloads_the_files_below_it(example: Path) -> None:
    ship = "content/2026-Q4/warehouse/ship-same-day.md"  # it has no visibility of its own
    assert objectives(example)[ship].visibility == "internal"
    defaults = example / "content/2026-Q4/_defaults.yaml"
    defaults.write_text("period: 2026-Q4\nvisibility: public\n", encoding="utf-8")
    assert objectives(example)[ship].visibility == "public"


def test_another_okrpub_starts_an_empty_cache(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_json(example)
    tamper_title(example, GROW, "Tampered title")
    monkeypatch.setattr(cache_module, "code_version", lambda: "another okrpub")
    assert "Tampered title" not in objective_titles(example)[GROW]
    assert GROW in rows(example)  # filled again, under the new version


@pytest.mark.parametrize("damage", ["garbage", "folder is a file"])
def test_an_unusable_cache_is_a_note_not_an_error(example: Path, damage: str) -> None:
    cold = check_json(example, "--no-cache")
    if damage == "garbage":
        write_files(example, {f"{CACHE}/{DATABASE}": b"this is not a database" * 100})
    else:
        (example / CACHE).write_text("a file where the cache folder should be")
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert result.code == 0
    assert result.out == cold
    assert "okrpub: note: cache in" in result.err
    assert "Traceback" not in result.err


def test_a_cache_folder_inside_the_content_is_a_configuration_error(example: Path) -> None:
    config = example / "okrpub.yaml"
    config.write_text(config.read_text() + "cache_dir: content/cache\n")
    result = run_okrpub(example, "check", "--today", TODAY)
    assert result.code == 2
    assert "cache_dir 'content/cache' is inside the content folder" in result.out


def test_a_hidden_cache_folder_in_the_content_folder_is_fine(example: Path) -> None:
    """With ``content_dir: .`` the default ``.okrpub-cache`` is in the content folder, but
    hidden: discovery and serve's watcher skip it, as they skip ``.git``."""
    (example / "okrpub.yaml").write_text("content_dir: .\n")
    for item in (example / "content").iterdir():
        item.rename(example / item.name)
    assert check_json(example) == check_json(example, "--no-cache")
    assert (example / CACHE / DATABASE).is_file()


def test_loading_in_worker_processes_gives_what_loading_in_one_does(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = read_config(example)
    files = discover(example, config.content_dir, Diagnostics())
    serial_diagnostics, parallel_diagnostics = Diagnostics(), Diagnostics()
    serial = load_sources(files, config.content_dir, serial_diagnostics)
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(load, "usable_cores", lambda: 2)
    parallel = load_sources(files, config.content_dir, parallel_diagnostics)
    assert parallel == serial
    assert parallel_diagnostics.sorted() == serial_diagnostics.sorted()


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=4, unique=True))
def test_any_series_of_runs_with_the_cache_equals_runs_without(
    tmp_path: Path, edits: list[int]
) -> None:
    """Each step is a separate run: a fresh process would open the cache anew."""
    project = Project(tmp_path / "series")
    for index in [None, *edits]:
        if index is not None:
            EDITS[index](project)
        assert analysis_facts(project.root, cached=True) == analysis_facts(
            project.root, cached=False
        )


def analysis_facts(root: Path, *, cached: bool) -> tuple[object, ...]:
    config, _ = read_config(root)
    cache = LoadCache(CacheStore(root / CACHE)) if cached else None
    analysis = analyse(root, config, dt.date.fromisoformat(TODAY), cache)
    if cache is not None and cache.store is not None:
        cache.store.close()
    return analysis.model, analysis.diagnostics.sorted()


def objectives(project: Path) -> dict[str, ObjectiveEntry]:
    """The objectives by path, loaded with the cache as a command would."""
    config, _ = read_config(project)
    cache = LoadCache(CacheStore(project / CACHE))
    analysis = analyse(project, config, dt.date.fromisoformat(TODAY), cache)
    return {entry.path: entry for entry in analysis.resolved.objectives.values()}


def objective_titles(project: Path) -> dict[str, str]:
    return {path: entry.title for path, entry in objectives(project).items()}


def tamper_title(project: Path, path: str, title: str) -> None:
    """Change what the cache holds for ``path``, leaving its digest as it was."""
    loaded: Loaded = pickle.loads(rows(project)[path][SEAL_SIZE:])
    entry = loaded.sources.objectives[0]
    loaded.sources.objectives[0] = type(entry)(**{**entry.__dict__, "title": title})
    write_row(
        project, path, seal(secret_key(), path, digest_of(project, path), pickle.dumps(loaded))
    )
