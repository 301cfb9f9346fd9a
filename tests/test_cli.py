"""The command line around ``check``: ``init``, ``--version``, ``--help``, ``python -m okrpub``,
``build --stats`` and the progress line."""

from __future__ import annotations

import datetime as dt
import errno
import gc
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sitetools import REPOSITORY, SMALL_PROJECT, TODAY, build, inside, run_okrpub, write_files

from okrpub import __version__
from okrpub.cli import process
from okrpub.cli.main import main
from okrpub.cli.progress import ProgressLine
from okrpub.edit.scaffold import project_files
from okrpub.engine.stats import KINDS, PAGES_RENDERED


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
        "edit.yamledit",
        "edit.scaffold",
    ):
        assert f"'okrpub.{module}" not in loaded, module


@pytest.mark.parametrize("command", ["check", "build"])
def test_main_leaves_the_garbage_collector_as_it_was(tmp_path: Path, command: str) -> None:
    """``check`` runs without the cyclic collector and ``build`` with it only while it
    renders, with a high threshold (cli.process.GC_THRESHOLD); a program calling main()
    gets its own settings back."""
    threshold = gc.get_threshold()
    arguments = ["--out", str(tmp_path / "site")] if command == "build" else []
    with inside(REPOSITORY):
        assert main([command, "--today", TODAY, "--no-cache", *arguments]) == 0
    assert gc.isenabled()
    assert gc.get_threshold() == threshold


def test_build_collects_garbage_only_while_it_renders() -> None:
    """What a build analyses makes no reference cycles, so the collector is off (as for
    ``check``) until the pages are rendered, and then on with the high threshold."""
    threshold = gc.get_threshold()
    try:
        gc.disable()
        with process.rendering():
            assert gc.isenabled()
            assert gc.get_threshold()[0] == process.GC_THRESHOLD
        assert not gc.isenabled()
        assert gc.get_threshold() == threshold
    finally:
        gc.enable()


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
    stale = "".join(
        f"  - {{title: K{n}, target: 10, checkins: {checkins}, start: 0}}\n" for n in range(3)
    )
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


# -- build --stats and the progress line -----------------------------------------------------


def stats_of(out: str) -> dict[str, int]:
    """The counts ``build --stats`` printed, by kind."""
    found = re.findall(r"^([a-z ]+): (\d+)$", out, flags=re.MULTILINE)
    return {kind: int(number) for kind, number in found}


def without_time(line: str) -> str:
    return re.sub(r"[0-9.]+ s$", "", line)


def test_build_stats_prints_what_the_build_did_and_a_second_build_renders_nothing(
    tmp_path: Path,
) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    out = tmp_path / "site"
    first = build(project, out, "--stats")
    assert first.code == 0, first.err
    counts = stats_of(first.out)
    assert list(counts) == list(KINDS)
    assert counts[PAGES_RENDERED] >= int(re.findall(r"(\d+) pages", first.out)[0]) > 0
    assert re.search(r"^time: \d+\.\d\d s$", first.out, flags=re.MULTILINE)
    built = first.out.splitlines()[0]
    assert built.startswith("built internal site in ")
    second = build(project, out, "--stats")
    assert second.code == 0, second.err
    assert stats_of(second.out)[PAGES_RENDERED] == 0
    assert without_time(second.out.splitlines()[0]) == without_time(built)


def test_build_without_stats_prints_only_its_result(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    result = build(project, tmp_path / "site")
    assert result.code == 0, result.err
    assert re.fullmatch(
        r"built internal site in .*: \d+ pages, 1 objective, 0 warnings, [0-9.]+ s\n", result.out
    )


def test_build_stats_also_after_a_failed_build(tmp_path: Path) -> None:
    """The counts say what a failed build did too; the output is left as it was."""
    project = write_files(tmp_path / "project", {**SMALL_PROJECT, "content/units/bad.md": ""})
    result = run_okrpub(project, "build", "--today", TODAY, "--stats")
    assert result.code == 1
    assert stats_of(result.out)[PAGES_RENDERED] == 0
    assert "build failed: 1 error; the site was not changed" in result.err


def build_with_stderr(project: Path, stderr: int, env: dict[str, str]) -> tuple[int, str]:
    """Run ``okrpub build`` in ``project`` with stderr to ``stderr``; its code and stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "okrpub", "build", "--today", TODAY, "--no-cache"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env={**os.environ, **env},
        text=True,
        check=False,
        timeout=60,
    )
    return done.returncode, done.stdout


def read_all(descriptor: int) -> str:
    """Everything a pseudo-terminal's other side wrote, until it closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 4096)
        except OSError as error:  # Linux: EIO once the other side is closed
            assert error.errno == errno.EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


#: One drawing of the progress line (back to its start, erased, the text), then the erasing.
PROGRESS = re.compile(r"(\r\x1b\[Kokrpub: [a-z ]+( \d+/\d+)?)+\r\x1b\[K")


def test_a_build_on_a_terminal_shows_progress_on_one_line_and_clears_it(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    leader, follower = pty.openpty()
    try:
        code, out = build_with_stderr(project, follower, {"OKRPUB_PROGRESS_AFTER": "0"})
        os.close(follower)
        follower = -1
        shown = read_all(leader)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert code == 0
    assert out.startswith("built internal site")
    assert PROGRESS.fullmatch(shown), repr(shown)
    assert "okrpub: rendering" in shown


def test_a_build_shows_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", SMALL_PROJECT)
    read, write = os.pipe()
    try:
        code, out = build_with_stderr(project, write, {"OKRPUB_PROGRESS_AFTER": "0"})
        os.close(write)
        write = -1
        with os.fdopen(read, "r") as pipe:
            read = -1
            said = pipe.read()
    finally:
        for descriptor in (read, write):
            if descriptor >= 0:
                os.close(descriptor)
    assert code == 0
    assert out.startswith("built internal site")
    assert said == ""


def test_the_progress_line_waits_then_redraws_at_most_so_often() -> None:
    """Nothing for a short build; then one line, redrawn at once for a new stage and at
    most every ``every`` seconds within one; cleared at the end only if drawn."""
    now = [0.0]
    stream = io.StringIO()
    line = ProgressLine(stream, after=1.5, every=0.1, clock=lambda: now[0])
    draws = []
    for at, stage, done, total in [
        (1.0, "checking", 0, 0),
        (1.6, "checking", 0, 0),
        (1.65, "rendering", 1, 10),
        (1.7, "rendering", 2, 10),
        (1.8, "rendering", 5, 10),
    ]:
        now[0] = at
        before = stream.getvalue()
        line(stage, done, total)
        draws.append(stream.getvalue()[len(before) :])
    assert draws == [
        "",
        "\r\x1b[Kokrpub: checking",
        "\r\x1b[Kokrpub: rendering 1/10",
        "",
        "\r\x1b[Kokrpub: rendering 5/10",
    ]
    line.clear()
    assert stream.getvalue().endswith("5/10\r\x1b[K")
    quiet = io.StringIO()
    ProgressLine(quiet, after=1.5, clock=lambda: 0.0).clear()
    assert quiet.getvalue() == ""
