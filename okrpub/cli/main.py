"""The command line: ``okrpub init | check | build | serve | diff | new | checkin | schema``.

Each command is a module of :mod:`okrpub.cli` with ``add_parser`` and ``run``,
which returns an exit status: 0 success, 1 content errors (or warnings under
``--strict``), 2 bad usage or configuration. Problems with content are
printed as diagnostics, never as tracebacks; every error okrpub raises on
purpose (:class:`~okrpub.errors.OkrpubError`) is one line here.

A command imports what only it needs when it runs (rendering, serving, git),
so that ``check``, run on every pull request and by editors, starts quickly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from okrpub import __version__
from okrpub.cli import build, check, checkin, diff, init, new, process, schema, serve
from okrpub.cli.common import EXIT_BROKEN_PIPE, EXIT_USAGE
from okrpub.errors import OkrpubError

#: The commands, in the order ``okrpub --help`` lists them.
COMMANDS = (init, check, build, serve, diff, new, checkin, schema)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okrpub",
        description="Validate OKRs kept as Markdown files and publish them as a static site.",
    )
    parser.add_argument("--version", action="version", version=f"okrpub {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def run() -> NoReturn:
    """The ``okrpub`` command: :func:`main`, then the process ends at once
    (:func:`okrpub.cli.process.end`)."""
    try:
        code = main()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        # what reads the output stopped (``okrpub check | head``): end quietly, as a
        # program that SIGPIPE ends does
        code = EXIT_BROKEN_PIPE
    process.end(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with process.collector_for(args.command):
        try:
            code: int = args.run(args)
        except OkrpubError as error:
            print(f"okrpub: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        return code
