"""``feed.xml`` (Atom, RFC 4287) and ``sitemap.xml``: well-formed, absolute links under base_url.

These, ``robots.txt`` and each page's canonical URL are the only absolute URLs;
``--base-url`` overrides the ``base_url`` of ``okrpub.yaml``. A public build has the
sitemap (an internal one only when configured: see ``test_publish.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from unittest import mock

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitetools import EXAMPLE_BASE_URL, REPOSITORY, build, md, write_files

from okrpub.engine.memo import IdentityMemo
from okrpub.model.types import Checkin, Checkins, Model, Objective
from okrpub.site import feed as feed_module

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OTHER_BASE_URL = "https://other.example/okrs/"


def feed_of(site: Path) -> ET.Element:
    return ET.parse(site / "feed.xml").getroot()


def locs_of(site: Path) -> list[str]:
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    return [url.findtext(f"{SITEMAP}loc", "") for url in root.findall(f"{SITEMAP}url")]


def timestamp(text: str | None) -> dt.datetime:
    assert text is not None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def site_file(site: Path, url: str, base_url: str) -> Path:
    """The file an absolute URL of the site is served from."""
    assert url.startswith(base_url), url
    path = url.removeprefix(base_url)
    return site / (path + "index.html" if path == "" or path.endswith("/") else path)


@pytest.fixture(scope="module")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("other") / "site"
    result = build(REPOSITORY, out, "--base-url", OTHER_BASE_URL, "--public")
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("public") / "site"
    result = build(REPOSITORY, out, "--public")
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def checkins(example_site: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(date, key result, objective) of every check-in of the example site."""
    data = json.loads((example_site / "api" / "okrs.json").read_text(encoding="utf-8"))
    return [
        (checkin["date"], kr, objective)
        for objective in data["objectives"]
        for kr in objective["key_results"]
        for checkin in kr["checkins"]
    ]


def test_feed_is_atom_with_the_required_elements(example_site: Path) -> None:
    feed = feed_of(example_site)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Smokey Joe's OKRs"
    assert feed.findtext(f"{ATOM}id") == EXAMPLE_BASE_URL
    timestamp(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None  # entries have no author of their own
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": EXAMPLE_BASE_URL, "self": f"{EXAMPLE_BASE_URL}feed.xml"}


def test_feed_entries_have_id_title_updated_and_link(example_site: Path) -> None:
    entries = feed_of(example_site).findall(f"{ATOM}entry")
    assert entries
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        timestamp(entry.findtext(f"{ATOM}updated"))
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert site_file(example_site, link.get("href", ""), EXAMPLE_BASE_URL).is_file()


def test_feed_is_newest_first_and_updated_is_the_newest(example_site: Path) -> None:
    feed = feed_of(example_site)
    times = [timestamp(e.findtext(f"{ATOM}updated")) for e in feed.findall(f"{ATOM}entry")]
    assert times == sorted(times, reverse=True)
    assert timestamp(feed.findtext(f"{ATOM}updated")) == times[0]
    assert times[0].date() == dt.date(2026, 11, 24)  # the example's newest check-ins


def test_feed_holds_the_newest_checkins(
    example_site: Path, checkins: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    entries = feed_of(example_site).findall(f"{ATOM}entry")
    newest = sorted((date for date, _, _ in checkins), reverse=True)[: len(entries)]
    assert [e.findtext(f"{ATOM}updated", "")[:10] for e in entries] == newest
    first = entries[0]
    assert "Objective: A checkout that turns visitors into customers" in first.findtext(
        f"{ATOM}summary", ""
    )


def test_feed_leaves_out_drafts(example_site: Path) -> None:
    assert b"christmas-gifts" not in (example_site / "feed.xml").read_bytes()


def test_sitemap_lists_every_page_by_absolute_url(public_site: Path) -> None:
    locs = locs_of(public_site)
    assert len(set(locs)) == len(locs)
    assert all(loc.startswith(EXAMPLE_BASE_URL) for loc in locs)
    served = {site_file(public_site, loc, EXAMPLE_BASE_URL) for loc in locs}
    pages = set(public_site.rglob("*.html")) - {public_site / "404.html"}
    assert served == pages
    assert EXAMPLE_BASE_URL in locs
    assert f"{EXAMPLE_BASE_URL}objectives/grow-to-1m-online/" in locs


def test_sitemap_has_lastmod_dates(public_site: Path) -> None:
    root = ET.parse(public_site / "sitemap.xml").getroot()
    lastmods = {url.findtext(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")}
    assert lastmods == {"2026-11-26"}


def test_base_url_option_overrides_the_configuration(other_site: Path) -> None:
    feed = feed_of(other_site)
    hrefs = [link.get("href", "") for link in feed.iter(f"{ATOM}link")]
    assert hrefs
    assert all(href.startswith(OTHER_BASE_URL) for href in hrefs)
    for entry in feed.findall(f"{ATOM}entry"):
        assert entry.findtext(f"{ATOM}id", "").startswith(OTHER_BASE_URL)
    assert all(loc.startswith(OTHER_BASE_URL) for loc in locs_of(other_site))
    for name in ("feed.xml", "sitemap.xml"):
        assert EXAMPLE_BASE_URL.encode() not in (other_site / name).read_bytes()


def test_base_url_is_used_nowhere_else(other_site: Path) -> None:
    """Only the feed, the sitemap, robots.txt, 404.html (shown at any depth) and each page's
    canonical URL need absolute URLs."""
    for path in other_site.rglob("*"):
        if path.is_file() and path.name not in (
            "feed.xml",
            "sitemap.xml",
            "robots.txt",
            "404.html",
        ):
            lines = path.read_bytes().splitlines()
            canonical = (b'<link rel="canonical" href=', b'<meta property="og:url" content=')
            rest = [line for line in lines if not line.startswith(canonical)]
            assert all(b"other.example" not in line for line in rest), path


def test_json_urls_name_pages_of_the_site(example_site: Path) -> None:
    data = json.loads((example_site / "api" / "okrs.json").read_text(encoding="utf-8"))
    for entry in [*data["units"], *data["objectives"]]:
        assert entry["url"].endswith("/")
        assert (example_site / entry["url"] / "index.html").is_file()


def entry_titles(site: Path) -> dict[str, str]:
    """Entry titles by entry id."""
    return {
        entry.findtext(f"{ATOM}id", ""): entry.findtext(f"{ATOM}title", "")
        for entry in feed_of(site).findall(f"{ATOM}entry")
    }


def test_feed_values_are_formatted_like_the_site(example_site: Path) -> None:
    titles = entry_titles(example_site)
    base = f"{EXAMPLE_BASE_URL}objectives/"
    assert titles[f"{base}checkout-that-converts/conversion/2026-11-24"] == (
        "Raise the conversion rate from 1.8% to 2.6%: 2.1%"
    )
    assert titles[f"{base}checkout-that-converts/mobile-load/2026-11-24"] == (
        "Checkout loads in 2 seconds on a phone: 2.6\u00a0seconds"
    )
    assert titles[f"{base}grow-to-1m-online/online-sales/2026-11-23"] == (
        "Online sales over the last 13 weeks reach €1,000,000: €\u00a0638,000"
    )
    assert titles[f"{base}checkout-that-converts/checkout-live/2026-11-24"] == (
        "New checkout live for 100% of visitors: not done"
    )


def test_feed_without_base_url_has_uri_ids(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "project",
        {
            "okrpub.yaml": "title: Our OKRs & more\n",
            "content/units/acme.md": md("name: Acme\nkind: company\n"),
            "content/2026-Q4/grow.md": md(
                "title: Grow\nowner: acme\nperiod: 2026-Q4\nkey_results:\n"
                "  - {title: One, target: 10, checkins: [{date: 2026-11-24, value: 7}], start: 0}\n"
            ),
        },
    )
    out = tmp_path / "site"
    assert build(project, out).code == 0
    feed = feed_of(out)
    ids = [feed.findtext(f"{ATOM}id", "")] + [
        e.findtext(f"{ATOM}id", "") for e in feed.findall(f"{ATOM}entry")
    ]
    assert ids == ["urn:okrpub:Our%20OKRs%20%26%20more", "urn:okrpub:grow/kr1/2026-11-24"]
    assert feed.findtext(f"{ATOM}title") == "Our OKRs & more"


# -- the newest check-ins: only the objectives with the newest ones are searched --------------

#: An edit of the example model: new check-ins (days into November, ``None`` deletes the
#: objective) for one key result of one objective, both chosen by position.
edits = st.tuples(
    st.integers(0, 20), st.integers(0, 4), st.none() | st.lists(st.integers(0, 25), max_size=5)
)


def edited(model: Model, edit: tuple[int, int, list[int] | None]) -> Model:
    """``model`` with one objective replaced by a new object (or left out, also when it has
    no key results to give check-ins)."""
    index, kr_index, days = edit
    objectives = dict(model.objectives)
    objective = list(objectives.values())[index % len(objectives)]
    if days is None or not objective.key_results:
        del objectives[objective.id]
    else:
        kr_index %= len(objective.key_results)
        # the same day twice is a tie of the feed's order: notes tell them apart
        checkins = Checkins(
            Checkin(dt.date(2026, 11, 1) + dt.timedelta(days=day), None, None, f"note {n}")
            for n, day in enumerate(sorted(days))
        )
        key_results = tuple(
            msgspec.structs.replace(kr, checkins=checkins, last_checkin=checkins.last_date)
            if position == kr_index
            else kr
            for position, kr in enumerate(objective.key_results)
        )
        objectives[objective.id] = dataclasses.replace(objective, key_results=key_results)
    return dataclasses.replace(model, objectives=objectives)


@given(st.integers(1, 30), st.lists(edits, max_size=6))
def test_the_feed_after_any_edits_holds_the_newest_of_all_checkins(
    example_model: Model, entries: int, series: list[tuple[int, int, list[int] | None]]
) -> None:
    """With a feed of few entries (so that only some objectives can hold them), and the
    newest check-in of each objective remembered from one model to the next as serve
    does, the feed has exactly the first check-ins of all of them sorted newest first."""
    newest = IdentityMemo[Objective, feed_module.Order | None]()
    model = example_model
    with mock.patch.object(feed_module, "FEED_ENTRIES", entries):
        for edit in [None, *series]:
            model = model if edit is None else edited(model, edit)
            every = [
                (checkin, kr, objective)
                for objective in model.objectives.values()
                for kr in objective.key_results
                for checkin in kr.checkins
            ]
            every.sort(key=lambda e: (e[0].date, e[2].id, e[1].id), reverse=True)
            orders = newest.each(model.objectives.values(), feed_module.newest_order)
            found = feed_module._newest_checkins(model, orders)
            assert [tuple(map(id, e)) for e in found] == [
                tuple(map(id, e)) for e in every[:entries]
            ]
