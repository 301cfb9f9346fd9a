"""Serve: build, serve over HTTP, watch, rebuild and reload the browser.

The site is built into a temporary folder outside the project (so nothing is
ever written into a watched folder) and served from there. Watchdog reports
changes in ``content/``, ``okrpub.yaml`` and the theme; a burst of events is
coalesced into one rebuild. A rebuild re-reads only changed files (a load
cache), writes only changed files, and tells open pages to reload through
server-sent events. When the content has errors, the last good site stays
up with the diagnostics shown over every page.

The live-reload script and the error overlay are added to HTML responses by
the server; they are never part of the built files.
"""

from __future__ import annotations

import datetime as dt
import errno
import html
import mimetypes
import posixpath
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from okrpub.build import BuildOptions, render
from okrpub.config import CONFIG_FILE
from okrpub.diagnostics import Diagnostic
from okrpub.discover import is_ignored
from okrpub.load import LoadCache
from okrpub.project import UsageError, read_config
from okrpub.theme import ThemeError
from okrpub.write import sync_site

#: A rebuild starts once no change has come in for this long ...
QUIET_SECONDS = 0.05
#: ... or this long after the first change of a burst, whichever is first.
MOST_WAIT_SECONDS = 0.5
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
    """What the server shows: the build version and the last rebuild's errors."""

    version: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    has_site: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[Diagnostic], *, has_site: bool) -> None:
        with self.changed:
            self.version += 1
            self.errors = errors
            self.has_site = has_site
            self.changed.notify_all()


class LiveSite:
    """Rebuilds the site into ``output`` and keeps what the next rebuild needs."""

    def __init__(
        self,
        root: Path,
        output: Path,
        options: BuildOptions,
        today: Callable[[], dt.date],
        log: Callable[[str], None],
    ) -> None:
        self.root = root
        self.output = output
        self.options = options
        self.today = today
        self.log = log
        self.state = LiveState()
        self.cache = LoadCache()
        self.written: dict[str, bytes] = {}
        self.shown: list[Diagnostic] = []

    def _show(self, diagnostics: list[Diagnostic]) -> None:
        """Print the diagnostics, unless the last rebuild printed the very same ones."""
        if diagnostics != self.shown:
            for diagnostic in diagnostics:
                self.log(diagnostic.as_text())
        self.shown = diagnostics

    def rebuild(self) -> None:
        """Build once; on errors keep the last good site and publish the errors."""
        started = time.perf_counter()
        config, config_diagnostics = read_config(self.root)
        if config_diagnostics.has_errors():
            self._failed(config_diagnostics.sorted(), started)
            return
        try:
            result = render(self.root, config, self.today(), self.options, self.cache)
        except (UsageError, ThemeError) as error:
            self.log(f"rebuild failed: {error}")
            self.state.publish([], has_site=self.state.has_site)
            return
        diagnostics = result.analysis.diagnostics
        if result.files is None:
            self._failed(diagnostics.sorted(), started)
            return
        sync_site(result.files, self.output, self.written)
        self.written = dict(result.files)
        self._show(diagnostics.warnings)
        seconds = time.perf_counter() - started
        warnings = len(diagnostics.warnings)
        self.log(
            f"rebuilt in {seconds:.2f} s: {result.pages} pages, "
            f"{warnings} warning{'s' * (warnings != 1)}"
        )
        self.state.publish([], has_site=True)

    def _failed(self, errors: list[Diagnostic], started: float) -> None:
        self._show(errors)
        seconds = time.perf_counter() - started
        kept = "still serving the last good site" if self.state.has_site else "nothing to serve yet"
        count = sum(1 for d in errors if d.severity == "error")
        self.log(f"rebuild failed in {seconds:.2f} s: {count} error{'s' * (count != 1)}; {kept}")
        self.state.publish(errors, has_site=self.state.has_site)


# -- watching --------------------------------------------------------------------------


def _changed_names(event: FileSystemEvent) -> set[str]:
    """The file names an event changes; none for reads (which okrpub's own rebuilds cause)."""
    if event.event_type in ("opened", "closed_no_write"):
        return set()
    paths = (event.src_path, getattr(event, "dest_path", "") or "")
    return {Path(str(path)).name for path in paths if path}


class _ChangeHandler(FileSystemEventHandler):
    """Collects changes, leaving out editor temporary files."""

    def __init__(self, changes: Changes) -> None:
        self.changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if any(not is_ignored(name) for name in _changed_names(event)):
            self.changes.add()


class Changes:
    """A flag set by the watcher and taken, after a burst has settled, by the rebuilder."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._first: float | None = None
        self._last = 0.0
        self._closed = False

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def reopen(self) -> None:
        with self._condition:
            self._closed = False

    def add(self) -> None:
        with self._condition:
            now = time.monotonic()
            self._first = self._first or now
            self._last = now
            self._condition.notify_all()

    def wait_for_burst(self) -> bool:
        """Block until a burst of changes has settled; ``False`` once closed."""
        with self._condition:
            while self._first is None:
                if self._closed:
                    return False
                self._condition.wait(0.5)
            while True:
                now = time.monotonic()
                settle = min(self._last + QUIET_SECONDS, self._first + MOST_WAIT_SECONDS)
                if now >= settle:
                    self._first = None
                    return True
                self._condition.wait(settle - now)


class Watcher:
    """Watches the content folder, the theme folder and the project folder (for
    ``okrpub.yaml``). It watches folders, never single files, so that an editor's
    rename-on-save never loses a watch; it follows the folders when the
    configuration moves them."""

    def __init__(self, root: Path, *, poll: bool) -> None:
        self.root = root
        self.poll = poll
        self.changes = Changes()
        self._observer: BaseObserver | None = None
        self._folders: tuple[str, str | None] | None = None

    def follow(self, content_dir: str, theme: str | None) -> None:
        if self._folders == (content_dir, theme):
            return
        self.stop()
        self.changes.reopen()
        observer: BaseObserver = PollingObserver(timeout=0.5) if self.poll else Observer()
        handler = _ChangeHandler(self.changes)
        observer.schedule(_ConfigHandler(self.changes), str(self.root), recursive=False)
        for folder in (content_dir, theme):
            if folder and (self.root / folder).is_dir():
                observer.schedule(handler, str(self.root / folder), recursive=True)
        observer.start()
        self._observer = observer
        self._folders = (content_dir, theme)

    def stop(self) -> None:
        self.changes.close()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None


class _ConfigHandler(_ChangeHandler):
    """In the project folder itself, only ``okrpub.yaml`` matters."""

    def on_any_event(self, event: FileSystemEvent) -> None:
        if CONFIG_FILE in _changed_names(event):
            self.changes.add()


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
        path = urlsplit(self.path).path
        if path == LIVE_PREFIX + "live.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", _LIVE_SCRIPT, send_body)
            return
        if not path.endswith("/") and (found := self._find(path + "/")) and found.is_file():
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = self._find(path)
        status = HTTPStatus.OK
        if file is None:
            status = HTTPStatus.NOT_FOUND
            file = self._find("/404.html")
        if file is None:
            body = self._decorate(b"<!doctype html><title>okrpub</title><body></body>")
            self._send(status, "text/html; charset=utf-8", body, send_body)
            return
        body = file.read_bytes()
        content_type = _content_type(file)
        if file.suffix == ".html":
            body = self._decorate(body)
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

    def _decorate(self, body: bytes) -> bytes:
        """The live-reload script, and the error overlay while the content has errors."""
        state = self.server.state
        with state.changed:
            version, errors = state.version, list(state.errors)
        extra = f'<script src="{LIVE_PREFIX}live.js" data-version="{version}"></script>'
        if errors:
            lines = "\n".join(html.escape(d.as_text()) for d in errors)
            extra += (
                f'<div id="okrpub-errors" role="alert" style="{_OVERLAY_STYLE}">'
                f"<strong>okrpub: the content has errors; this is the last good site.</strong>\n"
                f"{lines}</div>"
            )
        marker = b"</body>"
        index = body.rfind(marker)
        if index < 0:
            return body + extra.encode()
        return body[:index] + extra.encode() + body[index:]

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


def serve(root: Path, options: ServeOptions, today: Callable[[], dt.date]) -> None:
    """Serve until Ctrl-C; the temporary site folder is removed on the way out."""
    output = Path(tempfile.mkdtemp(prefix="okrpub-serve-"))
    try:
        server, url = _start_server(options, output)
    except BaseException:
        shutil.rmtree(output, ignore_errors=True)
        raise
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    build_options = BuildOptions(output, public=options.public, drafts=options.drafts, base_url=url)
    site = LiveSite(root, output, build_options, today, _log)
    server.state = site.state
    watcher = Watcher(root, poll=options.poll)
    try:
        _log(f"serving {'the public ' if options.public else ''}site at {url} (Ctrl-C to stop)")
        site.rebuild()
        watcher.follow(*_watched_folders(root))
        while watcher.changes.wait_for_burst():
            site.rebuild()
            watcher.follow(*_watched_folders(root))
    except KeyboardInterrupt:
        _log("stopped")
    finally:
        watcher.stop()
        server.shutdown()
        server.server_close()
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
