"""A baseline is explicit (issue #17): a numeric key result needs its ``start``; the lint rule
``direction`` warns when the title and the numbers point different ways; and
``stale_after_days`` may be set per folder in ``_defaults.yaml``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitetools import md

from okrpub.model.direction import DOWN_WORDS, UP_WORDS, direction_word

PATH = "content/2026-Q4/sales/leads.md"
NO_START = (
    "is missing required key 'start': a numeric key result needs the value it stood at when "
    "the period began, so that progress can be measured from it; write 'start: 0' if it "
    "really starts at zero [missing-key]"
)


#: A check-in that keeps a key result from being stale (on ``TODAY``).
SEEN = "checkins: [{date: 2026-11-24}]"


def leads(*key_results: str, header: str = "") -> str:
    """The objective ``leads`` of sales with two key results and then ``key_results``;
    those written as one flow mapping get a check-in (:data:`SEEN`) at their end."""
    key_results = tuple(
        kr[:-2] + f", {SEEN}}}\n" if kr.endswith("}\n") else kr for kr in key_results
    )
    return md(
        "title: Leads\nowner: sales\nparent: grow\n" + header + "key_results:\n"
        "  - {title: Calls, start: 0, target: 10, checkins: [{date: 2026-11-24, value: 9}]}\n"
        "  - {title: Demos, start: 0, target: 10, checkins: [{date: 2026-11-24, value: 9}]}\n"
        + "".join(key_results)
    )


# -- start -------------------------------------------------------------------------------------


def test_a_numeric_key_result_without_start_is_an_error_at_the_key_result(check_files) -> None:
    """Its check-ins are still checked: one mistake does not hide the next."""
    text = leads(
        "  - title: Cut the median first reply time to 7 hours\n"
        "    target: 7\n"
        "    checkins: [{date: 2026-13-01, value: 9}]\n"
    )
    result = check_files({PATH: text})
    assert result.code == 1
    assert result.lines == [
        f"{PATH}:8:5: error: key_results[2] {NO_START}",
        f"{PATH}:10:23: error: key_results[2].checkins[0].date must be a date such as "
        "2026-10-05, got '2026-13-01' [bad-date]",
    ]


def test_start_0_written_is_a_start(check_files) -> None:
    text = leads("  - {title: Sign partners, start: 0, target: 3, current: 2}\n")
    assert check_files({PATH: text}).lines == []


def test_a_binary_key_result_has_no_start(check_files) -> None:
    assert check_files({PATH: leads("  - {title: Hire, done: false}\n")}).lines == []


def test_a_wrong_start_is_reported_once(check_files) -> None:
    text = leads("  - {title: Sign partners, start: some, target: 3}\n")
    assert check_files({PATH: text}).lines == [
        f"{PATH}:8:35: error: key_results[2].start must be a number, got 'some' [schema]"
    ]


# -- direction ---------------------------------------------------------------------------------


def direction(kr: str, word: str, target: object, way: str, start: object) -> str:
    counts = "each rise" if way == "above" else "each fall"
    return (
        f"{PATH}:8:5: warning: key result '{kr}' says '{word}' but its target ({target}) is "
        f"{way} its start ({start}), so {counts} counts as progress; check start and target "
        "[direction]"
    )


@pytest.mark.parametrize(
    ("title", "start", "target", "word"),
    [
        ("Decrease median first reply time to 7 hours", 0, 7, "decrease"),
        ("Reduce returns", 2, 5.5, "reduce"),
        ("CUT the queue", 0, 3, "cut"),
        ("Lower churn to 3%", 1, 3, "lower"),
        ("Shrink the backlog", 10, 40, "shrink"),
        ("Increase the net promoter score", 40, 20, "increase"),
        ("Grow to 30 stores", 50, 30, "grow"),
        ("Raise prices by 5%", 5, 0, "raise"),
    ],
)
def test_direction_warns_when_the_title_and_the_numbers_disagree(
    check_files, title: str, start: float, target: float, word: str
) -> None:
    text = leads(f"  - {{id: x, title: {title}, start: {start}, target: {target}}}\n")
    way = "above" if target > start else "below"
    assert check_files({PATH: text}).lines == [direction("x", word, target, way, start)]


@pytest.mark.parametrize(
    ("title", "start", "target"),
    [
        ("Decrease median first reply time to 7 hours", 9, 7),  # lower is better: right
        ("Increase the net promoter score", 20, 40),
        ("Cut costs to raise the margin", 30, 34),  # both ways: nothing is said
        ("Sell 40 gift cards", 50, 40),  # neither
        ("Use shortcuts and lowercase names", 0, 9),  # 'cut' and 'lower' only inside words
        ("Verlaag de wachttijd", 0, 7),  # Dutch, on an English site
    ],
)
def test_direction_is_quiet_otherwise(check_files, title: str, start: float, target: float) -> None:
    text = leads(f"  - {{id: x, title: {title}, start: {start}, target: {target}}}\n")
    assert check_files({PATH: text}).lines == []


def test_a_dutch_site_reads_dutch_and_english(check_files) -> None:
    text = leads(
        "  - {id: x, title: Wachttijd terugdringen naar 7 uur, start: 0, target: 7}\n",
        "  - {id: y, title: Omzet verhogen, start: 10, target: 5}\n",
        "  - {id: z, title: Reduce the queue, start: 0, target: 7}\n",
    )
    result = check_files({PATH: text, "okrpub.yaml": "language: nl\n"})
    assert result.lines == [
        direction("x", "terugdringen", 7, "above", 0),
        direction("y", "verhogen", 5, "below", 10).replace(":8:5:", ":9:5:"),
        direction("z", "reduce", 7, "above", 0).replace(":8:5:", ":10:5:"),
    ]


def test_direction_can_be_off_or_an_error(check_files) -> None:
    text = leads("  - {id: x, title: Reduce returns, start: 2, target: 5}\n")
    assert check_files({PATH: text, "okrpub.yaml": "lint: {direction: off}\n"}).lines == []
    result = check_files({PATH: text, "okrpub.yaml": "lint: {direction: error}\n"})
    assert result.code == 1
    assert result.lines == [
        direction("x", "reduce", 5, "above", 2).replace("warning:", "error:"),
    ]


def test_a_cancelled_key_result_is_not_linted_for_direction(check_files) -> None:
    text = leads("  - {id: x, title: Reduce returns, start: 2, target: 5, cancelled: Gone.}\n")
    assert check_files({PATH: text}).lines == []


#: Words that say neither up nor down, in any language okrpub knows.
PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda word: not any(word in words for words in [*DOWN_WORDS.values(), *UP_WORDS.values()])
)


@settings(max_examples=200, deadline=None)
@given(
    before=st.lists(PLAIN, max_size=3),
    after=st.lists(PLAIN, max_size=3),
    word=st.sampled_from(sorted(DOWN_WORDS["en"])),
    case=st.sampled_from([str.lower, str.upper, str.title]),
    mark=st.sampled_from([" ", ", ", ": ", " (", "-"]),
    glued=st.sampled_from(["", "s", "x"]),
)
def test_a_down_word_is_found_as_a_word_only(
    before: list[str], after: list[str], word: str, case, mark: str, glued: str
) -> None:
    """A word that says down is found in any case and beside any punctuation, but not as
    part of a longer word; and only when the numbers go up."""
    title = " ".join(before) + mark + case(word) + glued + mark + " ".join(after)
    found = direction_word(title, 0, 10, "en")
    longer = word + glued
    expected = word if not glued else (longer if longer in DOWN_WORDS["en"] else None)
    assert found == expected
    assert direction_word(title, 10, 0, "en") is None


# -- stale_after_days per folder ---------------------------------------------------------------


def checked_in_on(date: str) -> str:
    return md(
        f"""
        title: Monthly numbers
        owner: sales
        parent: grow
        key_results:
          - {{id: a, title: A, start: 0, target: 10, checkins: [{{date: {date}, value: 9}}]}}
          - {{id: b, title: B, start: 0, target: 10, checkins: [{{date: 2026-11-24, value: 9}}]}}
          - {{id: c, title: C, start: 0, target: 10, checkins: [{{date: 2026-11-24, value: 9}}]}}
        """
    )


def test_stale_after_days_from_a_folder_s_defaults(check_files) -> None:
    """The monthly folder waits 31 days; the rest of the site 7."""
    monthly = "content/2026-Q4/monthly/numbers.md"
    weekly = "content/2026-Q4/sales/numbers-weekly.md"
    result = check_files(
        {
            "content/2026-Q4/monthly/_defaults.yaml": "stale_after_days: 31\n",
            monthly: checked_in_on("2026-11-02"),
            weekly: checked_in_on("2026-11-02"),
            "content/2026-Q4/monthly/old.md": checked_in_on("2026-10-20"),
        }
    )
    assert result.lines == [
        "content/2026-Q4/monthly/old.md:6:5: warning: key result 'a' has had no check-in since "
        "2026-10-20 (stale after 31 days) [stale]",
        f"{weekly}:6:5: warning: key result 'a' has had no check-in since 2026-11-02 "
        "(stale after 7 days) [stale]",
    ]


def test_an_objective_may_set_its_own_stale_after_days(check_files) -> None:
    text = checked_in_on("2026-11-02").replace(
        "parent: grow\n", "parent: grow\nstale_after_days: 30\n"
    )
    assert check_files({PATH: text}).lines == []


def test_a_bad_stale_after_days_in_defaults_is_reported_there(check_files) -> None:
    result = check_files(
        {
            "content/2026-Q4/monthly/_defaults.yaml": "owner: sales\nstale_after_days: 0\n",
            "content/2026-Q4/monthly/numbers.md": checked_in_on("2026-11-24"),
        }
    )
    assert result.lines == [
        "content/2026-Q4/monthly/_defaults.yaml:2:19: error: stale_after_days must be a whole "
        "number of days greater than 0, got 0 [schema]"
    ]
