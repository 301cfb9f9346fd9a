"""Data files: the export, feed, sitemap and search indexes, their parts reused.

The parts of the export, the search indexes and the feed that come from one
objective (or unit) are remembered by the objective's identity: ``serve``
keeps a :class:`DataMemo` from one rebuild to the next, and the renderer
gives each unchanged objective of a new model the very object of the last
model, so after an edit only the edited objectives' parts are made again.
``build``, a new process each time, seeds the memo with the parts the last
build kept by each objective's digest (:mod:`okrpub.engine.reuse`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import TypeVar

from okrpub.engine.memo import IdentityMemo
from okrpub.engine.reuse import Digests, Layout, Parts, Span, search_key
from okrpub.engine.stats import (
    DATA_FILES_MADE,
    EXPORT_PARTS_MADE,
    FEED_PARTS_MADE,
    SEARCH_ROWS_MADE,
    Stats,
)
from okrpub.model.types import Model, Objective, Unit
from okrpub.site import export, feed, search
from okrpub.site.i18n import Locale

Part = TypeVar("Part")
Made = TypeVar("Made")
#: The files beside the pages, each with what makes it.
DataFiles = list[tuple[str, Callable[[], bytes]]]


class DataMemo:
    """Each objective's and unit's parts of the data files, and the last sitemap."""

    def __init__(self) -> None:
        self.export = IdentityMemo[Objective, bytes]()
        self.objective_rows = IdentityMemo[Objective, search.Rows]()
        self.unit_rows = IdentityMemo[Unit, search.Rows]()
        self.newest = IdentityMemo[Objective, feed.Order | None]()
        self._sitemap: tuple[tuple[tuple[str, ...], str, dt.date], bytes] | None = None

    def sitemap(self, paths: list[str], base_url: str, lastmod: dt.date, stats: Stats) -> bytes:
        """:func:`okrpub.site.feed.sitemap`, made again only when its arguments changed
        (``serve``: most rebuilds add no page)."""
        key = (tuple(paths), base_url, lastmod)
        if self._sitemap is None or self._sitemap[0] != key:
            stats.add(DATA_FILES_MADE)
            self._sitemap = (key, feed.sitemap(key[0], base_url, lastmod))
        return self._sitemap[1]

    def seed(self, model: Model, digests: Digests, parts: Parts, locale: Locale) -> None:
        """Take the parts of the last build for the objectives whose parts are unchanged,
        and the units' rows while what every page may show is (units are part of it)."""
        for objective in model.objectives.values():
            digest = digests.of_object(objective)
            export_part = parts.export.get(digest)
            if export_part is not None:
                self.export.seed(objective, export_part)
            owner = search.owner_name(model, objective)
            rows = parts.search.get(search_key(digest, owner))
            if rows is not None:
                self.objective_rows.seed(objective, rows, also=owner)
            if digest in parts.feed:
                self.newest.seed(objective, parts.feed[digest])
        if parts.frame == digests.frame:
            for unit in model.units.values():
                if (unit_rows := parts.units.get(unit.id)) is not None:
                    also = (search.parent_name(model, unit), locale)
                    self.unit_rows.seed(unit, unit_rows, also=also)

    def layout(self, model: Model, digests: Digests, made: Mapping[str, bytes]) -> Layout:
        """Where each objective's parts (and each unit's rows) lie in the data files just
        ``made`` (all of them, in the model's order), for the next build."""
        layout = Layout(frame=digests.frame)
        at = export.first_part(made[export.EXPORT_FILE])
        rows_at = _RowsAt(*(search.first_row(made[path]) for path in search.SEARCH_FILES))
        for objective in model.objectives.values():
            digest = digests.of_object(objective)
            export_part = self.export.value(objective)
            rows = self.objective_rows.value(objective)
            assert export_part is not None and rows is not None  # both made for every objective
            layout.export[digest] = (at, len(export_part))
            at += len(export_part) + 1  # each part is followed by a comma (or the end)
            key = search_key(digest, search.owner_name(model, objective))
            layout.search[key] = rows_at.spans(rows)
            # (``None`` for an objective without check-ins)
            layout.feed[digest] = self.newest.value(objective)
        for unit in model.units.values():  # their rows follow the objectives'
            unit_rows = self.unit_rows.value(unit)
            assert unit_rows is not None  # made for every unit
            layout.units[unit.id] = rows_at.spans(unit_rows)
        return layout


class _RowsAt:
    """Where the next rows begin in the two search indexes."""

    def __init__(self, titles: int, index: int) -> None:
        self.titles, self.index = titles, index

    def spans(self, rows: search.Rows) -> tuple[Span, Span]:
        """The spans of ``rows``, the next rows; each row is followed by a comma (or the end)."""
        titles, index = rows
        spans = (self.titles, len(titles)), (self.index, len(index))
        self.titles += len(titles) + 1
        self.index += len(index) + 1
        return spans


def data_files(
    model: Model,
    locale: Locale,
    base_url: str,
    html_paths: list[str],
    memo: DataMemo,
    stats: Stats,
) -> DataFiles:
    """The files beside the pages, each made only when asked for; the parts made are
    counted in ``stats``."""
    wanted = model.public if model.config.sitemap is None else model.config.sitemap
    sitemap: DataFiles = [
        ("sitemap.xml", lambda: memo.sitemap(html_paths, base_url, model.today, stats))
    ]
    return [
        (export.EXPORT_FILE, lambda: _export(model, memo, stats)),
        (feed.FEED_FILE, lambda: _feed(model, locale, base_url, memo, stats)),
        *(sitemap if wanted else []),
        ("robots.txt", lambda: feed.robots_txt(model.public, base_url, wanted)),
        *_search_files(model, locale, memo, stats),
    ]


def _counted(make: Callable[[Part], Made], stats: Stats, kind: str) -> Callable[[Part], Made]:
    """``make``, counting each call as one ``kind`` in ``stats``."""

    def counted(part: Part) -> Made:
        stats.add(kind)
        return make(part)

    return counted


def _export(model: Model, memo: DataMemo, stats: Stats) -> bytes:
    stats.add(DATA_FILES_MADE)
    make = _counted(export.objective_part, stats, EXPORT_PARTS_MADE)
    return export.export_json(model, memo.export.each(model.objectives.values(), make))


def _feed(model: Model, locale: Locale, base_url: str, memo: DataMemo, stats: Stats) -> bytes:
    stats.add(DATA_FILES_MADE)
    make = _counted(feed.newest_order, stats, FEED_PARTS_MADE)
    orders = memo.newest.each(model.objectives.values(), make)
    return feed.atom_feed(model, locale, base_url, orders)


def _search_files(model: Model, locale: Locale, memo: DataMemo, stats: Stats) -> DataFiles:
    """Both search indexes, made together the first time either is asked for."""
    made: dict[str, bytes] = {}

    def make(path: str) -> bytes:
        if not made:
            made.update(_search_indexes(model, locale, memo, stats))
        return made[path]

    return [(path, functools.partial(make, path)) for path in search.SEARCH_FILES]


def _search_indexes(model: Model, locale: Locale, memo: DataMemo, stats: Stats) -> dict[str, bytes]:
    stats.add(DATA_FILES_MADE)
    owner = functools.partial(search.owner_name, model)
    parent = functools.partial(search.parent_name, model)
    objective_rows = memo.objective_rows.each(
        model.objectives.values(),
        _counted(lambda o: search.objective_rows(o, owner(o)), stats, SEARCH_ROWS_MADE),
        reads=owner,
    )
    unit_rows = memo.unit_rows.each(
        model.units.values(),
        _counted(lambda u: search.unit_rows(u, parent(u), locale), stats, SEARCH_ROWS_MADE),
        reads=lambda unit: (parent(unit), locale),
    )
    return search.search_indexes(model, locale, objective_rows, unit_rows)
