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
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
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

from orgs import TODAY, generate

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
        [sys.executable, "-m", "okrpub", "serve", "--port", "0", "--today", TODAY],
        cwd=project,
        env={**os.environ, "TMPDIR": str(tmpdir)},
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


def run(objectives: int, edits: int, poll: float) -> dict[str, float]:
    source = generate(objectives)
    with tempfile.TemporaryDirectory(prefix="okrpub-bench-serve-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(source / "content", project / "content")
        shutil.copy2(source / "okrpub.yaml", project / "okrpub.yaml")
        tmpdir = Path(scratch) / "tmp"
        tmpdir.mkdir()
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
                text = file.read_text(encoding="utf-8")
                page = f"/objectives/{objective_id(text, file)}/"
                title = f"Benchmark edit {number} of {file.stem}"
                edited = re.sub(r"^title: .*$", f'title: "{title}"', text, count=1, flags=re.M)
                before = len(server.rebuilds())
                written = time.perf_counter()
                file.write_text(edited, encoding="utf-8")
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
    return {
        "pages": int(pages[0]),
        "first": first_build,
        "p50": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20, method="inclusive")[18],
        "max": max(latencies),
        "rebuild": statistics.median(rebuilds),
    }


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
        result = run(objectives, args.edits, args.poll_ms / 1000)
        print(
            f"{objectives:>10} {result['pages']:>6.0f} {args.edits:>5} {result['first']:>13.2f} "
            f"{result['p50']:>6.2f} {result['p95']:>6.2f} {result['max']:>6.2f} "
            f"{result['rebuild']:>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
