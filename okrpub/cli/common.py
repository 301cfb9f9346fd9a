"""What the commands share: exit statuses, common options, the cache, printing."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeAlias

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics, format_diagnostics
from okrpub.engine.loader import LoadCache
from okrpub.engine.project import Analysis, analyse, open_cache, read_config
from okrpub.errors import UsageError

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
#: What a shell reports for a program that SIGPIPE ended (128 + 13).
EXIT_BROKEN_PIPE = 141

#: What a command module adds its parser to.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="the date for status and staleness (default: today: in okrpub.yaml, else "
        "SOURCE_DATE_EPOCH, else today)",
    )


def add_no_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again, without reading or writing cache_dir",
    )


@contextmanager
def project_cache(root: Path, config: Config, use: bool) -> Iterator[LoadCache | None]:
    """The project's load cache for one command (none when not ``use``); says why when it
    cannot be used."""
    cache = open_cache(root, config, use)
    try:
        yield cache
    finally:
        if cache is not None and cache.store is not None:
            cache.store.close()
            if cache.store.problem:
                print(f"okrpub: note: {cache.store.problem}", file=sys.stderr)


def print_diagnostics(diagnostics: Diagnostics, output_format: str) -> None:
    print_sorted(diagnostics.sorted(), output_format)


def print_sorted(items: list[Diagnostic], output_format: str) -> None:
    """Print diagnostics sorted already (:meth:`~okrpub.diagnostics.Diagnostics.sorted`)."""
    if items or output_format in ("json", "gitlab"):
        print(format_diagnostics(items, output_format))


def analyse_for_edit(root: Path, today: dt.date) -> Analysis:
    """The project analysed for a command that edits content: bad configuration is exit 2."""
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        print_diagnostics(config_diagnostics, "text")
        raise UsageError("the configuration has errors (above); fix them first")
    with project_cache(root, config, use=True) as cache:
        return analyse(root, config, today, cache)


def count(number: int, noun: str) -> str:
    """``1 objective``, ``2 objectives``."""
    return f"{number} {noun}{'s' * (number != 1)}"
