"""Direction: whether a key result's title and numbers point the same way.

"Reduce the median reply time to 7 hours" with ``start: 0`` and ``target: 7``
counts every hour more as progress. The lint rule ``direction``
(:mod:`okrpub.model.lint`) warns about it. The words are the site's language's and
English; a title with words of both kinds ("cut costs to raise the margin") or of
neither says nothing.
"""

from __future__ import annotations

import re
from functools import cache

from okrpub.model.types import Number


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words, in each form a title may use, that say a number goes down or up, by language.
DOWN_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "decrease decreases decreased decreasing reduce reduces reduced reducing reduction "
        "cut cuts cutting lower lowers lowered lowering shrink shrinks shrinking shrunk "
        "minimise minimises minimised minimising minimize minimizes minimized minimizing "
        "halve halves halved halving"
    ),
    "nl": _words(
        "verlagen verlaag verlaagt verlaagd verlaging verminderen verminder vermindert "
        "verminderd vermindering terugdringen teruggedrongen terugbrengen teruggebracht "
        "reduceren reduceer reduceert gereduceerd reductie halveren halveer halveert "
        "gehalveerd halvering"
    ),
}
UP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "increase increases increased increasing grow grows grew grown growing growth "
        "raise raises raised raising boost boosts boosted boosting double doubles doubled "
        "doubling maximise maximises maximised maximising maximize maximizes maximized "
        "maximizing"
    ),
    "nl": _words(
        "verhogen verhoog verhoogt verhoogd verhoging vergroten vergroot vergroting "
        "groeien groei groeit gegroeid verdubbelen verdubbel verdubbelt verdubbeld "
        "verdubbeling"
    ),
}

_WORD = re.compile(r"[^\W\d_]+")


def direction_word(title: str, start: Number, target: Number, language: str) -> str | None:
    """The word of ``title`` that says the number goes the other way than from ``start``
    to ``target`` does, in ``language`` or English; ``None`` when nothing says so."""
    down_words, up_words = _words_of(language)
    words: list[str] = _WORD.findall(title.lower())
    down = [word for word in words if word in down_words]
    up = [word for word in words if word in up_words]
    if down and not up and target > start:
        return down[0]
    if up and not down and target < start:
        return up[0]
    return None


@cache
def _words_of(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words that say down and up in ``language`` or English."""
    empty: frozenset[str] = frozenset()
    down = DOWN_WORDS["en"] | DOWN_WORDS.get(language, empty)
    up = UP_WORDS["en"] | UP_WORDS.get(language, empty)
    return down, up
