"""The frames: what every objective, and every page, may depend on besides its own inputs.

Defined here once. Computing and linting reuse a result only under an equal
:class:`Frame`, rendering only under an equal :func:`page_frame`: a change in
it (the configuration, the audience, a unit, a period, a free page; for
objectives also the day) makes every result under it anew. A field added to
the model that every objective or page may show belongs here.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from okrpub.config import Config
from okrpub.model.compute import Setting
from okrpub.model.types import FreePage, Model, Period, Unit


class Frame(NamedTuple):
    """The frame of one model."""

    config: Config
    today: dt.date
    #: A public build's model holds only public items.
    public: bool
    current_period: str | None
    units: dict[str, Unit]
    periods: dict[str, Period]
    pages: dict[str, FreePage]

    @classmethod
    def of(cls, config: Config, today: dt.date, public: bool, setting: Setting) -> Frame:
        """The frame of a model about to be computed in ``setting``."""
        return cls(
            config,
            today,
            public,
            setting.current_period,
            setting.units,
            setting.periods,
            setting.pages,
        )

    def of_objectives(self) -> tuple[object, ...]:
        """The part an objective's computed value and warnings depend on: not the free
        pages, nor the current period (which the periods and the day decide)."""
        return (self.config, self.today, self.public, self.units, self.periods)


def frame(model: Model) -> Frame:
    """The frame of ``model``."""
    return Frame(
        model.config,
        model.today,
        model.public,
        model.current_period,
        model.units,
        model.periods,
        model.pages,
    )


def page_frame(model: Model) -> tuple[object, ...]:
    """What every page may show besides its inputs (and the theme and base URL).

    Not the date: the pages that show it have it among their inputs, and the
    numbers that depend on it are the objectives' and rollups'. So is how much of
    each period has gone by (only the home page shows it, the current period's):
    a new day renders again only the pages of what is running.
    """
    return (
        model.config,
        model.public,
        model.current_period,
        model.units,
        [(p.id, p.slug, p.start, p.end, p.state) for p in model.periods.values()],
        model.pages,
    )
