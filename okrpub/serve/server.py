"""Serve: build, serve over HTTP, watch, rebuild and reload the browser.

The site is built in memory and served from there, as ``hugo server`` does:
nothing is written to disk (but the load cache in ``cache_dir``). Each good
rebuild's files (site path → bytes) replace the last ones in one step, so a
request is answered from one build, never from a mix of two. The watcher
(:mod:`okrpub.serve.watch`) reports changes in ``content/``, ``okrpub.yaml`` and the
theme, a burst at a time. A rebuild re-reads only changed files (a load
cache), renders only pages whose inputs changed, and tells open pages to
reload through server-sent events. When the content has errors, the last
good site stays up with the diagnostics shown over every page.

The live-reload script and the error overlay are added to HTML responses by
the server; they are never part of the built files.

The server answers only requests meant for it: their ``Host`` must be a
loopback name, the ``--host`` value or an ``--allowed-host`` (so a web page
that rebinds its own DNS name to 127.0.0.1 gets nothing), and a request that
comes from another site's page (an ``Origin`` that is not the server's own)
is refused. A public site's overlay shows only the problems of files that
site shows, and counts the others.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import html
import mimetypes
import posixpath
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from okrpub.config import Config
from okrpub.diagnostics import Diagnostic, Diagnostics
from okrpub.engine.build import BuildOptions, SiteRenderer, new_renderer, render, theme_signature
from okrpub.engine.cache import CacheStore
from okrpub.engine.loader import LoadCache
from okrpub.engine.project import AnalysisMemo, read_config
from okrpub.errors import UsageError
from okrpub.model.audience import select_audience
from okrpub.model.resolve import Resolved
from okrpub.serve.watch import EVERYTHING, Burst, Watcher
from okrpub.site.i18n import LocaleError
from okrpub.site.theme import ThemeError
from okrpub.source.entries import ObjectiveEntry, PageEntry, UnitEntry

#: Server-sent events send a comment this often, to notice closed pages.
PING_SECONDS = 15.0

LIVE_PREFIX = "/_okrpub/"

#: The host names every server answers to, besides its ``--host`` and ``--allowed-host``.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: A ``Host`` header: a name or an IPv4 address, or an IPv6 address in brackets; any port.
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::[0-9]{1,5})?", re.IGNORECASE)

#: A word of a message, as ids are made of (with ``_``, which file names may have).
_WORD = re.compile(r"[\w-]+")

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

#: What a missing page is when the site has no 404 page (or there is no site yet).
_NO_PAGE = b"<!doctype html><title>okrpub</title><body></body>"

_OVERLAY_STYLE = (
    "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
    "margin:0;padding:1rem 1.25rem;background:#2b0a0a;color:#ffe9e9;"
    "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "border-top:4px solid #ff6b6b;white-space:pre-wrap"
)


@dataclass(frozen=True)
class Shown:
    """One moment of what the server shows, read as a whole by each request."""

    version: int
    #: The lines of the error overlay while there are errors (diagnostics as
    #: ``path:line:col: ...``, or a theme error).
    errors: tuple[str, ...]
    #: The files of the last good build by site path; ``None`` before the first one.
    files: Mapping[str, bytes] | None


@dataclass
class LiveState:
    """What the server shows now; a rebuild replaces it whole with :meth:`publish`."""

    shown: Shown = Shown(0, (), None)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[str], files: Mapping[str, bytes] | None = None) -> None:
        """Show the site ``files`` (``None``: keep the last good one) with the overlay's
        ``errors``, and tell open pages to reload, unless neither changed.

        Only the rebuilding thread publishes. Published files are never changed: a
        rebuild publishes a new mapping, swapped in whole for the requests to come.
        """
        now = self.shown
        site = now.files if files is None else files
        if tuple(errors) == now.errors and site == now.files:
            return
        with self.changed:
            self.shown = Shown(now.version + 1, tuple(errors), site)
            self.changed.notify_all()

    def snapshot(self) -> Shown:
        with self.changed:
            return self.shown


class LiveSite:
    """Rebuilds the site in memory, publishes it to :attr:`state` and keeps what the
    next rebuild needs."""

    def __init__(
        self,
        root: Path,
        options: BuildOptions,
        today: Callable[[], dt.date],
        log: Callable[[str], None],
        use_cache: bool = True,
    ) -> None:
        self.root = root
        self.options = options
        self.today = today
        self.log = log
        self.state = LiveState()
        self.use_cache = use_cache
        self.cache: LoadCache | None = None
        self.cache_folder: Path | None = None
        #: Whether it was said why the cache folder is not used (once per cache).
        self.cache_noted = False
        self.renderer: SiteRenderer | None = None
        self.renderer_key: object = None
        self.shown: list[Diagnostic] = []
        #: The last rebuild's diagnostics as found, and its warnings sorted.
        self.warned: tuple[list[Diagnostic], list[Diagnostic]] = ([], [])
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
            outcome, detail = self._rebuild(self.unsettled)
            # Whatever a rebuild that stopped half-way had read, the next one reads again.
            self.unsettled = frozenset()
        except (UsageError, ThemeError, LocaleError) as error:
            outcome, detail = self._broken(str(error))
        except Exception as error:
            self.log(traceback.format_exc().rstrip())
            # The message of a bug may quote content; a public site's overlay does not show it.
            said = "" if self.options.public else f": {error}"
            outcome, detail = self._broken(f"internal error: {type(error).__name__}{said}")
        # Part of the rebuild, so reported after it: the first collection after a first
        # build of 10,000 objectives takes a second, and would hold up an edit saved on
        # seeing the report (the site is already served meanwhile).
        _settle_memory()
        self._note_unused_cache()
        self.log(f"{outcome} in {time.perf_counter() - started:.2f} s: {detail}")

    def _rebuild(self, changed: Burst) -> tuple[str, str]:
        """Rebuild and publish the site or its errors; what happened, for the report."""
        config, config_diagnostics = read_config(self.root)
        if config_diagnostics.has_errors():
            return self._failed(config_diagnostics.sorted(), None)
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
            return self._failed(diagnostics.sorted(), result.analysis.resolved)
        warnings = self._warnings(diagnostics)
        self._show(warnings)
        self.state.publish([], result.files)
        count = len(warnings)
        return "rebuilt", f"{result.pages} pages, {count} warning{'s' * (count != 1)}"

    def _warnings(self, diagnostics: Diagnostics) -> list[Diagnostic]:
        """The warnings, sorted: the last ones when the diagnostics are the very same
        objects (what was not loaded, resolved or linted again), else sorted anew."""
        found = diagnostics.as_found()
        before, warnings = self.warned
        if len(before) != len(found) or any(a is not b for a, b in zip(before, found, strict=True)):
            warnings = diagnostics.warnings
            self.warned = (found, warnings)
        return warnings

    def _load_cache(self, config: Config) -> LoadCache:
        """The load cache of the last rebuild, unless ``cache_dir`` changed."""
        folder = self.root / config.cache_dir if self.use_cache else None
        if self.cache is None or folder != self.cache_folder:
            self.close()
            self.cache = LoadCache(CacheStore(folder) if folder else None)
            self.cache_folder = folder
            self.cache_noted = False
        return self.cache

    def _note_unused_cache(self) -> None:
        """Say once why the cache folder is not used, as ``check`` and ``build`` do; the
        store finds out when it is first used."""
        store = self.cache.store if self.cache is not None else None
        if store is not None and store.problem and not self.cache_noted:
            self.log(f"note: {store.problem}")
            self.cache_noted = True

    def close(self) -> None:
        if self.cache is not None and self.cache.store is not None:
            self.cache.store.close()

    def _renderer(self, config: Config) -> SiteRenderer:
        """The renderer of the last rebuild, unless the configuration or the theme changed."""
        key = (config, theme_signature(self.root, config))
        if self.renderer is None or key != self.renderer_key:
            self.renderer = new_renderer(self.root, config, self.options, cache=self.use_cache)
            self.renderer_key = key
        return self.renderer

    def _failed(self, problems: list[Diagnostic], resolved: Resolved | None) -> tuple[str, str]:
        """Print the ``problems`` and show them in the overlay; ``resolved``: what loaded."""
        self._show(problems)
        count = sum(1 for d in problems if d.severity == "error")
        # The overlay lists the errors first, each group in file order (a stable sort).
        shown = sorted(problems, key=lambda d: d.severity != "error")
        lines = (
            public_overlay(shown, resolved, drafts=self.options.drafts)
            if self.options.public
            else [d.as_text() for d in shown]
        )
        return self._report(f"{count} error{'s' * (count != 1)}", lines)

    def _broken(self, message: str) -> tuple[str, str]:
        self.shown = []
        return self._report(message, [message])

    def _report(self, what: str, lines: list[str]) -> tuple[str, str]:
        """Publish ``lines`` in the overlay over the last good site; what happened."""
        has_site = self.state.snapshot().files is not None
        kept = "still serving the last good site" if has_site else "nothing to serve yet"
        self.state.publish(lines)
        return "rebuild failed", f"{what}; {kept}"


def public_overlay(
    problems: list[Diagnostic], resolved: Resolved | None, *, drafts: bool
) -> list[str]:
    """The overlay's lines over a public site: the problems of files that site shows and
    that name nothing it leaves out, then how many others there are.

    A file with errors is not loaded, so nothing shows that it is public: its
    problems are counted, as are those whose message names an id (or a file)
    that the public site leaves out, such as a did-you-mean.
    """
    files: set[str] = set()
    left_out: set[str] = set()
    if resolved is not None:
        public = select_audience(resolved, public=True, drafts=drafts)
        files = {entry.path for entry in _entries(public)}
        left_out = _names(resolved) - _names(public)
    inside = [problem for problem in problems if problem.location.path in files]
    left_out |= {
        PurePosixPath(p.location.path).stem for p in problems if p.location.path not in files
    }
    words = {name for name in left_out if _WORD.fullmatch(name)}
    others = left_out - words  # file names that are not words
    lines = []
    for problem in inside:
        text = problem.as_text()
        if words.isdisjoint(_WORD.findall(text)) and not any(name in text for name in others):
            lines.append(text)
    hidden = len(problems) - len(lines)
    if hidden:
        lines.append(
            f"{hidden} problem{'s' * (hidden != 1)} in files that this public site does not "
            "show (the terminal lists every problem)"
        )
    return lines


def _entries(resolved: Resolved) -> list[UnitEntry | ObjectiveEntry | PageEntry]:
    """The units, objectives and free pages of ``resolved``."""
    return [*resolved.units.values(), *resolved.objectives.values(), *resolved.pages.values()]


def _names(resolved: Resolved) -> set[str]:
    """The ids of the units, objectives, free pages and key results of ``resolved``."""
    names = {entry.id for entry in _entries(resolved)}
    for objective in resolved.objectives.values():
        names.update(key_result.id for key_result in objective.key_results)
    return names


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


# -- serving ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], state: LiveState, allowed: frozenset[str]) -> None:
        super().__init__(address, _Handler)
        self.state = state
        #: The host names requests may be for (lower case; IPv6 addresses in brackets).
        self.allowed = allowed


def host_name(host: str) -> str | None:
    """The name in a ``Host`` header (``name``, ``name:port``, ``[::1]:port``), in lower
    case; ``None`` when it is not one."""
    match = _HOST.fullmatch(host.strip())
    return match.group(1).lower() if match else None


def allowed_hosts(host: str, extra: Iterable[str]) -> frozenset[str]:
    """The loopback names, the address listened on (``host``) and the ``extra`` names."""
    listening = f"[{host}]" if ":" in host else host
    return frozenset(name.lower() for name in (*LOCAL_HOSTS, listening, *extra) if name)


def _site_path(url_path: str) -> str | None:
    """The site path (a key of the built files) that ``url_path`` names, or ``None`` for
    a URL with a ``..`` (also percent-encoded; browsers resolve them before asking) or
    one that names no file (``/.``). Only built files are served, so a NUL, a backslash
    or an absolute path can name nothing but a missing file."""
    path = unquote(url_path)
    if ".." in path.split("/"):
        return None
    if path.endswith("/"):
        path += "index.html"
    return posixpath.normpath("/" + path).lstrip("/") or None


def _content_type(site_path: str) -> str:
    path = PurePosixPath(site_path)
    special = {".js": "text/javascript", ".xml": "application/xml", ".json": "application/json"}
    kind = (
        special.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    if path.name == "feed.xml":
        kind = "application/atom+xml"
    text = kind.startswith("text/") or kind.endswith(("xml", "json", "javascript"))
    return f"{kind}; charset=utf-8" if text else kind


def _decorate(body: bytes, shown: Shown) -> bytes:
    """The live-reload script, and the error overlay while the content has errors."""
    extra = f'<script src="{LIVE_PREFIX}live.js" data-version="{shown.version}"></script>'
    if shown.errors:
        lines = "\n".join(html.escape(line) for line in shown.errors)
        what = (
            "this is the last good site"
            if shown.files is not None
            else "there is no site to show yet"
        )
        extra += (
            f'<div id="okrpub-errors" role="alert" style="{_OVERLAY_STYLE}">'
            f"<strong>okrpub could not rebuild the site; {what}.</strong>\n"
            f"{lines}</div>"
        )
    marker = b"</body>"
    index = body.rfind(marker)
    if index < 0:
        return body + extra.encode()
    return body[:index] + extra.encode() + body[index:]


class _Handler(BaseHTTPRequestHandler):
    """Answers from the files of the build shown when the request came, and nothing else."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged; rebuilds are."""

    def do_HEAD(self) -> None:
        if self._accepted():
            self._respond(send_body=False)

    def do_GET(self) -> None:
        if not self._accepted():
            return
        if urlsplit(self.path).path == LIVE_PREFIX + "events":
            self._events()
            return
        self._respond(send_body=True)

    def _respond(self, *, send_body: bool) -> None:
        url = urlsplit(self.path)
        if url.path == LIVE_PREFIX + "live.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", _LIVE_SCRIPT, send_body)
            return
        # The version comes with the files: a page of one build carries that build's version.
        shown = self.server.state.snapshot()
        files = shown.files or {}
        path = _site_path(url.path)
        folder = None if url.path.endswith("/") else _site_path(url.path + "/")
        if folder is not None and folder in files:
            # To the normal path, with one leading slash: "//units/" would be the host "units".
            location = "/" + folder.removesuffix("index.html")
            self._redirect(location + (f"?{url.query}" if url.query else ""))
            return
        status = HTTPStatus.OK
        if path is None or path not in files:
            status, path = HTTPStatus.NOT_FOUND, "404.html"
        body = files.get(path)
        if body is None:  # no site yet, or a theme without a 404 page
            path, body = "404.html", _NO_PAGE
        if path.endswith(".html"):
            body = _decorate(body, shown)
        self._send(status, _content_type(path), body, send_body)

    def _accepted(self) -> bool:
        """Whether the request is meant for this server; if not, refuse it and say why."""
        refusal = self._refusal()
        if refusal is None:
            return True
        status, why = refusal
        self.close_connection = True
        body = f"okrpub serve: {why}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return False

    def _refusal(self) -> tuple[HTTPStatus, str] | None:
        """Why the request is not answered: no ``Host`` (no browser sends none), a host
        name not allowed (DNS rebinding), or another site's ``Origin``; ``None`` if none."""
        hosts = self.headers.get_all("Host") or []
        name = host_name(hosts[0]) if len(hosts) == 1 else None
        if name is None:
            return HTTPStatus.BAD_REQUEST, "a request needs one Host header with a host name"
        names = [name]
        if not self.path.startswith("/"):  # absolute form: the host is asked for here too
            names.append(host_name(urlsplit(self.path).netloc) or "")
        for asked in names:
            if asked not in self.server.allowed:
                return HTTPStatus.FORBIDDEN, (
                    f"this server does not answer for host '{asked}'; if that name is yours, "
                    f"start it with --allowed-host {asked}"
                )
        origins = self.headers.get_all("Origin") or []
        own = {f"{scheme}://{hosts[0].strip()}".lower() for scheme in ("http", "https")}
        if origins and (len(origins) > 1 or origins[0].strip().lower() not in own):
            return HTTPStatus.FORBIDDEN, "this server does not answer other sites' pages"
        return None

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

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
                version = state.shown.version
            self.wfile.write(f"data: {version}\n\n".encode())
            self.wfile.flush()
            while True:
                with state.changed:
                    if state.shown.version == version:
                        state.changed.wait(PING_SECONDS)
                    current = state.shown.version
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
    #: Host names to answer to besides the loopback ones and ``host`` (``--allowed-host``).
    allowed_hosts: tuple[str, ...] = ()
    #: Keep what loading gave in the project's ``cache_dir`` (``--no-cache``: do not).
    cache: bool = True


def serve(root: Path, options: ServeOptions, today: Callable[[], dt.date]) -> None:
    """Serve until Ctrl-C."""
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
        server, url = _start_server(options)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        # The site is rendered in memory: the output folder of the options is never used.
        build_options = BuildOptions(
            Path(), public=options.public, drafts=options.drafts, base_url=url
        )
        site = LiveSite(root, build_options, today, _log, options.cache)
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


def _start_server(options: ServeOptions) -> tuple[_Server, str]:
    try:
        allowed = allowed_hosts(options.host, options.allowed_hosts)
        server = _Server((options.host, options.port), LiveState(), allowed)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {options.port} on {options.host} is in use; choose another with --port"
            ) from None
        raise UsageError(
            f"cannot listen on {options.host}:{options.port}: {error.strerror}"
        ) from None
    host, port = server.server_address[:2]
    assert isinstance(host, str)  # an internet socket's address: never bytes
    shown = f"[{host}]" if ":" in host else host
    return server, f"http://{shown}:{port}/"


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the server as Ctrl-C does."""
    raise KeyboardInterrupt


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
