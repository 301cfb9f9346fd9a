"""A store whose writes are held and made in one transaction (``serve``'s rebuilds).

Each transaction of the store costs the disk a sync, which at 10,000
objectives takes longer than a rebuild's work on a busy disk. A rebuild of
``serve`` writes the rows of the file it parsed, the signatures and the
warnings of what it linted: :class:`HeldStore` keeps them until
:meth:`HeldStore.commit`, at the end of the rebuild, and writes them together.
The store keeps what these writes wrote in memory too, so that what the
rebuild reads back meanwhile is what it wrote (``check``'s ``keep_results``,
which does not, is not used by ``serve``).
"""

from __future__ import annotations

from pathlib import Path

from okrpub.engine.cache import CacheStore, Statement


class HeldStore(CacheStore):
    """A :class:`~okrpub.engine.cache.CacheStore` whose writes wait for :meth:`commit`."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self._held: list[Statement] = []

    def _write(self, *statements: Statement) -> None:
        self._held.extend(statements)

    def commit(self) -> None:
        """Write what was written since the last commit, in one transaction."""
        held, self._held = self._held, []
        super()._write(*held)
