"""``okrpub serve`` as a user meets it: a subprocess on a free port, edited under its feet.

Each group of tests shares one server on its own copy of the example project
and makes edits that do not get in each other's way. Every wait polls with a
generous timeout (``Served.wait``); nothing here measures speed,
which is ``bench/serve.py``'s business.
"""

from __future__ import annotations

import datetime as dt
import errno
import html
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from leaktools import audience_of, find_leaks
from servetools import (
    OVERLAY_ID,
    TIMEOUT,
    TODAY,
    Served,
    clean_build,
    copy_example,
    differences,
    serve_command,
    serve_env,
    served_files,
    start_serve,
    stays_true,
    strip_live,
)
from sitetools import run_okrpub
from watchdog.events import DirCreatedEvent, FileCreatedEvent, FileModifiedEvent, FileMovedEvent
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from okrpub.engine import project as project_module
from okrpub.engine.build import BuildOptions
from okrpub.engine.project import analyse, read_config
from okrpub.engine.templates import COMPILED_TEMPLATES, user_cache_folder
from okrpub.serve import watch as watch_module
from okrpub.serve.http import site_path
from okrpub.serve.live import LiveSite
from okrpub.serve.state import LiveState, Shown

Q4 = "content/2026-Q4"
GROW = f"{Q4}/smokey/grow-to-1m-online.md"  # the company objective, shown on the home page
HOME = "/"
PERIOD = "/periods/2026-q4/"


# --------------------------------------------------------------------------- helpers


def save(file: Path, text: str) -> None:
    """Save as many editors do: write a temporary file beside it, then rename it over."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.saving~")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, file)


def edit(file: Path, pattern: str, replacement: str, *, atomic: bool = True) -> None:
    """Replace the first line matching ``pattern`` (a regular expression) in ``file``."""
    text = file.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, f"{pattern!r} not in {file}"
    if atomic:
        save(file, changed)
    else:
        file.write_text(changed, encoding="utf-8")


def retitle(file: Path, title: str, *, atomic: bool = True) -> None:
    edit(file, r"^title: .*$", f"title: {title}", atomic=atomic)


def objective_file(
    title: str, parent: str = "grow-to-1m-online#online-sales", owner: str | None = None
) -> str:
    """A valid objective for ``content/2026-Q4/marketing/`` (owner and period by defaults)."""
    key_results = "".join(
        f"  - title: Key result {number}\n"
        f"    start: 0\n"
        f"    target: 10\n"
        f"    checkins:\n"
        f"      - {{date: 2026-11-24, value: 9, confidence: 0.8}}\n"
        for number in (1, 2, 3)
    )
    owned = f"owner: {owner}\n" if owner else ""
    return (
        f"---\ntitle: {title}\n{owned}parent: {parent}\ntype: committed\n"
        f"key_results:\n{key_results}---\nWhy {title.lower()} matters.\n"
    )


def check_errors(project: Path) -> list[str]:
    """The error lines ``okrpub check`` prints for ``project`` (``path:line:col: error: ...``)."""
    result = run_okrpub(project, "check", "--today", TODAY)
    errors = [line for line in result.out.splitlines() if ": error: " in line]
    assert errors, result.out
    return errors


def html_paths(files: dict[str, bytes]) -> list[str]:
    """Every HTML page of a build, as URL paths."""
    return sorted("/" + path for path in files if path.endswith(".html"))


def project_files(project: Path) -> dict[str, bytes]:
    """Every file of ``project`` but the load cache's, by relative path."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and ".okrpub-cache" not in path.relative_to(project).parts
    }


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server on the unedited example, for the tests that only read.

    Files with secrets are planted where a request that escapes the site might
    land: an ``okrpub.yaml`` in its ``TMPDIR``, and a file beside the project.
    """
    base = tmp_path_factory.mktemp("example")
    project = copy_example(base / "project")
    tmpdir = base / "tmp"
    tmpdir.mkdir()
    (tmpdir / "okrpub.yaml").write_text("secret: SECRET-BESIDE-THE-SITE\n", encoding="utf-8")
    (base / "secret.txt").write_text("SECRET-BESIDE-THE-PROJECT\n", encoding="utf-8")
    with start_serve(project, tmpdir) as served:
        yield served
        assert served.stop() == 0, served.stderr


@pytest.fixture(scope="module")
def example_build(example: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("example-build") / "site"
    return clean_build(example.project, out, example.url)


# --------------------------------------------------------------------------- serving


def test_serves_the_site_from_the_first_build(
    example: Served, example_build: dict[str, bytes]
) -> None:
    assert example.url.startswith("http://127.0.0.1:")
    assert example.process.poll() is None
    assert re.search(r"^rebuilt in \d+\.\d\d s: 35 pages, 4 warnings$", example.stderr, re.M)
    assert not differences(example, example_build)


def test_home_page_is_html_and_never_cached(example: Served) -> None:
    response = example.get(HOME)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert int(response.headers["Content-Length"]) == len(response.body)
    assert "Smokey Joe" in response.text


@pytest.mark.parametrize("path", ["/", "/static/okrpub.css", "/api/okrs.json", "/missing/"])
def test_head_sends_the_headers_of_get_and_no_body(example: Served, path: str) -> None:
    got = example.get(path)
    raw = example.raw(f"HEAD {path} HTTP/1.1".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    assert status_line.split()[1] == str(got.status)
    assert headers["Content-Length"] == str(len(got.body))
    assert headers["Content-Type"] == got.headers["Content-Type"]
    assert headers["Cache-Control"] == "no-cache"
    assert body == b""


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/objectives/grow-to-1m-online/", "text/html; charset=utf-8"),
        ("/static/okrpub.css", "text/css; charset=utf-8"),
        ("/static/okrpub.js", "text/javascript; charset=utf-8"),
        ("/search/index.js", "text/javascript; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml; charset=utf-8"),
        ("/api/okrs.json", "application/json; charset=utf-8"),
        ("/feed.xml", "application/atom+xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_content_types(
    example: Served, example_build: dict[str, bytes], path: str, content_type: str
) -> None:
    response = example.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Cache-Control"] == "no-cache"
    if not content_type.startswith("text/html"):  # everything but HTML exactly as built
        assert response.body == example_build[path.lstrip("/")]


def test_a_missing_path_gets_the_sites_404_page(
    example: Served, example_build: dict[str, bytes]
) -> None:
    for path in ("/no-such-page/", "/objectives/nobody/", "/static/missing.css", "/a/b/c"):
        response = example.get(path)
        assert response.status == 404, path
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert strip_live(response.body) == example_build["404.html"]
        # The 404 page links absolutely, under the server's own URL.
        assert f'href="{example.url}static/okrpub.css"' in response.text


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/units", "/units/"),
        ("/objectives/grow-to-1m-online", "/objectives/grow-to-1m-online/"),
        ("/periods/2026-q4?x=1", "/periods/2026-q4/?x=1"),
        # Never to a protocol-relative URL (//units/ is the host "units").
        ("//units", "/units/"),
    ],
)
def test_a_folder_without_its_slash_redirects(example: Served, path: str, location: str) -> None:
    response = example.get(path)
    assert response.status == 301
    assert response.headers["Location"] == location
    assert example.get(location).status == 200


@pytest.mark.parametrize(
    "target",
    [
        b"/../okrpub.yaml",
        b"/%2e%2e/okrpub.yaml",
        b"/%2e%2e%2fokrpub.yaml",
        b"/%2E%2E%2Fokrpub.yaml",
        b"/..%2fokrpub.yaml",
        b"/static/../../okrpub.yaml",
        b"/static/%2e%2e/%2e%2e/okrpub.yaml",
        b"/../../project/okrpub.yaml",
        b"/../../project/content/units/joe.md",
        b"//etc/passwd",
        b"/%2fetc%2fpasswd",
        b"/../../../../../../../../etc/passwd",
        b"/..\\okrpub.yaml",
        b"/static\\..\\..\\okrpub.yaml",
        b"/%5c..%5cokrpub.yaml",
        b"/index.html%00",
        b"/%00/../okrpub.yaml",
        b"/index.html\x00.txt",
        b"http://127.0.0.1/../okrpub.yaml",
    ],
)
def test_nothing_outside_the_site_is_served(example: Served, target: bytes) -> None:
    response = example.raw(b"GET " + target + b" HTTP/1.1")
    status = response.split(b"\r\n", 1)[0]
    assert status.split()[1] in (b"404", b"400"), status
    for secret in (b"SECRET-BESIDE", b"base_url", b"root:x:", b"kind: person"):
        assert secret not in response


@pytest.mark.parametrize(
    "target", ["/static/../index.html", "/units/%2e%2e/index.html", "/units/..%2F", "/a/../"]
)
def test_a_url_with_dot_dot_is_404_even_inside_the_site(example: Served, target: str) -> None:
    """A browser resolves ``..`` before it asks; a URL that still has one is not a link."""
    assert example.get(target).status == 404


def test_no_file_but_the_built_sites_is_served(example: Served) -> None:
    """Files planted in ``TMPDIR`` and beside the project, the project's own files and the
    theme's sources are not the site: no URL reaches them, by any name."""
    secrets = [example.tmpdir / "okrpub.yaml", example.project.parent / "secret.txt"]
    targets = [
        "/okrpub.yaml",
        "/secret.txt",
        "/tmp/okrpub.yaml",
        "/project/okrpub.yaml",
        "/content/units/joe.md",
        "/content/2026-Q4/smokey/grow-to-1m-online.md",
        "/templates/base.html",
        "/themes/default/templates/base.html",
        "/okrpub/serve.py",
        "/static/../okrpub.yaml",
        "/objectives/../../secret.txt",
    ]
    for secret in secrets:
        targets += [
            str(secret),
            "/" + str(secret),
            "/" + quote(str(secret), safe=""),
            "/" + "../" * 12 + str(secret).lstrip("/"),
            "/" + "%2e%2e%2f" * 12 + quote(str(secret).lstrip("/")),
        ]
    for target in targets:
        response = example.raw(f"GET {target} HTTP/1.1".encode())
        status = response.split(b"\r\n", 1)[0]
        assert status.split()[1] in (b"404", b"400"), (target, status)
        for secret in (b"SECRET-BESIDE", b"base_url", b"kind: person", b"{% ", b"import "):
            assert secret not in response, (target, secret)


def test_listens_on_the_loopback_address_only(example: Served) -> None:
    assert example.url == f"http://127.0.0.1:{example.port}/"
    # All of 127.0.0.0/8 reaches this machine; a server on 0.0.0.0 would answer here too.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", example.port), timeout=TIMEOUT).close()


def test_the_reload_script_is_served_never_built(
    example: Served, example_build: dict[str, bytes]
) -> None:
    for path in html_paths(example_build):
        body = example.get(path).body
        assert len(re.findall(rb"/_okrpub/live\.js", body)) == 1, path
        assert OVERLAY_ID not in body, path
    script = example.get("/_okrpub/live.js")
    assert script.status == 200
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in script.body
    built_with_it = [path for path, content in example_build.items() if b"_okrpub" in content]
    assert built_with_it == []
    assert not any(b"okrpub-errors" in content for content in example_build.values())


# --------------------------------------------------------------------------- edits


class TestEdits:
    """One server; each test changes different files and looks for its own change."""

    @pytest.fixture(scope="class")
    def served(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
        base = tmp_path_factory.mktemp("edits")
        with start_serve(copy_example(base / "project"), base / "tmp") as served:
            yield served
            assert served.stop() == 0, served.stderr

    def test_an_objectives_title_shows_on_its_page_home_and_period(self, served: Served) -> None:
        retitle(served.project / GROW, "Grow to a million euros online, edited")
        for path in ("/objectives/grow-to-1m-online/", HOME, PERIOD):
            served.wait_for(path, "Grow to a million euros online, edited")
            assert "Grow to €1 million" not in served.page(path)

    def test_an_in_place_write_is_picked_up_too(self, served: Served) -> None:
        file = served.project / Q4 / "customer-service/five-star-service.md"
        retitle(file, "Customers recommend us, written in place", atomic=False)
        served.wait_for("/objectives/five-star-service/", "Customers recommend us, written in")

    def test_a_new_objective_file_gets_a_page(self, served: Served) -> None:
        new = served.project / Q4 / "marketing/brand-new.md"
        save(new, objective_file("A brand new objective"))
        served.wait_for("/objectives/brand-new/", "A brand new objective")
        served.wait_for("/units/marketing/", "A brand new objective")

    def test_a_deleted_file_is_a_404(self, served: Served) -> None:
        assert served.get("/objectives/checkout-that-converts/").status == 200
        (served.project / Q4 / "webshop/checkout-that-converts.md").unlink()
        served.wait_for_status("/objectives/checkout-that-converts/", 404)
        assert "A checkout that turns" not in served.page("/units/webshop/")

    def test_renaming_a_file_that_keeps_its_id(self, served: Served) -> None:
        old = served.project / Q4 / "tom/payments-expert.md"
        text = old.read_text(encoding="utf-8").replace(
            "title: Become our in-house expert on payments",
            "id: payments-expert\ntitle: The payments expert, moved",
        )
        save(old.with_name("payments.md"), text)
        old.unlink()
        served.wait_for("/objectives/payments-expert/", "The payments expert, moved")
        assert served.get("/objectives/payments/").status == 404
        page = served.page("/objectives/payments-expert/")
        assert OVERLAY_ID not in page.encode()

    def test_renaming_a_file_changes_its_id(self, served: Served) -> None:
        old = served.project / Q4 / "warehouse/ship-same-day.md"
        old.rename(old.with_name("ship-fast.md"))
        served.wait_for("/objectives/ship-fast/", "Ship every order the day it comes in")
        served.wait_for_status("/objectives/ship-same-day/", 404)
        served.wait_for("/units/warehouse/", "objectives/ship-fast/")

    def test_a_defaults_file_applies_to_the_objectives_below_it(self, served: Served) -> None:
        title = "Answer every question within 2 hours"  # a key result of five-star-service
        assert title not in served.page("/units/lena/")
        edit(served.project / Q4 / "customer-service/_defaults.yaml", r"^owner: .*$", "owner: lena")
        served.wait_for("/units/lena/", "objectives/five-star-service/")
        served.wait_for("/objectives/five-star-service/", "units/lena/")

    def test_a_unit_file(self, served: Served) -> None:
        edit(served.project / "content/units/kofi.md", r"^name: .*$", "name: Kofi the Renamed")
        served.wait_for("/units/kofi/", "Kofi the Renamed")
        served.wait_for("/units/", "Kofi the Renamed")

    def test_the_event_stream_announces_each_rebuild(self, served: Served) -> None:
        connection = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
        with connection, connection.makefile("rwb") as stream:
            stream.write(b"GET /_okrpub/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            stream.flush()
            assert stream.readline().startswith(b"HTTP/1.1 200")
            headers = []
            while (line := stream.readline()) != b"\r\n":
                headers.append(line.decode().strip())
            assert "Content-Type: text/event-stream" in headers
            first = stream.readline()
            assert re.fullmatch(rb"data: \d+\n", first), first
            edit(served.project / "content/units/lena.md", r"^name: .*$", "name: Lena Evented")
            line = stream.readline()
            assert line in (b"\n", b": ping\n"), line  # ends the first event
            deadline = time.monotonic() + TIMEOUT
            while (line := stream.readline()) in (b"\n", b": ping\n"):
                assert time.monotonic() < deadline, "no event after the edit"
            assert re.fullmatch(rb"data: \d+\n", line), line
            assert line != first
        served.wait_for("/units/lena/", "Lena Evented")

    def test_the_configuration(self, served: Served, tmp_path: Path) -> None:
        """Last in the class: a new site title changes every page."""
        edit(served.project / "okrpub.yaml", r"^title: .*$", 'title: "Barbecue Goals"')
        paths = html_paths(clean_build(served.project, tmp_path / "site", served.url))
        assert len(paths) > 30
        for path in paths:
            served.wait_for(path, "Barbecue Goals")


def test_a_series_of_changes_ends_exactly_as_a_clean_build(tmp_path: Path) -> None:
    """Edits, additions, deletions, renames (one by one and in a burst), a broken file and
    its fix, defaults, a unit, a free page and the configuration: afterwards every file the
    server has is the one a clean ``okrpub build`` makes, and it has no other."""
    project = copy_example(tmp_path / "project")
    served = start_serve(project, tmp_path / "tmp")
    try:
        before = clean_build(project, tmp_path / "before", served.url)
        content = project / "content"
        q4 = project / Q4

        retitle(project / GROW, "A million online, step one")
        served.wait_for(HOME, "A million online, step one")
        # A check-in: the key result's progress and the parent's rollup change.
        edit(
            q4 / "marketing/top-3-in-search.md",
            r"value: 25600.*$",
            'value: 29900, confidence: 0.9, note: "Step two."}',
        )
        served.wait_for("/objectives/top-3-in-search/", "Step two.")
        save(q4 / "marketing/series-new.md", objective_file("Added in step three"))
        served.wait_for("/objectives/series-new/", "Added in step three")
        (q4 / "webshop/checkout-that-converts.md").unlink()
        served.wait_for_status("/objectives/checkout-that-converts/", 404)
        moved = (q4 / "tom/payments-expert.md").read_text(encoding="utf-8")
        save(q4 / "tom/payments.md", "---\nid: payments-expert\n" + moved.removeprefix("---\n"))
        (q4 / "tom/payments-expert.md").unlink()
        (q4 / "warehouse/ship-same-day.md").rename(q4 / "warehouse/ship-fast.md")
        served.wait_for("/objectives/ship-fast/")
        edit(q4 / "customer-service/_defaults.yaml", r"^owner: .*$", "owner: lena")
        served.wait_for("/units/lena/", "objectives/five-star-service/")
        edit(content / "units/tom.md", r"^name: .*$", "name: Thomas de Vries")
        served.wait_for("/units/tom/", "Thomas de Vries")
        guides = q4 / "sam/guides-and-links.md"
        fixed = guides.read_text(encoding="utf-8")
        save(guides, fixed.replace("type: committed", "type: [committed"))
        served.wait_for(HOME, 'id="okrpub-errors"')
        save(guides, fixed.replace("title: Write", "title: Fixed, write"))
        served.wait_for("/objectives/guides-and-links/", "Fixed, write")
        (content / "pages/how-we-use-okrs.md").unlink()
        served.wait_for_status("/pages/how-we-use-okrs/", 404)
        edit(project / "okrpub.yaml", r"^title: .*$", 'title: "Barbecue Goals"')
        served.wait_for(HOME, "Barbecue Goals")
        # A burst, as a git checkout makes it: several files at once, no waiting.
        retitle(project / GROW, "A million online, last step")
        retitle(q4 / "marketing/christmas-gifts.md", "A draft, retitled")
        retitle(q4 / "marketing/newspaper-campaign.md", "The newspaper, retitled", atomic=False)
        (q4 / "marketing/series-new.md").rename(q4 / "marketing/series-renamed.md")
        save(q4 / "marketing/series-burst.md", objective_file("Added in the burst"))
        (q4 / "2026-Q4-extra").mkdir()
        save(q4 / "2026-Q4-extra/deep.md", objective_file("Deep in a new folder", owner="sam"))

        after = clean_build(project, tmp_path / "after", served.url)
        assert "objectives/series-renamed/index.html" in after
        assert "objectives/deep/index.html" in after
        gone = sorted(set(before) - set(after))
        assert "objectives/checkout-that-converts/index.html" in gone
        assert "objectives/series-new/index.html" not in after
        # What the server held at any step and the clean build has not: 404 now.
        earlier = [*before, "objectives/series-new/index.html"]
        found: list[str] = []

        def same() -> bool:
            found[:] = differences(served, after, earlier)
            return not found

        served.wait(same, lambda: "the clean build, but:\n" + "\n".join(found))
        assert served.process.poll() is None
    finally:
        assert served.stop() == 0, served.stderr


# --------------------------------------------------------------------------- errors


class TestErrors:
    @pytest.fixture(scope="class")
    def served(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
        base = tmp_path_factory.mktemp("errors")
        with start_serve(copy_example(base / "project"), base / "tmp") as served:
            yield served
            assert served.stop() == 0, served.stderr

    def test_a_broken_file_keeps_the_last_good_site_under_an_overlay(
        self, served: Served, tmp_path: Path
    ) -> None:
        file = served.project / Q4 / "marketing/newspaper-campaign.md"
        good = file.read_text(encoding="utf-8")
        good_build = clean_build(served.project, tmp_path / "site", served.url)
        assert not differences(served, good_build)
        good_pages = {path: strip_live(served.get(path).body) for path in html_paths(good_build)}
        # A YAML syntax error, in the same save as a new title.
        broken = good.replace("title: Make the", "title: Broken [make the").replace(
            "type: committed", "type: [committed"
        )
        save(file, broken)
        errors = check_errors(served.project)
        assert any(
            re.match(rf"{re.escape(Q4)}/marketing/newspaper-campaign\.md:\d+:\d+: ", e)
            for e in errors
        )
        served.wait_for(HOME, 'id="okrpub-errors"')
        for path, before in good_pages.items():
            body = served.get(path).body
            assert body.count(OVERLAY_ID) == 1, path
            overlay = body[body.index(OVERLAY_ID) :]
            for error in errors:
                assert html.escape(error).encode() in overlay, (path, error)
            # The page itself is the last good one.
            page = re.sub(rb'<div id="okrpub-errors".*?</div>', b"", strip_live(body), flags=re.S)
            assert page == before, path
        missing = served.get("/no-such-page/")
        assert missing.status == 404
        assert OVERLAY_ID in missing.body
        assert "Broken [make the" not in served.page("/objectives/newspaper-campaign/")
        assert served.process.poll() is None
        assert errors[0] in served.stderr  # the terminal shows the diagnostics too

        save(file, good.replace("title: Make the", "title: Repaired, make the"))
        served.wait_for("/objectives/newspaper-campaign/", "Repaired, make the")
        served.wait_for_no_overlay()
        for path in [*good_pages, "/no-such-page/"]:
            assert OVERLAY_ID not in served.get(path).body, path

    def test_a_broken_configuration_too(self, served: Served) -> None:
        config = served.project / "okrpub.yaml"
        good = config.read_text(encoding="utf-8")
        config.write_text(good + "language: [en\n", encoding="utf-8")
        served.wait_for(HOME, 'id="okrpub-errors"', "okrpub.yaml:")
        assert served.get("/objectives/grow-to-1m-online/").status == 200
        config.write_text(good.replace("Smokey Joe's OKRs", "Config repaired"), encoding="utf-8")
        served.wait_for(HOME, "Config repaired")
        served.wait_for_no_overlay()

    def test_a_new_file_with_an_error_shows_while_the_rest_stays(self, served: Served) -> None:
        file = served.project / Q4 / "marketing/half-done.md"
        save(file, "---\ntitle: Half done\nowner: nobody-at-all\n---\n")
        served.wait_for(HOME, 'id="okrpub-errors"', "half-done.md:")
        assert served.get("/objectives/half-done/").status == 404
        file.unlink()
        served.wait_for_no_overlay()

    def test_a_broken_theme_template_keeps_serving(self, served: Served) -> None:
        """Not content, but serve watches the theme and must outlive a typo in it."""
        templates = served.project / "mytheme" / "templates"
        templates.mkdir(parents=True)
        config = served.project / "okrpub.yaml"
        good = config.read_text(encoding="utf-8")
        config.write_text(good + "theme: mytheme\n", encoding="utf-8")
        served.wait_for(HOME)
        rebuilds = served.rebuilds()
        (templates / "404.html").write_text("{% if %}broken", encoding="utf-8")
        served.wait(lambda: served.rebuilds() > rebuilds, "a rebuild after the template")
        served.wait_for(HOME, 'id="okrpub-errors"', "404.html")
        assert served.process.poll() is None
        (templates / "404.html").unlink()
        served.wait_for_no_overlay()
        config.write_text(good, encoding="utf-8")


# --------------------------------------------------------------------------- watching


class TestWatching:
    @pytest.fixture(scope="class")
    def served(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
        base = tmp_path_factory.mktemp("watching")
        with start_serve(copy_example(base / "project"), base / "tmp") as served:
            yield served
            assert served.stop() == 0, served.stderr

    def test_editor_temporary_files_never_rebuild_nor_show(self, served: Served) -> None:
        folder = served.project / Q4 / "marketing"
        names = [
            ".#x.md",  # emacs lock
            "x.md~",  # backup
            "#x.md#",  # emacs auto-save
            "4913",  # vim's test file
            "x.md___jb_tmp___",  # JetBrains
            "x.md___jb_old___",
            ".goutputstream-ABC",  # GNOME
            ".x.md.swp",  # vim swap
        ]
        rebuilds = served.rebuilds()
        for name in names:
            (folder / name).write_text(objective_file("Temporary copy"), encoding="utf-8")
        for name in names[::2]:  # some vanish again, as they do
            (folder / name).unlink()
        (folder / ".#x.md").symlink_to("someone@host.1234")  # how emacs really locks
        stays_true(lambda: served.rebuilds() == rebuilds, "no rebuild for temporary files")

        # The watcher is alive: a real edit is one rebuild, and the leftovers stay out.
        retitle(folder / "top-3-in-search.md", "Top 3, after the temporary files")
        served.wait_for("/objectives/top-3-in-search/", "Top 3, after the temporary files")
        served.wait(lambda: served.rebuilds() == rebuilds + 1, "the rebuild to be reported")
        for path in ("/api/okrs.json", "/search/index.js", "/feed.xml", "/units/marketing/"):
            assert "Temporary copy" not in served.get(path).text, path
        for name in ("x", "4913", "x.md", "x.md~", ".x", ".#x", "#x"):
            for path in (f"/objectives/{quote(name)}/", f"/{quote(name)}"):
                assert served.get(path).status == 404, path

    def test_a_burst_of_files_is_a_few_rebuilds(self, served: Served) -> None:
        folder = served.project / Q4 / "marketing"
        rebuilds = served.rebuilds()
        for number in range(50):
            (folder / f"burst-{number}.md").write_text(
                objective_file(f"Burst objective {number}"), encoding="utf-8"
            )

        def all_there() -> bool:
            api = json.loads(served.get("/api/okrs.json").body)
            ids = {objective["id"] for objective in api["objectives"]}
            return all(f"burst-{number}" in ids for number in range(50))

        served.wait(all_there, "all 50 objectives of the burst")
        # Queued-up rebuilds would come before this one; coalesced ones do not.
        retitle(folder / "newspaper-campaign.md", "After the burst")
        served.wait_for("/objectives/newspaper-campaign/", "After the burst")
        burst = served.rebuilds() - rebuilds  # the last one may be the sentinel's
        assert 1 <= burst < 10, served.stderr
        assert served.get("/objectives/burst-49/").status == 200


def test_polling_picks_up_an_edit(tmp_path: Path) -> None:
    served = start_serve(copy_example(tmp_path / "project"), tmp_path / "tmp", "--poll")
    try:
        retitle(served.project / GROW, "Seen by polling")
        served.wait_for("/objectives/grow-to-1m-online/", "Seen by polling")
        (served.project / Q4 / "webshop/checkout-that-converts.md").unlink()
        served.wait_for_status("/objectives/checkout-that-converts/", 404)
    finally:
        assert served.stop() == 0, served.stderr


def test_public_serve_leaves_out_what_is_internal(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    served = start_serve(project, tmp_path / "tmp", "--public")
    try:
        assert served.lines[0].startswith("serving the public site at ")
        assert served.get("/objectives/five-star-service/").status == 404  # marked internal
        assert served.get("/units/tom/").status == 404  # people are internal
        assert served.get("/objectives/top-3-in-search/").status == 200
        assert not differences(served, clean_build(project, tmp_path / "a", served.url, "--public"))

        edit(
            project / Q4 / "marketing/top-3-in-search.md",
            r"^visibility: public$",
            "visibility: internal",
        )
        served.wait_for_status("/objectives/top-3-in-search/", 404)
        expected = clean_build(project, tmp_path / "b", served.url, "--public")
        found: list[str] = []

        def same() -> bool:
            found[:] = differences(served, expected)
            return not found

        # Every page of the full (internal) build that the public one has not is a 404.
        internal = clean_build(project, tmp_path / "c", served.url)
        assert "objectives/top-3-in-search/index.html" in internal
        served.wait(same, lambda: "the clean public build, but:\n" + "\n".join(found))
        assert not differences(served, expected, internal)
        # and what it answers for any path of either build holds nothing of what is internal now
        config, _ = read_config(project)
        analysis = analyse(project, config, dt.date.fromisoformat(TODAY))
        answered = served_files(served, {*internal, *expected}, tmp_path / "served")
        assert (answered / "index.html").is_file()
        leaks = find_leaks(answered, audience_of(analysis.resolved))
        assert not leaks, "\n".join(str(leak) for leak in leaks[:20])
    finally:
        assert served.stop() == 0, served.stderr


# --------------------------------------------------------------------------- the process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_it_cleanly(tmp_path: Path, signum: int) -> None:
    tmpdir = tmp_path / "tmp"
    project = copy_example(tmp_path / "project")
    files = project_files(project)
    with start_serve(project, tmpdir) as served:
        assert served.get("/").status == 200
        assert list(tmpdir.iterdir()) == []  # the site is in memory, not in a folder
        # An open page's event stream must not hold the server up.
        events = socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT)
        with events:
            events.sendall(b"GET /_okrpub/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            received = b""
            while b"data: " not in received.partition(b"\r\n\r\n")[2]:
                chunk = events.recv(4096)  # the first event comes at once
                assert chunk, received
                received += chunk
            assert served.stop(signum) == 0, served.stderr
    assert list(tmpdir.iterdir()) == []
    assert project_files(project) == files  # nothing written but the load cache
    assert "Traceback" not in served.stderr
    assert served.lines[-1] == "stopped"


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [*serve_command(), "--port", str(port)]
        done = subprocess.run(
            command, cwd=project, env=serve_env(tmpdir), capture_output=True, text=True,
            timeout=TIMEOUT, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"okrpub: error: port {port} on 127.0.0.1 is in use; choose another with --port\n"
    )
    assert list(tmpdir.iterdir()) == []


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    done = subprocess.run(
        [*serve_command(), "--today", "someday"], cwd=project, env=serve_env(tmpdir),
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--today must be a date" in done.stderr
    assert list(tmpdir.iterdir()) == []


def test_without_inotify_watches_it_watches_by_polling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big organisation can exceed the inotify limit: say so and poll, do not stop."""

    class Exhausted(Observer):
        def start(self) -> None:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watch_module, "Observer", Exhausted)
    project = copy_example(tmp_path / "project")
    said: list[str] = []
    watcher = watch_module.Watcher(project, poll=False, log=said.append)
    try:
        watcher.follow("content", None)
        assert said == [
            "cannot watch with inotify ([Errno 28] inotify watch limit reached); "
            "watching by polling instead"
        ]
        assert isinstance(watcher._observer, PollingObserver)
        burst: list[tuple[bool, frozenset[str] | None]] = []
        waiting = threading.Thread(target=lambda: burst.append(watcher.changes.wait_for_burst()))
        waiting.start()
        retitle(project / GROW, "Seen by polling after all")
        waiting.join(TIMEOUT)
        assert burst == [(True, frozenset({GROW}))]
    finally:
        watcher.stop()


def test_a_burst_says_which_content_files_changed(tmp_path: Path) -> None:
    """A rebuild reads only the files the watcher names; anything it cannot name by file
    (a folder made, moved or removed; the theme) changes everything (``None``)."""
    changes = watch_module.Changes()
    content = tmp_path / "content"
    handler = watch_module._ChangeHandler(changes, content, "content")
    handler.on_any_event(FileModifiedEvent(str(content / "q4/a.md")))
    handler.on_any_event(FileMovedEvent(str(content / "q4/.a.md.tmp"), str(content / "q4/b.md")))
    handler.on_any_event(FileCreatedEvent(str(content / "q4/.b.md.swp")))
    assert changes.wait_for_burst() == (True, frozenset({"content/q4/a.md", "content/q4/b.md"}))
    handler.on_any_event(DirCreatedEvent(str(content / "new")))
    handler.on_any_event(FileModifiedEvent(str(content / "q4/a.md")))
    assert changes.wait_for_burst() == (True, None)
    theme = watch_module._ChangeHandler(changes, tmp_path / "theme", None)
    theme.on_any_event(FileModifiedEvent(str(tmp_path / "theme/templates/base.html")))
    assert changes.wait_for_burst() == (True, None)
    changes.close()
    assert changes.wait_for_burst() == (False, None)


def said_by(said: list[str]) -> Callable[[str], None]:
    """What collects what a :class:`LiveSite` says in ``said``, a line at a time."""
    return lambda message: said.extend(message.splitlines())


@dataclass
class InProcess:
    """A :class:`LiveSite` on a copy of the example, rebuilt by the test itself."""

    project: Path
    site: LiveSite
    said: list[str]


@pytest.fixture
def in_process(tmp_path: Path) -> Iterator[InProcess]:
    project = copy_example(tmp_path / "project")
    options = BuildOptions(tmp_path / "unused", base_url="http://127.0.0.1:8000/")
    said: list[str] = []
    site = LiveSite(project, options, lambda _config: dt.date.fromisoformat(TODAY), said_by(said))
    try:
        yield InProcess(project, site, said)
    finally:
        site.close()


def test_files_a_failed_rebuild_did_not_read_are_read_by_the_next(
    in_process: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild that stops half-way (a bug, not bad content) leaves the files it was told
    about to the next one, which may be told of other files only."""
    site = in_process.site
    site.rebuild()
    retitle(in_process.project / GROW, "Read after all")
    real = project_module.load_sources
    monkeypatch.setattr(project_module, "load_sources", _fails)
    site.rebuild(frozenset({GROW}))
    assert any("internal error: RuntimeError" in line for line in in_process.said)
    monkeypatch.setattr(project_module, "load_sources", real)
    site.rebuild(frozenset())
    files = site.state.snapshot().files
    assert files is not None
    assert b"Read after all" in files["index.html"]


def _fails(*arguments: object) -> None:
    raise RuntimeError("a bug")


def test_a_rebuild_swaps_the_whole_site_in_at_once() -> None:
    """A request reads one :class:`Shown`: the files and version of one build together,
    which a later publish replaces whole and never changes."""
    state = LiveState()
    assert state.snapshot() == Shown(0, (), None)
    old = {"index.html": b"old", "a/index.html": b"a"}
    state.publish([], old)
    before = state.snapshot()
    state.publish([], {"index.html": b"new"})
    assert before == Shown(1, (), old)
    assert before.files == {"index.html": b"old", "a/index.html": b"a"}
    assert state.snapshot() == Shown(2, (), {"index.html": b"new"})
    # Errors keep the last good site; an equal site and the same errors reload nothing.
    state.publish(["a.md:1:1: error: bad"])
    assert state.snapshot() == Shown(3, ("a.md:1:1: error: bad",), {"index.html": b"new"})
    state.publish([])
    state.publish([], {"index.html": b"new"})
    state.publish([])
    assert state.snapshot() == Shown(4, (), {"index.html": b"new"})


@given(st.text(st.sampled_from("/.%\\\0aZ~#?2eEfF5c")))
def test_a_url_names_a_site_path_inside_the_site_or_none(url_path: str) -> None:
    path = site_path(url_path)
    if path is not None:
        parts = path.split("/")
        assert not path.startswith("/")
        assert ".." not in parts
        assert "" not in parts
        assert "." not in parts
        assert not url_path.endswith("/") or parts[-1] == "index.html"


def test_each_rebuild_prints_only_its_new_warnings_and_counts_them(in_process: InProcess) -> None:
    """The first rebuild prints every warning; later ones only those that are new (none
    for a new title), and the report counts them all."""
    project, site, said = in_process.project, in_process.site, in_process.said
    site.rebuild()
    warnings = [line for line in said if ": warning: " in line]
    assert len(warnings) == 4
    said.clear()
    retitle(project / GROW, "No new warning")
    site.rebuild(frozenset({GROW}))
    assert [line for line in said if ": warning: " in line] == []
    assert said[-1].endswith("pages, 4 warnings")
    said.clear()
    path = f"{Q4}/marketing/top-3-in-search.md"
    text = (project / path).read_text(encoding="utf-8")
    # the last check-in of a key result gone: it is stale now
    last = re.compile(r"^      - \{date: 2026-11-23, value: 25600.*\n", re.M)
    (project / path).write_text(last.sub("", text, count=1), encoding="utf-8")
    site.rebuild(frozenset({path}))
    new = [line for line in said if ": warning: " in line]
    assert len(new) == 1, said
    assert new[0].startswith(path) and "[stale]" in new[0]
    assert said[-1].endswith("pages, 5 warnings")
    said.clear()
    (project / path).write_text(text, encoding="utf-8")  # stale no more
    site.rebuild(frozenset({path}))
    assert [line for line in said if ": warning: " in line] == []
    assert said[-1].endswith("pages, 4 warnings")
    retitle(project / GROW, "")  # a title must not be empty: the rebuild fails
    site.rebuild(frozenset({GROW}))
    said.clear()
    retitle(project / GROW, "Mended")  # after a failure, every warning is printed again
    site.rebuild(frozenset({GROW}))
    assert [line for line in said if ": warning: " in line] == warnings


def test_the_overlay_lists_the_errors_before_the_warnings(tmp_path: Path) -> None:
    """A file that sorts after the example's four warnings has an error: the overlay
    shows it first, then the warnings in file order; the terminal keeps file order."""
    project = copy_example(tmp_path / "project")
    broken = f"{Q4}/zz-broken.md"
    (project / broken).write_text("---\ntitle: Broken\nowner: nobody-at-all\n---\n", "utf-8")
    options = BuildOptions(tmp_path / "unused", base_url="http://127.0.0.1:8000/")
    said: list[str] = []
    site = LiveSite(project, options, lambda _config: dt.date.fromisoformat(TODAY), said_by(said))
    try:
        site.rebuild()
    finally:
        site.close()
    printed = [line for line in said if re.match(r"content/.*: (error|warning): ", line)]
    assert [line.startswith(broken) for line in printed] == [False, False, False, False, True]
    assert list(site.state.snapshot().errors) == [printed[-1], *printed[:-1]]


def test_a_rebuild_is_reported_once_its_memory_is_settled(tmp_path: Path) -> None:
    """The collection after a first build of a large site takes a second: an edit saved on
    seeing the report must not wait for it. The site is published before it."""
    project = copy_example(tmp_path / "project")
    options = BuildOptions(tmp_path / "unused", base_url="http://127.0.0.1:8000/")
    events: list[str] = []
    site: LiveSite | None = None

    def settle() -> None:
        assert site is not None and site.state.snapshot().files is not None  # published
        events.append("settled")

    today = dt.date.fromisoformat(TODAY)
    site = LiveSite(project, options, lambda _config: today, events.append, settle=settle)
    try:
        site.rebuild()
        retitle(project / GROW, "")  # a title must not be empty
        site.rebuild(frozenset({GROW}))
    finally:
        site.close()
    reports = [e.split(" in ")[0] for e in events if e == "settled" or e.startswith("rebuil")]
    assert reports == [
        "settled",
        "rebuilt",
        "settled",
        "rebuild failed",
    ]


def test_serve_keeps_compiled_templates_in_the_users_cache(in_process: InProcess) -> None:
    in_process.site.rebuild()
    assert list((user_cache_folder() / COMPILED_TEMPLATES).glob("*/*"))
    assert not (in_process.project / ".okrpub-cache" / COMPILED_TEMPLATES).exists()
