"""Benchmark ``okrpub serve``: the time from a file's write to the rebuilt page being served.

    python bench/serve.py [--objectives 1000 10000] [--edits 20] [--project DIR]

For each size, the generated organisation (``bench/orgs.py``) is copied to a
scratch folder and served by ``okrpub serve --port 0 --today TODAY`` in a
subprocess. Two kinds of edit are timed, ``--edits`` of each, taking turns
(a title, a check-in, a title, ...):

- **title**: a company-level objective (owned by the company unit, with at
  least one objective aligned to it) gets a new title, written in place as an
  editor saves. That changes every child's breadcrumb and "aligns to" line,
  the period's cascade, the unit's page and the search index. The page fetched
  is that of one of its children (its direct children in id order, a different
  one each time the same objective comes round again), which must show the new
  title. The company-level objectives with children are taken in id order,
  evenly spread: every quarter, closed and running; with more edits than
  there are of them, they come round again.
- **check-in**: a key result of a leaf objective (one that nothing aligns to)
  of the running quarter gets a check-in dated TODAY, exactly as ``okrpub
  checkin OBJ#KR VALUE --date TODAY`` writes it: before the server starts, that
  command runs on a second copy of the project and the bytes it wrote are
  kept; during the measurement they are written to a hidden temporary file
  beside the served file and renamed over it, as ``okrpub checkin`` does, and
  the clock starts at the rename. The key result is the objective's first
  numeric one whose start and target are under 1,000; the value is their
  midpoint with ``.37`` after it (no generated value has two decimals), and
  the objective's page must show it. The leaves are taken in id order, evenly
  spread; each is edited once.

Before each write the page is fetched once to make sure it does not show the
new text yet. After the write, the benchmark waits for the server's next
``rebuilt`` or ``rebuild failed`` line on its stderr (a thread reads it and
wakes the benchmark at once; nothing polls), and then fetches the page over
HTTP; the latency is from the write to that response showing the new text.
Should the response not show it yet (a rebuild that began before the write was
complete), the next rebuild's line is awaited and the page fetched again. A
failed rebuild ends the benchmark. (Polling over HTTP during the rebuild would
slow it down: the requests compete with it for the server's interpreter lock.)
The server holds the site in memory, so the response is the only place the new
text can be seen. For each kind it reports the p50, p95 and maximum of the
write-to-served latency and the median rebuild time the server printed (the
rest of the latency is the watcher, the burst's quiet time, the log line and
the request, which makes the page: a rebuild after an edit renders none), and
the server's first build. Issue #16's targets, at 10,000
objectives: title p50 ≤ 0.3 s and p95 ≤ 0.6 s; check-in p50 ≤ 0.15 s.
``measure(project, edits)`` does this for one project; ``bench/run.py`` uses it too.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from generate import CURRENT
from orgs import TODAY, generate, okrpub_command, okrpub_environment, scratch_copy

#: How long the first build and each edit may take before the benchmark gives up.
FIRST_BUILD_TIMEOUT = 1800.0
EDIT_TIMEOUT = 600.0

#: The two kinds of edit.
TITLE = "company objective retitled → child's page"
CHECKIN = "leaf objective's check-in → its page"
KINDS = (TITLE, CHECKIN)

#: The front-matter lines of ``bench/generate.py`` that choose the objectives to edit.
FIELD = re.compile(r"^(id|owner|period|parent): (\S+)$", re.MULTILINE)
NUMERIC_KEY_RESULT = re.compile(
    r"^  - id: (\S+)\n    title: .*\n    start: (-?\d+)\n    target: (-?\d+)$", re.MULTILINE
)

Item = TypeVar("Item")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    lines: list[str] = field(default_factory=list)
    url: str = ""
    #: Notified with every stderr line the reader thread adds to :attr:`lines`.
    said: threading.Condition = field(default_factory=threading.Condition)

    def rebuilds(self) -> list[str]:
        return [line for line in list(self.lines) if line.startswith(("rebuilt", "rebuild failed"))]

    def wait_for_rebuild(self, count: int, what: str, timeout: float = EDIT_TIMEOUT) -> str:
        """Wait until more than ``count`` rebuilds were reported; return the last report."""
        with self.said:
            if not self.said.wait_for(
                lambda: len(self.rebuilds()) > count or self.process.poll() is not None, timeout
            ):
                sys.exit(f"gave up waiting for {what}")
        if len(self.rebuilds()) <= count:
            sys.exit(f"serve stopped while waiting for {what}: {self.lines[-5:]}")
        return self.rebuilds()[-1]

    def fetch(self, path: str) -> bytes:
        port = int(self.url.rsplit(":", 1)[1].rstrip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path)
            return connection.getresponse().read()
        finally:
            connection.close()


def start(project: Path) -> Server:
    process = subprocess.Popen(
        okrpub_command("serve", "--port", "0", "--today", TODAY),
        cwd=project,
        env=okrpub_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            with server.said:
                server.lines.append(line.decode("utf-8", "replace").rstrip("\n"))
                server.said.notify_all()
        with server.said:  # the end: a waiter learns that no more lines come
            server.said.notify_all()

    threading.Thread(target=read, daemon=True).start()
    with server.said:
        server.said.wait_for(lambda: server.lines or process.poll() is not None, 60)
    match = re.search(r"(http://\S+/) ", server.lines[0]) if server.lines else None
    if match is None:
        sys.exit(f"serve did not start: {server.lines}")
    server.url = match.group(1)
    return server


def objective_files(project: Path) -> list[Path]:
    """Objective files spread over the whole organisation: every period, every kind of owner."""
    return sorted(
        path
        for path in (project / "content").rglob("*.md")
        if path.parent.parent.name != "content" and "units" not in path.parts
    )


def seconds_of(line: str) -> float:
    match = re.search(r"in (\d+\.\d+) s", line)
    return float(match.group(1)) if match else float("nan")


def retitled(text: str, title: str) -> str:
    """The objective file ``text`` with ``title`` as its title."""
    return re.sub(r"^title: .*$", f'title: "{title}"', text, count=1, flags=re.MULTILINE)


def retitle(file: Path, title: str) -> None:
    """Give the objective in ``file`` a new title."""
    file.write_text(retitled(file.read_text(encoding="utf-8"), title), encoding="utf-8")


def page_of(objective_id: str) -> str:
    return f"/objectives/{objective_id}/"


# -- the objectives to edit --------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """What choosing the edits needs of a generated objective file."""

    id: str
    file: Path
    owner: str
    period: str
    #: The objective it aligns to (without a key result), if any.
    parent: str | None
    #: Its numeric key results with start and target under 1,000: (id, start, target).
    small_numeric: list[tuple[str, int, int]]


def read_objectives(project: Path) -> list[Objective]:
    """Every objective of the generated organisation, in id order."""
    found = []
    for file in objective_files(project):
        text = file.read_text(encoding="utf-8")
        front_matter = text[: text.index("\n---\n", 3)]
        fields = dict(FIELD.findall(front_matter))
        numeric = [
            (key_result, int(start), int(target))
            for key_result, start, target in NUMERIC_KEY_RESULT.findall(front_matter)
            if max(abs(int(start)), abs(int(target))) < 1000
        ]
        parent = fields.get("parent", "").partition("#")[0] or None
        found.append(
            Objective(fields["id"], file, fields["owner"], fields["period"], parent, numeric)
        )
    return sorted(found, key=lambda objective: objective.id)


def company_unit(project: Path) -> str:
    """The id of the unit of kind ``company``."""
    for unit in sorted((project / "content" / "units").glob("*.md")):
        if re.search(r"^kind: company$", unit.read_text(encoding="utf-8"), re.MULTILINE):
            return unit.stem
    sys.exit(f"{project} has no company unit")


def spread(items: Sequence[Item], count: int) -> list[Item]:
    """``count`` of ``items`` evenly spread, in order; round again when there are too few."""
    if count <= len(items):
        return [items[number * len(items) // count] for number in range(count)]
    return [items[number % len(items)] for number in range(count)]


# -- the edits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One timed edit: the new bytes of a file, and the page that must then show ``shows``."""

    kind: str
    file: Path
    data: bytes
    page: str
    shows: str


def children_of(objectives: list[Objective]) -> dict[str, list[str]]:
    """The ids of the objectives aligned to each objective."""
    children: dict[str, list[str]] = defaultdict(list)
    for objective in objectives:
        if objective.parent is not None:
            children[objective.parent].append(objective.id)
    return children


def company_heads(objectives: list[Objective], company: str) -> list[Objective]:
    """The company-level objectives that have children, in id order."""
    children = children_of(objectives)
    heads = [o for o in objectives if o.owner == company and children[o.id]]
    if not heads:
        sys.exit("no company-level objective has a child: use more --objectives")
    return heads


def leaves(objectives: list[Objective]) -> list[Objective]:
    """The objectives no objective aligns to, in id order."""
    parents = {objective.parent for objective in objectives}
    return [objective for objective in objectives if objective.id not in parents]


def title_edits(objectives: list[Objective], company: str, count: int) -> list[Edit]:
    """Retitle ``count`` company-level objectives; each child's page must show the title."""
    children = children_of(objectives)
    heads = company_heads(objectives, company)
    edits = []
    for number, head in enumerate(spread(heads, count)):
        title = f"Benchmark edit {number} of {head.id}"
        child = sorted(children[head.id])[number // len(heads) % len(children[head.id])]
        text = retitled(head.file.read_text(encoding="utf-8"), title)
        edits.append(Edit(TITLE, head.file, text.encode(), page_of(child), title))
    return edits


def checkin_edits(project: Path, objectives: list[Objective], count: int) -> list[Edit]:
    """A check-in on ``count`` leaf objectives of the running quarter, each written by
    ``okrpub checkin`` into a copy of ``project``; the objective's page must show it."""
    running = [o for o in leaves(objectives) if o.period == CURRENT and o.small_numeric]
    if len(running) < count:
        sys.exit(f"only {len(running)} leaf objectives to check in on: give fewer --edits")
    edits = []
    with tempfile.TemporaryDirectory(prefix="okrpub-bench-checkin-") as folder:
        twin = scratch_copy(project, Path(folder))
        for leaf in spread(running, count):
            key_result, start, target = leaf.small_numeric[0]
            value = f"{(start + target) // 2}.37"
            command = okrpub_command(
                "checkin", f"{leaf.id}#{key_result}", value, "--date", TODAY, "--today", TODAY
            )
            done = subprocess.run(
                command, cwd=twin, env=okrpub_environment(), capture_output=True, check=False
            )
            if done.returncode != 0:
                sys.exit(f"{' '.join(command)} failed:\n{done.stderr.decode(errors='replace')}")
            data = (twin / leaf.file.relative_to(project)).read_bytes()
            edits.append(Edit(CHECKIN, leaf.file, data, page_of(leaf.id), value))
    return edits


def plan(project: Path, count: int) -> list[Edit]:
    """``count`` edits of each kind, taking turns."""
    objectives = read_objectives(project)
    titles = title_edits(objectives, company_unit(project), count)
    checkins = checkin_edits(project, objectives, count)
    return [edit for pair in zip(titles, checkins, strict=True) for edit in pair]


def write(edit: Edit) -> float:
    """Make the edit; return the moment its bytes appeared (``time.perf_counter``)."""
    if edit.kind == TITLE:  # in place, as an editor saves
        written = time.perf_counter()
        edit.file.write_bytes(edit.data)
        return written
    # as okrpub checkin: a hidden temporary file beside the file, renamed over it
    handle, temporary = tempfile.mkstemp(
        prefix=f".{edit.file.name}.", suffix=".tmp", dir=edit.file.parent
    )
    with os.fdopen(handle, "wb") as out:
        out.write(edit.data)
        out.flush()
        os.fsync(out.fileno())
    written = time.perf_counter()
    os.replace(temporary, edit.file)
    return written


# -- the measurement ---------------------------------------------------------------------


@dataclass
class Measured:
    """The server's first build, and per kind each edit's write-to-served latency and the
    rebuild it took, in s."""

    first_build: float
    latencies: dict[str, list[float]]
    rebuilds: dict[str, list[float]]
    pages: int


def measure(project: Path, edits: int = 20) -> Measured:
    """Serve ``project`` (a copy: its files are edited) and time ``edits`` edits of each kind."""
    planned = plan(project, edits)
    started = time.perf_counter()
    server = start(project)
    try:
        first = server.wait_for_rebuild(0, "the first build", FIRST_BUILD_TIMEOUT)
        first_build = time.perf_counter() - started
        pages = re.findall(r"(\d+) pages", first)
        if not pages:
            sys.exit(f"the first build failed: {server.lines[-5:]}")
        latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        rebuilds: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for edit in planned:
            if edit.shows.encode() in server.fetch(edit.page):
                sys.exit(f"{edit.page} shows {edit.shows!r} before the edit")
            seen = len(server.rebuilds())
            written = write(edit)
            latencies[edit.kind].append(served_after(server, seen, edit) - written)
            rebuilds[edit.kind].append(seconds_of(server.rebuilds()[-1]))
    finally:
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=60)
    return Measured(first_build, latencies, rebuilds, int(pages[0]))


def served_after(server: Server, seen: int, edit: Edit) -> float:
    """When ``edit.page`` was first served showing ``edit.shows``, fetched after each
    rebuild after the first ``seen``."""
    while True:
        report = server.wait_for_rebuild(seen, edit.page)
        if report.startswith("rebuild failed"):
            sys.exit(f"{edit.page}: {report}")
        seen = len(server.rebuilds())
        if edit.shows.encode() in server.fetch(edit.page):
            return time.perf_counter()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=20, help="edits of each kind")
    parser.add_argument(
        "--project",
        type=Path,
        help="measure a copy of this organisation of --objectives objectives (one size), "
        "such as one bench/generate.py wrote, instead of generating it",
    )
    args = parser.parse_args()
    if args.edits < 2:
        parser.error("--edits must be at least 2")
    if args.project is not None and len(args.objectives) != 1:
        parser.error("--project is of one size: give one --objectives")
    print(
        f"{'objectives':>10} {'pages':>6} {'first build s':>13} {'edit':<42} {'edits':>5} "
        f"{'p50 s':>6} {'p95 s':>6} {'max s':>6} {'rebuild s':>9}"
    )
    for objectives in args.objectives:
        with tempfile.TemporaryDirectory(prefix="okrpub-bench-serve-") as scratch:
            generated = args.project if args.project is not None else generate(objectives)
            project = scratch_copy(generated, Path(scratch))
            result = measure(project, args.edits)
        for kind in KINDS:
            latencies = result.latencies[kind]
            print(
                f"{objectives:>10} {result.pages:>6} {result.first_build:>13.2f} {kind:<42} "
                f"{len(latencies):>5} {statistics.median(latencies):>6.2f} "
                f"{p95(latencies):>6.2f} {max(latencies):>6.2f} "
                f"{statistics.median(result.rebuilds[kind]):>9.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
