"""A leak audit of a public build: does any string of a non-public item appear in it?

The audit does not ask okrpub what is public: it decides that itself, from
the resolved content and the rules of docs/format.md §13 (a unit is public if its
visibility is; an objective if it is public, not a draft, and its owner unit
is public; a key result of a public objective unless it is marked internal;
a free page if its visibility is public).

Every string of every item that is not public is a *secret*: ids (also as
``"id"``, ``/id/`` and ``#id``), titles, names, tags, key-result units,
check-in notes, file names, and the text of bodies (also as the search index and
a page's description have it). Strings are cut at the
characters that HTML, JSON, XML and JavaScript escape (``& < > " ' \\``), and
bodies also at Markdown's punctuation, so that each piece appears verbatim
in whatever file would leak it; matching ignores case. Every file of the
site, and every file and folder name, is searched for every secret.

A secret may also be part of something the site is allowed to show: a word
of the interface, an id that is the start of a public id, a phrase that a
public body also has. Such strings are *allowed*: every string of every
public item, and the interface (the theme's templates, locale and static
files, and the string literals of okrpub's code). An occurrence of a secret
is a leak unless it lies inside an occurrence of an allowed string that
contains it. So a leaked title is found even when one of its words is also
a public word, and nothing public is ever reported.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from okrpub import __version__
from okrpub.model.resolve import Resolved
from okrpub.site.chartlayout import nice_ticks, tick_labels
from okrpub.site.i18n import load_locale
from okrpub.site.markdown import MarkdownRenderer
from okrpub.site.meta import first_paragraph, shortened
from okrpub.site.search import distinct_words
from okrpub.source.entries import KeyResultEntry, ObjectiveEntry, PageEntry, UnitEntry

#: The shortest string searched for (shorter ids are searched as ``"id"`` and ``/id/``).
MIN_LENGTH = 4
#: Characters some output format escapes: no piece of a searched string contains one.
_ESCAPED = r"&<>\"'\\\x00-\x1f\x7f"
_TEXT_CUTS = re.compile(f"[{_ESCAPED}]")
#: ... and, in Markdown, the punctuation that becomes markup.
_MARKDOWN_CUTS = re.compile(f"[{_ESCAPED}*_`#|\\[\\]()!~=:]")
_LIST_MARKER = re.compile(r"^\s*(?:[-+*>]+|\d+[.)])\s+", re.MULTILINE)
_HAS_WORD = re.compile(r"\w")
#: Entities the output formats write, allowed wherever they appear.
_ENTITIES = ("&amp;", "&lt;", "&gt;", "&quot;", "&#34;", "&#39;", "&#x27;", "&#x2F;")
_PACKAGE = Path(__file__).resolve().parent.parent / "okrpub"
_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def pieces(text: str, *, markdown: bool = False) -> set[str]:
    """The lower-case pieces of ``text`` that are long enough to search for."""
    if markdown:
        text = _LIST_MARKER.sub("\n", text)
    cuts = _MARKDOWN_CUTS if markdown else _TEXT_CUTS
    found = set()
    for piece in cuts.split(text):
        piece = " ".join(piece.split()).lower()
        if len(piece) >= MIN_LENGTH and _HAS_WORD.search(piece):
            found.add(piece)
    return found


_MARKDOWN = MarkdownRenderer(unsafe_html=False)


def described(body: str) -> str:
    """A body as a page's description shows it: its first paragraph, cut to length."""
    return shortened(first_paragraph(_MARKDOWN.render(body)))


def id_forms(item_id: str) -> set[str]:
    """An id on its own and in the places ids stand: quoted, in a path, as a fragment."""
    forms = {item_id, f"/{item_id}/", f"#{item_id}", f'"{item_id}"'}
    return {form.lower() for form in forms if len(form) >= MIN_LENGTH}


@dataclass
class Strings:
    """Strings by what they came from (for the report)."""

    found: dict[str, str] = field(default_factory=dict)

    def add(self, strings: Iterable[str], source: str) -> None:
        for string in strings:
            self.found.setdefault(string, source)

    def text(self, value: str | None, source: str) -> None:
        if value:
            self.add(pieces(value), source)

    def body(self, value: str, source: str) -> None:
        self.add(pieces(value, markdown=True), source)
        self.add(pieces(distinct_words(value)), f"{source} (as search words)")
        self.add(pieces(described(value)), f"{source} (as its description)")

    def ident(self, value: str | None, source: str) -> None:
        if value:
            self.add(id_forms(value), source)

    def file(self, path: str, source: str) -> None:
        name = PurePosixPath(path)
        self.add(pieces(name.name), source)
        self.add(id_forms(name.stem), source)


def _unit(strings: Strings, unit: UnitEntry) -> None:
    source = f"unit {unit.id}"
    strings.ident(unit.id, source)
    strings.text(unit.name, source)
    strings.body(unit.body, source)
    strings.file(unit.path, source)


def _page(strings: Strings, page: PageEntry) -> None:
    source = f"page {page.id}"
    strings.ident(page.id, source)
    strings.text(page.title, source)
    strings.body(page.body, source)
    strings.file(page.path, source)


def _objective(strings: Strings, objective: ObjectiveEntry) -> None:
    source = f"objective {objective.id}"
    strings.ident(objective.id, source)
    strings.text(objective.title, source)
    strings.body(objective.body, source)
    strings.file(objective.path, source)
    for tag in objective.tags:
        strings.text(tag, source)


def _key_result(strings: Strings, objective: ObjectiveEntry, kr: KeyResultEntry) -> None:
    source = f"key result {objective.id}#{kr.id}"
    strings.ident(kr.id, source)
    strings.text(kr.title, source)
    strings.text(kr.unit, source)
    for checkin in kr.checkins:
        strings.text(checkin.note, source)


def chart_ticks(kr: KeyResultEntry) -> set[str]:
    """The tick labels of a numeric key result's chart, in every language of the theme:
    round numbers made from its own start, target and values, public when it is."""
    if kr.target is None:
        return set()
    values = [float(kr.start), float(kr.target)]
    values += [float(c.value) for c in kr.checkins if type(c.value) in (int, float)]
    ticks = nice_ticks(min(values), max(values), whole=all(v.is_integer() for v in values))
    return {
        piece
        for language in ("en", "nl")
        for label in tick_labels(load_locale([_THEME], language), ticks, kr.unit)
        for piece in pieces(label)
    }


@dataclass(frozen=True)
class Audience:
    """The secrets of a project (by source) and the strings its public site may show."""

    secrets: dict[str, str]
    allowed: frozenset[str]


def public_parts(
    resolved: Resolved,
) -> tuple[set[str], set[str], set[tuple[str, str]], set[str]]:
    """Public unit ids, objective ids, ``(objective, key result)`` ids and page ids
    (docs/format.md §13)."""
    units = {u.id for u in resolved.units.values() if u.visibility == "public"}
    objectives = {
        o.id
        for o in resolved.objectives.values()
        if o.visibility == "public" and not o.draft and o.owner in units
    }
    key_results = {
        (o, kr.id)
        for o in objectives
        for kr in resolved.objectives[o].key_results
        if kr.visibility != "internal"
    }
    pages = {p.id for p in resolved.pages.values() if p.visibility == "public"}
    return units, objectives, key_results, pages


def audience_of(resolved: Resolved, extra_allowed: Iterable[str] = ()) -> Audience:
    """Secrets and allowed strings of ``resolved`` (everything, drafts included)."""
    units, objectives, key_results, pages = public_parts(resolved)
    secret, public = Strings(), Strings()
    for unit in resolved.units.values():
        _unit(public if unit.id in units else secret, unit)
    for page in resolved.pages.values():
        _page(public if page.id in pages else secret, page)
    for objective in resolved.objectives.values():
        _objective(public if objective.id in objectives else secret, objective)
        for kr in objective.key_results:
            shown = (objective.id, kr.id) in key_results
            _key_result(public if shown else secret, objective, kr)
            if shown:
                public.add(chart_ticks(kr), f"key result {objective.id}#{kr.id}")
    for period_id in resolved.periods:
        public.ident(period_id, "period")
        public.ident(period_id.lower(), "period")
    allowed = set(public.found) | interface_strings() | set(extra_allowed)
    return Audience(
        {s: source for s, source in secret.found.items() if s not in allowed},
        frozenset(allowed),
    )


def interface_strings() -> set[str]:
    """What any site may show: the theme's words and files, okrpub's own literals."""
    texts: list[str] = list(_ENTITIES)
    texts.append(f"okrpub {__version__}")
    for path in sorted(_THEME.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            texts += _JINJA.split(text)
        elif path.suffix == ".yaml":
            texts += _PLACEHOLDER.split(text)
        else:
            texts.append(text)
    for path in sorted(_PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts += _PLACEHOLDER.split(node.value)
    found: set[str] = set()
    for text in texts:
        found |= pieces(text, markdown=True)
        found |= pieces(text)
    return found


class Finder:
    """Every occurrence of many strings in a text.

    Each string is indexed by one window of a few characters: the one that
    the fewest other strings share (prose shares its common words, ids their
    period prefix). A text is scanned once per window length.
    """

    LENGTHS = (MIN_LENGTH, 8)

    def __init__(self, needles: Iterable[str]) -> None:
        needles = sorted(set(needles))
        shared: Counter[str] = Counter()
        for needle in needles:
            length = self._length(needle)
            shared.update({needle[i : i + length] for i in range(len(needle) - length + 1)})
        self.windows: dict[int, dict[str, list[tuple[str, int]]]] = {k: {} for k in self.LENGTHS}
        for needle in needles:
            length = self._length(needle)
            at = min(range(len(needle) - length + 1), key=lambda i: shared[needle[i : i + length]])
            window = needle[at : at + length]
            self.windows[length].setdefault(window, []).append((needle, at))

    def _length(self, needle: str) -> int:
        return max(k for k in self.LENGTHS if k <= len(needle))

    def find(self, text: str) -> Iterator[tuple[int, str]]:
        for length, windows in self.windows.items():
            if not windows:
                continue
            lookup = windows.get
            for index in range(len(text) - length + 1):
                bucket = lookup(text[index : index + length])
                if bucket:
                    for needle, at in bucket:
                        start = index - at
                        if start >= 0 and text.startswith(needle, start):
                            yield start, needle


@dataclass(frozen=True)
class Leak:
    file: str
    secret: str
    source: str
    context: str

    def __str__(self) -> str:
        return f"{self.file}: {self.secret!r} of {self.source} in …{self.context}…"


def find_leaks(site: Path, audience: Audience) -> list[Leak]:
    """Every occurrence of a secret in the files (and names) under ``site`` not explained
    by an allowed string around it."""
    finder = Finder(audience.secrets)
    # where each secret stands inside allowed strings: (allowed string, offset)
    around: dict[str, list[tuple[str, int]]] = {}
    for allowed in audience.allowed:
        for offset, secret in finder.find(allowed):
            around.setdefault(secret, []).append((allowed, offset))
    texts = {}
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        texts[f"name of {name}"] = name.lower()
        if path.is_file():
            texts[name] = path.read_bytes().decode("utf-8", "replace").lower()
    leaks = []
    for name, text in texts.items():
        for index, secret in finder.find(text):
            if any(
                index >= offset and text.startswith(allowed, index - offset)
                for allowed, offset in around.get(secret, ())
            ):
                continue
            context = text[max(0, index - 40) : index + len(secret) + 40]
            leaks.append(Leak(name, secret, audience.secrets[secret], " ".join(context.split())))
    return leaks
