"""``okrpub serve``: build, serve, watch, rebuild and live-reload the browser."""

from __future__ import annotations

import argparse
from pathlib import Path

from okrpub.cli import process
from okrpub.cli.common import EXIT_OK, Commands, add_no_cache, add_today
from okrpub.engine.project import today_from


def add_parser(commands: Commands) -> None:
    parser = commands.add_parser(
        "serve",
        help="build, serve, watch, rebuild and live-reload the browser",
        description="Serve the site while you edit: every change is rebuilt and the open "
        "pages reload. Content errors are shown over the last good site.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default: %(default)s; 0: any free one)"
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        type=_host_name,
        metavar="NAME",
        help="also answer requests for this host name (besides localhost, 127.0.0.1, [::1] "
        "and --host); may be given more than once",
    )
    parser.add_argument("--public", action="store_true", help="only what is public")
    parser.add_argument("--drafts", action="store_true", help="include objectives marked draft")
    parser.add_argument(
        "--poll", action="store_true", help="watch by polling (network shares, container volumes)"
    )
    add_today(parser)
    add_no_cache(parser)
    parser.set_defaults(run=run)


def _host_name(value: str) -> str:
    """An ``--allowed-host``: a host name or address, without a port."""
    from okrpub.serve.http import host_name

    name = host_name(value)
    if name is None or name != value.strip().lower():
        raise argparse.ArgumentTypeError(
            f"a host name or address without a port, such as okr.example or [::1], got {value!r}"
        )
    return name


def run(args: argparse.Namespace) -> int:
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
    process.stop_on_signals()
    serve(
        Path.cwd(),
        options,
        lambda config: today_from(args.today, config.today),
        process.settle_memory,
    )
    return EXIT_OK
