"""The HTTP side of ``okrpub serve``: answer requests from the files of the build shown.

The server answers only requests meant for it: their ``Host`` must be a
loopback name, the ``--host`` value or an ``--allowed-host`` (so a web page
that rebinds its own DNS name to 127.0.0.1 gets nothing), and a request that
comes from another site's page (an ``Origin`` that is not the server's own)
is refused. Only built files are served; a URL never reaches the disk.
"""

from __future__ import annotations

import errno
import mimetypes
import posixpath
import re
import sys
import traceback
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from okrpub.errors import OkrpubError, UsageError
from okrpub.serve.overlay import LIVE_PREFIX, LIVE_SCRIPT, decorate
from okrpub.serve.state import LiveState

#: Server-sent events send a comment this often, to notice closed pages.
PING_SECONDS = 15.0

#: The host names every server answers to, besides its ``--host`` and ``--allowed-host``.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: A ``Host`` header: a name or an IPv4 address, or an IPv6 address in brackets; any port.
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::[0-9]{1,5})?", re.IGNORECASE)

#: What a missing page is when the site has no 404 page (or there is no site yet).
_NO_PAGE = b"<!doctype html><title>okrpub</title><body></body>"


class Server(ThreadingHTTPServer):
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


def site_path(url_path: str) -> str | None:
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


def unmade(error: Exception) -> str:
    """The overlay's line for a page that could not be made: a theme error says where;
    a bug only its kind (its message may quote content a public site leaves out)."""
    if isinstance(error, OkrpubError):
        return str(error)
    return f"internal error: {type(error).__name__}; the terminal says more"


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


class _Handler(BaseHTTPRequestHandler):
    """Answers from the files of the build shown when the request came, and nothing else."""

    server: Server
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
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT, send_body)
            return
        # The version comes with the files: a page of one build carries that build's version.
        shown = self.server.state.snapshot()
        files = shown.files or {}
        path = site_path(url.path)
        folder = None if url.path.endswith("/") else site_path(url.path + "/")
        if folder is not None and folder in files:
            # To the normal path, with one leading slash: "//units/" would be the host "units".
            location = "/" + folder.removesuffix("index.html")
            self._redirect(location + (f"?{url.query}" if url.query else ""))
            return
        status = HTTPStatus.OK
        if path is None or path not in files:
            status, path = HTTPStatus.NOT_FOUND, "404.html"
        try:
            body = files.get(path)  # a page that waits to be made is made now
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            status, path, body = HTTPStatus.INTERNAL_SERVER_ERROR, "500.html", _NO_PAGE
            shown = self.server.state.unmade(files, unmade(error))
        if body is None:  # no site yet, or a theme without a 404 page
            path, body = "404.html", _NO_PAGE
        if path.endswith(".html"):
            body = decorate(body, shown)
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


def start_server(host: str, port: int, extra_hosts: Iterable[str]) -> tuple[Server, str]:
    """A server listening on ``host:port`` (a free port for 0) that answers for the
    :func:`allowed_hosts`, and its URL; a port in use is a usage error."""
    try:
        server = Server((host, port), LiveState(), allowed_hosts(host, extra_hosts))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is in use; choose another with --port"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    name, number = server.server_address[:2]
    assert isinstance(name, str)  # an internet socket's address: never bytes
    shown = f"[{name}]" if ":" in name else name
    return server, f"http://{shown}:{number}/"
