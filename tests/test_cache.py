"""The load cache in ``cache_dir``: a warm run gives exactly what a cold one gives,
and nothing but the same bytes (with the same defaults, under the same okrpub)
is ever taken from it."""

from __future__ import annotations

import datetime as dt
import functools
import os
import pickle
from pathlib import Path

import msgspec
import pytest
from cachetools import (
    CACHE,
    GROW,
    Planted,
    another_okrpub,
    cached_build,
    check_json,
    check_stats,
    copy_result,
    results,
    rows,
    run_another,
    write_result,
    write_row,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, Project
from sitetools import (
    REPOSITORY,
    TODAY,
    build,
    run_okrpub,
    tree_of,
    write_files,
)

from okrpub.diagnostics import Diagnostics
from okrpub.engine import loader
from okrpub.engine.cache import DATABASE, CacheStore
from okrpub.engine.loader import LoadCache, decode, encode, load_sources
from okrpub.engine.project import analyse, check, read_config
from okrpub.engine.results import LINT
from okrpub.engine.stats import FILES_PARSED, OBJECTIVES_COMPUTED, OBJECTIVES_LINTED
from okrpub.model.types import Model
from okrpub.source.discover import Kind, SourceFile, discover
from okrpub.source.entries import Loaded, ObjectiveEntry
from okrpub.source.load import load_file


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


def test_a_warm_check_computes_nothing(example: Path) -> None:
    """Nothing changed: every file's entries and every objective's warnings come from the
    store; no objective is computed (so no check-in is read either)."""
    cold = check_json(example)
    out, counts = check_stats(example)
    assert out == cold
    assert counts[FILES_PARSED] == counts[OBJECTIVES_COMPUTED] == counts[OBJECTIVES_LINTED] == 0


def test_a_warm_build_after_one_edit_parses_that_file_alone(example: Path, tmp_path: Path) -> None:
    assert cached_build(example, tmp_path / "site").stats[FILES_PARSED] > 1
    assert cached_build(example, tmp_path / "site").stats[FILES_PARSED] == 0
    grow = example / GROW
    grow.write_text(grow.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))
    again = cached_build(example, tmp_path / "site")
    assert again.stats[FILES_PARSED] == 1
    cached_build(example, tmp_path / "clean", use_cache=False)
    assert tree_of(tmp_path / "site") == tree_of(tmp_path / "clean")


#: Numbers written in each way YAML reads them, where the JSON export shows them apart.
NUMBERS = {
    "{date: 2026-10-12, value: 446000, confidence: 0.6}": (
        "{date: 2026-10-12, value: 446000.0, confidence: 1}"
    ),
    "    weight: 2\n": "    weight: 2.0\n    confidence: 0\n    score: 1\n",
    "    start: 14\n": "    start: 14.0\n    confidence: 1.0\n    score: 0\n",
}


def test_numbers_come_back_from_the_cache_as_they_were_written(
    example: Path, tmp_path: Path
) -> None:
    """Whole numbers where fractions are usual (``confidence: 1``) and fractions that are
    whole (``start: 14.0``): a warm build reads them from the store as they were parsed."""
    grow = example / GROW
    text = grow.read_text(encoding="utf-8")
    for old, new in NUMBERS.items():
        assert old in text
        text = text.replace(old, new, 1)
    grow.write_text(text, encoding="utf-8")
    cached_build(example, tmp_path / "cold", use_cache=False)
    cached_build(example, tmp_path / "site")
    assert cached_build(example, tmp_path / "warm").stats[FILES_PARSED] == 0
    assert tree_of(tmp_path / "warm") == tree_of(tmp_path / "cold")
    exported = (tmp_path / "warm" / "api" / "okrs.json").read_text(encoding="utf-8")
    assert '"confidence": 1,' in exported or '"confidence":1,' in exported


#: Numbers as YAML reads them: whole ones and fractions (``1`` and ``1.0`` apart).
whole_or_fraction = st.integers(-(2**63), 2**64 - 1) | st.floats(-1e100, 1e100)
share = st.sampled_from([0, 1]) | st.floats(0, 1)


@settings(max_examples=50, deadline=None)
@given(
    start=whole_or_fraction,
    target=whole_or_fraction,
    value=whole_or_fraction,
    confidence=share,
    score=share,
)
def test_a_stored_result_is_the_very_result(
    start: float, target: float, value: float, confidence: float, score: float
) -> None:
    """Encoded and decoded, what a file gives is what it gave, down to the types."""
    text = (
        f"---\ntitle: T\nowner: o\nperiod: 2026-Q4\nkey_results:\n"
        f"  - {{title: K, start: {start!r}, target: {target!r}, confidence: {confidence!r},"
        f" score: {score!r}, checkins: [{{date: 2026-10-01, value: {value!r},"
        f" confidence: {confidence!r}}}]}}\n---\nBody.\n"
    )
    loaded = load_file(SourceFile("content/t.md", Path("t.md"), Kind.OBJECTIVE), text.encode(), [])
    payload = encode(loaded)
    assert payload is not None
    assert repr(decode(payload)) == repr(loaded)


def test_a_result_too_big_to_store_is_parsed_each_run(example: Path, tmp_path: Path) -> None:
    """msgpack holds whole numbers of up to 64 bits; okrpub takes up to 1e100."""
    grow = example / GROW
    text = grow.read_text(encoding="utf-8").replace("target: 1000000\n", f"target: {10**30}\n")
    grow.write_text(text, encoding="utf-8")
    cached_build(example, tmp_path / "cold", use_cache=False)
    cached_build(example, tmp_path / "site")
    assert cached_build(example, tmp_path / "site").stats[FILES_PARSED] == 1
    assert tree_of(tmp_path / "site") == tree_of(tmp_path / "cold")


def test_no_cache_leaves_no_cache_folder(example: Path, tmp_path: Path) -> None:
    check_json(example, "--no-cache")
    assert build(example, tmp_path / "site", "--no-cache").code == 0
    assert not (example / CACHE).exists()


def test_the_cache_is_what_a_warm_run_uses(example: Path) -> None:
    """A row that decodes is used as it is: the cache really is read (the next tests rely
    on it)."""
    check_json(example)
    tamper_title(example, GROW, "Tampered title")
    assert objective_titles(example)[GROW] == "Tampered title"


#: Rows that are no result of loading a file: each must cost a parse and nothing more.
NOT_RESULTS = {
    "empty": b"",
    "garbage": b"this is not msgpack" * 10,
    "another shape": msgspec.msgpack.encode({"sources": {"units": "many"}, "diagnostics": 1}),
    "a list": msgspec.msgpack.encode([1, 2, 3]),
    "a wrong type deep inside": msgspec.msgpack.encode(
        {"sources": {"objectives": [{"id": 1}]}, "diagnostics": []}
    ),
}


@pytest.mark.parametrize("payload", NOT_RESULTS.values(), ids=NOT_RESULTS)
def test_a_row_that_does_not_decode_costs_one_parse(
    example: Path, tmp_path: Path, payload: bytes
) -> None:
    clean = cached_build(example, tmp_path / "clean", use_cache=False)
    cached_build(example, tmp_path / "site")
    write_row(example, GROW, payload)
    again = cached_build(example, tmp_path / "again")
    assert again.stats[FILES_PARSED] == 1
    assert tree_of(tmp_path / "again") == tree_of(tmp_path / "clean")
    assert again.analysis.diagnostics.sorted() == clean.analysis.diagnostics.sorted()


def test_a_pickled_row_never_runs(example: Path, tmp_path: Path) -> None:
    """A pull request can commit a cache folder with rows an older okrpub would have
    unpickled: they are bytes that do not decode, nothing runs."""
    cold = check_json(example)
    marker = tmp_path / "pwned"
    write_row(example, GROW, pickle.dumps(Planted(marker)))
    assert check_json(example) == cold
    write_row(example, GROW, b"\0" * 32 + pickle.dumps(Planted(marker)))  # an old sealed row
    assert check_json(example) == cold
    assert not marker.exists()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.builds(bytes.__add__, st.just(b"\x82"), st.binary()))
def test_decoding_any_bytes_gives_a_result_or_none(payload: bytes) -> None:
    loaded = decode(payload)
    assert loaded is None or isinstance(loaded, Loaded)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_row_decodes_to_none_or_to_a_result(data: st.DataObject) -> None:
    """A real row with one byte changed, or cut short: no exception."""
    payload = grow_row()
    at = data.draw(st.integers(0, len(payload) - 1))
    damaged = data.draw(
        st.sampled_from(
            [payload[:at], payload[:at] + bytes([payload[at] ^ 0xFF]) + payload[at + 1 :]]
        )
    )
    loaded = decode(damaged)
    assert loaded is None or isinstance(loaded, Loaded)


@functools.cache
def grow_row() -> bytes:
    """The row of :data:`GROW` of the example, as the store keeps it."""
    config, _ = read_config(REPOSITORY)
    found = discover(REPOSITORY, config.content_dir, Diagnostics())
    files = [file for file in found if file.path == GROW]
    cache = LoadCache()
    load_sources(files, config.content_dir, Diagnostics(), cache)
    loaded = cache.last(GROW)
    assert loaded is not None
    payload = encode(loaded)
    assert payload is not None and decode(payload) == loaded
    return payload


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


def test_another_okrpub_starts_an_empty_cache(example: Path, tmp_path: Path) -> None:
    """The store is kept under a digest of okrpub's own code: an upgraded (or edited)
    okrpub believes none of it, and fills it anew."""
    cold = check_json(example)
    tamper_title(example, GROW, "Tampered title")
    other = another_okrpub(tmp_path / "other")
    result = run_another(other, example, "check", "--today", TODAY, "--format", "json")
    assert (result.returncode, result.stdout) == (0, cold)
    loaded = decode(rows(example)[GROW])  # filled again, under the new version
    assert loaded is not None
    assert "Tampered title" not in loaded.sources.objectives[0].title


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
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader, "usable_cores", lambda: 2)
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
        clean = analysis_facts(project.root, cached=False)
        assert analysis_facts(project.root, cached=True) == clean
        model, diagnostics = clean
        assert isinstance(model, Model)
        assert check_facts(project.root) == (diagnostics, len(model.objectives), len(model.units))


def check_facts(root: Path) -> tuple[object, ...]:
    """What ``check`` finds with the cache: the diagnostics and the numbers it prints."""
    config, _ = read_config(root)
    cache = LoadCache(CacheStore(root / CACHE))
    checked = check(root, config, dt.date.fromisoformat(TODAY), cache)
    if cache.store is not None:
        cache.store.close()
    return checked.diagnostics.sorted(), checked.objectives, checked.units


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
    loaded = decode(rows(project)[path])
    assert loaded is not None
    entry = loaded.sources.objectives[0]
    loaded.sources.objectives[0] = type(entry)(**{**entry.__dict__, "title": title})
    payload = encode(loaded)
    assert payload is not None
    write_row(project, path, payload)


# -- each objective's warnings, kept between runs ------------------------------------------

#: An objective of a person, aligned to a team's objective.
LEAF = "content/2026-Q4/sam/guides-and-links.md"


def test_a_check_after_one_edit_lints_that_objective_alone(example: Path) -> None:
    """In a new process, ``check`` takes the warnings of every objective whose inputs are
    unchanged from the store: it computes the edited objective (and its parent, whose
    period the warnings name) and nothing else, and says what a clean check says."""
    check_json(example)
    _, counts = check_stats(example)
    assert (counts[FILES_PARSED], counts[OBJECTIVES_COMPUTED], counts[OBJECTIVES_LINTED]) == (
        0,
        0,
        0,
    )
    leaf = example / LEAF
    leaf.write_text(leaf.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))
    out, counts = check_stats(example)
    assert (counts[FILES_PARSED], counts[OBJECTIVES_COMPUTED], counts[OBJECTIVES_LINTED]) == (
        1,
        2,
        1,
    )
    assert out == check_json(example, "--no-cache")


def test_a_check_on_another_day_lints_everything_again(example: Path) -> None:
    """The day is part of every objective's frame: staleness and grading depend on it."""
    check_json(example)
    out, counts = check_stats(example, "--today", "2027-02-01")
    assert counts[OBJECTIVES_LINTED] == len(results(example, LINT)) > 1
    assert out == check_json(example, "--no-cache", "--today", "2027-02-01")
    assert out != check_json(example)


#: Payloads that are no list of diagnostics: each costs one objective's lint, no more.
NOT_WARNINGS = {
    "empty": b"",
    "garbage": b"this is not msgpack" * 10,
    "a list of numbers": msgspec.msgpack.encode([1, 2, 3]),
    "a wrong type deep inside": msgspec.msgpack.encode(
        [{"location": {"path": 1}, "severity": "fatal", "rule": "x", "message": "y"}]
    ),
}


@pytest.mark.parametrize("payload", NOT_WARNINGS.values(), ids=NOT_WARNINGS)
def test_a_lint_row_that_does_not_decode_is_linted_again(example: Path, payload: bytes) -> None:
    cold = check_json(example)
    write_result(example, LINT, "grow-to-1m-online", payload)
    out, counts = check_stats(example)
    assert (out, counts[OBJECTIVES_LINTED]) == (cold, 1)
    assert results(example, LINT)["grow-to-1m-online"] not in NOT_WARNINGS.values()


def test_a_lint_row_of_another_type_is_a_note_not_an_error(example: Path) -> None:
    cold = check_json(example)
    write_result(example, LINT, "grow-to-1m-online", "text, not bytes")
    result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
    assert (result.code, result.out) == (0, cold)
    assert "holds values of another type" in result.err
    assert "Traceback" not in result.err


def test_warnings_kept_for_other_inputs_are_not_used(example: Path) -> None:
    """A row that decodes, moved to another objective (as a pull request could commit
    it), was made from other inputs: it is a miss."""
    cold = check_json(example)
    copy_result(example, LINT, "guides-and-links", "grow-to-1m-online")
    out, counts = check_stats(example)
    assert (out, counts[OBJECTIVES_LINTED]) == (cold, 1)


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_place_that_is_a_folder_is_a_note_not_an_error(
    example: Path, tmp_path: Path, command: str
) -> None:
    """The file that binds the store to its folder is a folder: the cache is not used,
    and the command does its work."""
    (example / CACHE / "place").mkdir(parents=True)
    if command == "check":
        result = run_okrpub(example, "check", "--today", TODAY, "--format", "json")
        assert (result.code, result.out) == (0, check_json(example, "--no-cache"))
    else:
        result = build(example, tmp_path / "site")
        assert result.code == 0
        assert build(example, tmp_path / "clean", "--no-cache").code == 0
        assert tree_of(tmp_path / "site") == tree_of(tmp_path / "clean")
    assert "okrpub: note: cache in" in result.err
    assert "place is not a plain file" in result.err
    assert "Traceback" not in result.err


# -- builds share the warnings kept -------------------------------------------------------


def test_a_build_after_one_edit_lints_that_objective_alone(example: Path, tmp_path: Path) -> None:
    cached_build(example, tmp_path / "site")
    leaf = example / LEAF
    leaf.write_text(leaf.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))
    again = cached_build(example, tmp_path / "site")
    assert (again.stats[FILES_PARSED], again.stats[OBJECTIVES_LINTED]) == (1, 1)
    clean = cached_build(example, tmp_path / "clean", use_cache=False)
    assert tree_of(tmp_path / "site") == tree_of(tmp_path / "clean")
    assert again.analysis.diagnostics.sorted() == clean.analysis.diagnostics.sorted()


def test_a_build_after_a_check_lints_nothing_again(example: Path, tmp_path: Path) -> None:
    """``check`` and ``build`` keep an objective's warnings under the same digest."""
    check_json(example)
    stats = cached_build(example, tmp_path / "site").stats
    assert (stats[FILES_PARSED], stats[OBJECTIVES_LINTED]) == (0, 0)
    assert stats[OBJECTIVES_COMPUTED] >= len(results(example, LINT)) > 1  # none is kept


def test_what_serve_kept_serves_the_next_process(tmp_path: Path) -> None:
    """``serve`` reuses warnings from memory and keeps their rows: a check after it
    lints nothing."""
    project = Project(tmp_path / "project")
    project.rebuild()
    EDITS[0](project)
    project.rebuild()
    _, counts = check_stats(project.root)
    assert (counts[FILES_PARSED], counts[OBJECTIVES_COMPUTED], counts[OBJECTIVES_LINTED]) == (
        0,
        0,
        0,
    )
