"""``okrpub serve`` makes a page changed by an edit when it is first requested.

A rebuild after an edit renders no page: it works out which pages changed,
publishes the site, and each changed page is made when a request reads it
(or when the background gets to it). The engine's counts (``LiveSite.stats``)
say what was put off and made; every page, whenever it is made, is the one a
clean ``okrpub build`` writes.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rebuildtools import EDITS, Project
from servetools import OVERLAY_ID, TIMEOUT, TODAY, clean_build, copy_example, start_serve
from sitetools import REPOSITORY

from okrpub.engine.build import BuildOptions, render
from okrpub.engine.ondemand import OnDemand
from okrpub.engine.project import read_config
from okrpub.engine.sitefiles import SiteFiles
from okrpub.engine.stats import PAGES_DEFERRED, PAGES_RENDERED
from okrpub.serve.live import LiveSite

URL = "http://127.0.0.1:8000/"
GROW = "content/2026-Q4/smokey/grow-to-1m-online.md"  # a company objective with children
CHILD = "objectives/top-3-in-search/index.html"
LEAF = "content/2026-Q4/marketing/top-3-in-search.md"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    """A :class:`LiveSite` on a copy of the example, first built."""
    project = copy_example(tmp_path / "project")
    options = BuildOptions(tmp_path / "unused", base_url=URL)
    site = LiveSite(project, options, lambda _config: dt.date.fromisoformat(TODAY), print)
    try:
        site.rebuild()
        yield site
    finally:
        site.close()


def edit(site: LiveSite, relative: str, pattern: str, replacement: str) -> None:
    """Replace the first line matching ``pattern`` in a file, and rebuild as told of it."""
    file = site.root / relative
    text = file.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, pattern
    file.write_text(changed, encoding="utf-8")
    site.rebuild(frozenset({relative}))


def files(site: LiveSite) -> dict[str, bytes]:
    """Every file of the site shown now (reading a page makes it)."""
    shown = site.state.snapshot().files
    assert shown is not None
    return dict(shown)


def test_a_rebuild_renders_nothing_and_the_page_requested_is_the_new_one(
    site: LiveSite, tmp_path: Path
) -> None:
    """A company objective's new title changes its children's breadcrumbs and more: the
    rebuild renders none of them, and a child's page, made when read, shows the title."""
    edit(site, GROW, r"^title: .*$", "title: A million, on demand")
    deferred = site.stats[PAGES_DEFERRED]
    assert deferred > 5  # the objective, its children, the home, period, unit, status pages
    assert site.stats[PAGES_RENDERED] == 0
    shown = site.state.snapshot().files
    assert shown is not None
    child = shown[CHILD]
    assert b"A million, on demand" in child
    assert site.stats[PAGES_RENDERED] == 1
    assert shown[CHILD] is child  # made once
    assert child == clean_build(site.root, tmp_path / "site", URL)[CHILD]


def test_pages_never_requested_are_right_when_requested_later(
    site: LiveSite, tmp_path: Path
) -> None:
    """Pages put off by one edit and not read before the next edits are still the pages
    of the content as it is now, as are those of the later edits."""
    edit(site, GROW, r"^title: .*$", "title: First, unread")
    edit(site, LEAF, r"value: 25600.*$", 'value: 29900, confidence: 0.9, note: "Unread too."}')
    edit(site, GROW, r"^title: .*$", "title: Second, unread")
    assert site.stats[PAGES_RENDERED] == 0
    assert files(site) == clean_build(site.root, tmp_path / "site", URL)


def test_a_change_every_page_shows_renders_every_page_at_once(site: LiveSite) -> None:
    """A new site title (the configuration) is shown on every page: nothing waits."""
    edit(site, "okrpub.yaml", r"^title: .*$", 'title: "Barbecue Goals"')
    assert site.stats[PAGES_DEFERRED] == 0
    pages = sum(1 for path in files(site) if path.endswith(".html"))
    assert site.stats[PAGES_RENDERED] >= pages


def test_a_page_of_the_site_before_a_new_frame_is_that_sites(
    site: LiveSite, tmp_path: Path
) -> None:
    """A request that took the site before a rebuild that changed every page (it came
    while the rebuild ran) and reads a page put off by the edit before gets that page as
    it was then; the new site's page is the new one."""
    edit(site, GROW, r"^title: .*$", "title: Before the new frame")
    before = clean_build(site.root, tmp_path / "before", URL)
    old = site.state.snapshot().files
    assert old is not None
    edit(site, "okrpub.yaml", r"^title: .*$", 'title: "Barbecue Goals"')
    after = clean_build(site.root, tmp_path / "after", URL)
    assert old[CHILD] == before[CHILD]
    assert files(site) == after


def test_the_same_content_again_reloads_nothing(site: LiveSite) -> None:
    """A rebuild after a save that changed nothing publishes nothing new (no reload), even
    while pages wait to be made."""
    edit(site, GROW, r"^title: .*$", "title: Waiting")
    version = site.state.snapshot().version
    site.rebuild(frozenset({GROW}))
    assert site.state.snapshot().version == version
    assert b"Waiting" in files(site)[CHILD]


def test_the_background_makes_the_waiting_pages_and_stops_on_close(site: LiveSite) -> None:
    background = threading.Thread(target=site.make_waiting_pages)
    background.start()
    edit(site, GROW, r"^title: .*$", "title: Made in the background")
    deadline = time.monotonic() + TIMEOUT
    while site.stats[PAGES_RENDERED] < site.stats[PAGES_DEFERRED]:
        assert time.monotonic() < deadline, "the waiting pages were not made"
        time.sleep(0.05)
    assert site.stats[PAGES_RENDERED] == site.stats[PAGES_DEFERRED] > 5
    site.close()
    background.join(TIMEOUT)
    assert not background.is_alive()


def test_a_page_that_cannot_be_made_is_a_500_under_the_overlay(tmp_path: Path) -> None:
    """A theme whose objective page fails for one title: after the edit that gives an
    objective that title, its page answers 500, and every page shows why in the overlay
    (as a rebuild that fails does) until an edit mends it."""
    project = copy_example(tmp_path / "project")
    templates = project / "breaking/templates"
    templates.mkdir(parents=True)
    page = (REPOSITORY / "themes/default/templates/objective.html").read_text(encoding="utf-8")
    breaking = '{% block main %}{% if "Boom" in objective.title %}{{ 1 // 0 }}{% endif %}'
    (templates / "objective.html").write_text(page.replace("{% block main %}", breaking, 1))
    config = project / "okrpub.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "theme: breaking\n", "utf-8")
    leaf = project / LEAF
    text = leaf.read_text(encoding="utf-8")
    with start_serve(project, tmp_path / "tmp") as served:
        served.wait_for("/objectives/top-3-in-search/")
        rebuilds = served.rebuilds()
        leaf.write_text(re.sub(r"^title: .*$", "title: Boom", text, count=1, flags=re.M))
        served.wait(lambda: served.rebuilds() > rebuilds, "a rebuild")
        response = served.get("/objectives/top-3-in-search/")
        assert response.status == 500
        assert OVERLAY_ID in response.body
        assert b"ZeroDivisionError" in response.body
        home = served.get("/")
        assert home.status == 200
        assert b"ZeroDivisionError" in home.body
        leaf.write_text(re.sub(r"^title: .*$", "title: Mended", text, count=1, flags=re.M))
        served.wait_for("/objectives/top-3-in-search/", "Mended")
        served.wait_for_no_overlay()
        assert served.stop() == 0, served.stderr
    assert "ZeroDivisionError" in served.stderr


def rebuilt_on_demand(project: Project) -> SiteFiles:
    """The site of ``project`` rebuilt as ``serve`` rebuilds it: changed pages are made when
    first read."""
    renderer = project.renderer  # a new one after an edit of the configuration
    if renderer.on_demand is None:
        renderer.on_demand = OnDemand(renderer.theme, renderer.fragments, renderer.lock)
    config, _ = read_config(project.root)
    changed = None if project.changed is None else frozenset(project.changed)
    result = render(
        project.root, config, project.today, project.options, project.cache, renderer,
        changed=changed, memo=project.memo,
    )  # fmt: skip
    assert result.files is not None
    project.changed = set()
    return result.files


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(range(len(EDITS))), min_size=1, max_size=4, unique=True),
    st.randoms(use_true_random=False),
)
def test_any_series_of_edits_with_pages_read_at_random_is_a_clean_build(
    tmp_path: Path, edits: list[int], chance: random.Random
) -> None:
    """After each edit a few pages are read (each the clean build's then); the others are
    read only at the end, and the site is then the clean build's, every file of it."""
    project = Project(tmp_path / "series")
    files = rebuilt_on_demand(project)
    for index in edits:
        EDITS[index](project)
        files = rebuilt_on_demand(project)
        clean = project.clean_build()
        for path in chance.sample(sorted(files), 3):
            assert files[path] == clean[path], (edits, path)
    assert dict(files) == project.clean_build(), edits
