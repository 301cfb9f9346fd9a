"""``okrpub serve`` answers only requests meant for it, and a public site's overlay tells
nothing internal.

A web page the user opens can point its own DNS name at 127.0.0.1 (DNS
rebinding) and then read whatever the server answers for that name; so the
server answers only requests whose ``Host`` is one of its own names, and
none that another site's page sends (``Origin``). Every request here is a
real one, with forged headers, to a real server on a loopback address.
"""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from servetools import (
    TIMEOUT,
    TODAY,
    Response,
    Served,
    clean_build,
    copy_example,
    serve_command,
    serve_env,
    start_serve,
)
from sitetools import run_okrpub

#: The server of this module listens here (a loopback address of its own) ...
LISTEN = "127.0.0.2"
#: ... and is told to answer for this name too (``--allowed-host``).
ALLOWED = "okr.example.test"
PATHS = ["/", "/api/okrs.json", "/objectives/five-star-service/", "/missing/", "/_okrpub/live.js"]
SECRETS = (b"Smokey", b"five-star", b"objectives", b"<html", b"EventSource")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("requests")
    project = copy_example(base / "project")
    with start_serve(project, base / "tmp", "--host", LISTEN, "--allowed-host", ALLOWED) as it:
        yield it
        assert it.stop() == 0, it.stderr


def ask(served: Served, path: str, headers: dict[str, str], method: str = "GET") -> Response:
    """One request with exactly these headers: ``Host`` only if ``headers`` has one."""
    connection = http.client.HTTPConnection(served.address, served.port, timeout=TIMEOUT)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def assert_refused(response: Response, status: int) -> None:
    """Refused with ``status`` and a short plain-text reason, nothing of the site."""
    assert response.status == status, response.body
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.body.startswith(b"okrpub serve: "), response.body
    for secret in SECRETS:
        assert secret not in response.body


# --------------------------------------------------------------------------- Host


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",
        "attacker.example:8000",
        "127.0.0.1.attacker.example",
        "localhost.attacker.example",
        "okr.example.test.attacker.example",
        "attacker.localhost",
        "127.0.0.3",
        "0.0.0.0",
        "[::2]",
    ],
)
def test_a_request_for_another_host_gets_nothing(served: Served, path: str, host: str) -> None:
    response = ask(served, path, {"Host": host})
    assert_refused(response, 403)
    name = host.rpartition(":")[0] if host.endswith(":8000") else host
    assert f"--allowed-host {name}".encode() in response.body


@given(st.from_regex(r"[a-zA-Z0-9_.-]{1,40}(:[0-9]{1,5})?", fullmatch=True))
def test_any_other_host_name_is_refused(served: Served, host: str) -> None:
    name = host.partition(":")[0].lower()
    response = ask(served, "/api/okrs.json", {"Host": host})
    if name in ("localhost", "127.0.0.1", LISTEN, ALLOWED):
        assert response.status == 200
    else:
        assert_refused(response, 403)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        LISTEN,  # --host
        ALLOWED,  # --allowed-host
        "LocalHost",
        ALLOWED.upper(),
    ],
)
@pytest.mark.parametrize("port", ["", ":1", ":8000", ":65535"])
def test_its_own_names_are_answered_on_any_port(served: Served, host: str, port: str) -> None:
    """Any port: a tunnel or a forwarded port may put the server behind another one."""
    expected = served.get("/api/okrs.json")
    assert expected.status == 200
    response = ask(served, "/api/okrs.json", {"Host": host + port})
    assert (response.status, response.body) == (200, expected.body)


#: Requests without exactly one ``Host`` that names a host.
WITHOUT_ONE_HOST = {
    "no-host": b"GET /api/okrs.json HTTP/1.1\r\nConnection: close\r\n\r\n",
    "http-1.0-no-host": b"GET /api/okrs.json HTTP/1.0\r\n\r\n",
    "empty": b"GET /api/okrs.json HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n",
    "two": b"GET /api/okrs.json HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\n"
    b"Connection: close\r\n\r\n",
    "two-same": b"GET /api/okrs.json HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n"
    b"Connection: close\r\n\r\n",
    "user": b"GET /api/okrs.json HTTP/1.1\r\nHost: user@127.0.0.1\r\nConnection: close\r\n\r\n",
    "ports": b"GET /api/okrs.json HTTP/1.1\r\nHost: 127.0.0.1:80:80\r\nConnection: close\r\n\r\n",
    "space": b"GET /api/okrs.json HTTP/1.1\r\nHost: local host\r\nConnection: close\r\n\r\n",
    "bracketed": b"GET /api/okrs.json HTTP/1.1\r\nHost: [::1].attacker.example\r\n"
    b"Connection: close\r\n\r\n",
}


@pytest.mark.parametrize(
    "request_bytes", list(WITHOUT_ONE_HOST.values()), ids=list(WITHOUT_ONE_HOST)
)
def test_a_request_without_one_host_name_is_a_bad_request(
    served: Served, request_bytes: bytes
) -> None:
    """A browser always sends one ``Host``; what cannot be checked is not answered."""
    response = served.send(request_bytes)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == b"400", head
    assert body.startswith(b"okrpub serve: ")
    for secret in SECRETS:
        assert secret not in body


def test_the_host_of_an_absolute_url_counts_too(served: Served) -> None:
    """In ``GET http://host/path``, the host of the URL is the one asked for."""
    response = ask(served, "http://attacker.example/api/okrs.json", {"Host": "127.0.0.1"})
    assert_refused(response, 403)
    response = ask(served, f"http://{ALLOWED}/api/okrs.json", {"Host": "127.0.0.1"})
    assert response.status == 200


def test_head_is_refused_without_a_body(served: Served) -> None:
    response = served.send(
        b"HEAD /api/okrs.json HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
    )
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == b"403"
    assert body == b""


# --------------------------------------------------------------------------- Origin


@pytest.mark.parametrize(
    "origin",
    [
        "http://attacker.example",
        "https://attacker.example",
        "null",  # a sandboxed frame or a file:// page
        "http://127.0.0.1:1",  # another local server's page
        f"http://{ALLOWED}",
        "http://127.0.0.1, http://attacker.example",
    ],
)
@pytest.mark.parametrize("path", ["/_okrpub/events", "/api/okrs.json", "/"])
def test_a_request_from_another_sites_page_is_refused(
    served: Served, origin: str, path: str
) -> None:
    """The live-reload stream too: it never starts for another site's page."""
    host = f"127.0.0.1:{served.port}"
    assert_refused(ask(served, path, {"Host": host, "Origin": origin}), 403)


def test_the_pages_own_origin_gets_the_event_stream(served: Served) -> None:
    host = f"{ALLOWED}:{served.port}"
    request = (
        f"GET /_okrpub/events HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\r\n"
    ).encode()
    with socket.create_connection((served.address, served.port), timeout=TIMEOUT) as events:
        events.sendall(request)
        received = b""
        while b"data: " not in received:
            chunk = events.recv(4096)
            assert chunk, received
            received += chunk
    assert received.startswith(b"HTTP/1.1 200 "), received
    page = ask(served, "/", {"Host": host, "Origin": f"http://{host}"})
    assert page.status == 200


def test_an_allowed_host_must_be_a_host_name(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    done = subprocess.run(
        [*serve_command(), "--allowed-host", "okr.example:8000"], cwd=project,
        env=serve_env(tmp_path), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "argument --allowed-host: a host name or address without a port" in done.stderr


# --------------------------------------------------------------------------- --public


def break_internal_content(project: Path) -> None:
    """An error in an internal objective, a warning that names an internal key result of
    a public objective, and a warning on a new public objective."""
    internal = project / "content/2026-Q4/customer-service/five-star-service.md"
    text = internal.read_text(encoding="utf-8")
    internal.write_text(text.replace("---\n", "---\nsecret_codename_zebra: 1\n", 1))
    grow = project / "content/2026-Q4/smokey/grow-to-1m-online.md"
    text = grow.read_text(encoding="utf-8")
    stale = re.sub(r"      - \{date: 2026-11-(16|23), value: 3[12]\.\d.*\n", "", text)
    assert stale.count("\n") == text.count("\n") - 2
    grow.write_text(stale, encoding="utf-8")
    two = "".join(
        f"  - title: Key result {n}\n    start: 0\n    target: 10\n"
        f"    checkins: [{{date: 2026-11-24, value: 9}}]\n"
        for n in (1, 2)
    )
    (project / "content/2026-Q4/marketing/two-results.md").write_text(
        "---\ntitle: Two results\nparent: grow-to-1m-online#online-sales\n"
        f"visibility: public\nkey_results:\n{two}---\n",
        encoding="utf-8",
    )


def test_a_public_sites_overlay_tells_nothing_internal(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    with start_serve(project, tmp_path / "tmp", "--public") as served:
        public = clean_build(project, tmp_path / "site", served.url, "--public")
        break_internal_content(project)
        shown = "content/2026-Q4/marketing/two-results.md:1:1: warning: objective has 2 key "
        shown += "results; aim for 3 to 5 [kr-count]"
        served.wait(lambda: shown in served.get("/").text, "the public file's warning")
        check = run_okrpub(project, "check", "--today", TODAY).out.splitlines()
        assert shown in check
        count = f"{len(check) - 1} problems in files that this public site does not show"
        overlay = served.get("/").text
        assert shown in overlay
        assert count in overlay
        # the terminal says everything
        assert "secret_codename_zebra" in served.stderr
        assert "key result 'gross-margin' has had no check-in" in served.stderr
        responses = [served.get("/" + path) for path in [*public, "missing/"]]
        responses.append(served.get("/_okrpub/live.js"))
        for response in responses:
            for secret in (b"five-star-service", b"secret_codename_zebra", b"gross-margin"):
                assert secret not in response.body
        assert served.stop() == 0, served.stderr
