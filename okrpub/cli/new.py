"""``okrpub new objective | unit``: write a new file with placeholders to fill in."""

from __future__ import annotations

import argparse
from pathlib import Path

from okrpub.cli.common import EXIT_OK, Commands, analyse_for_edit
from okrpub.engine.project import today_from
from okrpub.source.schema import OBJECTIVE_TYPES, UNIT_KINDS


def add_parser(commands: Commands) -> None:
    new = commands.add_parser(
        "new",
        help="write a new objective or unit file to fill in",
        description="Write a new file where okrpub looks for it, with placeholders "
        "('<FILL IN: ...>') that 'okrpub check' reports until they are replaced.",
    )
    new.set_defaults(run=run)
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
    objective.add_argument("--type", choices=OBJECTIVE_TYPES, help="default: aspirational")
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
    unit.add_argument("--kind", required=True, choices=UNIT_KINDS)
    unit.add_argument(
        "--parent", metavar="UNIT", help="the team or company it is part of (not for a company)"
    )
    unit.add_argument("--lead", metavar="UNIT", help="the person who leads it")


def run(args: argparse.Namespace) -> int:
    from okrpub.edit import new as new_module  # here: only this command needs it

    root = Path.cwd()
    analysis = analyse_for_edit(root, today_from(None))
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
