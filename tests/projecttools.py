"""Projects the tests work on: the small valid project ``BASE``, objective files, and the
generated organisation of the benchmark.

``BASE`` is the minimal valid project (no ``okrpub.yaml``, so every setting has
its default) that ``make_project`` in ``conftest.py`` starts from;
``objective(header)`` is a valid objective file with that header.
``write_org(objectives, out)`` writes ``bench/generate.py``'s organisation
(bench/ is no package, so it is loaded from its file).
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from sitetools import REPOSITORY, md

#: The benchmark's organisation generator.
GENERATOR = REPOSITORY / "bench" / "generate.py"

#: A valid project that ``okrpub check`` passes without a single diagnostic on ``TODAY``.
BASE: dict[str, str] = {
    "content/units/acme.md": md(
        """
        name: Acme
        kind: company
        visibility: public
        """,
        "We make everything.\n",
    ),
    "content/units/sales.md": md(
        """
        name: Sales
        kind: team
        parent: acme
        lead: jo
        visibility: public
        """
    ),
    "content/units/jo.md": md(
        """
        name: Jo Smith
        kind: person
        parent: sales
        """
    ),
    "content/2026-Q4/_defaults.yaml": "period: 2026-Q4\n",
    "content/2026-Q4/acme/grow.md": md(
        """
        title: Grow the business
        owner: acme
        type: committed
        key_results:
          - id: revenue
            title: Reach 100 k revenue
            target: 100
            start: 0
            checkins:
              - {date: 2026-11-23, value: 80, confidence: 0.8}
          - id: customers
            title: Go from 10 to 20 customers
            start: 10
            target: 20
            checkins:
              - {date: 2026-11-23, value: 18, confidence: 0.9}
          - id: launch
            title: Launch the shop
            done: true
        """,
        "Why growth matters.\n",
    ),
    "content/2026-Q4/sales/more-leads.md": md(
        """
        title: More leads
        owner: sales
        parent: grow#revenue
        key_results:
          - title: Calls
            target: 50
            start: 0
            checkins: [{date: 2026-11-24, value: 40}]
          - title: Meetings
            target: 10
            start: 0
            checkins: [{date: 2026-11-24, value: 8}]
          - title: Hire an SDR
            done: true
        """
    ),
}


def objective(header: str, key_results: int = 3) -> str:
    """A valid objective file: ``header`` lines, then ``key_results`` numeric key results.

    Each key result is on pace and checked in on 2026-11-24, so it raises no warning.
    """
    lines = [textwrap.dedent(header).strip("\n"), "key_results:"]
    for number in range(1, key_results + 1):
        lines += [
            f"  - title: Key result {number}",
            "    start: 0",
            "    target: 10",
            "    checkins: [{date: 2026-11-24, value: 9}]",
        ]
    return "---\n" + "\n".join(lines) + "\n---\n"


@functools.cache
def generator() -> ModuleType:
    """``bench/generate.py``, loaded once."""
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    assert spec is not None and spec.loader is not None, GENERATOR
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # where its dataclasses look up their annotations
    spec.loader.exec_module(module)
    return module


def write_org(objectives: int, out: Path, **options: Any) -> Any:
    """``bench/generate.py``'s organisation of ``objectives`` objectives, written to ``out``;
    ``options`` are ``seed`` and ``hugo``."""
    return generator().write_org(objectives, out, **options)
