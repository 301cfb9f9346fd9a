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
from okrpub.discover import is_ignored

#: A rebuild starts once no change has come in for this long ...
QUIET_SECONDS = 0.05
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
    everything in folders that discovery skips (``.git``, ``.obsidian``, ...)."""

    def __init__(self, changes: Changes, folder: Path) -> None:
        self.changes = changes
        self.folder = folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        for path in _changed_paths(event):
            try:
                parts = path.relative_to(self.folder).parts
            except ValueError:
                parts = (path.name,)
            if not any(is_ignored(part) for part in parts):
                self.changes.add()
                return


class _ProjectHandler(FileSystemEventHandler):
    """In the project folder itself, only ``okrpub.yaml`` matters, and the content and
    theme folders coming or going (a new theme folder is then watched too)."""

    def __init__(self, changes: Changes, names: set[str]) -> None:
        self.changes = changes
        self.names = names

    def on_any_event(self, event: FileSystemEvent) -> None:
        if any(path.name in self.names for path in _changed_paths(event)):
            self.changes.add()


class Changes:
    """A flag set by the watcher and taken, after a burst has settled, by the rebuilder."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._first: float | None = None
        self._last = 0.0
        self._closed = False

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def add(self) -> None:
        with self._condition:
            now = time.monotonic()
            self._first = self._first or now
            self._last = now
            self._condition.notify_all()

    def wait_for_burst(self) -> bool:
        """Block until a burst of changes has settled; ``False`` once closed."""
        with self._condition:
            while self._first is None:
                if self._closed:
                    return False
                self._condition.wait(0.5)
            while True:
                now = time.monotonic()
                settle = min(self._last + QUIET_SECONDS, self._first + MOST_WAIT_SECONDS)
                if now >= settle:
                    self._first = None
                    return True
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
            observer = self._start(folders, names)
        except OSError as error:  # most likely the inotify limit of watches or instances
            if self.poll:
                raise
            self.log(f"cannot watch with inotify ({error}); watching by polling instead")
            self.poll = True
            observer = self._start(folders, names)
        previous, self._observer, self._watching = self._observer, observer, watching
        if previous is not None:
            previous.stop()
            previous.join(timeout=5)
            # What changed in the new folders before they were watched: one more rebuild.
            self.changes.add()

    def _start(self, folders: list[Path], names: set[str]) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=0.5) if self.poll else Observer()
        project = _ProjectHandler(self.changes, names)
        observer.schedule(project, str(self.root), recursive=False, event_filter=_EVENTS)
        for folder in folders:
            if folder.is_dir():
                handler = _ChangeHandler(self.changes, folder)
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
