"""The frame: what every objective and every page may depend on besides its own inputs.

Defined here once. Computing, linting and rendering reuse a result only
under an equal frame: a change in it (the configuration, the day, the
audience, a unit, a period, a free page) makes every result under it anew.
A field added to the model that every objective or page may show belongs here.
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
