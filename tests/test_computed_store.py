"""Computed objectives kept in the store: a new build decodes them instead of computing
them, makes the very bytes a clean build makes, and takes any planted row for a miss."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
from cachetools import GROW, copy_result, results, write_result
from rebuildtools import Project
from sitetools import build, tree_of

from okrpub.engine.computed import AUDIENCE_OBJECTIVE, OBJECTIVE, ROLLUPS
from okrpub.engine.stats import OBJECTIVES_COMPUTED, ROLLUPS_COMPUTED

GROW_ID = "grow-to-1m-online"
OTHER_ID = "guides-and-links"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Project(tmp_path / "example").root


def built(project: Path, out: Path, *args: str) -> dict[str, int]:
    """``okrpub build --stats ARGS`` into ``out``: the counts of what the engine did."""
    result = build(project, out, "--stats", *args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    counts = re.findall(r"^([a-z ]+): (\d+)$", result.out, flags=re.MULTILINE)
    return {kind: int(number) for kind, number in counts}


def same_as_clean(project: Path, out: Path, *args: str) -> bool:
    clean = out.with_name(out.name + "-clean")
    built(project, clean, "--no-cache", *args)
    return tree_of(out) == tree_of(clean)


def retitle(project: Path, path: str) -> None:
    file = project / path
    file.write_text(file.read_text(encoding="utf-8").replace("title: ", "title: X ", 1))


@pytest.mark.parametrize("args", [(), ("--public",)], ids=["internal", "public"])
def test_a_warm_build_computes_only_the_edited_objective(
    example: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "site"
    cold = built(example, out, *args)
    assert cold[OBJECTIVES_COMPUTED] > 2
    assert GROW_ID in results(example, OBJECTIVE)
    assert GROW_ID in results(example, AUDIENCE_OBJECTIVE)  # the audience's model differs
    warm = built(example, out, *args)
    assert warm[OBJECTIVES_COMPUTED] == warm[ROLLUPS_COMPUTED] == 0
    assert same_as_clean(example, out, *args)
    retitle(example, GROW)
    edited = built(example, out, *args)
    # the objective in the checked model and in the audience's, and their rollups
    assert edited[OBJECTIVES_COMPUTED] == 2
    assert 0 < edited[ROLLUPS_COMPUTED] < cold[ROLLUPS_COMPUTED]
    assert same_as_clean(example, out, *args)


#: Numbers written as whole numbers where the model's are fractions, and the other way.
NUMBERS = {
    "value: 446000, confidence: 0.6}": "value: 446000.0, confidence: 1}",
    "value: 638000, confidence: 0.45,": "value: 638000, confidence: 0,",
}


def test_numbers_come_back_from_the_store_as_they_were_written(
    example: Path, tmp_path: Path
) -> None:
    grow = example / GROW
    text = grow.read_text(encoding="utf-8")
    for before, after in NUMBERS.items():
        assert before in text
        text = text.replace(before, after)
    grow.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    built(example, out)
    assert built(example, out)[OBJECTIVES_COMPUTED] == 0
    assert same_as_clean(example, out)


def _genuine(example: Path) -> bytes:
    """The row kept for the grown objective (what the store's payload wraps)."""
    row: bytes = msgspec.msgpack.decode(results(example, OBJECTIVE)[GROW_ID], type=bytes)
    return row


def _other(example: Path) -> bytes:
    row: bytes = msgspec.msgpack.decode(results(example, OBJECTIVE)[OTHER_ID], type=bytes)
    return row


#: Planted payloads under the grown objective's digest, made from its genuine row and
#: another objective's: each must cost that objective's computation, no more.
PLANTED = {
    "garbage": lambda genuine, other: b"this is not msgpack" * 10,
    "empty": lambda genuine, other: b"",
    "a list, not bytes": lambda genuine, other: msgspec.msgpack.encode([1, 2, 3]),
    "empty bytes": lambda genuine, other: msgspec.msgpack.encode(b""),
    "a byte changed": lambda genuine, other: msgspec.msgpack.encode(
        genuine[:-3] + bytes([genuine[-3] ^ 1]) + genuine[-2:]
    ),
    "cut short": lambda genuine, other: msgspec.msgpack.encode(genuine[: len(genuine) // 2]),
    "the checksum of no row": lambda genuine, other: msgspec.msgpack.encode(
        genuine[:8] + msgspec.msgpack.encode([1, 2, 3])
    ),
    "another objective's row": lambda genuine, other: msgspec.msgpack.encode(other),
}


@pytest.mark.parametrize("plant", PLANTED.values(), ids=PLANTED)
def test_a_planted_row_costs_one_computation(example: Path, tmp_path: Path, plant: object) -> None:
    out = tmp_path / "site"
    built(example, out, "--public")
    assert callable(plant)
    write_result(example, OBJECTIVE, GROW_ID, plant(_genuine(example), _other(example)))
    assert built(example, out, "--public")[OBJECTIVES_COMPUTED] == 1
    assert same_as_clean(example, out, "--public")
    assert built(example, out, "--public")[OBJECTIVES_COMPUTED] == 0  # the row is mended


def test_a_row_moved_to_another_objective_is_a_miss(example: Path, tmp_path: Path) -> None:
    """A whole row, digest and all, moved to another objective was made from other inputs."""
    out = tmp_path / "site"
    built(example, out, "--public")
    copy_result(example, OBJECTIVE, OTHER_ID, GROW_ID)
    assert built(example, out, "--public")[OBJECTIVES_COMPUTED] == 1
    assert same_as_clean(example, out, "--public")


def test_a_row_of_another_type_is_a_note_not_an_error(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    built(example, out)
    write_result(example, OBJECTIVE, GROW_ID, "text, not bytes")
    result = build(example, out, "--stats")
    assert result.code == 0
    assert "holds values of another type" in result.err
    assert "Traceback" not in result.err
    assert same_as_clean(example, out)


@pytest.mark.parametrize("payload", [b"garbage", msgspec.msgpack.encode(b"\0" * 40)])
def test_a_planted_rollup_costs_one_rollup(example: Path, tmp_path: Path, payload: bytes) -> None:
    out = tmp_path / "site"
    built(example, out, "--public")
    rollups = results(example, ROLLUPS[OBJECTIVE])
    assert "2026-Q4" in rollups
    write_result(example, ROLLUPS[OBJECTIVE], "2026-Q4", payload)
    counts = built(example, out, "--public")
    assert (counts[OBJECTIVES_COMPUTED], counts[ROLLUPS_COMPUTED]) == (0, 1)
    assert same_as_clean(example, out, "--public")
