"""``okrpub serve``: build, serve over HTTP, watch, rebuild and reload the browser.

The site is built in memory and served from there, as ``hugo server`` does:
nothing is written to disk (but the load cache in ``cache_dir``). The parts:

- :mod:`okrpub.serve.live` rebuilds the site after each change and publishes
  it whole (:mod:`okrpub.serve.state`), or its errors over the last good site;
  a page changed by an edit is made when first requested, or by a background
  thread soon after;
- :mod:`okrpub.serve.watch` reports changes in ``content/``, ``okrpub.yaml``
  and the theme, a burst at a time;
- :mod:`okrpub.serve.http` answers requests meant for this server, from the
  files of one build, never a mix of two;
- :mod:`okrpub.serve.overlay` adds the live-reload script and the error
  overlay to HTML responses; they are never part of the built files.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from okrpub.config import Config
from okrpub.engine.build import BuildOptions
from okrpub.engine.project import read_config
from okrpub.serve.http import Server, start_server
from okrpub.serve.live import LiveSite
from okrpub.serve.watch import Watcher


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    public: bool = False
    drafts: bool = False
    poll: bool = False
    #: Host names to answer to besides the loopback ones and ``host`` (``--allowed-host``).
    allowed_hosts: tuple[str, ...] = ()
    #: Keep what loading gave in the project's ``cache_dir`` (``--no-cache``: do not).
    cache: bool = True


def serve(
    root: Path,
    options: ServeOptions,
    today: Callable[[Config], dt.date],
    settle: Callable[[], None] | None = None,
) -> None:
    """Serve until Ctrl-C (a ``KeyboardInterrupt``); ``settle`` runs after each rebuild
    (see :class:`~okrpub.serve.live.LiveSite`)."""
    server: Server | None = None
    serving: threading.Thread | None = None
    site: LiveSite | None = None
    watcher = Watcher(root, poll=options.poll, log=_log)
    try:
        server, url = start_server(options.host, options.port, options.allowed_hosts)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        # The site is rendered in memory: the output folder of the options is never used.
        build_options = BuildOptions(
            Path(), public=options.public, drafts=options.drafts, base_url=url
        )
        site = LiveSite(root, build_options, today, _log, options.cache, settle)
        server.state = site.state
        threading.Thread(target=site.make_waiting_pages, daemon=True).start()
        _log(f"serving {'the public ' if options.public else ''}site at {url} (Ctrl-C to stop)")
        # Watch before the first build, so that nothing saved during it is missed.
        watcher.follow(*_watched_folders(root))
        site.rebuild()
        watcher.follow(*_watched_folders(root))
        while True:
            more, changed = watcher.changes.wait_for_burst()
            if not more:
                break
            site.rebuild(changed)
            watcher.follow(*_watched_folders(root))
    except KeyboardInterrupt:
        _log("stopped")
    finally:
        watcher.stop()
        if site is not None:
            site.close()
        if serving is not None and server is not None:
            server.shutdown()
        if server is not None:
            server.server_close()


def _watched_folders(root: Path) -> tuple[str, str | None]:
    """The content folder and the theme folder, as the configuration now says."""
    config, _ = read_config(root)
    return config.content_dir, config.theme


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
