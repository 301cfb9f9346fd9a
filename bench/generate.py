"""Write a generated organisation in okrpub's format, and its Hugo twin, for the benchmarks.

    python bench/generate.py --objectives 1000 --out org1000 [--seed 1] [--hugo hugo1000]

writes ``okrpub.yaml`` and ``content/``: one company with departments, teams
below them and people in the teams (units, some public, people internal);
four quarters of objectives owned in turn by the company, the departments,
the teams and the people, each aligned to an objective a level up (company,
then team, then person), sometimes to one of its key results; each objective
with 3-5 key results, numeric (some lower-is-better: the target below the
start) or binary (``done``), with weekly check-ins carrying a confidence and
sometimes a note, and a final score in the three closed quarters; public and
internal objectives; Markdown bodies with lists, emphasis and some tables.

With ``--hugo`` it also writes a Hugo site with one page per objective and per
unit holding the same front matter and Markdown, whose layout lists each key
result's title, start, target, unit and newest check-in: the same content for
a side-by-side build-time comparison. The same arguments give the same bytes;
the generator refuses to replace a file that exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

#: The words of every title, note and body; their order is part of the output. None says
#: up or down ("grow", "cut"): the lint rule ``direction`` would question a title that did.
WORDS = (
    "stock", "revenue", "customers", "quality", "search", "ranking", "onboarding", "churn",
    "retention", "delivery", "latency", "reliability", "hiring", "coaching", "partners", "webshop",
    "barbecue", "grill", "charcoal", "gas", "smoke", "flavour", "season", "campaign", "newsletter",
    "conversion", "margin", "supplier", "logistics", "warehouse", "returns", "reviews", "support",
    "satisfaction", "mobile", "checkout", "payment", "pricing", "discount", "loyalty", "community",
    "recipe", "video",
)  # fmt: skip
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
QUARTER_START = {quarter: dt.date(2026, 1 + 3 * n, 1) for n, quarter in enumerate(QUARTERS)}
#: The one quarter still running: its key results have no final score yet.
CURRENT = "2026-Q4"
WEEKS_IN_QUARTER = 13
UNITS_OF_MEASURE = ("%", "EUR", "customers", "orders", "ms", "points")
CONFIG = 'title: "Acme Barbecues OKRs"\nbase_url: "https://okr.example.com/"\nlanguage: en\n'

HUGO_CONFIG = (
    'baseURL = "https://okr.example.com/"\ntitle = "Acme"\ndisableKinds = ["taxonomy", "term"]\n'
)
#: An objective's page: its owner, period and parent, then each key result's title,
#: start, target, unit and newest check-in, then the body.
HUGO_SINGLE = (
    "<!doctype html><html><head><title>{{ .Title }}</title></head><body>"
    '<nav><a href="{{ .Site.Home.RelPermalink }}">home</a></nav><h1>{{ .Title }}</h1>'
    "<p>{{ .Params.owner }} {{ .Params.period }} "
    "{{ with .Params.parent }}aligns to {{ . }}{{ end }}</p>"
    "<ol>{{ range .Params.key_results }}<li>{{ .title }} {{ .start }} &rarr; {{ .target }} "
    "{{ .unit }}{{ with .checkins }}{{ with index . (sub (len .) 1) }} "
    "now {{ .value }} ({{ .confidence }}){{ end }}{{ end }}</li>{{ end }}</ol>"
    "{{ .Content }}</body></html>\n"
)
HUGO_LIST = (
    "<!doctype html><html><head><title>{{ .Title }}</title></head><body><ul>"
    '{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}'
    "</ul></body></html>\n"
)


@dataclass(frozen=True)
class Unit:
    """A unit: ``company``, ``team`` (departments too) or ``person``."""

    kind: str
    parent: str | None
    name: str


@dataclass(frozen=True)
class Objective:
    """An objective file: where it goes, its front-matter lines and its Markdown body."""

    id: str
    folder: str
    front_matter: list[str]
    body: str

    def text(self) -> str:
        return document(self.front_matter, self.body)


@dataclass(frozen=True)
class Organisation:
    """What :func:`write_org` wrote: the units by id and the objectives."""

    units: dict[str, Unit]
    objectives: list[Objective]


def document(front_matter: list[str], body: str) -> str:
    return "---\n" + "\n".join(front_matter) + "\n---\n" + body


def sentence(rng: random.Random, words: int) -> str:
    """``words`` random words, the first capitalised."""
    return " ".join(rng.choices(WORDS, k=words)).capitalize()


def yaml_str(text: str) -> str:
    """``text`` as a double-quoted YAML string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def body(rng: random.Random) -> str:
    """An objective's Markdown: a paragraph, a heading, a list, and sometimes a table."""
    summary = sentence(rng, rng.randint(12, 30)) + "."
    why = sentence(rng, rng.randint(20, 45)) + ". " + sentence(rng, rng.randint(8, 20)) + "."
    parts = [summary, "", "## Why this matters", "", why, ""]
    parts += ["- " + sentence(rng, 6), "- " + sentence(rng, 7), "- **" + sentence(rng, 3) + "**"]
    parts.append("")
    if rng.random() < 0.3:
        parts += ["| risk | owner |", "|---|---|", f"| {sentence(rng, 4)} | team |", ""]
    return "\n".join(parts)


# -- units ------------------------------------------------------------------------------


def make_units(rng: random.Random, objectives: int) -> dict[str, Unit]:
    """The company, then departments, teams and people, about six objectives a person."""
    people = max(3, objectives // 6)
    teams = max(2, people // 8)
    departments = [f"dept-{d}" for d in range(max(1, teams // 6))]
    units = {"acme": Unit("company", None, "Acme Barbecues")}
    for department in departments:
        units[department] = Unit("team", "acme", f"Department {sentence(rng, 2)}")
    team_ids = [f"team-{t}" for t in range(teams)]
    for team in team_ids:
        parent = rng.choice(departments)
        units[team] = Unit("team", parent, f"Team {sentence(rng, 2)}")
    for p in range(people):
        units[f"person-{p}"] = Unit("person", rng.choice(team_ids), f"Person {p}")
    return units


def unit_text(rng: random.Random, unit: Unit) -> str:
    """A unit file; 70 % of companies and teams are public, people are internal."""
    public = unit.kind != "person" and rng.random() < 0.7
    front_matter = [
        f"name: {yaml_str(unit.name)}",
        f"kind: {unit.kind}",
        f"visibility: {'public' if public else 'internal'}",
    ]
    if unit.parent:
        front_matter.append(f"parent: {unit.parent}")
    return document(front_matter, sentence(rng, 15) + ".\n")


# -- objectives and key results ---------------------------------------------------------


def make_objectives(rng: random.Random, units: dict[str, Unit], count: int) -> list[Objective]:
    """``count`` objectives, a quarter of them in each quarter (the rest in the last)."""
    owners = ["acme"] * 4 + [unit_id for unit_id in units if unit_id != "acme"]
    per_quarter = count // len(QUARTERS)
    objectives = []
    for quarter in QUARTERS:
        last = quarter == QUARTERS[-1]
        in_quarter = count - per_quarter * (len(QUARTERS) - 1) if last else per_quarter
        # the quarter's objectives a level up: the company's for teams, teams' for people
        above: dict[str, list[str]] = {"team": [], "person": []}
        for i in range(in_quarter):
            owner = owners[i % len(owners)]
            kind = units[owner].kind
            objective_id = f"{quarter.lower()}-{owner}-{i}"
            made = make_objective(rng, objective_id, owner, quarter, above.get(kind, []))
            objectives.append(made)
            if kind != "person":
                above["team" if kind == "company" else "person"].append(made.id)
    return objectives


def make_objective(
    rng: random.Random, objective_id: str, owner: str, quarter: str, parents: list[str]
) -> Objective:
    """One objective of ``owner`` in ``quarter``, aligned to one of ``parents`` if any."""
    front_matter = [
        f"title: {yaml_str(sentence(rng, rng.randint(4, 9)))}",
        f"id: {objective_id}",
        f"owner: {owner}",
        f"period: {quarter}",
        f"type: {'committed' if rng.random() < 0.3 else 'aspirational'}",
        f"visibility: {'public' if rng.random() < 0.5 else 'internal'}",
    ]
    if parents:
        parent = rng.choice(parents)
        key_result = f"#kr{rng.randint(1, 3)}" if rng.random() < 0.3 else ""
        front_matter.append(f"parent: {parent}{key_result}")
    front_matter.append(f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]")
    front_matter.append("key_results:")
    for number in range(1, rng.randint(3, 5) + 1):
        front_matter += key_result_lines(rng, number, quarter)
    return Objective(objective_id, f"{quarter}/{owner}", front_matter, body(rng))


def key_result_lines(rng: random.Random, number: int, quarter: str) -> list[str]:
    """Key result ``kr<number>``: binary 15 % of the time, else numeric (lower-is-better
    about 5 % of the time); a final score in a closed quarter; weekly check-ins, 13 in a
    closed quarter and 2-8 in the current one."""
    start = rng.choice([0, 0, 10, 100, 1000])
    lower_is_better = rng.random() < 0.15
    span = rng.choice([5, 20, 50, 200, 1000])
    target = start - span if lower_is_better and start >= span else start + span
    lines = [f"  - id: kr{number}", f"    title: {yaml_str(sentence(rng, rng.randint(5, 10)))}"]
    binary = rng.random() < 0.15
    if binary:
        lines.append(f"    done: {'true' if rng.random() < 0.5 else 'false'}")
    else:
        lines += [f"    start: {start}", f"    target: {target}"]
        lines.append(f"    unit: {yaml_str(rng.choice(UNITS_OF_MEASURE))}")
    closed = quarter != CURRENT
    if closed:
        lines.append(f"    score: {rng.choice([0.2, 0.4, 0.5, 0.7, 0.8, 1.0])}")
    weeks = WEEKS_IN_QUARTER if closed else rng.randint(2, 8)
    numeric = None if binary else (start, target)
    lines.append("    checkins:")
    for week in range(weeks):
        lines += checkin_lines(rng, QUARTER_START[quarter], week, numeric)
    return lines


def checkin_lines(
    rng: random.Random, quarter_start: dt.date, week: int, numeric: tuple[int, int] | None
) -> list[str]:
    """The check-in of ``week``: a value on the way from start to target (or ``true`` once
    nearly there, for a binary key result), a confidence, and 30 % of the time a note."""
    day = quarter_start + dt.timedelta(days=7 * week + rng.randint(0, 2))
    share = min(1.0, (week + 1) / WEEKS_IN_QUARTER * rng.uniform(0.6, 1.3))
    if numeric is None:
        value = "true" if share > 0.9 else "false"
    else:
        start, target = numeric
        value = str(round(start + (target - start) * share, 1))
    lines = [
        f"      - date: {day.isoformat()}",
        f"        value: {value}",
        f"        confidence: {round(rng.uniform(0.2, 0.95), 2)}",
    ]
    if rng.random() < 0.3:
        lines.append(f"        note: {yaml_str(sentence(rng, rng.randint(4, 12)))}")
    return lines


# -- writing ----------------------------------------------------------------------------


def write_org(
    objectives: int, out: Path, *, seed: int = 1, hugo: Path | None = None
) -> Organisation:
    """Write the organisation of ``objectives`` objectives into ``out`` (and its Hugo twin
    into ``hugo``); raise :class:`FileExistsError` rather than replace a file."""
    rng = random.Random(seed)
    units = make_units(rng, objectives)
    for unit_id, unit in units.items():
        write(out / "content" / "units" / f"{unit_id}.md", unit_text(rng, unit))
    made = make_objectives(rng, units, objectives)
    for objective in made:
        write(out / "content" / objective.folder / f"{objective.id}.md", objective.text())
    write(out / "okrpub.yaml", CONFIG)
    if hugo is not None:
        write_hugo(hugo, units, made)
    return Organisation(units, made)


def write_hugo(root: Path, units: dict[str, Unit], objectives: list[Objective]) -> None:
    """The Hugo twin: the same objective files, a page per unit, and the layouts."""
    write(root / "hugo.toml", HUGO_CONFIG)
    write(root / "layouts" / "_default" / "single.html", HUGO_SINGLE)
    write(root / "layouts" / "_default" / "list.html", HUGO_LIST)
    for objective in objectives:
        write(root / "content" / "objectives" / f"{objective.id}.md", objective.text())
    for unit_id, unit in units.items():
        page = document([f"title: {yaml_str(unit.name)}"], "Unit.\n")
        write(root / "content" / "units" / f"{unit_id}.md", page)


def write(path: Path, text: str) -> None:
    """Create ``path`` (and its folders) holding ``text``; never replace or follow a link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="") as file:
        file.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hugo", type=Path, help="also write the Hugo twin here")
    args = parser.parse_args()
    if args.objectives < 1:
        parser.error("--objectives must be at least 1")
    try:
        org = write_org(args.objectives, args.out, seed=args.seed, hugo=args.hugo)
    except FileExistsError as error:
        sys.exit(f"{error.filename} exists: give --out (and --hugo) a new or empty folder")
    print(f"wrote {len(org.objectives)} objectives and {len(org.units)} units to {args.out}")


if __name__ == "__main__":
    main()
