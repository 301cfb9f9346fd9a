"""Memo: values made from objects, remembered by the objects' identity.

``serve`` keeps its renderer across rebuilds, and the renderer gives each
unchanged objective of a new model the very object of the previous model
(:mod:`okrpub.engine.renderer`). So what is made from one objective (its
parts of the data files, :mod:`okrpub.engine.datafiles`; its status rows,
:mod:`okrpub.engine.contexts`) can be remembered by the objective's
identity: after an edit only the edited objectives' parts are made again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import compress
from operator import is_not
from typing import Generic, TypeVar

Item = TypeVar("Item")
Key = TypeVar("Key")
Value = TypeVar("Value")


def not_the_same(now: dict[Key, Value], before: dict[Key, Value]) -> list[Key] | None:
    """The keys whose values are not the very same objects as ``before``'s, when both have
    the same keys in the same order (else ``None``). Found without a Python loop: most
    values of a rebuild's model are the very same as the last one's."""
    if list(now) != list(before):
        return None
    return list(compress(now, map(is_not, now.values(), before.values())))


def not_the_same_as(now: dict[Key, Value], before: dict[Key, Value]) -> list[Key]:
    """The keys whose values are not the very same objects as ``before``'s (or that it
    lacks), in ``now``'s order: :func:`not_the_same`, or a loop when the keys differ."""
    found = not_the_same(now, before)
    if found is None:
        found = [key for key, value in now.items() if before.get(key) is not value]
    return found


class IdentityMemo(Generic[Item, Value]):
    """Values made from items, remembered by the items' identity.

    Each entry holds its item, so that while it is remembered its id cannot be
    taken by another object; :meth:`each` forgets the items it was not given,
    so that a server running for hours holds only the current model's parts.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[Item, object, Value]] = {}

    def seed(self, item: Item, value: Value, also: object = None) -> None:
        """Remember ``value`` as what ``make`` gives for ``item`` when ``reads`` gives ``also``."""
        self._known[id(item)] = (item, also, value)

    def value(self, item: Item) -> Value | None:
        """What is remembered for ``item``, if anything."""
        entry = self._known.get(id(item))
        return entry[2] if entry is not None and entry[0] is item else None

    def each(
        self,
        items: Iterable[Item],
        make: Callable[[Item], Value],
        reads: Callable[[Item], object] | None = None,
    ) -> list[Value]:
        """``make(item)`` for each item, in order, made again only for items not seen last time.

        ``reads`` gives what else ``make`` reads for an item besides the item
        itself (an objective's search row shows its owner's name): when that is
        no longer equal to what it was, the value is made again.
        """
        known, fresh = self._known, {}
        values = []
        for item in items:
            also = None if reads is None else reads(item)
            key = id(item)
            entry = known.get(key)
            # an entry found is this item's: the entry holds its item, so no other has its id
            if entry is None or entry[1] != also:
                entry = (item, also, make(item))
            fresh[key] = entry
            values.append(entry[2])
        self._known = fresh
        return values
