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
"""

from __future__ import annotations

import json
import re

from okrpub.i18n import Locale
from okrpub.model import Model, Unit

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


def _unit_context(unit: Unit, model: Model, locale: Locale) -> str:
    """``Team · Smokey Joe's``: the unit's kind in the interface language, and its parent."""
    kind = locale.text(f"unit.{unit.kind}")
    return f"{kind} · {model.units[unit.parent].name}" if unit.parent else kind


def search_indexes(model: Model, locale: Locale) -> dict[str, bytes]:
    """``search/titles.js`` and ``search/index.js``, the suggestions' index and the full one."""
    rows = _rows(model, locale)
    titles = [row[:4] for row in rows]
    return {
        "search/titles.js": _script("okrpubSearchTitles", titles),
        "search/index.js": _script("okrpubSearchIndex", rows),
    }


def _script(name: str, rows: list[list[str]]) -> bytes:
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return f"window.{name}={payload};\n".encode()


def _rows(model: Model, locale: Locale) -> list[list[str]]:
    """Rows of ``[kind, title, url, context, words]``; urls relative to the site root."""
    rows: list[list[str]] = []
    for objective in model.objectives.values():
        owner = model.units[objective.owner].name
        context = f"{objective.period} · {owner}"
        # one part a line: a phrase of the index never runs from one part into the next
        words = "\n".join(
            [*objective.tags, owner, distinct_words(objective.body)]
            + [kr.title for kr in objective.key_results]
        )
        rows.append(
            ["objective", objective.title, f"objectives/{objective.id}/index.html", context, words]
        )
    for unit in model.units.values():
        rows.append(
            [
                "unit",
                unit.name,
                f"units/{unit.id}/index.html",
                _unit_context(unit, model, locale),
                distinct_words(unit.body),
            ]
        )
    for page in model.pages.values():
        rows.append(
            ["page", page.title, f"pages/{page.id}/index.html", "", distinct_words(page.body)]
        )
    return rows
