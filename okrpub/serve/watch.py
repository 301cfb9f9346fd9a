"""Watching: tell ``serve`` when the project changed, one burst of changes at a time.

Watchdog reports changes in the content folder, the theme folder and
``okrpub.yaml``. Folders are watched, never single files, so that an editor's
rename-on-save never loses a watch; editors' temporary files are ignored; a
burst of events (an atomic save, a ``git checkout``) is coalesced.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from okrpub.config import CONFIG_FILE
from okrpub.source.discover import is_ignored

#: A rebuild starts once no change has come in for this long ...
QUIET_SECONDS = 0.02
#: ... or this long after the first change of a burst, whichever is first.
MOST_WAIT_SECONDS = 0.5


#: The events that can change the site. Reads are left out (the rebuild itself reads
#: every folder), and so is a folder's "modified", which only echoes a change to a
#: file in it. With inotify they are not even asked of the kernel.
_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


#: What a burst changed: project-relative ``/``-separated paths of files, or
#: :data:`EVERYTHING` when it changed more than files can say (a folder made, moved or
#: removed, the configuration, the theme, a new watch).
Burst = frozenset[str] | None
EVERYTHING: Burst = None


def _changed_paths(event: FileSystemEvent) -> list[Path]:
    """The paths an event changes; none for the events :data:`_EVENTS` leaves out, should an
    observer deliver them all the same."""
    if event.event_type in ("opened", "closed_no_write"):
        return []
    if event.is_directory and event.event_type == "modified":
        return []
    paths = (event.src_path, getattr(event, "dest_path", "") or "")
    return [Path(os.fsdecode(path)) for path in paths if path]


class _ChangeHandler(FileSystemEventHandler):
    """Collects the changes under ``folder``, leaving out editor temporary files and
    everything in folders that discovery skips (``.git``, ``.obsidian``, ...).

    In the content folder (``shown`` is its path as discovery shows it) a changed
    file is reported by its path, so that a rebuild need not read the others; anything
    else changes everything.
    """

    def __init__(self, changes: Changes, folder: Path, shown: str | None) -> None:
        self.changes = changes
        self.folder = folder
        self.shown = shown

    def on_any_event(self, event: FileSystemEvent) -> None:
        changed: list[str] = []
        for path in _changed_paths(event):
            try:
                parts = path.relative_to(self.folder).parts
            except ValueError:  # not expected: be safe, unless it is a temporary file
                if not is_ignored(path.name):
                    self.changes.add(EVERYTHING)
                continue
            if not any(is_ignored(part) for part in parts):
                changed.append("/".join(parts))
        if not changed:
            return
        if self.shown is None or event.is_directory:
            self.changes.add(EVERYTHING)
            return
        self.changes.add(frozenset(f"{self.shown}/{path}" for path in changed))


class _ProjectHandler(FileSystemEventHandler):
    """In the project folder itself, only ``okrpub.yaml`` matters, and the content and
    theme folders coming or going (a new theme folder is then watched too)."""

    def __init__(self, changes: Changes, names: set[str]) -> None:
        self.changes = changes
        self.names = names

    def on_any_event(self, event: FileSystemEvent) -> None:
        if any(path.name in self.names for path in _changed_paths(event)):
            self.changes.add(EVERYTHING)


class Changes:
    """What the watcher saw, taken by the rebuilder a burst at a time once it has settled."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._first: float | None = None
        self._last = 0.0
        self._closed = False
        self._paths: set[str] | None = set()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def add(self, paths: Burst) -> None:
        """Note changed ``paths`` (:data:`EVERYTHING`: more than files changed)."""
        with self._condition:
            if paths is None or self._paths is None:
                self._paths = None
            else:
                self._paths |= paths
            now = time.monotonic()
            self._first = self._first or now
            self._last = now
            self._condition.notify_all()

    def wait_for_burst(self) -> tuple[bool, Burst]:
        """Block until a burst of changes has settled and say what it changed;
        ``(False, ...)`` once closed."""
        with self._condition:
            while self._first is None:
                if self._closed:
                    return False, EVERYTHING
                self._condition.wait(0.5)
            while True:
                now = time.monotonic()
                settle = min(self._last + QUIET_SECONDS, self._first + MOST_WAIT_SECONDS)
                if now >= settle:
                    burst = None if self._paths is None else frozenset(self._paths)
                    self._first, self._paths = None, set()
                    return True, burst
                self._condition.wait(settle - now)


class Watcher:
    """Watches the content folder, the theme folder and the project folder (for
    ``okrpub.yaml``). It watches folders, never single files, so that an editor's
    rename-on-save never loses a watch; it follows the folders when the
    configuration moves them, or when they are made, removed or replaced."""

    def __init__(self, root: Path, *, poll: bool, log: Callable[[str], None]) -> None:
        self.root = root
        self.poll = poll
        self.log = log
        self.changes = Changes()
        self._observer: BaseObserver | None = None
        self._watching: tuple[object, ...] | None = None

    def follow(self, content_dir: str, theme: str | None) -> None:
        folders = [self.root / folder for folder in (content_dir, theme) if folder]
        watching = tuple((folder, _identity(folder)) for folder in folders)
        if self._watching == watching:
            return
        names = {CONFIG_FILE} | {Path(folder).parts[0] for folder in (content_dir, theme) if folder}
        try:
            observer = self._start(folders, names, content_dir)
        except OSError as error:  # most likely the inotify limit of watches or instances
            if self.poll:
                raise
            self.log(f"cannot watch with inotify ({error}); watching by polling instead")
            self.poll = True
            observer = self._start(folders, names, content_dir)
        previous, self._observer, self._watching = self._observer, observer, watching
        if previous is not None:
            previous.stop()
            previous.join(timeout=5)
            # What changed in the new folders before they were watched: one more rebuild.
            self.changes.add(EVERYTHING)

    def _start(self, folders: list[Path], names: set[str], content_dir: str) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=0.5) if self.poll else Observer()
        project = _ProjectHandler(self.changes, names)
        observer.schedule(project, str(self.root), recursive=False, event_filter=_EVENTS)
        for folder in folders:
            if folder.is_dir():
                shown = Path(content_dir).as_posix() if folder == self.root / content_dir else None
                handler = _ChangeHandler(self.changes, folder, shown)
                observer.schedule(handler, str(folder), recursive=True, event_filter=_EVENTS)
        try:
            observer.start()
        except BaseException:
            observer.stop()
            raise
        return observer

    def stop(self) -> None:
        self.changes.close()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at ``folder`` now (``None``: none): a new one needs a new watch."""
    try:
        stat = folder.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)
