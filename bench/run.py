"""Benchmark okrpub on generated organisations.

    python bench/run.py [--objectives 1000 10000] [--repeat 3]

generates each organisation with ``../shared/bench/gen_org.py`` (cached in
``bench/.orgs/``), then times ``check`` (load, validate, resolve, compute,
lint) and a full ``build`` in fresh processes, and reports the median wall
time, the peak memory (max RSS) and the number of pages. Timings belong
here, never in the tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from orgs import TODAY, generate

_MEASURE = """
import json, resource, sys, time
from okrpub.cli import main
started = time.perf_counter()
status = main(sys.argv[1:])
seconds = time.perf_counter() - started
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"status": status, "seconds": seconds, "rss_mb": rss_mb}), file=sys.stderr)
"""


def measure(project: Path, arguments: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'objectives':>10} {'command':>8} {'median s':>9} {'max RSS MB':>11} {'pages':>6}")
    for objectives in args.objectives:
        project = generate(objectives)
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "site"
            commands = {
                "check": ["check", "--today", TODAY, "--format", "json"],
                "build": ["build", "--today", TODAY, "--out", str(out)],
            }
            for name, arguments in commands.items():
                runs = [measure(project, arguments) for _ in range(args.repeat)]
                seconds = statistics.median(run["seconds"] for run in runs)
                rss = max(run["rss_mb"] for run in runs)
                pages = sum(1 for _ in out.rglob("*.html")) if name == "build" else 0
                print(f"{objectives:>10} {name:>8} {seconds:>9.2f} {rss:>11.0f} {pages:>6}")


if __name__ == "__main__":
    main()
