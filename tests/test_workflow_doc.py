"""docs/workflow.md runs as written, in order, against a copy of the example project.

In the document, a ``console`` block holds commands (``$ okrpub …``), each
followed by its exact output (standard output, then standard error), where a
line ``...`` stands for any number of lines; a ``markdown PATH`` block is a
file as the reader writes it, which the test writes too; a ``yaml PATH``
block is part of what that file must then contain.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from sitetools import REPOSITORY, run_okrpub

DOCUMENT = REPOSITORY / "docs" / "workflow.md"
BLOCK = re.compile(r"^```(\w+)(?: (\S+))?\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` with each ``...`` line standing for any lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[skip:]) for skip in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and matches(expected[1:], actual[1:])


def commands(block: str) -> list[tuple[str, list[str]]]:
    """The ``$`` commands of a console block, each with the output lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            found[-1][1].append(line)
    return found


def test_the_walkthrough_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = tmp_path / "example"
    shutil.copytree(REPOSITORY / "content", project / "content")
    shutil.copy(REPOSITORY / "okrpub.yaml", project)
    ran = 0
    for language, path, text in BLOCK.findall(DOCUMENT.read_text(encoding="utf-8")):
        if language == "markdown" and path:
            (project / path).write_text(text, encoding="utf-8")
        elif language == "yaml" and path:
            assert text in (project / path).read_text(encoding="utf-8")
        elif language == "console":
            for command, expected in commands(text):
                program, *args = shlex.split(command)
                assert program == "okrpub"
                result = run_okrpub(project, *args)
                output = (result.out + result.err).splitlines()
                assert matches(expected, output), f"$ {command}\n" + "\n".join(output)
                ran += 1
    assert ran == 12  # every command in the document
