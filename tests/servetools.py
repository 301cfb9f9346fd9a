"""Helpers for the tests of ``okrpub serve`` (``tests/test_serve*.py``).

``start_serve(project, tmpdir, *args)`` runs ``python -m okrpub serve --port 0
--today TODAY ARGS`` as a subprocess in ``project``, with ``TMPDIR`` set to
``tmpdir`` (so that a test can check that the server writes nothing there,
and plant files there that it must not serve), and returns a :class:`Served`
once the first stderr line has given the URL. Every stderr line is collected
by a reader thread, so that tests can count the server's rebuilds. The server
holds its site in memory: tests see it only through HTTP, as a browser does.

Nothing here sleeps for a fixed time to decide a test: :func:`wait_until`
polls until a condition holds (with a generous timeout) and
:func:`stays_true` checks that something does *not* happen for a while.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from sitetools import build

from okrpub.site.write import MARK_NAME

#: The date every server runs on (a Thursday in 2026-Q4).
TODAY = "2026-11-26"
#: The repository, whose ``content/`` and ``okrpub.yaml`` are the example project.
REPOSITORY = Path(__file__).resolve().parent.parent
#: How long a test waits for the server to show a change. Generous: speed is the
#: benchmark's business (``bench/serve.py``), not the tests'.
TIMEOUT = 20.0
#: The live-reload script tag that the server adds to every HTML response.
LIVE_SCRIPT = re.compile(rb'<script src="/_okrpub/live\.js" data-version="\d+"></script>')
OVERLAY_ID = b'id="okrpub-errors"'

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], what: str | Callable[[], str], timeout: float = TIMEOUT
) -> T:
    """Poll ``condition`` until it returns something true, and return that; fail after
    ``timeout`` seconds saying ``what`` was awaited (a callable: asked at that moment)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {said}")
        time.sleep(0.02)


def stays_true(condition: Callable[[], bool], what: str, seconds: float = 1.5) -> None:
    """Check ``condition`` again and again for ``seconds``; fail as soon as it is false.

    For what must *not* happen (a rebuild after an editor's temporary file):
    ``seconds`` is three times the longest a burst of changes is held back
    before the server rebuilds, so a server that reacts would be caught.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert condition(), what
        time.sleep(0.02)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Served:
    """A running ``okrpub serve`` subprocess."""

    process: subprocess.Popen[bytes]
    url: str
    project: Path
    tmpdir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None
        return port

    @property
    def address(self) -> str:
        """The address it listens on (``--host``)."""
        host = urlsplit(self.url).hostname
        assert host is not None
        return host

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    def rebuilds(self) -> int:
        """How many rebuilds (good or failed) the server has reported so far."""
        return sum(1 for line in list(self.lines) if line.startswith(("rebuilt", "rebuild failed")))

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> Response:
        """One request, sent as is (no redirects followed, no path clean-up)."""
        connection = http.client.HTTPConnection(self.address, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request(path)

    def page(self, path: str) -> str:
        """The text of a page that must exist (status 200)."""
        response = self.get(path)
        assert response.status == 200, f"{path}: HTTP {response.status}"
        return response.text

    def raw(self, request_line: bytes) -> bytes:
        """Send ``request_line`` (e.g. ``b"GET /x HTTP/1.1"``) byte for byte with a ``Host``
        header and ``Connection: close``; the whole response as received."""
        return self.send(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    def send(self, request: bytes) -> bytes:
        """Send ``request`` byte for byte; the whole response, received until the server
        closes the connection."""
        with socket.create_connection((self.address, self.port), timeout=TIMEOUT) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def shows(self, path: str, *texts: str) -> bool:
        """Whether ``path`` is served (200) with every one of ``texts`` in it."""
        response = self.get(path)
        return response.status == 200 and all(text in response.text for text in texts)

    def wait(self, condition: Callable[[], T], what: str | Callable[[], str]) -> T:
        """:func:`wait_until`, and on failure the server's last words."""

        def said() -> str:
            text = what() if callable(what) else what
            return f"{text}; serve said:\n" + "\n".join(self.lines[-12:])

        return wait_until(condition, said)

    def wait_for(self, path: str, *texts: str) -> None:
        self.wait(lambda: self.shows(path, *texts), f"{path} to show {texts}")

    def wait_for_no_overlay(self, path: str = "/") -> None:
        """The overlay goes a moment after the good pages come (when the rebuild is done)."""
        self.wait(lambda: OVERLAY_ID not in self.get(path).body, f"the overlay to leave {path}")

    def wait_for_status(self, path: str, status: int) -> None:
        self.wait(lambda: self.get(path).status == status, f"{path} to answer {status}")

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Whatever happened, leave no server behind."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum`` and wait for the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
            raise AssertionError(f"serve did not stop on signal {signum}:\n{self.stderr}") from None


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "okrpub", "serve", "--port", "0", "--today", TODAY, *args]


def serve_env(tmpdir: Path) -> dict[str, str]:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def start_serve(project: Path, tmpdir: Path, *args: str) -> Served:
    """Start ``okrpub serve`` in ``project`` and wait for its URL and its first build."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        serve_command(*args),
        cwd=project,
        env=serve_env(tmpdir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()

    def first_line() -> bool:
        if process.poll() is not None and not lines:
            raise AssertionError(f"serve exited with status {process.returncode} at once")
        return bool(lines)

    try:
        wait_until(first_line, "the first line of serve")
        match = re.search(r"serving (?:the public )?site at (http://\S+/) ", lines[0])
        assert match, lines[0]
        served = Served(process, match.group(1), project, tmpdir, lines)
        wait_until(served.rebuilds, "the first build")
    except BaseException:
        process.kill()
        process.wait(timeout=TIMEOUT)
        raise
    return served


def copy_example(project: Path) -> Path:
    """A copy of the example project (``content/`` and ``okrpub.yaml``) at ``project``."""
    shutil.copytree(REPOSITORY / "content", project / "content")
    shutil.copy2(REPOSITORY / "okrpub.yaml", project / "okrpub.yaml")
    return project


def clean_build(project: Path, out: Path, base_url: str, *args: str) -> dict[str, bytes]:
    """What ``okrpub build --today TODAY --base-url BASE_URL ARGS`` writes: path -> bytes."""
    result = build(project, out, "--base-url", base_url, *args)
    assert result.code == 0, result.out + result.err
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path != out / MARK_NAME  # the mark of a folder okrpub built
    }


def strip_live(body: bytes) -> bytes:
    """An HTML response without the live-reload script the server adds."""
    return LIVE_SCRIPT.sub(b"", body, count=1)


def differences(
    served: Served, expected: dict[str, bytes], absent: Iterable[str] = ()
) -> list[str]:
    """How the served site differs from ``expected`` (a clean build), file by file.

    Every file of the clean build is fetched and compared byte for byte (HTML
    without the live-reload script, and never with the error overlay). Every
    path of ``absent`` (the files of other builds: earlier ones, another
    audience's) that the clean build does not have must be a 404, and so must
    its folder's URL without the slash, which would redirect while the folder
    were held.
    """
    found = []
    for path, content in expected.items():
        response = served.get("/" + path)
        body = response.body
        if path.endswith(".html"):
            if OVERLAY_ID in body:
                found.append(f"{path}: has the error overlay")
            body = strip_live(body)
        if response.status != 200:
            found.append(f"{path}: HTTP {response.status}")
        elif body != content:
            found.append(f"{path}: differs from the clean build")
    for path in sorted(set(absent) - set(expected)):
        urls = ["/" + path]
        if path.endswith("/index.html"):
            urls.append("/" + path.removesuffix("/index.html"))
        found += [
            f"{url}: HTTP {status}, not in the clean build"
            for url in urls
            if (status := served.get(url).status) != 404
        ]
    return found


def served_files(served: Served, paths: Iterable[str], folder: Path) -> Path:
    """Write what the server answers 200 for each site path of ``paths`` into ``folder``
    (as served, the live-reload script included), for the audits that read a folder."""
    for path in paths:
        response = served.get("/" + path)
        if response.status == 200:
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(response.body)
    return folder
