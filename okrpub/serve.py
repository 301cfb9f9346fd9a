"""Serve: build, serve over HTTP, watch, rebuild and reload the browser.

The site is built into a temporary folder outside the project (so nothing is
ever written into a watched folder) and served from there. The watcher (:mod:`okrpub.watch`)
reports changes in ``content/``, ``okrpub.yaml`` and the theme, a burst at a
time. A rebuild re-reads only changed files (a load
cache), writes only changed files, and tells open pages to reload through
server-sent events. When the content has errors, the last good site stays
up with the diagnostics shown over every page.

The live-reload script and the error overlay are added to HTML responses by
the server; they are never part of the built files.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import html
import mimetypes
import posixpath
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from okrpub.build import BuildOptions, SiteRenderer, new_renderer, render, theme_signature
from okrpub.cache import CacheStore
from okrpub.config import Config
from okrpub.diagnostics import Diagnostic
from okrpub.i18n import LocaleError
from okrpub.load import LoadCache
from okrpub.project import AnalysisMemo, UsageError, read_config
from okrpub.theme import ThemeError
from okrpub.watch import EVERYTHING, Burst, Watcher
from okrpub.write import sync_site

#: Server-sent events send a comment this often, to notice closed pages.
PING_SECONDS = 15.0

LIVE_PREFIX = "/_okrpub/"

_LIVE_SCRIPT = b"""(function () {
  "use strict";
  var script = document.currentScript;
  var version = script && script.getAttribute("data-version");
  var source = new EventSource("/_okrpub/events");
  source.onmessage = function (event) {
    if (event.data !== version) { window.location.reload(); }
  };
}());
"""

_OVERLAY_STYLE = (
    "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
    "margin:0;padding:1rem 1.25rem;background:#2b0a0a;color:#ffe9e9;"
    "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "border-top:4px solid #ff6b6b;white-space:pre-wrap"
)


@dataclass
class LiveState:
    """What the server shows: the build version, and the lines of the error overlay
    (diagnostics as ``path:line:col: ...``, or a theme error) while there are errors."""

    version: int = 0
    errors: list[str] = field(default_factory=list)
    has_site: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[str], *, has_site: bool, site_changed: bool = True) -> None:
        """Tell open pages to reload, unless neither the site nor the errors changed."""
        with self.changed:
            if not site_changed and errors == self.errors and has_site == self.has_site:
                return
            self.version += 1
            self.errors = errors
            self.has_site = has_site
            self.changed.notify_all()

    def snapshot(self) -> tuple[int, list[str], bool]:
        """The version, the overlay's lines and whether a site was built, read together."""
        with self.changed:
            return self.version, list(self.errors), self.has_site


class LiveSite:
    """Rebuilds the site into ``output`` and keeps what the next rebuild needs."""

    def __init__(
        self,
        root: Path,
        output: Path,
        options: BuildOptions,
        today: Callable[[], dt.date],
        log: Callable[[str], None],
        use_cache: bool = True,
    ) -> None:
        self.root = root
        self.output = output
        self.options = options
        self.today = today
        self.log = log
        self.state = LiveState()
        self.use_cache = use_cache
        self.cache: LoadCache | None = None
        self.cache_folder: Path | None = None
        self.renderer: SiteRenderer | None = None
        self.renderer_key: object = None
        #: What the site folder holds; ``None`` when unknown (after a failed sync).
        self.written: dict[str, bytes] | None = {}
        self.shown: list[Diagnostic] = []
        #: The files changed since the last rebuild that ran to its end (EVERYTHING: unknown).
        self.unsettled: Burst = EVERYTHING
        self.memo = AnalysisMemo()

    def _show(self, diagnostics: list[Diagnostic]) -> None:
        """Print the diagnostics, unless the last rebuild printed the very same ones."""
        if diagnostics != self.shown:
            for diagnostic in diagnostics:
                self.log(diagnostic.as_text())
        self.shown = diagnostics

    def rebuild(self, changed: Burst = EVERYTHING) -> None:
        """Build once, after the files ``changed`` changed (as the watcher says); on
        errors keep the last good site and publish the errors.

        Nothing that goes wrong in a rebuild stops the server: content errors are
        diagnostics, a broken theme is a message, and a bug is a traceback on the
        terminal; the last good site stays up under the overlay in every case.
        """
        started = time.perf_counter()
        if self.unsettled is not None:
            self.unsettled = None if changed is None else self.unsettled | changed
        try:
            self._rebuild(started, self.unsettled)
            # Whatever a rebuild that stopped half-way had read, the next one reads again.
            self.unsettled = frozenset()
        except (UsageError, ThemeError, LocaleError) as error:
            self._broken(str(error), started)
        except Exception as error:
            self.log(traceback.format_exc().rstrip())
            self._broken(f"internal error: {type(error).__name__}: {error}", started)
        finally:
            _settle_memory()

    def _rebuild(self, started: float, changed: Burst) -> None:
        config, config_diagnostics = read_config(self.root)
        if config_diagnostics.has_errors():
            self._failed(config_diagnostics.sorted(), started)
            return
        result = render(
            self.root,
            config,
            self.today(),
            self.options,
            self._load_cache(config),
            self._renderer(config),
            changed=changed,
            memo=self.memo,
        )
        diagnostics = result.analysis.diagnostics
        if result.files is None:
            self._failed(diagnostics.sorted(), started)
            return
        previous = self.written if self.written is not None else _read_folder(self.output)
        # Until the sync is done the folder holds neither build; should it fail, the
        # next rebuild compares with what is really there.
        self.written = None
        changed = sync_site(result.files, self.output, previous)
        self.written = dict(result.files)
        warnings = diagnostics.warnings
        self._show(warnings)
        seconds = time.perf_counter() - started
        count = len(warnings)
        self.log(
            f"rebuilt in {seconds:.2f} s: {result.pages} pages, {count} warning{'s' * (count != 1)}"
        )
        self.state.publish([], has_site=True, site_changed=bool(changed))

    def _load_cache(self, config: Config) -> LoadCache:
        """The load cache of the last rebuild, unless ``cache_dir`` changed."""
        folder = self.root / config.cache_dir if self.use_cache else None
        if self.cache is None or folder != self.cache_folder:
            self.close()
            self.cache = LoadCache(CacheStore(folder) if folder else None)
            self.cache_folder = folder
            if self.cache.store is not None and self.cache.store.problem:
                self.log(f"note: {self.cache.store.problem}")
        return self.cache

    def close(self) -> None:
        if self.cache is not None and self.cache.store is not None:
            self.cache.store.close()

    def _renderer(self, config: Config) -> SiteRenderer:
        """The renderer of the last rebuild, unless the configuration or the theme changed."""
        key = (config, theme_signature(self.root, config))
        if self.renderer is None or key != self.renderer_key:
            self.renderer = new_renderer(self.root, config, self.options)
            self.renderer_key = key
        return self.renderer

    def _failed(self, errors: list[Diagnostic], started: float) -> None:
        self._show(errors)
        count = sum(1 for d in errors if d.severity == "error")
        self._report(f"{count} error{'s' * (count != 1)}", [d.as_text() for d in errors], started)

    def _broken(self, message: str, started: float) -> None:
        self.shown = []
        self._report(message, [message], started)

    def _report(self, what: str, lines: list[str], started: float) -> None:
        seconds = time.perf_counter() - started
        kept = "still serving the last good site" if self.state.has_site else "nothing to serve yet"
        self.log(f"rebuild failed in {seconds:.2f} s: {what}; {kept}")
        self.state.publish(lines, has_site=self.state.has_site, site_changed=False)


def _settle_memory() -> None:
    """Collect the rebuild's garbage and exempt what survived from later collections.

    The model of a large organisation is millions of objects; without this, the
    garbage collector goes through all of them again and again in every rebuild
    (a second at 10,000 objectives). What is frozen is still freed when no
    longer referenced; only reference cycles among frozen objects would stay,
    and the model has none.
    """
    gc.collect()
    gc.freeze()


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by site path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


# -- serving ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], site: Path, state: LiveState) -> None:
        super().__init__(address, _Handler)
        self.site = site.resolve()
        self.state = state


def _content_type(path: Path) -> str:
    special = {".js": "text/javascript", ".xml": "application/xml", ".json": "application/json"}
    kind = (
        special.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    if path.name == "feed.xml":
        kind = "application/atom+xml"
    text = kind.startswith("text/") or kind.endswith(("xml", "json", "javascript"))
    return f"{kind}; charset=utf-8" if text else kind


def _decorate(body: bytes, version: int, errors: list[str], has_site: bool) -> bytes:
    """The live-reload script, and the error overlay while the content has errors."""
    extra = f'<script src="{LIVE_PREFIX}live.js" data-version="{version}"></script>'
    if errors:
        lines = "\n".join(html.escape(line) for line in errors)
        shown = "this is the last good site" if has_site else "there is no site to show yet"
        extra += (
            f'<div id="okrpub-errors" role="alert" style="{_OVERLAY_STYLE}">'
            f"<strong>okrpub could not rebuild the site; {shown}.</strong>\n"
            f"{lines}</div>"
        )
    marker = b"</body>"
    index = body.rfind(marker)
    if index < 0:
        return body + extra.encode()
    return body[:index] + extra.encode() + body[index:]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged; rebuilds are."""

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == LIVE_PREFIX + "events":
            self._events()
            return
        self._respond(send_body=True)

    def _respond(self, *, send_body: bool) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path == LIVE_PREFIX + "live.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", _LIVE_SCRIPT, send_body)
            return
        if not path.endswith("/") and (found := self._find(path + "/")) and found.is_file():
            # One leading slash: "//units/" would be a URL of the host "units".
            location = "/" + path.lstrip("/") + "/" + (f"?{url.query}" if url.query else "")
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # The version first: a page read before a rebuild must not carry the version
        # after it, or it would not reload (the other way round, it reloads once more).
        version, errors, has_site = self.server.state.snapshot()
        file = self._find(path)
        status = HTTPStatus.OK
        if file is None:
            status = HTTPStatus.NOT_FOUND
            file = self._find("/404.html")
        try:
            body = None if file is None else file.read_bytes()
        except OSError:  # gone in a rebuild since it was found
            body, status = None, HTTPStatus.NOT_FOUND
        if file is None or body is None:
            body = _decorate(
                b"<!doctype html><title>okrpub</title><body></body>", version, errors, has_site
            )
            self._send(status, "text/html; charset=utf-8", body, send_body)
            return
        content_type = _content_type(file)
        if file.suffix == ".html":
            body = _decorate(body, version, errors, has_site)
        self._send(status, content_type, body, send_body)

    def _find(self, url_path: str) -> Path | None:
        """The file under the site for ``url_path``, or ``None``; nothing outside the site."""
        path = unquote(url_path)
        if "\0" in path or "\\" in path:
            return None
        if path.endswith("/"):
            path += "index.html"
        normal = posixpath.normpath("/" + path.lstrip("/"))
        if normal.startswith("/..") or "/../" in normal:
            return None
        candidate = (self.server.site / normal.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.server.site) or not candidate.is_file():
            return None
        return candidate

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the build version now, and again after every rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.close_connection = True
        state = self.server.state
        try:
            with state.changed:
                version = state.version
            self.wfile.write(f"data: {version}\n\n".encode())
            self.wfile.flush()
            while True:
                with state.changed:
                    if state.version == version:
                        state.changed.wait(PING_SECONDS)
                    current = state.version
                message = f"data: {current}\n\n" if current != version else ": ping\n\n"
                version = current
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


# -- the command -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    public: bool = False
    drafts: bool = False
    poll: bool = False
    #: Keep what loading gave in the project's ``cache_dir`` (``--no-cache``: do not).
    cache: bool = True


def serve(root: Path, options: ServeOptions, today: Callable[[], dt.date]) -> None:
    """Serve until Ctrl-C; the temporary site folder is removed on the way out."""
    output = Path(tempfile.mkdtemp(prefix="okrpub-serve-"))
    server: _Server | None = None
    serving: threading.Thread | None = None
    site: LiveSite | None = None
    watcher = Watcher(root, poll=options.poll, log=_log)
    try:
        if threading.current_thread() is threading.main_thread():
            # SIGINT too: a shell starts background jobs with SIGINT ignored, and
            # Python then leaves it ignored; serve must stop on it all the same.
            signal.signal(signal.SIGINT, _interrupt)
            signal.signal(signal.SIGTERM, _interrupt)
        server, url = _start_server(options, output)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        build_options = BuildOptions(
            output, public=options.public, drafts=options.drafts, base_url=url
        )
        site = LiveSite(root, output, build_options, today, _log, options.cache)
        server.state = site.state
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
        try:
            watcher.stop()
            if site is not None:
                site.close()
            if serving is not None and server is not None:
                server.shutdown()
            if server is not None:
                server.server_close()
        finally:  # even when a second Ctrl-C cuts the above short
            shutil.rmtree(output, ignore_errors=True)


def _watched_folders(root: Path) -> tuple[str, str | None]:
    """The content folder and the theme folder, as the configuration now says."""
    config, _ = read_config(root)
    return config.content_dir, config.theme


def _start_server(options: ServeOptions, output: Path) -> tuple[_Server, str]:
    try:
        server = _Server((options.host, options.port), output, LiveState())
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {options.port} on {options.host} is in use; choose another with --port"
            ) from None
        raise UsageError(
            f"cannot listen on {options.host}:{options.port}: {error.strerror}"
        ) from None
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    return server, f"http://{shown}:{port}/"


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the server as Ctrl-C does, cleaning up on the way out."""
    raise KeyboardInterrupt


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
