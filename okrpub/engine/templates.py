"""Compiled templates: the theme's templates as an earlier run compiled them.

Compiling the default theme's templates takes a run that renders pages a
noticeable share of its time (see ``docs/site.md``), so Jinja's compiled code
is kept between runs. Loading compiled code runs it, so it is kept only where
a project (a pull request) cannot write: in the user's own cache folder
(``$XDG_CACHE_HOME/okrpub``, default ``~/.cache/okrpub``), never in the
project's ``cache_dir``. There, one folder per okrpub version (its
``{% cache %}`` tag compiles into the code) holds them, and it is the only
one; Jinja uses a file only for the same template file and source under its
own version. A file that cannot be read is compiled again, and one that
cannot be written is not kept: never an error. No symbolic link is followed
inside okrpub's folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from okrpub.engine.cache import code_version
from okrpub.safefs import open_folder, read_file, write_file

#: The folder of compiled templates in the user's cache folder.
COMPILED_TEMPLATES = "compiled-templates"


def user_cache_folder() -> Path:
    """okrpub's folder in the user's cache folder: never inside a project."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).resolve() / "okrpub"


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the user's cache folder (:func:`user_cache_folder`)."""

    def __init__(self) -> None:
        self.folder = user_cache_folder() / COMPILED_TEMPLATES / code_version()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            code = read_file(self.folder, bucket.key)
        except OSError:
            return
        bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        try:
            self._make_folder()
            # worker processes may write the same template: each into a file of its own
            write_file(self.folder, bucket.key, code)
        except OSError:
            return

    def _make_folder(self) -> None:
        """The folder of this okrpub's templates; those of other versions are removed."""
        descriptor = open_folder(self.folder.parent, create=True)
        try:
            for name in os.listdir(descriptor):
                if name == self.folder.name:
                    continue
                if stat.S_ISDIR(os.stat(name, dir_fd=descriptor, follow_symlinks=False).st_mode):
                    shutil.rmtree(name, ignore_errors=True, dir_fd=descriptor)
                else:
                    os.unlink(name, dir_fd=descriptor)
            with contextlib.suppress(FileExistsError):
                os.mkdir(self.folder.name, dir_fd=descriptor)
        finally:
            os.close(descriptor)
