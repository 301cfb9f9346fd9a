"""The command line: ``okrpub init | check | build | serve | diff | new | checkin | schema``.

Each command returns an exit status: 0 success, 1 content errors (or
warnings under ``--strict``), 2 bad usage or configuration. Problems with
content are printed as diagnostics, never as tracebacks.

A command imports what only it needs when it runs (rendering, serving, git),
so that ``check``, run on every pull request and by editors, starts quickly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from okrpub import __version__
from okrpub.config import Config, base_url_problem
from okrpub.diagnostics import Diagnostics, format_diagnostics
from okrpub.edit import new as new_module
from okrpub.engine.loader import LoadCache
from okrpub.engine.project import (
    Analysis,
    analyse,
    open_cache,
    output_folder,
    read_config,
    today_from,
)
from okrpub.errors import UsageError
from okrpub.site.i18n import LocaleError
from okrpub.site.jsonschema import SCHEMAS, schema_text
from okrpub.site.theme import ThemeError
from okrpub.site.write import WriteError

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
#: What a shell reports for a program that SIGPIPE ended (128 + 13).
EXIT_BROKEN_PIPE = 141


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
    _add_no_cache(check)

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
        "--base-url",
        type=_base_url,
        metavar="URL",
        help="override base_url (for the feed and sitemap)",
    )
    build.add_argument(
        "--history",
        choices=("git",),
        help="chart key results without check-ins from the values of 'current' in git history",
    )
    _add_today(build)
    _add_no_cache(build)

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
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        type=_host_name,
        metavar="NAME",
        help="also answer requests for this host name (besides localhost, 127.0.0.1, [::1] "
        "and --host); may be given more than once",
    )
    serve.add_argument("--public", action="store_true", help="only what is public")
    serve.add_argument("--drafts", action="store_true", help="include objectives marked draft")
    serve.add_argument(
        "--poll", action="store_true", help="watch by polling (network shares, container volumes)"
    )
    _add_today(serve)
    _add_no_cache(serve)

    diff = commands.add_parser(
        "diff",
        help="what a change does to the OKRs (a pull-request comment)",
        description="Compare the OKRs at two git revisions, read from git without a checkout: "
        "objectives and key results added, removed or changed, new check-ins, and the "
        "problems the change introduces or fixes.",
    )
    diff.add_argument("base", metavar="BASE", help="the revision before the change")
    diff.add_argument(
        "head", metavar="HEAD", nargs="?", default="HEAD", help="the revision after it (HEAD)"
    )
    diff.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="how to print it"
    )
    _add_today(diff)
    _add_new(commands)
    _add_checkin(commands)

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


def _add_new(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser(
        "new",
        help="write a new objective or unit file to fill in",
        description="Write a new file where okrpub looks for it, with placeholders "
        "('<FILL IN: ...>') that 'okrpub check' reports until they are replaced.",
    )
    what = new.add_subparsers(dest="what", metavar="WHAT", required=True)
    objective = what.add_parser(
        "objective",
        help="content/<period>/<owner>/<id>.md",
        description="Write content/<period>/<owner>/<id>.md with three key results to fill in.",
    )
    objective.add_argument("title", metavar="TITLE", help="the objective's title")
    objective.add_argument("--owner", required=True, metavar="UNIT", help="the owner unit's id")
    objective.add_argument("--period", required=True, metavar="PERIOD", help="such as 2026-Q4")
    objective.add_argument(
        "--parent", metavar="OBJ[#KR]", help="the objective (or key result) this one aligns to"
    )
    objective.add_argument(
        "--type", choices=new_module.OBJECTIVE_TYPES, help="default: aspirational"
    )
    objective.add_argument(
        "--id", metavar="ID", help="the id and file name (default: from the title)"
    )
    unit = what.add_parser(
        "unit",
        help="content/units/<id>.md",
        description="Write content/units/<id>.md for a company, team or person.",
    )
    unit.add_argument("id", metavar="ID", help="the unit's id and file name, such as 'payments'")
    unit.add_argument("name", metavar="NAME", help="the unit's name, such as 'Payments team'")
    unit.add_argument("--kind", required=True, choices=new_module.UNIT_KINDS)
    unit.add_argument(
        "--parent", metavar="UNIT", help="the team or company it is part of (not for a company)"
    )
    unit.add_argument("--lead", metavar="UNIT", help="the person who leads it")


def _add_checkin(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "checkin",
        help="add a check-in to a key result",
        description="Add a check-in to a key result in its file, changing nothing else "
        "in the file. A numeric key result takes a VALUE; a binary one takes --done "
        "when it is done.",
    )
    parser.add_argument("key_result", metavar="OBJECTIVE#KR", help="such as grow#revenue")
    parser.add_argument(
        "value", nargs="?", metavar="VALUE", help="the value now (numeric key results)"
    )
    parser.add_argument("--confidence", metavar="C", help="0.0-1.0: how likely the target is met")
    parser.add_argument("--note", metavar="TEXT", help="what happened")
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the check-in's date (default: --today)"
    )
    parser.add_argument("--done", action="store_true", help="a binary key result is done")
    parser.add_argument("--score", metavar="S", help="0.0-1.0: the final grade")
    _add_today(parser)


def _base_url(value: str) -> str:
    """A ``--base-url``, checked as ``base_url`` in ``okrpub.yaml`` is."""
    problem = base_url_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"must be {problem}, got {value!r}")
    return value


def _host_name(value: str) -> str:
    """An ``--allowed-host``: a host name or address, without a port."""
    from okrpub.serve.server import host_name

    name = host_name(value)
    if name is None or name != value.strip().lower():
        raise argparse.ArgumentTypeError(
            f"a host name or address without a port, such as okr.example or [::1], got {value!r}"
        )
    return name


def _add_today(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="the date for status and staleness (default: SOURCE_DATE_EPOCH, else today)",
    )


def _add_no_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again, without reading or writing cache_dir",
    )


@contextmanager
def _cache(root: Path, config: Config, use: bool) -> Iterator[LoadCache | None]:
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


#: okrpub makes many small objects that live for the whole run and form no reference
#: cycles; with Python's default threshold (700) the cyclic garbage collector scans them
#: over and over, which cost a third of ``check``'s time at 1,000 objectives. Rendering
#: (Jinja) does make cycles, so ``build`` and ``serve`` keep the collector with this
#: threshold; the other commands only analyse, and run without it (0.7 s of a 3.7 s warm
#: ``check`` at 10,000 objectives).
GC_THRESHOLD = 100_000
RENDERING_COMMANDS = ("build", "serve")


def run() -> NoReturn:
    """The ``okrpub`` command: :func:`main`, then the process ends at once.

    The model of a large organisation is millions of objects, and Python frees them
    one by one when it shuts down: a second of a warm ``build`` at 10,000 objectives.
    As mypy does, the command skips that once its output is flushed; every file it
    writes (the site, the cache's database) is closed by then.
    """
    try:
        code = main()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        # what reads the output stopped (``okrpub check | head``): end quietly, as a
        # program that SIGPIPE ends does
        code = EXIT_BROKEN_PIPE
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with _collector_for(args.command):
        return _run(args)


@contextmanager
def _collector_for(command: str) -> Iterator[None]:
    """The garbage collector set for ``command`` (see ``GC_THRESHOLD``), then as it was."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    if command in RENDERING_COMMANDS:
        gc.set_threshold(GC_THRESHOLD, *threshold[1:])
    else:
        gc.disable()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "init":
            return _init(Path(args.directory), today_from(args.today))
        if args.command == "build":
            return _build(Path.cwd(), args)
        if args.command == "serve":
            return _serve(Path.cwd(), args)
        if args.command == "diff":
            return _diff(Path.cwd(), args)
        if args.command == "new":
            return _new(Path.cwd(), args)
        if args.command == "checkin":
            return _checkin(Path.cwd(), args)
        if args.command == "schema":
            sys.stdout.write(schema_text(args.name))
            return EXIT_OK
        return _check(Path.cwd(), args)
    except (UsageError, LocaleError, ThemeError, WriteError) as error:
        print(f"okrpub: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _init(directory: Path, today: dt.date) -> int:
    from okrpub.edit.scaffold import GITIGNORE, IGNORED, scaffold

    made = scaffold(directory, today)
    for path in made.written:
        print(f"created {path}")
    if made.kept_gitignore:
        ignored = ", ".join(IGNORED[:-1]) + " and " + IGNORED[-1]
        print(f"note: {directory / GITIGNORE} is kept as it was; make it ignore {ignored}")
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
    with _cache(root, config, not args.no_cache) as cache:
        analysis = analyse(root, config, today, cache)
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
    from okrpub.engine.build import BuildOptions, build

    today = today_from(args.today)
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        _print_diagnostics(config_diagnostics, "text")
        return EXIT_USAGE
    output = output_folder(root, config, args.out)
    options = BuildOptions(
        output,
        public=args.public,
        drafts=args.drafts,
        strict=args.strict,
        base_url=args.base_url,
        history=args.history == "git",
    )
    with _cache(root, config, not args.no_cache) as cache:
        result = build(root, config, today, options, cache)
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
    from okrpub.serve.server import ServeOptions, serve

    today_from(args.today)  # a bad --today is a usage error now, not at the first rebuild
    options = ServeOptions(
        host=args.host,
        port=args.port,
        public=args.public,
        drafts=args.drafts,
        poll=args.poll,
        allowed_hosts=tuple(args.allowed_host),
        cache=not args.no_cache,
    )
    serve(root, options, lambda: today_from(args.today))
    return EXIT_OK


def _diff(root: Path, args: argparse.Namespace) -> int:
    from okrpub.engine.revision import analyse_revision
    from okrpub.git.diff import Revision, compare, format_json, format_markdown
    from okrpub.git.repo import check_repository, resolve_revision

    today = today_from(args.today)
    check_repository(root)
    base = Revision(args.base, resolve_revision(root, args.base))
    head = Revision(args.head, resolve_revision(root, args.head))
    before = analyse_revision(root, base.commit, today)
    after = analyse_revision(root, head.commit, today)
    comparison = compare(base, before, head, after)
    print(format_json(comparison) if args.format == "json" else format_markdown(comparison), end="")
    return EXIT_OK


def _analyse(root: Path, today: dt.date) -> Analysis:
    """The project analysed for a command that edits content: bad configuration is exit 2."""
    config, config_diagnostics = read_config(root)
    if config_diagnostics.has_errors():
        _print_diagnostics(config_diagnostics, "text")
        raise UsageError("the configuration has errors (above); fix them first")
    with _cache(root, config, use=True) as cache:
        return analyse(root, config, today, cache)


def _new(root: Path, args: argparse.Namespace) -> int:
    analysis = _analyse(root, today_from(None))
    if args.what == "objective":
        request = new_module.NewObjective(
            args.title, args.owner, args.period, args.parent, args.type, args.id
        )
        written = new_module.new_objective(root, analysis, request)
    else:
        unit = new_module.NewUnit(args.id, args.name, args.kind, args.parent, args.lead)
        written = new_module.new_unit(root, analysis, unit)
    print(f"created {written.path}")
    print("fill in these placeholders, then run 'okrpub check':")
    for item in written.placeholders:
        location = item.location
        print(f"  {location.path}:{location.line}:{location.column}: {item.message}")
    return EXIT_OK


def _checkin(root: Path, args: argparse.Namespace) -> int:
    from okrpub.edit import checkin

    today = today_from(args.today)
    date = checkin.parse_date(args.date) if args.date is not None else today
    confidence = (
        checkin.parse_fraction(args.confidence, "--confidence")
        if args.confidence is not None
        else None
    )
    score = checkin.parse_fraction(args.score, "--score") if args.score is not None else None
    note = checkin.check_note(args.note) if args.note is not None else None
    target = checkin.find_key_result(_analyse(root, today), args.key_result)
    value = checkin.checkin_value(args.value, target.key_result, args.done)
    new_checkin = checkin.NewCheckin(date, value, confidence, note)
    line = checkin.append_checkin(
        root, target, checkin.Request(new_checkin, done=args.done, score=score)
    )
    print(f"{target.objective.path}:{line}: added {checkin.flow(new_checkin)}")
    key_result = target.key_result
    if key_result.current is not None:
        print(f"note: 'current: {key_result.current}' in the key result wins over its check-ins")
    if key_result.confidence is not None and confidence is not None:
        print(
            f"note: 'confidence: {key_result.confidence}' in the key result wins over its check-ins"
        )
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
