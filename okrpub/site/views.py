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
from okrpub.model.types import FreePage, Model, Objective, Period, PeriodState, Status, Unit
from okrpub.site.badges import badge_svg, objective_badge, unit_badge
from okrpub.site.brand import BRAND_CSS, logo_path
from okrpub.site.i18n import Locale
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.parts import (
    Cascade,
    GradingReport,
    KeyResultView,
    ObjectiveParts,
    PeriodGroup,
    PeriodKeyResults,
    StatusRows,
    find_key_result,
)
from okrpub.site.plan import (
    GUIDE_PATH,
    UnitRollup,
    Urls,
    has_status_page,
    page_path,
    period_path,
)

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
    targets.append((locale.text("nav.units"), "units/index.html"))
    if has_status_page(model):
        targets.append((locale.text("nav.status"), "status/index.html"))
    targets.append((locale.text("nav.guide"), GUIDE_PATH))
    targets.extend((page.nav_title, page_path(page.id)) for page in menu_pages(model, "header"))
    nav = [Link(title, urls.asset(target), target == path) for title, target in targets]
    footer = [(page.nav_title, page_path(page.id)) for page in menu_pages(model, "footer")]
    config = model.config
    return {
        "site_title": model.config.title,
        "generator": f"okrpub {__version__}",
        "urls": urls,
        "nav": nav,
        "period_menu": period_menu(model, urls, path),
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


@dataclass(frozen=True)
class PeriodLink:
    period: Period
    href: str
    #: The page shown is this period's.
    current: bool


def period_menu(model: Model, urls: Urls, path: str) -> list[PeriodLink]:
    """The navigation's period switcher: every period, newest first."""
    return [PeriodLink(p, urls.period(p), period_path(p) == path) for p in _newest_first(model)]


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
    running = period.state is PeriodState.CURRENT
    return {
        # the date shows in the footer; only here and on the status page
        "today": model.today,
        "period": period,
        # where the status page lists each status's key results (a running period only)
        "status_anchors": {
            name: status_anchor(period, name) for name in ("off_track", "at_risk", "no_data")
        }
        if running
        else {},
        "rollup": model.period_rollups[period.id],
        "company_objectives": [o for o in objectives if model.units[o.owner].kind == "company"],
        "team_rollups": team_rollups,
        "periods": periods,
    }


def period(
    model: Model, period_id: str, cascade: Cascade, unit_rollups: list[UnitRollup]
) -> dict[str, Any]:
    """The cascade comes with what its filter needs: each owner's units (itself and the
    units above it), the teams to choose from, and the statuses that occur."""
    objectives = model.objectives_in(period_id)
    chains = {o.owner: (o.owner, *model.units[o.owner].ancestors) for o in objectives}
    chained = {unit for chain in chains.values() for unit in chain}
    statuses = {o.status for o in objectives if o.status is not None}
    return {
        "period": model.periods[period_id],
        "rollup": model.period_rollups[period_id],
        "cascade": cascade.roots,
        "unaligned": cascade.unaligned,
        "unit_rollups": unit_rollups,
        "owner_units": {owner: " ".join(chain) for owner, chain in chains.items()},
        "filter_units": [u for u in model.units.values() if u.id in chained and u.kind != "person"],
        "filter_statuses": [status for status in Status if status in statuses],
    }


def objective(model: Model, objective_id: str, parts: ObjectiveParts) -> dict[str, Any]:
    """``parts``: the objective's own (:func:`okrpub.site.parts.objective_parts`)."""
    shown = model.objectives[objective_id]
    parents = []
    for ref in shown.parents:
        parent_id, _, kr_id = ref.partition("#")
        parent = model.objectives[parent_id]
        parents.append((parent, find_key_result(parent, kr_id or None)))
    return {
        "objective": shown,
        "owner": model.units[shown.owner],
        "period": model.periods[shown.period],
        "ancestors": [model.objectives[a] for a in reversed(shown.ancestors)],
        # each parent and the key result of it this one aligns to (or None), first first
        "parents": parents,
        "key_results": parts.key_results,
        "children": [model.objectives[c] for c in shown.children],
        "body": parts.body,
        "title_html": parts.title_html,
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
        "leads": [model.units[u] for u in shown.leads],
        "sub_units": [c for c in children if c.kind != "person"],
        "members": [c for c in children if c.kind == "person"],
        "groups": groups,
        "key_result_groups": owned_key_results(model, unit_id),
        "body": markdown.render(shown.body),
    }


def running_periods(model: Model) -> list[Period]:
    """The periods running today, shortest first (the status page's sections)."""
    running = [p for p in model.periods.values() if p.state is PeriodState.CURRENT]
    return sorted(running, key=lambda p: ((p.end - p.start).days, p.id))


def owned_key_results(model: Model, unit_id: str) -> list[PeriodKeyResults]:
    """The key results ``unit_id`` owns or co-owns, in any objective, by period newest
    first."""
    by_period: dict[str, list[KeyResultView]] = {}
    for objective_id in model.key_result_owners.get(unit_id, ()):
        objective = model.objectives[objective_id]
        by_period.setdefault(objective.period, []).extend(
            KeyResultView(kr, objective, None)
            for kr in objective.key_results
            if unit_id in kr.owners
        )
    return [
        PeriodKeyResults(period, tuple(by_period[period.id]))
        for period in _newest_first(model)
        if by_period.get(period.id)
    ]


def status_objectives(model: Model) -> list[Objective]:
    """The objectives the status page lists key results of: those of every running period,
    in the order of :func:`running_periods`."""
    return [o for period in running_periods(model) for o in model.objectives_in(period.id)]


def past_periods(model: Model) -> list[str]:
    """The periods the status page reports the grading of, newest first."""
    return [p.id for p in _newest_first(model) if p.state is PeriodState.PAST]


@dataclass(frozen=True)
class TeamRows:
    """The rows of one team (or the company) in one list of the status page."""

    team: Unit
    rows: tuple[KeyResultView, ...]


@dataclass(frozen=True)
class StatusList:
    """One status's key results of a running period, grouped by team."""

    status: str
    #: The list's anchor on the status page: ``<period slug>-<status>``.
    anchor: str
    count: int
    groups: tuple[TeamRows, ...]
    #: Rows beyond :data:`STATUS_LIST_LIMIT`, not shown.
    hidden: int


@dataclass(frozen=True)
class RunningStatus:
    """What the status page shows of one running period."""

    period: Period
    lists: tuple[StatusList, ...]
    unaligned: tuple[Objective, ...]
    hidden_unaligned: int


def status_anchor(period: Period, status: str) -> str:
    """Where the status page lists ``status``'s key results of ``period``."""
    return f"{period.slug}-{status}"


def team_of(model: Model, unit_id: str) -> Unit:
    """The team a unit belongs to: a person's parent unit, else the unit itself."""
    unit = model.units[unit_id]
    if unit.kind == "person" and unit.parent is not None:
        return model.units[unit.parent]
    return unit


def _status_list(
    model: Model, period: Period, status: str, views: list[KeyResultView]
) -> StatusList:
    """``views`` of ``status``, the first :data:`STATUS_LIST_LIMIT` grouped by team in the
    order of the units."""
    shown = views[:STATUS_LIST_LIMIT]
    by_team: dict[str, list[KeyResultView]] = {}
    for view in shown:
        by_team.setdefault(team_of(model, view.owner).id, []).append(view)
    groups = tuple(
        TeamRows(model.units[unit_id], tuple(by_team[unit_id]))
        for unit_id in model.units
        if unit_id in by_team
    )
    anchor = status_anchor(period, status)
    return StatusList(status, anchor, len(views), groups, len(views) - len(shown))


def status(
    model: Model, rows: list[StatusRows], grading: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    """``rows``: those of :func:`status_objectives`, in order; ``grading``: the counts of
    :func:`okrpub.site.parts.grading_counts` of each of :func:`past_periods`."""
    reports = [
        GradingReport(model.periods[p], model.period_rollups[p], *grading[p])
        for p in past_periods(model)
    ]
    of_objective = dict(zip((o.id for o in status_objectives(model)), rows, strict=True))
    running = []
    for period in running_periods(model):
        objectives = model.objectives_in(period.id)
        own = [of_objective[o.id] for o in objectives]
        unaligned = [o for o in objectives if o.unaligned]
        lists = tuple(
            _status_list(model, period, name, [view for row in own for view in getattr(row, name)])
            for name in ("off_track", "at_risk", "no_data")
        )
        running.append(
            RunningStatus(
                period,
                lists,
                tuple(unaligned[:STATUS_LIST_LIMIT]),
                max(0, len(unaligned) - STATUS_LIST_LIMIT),
            )
        )
    return {"today": model.today, "running": running, "reports": reports, "settings": model.config}


def guide(model: Model) -> dict[str, Any]:
    """How to read the site: the status rule and grade bands of this configuration."""
    return {"settings": model.config}


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
