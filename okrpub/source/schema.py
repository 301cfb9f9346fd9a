"""The schema of content: declarative field tables, one per kind of mapping.

Each table maps a key to a :class:`Field` that says whether it is required
and how its value is checked (:mod:`okrpub.source.checks`).
:func:`okrpub.source.validate.validate_mapping` checks a mapping against one;
the published JSON Schemas (:mod:`okrpub.site.jsonschema`) are made from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from okrpub.source.checks import (
    OWNERS,
    PARENTS,
    VISIBILITY,
    Check,
    any_list,
    boolean,
    date,
    fraction,
    link_title,
    number,
    number_or_boolean,
    one_of,
    optional_text,
    order,
    period_id,
    slug,
    string_list,
    text,
    url,
    weight,
    whole_days,
)


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False
    #: What the key means, for the JSON Schemas (shown by editors).
    description: str = ""
    #: For a list of mappings: the table each entry is checked against.
    entries: Mapping[str, Field] | None = None
    #: For a list: the most entries it may have.
    max_entries: int | None = None


#: Most key results one objective may have, check-ins one key result, and links either.
MAX_KEY_RESULTS = 20
MAX_CHECKINS = 500
MAX_LINKS = 20

#: What its owner may say of a key result (``health``): the statuses okrpub also derives.
HEALTH_VALUES = ("on_track", "at_risk", "off_track")
UNIT_KINDS = ("company", "team", "person")
OBJECTIVE_TYPES = ("committed", "aspirational")
HEALTH = one_of(*HEALTH_VALUES)

LINK_FIELDS: dict[str, Field] = {
    "title": Field(link_title, required=True, description="The link's text."),
    "url": Field(url, required=True, description="Where it goes: https://, http:// or mailto:."),
}


def _links(of: str) -> Field:
    return Field(
        any_list,
        description=f"Links to where the work on {of} is tracked: issues, epics, documents.",
        entries=LINK_FIELDS,
        max_entries=MAX_LINKS,
    )


UNIT_FIELDS: dict[str, Field] = {
    "name": Field(text, required=True, description="The unit's name, as the site shows it."),
    "kind": Field(
        one_of(*UNIT_KINDS),
        required=True,
        description="What the unit is: the company, a team or a person.",
    ),
    "parent": Field(
        slug,
        description="Id of the company or team this unit belongs to "
        "(required for teams and people; none for the company).",
    ),
    "lead": Field(slug, description="Id of the person who leads this unit."),
    "visibility": Field(
        VISIBILITY,
        description="'public' to show the unit on the public site "
        "(default: default_visibility in okrpub.yaml).",
    ),
}

CHECKIN_FIELDS: dict[str, Field] = {
    "date": Field(date, required=True, description="The day of the check-in, YYYY-MM-DD."),
    "value": Field(
        number_or_boolean,
        description="Where the key result stands: a number, or true/false for a binary one.",
    ),
    "confidence": Field(
        fraction, description="How likely the target is reached by the due date, 0.0 to 1.0."
    ),
    "note": Field(optional_text, description="What changed and why (inline Markdown)."),
    "health": Field(
        HEALTH,
        description="What the owner says of the key result now; the newest check-in's "
        "health wins over the key result's own.",
    ),
}

KEY_RESULT_FIELDS: dict[str, Field] = {
    "title": Field(
        text, required=True, description="What will be measurably true (inline Markdown)."
    ),
    "id": Field(slug, description="Unique in the objective (default: kr1, kr2, ... by position)."),
    "start": Field(
        number,
        description="Where a numeric key result stood when the period began; required "
        "with a target (write 0 if it really starts at zero).",
    ),
    "target": Field(
        number,
        description="Makes the key result numeric: the number to reach; "
        "below start means lower is better.",
    ),
    "current": Field(
        number,
        description="Where a numeric key result stands (default: the latest check-in's value).",
    ),
    "done": Field(boolean, description="Makes the key result binary: whether it is done."),
    "unit": Field(optional_text, description="Shown after its numbers, such as '%' or 'orders'."),
    "unit_singular": Field(
        text, description="The unit after the number 1, such as 'order' (needs 'unit')."
    ),
    "unit_position": Field(
        one_of("before", "after"),
        description="Where the unit is written: 'before' the number ('rank 14', 'CHF 50') "
        "or 'after' it ('14 orders'); default: before for €, $, £ and ¥, else after "
        "(needs 'unit').",
    ),
    "owner": Field(
        OWNERS,
        description="Id of the unit that owns this key result, or a list of ids: "
        "the first is accountable, the others co-own it.",
    ),
    "due": Field(date, description="The due date (default: the last day of the period)."),
    "weight": Field(
        weight, description="Its weight in the objective's progress and grade (default 1)."
    ),
    "confidence": Field(
        fraction,
        description="How likely the target is reached, 0.0 to 1.0 "
        "(default: the latest check-in's).",
    ),
    "score": Field(
        fraction, description="The final grade, 0.0 to 1.0, given at the end of the period."
    ),
    "checkins": Field(
        any_list,
        description="The check-ins, usually one a week.",
        entries=CHECKIN_FIELDS,
        max_entries=MAX_CHECKINS,
    ),
    "visibility": Field(
        one_of("internal", "public"),
        description="'internal' keeps this key result out of public builds.",
    ),
    "cancelled": Field(
        text,
        description="Why it was cancelled: it stays visible, struck through with this "
        "reason, and out of every mean.",
    ),
    "links": _links("this key result"),
    "health": Field(
        HEALTH,
        description="What its owner says of it, shown beside the derived status "
        "(a check-in's health is newer and wins).",
    ),
    "health_note": Field(text, description="Why the owner says so (inline Markdown)."),
}

#: Keys a ``_defaults.yaml`` may give to the objectives in its folder and below.
DEFAULTS_FIELDS: dict[str, Field] = {
    "owner": Field(
        OWNERS,
        description="Id of the unit that owns the objective, or a list of ids: "
        "the first is accountable, the others co-own it.",
    ),
    "period": Field(period_id, description="The period, such as 2026-Q4, 2026-H2 or 2026."),
    "parent": Field(
        PARENTS,
        description="What the objective aligns to: an objective id, or objective-id#kr-id; "
        "or a list of them, the first being its main place in the cascade.",
    ),
    "type": Field(
        one_of(*OBJECTIVE_TYPES),
        description="Committed (expected to reach 1.0) or aspirational (default; 0.7 is good).",
    ),
    "visibility": Field(
        VISIBILITY,
        description="'public' to show the objective on the public site "
        "(default: its owner unit's).",
    ),
    "draft": Field(boolean, description="Drafts are left out of built sites unless --drafts."),
    "tags": Field(string_list, description="Words to group and find objectives by."),
    "stale_after_days": Field(
        whole_days,
        description="Days without a check-in after which its key results are stale "
        "(default: stale_after_days in okrpub.yaml).",
    ),
}

OBJECTIVE_FIELDS: dict[str, Field] = {
    "title": Field(
        text, required=True, description="Where we want to be: the objective (inline Markdown)."
    ),
    "id": Field(slug, description="Unique across the site (default: the file name without .md)."),
    **DEFAULTS_FIELDS,
    "owner": Field(
        OWNERS,
        required=True,
        description="Id of the unit that owns the objective, or a list of ids, the first "
        "accountable (may come from _defaults.yaml).",
    ),
    "period": Field(
        period_id,
        required=True,
        description="The period, such as 2026-Q4 (may come from _defaults.yaml).",
    ),
    "key_results": Field(
        any_list,
        description="How we know we got there: 3 to 5 key results. An objective without "
        "any yet is qualitative: allowed, with a warning (no-key-results).",
        entries=KEY_RESULT_FIELDS,
        max_entries=MAX_KEY_RESULTS,
    ),
    "score": Field(
        fraction,
        description="The grade of the objective as a whole, 0.0 to 1.0, given at the end "
        "of the period; it wins over the mean of its key results' grades.",
    ),
    "links": _links("this objective"),
}

#: Keys of the objective table that may come from a ``_defaults.yaml`` instead of the file.
FROM_DEFAULTS = frozenset(DEFAULTS_FIELDS)

PAGE_FIELDS: dict[str, Field] = {
    "title": Field(text, required=True, description="The page's title."),
    "visibility": Field(VISIBILITY, description="'public' to show the page on the public site."),
    "nav": Field(
        one_of("header", "footer", "none"),
        description="Where the site links to the page: the menu at the top (default), the "
        "footer, or nowhere.",
    ),
    "nav_title": Field(text, description="The link's words (default: the title)."),
    "nav_order": Field(
        order, description="Lower comes first; pages without one follow, by file name."
    ),
}
