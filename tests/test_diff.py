"""``okrpub diff BASE [HEAD]``: what a change does to the OKRs, read from git alone."""

from __future__ import annotations

import html
import json
from pathlib import Path

import markdown_it
from gittools import commit, git, init_repo
from hypothesis import given
from hypothesis import strategies as st
from projecttools import BASE, objective
from sitetools import TODAY, Run, md, run_okrpub

from okrpub.git.comment import MAX_ITEMS, MAX_OBJECTIVES, escape_markdown

GROW = "content/2026-Q4/acme/grow.md"
LEADS = "content/2026-Q4/sales/more-leads.md"

#: The head of the change: retitled (with Markdown in the title), a new check-in, a key
#: result added and one removed, a re-parented objective, a new objective, a new error.
CHANGED_GROW = (
    BASE[GROW]
    .replace("title: Grow the business", 'title: "Grow | *fast* <script>alert(1)</script>"')
    .replace(
        "value: 80, confidence: 0.8}\n",
        "value: 80, confidence: 0.8}\n"
        "      - {date: 2026-11-25, value: 95, confidence: 0.9,"
        ' note: "Big order | from @octocat"}\n',
    )
    .replace(
        "  - id: launch\n    title: Launch the shop\n    done: true\n",
        "  - id: partners\n    title: Sign 3 partners\n    start: 0\n    target: 3\n"
        "    checkins: [{date: 2026-11-24, value: 2}]\n",
    )
)
CHANGED_LEADS = BASE[LEADS].replace("parent: grow#revenue\n", "parent: grow\nowner: jo\n")
CHANGED_LEADS = CHANGED_LEADS.replace("owner: sales\n", "period: 2026-12\n")
NEW_OBJECTIVE = objective("title: Hire well\nowner: acme\nperiod: 2026-Q4")
BROKEN = md(
    "title: Broken\nowner: nobody\nperiod: 2026-Q4\nkey_results: [{title: X, target: 1, start: 0}]"
)


def make_repo(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository with the base project, then one commit that changes it."""
    repo = init_repo(tmp_path / "repo")
    base = commit(repo, BASE, date="2026-11-20T12:00:00+00:00")
    head = commit(
        repo,
        {
            GROW: CHANGED_GROW,
            LEADS: CHANGED_LEADS,
            "content/2026-Q4/acme/hire.md": NEW_OBJECTIVE,
            "content/2026-Q4/acme/broken.md": BROKEN,
        },
        date="2026-11-25T12:00:00+00:00",
    )
    return repo, base, head


def diff(repo: Path, *args: str) -> Run:
    return run_okrpub(repo, "diff", *args, "--today", TODAY)


def test_markdown_summary_of_a_change(tmp_path: Path) -> None:
    repo, base, head = make_repo(tmp_path)
    run = diff(repo, base)
    assert run.code == 0, run.err
    out = run.out
    assert out.startswith(f"### okrpub: {base} ({base[:7]}) → HEAD ({head[:7]})\n")
    assert "1 objective added, 2 objectives changed, 2 new check-ins, 2 problems introduced." in out
    assert "- **Hire well** (`hire`): owner `acme`, 2026-Q4, 3 key results" in out
    grow = out.split("#### **Grow \\| \\*fast\\* \\<script\\>alert\\(1\\)\\</script\\>** (`grow`)")
    assert len(grow) == 2, out
    section = grow[1].split("####")[0]
    # the period runs: no grade to compare (it used to repeat the progress as 0.87 → 0.81)
    assert "- Progress 87% → 81%\n" in section
    assert "- Retitled; it was: Grow the business" in section
    assert "- Key result added: **Sign 3 partners** (`partners`)" in section
    assert "- Key result removed: **Launch the shop** (`launch`)" in section
    assert "- **Reach 100 k revenue** (`revenue`): current 80 → 95; progress 80% → 95%" in section
    assert (
        "- Check-in 2026-11-25 on `revenue`: 95, confidence 0.9 — Big order \\| from \\@octocat"
        in section
    )
    assert "- Check-in 2026-11-24 on `partners`: 2" in section
    assert "- Aligned to `grow#revenue` → `grow`" in out
    assert "- Owner `sales` → `jo`\n- Period 2026-Q4 → 2026-12\n" in out
    assert "#### Problems introduced" in out
    assert "- error: content/2026-Q4/acme/broken.md:3: unknown owner 'nobody'" in out
    assert "<script>" not in out


def test_json_gives_the_same_facts(tmp_path: Path) -> None:
    repo, base, head = make_repo(tmp_path)
    run = diff(repo, base, "HEAD", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["base"] == {"name": base, "commit": base}
    assert data["head"] == {"name": "HEAD", "commit": head}
    by_id = {o["id"]: o for o in data["objectives"]}
    assert by_id["hire"]["kind"] == "added"
    grow = by_id["grow"]
    assert grow["title_before"] == "Grow the business"
    assert grow["progress"]["before"] != grow["progress"]["after"]
    key_results = {kr["id"]: kr for kr in grow["key_results"]}
    assert key_results["launch"]["kind"] == "removed"
    assert key_results["revenue"]["current"] == {"before": 80, "after": 95}
    assert key_results["revenue"]["new_checkins"] == [
        {
            "date": "2026-11-25",
            "value": 95,
            "confidence": 0.9,
            "note": "Big order | from @octocat",
            "health": None,
        }
    ]
    leads = by_id["more-leads"]
    assert leads["parent"] == {"before": "grow#revenue", "after": "grow"}
    assert (leads["owner_before"], leads["owner"]) == ("sales", "jo")
    assert (leads["period_before"], leads["period"]) == ("2026-Q4", "2026-12")
    assert [d["rule"] for d in data["introduced"]] == ["unknown-owner", "parent-period"]
    assert data["fixed"] == []


def test_the_working_tree_and_index_are_untouched(tmp_path: Path) -> None:
    repo, base, _ = make_repo(tmp_path)
    (repo / GROW).write_text("not committed", encoding="utf-8")
    git(repo, "add", GROW)
    (repo / LEADS).write_text("not staged either", encoding="utf-8")
    status = git(repo, "status", "--porcelain")
    run = diff(repo, base)
    assert run.code == 0, run.err
    assert "Grow \\| \\*fast\\*" in run.out  # HEAD as committed, not the working tree
    assert git(repo, "status", "--porcelain") == status
    assert (repo / GROW).read_text(encoding="utf-8") == "not committed"


def test_diagnostics_are_matched_without_line_numbers(tmp_path: Path) -> None:
    """A warning that moves down because lines were added above it is neither new nor fixed."""
    repo = init_repo(tmp_path / "repo")
    two = objective("title: Two\nowner: acme\nperiod: 2026-Q4", key_results=2)
    base = commit(repo, {**BASE, "content/2026-Q4/acme/two.md": two})
    moved = two.replace("title: Two\n", "title: Two\ntags: [a]\ntype: committed\n")
    commit(repo, {"content/2026-Q4/acme/two.md": moved})
    data = json.loads(diff(repo, base, "--format", "json").out)
    assert data["introduced"] == [] and data["fixed"] == []
    fixed = objective("title: Two\nowner: acme\nperiod: 2026-Q4", key_results=3)
    commit(repo, {"content/2026-Q4/acme/two.md": fixed})
    run = diff(repo, base)
    assert "1 problem fixed" in run.out
    assert "- warning: content/2026-Q4/acme/two.md:1: objective has 2 key results" in run.out


def test_a_big_change_is_capped(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    many = MAX_OBJECTIVES + 5
    files = {
        f"content/2026-Q4/acme/o{n}.md": objective(f"title: O{n}\nowner: acme\nperiod: 2026-Q4")
        for n in range(many)
    }
    base = commit(repo, BASE)
    commit(repo, files)
    added = diff(repo, base).out
    assert f"{many} objectives added" in added
    assert added.count("- **O") == MAX_ITEMS
    assert f"- …and {many - MAX_ITEMS} more objectives" in added
    retitled = {path: text.replace("title: O", "title: P") for path, text in files.items()}
    middle = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, retitled)
    changed = diff(repo, middle).out
    assert changed.count("- Retitled") == MAX_OBJECTIVES
    assert "…and 5 more changed objectives." in changed


def test_no_change(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    commit(repo, BASE)
    run = diff(repo, "HEAD", "HEAD")
    assert run.code == 0
    assert run.out.endswith("\n\nNo changes to the OKRs.\n")


def test_shallow_clone_with_the_base_fetched(tmp_path: Path) -> None:
    repo, base, _ = make_repo(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    missing = diff(clone, base)
    assert missing.code == 2
    assert f"unknown revision '{base}'" in missing.err
    assert "git fetch --depth 1 origin" in missing.err
    git(clone, "fetch", "-q", "--depth", "1", "origin", base)
    run = diff(clone, base)
    assert run.code == 0, run.err
    assert "1 objective added" in run.out


def test_errors_are_usage_errors_without_traceback(tmp_path: Path) -> None:
    repo, base, _ = make_repo(tmp_path)
    unknown = diff(repo, "no-such-branch")
    assert (unknown.code, unknown.out) == (2, "")
    assert unknown.err.startswith("okrpub: error: unknown revision 'no-such-branch'")
    plain = tmp_path / "plain"
    plain.mkdir()
    outside = diff(plain, "HEAD")
    assert outside.code == 2
    assert "is not in a git repository" in outside.err
    commit(repo, {"okrpub.yaml": "title: [unclosed\n"})
    broken = diff(repo, base)
    assert broken.code == 2
    assert broken.err.startswith("okrpub: error: the project in ")
    assert "okrpub.yaml:" in broken.err and "Traceback" not in broken.err


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    base = commit(repo, {f"okrs/{path}": text for path, text in BASE.items()})
    commit(repo, {"okrs/content/2026-Q4/acme/hire.md": NEW_OBJECTIVE})
    run = diff(repo / "okrs", base)
    assert run.code == 0, run.err
    assert "- **Hire well** (`hire`)" in run.out


_INLINE = markdown_it.MarkdownIt("commonmark")


@given(st.text())
def test_escaped_text_renders_as_itself(text: str) -> None:
    """Whatever a title or note holds, the comment shows it as text: no markup, no HTML."""
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    rendered = _INLINE.renderInline(f"x {escaped} y")
    assert "<" not in rendered.replace("&lt;", "")
    printable = "".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text)
    assert " ".join(html.unescape(rendered).split()) == " ".join(f"x {printable} y".split())


def test_removed_objective_and_binary_key_result(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    base = commit(repo, BASE)
    commit(repo, {GROW: BASE[GROW].replace("done: true", "done: false"), LEADS: None})
    out = diff(repo, base).out
    assert "1 objective removed, 1 objective changed, 1 problem introduced." in out
    assert "content/2026-Q4/acme/grow.md:18: key result 'launch' has had no check-in" in out
    assert "#### Removed objectives\n\n- **More leads** (`more-leads`)\n" in out
    assert "- **Launch the shop** (`launch`): current done → not done; progress 100% → 0%" in out
    assert "(`revenue`)" not in out  # unchanged key results are not listed


def test_a_project_theme_with_its_own_language(tmp_path: Path) -> None:
    """The theme folder of the revision is read too: it may hold the configured language."""
    repo = init_repo(tmp_path / "repo")
    theme = {"okrpub.yaml": "theme: house\nlanguage: xx\n", "house/locales/xx.yaml": "{}\n"}
    base = commit(repo, {**BASE, **theme})
    run = diff(repo, base)
    assert run.code == 0, run.err
    assert run.out.endswith("No changes to the OKRs.\n")
