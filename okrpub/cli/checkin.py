"""``okrpub checkin``: add a check-in to a key result in its file."""

from __future__ import annotations

import argparse
from pathlib import Path

from okrpub.cli.common import EXIT_OK, Commands, add_today, analyse_for_edit
from okrpub.engine.project import today_from
from okrpub.source.schema import HEALTH_VALUES


def add_parser(commands: Commands) -> None:
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
        "--health",
        choices=HEALTH_VALUES,
        help="how you see the key result now (shown beside the derived status)",
    )
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the check-in's date (default: --today)"
    )
    parser.add_argument("--done", action="store_true", help="a binary key result is done")
    parser.add_argument("--score", metavar="S", help="0.0-1.0: the final grade")
    add_today(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from okrpub.edit import checkin
    from okrpub.edit.yamledit import NewCheckin, Request, flow

    root = Path.cwd()
    today = today_from(args.today)
    date = checkin.parse_date(args.date) if args.date is not None else today
    confidence = (
        checkin.parse_fraction(args.confidence, "--confidence")
        if args.confidence is not None
        else None
    )
    score = checkin.parse_fraction(args.score, "--score") if args.score is not None else None
    note = checkin.check_note(args.note) if args.note is not None else None
    target = checkin.find_key_result(analyse_for_edit(root, today), args.key_result)
    value = checkin.checkin_value(args.value, target.key_result, args.done)
    new_checkin = NewCheckin(date, value, confidence, note, args.health)
    line = checkin.append_checkin(root, target, Request(new_checkin, done=args.done, score=score))
    print(f"{target.objective.path}:{line}: added {flow(new_checkin)}")
    key_result = target.key_result
    if key_result.current is not None:
        print(f"note: 'current: {key_result.current}' in the key result wins over its check-ins")
    if key_result.confidence is not None and confidence is not None:
        print(
            f"note: 'confidence: {key_result.confidence}' in the key result wins over its check-ins"
        )
    return EXIT_OK
