"""The command line: ``okrpub init | check | build | serve | schema``.

Each command returns an exit status: 0 success, 1 content errors (or
warnings under ``--strict``), 2 bad usage or configuration. Problems with
content are printed as diagnostics, never as tracebacks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from okrpub import __version__
from okrpub.build import BuildOptions, build
from okrpub.diagnostics import Diagnostics, format_diagnostics
from okrpub.i18n import LocaleError
from okrpub.jsonschema import SCHEMAS, schema_text
from okrpub.project import UsageError, analyse, read_config, today_from
from okrpub.scaffold import scaffold
from okrpub.serve import ServeOptions, serve
from okrpub.theme import ThemeError
from okrpub.write import WriteError

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okrpub",
        description="Validate OKRs kept as Markdown files and publish them as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"okrpub {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init",
        help="scaffold a new project",
        description="Create okrpub.yaml and example content in DIR.",
    )
    init.add_argument(
        "directory", nargs="?", default=".", metavar="DIR", help="where (default: here)"
    )
    _add_today(init)

    check = commands.add_parser(
        "check",
        help="validate and lint the content",
        description="Validate every file and print diagnostics "
        "(path:line:col: severity: message [rule]).",
    )
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument(
        "--format",
        choices=("text", "json", "github", "gitlab"),
        default="text",
        help="how to print diagnostics",
    )
    _add_today(check)

    build = commands.add_parser(
        "build",
        help="check, then render the site",
        description="Check the content; if there are no errors, write the static site.",
    )
    build.add_argument("--out", metavar="DIR", help="output folder (default: output_dir, 'site')")
    build.add_argument(
        "--public", action="store_true", help="only what is public (a transparency site)"
    )
    build.add_argument("--drafts", action="store_true", help="include objectives marked draft")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument(
        "--base-url", metavar="URL", help="override base_url (for the feed and sitemap)"
    )
    _add_today(build)

    serve = commands.add_parser(
        "serve",
        help="build, serve, watch, rebuild and live-reload the browser",
        description="Serve the site while you edit: every change is rebuilt and the open "
        "pages reload. Content errors are shown over the last good site.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port (default: %(default)s; 0: any free one)"
    )
    serve.add_argument("--public", action="store_true", help="only what is public")
    serve.add_argument("--drafts", action="store_true", help="include objectives marked draft")
    serve.add_argument(
        "--poll", action="store_true", help="watch by polling (network shares, container volumes)"
    )
    _add_today(serve)

    schema = commands.add_parser(
        "schema",
        help="print a JSON Schema (objective or unit front matter, api/okrs.json)",
        description="Print the JSON Schema (draft 2020-12) of objective front matter, unit "
        "front matter or api/okrs.json, for editors and other tools.",
    )
    schema.add_argument(
        "name",
        nargs="?",
        choices=tuple(SCHEMAS),
        default=next(iter(SCHEMAS)),
        help="which schema (default: %(default)s)",
    )
    return parser


def _add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="the date for status and staleness (default: SOURCE_DATE_EPOCH, else today)",
    )


#: okrpub makes many small objects that live for the whole run and form no reference
#: cycles; with Python's default threshold (700) the cyclic garbage collector scans them
#: over and over, which cost a third of ``check``'s time at 1,000 objectives.
GC_THRESHOLD = 100_000


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    args = _parser().parse_args(argv)
    try:
        if args.command == "init":
            return _init(Path(args.directory), today_from(args.today))
        if args.command == "build":
            return _build(Path.cwd(), args)
        if args.command == "serve":
            return _serve(Path.cwd(), args)
        if args.command == "schema":
            sys.stdout.write(schema_text(args.name))
            return EXIT_OK
        return _check(Path.cwd(), args)
    except (UsageError, LocaleError, ThemeError, WriteError) as error:
        print(f"okrpub: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _init(directory: Path, today: dt.date) -> int:
    written = scaffold(directory, today)
    for path in written:
        print(f"created {path}")
    print(f"\nNext: cd {directory} && okrpub check && okrpub build")
    return EXIT_OK


def _print_diagnostics(diagnostics: Diagnostics, output_format: str) -> None:
    items = diagnostics.sorted()
    if items or output_format in ("json", "gitlab"):
        print(format_diagnostics(items, output_format))


def _check(root: Path, args: argparse.Namespace) -> int:
    today = today_from(args.today)
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        _print_diagnostics(config_diagnostics, args.format)
        return EXIT_USAGE
    analysis = analyse(root, config, today)
    diagnostics = analysis.diagnostics
    diagnostics.extend(config_diagnostics.sorted())
    _print_diagnostics(diagnostics, args.format)
    if args.format == "text":
        print(
            _summary(diagnostics, len(analysis.model.objectives), len(analysis.model.units)),
            file=sys.stderr,
        )
    failed = diagnostics.has_errors() or (args.strict and bool(diagnostics.warnings))
    return EXIT_CONTENT if failed else EXIT_OK


def _build(root: Path, args: argparse.Namespace) -> int:
    today = today_from(args.today)
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        _print_diagnostics(config_diagnostics, "text")
        return EXIT_USAGE
    output = Path(args.out) if args.out else root / config.output_dir
    options = BuildOptions(
        output, public=args.public, drafts=args.drafts, strict=args.strict, base_url=args.base_url
    )
    result = build(root, config, today, options)
    diagnostics = result.analysis.diagnostics
    _print_diagnostics(diagnostics, "text")
    if result.model is None:
        errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
        why = _count(errors, "error")
        if args.strict and warnings:
            why += f" and {_count(warnings, 'warning')} (--strict)"
        print(f"build failed: {why}; the site was not changed", file=sys.stderr)
        return EXIT_CONTENT
    warnings = len(diagnostics.warnings)
    audience = "public" if args.public else "internal"
    print(
        f"built {audience} site in {output}: {_count(result.pages, 'page')}, "
        f"{_count(len(result.model.objectives), 'objective')}, {_count(warnings, 'warning')}, "
        f"{result.seconds:.2f} s"
    )
    return EXIT_OK


def _serve(root: Path, args: argparse.Namespace) -> int:
    today_from(args.today)  # a bad --today is a usage error now, not at the first rebuild
    options = ServeOptions(
        host=args.host, port=args.port, public=args.public, drafts=args.drafts, poll=args.poll
    )
    serve(root, options, lambda: today_from(args.today))
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    """``1 objective``, ``2 objectives``."""
    return f"{number} {noun}{'s' * (number != 1)}"


def _summary(diagnostics: Diagnostics, objectives: int, units: int) -> str:
    return (
        f"checked {_count(objectives, 'objective')} and {_count(units, 'unit')}: "
        f"{_count(len(diagnostics.errors), 'error')}, "
        f"{_count(len(diagnostics.warnings), 'warning')}"
    )
