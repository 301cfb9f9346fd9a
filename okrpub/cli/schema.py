"""``okrpub schema``: print a JSON Schema, for editors and other tools."""

from __future__ import annotations

import argparse
import sys

from okrpub.cli.common import EXIT_OK, Commands

#: The names of :data:`okrpub.site.jsonschema.SCHEMAS`, the first the default: that module
#: (and the export it describes) is imported only when the command runs.
NAMES = ("objective", "unit", "page", "config", "okrs")


def add_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "schema",
        help="print a JSON Schema (objective or unit front matter, api/okrs.json, okrpub.yaml)",
        description="Print the JSON Schema (draft 2020-12) of objective front matter, unit "
        "front matter, api/okrs.json or okrpub.yaml, for editors and other tools.",
    )
    parser.add_argument(
        "name",
        nargs="?",
        choices=NAMES,
        default=NAMES[0],
        help="which schema (default: %(default)s)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from okrpub.site.jsonschema import schema_text

    sys.stdout.write(schema_text(args.name))
    return EXIT_OK
