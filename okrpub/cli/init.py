"""``okrpub init``: scaffold a new project."""

from __future__ import annotations

import argparse
from pathlib import Path

from okrpub.cli.common import EXIT_OK, Commands, add_today
from okrpub.engine.project import today_from


def add_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "init",
        help="scaffold a new project",
        description="Create okrpub.yaml and example content in DIR.",
    )
    parser.add_argument(
        "directory", nargs="?", default=".", metavar="DIR", help="where (default: here)"
    )
    add_today(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from okrpub.edit.scaffold import GITIGNORE, IGNORED, scaffold

    directory = Path(args.directory)
    made = scaffold(directory, today_from(args.today))
    for path in made.written:
        print(f"created {path}")
    if made.kept_gitignore:
        ignored = ", ".join(IGNORED[:-1]) + " and " + IGNORED[-1]
        print(f"note: {directory / GITIGNORE} is kept as it was; make it ignore {ignored}")
    print(f"\nNext: cd {directory} && okrpub check && okrpub build")
    return EXIT_OK
