"""Shared fixtures for the core tests: small projects in ``tmp_path``, and ``okrpub check``.

``make_project(files)`` writes a project: the minimal valid project ``BASE``
of ``projecttools`` plus ``files``, where a value of ``None`` leaves that base
file out. ``check(project, *args)`` runs ``okrpub check --today 2026-11-26``
in-process inside the project and returns its exit status and output. The
``browser`` fixture imports Playwright only when a browser test asks for it.
Hypothesis runs without its per-example deadline: speed is measured in
``bench/``, never asserted, and a loaded machine must not fail a test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from projecttools import BASE
from sitetools import REPOSITORY, TODAY, write_files
from sitetools import build as build_site

from okrpub.cli.main import main
from okrpub.engine.project import Analysis, analyse, read_config
from okrpub.model.types import Model

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

Files = dict[str, str | bytes | None]

settings.register_profile("okrpub", deadline=None)
settings.load_profile("okrpub")


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
    here). Missing Chromium fails the browser tests; they are skipped only when Playwright
    itself is missing, that is without the ``test`` extra (``bash tests/run.sh`` installs it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium "
            "package (apt-get install chromium, or run bash tests/run.sh)",
            pytrace=False,
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(width, scheme, **options)``: a page at a width of ``browsertools.VIEWPORTS``
    whose console errors fail the test (a test file may define its own)."""
    from browsertools import page_opener

    with page_opener(browser) as open_:
        yield open_
