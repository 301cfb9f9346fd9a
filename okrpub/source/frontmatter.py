"""Front matter: split a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from okrpub.diagnostics import Diagnostics, Location

#: Largest source file okrpub reads, in bytes.
MAX_FILE_BYTES = 1_000_000
#: Largest front matter (the YAML between the ``---`` lines), in bytes of UTF-8.
MAX_FRONT_MATTER_BYTES = 250_000
#: Largest body (the Markdown after the front matter), in bytes of UTF-8.
MAX_BODY_BYTES = 100_000

_FENCE = "---"
#: The line that closes front matter: ``---`` or ``...``, then white space at most.
_CLOSER = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class SplitFile:
    """A Markdown file cut in two: ``front_matter`` starts on file line 2."""

    front_matter: str
    body: str


def decode(raw: bytes, path: str, diagnostics: Diagnostics) -> str | None:
    """Decode a source file as UTF-8 (a byte-order mark is allowed)."""
    if len(raw) > MAX_FILE_BYTES:
        diagnostics.error(
            Location(path),
            "file-size",
            f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diagnostics.error(
            Location(path, line),
            "encoding",
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: str, diagnostics: Diagnostics) -> SplitFile | None:
    """Split ``---``-fenced front matter from the body, or report why not."""
    if not text or text.isspace():
        diagnostics.error(
            Location(path), "front-matter", "file is empty; it needs YAML front matter"
        )
        return None
    first, _, rest = text.partition("\n")
    if first.rstrip() != _FENCE:
        diagnostics.error(
            Location(path),
            "front-matter",
            "file has no front matter: its first line must be '---', "
            "followed by YAML and a closing '---'",
        )
        return None
    closer = _CLOSER.search(rest)
    if closer is not None:
        # Front matter of no lines is one empty line.
        split = SplitFile(rest[: closer.start()] or "\n", rest[closer.end() + 1 :])
        closing_line = rest.count("\n", 0, closer.start()) + 2
        return split if _within_limits(split, closing_line, path, diagnostics) else None
    diagnostics.error(
        Location(path),
        "front-matter",
        "front matter is not closed: add a line '---' after the YAML",
    )
    return None


def _within_limits(
    split: SplitFile, closing_line: int, path: str, diagnostics: Diagnostics
) -> bool:
    """Whether front matter and body are within their size limits; report each that is not."""
    ok = True
    for text, limit, what, line in (
        (split.front_matter, MAX_FRONT_MATTER_BYTES, "front matter", 2),
        (split.body, MAX_BODY_BYTES, "body", closing_line + 1),
    ):
        if len(text) * 4 <= limit:
            continue  # within the limit even if every character takes 4 bytes of UTF-8
        size = len(text.encode("utf-8"))
        if size > limit:
            diagnostics.error(
                Location(path, line),
                "limit",
                f"{what} is {size:,} bytes; the limit is {limit:,}",
            )
            ok = False
    return ok
