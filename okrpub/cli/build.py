"""``okrpub build``: check, then render the site; ``--stats`` says what the engine did."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from okrpub.cli import process
from okrpub.cli.common import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    add_no_cache,
    add_today,
    count,
    print_diagnostics,
    project_cache,
)
from okrpub.cli.progress import progress_line
from okrpub.config import base_url_problem
from okrpub.engine.project import output_folder, read_config, today_from
from okrpub.engine.stats import Stats

if TYPE_CHECKING:
    from okrpub.engine.build import BuildResult


def add_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "build",
        help="check, then render the site",
        description="Check the content; if there are no errors, write the static site.",
    )
    parser.add_argument("--out", metavar="DIR", help="output folder (default: output_dir, 'site')")
    parser.add_argument(
        "--public", action="store_true", help="only what is public (a transparency site)"
    )
    parser.add_argument("--drafts", action="store_true", help="include objectives marked draft")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--base-url",
        type=_base_url,
        metavar="URL",
        help="override base_url (for the feed and sitemap)",
    )
    parser.add_argument(
        "--history",
        choices=("git",),
        help="chart key results without check-ins from the values of 'current' in git history",
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="then print what the build did (files parsed, pages rendered, ...) and its time",
    )
    add_today(parser)
    add_no_cache(parser)
    parser.set_defaults(run=run)


def _base_url(value: str) -> str:
    """A ``--base-url``, checked as ``base_url`` in ``okrpub.yaml`` is."""
    problem = base_url_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"must be {problem}, got {value!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from okrpub.engine.build import BuildOptions, build

    started = time.perf_counter()
    root = Path.cwd()
    today_from(args.today)  # a bad --today is a usage error, before the configuration's
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        print_diagnostics(config_diagnostics, "text")
        return EXIT_USAGE
    today = today_from(args.today, config.today)
    output = output_folder(root, config, args.out)
    options = BuildOptions(
        output,
        public=args.public,
        drafts=args.drafts,
        strict=args.strict,
        base_url=args.base_url,
        history=args.history == "git",
    )
    with (
        project_cache(root, config, not args.no_cache) as cache,
        progress_line(sys.stderr) as progress,
    ):
        stats = Stats(progress)
        result = build(
            root, config, today, options, cache, stats, process.forked_pool, process.rendering
        )
    code = _report(result, args, output)
    if args.stats:
        for line in stats.lines():
            print(line)
        print(f"time: {time.perf_counter() - started:.2f} s")
    return code


def _report(result: BuildResult, args: argparse.Namespace, output: Path) -> int:
    """Print the diagnostics and what the build made (or why it failed); the exit status."""
    diagnostics = result.analysis.diagnostics
    print_diagnostics(diagnostics, "text")
    if result.model is None:
        errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
        why = count(errors, "error")
        if args.strict and warnings:
            why += f" and {count(warnings, 'warning')} (--strict)"
        print(f"build failed: {why}; the site was not changed", file=sys.stderr)
        return EXIT_CONTENT
    warnings = len(diagnostics.warnings)
    audience = "public" if args.public else "internal"
    print(
        f"built {audience} site in {output}: {count(result.pages, 'page')}, "
        f"{count(len(result.model.objectives), 'objective')}, {count(warnings, 'warning')}, "
        f"{result.seconds:.2f} s"
    )
    return EXIT_OK
