"""Generated organisations for the benchmarks, cached in ``bench/.orgs/``.

``generate(objectives)`` runs ``../shared/bench/gen_org.py`` once per size
and returns the project folder (``okrpub.yaml`` and ``content/``). Treat it
as read-only: a benchmark that edits files works on a copy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN_ORG = HERE.parent.parent / "shared" / "bench" / "gen_org.py"
#: The date every benchmark runs on (a Thursday in 2026-Q4).
TODAY = "2026-11-26"


def generate(objectives: int) -> Path:
    target = HERE / ".orgs" / f"org{objectives}"
    if (target / "okrpub.yaml").exists():
        return target
    spec = importlib.util.spec_from_file_location("gen_org", GEN_ORG)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {GEN_ORG}")
    gen_org = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_org)
    gen_org.generate(objectives, target)
    return target
