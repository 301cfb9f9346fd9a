"""``okrpub diff``: what a change does to the OKRs, read from git (a pull-request comment)."""

from __future__ import annotations

import argparse
from pathlib import Path

from okrpub.cli.common import EXIT_OK, Commands, add_today
from okrpub.engine.project import today_from


def add_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "diff",
        help="what a change does to the OKRs (a pull-request comment)",
        description="Compare the OKRs at two git revisions, read from git without a checkout: "
        "objectives and key results added, removed or changed, new check-ins, and the "
        "problems the change introduces or fixes.",
    )
    parser.add_argument("base", metavar="BASE", help="the revision before the change")
    parser.add_argument(
        "head", metavar="HEAD", nargs="?", default="HEAD", help="the revision after it (HEAD)"
    )
    parser.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="how to print it"
    )
    add_today(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from okrpub.engine.revision import analyse_revision
    from okrpub.git.comment import format_json, format_markdown
    from okrpub.git.diff import Revision, compare
    from okrpub.git.repo import check_repository, resolve_revision

    root = Path.cwd()
    today_from(args.today)  # a bad --today is a usage error before anything is read
    check_repository(root)
    base = Revision(args.base, resolve_revision(root, args.base))
    head = Revision(args.head, resolve_revision(root, args.head))
    before = analyse_revision(root, base.commit, args.today)
    after = analyse_revision(root, head.commit, args.today)
    comparison = compare(base, before, head, after)
    print(format_json(comparison) if args.format == "json" else format_markdown(comparison), end="")
    return EXIT_OK
