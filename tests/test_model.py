"""The model's check-ins: a sequence of plain rows, kept by the store as they are, that
says what computing needs without making a check-in object."""

from __future__ import annotations

import datetime as dt

import jinja2
import msgspec
from hypothesis import given
from hypothesis import strategies as st

from okrpub.model.types import Checkin, Checkins

checkins = st.lists(
    st.builds(
        Checkin,
        date=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
        value=st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6),
        confidence=st.none() | st.floats(0, 1),
        note=st.text(max_size=5),
    ),
    max_size=8,
)


def stored(made: Checkins) -> Checkins:
    """``made`` as the store gives it back: encoded as plain data and decoded."""
    return msgspec.msgpack.decode(msgspec.msgpack.encode(made), type=Checkins)


@given(checkins)
def test_check_ins_read_as_the_tuple_they_were_made_from(items: list[Checkin]) -> None:
    for sequence in (Checkins(items), stored(Checkins(items))):
        assert tuple(sequence) == tuple(items)
        assert len(sequence) == len(items) and bool(sequence) == bool(items)
        assert tuple(reversed(sequence)) == tuple(reversed(items))
        assert sequence[::-1] == tuple(items)[::-1]
        if items:
            assert sequence[-1] == items[-1]


@given(checkins)
def test_what_computing_needs_is_known_unread(items: list[Checkin]) -> None:
    sequence = stored(Checkins(items))
    assert sequence.last_date == (items[-1].date if items else None)
    assert sequence.latest_value == next(
        (c.value for c in reversed(items) if c.value is not None), None
    )
    assert sequence.latest_confidence == next(
        (c.confidence for c in reversed(items) if c.confidence is not None), None
    )


@given(checkins, checkins)
def test_equal_only_when_the_check_ins_are(first: list[Checkin], second: list[Checkin]) -> None:
    made, again = Checkins(first), stored(Checkins(first))
    assert made == again and hash(made) == hash(again)
    assert Checkins(first) == Checkins(list(first))
    if Checkins(first) == Checkins(second):
        assert first == second
    assert Checkins(first) != tuple(first)


@given(
    st.sampled_from([(1, 1.0), (1, True), (0.0, -0.0), (0, False)]).map(lambda p: (p, True))
    | st.sampled_from([(1, 1.0), (0.0, -0.0)]).map(lambda p: (p, False))
)
def test_numbers_shown_differently_are_not_equal(case: tuple[tuple[object, object], bool]) -> None:
    """``1`` and ``1.0`` are equal numbers, but ``api/okrs.json`` shows them apart: check-ins
    that differ so (in a value or a confidence) are not equal."""
    pair, as_value = case
    day = dt.date(2026, 11, 2)
    first, second = (
        Checkins([Checkin(day, number, None, "") if as_value else Checkin(day, None, number, "")])
        for number in pair
    )
    assert first != second
    assert first == Checkins(list(first)) and second == stored(second)


def test_stored_check_ins_encode_as_they_were() -> None:
    """A model encodes the same whether its check-ins were read or not (page digests
    rely on it)."""
    made = Checkins([Checkin(dt.date(2026, 11, 2), 3.5, 0.7, "on track")])
    unread, read = stored(made), stored(made)
    assert list(read) == list(made)
    encoded = msgspec.msgpack.encode
    assert encoded(made) == encoded(unread) == encoded(read)


def test_templates_use_check_ins_as_a_list() -> None:
    """What docs/themes.md promises theme authors."""
    made = Checkins(Checkin(dt.date(2026, 11, day), day, None, f"week {day}") for day in (2, 9, 16))
    template = jinja2.Environment().from_string(
        "{{ c|length }} {{ c[-1].note }} {{ (c|last).value }} "
        "{% for x in c|reverse %}{{ x.date.day }},{% endfor %} {% if c %}some{% endif %}"
    )
    for checkins in (made, stored(made)):
        assert template.render(c=checkins) == "3 week 16 16 16,9,2, some"
