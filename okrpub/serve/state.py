"""What ``okrpub serve`` shows at one moment, swapped whole by each rebuild."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from okrpub.engine.sitefiles import SiteFiles


@dataclass(frozen=True)
class Shown:
    """One moment of what the server shows, read as a whole by each request."""

    version: int
    #: The lines of the error overlay while there are errors (diagnostics as
    #: ``path:line:col: ...``, or a theme error).
    errors: tuple[str, ...]
    #: The files of the last good build by site path; ``None`` before the first one.
    files: Mapping[str, bytes] | None


@dataclass
class LiveState:
    """What the server shows now; a rebuild replaces it whole with :meth:`publish`."""

    shown: Shown = Shown(0, (), None)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[str], files: Mapping[str, bytes] | None = None) -> None:
        """Show the site ``files`` (``None``: keep the last good one) with the overlay's
        ``errors``, and tell open pages to reload, unless neither changed (as far as is
        known without making a page that waits to be made: one that changed reloads).

        Published files are never changed: a rebuild publishes a new mapping, swapped
        in whole for the requests to come (a page made when first read is the same
        bytes whenever it is made).
        """
        with self.changed:
            now = self.shown
            site = now.files if files is None else files
            if tuple(errors) == now.errors and _same(site, now.files):
                return
            self.shown = Shown(now.version + 1, tuple(errors), site)
            self.changed.notify_all()

    def unmade(self, files: Mapping[str, bytes], error: str) -> Shown:
        """A page of ``files`` could not be made (``error`` says why): show it over
        them while they are shown (until the next rebuild); what is shown now."""
        with self.changed:
            now = self.shown
            if now.files is files and error not in now.errors:
                self.shown = Shown(now.version + 1, (*now.errors, error), files)
                self.changed.notify_all()
            return self.shown

    def snapshot(self) -> Shown:
        with self.changed:
            return self.shown


def _same(site: Mapping[str, bytes] | None, shown: Mapping[str, bytes] | None) -> bool:
    """Whether ``site`` is the site ``shown``, without making a file that waits to be made."""
    if isinstance(site, SiteFiles) and isinstance(shown, SiteFiles):
        return site.known_same(shown)
    return site == shown
