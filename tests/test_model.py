"""The model's check-ins: a sequence kept packed until read, that says what computing
needs without being read."""

from __future__ import annotations

import datetime as dt
import pickle

import jinja2
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


@given(checkins)
def test_check_ins_read_as_the_tuple_they_were_made_from(items: list[Checkin]) -> None:
    for sequence in (Checkins(items), pickle.loads(pickle.dumps(Checkins(items)))):
        assert tuple(sequence) == tuple(items)
        assert len(sequence) == len(items) and bool(sequence) == bool(items)
        assert tuple(reversed(sequence)) == tuple(reversed(items))
        assert sequence[::-1] == tuple(items)[::-1]
        if items:
            assert sequence[-1] == items[-1]


@given(checkins)
def test_what_computing_needs_is_known_unread(items: list[Checkin]) -> None:
    sequence = pickle.loads(pickle.dumps(Checkins(items)))
    assert sequence.last_date == (items[-1].date if items else None)
    assert sequence.latest_value == next(
        (c.value for c in reversed(items) if c.value is not None), None
    )
    assert sequence.latest_confidence == next(
        (c.confidence for c in reversed(items) if c.confidence is not None), None
    )


@given(checkins, checkins)
def test_equal_only_when_the_check_ins_are(first: list[Checkin], second: list[Checkin]) -> None:
    made, again = Checkins(first), pickle.loads(pickle.dumps(Checkins(first)))
    assert made == again and hash(made) == hash(again)
    assert Checkins(first) == Checkins(pickle.loads(pickle.dumps(first)))
    if Checkins(first) == Checkins(second):
        assert first == second
    assert Checkins(first) != tuple(first)


def test_pickled_check_ins_are_packed_again_as_they_were() -> None:
    """A model pickles the same whether its check-ins were read or not (page digests
    rely on it)."""
    made = Checkins([Checkin(dt.date(2026, 11, 2), 3.5, 0.7, "on track")])
    unread = pickle.loads(pickle.dumps(made))
    read = pickle.loads(pickle.dumps(made))
    assert list(read) == list(made)
    assert pickle.dumps(made) == pickle.dumps(unread) == pickle.dumps(read)


def test_templates_use_check_ins_as_a_list() -> None:
    """What docs/themes.md promises theme authors."""
    made = Checkins(Checkin(dt.date(2026, 11, day), day, None, f"week {day}") for day in (2, 9, 16))
    template = jinja2.Environment().from_string(
        "{{ c|length }} {{ c[-1].note }} {{ (c|last).value }} "
        "{% for x in c|reverse %}{{ x.date.day }},{% endfor %} {% if c %}some{% endif %}"
    )
    for checkins in (made, pickle.loads(pickle.dumps(made))):
        assert template.render(c=checkins) == "3 week 16 16 16,9,2, some"
