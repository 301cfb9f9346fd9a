"""What ``okrpub serve`` adds to the HTML pages it serves: the live-reload script, and
the error overlay while the content has errors (on a public site, only the problems of
files that site shows). None of it is ever part of the built files."""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath

from okrpub.diagnostics import Diagnostic
from okrpub.model.audience import select_audience
from okrpub.model.resolve import Resolved
from okrpub.serve.state import Shown
from okrpub.source.entries import ObjectiveEntry, PageEntry, UnitEntry

#: Where the server's own files are (the script, the events).
LIVE_PREFIX = "/_okrpub/"

#: A word of a message, as ids are made of (with ``_``, which file names may have).
_WORD = re.compile(r"[\w-]+")

LIVE_SCRIPT = b"""(function () {
  "use strict";
  var script = document.currentScript;
  var version = script && script.getAttribute("data-version");
  var source = new EventSource("/_okrpub/events");
  source.onmessage = function (event) {
    if (event.data !== version) { window.location.reload(); }
  };
}());
"""

_OVERLAY_STYLE = (
    "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;"
    "margin:0;padding:1rem 1.25rem;background:#2b0a0a;color:#ffe9e9;"
    "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "border-top:4px solid #ff6b6b;white-space:pre-wrap"
)


def decorate(body: bytes, shown: Shown) -> bytes:
    """The live-reload script, and the error overlay while the content has errors."""
    extra = f'<script src="{LIVE_PREFIX}live.js" data-version="{shown.version}"></script>'
    if shown.errors:
        lines = "\n".join(html.escape(line) for line in shown.errors)
        what = (
            "this is the last good site"
            if shown.files is not None
            else "there is no site to show yet"
        )
        extra += (
            f'<div id="okrpub-errors" role="alert" style="{_OVERLAY_STYLE}">'
            f"<strong>okrpub could not rebuild the site; {what}.</strong>\n"
            f"{lines}</div>"
        )
    marker = b"</body>"
    index = body.rfind(marker)
    if index < 0:
        return body + extra.encode()
    return body[:index] + extra.encode() + body[index:]


def public_overlay(
    problems: list[Diagnostic], resolved: Resolved | None, *, drafts: bool
) -> list[str]:
    """The overlay's lines over a public site: the problems of files that site shows and
    that name nothing it leaves out, then how many others there are.

    A file with errors is not loaded, so nothing shows that it is public: its
    problems are counted, as are those whose message names an id (or a file)
    that the public site leaves out, such as a did-you-mean.
    """
    files: set[str] = set()
    left_out: set[str] = set()
    if resolved is not None:
        public = select_audience(resolved, public=True, drafts=drafts)
        files = {entry.path for entry in _entries(public)}
        left_out = _names(resolved) - _names(public)
    inside = [problem for problem in problems if problem.location.path in files]
    left_out |= {
        PurePosixPath(p.location.path).stem for p in problems if p.location.path not in files
    }
    words = {name for name in left_out if _WORD.fullmatch(name)}
    others = left_out - words  # file names that are not words
    lines = []
    for problem in inside:
        text = problem.as_text()
        if words.isdisjoint(_WORD.findall(text)) and not any(name in text for name in others):
            lines.append(text)
    hidden = len(problems) - len(lines)
    if hidden:
        lines.append(
            f"{hidden} problem{'s' * (hidden != 1)} in files that this public site does not "
            "show (the terminal lists every problem)"
        )
    return lines


def _entries(resolved: Resolved) -> list[UnitEntry | ObjectiveEntry | PageEntry]:
    """The units, objectives and free pages of ``resolved``."""
    return [*resolved.units.values(), *resolved.objectives.values(), *resolved.pages.values()]


def _names(resolved: Resolved) -> set[str]:
    """The ids of the units, objectives, free pages and key results of ``resolved``."""
    names = {entry.id for entry in _entries(resolved)}
    for objective in resolved.objectives.values():
        names.update(key_result.id for key_result in objective.key_results)
    return names
