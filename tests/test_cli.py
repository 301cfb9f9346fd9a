"""The command line around ``check``: ``init``, ``--version``, ``--help``, ``python -m okrpub``."""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sitetools import REPOSITORY, TODAY, inside

from okrpub import __version__
from okrpub.cli.main import main
from okrpub.edit.scaffold import project_files


def files_under(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def commands(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The commands ``okrpub --help`` lists."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    listing = text.split("COMMAND\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^    (\w+) ", listing, flags=re.MULTILINE)


# -- init ------------------------------------------------------------------------------------


def init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["init", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("today", [TODAY, "2026-01-01", "2028-02-29", "2027-12-31"])
def test_init_creates_a_project_without_errors(tmp_path: Path, capsys, check, today: str) -> None:
    project = tmp_path / "okrs"
    code, out, _ = init(capsys, str(project), "--today", today)
    assert code == 0
    assert set(files_under(project)) == set(project_files(dt.date.fromisoformat(today)))
    for relative in project_files(dt.date.fromisoformat(today)):
        assert f"created {project / relative}\n" in out
    result = check(project, "--format", "json", today=today)
    assert [d for d in json.loads(result.out) if d["severity"] == "error"] == []
    assert result.code == 0


def test_init_uses_the_quarter_of_today(tmp_path: Path, capsys) -> None:
    init(capsys, str(tmp_path), "--today", "2026-05-20")
    assert (tmp_path / "content/2026-Q2/_defaults.yaml").read_text() == "period: 2026-Q2\n"


def test_init_in_the_current_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = init(capsys, "--today", TODAY)
    assert code == 0
    assert (tmp_path / "okrpub.yaml").is_file()
    assert (tmp_path / "content/units/company.md").is_file()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, capsys) -> None:
    (tmp_path / "okrpub.yaml").write_text("title: Mine\n")
    (tmp_path / "content/units").mkdir(parents=True)
    (tmp_path / "content/units/alex.md").write_text("my own alex\n")
    before = files_under(tmp_path)
    code, out, err = init(capsys, str(tmp_path), "--today", TODAY)
    assert code == 2
    assert out == ""
    assert err == (
        "okrpub: error: refusing to overwrite existing files: "
        f"{tmp_path / 'content/units/alex.md'}, {tmp_path / 'okrpub.yaml'}\n"
    )
    assert files_under(tmp_path) == before


def test_init_twice_refuses_the_second_time(tmp_path: Path, capsys) -> None:
    assert init(capsys, str(tmp_path), "--today", TODAY)[0] == 0
    before = files_under(tmp_path)
    assert init(capsys, str(tmp_path), "--today", TODAY)[0] == 2
    assert files_under(tmp_path) == before


def test_init_with_a_bad_today_writes_nothing(tmp_path: Path, capsys) -> None:
    code, _, err = init(capsys, str(tmp_path / "new"), "--today", "someday")
    assert code == 2
    assert err == "okrpub: error: --today must be a date such as 2026-11-26, got 'someday'\n"
    assert not (tmp_path / "new").exists()


# -- version and help ------------------------------------------------------------------------


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"okrpub {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_help_lists_the_core_commands(capsys) -> None:
    assert {"init", "check"} <= set(commands(capsys))


def test_help_of_every_command(capsys) -> None:
    for command in commands(capsys):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: okrpub {command} ")


def test_check_help_names_its_options(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    for option in ("--strict", "--format", "{text,json,github,gitlab}", "--today"):
        assert option in out


def test_no_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "usage: okrpub" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["publish"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'publish'" in capsys.readouterr().err


def test_python_m_okrpub_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "okrpub", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: okrpub ")
    assert "check" in result.stdout


def test_python_m_okrpub_check(make_project) -> None:
    project = make_project({"content/units/broken.md": ""})
    result = subprocess.run(
        [sys.executable, "-m", "okrpub", "check", "--today", TODAY],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == (
        "content/units/broken.md:1:1: error: file is empty; it needs YAML front matter "
        "[front-matter]\n"
    )
    assert "Traceback" not in result.stderr


def python_in_repository(program: str) -> subprocess.CompletedProcess[str]:
    """``python -c PROGRAM`` run in the repository (the example project)."""
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_check_does_not_load_the_renderer_server_or_git() -> None:
    """``check`` runs on every pull request: it starts without what only other commands use."""
    program = (
        "import sys; from okrpub.cli.main import main; code = main(['check', '--today', "
        f"'{TODAY}', '--no-cache']); "
        "print(sorted(m for m in sys.modules if m.startswith('okrpub.'))); sys.exit(code)"
    )
    result = python_in_repository(program)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().splitlines()[-1]
    assert "'okrpub.source.load'" in loaded
    for module in (
        "engine.build",
        "serve",
        "site.views",
        "site.markdown",
        "git",
        "edit.checkin",
        "edit.scaffold",
    ):
        assert f"'okrpub.{module}" not in loaded, module


@pytest.mark.parametrize("command", ["check", "build"])
def test_main_leaves_the_garbage_collector_as_it_was(tmp_path: Path, command: str) -> None:
    """``check`` runs without the cyclic collector and ``build`` with a high threshold
    (cli.GC_THRESHOLD); a program calling main() gets its own settings back."""
    threshold = gc.get_threshold()
    arguments = ["--out", str(tmp_path / "site")] if command == "build" else []
    with inside(REPOSITORY):
        assert main([command, "--today", TODAY, "--no-cache", *arguments]) == 0
    assert gc.isenabled()
    assert gc.get_threshold() == threshold


def test_the_command_ends_without_tearing_python_down() -> None:
    """Freeing a large model object by object at exit took a second; the command skips it
    once its output is out (``run``), so nothing registered to run at exit runs."""
    program = (
        "import atexit, sys; atexit.register(print, 'torn down', file=sys.stderr); "
        f"sys.argv = ['okrpub', 'check', '--today', '{TODAY}', '--no-cache']; "
        "from okrpub.cli.main import run; run()"
    )
    result = python_in_repository(program)
    assert result.returncode == 0, result.stderr
    assert "torn down" not in result.stderr
    assert re.match(r"checked \d+ objectives and \d+ units: 0 errors", result.stderr)
    assert result.stdout.endswith("[stale]\n")


def test_a_reader_that_stops_early_ends_the_command_quietly(make_project) -> None:
    """``okrpub check | head``: the rest of the output has nowhere to go, and no traceback
    says so."""
    checkins = "[{date: 2026-11-02, value: 5}]"
    stale = "".join(f"  - {{title: K{n}, target: 10, checkins: {checkins}}}\n" for n in range(3))
    project = make_project(
        {
            f"content/2026-Q4/sales/lead-{index}.md": (
                f"---\ntitle: Leads {index}\nowner: sales\nparent: grow\nkey_results:\n{stale}---\n"
            )
            for index in range(300)
        }
    )
    with subprocess.Popen(
        [sys.executable, "-m", "okrpub", "check", "--today", TODAY, "--no-cache"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read()
        code = process.wait(timeout=60)
    assert first.endswith(b"[stale]\n")
    assert error == b""
    assert code == 141
