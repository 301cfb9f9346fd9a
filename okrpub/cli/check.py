"""``okrpub check``: validate and lint the content, print diagnostics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from okrpub.cli.common import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    add_no_cache,
    add_today,
    count,
    print_diagnostics,
    print_sorted,
    project_cache,
)
from okrpub.diagnostics import Severity
from okrpub.engine.project import check, read_config, today_from
from okrpub.engine.stats import Stats


def add_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "check",
        help="validate and lint the content",
        description="Validate every file and print diagnostics "
        "(path:line:col: severity: message [rule]).",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument(
        "--format",
        choices=("text", "json", "github", "gitlab"),
        default="text",
        help="how to print diagnostics",
    )
    parser.add_argument(
        "--stats", action="store_true", help="print what the engine did, to standard error"
    )
    add_today(parser)
    add_no_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = Path.cwd()
    today_from(args.today)  # a bad --today is a usage error, before the configuration's
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        print_diagnostics(config_diagnostics, args.format)
        return EXIT_USAGE
    today = today_from(args.today, config.today)
    stats = Stats()
    with project_cache(root, config, not args.no_cache) as cache:
        checked = check(root, config, today, cache, stats)
    diagnostics = checked.diagnostics
    diagnostics.extend(config_diagnostics.sorted())
    items = diagnostics.sorted()  # once: thousands of warnings take a while to sort
    print_sorted(items, args.format)
    errors = sum(item.severity is Severity.ERROR for item in items)
    warnings = len(items) - errors
    if args.format == "text":
        print(_summary(errors, warnings, checked.objectives, checked.units), file=sys.stderr)
    if args.stats:
        print("\n".join(stats.lines()), file=sys.stderr)
    failed = errors > 0 or (args.strict and warnings > 0)
    return EXIT_CONTENT if failed else EXIT_OK


def _summary(errors: int, warnings: int, objectives: int, units: int) -> str:
    return (
        f"checked {count(objectives, 'objective')} and {count(units, 'unit')}: "
        f"{count(errors, 'error')}, {count(warnings, 'warning')}"
    )
