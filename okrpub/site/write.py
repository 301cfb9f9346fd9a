"""Writing: put the built site in place atomically, and only where okrpub may.

A build writes the whole new site into a *spare* folder beside the output
folder (``.<name>.okrpub-spare``): the files that changed are written, and the
output's files that did not (``build`` knows them from its manifest,
``reuse.py``) are the very same files, hard links (copies where the file
system makes no links). Nothing in the output changes until the new site is
complete. Then one atomic rename exchanges the two folders (``renameat2``
with ``RENAME_EXCHANGE``, Linux), so a build that fails, or is killed at any
moment, leaves the output folder wholly the previous site or wholly the new
one. Where two folders cannot be exchanged (another system, a file system
without it), three renames do it (the output aside as
``.<name>.okrpub-old``, the new site in its place, the old one to the spare
folder); a build killed between them has its swap finished by the next build
before anything else.

After the exchange the spare folder holds the previous site, and keeps of it
only the files the new site shares (the very same files) and the folders the
new site has too: it holds nothing the output does not, and its folders are
there for the next build, which so writes only what changed. (Making and
removing every folder of a site at each build costs far more: on a file
system mounted with ``discard``, removing a folder takes milliseconds.) A site
of kept files only is the output already: nothing is exchanged.

okrpub replaces only what it made: a missing or empty output folder, or one
that has okrpub's mark (:data:`MARK_NAME`, in every site it builds). A lock
file beside the output folder (``.<name>.okrpub-lock``, :mod:`okrpub.site.lock`)
keeps two builds from writing one output at once.

Folders and files get the modes the umask gives, as with any program, so a
web server running as another user can read the site. Every path is checked
to stay inside the site, no path may be written twice, and no symbolic link
is followed when writing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from okrpub.errors import OkrpubError
from okrpub.safefs import exchange, new_file, read_plain

#: The file in the root of every site okrpub builds: the mark that okrpub made the folder.
MARK_NAME = ".okrpub-site"
MARK = (
    b"This folder is a site built by okrpub. 'okrpub build' replaces it whole, and only\n"
    b"a folder with this file in it: keep nothing else here.\n"
)


class WriteError(OkrpubError):
    """The site could not be written, or may not be written there (exit status 2)."""


def check_inside(path: str) -> None:
    """Refuse ``path`` unless it is a relative path that cannot leave the site folder."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if path.startswith("/") or not parts or ".." in parts:
        raise WriteError(f"refusing to write outside the site: {path!r}")


def beside(output: Path, what: str) -> Path:
    """okrpub's ``what`` (``okrpub-spare``, ``okrpub-lock``, ``okrpub-old``) of ``output``."""
    return output.parent / f".{output.name}.{what}"


def finish_swap(output: Path) -> None:
    """Finish the swap of a build killed between its renames (:func:`_swap`): the site it
    took aside goes back to the output folder, or else on to the spare folder."""
    aside = beside(output, "okrpub-old")
    if not _made_by_okrpub(aside):
        return
    spare = beside(output, "okrpub-spare")
    if not os.path.lexists(output):
        os.rename(aside, output)
    elif not os.path.lexists(spare):
        os.rename(aside, spare)
    else:
        shutil.rmtree(aside)
        return
    if _made_by_okrpub(spare):  # it holds the other site: keep only what the output shares
        empty, _ = _prune(spare, lambda path, entry: _same_file(entry, output / path))
        _remove_empty(spare, empty)


def _made_by_okrpub(folder: Path) -> bool:
    """Whether ``folder`` is a real folder, empty or with okrpub's mark."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        with os.scandir(folder) as entries:
            return next(entries, None) is None or _marked(folder)
    except OSError:
        return False


def _marked(folder: Path) -> bool:
    """Whether ``folder`` has okrpub's mark: the very file, not a link to one."""
    try:
        return read_plain(folder / MARK_NAME, limit=len(MARK) + 1) == MARK
    except OSError:
        return False


def in_the_way(path: Path) -> str:
    """Why okrpub does not write over ``path``."""
    return f"{path} is in the way, and okrpub did not make it; move it away"


@contextlib.contextmanager
def failing_as(message: str) -> Iterator[None]:
    """A file-system error in the body as a :class:`WriteError` starting with ``message``."""
    try:
        yield
    except OSError as error:
        raise WriteError(f"{message}: {error.strerror or error}") from None


class SiteFolder:
    """A new site written file by file into the spare folder beside ``output``, with
    files of the output :meth:`keep`-t as they are, then put in place by
    :meth:`publish` (or given up by :meth:`discard`).

    ``build`` writes pages here as they are rendered, also from worker
    processes, so that the whole site is never in memory at once.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        self.spare = beside(self.output, "okrpub-spare")
        #: The spare folder once :meth:`open` made it ready for the new site.
        self.staging: Path | None = None
        #: Whether this build made the spare folder (a failure then removes it).
        self._made_spare = False
        #: The output's files that are part of the new site as they are, and their inodes.
        self._kept: dict[str, int] = {}
        #: Folders already made in the spare folder (a page has a folder of its own).
        self._folders: set[str] = set()
        #: The folders the spare folder had without a kept file in them (deepest first),
        #: for :meth:`publish` to remove those that the new site left empty.
        self._found: list[str] = []
        self._unwritten = f"cannot write the new site beside {self.output}, which is unchanged"

    def open(self) -> Path:
        """Make the spare folder ready (once): marked, with nothing but the kept files of
        the output; workers forked after this write into it."""
        if self.staging is None:
            with failing_as(self._unwritten):
                self.output.parent.mkdir(parents=True, exist_ok=True)
                self._made_spare = not os.path.lexists(self.spare)
                if not (self._made_spare or _ours(self.spare)):
                    raise WriteError(in_the_way(self.spare))
                self.spare.mkdir(exist_ok=True)
                self.staging = self.spare
                _mark(self.spare)
                self._found, present = _prune(self.spare, self._is_kept)
                output = os.fspath(self.output)
                for path in sorted(self._kept.keys() - present):
                    _link_in(os.path.join(output, path), self._target(path))
        return self.spare

    def add(self, path: str, content: bytes) -> None:
        target = self._target(path)
        with failing_as(self._unwritten):
            try:
                new_file(target, content)
            except FileExistsError:
                raise WriteError(f"two things want to be written to {path}") from None

    def keep(self, path: str, inode: int | None = None) -> None:
        """Make the output's file at ``path``, unchanged since the last build, part of the
        new site as it is: the very file (a hard link to it) where the file system allows.
        ``inode`` is the file's when the caller has just seen it (else it is looked up)."""
        check_inside(path)
        if path in self._kept:
            raise WriteError(f"two things want to be written to {path}")
        if inode is None:
            with failing_as(self._unwritten):
                inode = os.lstat(os.path.join(self.output, path)).st_ino
        self._kept[path] = inode
        if self.staging is not None:
            with failing_as(self._unwritten):
                try:
                    _link_in(os.path.join(self.output, path), self._target(path))
                except FileExistsError:
                    raise WriteError(f"two things want to be written to {path}") from None

    def where(self, path: str) -> Path:
        """Where the file at ``path`` of the new site is until :meth:`publish` (and, with
        the same inode, after it)."""
        return self.open() / path

    def _target(self, path: str) -> str:
        """Where ``path`` goes in the spare folder, its folder made. (Plain strings: the
        first build after a cold one links in every file of the site.)"""
        check_inside(path)
        target = os.path.join(self.open(), path)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            with failing_as(self._unwritten):
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def _is_kept(self, path: str, entry: os.DirEntry[str]) -> bool:
        """Whether the spare folder's ``entry`` at ``path`` is a kept file of the output:
        the very file (in a folder beside it: one device)."""
        inode = self._kept.get(path)
        return inode is not None and entry.is_file(follow_symlinks=False) and entry.inode() == inode

    def publish(self) -> None:
        """Put the new site in place of the output folder in one step, if okrpub may; the
        spare folder then keeps of the previous site what the new one shares. A site of
        kept files only, when the output holds nothing else, is in place already."""
        if self.staging is None and self._kept and self._is_output():
            return
        spare = self.open()
        if os.path.lexists(self.output) and not _made_by_okrpub(self.output):
            raise WriteError(_refusal(self.output))
        with failing_as(self._unwritten):
            _remove_empty(spare, self._found)
            if os.path.lexists(self.output):
                _swap(spare, self.output)
            else:
                os.rename(spare, self.output)
        self.staging = None
        self._prune_spare()

    def _is_output(self) -> bool:
        """Whether the output is okrpub's and holds only the kept files and its mark (and
        the spare folder, if any, is okrpub's)."""
        with contextlib.suppress(OSError):
            spare = not os.path.lexists(self.spare) or _ours(self.spare)  # else refused
            return spare and _marked(self.output) and _holds_only(self.output, self._kept)
        return False

    def discard(self) -> None:
        """Give up the new site (if one was begun): the output stays as it is, and the spare
        folder is as it was, or gone if this build made it."""
        if self.staging is not None:
            self.staging = None
            if self._made_spare:
                shutil.rmtree(self.spare, ignore_errors=True)
            else:
                self._prune_spare()

    def _prune_spare(self) -> None:
        """Leave in the spare folder only files of the output (the very files), and folders
        the output has too; best effort: the next build prunes it again."""
        with contextlib.suppress(OSError):
            if _made_by_okrpub(self.spare):
                empty, _ = _prune(self.spare, lambda path, _: path in self._kept)
                # a changed page's folder stays for the next build, which likely writes it again
                _remove_empty(self.spare, [p for p in empty if not _is_folder(self.output / p)])
        self._folders = set()
        self._found = []


def _ours(spare: Path) -> bool:
    """Whether okrpub made the spare folder: empty, marked, or with nothing but a mark,
    maybe half written (a build was killed while it marked it)."""
    try:
        return _made_by_okrpub(spare) or (
            stat.S_ISDIR(os.lstat(spare).st_mode) and os.listdir(spare) == [MARK_NAME]
        )
    except OSError:
        return False


def _mark(folder: Path) -> None:
    """Give ``folder`` okrpub's mark, unless it has it."""
    if not _marked(folder):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / MARK_NAME)
        new_file(folder / MARK_NAME, MARK)


def _prune(
    folder: Path, keep: Callable[[str, os.DirEntry[str]], bool]
) -> tuple[list[str], set[str]]:
    """Remove every file from ``folder`` but its mark and those ``keep`` keeps (given their
    site path and folder entry; links count as files). The folders that hold no kept file
    (deepest first), and the kept files."""
    folders: list[str] = []
    present: set[str] = set()
    holding: set[str] = set()  # the folders that hold a kept file themselves
    for prefix, path, entry in _walk(folder, folders):
        if keep(path, entry):
            present.add(path)
            holding.add(prefix)
        elif path != MARK_NAME:
            os.unlink(entry.path)
    holding = _with_parents(holding)
    return [path for path in reversed(folders) if path not in holding], present


def _holds_only(folder: Path, kept: dict[str, int]) -> bool:
    """Whether ``folder`` holds the very files of ``kept`` (by inode), its mark, and only
    folders that hold some of them."""
    found, folders, holding = 0, list[str](), set[str]()
    for prefix, path, entry in _walk(folder, folders):
        if kept.get(path) == entry.inode() and entry.is_file(follow_symlinks=False):
            found += 1
            holding.add(prefix)
        elif path != MARK_NAME:
            return False
    return found == len(kept) and _with_parents(holding).issuperset(folders)


def _walk(folder: Path, folders: list[str]) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
    """Every entry below ``folder`` that is not a folder (links are not followed): the site
    path of its folder (``a/b/``, or ``""``), its own, and the entry. The folders met go
    to ``folders``, each before those inside it."""
    pending = [("", os.fspath(folder))]
    while pending:
        prefix, where = pending.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                path = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                    pending.append((path + "/", entry.path))
                else:
                    yield prefix, path, entry


def _with_parents(prefixes: set[str]) -> set[str]:
    """The folders files at ``prefixes`` are in, as site paths: ``a/b/`` gives ``a`` and
    ``a/b``."""
    folders: set[str] = set()
    for prefix in prefixes:
        folder = prefix[:-1]
        while folder and folder not in folders:  # its parents are there once it is
            folders.add(folder)
            folder = folder[: max(folder.rfind("/"), 0)]
    return folders


def _same_file(entry: os.DirEntry[str], other: Path) -> bool:
    """Whether ``entry`` is the very file at ``other`` (in a folder beside it: one device)."""
    try:
        return entry.is_file(follow_symlinks=False) and entry.inode() == os.lstat(other).st_ino
    except OSError:
        return False


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _remove_empty(folder: Path, folders: list[str]) -> None:
    """Remove those of ``folders`` (in ``folder``, deepest first) that are empty."""
    for path in folders:
        with contextlib.suppress(OSError):
            os.rmdir(folder / path)


def _refusal(output: Path) -> str:
    """Why ``output`` is not replaced, and what to do."""
    if not stat.S_ISDIR(os.lstat(output).st_mode):
        return f"output path {output} exists and is not a folder; choose another"
    return (
        f"output folder {output} is not empty and has no {MARK_NAME} file, so okrpub did not "
        "build it, and a build replaces its output folder whole: choose a new or empty folder "
        "(--out, or output_dir in okrpub.yaml), or delete this one if an earlier okrpub built it"
    )


def _link_in(source: str, target: str) -> None:
    """Hard-link ``source`` (not a link it may have become) to ``target``; copy it where
    the file system makes no links."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:
        new_file(target, read_plain(source))


def _swap(spare: Path, output: Path) -> None:
    """Exchange the two folders: in one step where the system can, else in three renames,
    the last two of which the next build finishes (:func:`finish_swap`) if this one is
    killed before."""
    try:
        exchange(spare, output)
        return
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise
    aside = beside(output, "okrpub-old")
    os.rename(output, aside)
    try:
        os.rename(spare, output)
    except BaseException:
        os.rename(aside, output)
        raise
    os.rename(aside, spare)
