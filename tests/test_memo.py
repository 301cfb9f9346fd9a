"""IdentityMemo: values remembered by their objects' identity, as serve's renderer keeps them.

A value is made again for an object it has not seen (an equal copy is another
object), when what else it reads changed, and for an object it has forgotten
because the last call did not give it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from okrpub.engine.memo import IdentityMemo


@dataclass(frozen=True)
class Thing:
    name: str


class Counting:
    """``make``: the name in capitals, counting the things it was made for."""

    def __init__(self) -> None:
        self.made: list[Thing] = []

    def __call__(self, thing: Thing) -> str:
        self.made.append(thing)
        return thing.name.upper()


def test_the_same_objects_are_made_once() -> None:
    memo, make = IdentityMemo[Thing, str](), Counting()
    things = [Thing("a"), Thing("b")]
    assert memo.each(things, make) == ["A", "B"]
    assert memo.each(things, make) == ["A", "B"]
    assert make.made == things


def test_an_equal_copy_is_made_again() -> None:
    memo, make = IdentityMemo[Thing, str](), Counting()
    first, copy = Thing("a"), Thing("a")
    memo.each([first], make)
    assert memo.each([copy], make) == ["A"]
    assert [id(thing) for thing in make.made] == [id(first), id(copy)]


def test_a_new_object_never_gets_the_value_of_a_gone_one() -> None:
    """Were the memo not to hold its objects, a new object could take the id of one that
    was freed (CPython reuses the memory at once) and get that one's value."""
    memo = IdentityMemo[Thing, str]()
    for number in range(20):
        assert memo.each([Thing(f"t{number}")], lambda t: t.name.upper()) == [f"T{number}"]


def test_a_change_to_what_it_reads_makes_it_again() -> None:
    memo, make = IdentityMemo[Thing, str](), Counting()
    thing, owners = Thing("a"), {"a": "Sam"}
    memo.each([thing], make, reads=lambda t: owners[t.name])
    memo.each([thing], make, reads=lambda t: owners[t.name])
    owners["a"] = "Samuel"
    memo.each([thing], make, reads=lambda t: owners[t.name])
    assert len(make.made) == 2


def test_what_a_call_leaves_out_is_forgotten() -> None:
    memo, make = IdentityMemo[Thing, str](), Counting()
    a, b = Thing("a"), Thing("b")
    memo.each([a, b], make)
    memo.each([b], make)
    memo.each([a, b], make)
    assert make.made == [a, b, a]


@given(st.lists(st.lists(st.integers(0, 5), max_size=6), max_size=6))
def test_each_gives_what_make_gives_and_makes_only_what_is_new(calls: list[list[int]]) -> None:
    """Over calls with some of the same objects, some new: the values are always
    ``make``'s, and an object is made only when the call before did not have it."""
    pool = [Thing(str(number)) for number in range(6)]
    memo, make = IdentityMemo[Thing, str](), Counting()
    before: set[int] = set()
    for call in calls:
        things = [pool[number] for number in dict.fromkeys(call)]
        made = len(make.made)
        assert memo.each(things, make) == [thing.name.upper() for thing in things]
        assert make.made[made:] == [thing for thing in things if id(thing) not in before]
        before = {id(thing) for thing in things}
