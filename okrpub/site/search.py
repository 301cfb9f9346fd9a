"""Search: the offline indexes behind the search box and the search page.

Each index is a JavaScript file rather than JSON so that it loads from
``file://`` too, where browsers refuse ``fetch``. The suggestions under the
search box, loaded when someone starts to search, use ``search/titles.js``:
titles, owners and periods only (1.6 MB against 8.0 MB for a generated
organisation of 10,000 objectives). The search
page loads ``search/index.js``, which also holds the words. To keep that
small on large sites a body is reduced to its distinct words, at most
``MAX_WORDS`` of them. The
words of an objective (its tags, owner, body words and key-result titles)
are one per line, so the index holds no phrase made of two of them.

Each row is encoded on its own (:func:`objective_rows`, :func:`unit_rows`)
and the files are joined from the rows (:func:`search_indexes`), so that the
engine can encode again only the rows of the objectives and units that changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from okrpub.model.types import FreePage, Model, Objective, Unit
from okrpub.site.i18n import Locale

MAX_WORDS = 60
SEARCH_FILES = ("search/titles.js", "search/index.js")
_WORD = re.compile(r"\w+")


def distinct_words(text: str, limit: int = MAX_WORDS) -> str:
    """The first ``limit`` distinct lower-case words of ``text``, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) > 2 and word not in seen:
            seen[word] = None
            if len(seen) == limit:
                break
    return " ".join(seen)


#: The JSON of a row's first four cells (the suggestions' index) and of the whole row.
Rows = tuple[bytes, bytes]


def search_indexes(
    model: Model,
    locale: Locale,
    objectives: Iterable[Rows] | None = None,
    units: Iterable[Rows] | None = None,
) -> dict[str, bytes]:
    """``search/titles.js`` and ``search/index.js``, the suggestions' index and the full one.

    ``objectives`` and ``units``: the rows of each (:func:`objective_rows`,
    :func:`unit_rows`) in the model's order, made here when not given.
    """
    if objectives is None:
        objectives = (objective_rows(o, owner_name(model, o)) for o in model.objectives.values())
    if units is None:
        units = (unit_rows(u, parent_name(model, u), locale) for u in model.units.values())
    rows = [*objectives, *units, *(_encoded(_page_row(page)) for page in model.pages.values())]
    return {
        "search/titles.js": _script("okrpubSearchTitles", [titles for titles, _ in rows]),
        "search/index.js": _script("okrpubSearchIndex", [row for _, row in rows]),
    }


def objective_rows(objective: Objective, owner: str) -> Rows:
    """An objective's rows; ``owner``: its owner's name (:func:`owner_name`)."""
    return _encoded(_objective_row(objective, owner))


def unit_rows(unit: Unit, parent: str | None, locale: Locale) -> Rows:
    """A unit's rows; ``parent``: its parent's name (:func:`parent_name`)."""
    return _encoded(_unit_row(unit, parent, locale))


def owner_name(model: Model, objective: Objective) -> str:
    """The name an objective's search row shows for its owner: all it shows besides itself."""
    return model.units[objective.owner].name


def parent_name(model: Model, unit: Unit) -> str | None:
    """The name a unit's search row shows for its parent: all it shows besides itself."""
    return model.units[unit.parent].name if unit.parent else None


def _encoded(row: list[str]) -> Rows:
    """The JSON of a row's first four cells (the suggestions' index) and of the whole row."""
    return _json(row[:4]), _json(row)


def _json(value: list[str]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _script(name: str, rows: list[bytes]) -> bytes:
    """``window.name=[row,row,...];``: the JSON of the list of rows, joined from theirs."""
    return b"".join((f"window.{name}=[".encode(), b",".join(rows), b"];\n"))


def first_row(content: bytes) -> int:
    """Where the first row (an objective's, if any) begins in an index of
    :func:`search_indexes`; the rows follow, one ``,`` between each two."""
    return content.index(b"=[") + 2


def _objective_row(objective: Objective, owner: str) -> list[str]:
    """``[kind, title, url, context, words]``; the url relative to the site root."""
    # one part a line: a phrase of the index never runs from one part into the next
    words = "\n".join(
        [*objective.tags, owner, distinct_words(objective.body)]
        + [kr.title for kr in objective.key_results]
    )
    url = f"objectives/{objective.id}/index.html"
    return ["objective", objective.title, url, f"{objective.period} · {owner}", words]


def _unit_row(unit: Unit, parent: str | None, locale: Locale) -> list[str]:
    """The context is ``Team · Smokey Joe's``: the kind in the interface language, the parent."""
    kind = locale.text(f"unit.{unit.kind}")
    context = f"{kind} · {parent}" if parent else kind
    return ["unit", unit.name, f"units/{unit.id}/index.html", context, distinct_words(unit.body)]


def _page_row(page: FreePage) -> list[str]:
    return ["page", page.title, f"pages/{page.id}/index.html", "", distinct_words(page.body)]
