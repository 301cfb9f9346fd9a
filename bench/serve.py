"""Benchmark ``okrpub serve``: the time from a file's write to the rebuilt page being served.

    python bench/serve.py [--objectives 1000 10000] [--edits 20] [--poll-ms 2]

For each size, the generated organisation (``bench/orgs.py``) is copied to a
scratch folder and served by ``okrpub serve --port 0`` in a subprocess. Then,
one at a time, the titles of ``--edits`` different objectives (spread over
the periods and owners) are changed by rewriting their files. After each
write, the objective's page in the server's site folder (found through the
``TMPDIR`` the benchmark gives the server) is read every ``--poll-ms``
milliseconds until it has the new title, and then fetched over HTTP, which
must show it too; the latency is from the write to that response. (Polling
over HTTP instead would slow the rebuild down: the requests compete with it
for the server's interpreter lock.) The next edit waits until the server has
reported the rebuild. It reports the first build, the p50, p95 and maximum
of the write-to-served latency, and the median rebuild time the server
printed (the rest of the latency is the watcher, the burst's quiet time and
the polling). The issue's target: p50 under 0.3 s at 10,000 objectives.
``measure(project)`` does this for one project; ``bench/run.py`` uses it too.
"""

from __future__ import annotations

import argparse
import http.client
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orgs import TODAY, generate, okrpub_command, okrpub_environment, scratch_copy

#: How long the first build and each edit may take before the benchmark gives up.
FIRST_BUILD_TIMEOUT = 1800.0
EDIT_TIMEOUT = 600.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    lines: list[str] = field(default_factory=list)
    url: str = ""

    def rebuilds(self) -> list[str]:
        return [line for line in list(self.lines) if line.startswith(("rebuilt", "rebuild failed"))]

    def fetch(self, path: str) -> bytes:
        port = int(self.url.rsplit(":", 1)[1].rstrip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path)
            return connection.getresponse().read()
        finally:
            connection.close()


def start(project: Path, tmpdir: Path) -> Server:
    process = subprocess.Popen(
        okrpub_command("serve", "--port", "0", "--today", TODAY),
        cwd=project,
        env=okrpub_environment(TMPDIR=str(tmpdir)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    wait(lambda: server.lines or process.poll() is not None, 60, "the URL", 0.05)
    match = re.search(r"(http://\S+/) ", server.lines[0]) if server.lines else None
    if match is None:
        sys.exit(f"serve did not start: {server.lines}")
    server.url = match.group(1)
    return server


def wait(condition: Callable[[], object], timeout: float, what: str, interval: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {what}")
        time.sleep(interval)


def read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError:
        return b""


def objective_files(project: Path) -> list[Path]:
    """Objective files spread over the whole organisation: every period, every kind of owner."""
    return sorted(
        path
        for path in (project / "content").rglob("*.md")
        if path.parent.parent.name != "content" and "units" not in path.parts
    )


def objective_id(text: str, path: Path) -> str:
    match = re.search(r"^id: (\S+)$", text, re.MULTILINE)
    return match.group(1) if match else path.stem


def seconds_of(line: str) -> float:
    match = re.search(r"in (\d+\.\d+) s", line)
    return float(match.group(1)) if match else float("nan")


def retitle(file: Path, title: str) -> str:
    """Give the objective in ``file`` a new title; return its page's path."""
    text = file.read_text(encoding="utf-8")
    edited = re.sub(r"^title: .*$", f'title: "{title}"', text, count=1, flags=re.M)
    file.write_text(edited, encoding="utf-8")
    return f"/objectives/{objective_id(text, file)}/"


@dataclass
class Measured:
    """The server's first build and each edit's write-to-served latency and rebuild, in s."""

    first_build: float
    latencies: list[float]
    rebuilds: list[float]
    pages: int


def measure(project: Path, edits: int = 20, poll: float = 0.002) -> Measured:
    """Serve ``project`` (a copy: its files are edited) and time ``edits`` edits."""
    with tempfile.TemporaryDirectory(prefix="okrpub-bench-serve-") as scratch:
        tmpdir = Path(scratch)
        started = time.perf_counter()
        server = start(project, tmpdir)
        try:
            wait(lambda: server.rebuilds(), FIRST_BUILD_TIMEOUT, "the first build", 0.05)
            first_build = time.perf_counter() - started
            pages = re.findall(r"(\d+) pages", server.rebuilds()[0])
            if not pages:
                sys.exit(f"the first build failed: {server.lines[-5:]}")
            (site,) = tmpdir.glob("okrpub-serve-*")
            files = objective_files(project)
            step = max(1, len(files) // edits)
            latencies, rebuilds = [], []
            for number, file in enumerate(files[::step][:edits]):
                title = f"Benchmark edit {number} of {file.stem}"
                before = len(server.rebuilds())
                written = time.perf_counter()
                page = retitle(file, title)
                wanted, built = title.encode(), site / page.lstrip("/") / "index.html"
                wait(lambda: wanted in read(built), EDIT_TIMEOUT, f"{page}", poll)  # noqa: B023
                if wanted not in server.fetch(page):
                    sys.exit(f"{page} was written but is not served")
                latencies.append(time.perf_counter() - written)
                wait(lambda: len(server.rebuilds()) > before, EDIT_TIMEOUT, "its rebuild", poll)  # noqa: B023
                rebuilds.append(seconds_of(server.rebuilds()[-1]))
        finally:
            server.process.send_signal(signal.SIGINT)
            server.process.wait(timeout=60)
    return Measured(first_build, latencies, rebuilds, int(pages[0]))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--poll-ms", type=float, default=2.0, help="page polling interval")
    args = parser.parse_args()
    if args.edits < 2:
        parser.error("--edits must be at least 2")
    print(
        f"{'objectives':>10} {'pages':>6} {'edits':>5} {'first build s':>13} "
        f"{'p50 s':>6} {'p95 s':>6} {'max s':>6} {'rebuild s':>9}"
    )
    for objectives in args.objectives:
        with tempfile.TemporaryDirectory(prefix="okrpub-bench-serve-") as scratch:
            project = scratch_copy(generate(objectives), Path(scratch))
            result = measure(project, args.edits, args.poll_ms / 1000)
        latencies = result.latencies
        print(
            f"{objectives:>10} {result.pages:>6} {args.edits:>5} {result.first_build:>13.2f} "
            f"{statistics.median(latencies):>6.2f} {p95(latencies):>6.2f} "
            f"{max(latencies):>6.2f} {statistics.median(result.rebuilds):>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
