"""The progress line: how far a long build is, on one line of a terminal.

A build that runs longer than :data:`AFTER_SECONDS` shows the stage it is in
and how much of it is done (``okrpub: rendering 1200/9800``) on one line of
the terminal that stderr is, redrawn at most every :data:`EVERY_SECONDS` and
cleared when the build ends. When stderr is not a terminal (a pipe, a file,
CI logs) nothing is shown. The environment variable ``OKRPUB_PROGRESS_AFTER``
(seconds) sets the delay: ``0`` shows the line at once.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

#: A build shorter than this shows no progress.
AFTER_SECONDS = 1.5
#: The line is redrawn at most this often (a new stage is drawn at once).
EVERY_SECONDS = 0.1
#: Back to the start of the line, and erase it to its end.
_CLEAR = "\r\x1b[K"


class ProgressLine:
    """Draws progress reports (:class:`okrpub.engine.stats.Stats`'s ``progress``) on
    ``stream``, a terminal: nothing until ``after`` seconds have passed, then one line
    redrawn in place, at most every ``every`` seconds within a stage."""

    def __init__(
        self,
        stream: TextIO,
        after: float = AFTER_SECONDS,
        every: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.after = after
        self.every = every
        self.clock = clock
        self.started = clock()
        self.drawn_at = -math.inf
        self.stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.after:
            return
        if stage == self.stage and now - self.drawn_at < self.every:
            return
        text = f"okrpub: {stage} {done}/{total}" if total else f"okrpub: {stage}"
        self.stream.write(_CLEAR + text)
        self.stream.flush()
        self.stage, self.drawn_at = stage, now

    def clear(self) -> None:
        """Erase the line, if one was drawn."""
        if self.stage is not None:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self.stage = None


@contextmanager
def progress_line(stream: TextIO) -> Iterator[ProgressLine | None]:
    """A :class:`ProgressLine` on ``stream`` if it is a terminal (else ``None``), cleared
    when the body ends."""
    if not stream.isatty():
        yield None
        return
    line = ProgressLine(stream, after=_delay())
    try:
        yield line
    finally:
        line.clear()


def _delay() -> float:
    """``OKRPUB_PROGRESS_AFTER`` if it is a number of seconds, else :data:`AFTER_SECONDS`."""
    try:
        return max(0.0, float(os.environ.get("OKRPUB_PROGRESS_AFTER", AFTER_SECONDS)))
    except ValueError:
        return AFTER_SECONDS
