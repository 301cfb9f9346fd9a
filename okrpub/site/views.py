"""Views: the context each kind of page gives its template, and the badges.

Everything a template shows is selected, ordered and grouped here, so that
templates only present. Each page holds only what it shows: no page carries
the whole cascade or a full navigation, which keeps the site's size linear in
the number of objectives. A view is a plain function of the model and of the
parts (:mod:`okrpub.site.parts`) it is assembled from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from okrpub import __version__
from okrpub.model.types import FreePage, Model, Objective, PeriodState
from okrpub.site.badges import badge_svg, objective_badge, unit_badge
from okrpub.site.brand import BRAND_CSS, logo_path
from okrpub.site.i18n import Locale
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.parts import (
    Cascade,
    GradingReport,
    ObjectiveParts,
    PeriodGroup,
    StatusRows,
    find_key_result,
)
from okrpub.site.plan import UnitRollup, Urls, has_status_page, page_path, period_path

#: Most rows in each list of the status page. A large organisation can have thousands
#: of key results behind: the page then shows the first ones (company before teams
#: before people) and how many more there are; each unit's page lists its own.
STATUS_LIST_LIMIT = 100


@dataclass(frozen=True)
class Link:
    title: str
    href: str
    current: bool = False


def base(model: Model, locale: Locale, path: str, urls: Urls | None = None) -> dict[str, Any]:
    """What every template receives."""
    urls = urls or Urls(path)
    targets = [(locale.text("nav.home"), "index.html")]
    current = model.periods.get(model.current_period or "")
    if current is not None:
        targets.append((locale.text("nav.period", period=current.id), period_path(current)))
    targets.append((locale.text("nav.units"), "units/index.html"))
    if has_status_page(model):
        targets.append((locale.text("nav.status"), "status/index.html"))
    targets.extend((page.nav_title, page_path(page.id)) for page in menu_pages(model, "header"))
    nav = [Link(title, urls.asset(target), target == path) for title, target in targets]
    footer = [(page.nav_title, page_path(page.id)) for page in menu_pages(model, "footer")]
    config = model.config
    return {
        "site_title": model.config.title,
        "generator": f"okrpub {__version__}",
        "urls": urls,
        "nav": nav,
        "units": model.units,
        "objectives": model.objectives,
        "periods": model.periods,
        "page_path": path,
        # what a parent left out of this build is: not public, or (internally) a draft
        "parent_hidden_text": "objective.parent_hidden"
        if model.public
        else "objective.parent_draft",
        "status_page": has_status_page(model),
        "logo": logo_path(config),
        "brand_css": BRAND_CSS if config.primary_colour else None,
        "footer_nav": [Link(title, urls.asset(target), target == path) for title, target in footer],
        "footer_text": config.footer_text,
        "footer_links": [Link(link.title, link.url) for link in config.footer_links],
    }


def menu_pages(model: Model, place: str) -> list[FreePage]:
    """The free pages linked from ``place`` (``header`` or ``footer``): by ``nav_order``,
    then those without one, by id."""
    pages = [page for page in model.pages.values() if page.nav == place]
    return sorted(pages, key=lambda page: (page.nav_order is None, page.nav_order or 0))


def not_found(model: Model, locale: Locale, base_url: str) -> dict[str, Any]:
    """What the 404 page receives instead of :func:`base`."""
    # A host shows 404.html for any missing path, at any depth: relative links
    # would break there, so its links are absolute when a base_url is known.
    root = base_url.rstrip("/") + "/" if base_url else None
    return base(model, locale, "404.html", Urls("404.html", root))


def _newest_first(model: Model) -> list[Any]:
    return sorted(model.periods.values(), key=lambda p: (p.start, p.id), reverse=True)


def home(model: Model, team_rollups: list[UnitRollup]) -> dict[str, Any]:
    """``team_rollups``: the current period's teams' rollups."""
    period = model.periods.get(model.current_period or "")
    periods = [PeriodGroup(p, model.period_rollups[p.id], ()) for p in _newest_first(model)]
    if period is None:
        return {"today": model.today, "period": None, "periods": periods}
    objectives = model.objectives_in(period.id)
    return {
        # the date shows in the footer; only here and on the status page
        "today": model.today,
        "period": period,
        "rollup": model.period_rollups[period.id],
        "company_objectives": [o for o in objectives if model.units[o.owner].kind == "company"],
        "team_rollups": team_rollups,
        "periods": periods,
    }


def period(
    model: Model, period_id: str, cascade: Cascade, unit_rollups: list[UnitRollup]
) -> dict[str, Any]:
    return {
        "period": model.periods[period_id],
        "rollup": model.period_rollups[period_id],
        "cascade": cascade.roots,
        "unaligned": cascade.unaligned,
        "unit_rollups": unit_rollups,
    }


def objective(model: Model, objective_id: str, parts: ObjectiveParts) -> dict[str, Any]:
    """``parts``: the objective's own (:func:`okrpub.site.parts.objective_parts`)."""
    shown = model.objectives[objective_id]
    parent = model.objectives.get(shown.parent_objective or "")
    return {
        "objective": shown,
        "owner": model.units[shown.owner],
        "period": model.periods[shown.period],
        "ancestors": [model.objectives[a] for a in reversed(shown.ancestors)],
        "parent": parent,
        "parent_key_result": find_key_result(parent, shown.parent_key_result),
        "key_results": parts.key_results,
        "children": [model.objectives[c] for c in shown.children],
        "body": parts.body,
    }


def units(model: Model) -> dict[str, Any]:
    return {"top_units": [u.id for u in model.units.values() if u.parent is None]}


def unit(model: Model, unit_id: str, markdown: MarkdownRenderer) -> dict[str, Any]:
    shown = model.units[unit_id]
    children = [model.units[c] for c in shown.children]
    groups = [
        PeriodGroup(
            period,
            model.unit_rollups[(shown.id, period.id)],
            tuple(
                model.objectives[o] for o in model.unit_rollups[(shown.id, period.id)].objectives
            ),
        )
        for period in _newest_first(model)
        if (shown.id, period.id) in model.unit_rollups
    ]
    return {
        "unit": shown,
        "breadcrumbs": [model.units[a] for a in reversed(shown.ancestors)],
        "parent": model.units.get(shown.parent or ""),
        "lead": model.units.get(shown.lead or ""),
        "sub_units": [c for c in children if c.kind != "person"],
        "members": [c for c in children if c.kind == "person"],
        "groups": groups,
        "body": markdown.render(shown.body),
    }


def status_objectives(model: Model) -> list[Objective]:
    """The objectives the status page lists key results of: the current period's, if running."""
    period = model.periods.get(model.current_period or "")
    if period is None or period.state is not PeriodState.CURRENT:
        return []
    return model.objectives_in(period.id)


def past_periods(model: Model) -> list[str]:
    """The periods the status page reports the grading of, newest first."""
    return [p.id for p in _newest_first(model) if p.state is PeriodState.PAST]


def status(
    model: Model, rows: list[StatusRows], grading: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    """``rows``: those of :func:`status_objectives`; ``grading``: the counts of
    :func:`okrpub.site.parts.grading_counts` of each of :func:`past_periods`."""
    period = model.periods.get(model.current_period or "")
    current = period is not None and period.state is PeriodState.CURRENT
    objectives = status_objectives(model)
    reports = [
        GradingReport(model.periods[p], model.period_rollups[p], *grading[p])
        for p in past_periods(model)
    ]
    lists: dict[str, list[Any]] = {
        "off_track": [view for row in rows for view in row.off_track],
        "at_risk": [view for row in rows for view in row.at_risk],
        "stale": [view for row in rows for view in row.stale],
        "no_data": [view for row in rows for view in row.no_data],
        "unaligned": [objective for objective in objectives if objective.unaligned],
    }
    return {
        "today": model.today,
        "period": period if current else None,
        **{name: items[:STATUS_LIST_LIMIT] for name, items in lists.items()},
        "counts": {name: len(items) for name, items in lists.items()},
        "hidden": {name: max(0, len(items) - STATUS_LIST_LIMIT) for name, items in lists.items()},
        "reports": reports,
    }


def free_page(model: Model, page_id: str, markdown: MarkdownRenderer) -> dict[str, Any]:
    page = model.pages[page_id]
    return {"page": page, "body": markdown.render(page.body)}


def objective_badge_svg(model: Model, objective_id: str, locale: Locale) -> bytes:
    shown = model.objectives[objective_id]
    return badge_svg(objective_badge(shown, locale))


def unit_badge_svg(model: Model, unit_id: str, locale: Locale) -> bytes:
    current = model.periods.get(model.current_period or "")
    rollup = model.unit_rollups.get((unit_id, current.id)) if current else None
    name = model.units[unit_id].name
    return badge_svg(unit_badge(name, current, rollup, locale))
