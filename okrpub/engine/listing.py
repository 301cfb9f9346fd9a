"""Listing: the content files found again without walking the content folder.

Walking thousands of folders is much of a warm ``check``. A folder's
modification time changes when a name in it is made, removed or renamed
(not when a file's bytes change), and its change time with any change of the
folder itself (its mode, a rename). So, as git's untracked cache does, the
store keeps (kind :data:`LISTING`) what the last walk found, with the
signature of every folder it walked (:func:`~okrpub.engine.signatures.signature_of`).
While every one of those folders has its signature, the content files are
the ones found then, and no folder is listed.

- A walk is kept only when it reported nothing (no symbolic link, no name
  that is not UTF-8: each is reported again by walking) and every folder was
  last changed at least :data:`~okrpub.engine.signatures.MARGIN_NS` before the
  walk began: a later change gives later times.
- The store is untrusted: a kept listing is believed only for folders that
  are folders now (not links), each in one named before it, and files named
  in those folders, in order, of the kinds a walk keeps. A planted row can at
  worst name files in the content folder that are not there (they cannot be
  read), or a hidden one, or leave some out, as a planted entry could always
  show what the planter wrote.
"""

from __future__ import annotations

import os
import stat
import time
from itertools import pairwise
from pathlib import Path

import msgspec

from okrpub.config import Config
from okrpub.diagnostics import Diagnostics
from okrpub.engine.cache import CacheStore
from okrpub.engine.reuse import digest_of
from okrpub.engine.signatures import MARGIN_NS, signature_of
from okrpub.engine.stats import CONTENT_WALKS, Stats
from okrpub.source.discover import SourceFile, classify, discover, is_ignored

#: The kind of row that keeps the last walk of the content folder.
LISTING = "listing"


class Listing(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """What a walk found: each folder walked (its path under the content folder, and its
    signature), and each content file's path under the content folder, in order."""

    folders: list[tuple[str, bytes]]
    files: list[str]


_DECODER = msgspec.msgpack.Decoder(Listing)


def discover_kept(
    root: Path,
    config: Config,
    diagnostics: Diagnostics,
    store: CacheStore | None,
    stats: Stats,
    links: list[str] | None = None,
) -> list[SourceFile]:
    """What :func:`~okrpub.source.discover.discover` finds (the links it followed go to
    ``links``), taken from the store when no folder changed since the walk kept there
    (which followed none); a walk is counted in ``stats``."""
    content = str(root / config.content_dir)
    shown = Path(config.content_dir).as_posix() + "/"
    made_from = digest_of(config.content_dir.encode(), b"%d" % config.follow_symlinks)
    row = store.row(LISTING, "") if store is not None else None
    if store is not None and row is not None and row[0] == made_from:
        files = _kept(row[1], root, config.content_dir, content, shown)
        if files is not None:
            store.save_results(LISTING, {"": row})
            return files
    stats.add(CONTENT_WALKS)
    before = time.time_ns() - MARGIN_NS
    found = Diagnostics()
    links = [] if links is None else links
    folders: list[str] = []
    follow = config.follow_symlinks
    files = discover(root, config.content_dir, found, links, follow_links=follow, folders=folders)
    diagnostics.extend(found)
    if store is not None:
        kept = None if len(found) or links else _listing(content, shown, folders, files, before)
        store.save_results(LISTING, {} if kept is None else {"": (made_from, kept)})
    return files


def _listing(
    content: str, shown: str, folders: list[str], files: list[SourceFile], before: int
) -> bytes | None:
    """The listing to keep of a walk of ``content``, if every folder is old enough."""
    signed = []
    for folder in folders:
        try:
            status = os.lstat(_path(content, folder))
        except OSError:
            return None
        if max(status.st_mtime_ns, status.st_ctime_ns) >= before:
            return None
        signed.append((folder, signature_of(status)))
    paths = [source.path[len(shown) :] for source in files]
    return msgspec.msgpack.encode(Listing(signed, paths))


def _kept(
    payload: bytes, root: Path, content_dir: str, content: str, shown: str
) -> list[SourceFile] | None:
    """The files of the listing in ``payload``, if it holds together and no folder in it
    changed; else ``None``."""
    try:
        listing = _DECODER.decode(payload)
    except msgspec.DecodeError:
        return None
    if not _reached(root, content_dir) or not _unchanged(content, listing.folders):
        return None
    folders = {folder for folder, _ in listing.folders}
    files = []
    for path in listing.files:
        kind = classify(path)  # None for a name no walk keeps: "", "..", what is not .md
        if kind is None or path[: path.rfind("/") + 1] not in folders or "\0" in path:
            return None
        files.append(SourceFile(shown + path, f"{content}/{path}", kind))
    if any(a >= b for a, b in pairwise(listing.files)):
        return None
    return files


def _reached(root: Path, content_dir: str) -> bool:
    """Whether the folders on the way to the content folder are folders, not links."""
    parts = Path(content_dir).parts
    for end in range(1, len(parts)):
        try:
            if not stat.S_ISDIR(os.lstat(root.joinpath(*parts[:end])).st_mode):
                return False
        except OSError:
            return False
    return True


def _unchanged(content: str, folders: list[tuple[str, bytes]]) -> bool:
    """Whether each folder is a folder with its signature, named in the one before it."""
    if not folders or folders[0][0] != "":
        return False
    before = time.time_ns() - MARGIN_NS
    seen: set[str] = set()
    for folder, signature in folders:
        parent, _, name = folder[:-1].rpartition("/")
        if folder and not (folder.endswith("/") and _plain(name)):
            return False
        if folder and (parent + "/" if parent else "") not in seen:
            return False
        try:
            status = os.lstat(_path(content, folder))
        except (OSError, ValueError):  # ValueError: a NUL in the name
            return False
        if not stat.S_ISDIR(status.st_mode) or signature_of(status) != signature:
            return False
        if max(status.st_mtime_ns, status.st_ctime_ns) >= before:
            return False
        seen.add(folder)
    return True


def _plain(name: str) -> bool:
    """Whether ``name`` is one name a walk goes on with."""
    return (
        name not in ("", ".", "..")
        and "/" not in name
        and "\0" not in name
        and not is_ignored(name)
    )


def _path(content: str, folder: str) -> str:
    return f"{content}/{folder[:-1]}" if folder else content
