"""Build the same projects with okrpub at BASE_REV and with the working tree; compare the bytes.

    python3 bench/same_output.py BASE_REV [--objectives 1000] [--keep DIR]

``git archive`` writes BASE_REV's files to a scratch folder; the other side is the
working tree (HEAD plus uncommitted changes). Each side's packages are laid out as
its ``pyproject.toml`` installs them (``[tool.setuptools] packages`` and
``package-dir``: the default theme is ``okrpub.themes``) in an import folder of its
own, and every command runs as ``python3 -S -P -m okrpub`` with ``PYTHONPATH`` that
folder and then the site-packages: ``-S`` leaves out an editable install's import
hook, which would otherwise supply the modules a side lacks from another checkout.

Both sides build, with ``--no-cache --today 2026-11-26``, into folders of their own in
the same projects, all written from the working tree: the example (``content/`` and
``okrpub.yaml``), internal and ``--public``; ``bench/generate.py``'s organisation of
``--objectives`` objectives, internal and ``--public``; and the tests' ``SMALL_PROJECT``
(``tests/sitetools.py``) and ``BASE`` (``tests/projecttools.py``), internal. The exit
status and output of ``okrpub check --format json`` of each project are compared too.

It prints one line per comparison, ``same`` or the differing paths with a unified diff
of the first differing text file, and exits 0 when all are the same, 1 otherwise (2 when
BASE_REV cannot be exported or a side's okrpub does not import from its own folder).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import io
import os
import shutil
import site
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

REPOSITORY = Path(__file__).resolve().parent.parent
TODAY = "2026-11-26"
#: The projects built and checked: name -> the build variants (extra arguments).
VARIANTS: dict[str, dict[str, list[str]]] = {
    "example": {"internal": [], "public": ["--public"]},
    "org": {"internal": [], "public": ["--public"]},
    "small": {"internal": []},
    "base": {"internal": []},
}
#: How many differing paths a line names at most, and how long a diff gets.
SHOW_PATHS = 5
SHOW_DIFF_LINES = 30
SIDES = ("base", "work")


def fail(message: str) -> NoReturn:
    """Stop with ``message`` and exit status 2: nothing was compared."""
    print(message, file=sys.stderr)
    sys.exit(2)


def export_revision(revision: str, into: Path) -> None:
    """Write the files of ``revision`` of this repository into ``into``."""
    command = ["git", "-C", str(REPOSITORY), "archive", "--format=tar", revision]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode:
        fail(f"cannot export {revision!r}: {done.stderr.decode(errors='replace').strip()}")
    archive = done.stdout
    into.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def import_folder(source: Path, into: Path) -> Path:
    """``source``'s packages laid out under ``into`` as its ``pyproject.toml`` installs them."""
    setuptools = tomllib.loads((source / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    folders = setuptools.get("package-dir", {})
    for package in sorted(setuptools["packages"], key=lambda name: name.count(".")):
        relative = package.replace(".", "/")
        shutil.copytree(
            source / folders.get(package, relative),
            into / relative,
            ignore=shutil.ignore_patterns("__pycache__"),
            dirs_exist_ok=True,
        )
    return into


def side_env(imports: Path, scratch: Path) -> dict[str, str]:
    """The environment of a side's commands: its import folder, then the site-packages."""
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join([str(imports), *site.getsitepackages()])
    env["XDG_CACHE_HOME"] = str(scratch / "user-cache")
    return env


def okrpub(env: dict[str, str], project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``python3 -S -P -m okrpub ARGS`` in ``project`` with ``env``."""
    command = [sys.executable, "-S", "-P", "-m", "okrpub", *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, check=False)


def verify_imports(env: dict[str, str], imports: Path) -> None:
    """Exit unless ``okrpub`` and its theme come from ``imports`` under ``env``."""
    code = "import okrpub, okrpub.themes as t; print(okrpub.__file__); print(t.__file__)"
    run = subprocess.run(
        [sys.executable, "-S", "-P", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    files = [Path(line) for line in run.stdout.split()]
    if run.returncode or not files or not all(f.is_relative_to(imports) for f in files):
        fail(f"okrpub does not import from {imports}:\n{run.stdout}{run.stderr}")


def load_module(name: str, path: Path) -> object:
    """The Python file ``path`` loaded as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # where dataclasses look up their annotations
    spec.loader.exec_module(module)
    return module


def write_projects(into: Path, objectives: int) -> dict[str, Path]:
    """Write the projects from the working tree; their folders by name."""
    projects = {name: into / name for name in VARIANTS}
    shutil.copytree(REPOSITORY / "content", projects["example"] / "content")
    shutil.copy2(REPOSITORY / "okrpub.yaml", projects["example"])
    generate = load_module("generate", REPOSITORY / "bench" / "generate.py")
    generate.write_org(objectives, projects["org"])  # type: ignore[attr-defined]
    sys.path.insert(0, str(REPOSITORY / "tests"))
    import projecttools  # type: ignore[import-not-found]
    import sitetools  # type: ignore[import-not-found]

    sitetools.write_files(projects["small"], sitetools.SMALL_PROJECT)
    sitetools.write_files(projects["base"], projecttools.BASE)
    return projects


def entries(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every entry under ``folder`` by relative path: its mode and its bytes (a link's
    target; nothing for a folder), never following a link."""
    if not folder.is_dir():
        return {}
    found = {".": (folder.lstat().st_mode, b"")}
    for parent, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(parent, name)
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                content = os.readlink(path).encode()
            elif stat.S_ISREG(mode):
                content = path.read_bytes()
            else:
                content = b""
            found[path.relative_to(folder).as_posix()] = (mode, content)
    return found


def text_diff(name: str, before: bytes, after: bytes) -> Iterator[str]:
    """A short unified diff of two versions of ``name``, or nothing unless both are text."""
    try:
        old, new = before.decode("utf-8"), after.decode("utf-8")
    except UnicodeDecodeError:
        return iter(())
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"base/{name}", f"work/{name}", lineterm="", n=1
    )
    return (line[:200] for _, line in zip(range(SHOW_DIFF_LINES), lines, strict=False))


def compare(before: dict[str, tuple[int, bytes]], after: dict[str, tuple[int, bytes]]) -> str:
    """``same`` (and how many entries), or the first differing paths and a diff of the
    first differing text file."""
    differing = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if not differing:
        return f"same ({len(before)} entries)" if before else "nothing to compare"
    named = [
        name
        + (" (base only)" if name not in after else " (work only)" if name not in before else "")
        for name in differing[:SHOW_PATHS]
    ]
    report = [f"{len(differing)} differ: " + ", ".join(named)]
    for name in differing:
        if name not in before or name not in after:
            continue
        (old_mode, old), (new_mode, new) = before[name], after[name]
        if old_mode != new_mode:
            report.append(f"  {name}: mode {oct(old_mode)} -> {oct(new_mode)}")
        diff = list(text_diff(name, old, new))
        if diff:
            report += ["  " + line for line in diff]
            break
    return "\n".join(report)


def check_output(run: subprocess.CompletedProcess[bytes]) -> dict[str, tuple[int, bytes]]:
    """A check's exit status, output and error as entries to compare."""
    return {
        "exit status": (0, str(run.returncode).encode()),
        "stdout": (0, run.stdout),
        "stderr": (0, run.stderr),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", metavar="BASE_REV", help="the revision to compare with")
    parser.add_argument(
        "--objectives", type=int, default=1000, help="of the generated organisation"
    )
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the builds in this new folder"
    )
    args = parser.parse_args()
    if args.objectives < 1:
        parser.error("--objectives must be at least 1")
    if args.keep is not None:
        if args.keep.exists():
            parser.error(f"--keep {args.keep} exists: give a new folder")
        args.keep.mkdir(parents=True)
        sys.exit(run(args.base, args.objectives, args.keep.resolve()))
    with tempfile.TemporaryDirectory(prefix="same-output-") as scratch:
        sys.exit(run(args.base, args.objectives, Path(scratch)))


def run(base: str, objectives: int, scratch: Path) -> int:
    """Build and compare in ``scratch``; 0 when every output is the same, else 1."""
    export_revision(base, scratch / "base-source")
    sources = {"base": scratch / "base-source", "work": REPOSITORY}
    envs = {}
    for side in SIDES:
        imports = import_folder(sources[side], scratch / f"{side}-imports")
        envs[side] = side_env(imports, scratch)
        verify_imports(envs[side], imports)
    projects = write_projects(scratch / "projects", objectives)
    all_same = True
    for name, project in projects.items():
        comparisons: dict[str, Callable[[str], dict[str, tuple[int, bytes]]]] = {
            f"build {variant}": _builder(envs, project, variant, extra)
            for variant, extra in VARIANTS[name].items()
        }
        comparisons["check --format json"] = _checker(envs, project)
        for what, outcome in comparisons.items():
            started = time.monotonic()
            before, after = (outcome(side) for side in SIDES)
            verdict = compare(before, after)
            all_same &= verdict.startswith("same")
            print(f"{name} {what} ({time.monotonic() - started:.1f} s): {verdict}", flush=True)
    return 0 if all_same else 1


def _checker(
    envs: dict[str, dict[str, str]], project: Path
) -> Callable[[str], dict[str, tuple[int, bytes]]]:
    """A side's ``check --format json`` of ``project``, as entries."""
    return lambda side: check_output(
        okrpub(envs[side], project, "check", "--format", "json", "--today", TODAY, "--no-cache")
    )


def _builder(
    envs: dict[str, dict[str, str]], project: Path, variant: str, extra: list[str]
) -> Callable[[str], dict[str, tuple[int, bytes]]]:
    """A side's build of ``project``'s ``variant`` into a fresh folder; its entries."""

    def build(side: str) -> dict[str, tuple[int, bytes]]:
        out = f"out-{variant}-{side}"
        args = ["build", "--out", out, "--no-cache", "--today", TODAY, *extra]
        done = okrpub(envs[side], project, *args)
        found = entries(project / out)
        if done.returncode:  # differs from the other side's in any case, so it is shown
            found[f"({side}'s build exited {done.returncode})"] = (0, done.stdout + done.stderr)
        return found

    return build


if __name__ == "__main__":
    main()
