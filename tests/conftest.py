"""Shared fixtures for the core tests: small projects in ``tmp_path``, and ``okrpub check``.

``make_project(files)`` writes a project: the minimal valid project ``BASE``
(no ``okrpub.yaml``, so every setting has its default) plus ``files``, where a
value of ``None`` leaves that base file out. ``check(project, *args)`` runs
``okrpub check --today 2026-11-26`` in-process inside the project and returns
its exit status and output.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sitetools import build as build_site
from sitetools import md, write_files

from okrpub.cli import main
from okrpub.model import Model
from okrpub.project import Analysis, analyse, read_config

#: The date every check runs on unless a test says otherwise (a Thursday in 2026-Q4).
TODAY = "2026-11-26"
#: The repository with the example content, found from this folder.
REPOSITORY = Path(__file__).resolve().parent.parent

Files = dict[str, str | bytes | None]


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
            checkins: [{date: 2026-11-24, value: 40}]
          - title: Meetings
            target: 10
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
            "    target: 10",
            "    checkins: [{date: 2026-11-24, value: 9}]",
        ]
    return "---\n" + "\n".join(lines) + "\n---\n"


@pytest.fixture(autouse=True)
def user_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """okrpub's cache key (see okrpub/cache.py) goes to a scratch folder, not the user's."""
    folder = tmp_path_factory.getbasetemp() / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """``make_project(files, base=True)``: the base project plus ``files``, written to disk."""

    def make(files: Files | None = None, *, base: bool = True) -> Path:
        merged: Files = {**(BASE if base else {}), **(files or {})}
        return write_files(tmp_path / "project", merged)

    return make


@dataclass(frozen=True)
class Run:
    """The outcome of one in-process command."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@pytest.fixture
def check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Run]:
    """``check(project, *args, today=TODAY)``: run ``okrpub check`` in ``project``."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def run(project: Path, *args: str, today: str | None = TODAY) -> Run:
        monkeypatch.chdir(project)
        argv = ["check", *args, *(["--today", today] if today is not None else [])]
        code = main(argv)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def check_files(make_project: Callable[..., Path], check: Callable[..., Run]) -> Callable[..., Run]:
    """``check_files(files, *args)``: write the base project plus ``files`` and check it."""

    def run(files: Files, *args: str, base: bool = True, today: str | None = TODAY) -> Run:
        return check(make_project(files, base=base), *args, today=today)

    return run


@pytest.fixture
def analysis_of(make_project: Callable[..., Path]) -> Callable[..., Analysis]:
    """``analysis_of(files, today=...)``: the whole pipeline (no printing) on a project."""

    def run(files: Files, *, base: bool = True, today: str = TODAY) -> Analysis:
        root = make_project(files, base=base)
        config, diagnostics = read_config(root)
        assert not diagnostics.has_errors(), [d.as_text() for d in diagnostics]
        return analyse(root, config, dt.date.fromisoformat(today))

    return run


@pytest.fixture(scope="module")
def example_model() -> Model:
    """The model of the example project on ``TODAY`` (analysed in place: nothing is written)."""
    config, _ = read_config(REPOSITORY)
    return analyse(REPOSITORY, config, dt.date.fromisoformat(TODAY)).model


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project built on ``TODAY`` into a fresh folder, once per test module."""
    out = tmp_path_factory.mktemp("example") / "site"
    result = build_site(REPOSITORY, out, today=TODAY)
    assert result.code == 0, result.err
    return out


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright (its own browser download cannot work
    here). Missing Chromium fails the browser tests: they are never skipped."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium "
            "package (apt-get install chromium, or run bash tests/run.sh)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
