"""What the browser tests share: a built site served over HTTP on 127.0.0.1.

axe-core reads a page's style sheets, which a ``file://`` page may not let it do, so
the browser tests open the site from a small static server in a background thread.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitetools import build, write_files

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

#: The phone and desktop widths the browser tests look at.
VIEWPORTS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served_folder(folder: Path | str) -> Iterator[str]:
    """``http://127.0.0.1:<free port>/`` serving ``folder`` while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def built_and_served(root: Path, files: dict[str, str]) -> Iterator[str]:
    """The project ``files`` written to ``root/project``, built into ``root/site`` and
    served; its address."""
    project = write_files(root / "project", files)
    out = root / "site"
    result = build(project, out)
    assert result.code == 0, result.out + result.err
    with served_folder(out) as served:
        yield served


@contextmanager
def page_opener(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_(width, scheme, **options)`` gives a new page; a console error on any page
    opened fails the test when the block ends."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_(width: str = "1366", scheme: str = "light", **options: Any) -> Page:
        context = browser.new_context(viewport=VIEWPORTS[width], color_scheme=scheme, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors
