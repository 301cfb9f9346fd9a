"""Benchmark ``okrpub serve``: the time from a file's write to the rebuilt page being served.

    python bench/serve.py [--objectives 1000 10000] [--edits 20]

For each size, the generated organisation (``bench/orgs.py``) is copied to a
scratch folder and served by ``okrpub serve --port 0`` in a subprocess. Then,
one at a time, the titles of ``--edits`` different objectives (spread over
the periods and owners) are changed by rewriting their files. After each
write, the benchmark waits for the server's next ``rebuilt`` or ``rebuild
failed`` line on its stderr (a thread reads it and wakes the benchmark at
once; nothing polls), and then fetches the objective's page over HTTP; the
latency is from the write to that response showing the new title. Should the
response not show it yet (a rebuild that began before the write was
complete), the next rebuild's line is awaited and the page fetched again. A
failed rebuild ends the benchmark. (Polling over HTTP during the rebuild
would slow it down: the requests compete with it for the server's
interpreter lock.) The server holds the site in memory, so the response is
the only place the new title can be seen. It reports the first build, the
p50, p95 and maximum of the write-to-served latency, and the median rebuild
time the server printed (the rest of the latency is the watcher, the burst's
quiet time, the log line and the request). The issue's target: p50 under
0.3 s at 10,000 objectives.
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


def measure(project: Path, edits: int = 20) -> Measured:
    """Serve ``project`` (a copy: its files are edited) and time ``edits`` edits."""
    started = time.perf_counter()
    server = start(project)
    try:
        first = server.wait_for_rebuild(0, "the first build", FIRST_BUILD_TIMEOUT)
        first_build = time.perf_counter() - started
        pages = re.findall(r"(\d+) pages", first)
        if not pages:
            sys.exit(f"the first build failed: {server.lines[-5:]}")
        files = objective_files(project)
        step = max(1, len(files) // edits)
        latencies, rebuilds = [], []
        for number, file in enumerate(files[::step][:edits]):
            title = f"Benchmark edit {number} of {file.stem}"
            written = time.perf_counter()
            latencies.append(served_after(server, retitle(file, title), title) - written)
            rebuilds.append(seconds_of(server.rebuilds()[-1]))
    finally:
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=60)
    return Measured(first_build, latencies, rebuilds, int(pages[0]))


def served_after(server: Server, page: str, title: str) -> float:
    """When ``page`` was first served with ``title``, fetched after each rebuild from now."""
    seen = len(server.rebuilds())
    while True:
        report = server.wait_for_rebuild(seen, page)
        if report.startswith("rebuild failed"):
            sys.exit(f"{page}: {report}")
        seen = len(server.rebuilds())
        if title.encode() in server.fetch(page):
            return time.perf_counter()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=20)
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
            result = measure(project, args.edits)
        latencies = result.latencies
        print(
            f"{objectives:>10} {result.pages:>6} {args.edits:>5} {result.first_build:>13.2f} "
            f"{statistics.median(latencies):>6.2f} {p95(latencies):>6.2f} "
            f"{max(latencies):>6.2f} {statistics.median(result.rebuilds):>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
