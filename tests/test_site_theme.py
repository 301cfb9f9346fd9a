"""Themes and languages: a project theme overrides the default by file name; ``en`` and ``nl``.

docs/themes.md: ``theme`` is a folder whose templates override the default theme's by
name; static files and locale files do the same. A broken theme is a
usage error (exit 2) with the template's name, never a traceback. ``language``
sets every word of the interface and the dates; a language without a locale
file is a configuration error.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from sitetools import (
    REPOSITORY,
    SMALL_PROJECT,
    build,
    calls_from_now_on,
    main_of,
    parse_html,
    tree_of,
    write_files,
)

from okrpub.config import DEFAULT_THEME
from okrpub.engine import templates as templates_module
from okrpub.engine.templates import COMPILED_TEMPLATES
from okrpub.site.i18n import load_locale

CUSTOM_404 = """{% extends "base.html" %}
{% block title %}Lost{% endblock %}
{% block main %}
<h1>Lost in the smoke</h1>
<p><a href="{{ urls.home() }}">{{ t('notfound.home') }}</a></p>
{% endblock %}
"""
CUSTOM_CSS = "/* the project's own stylesheet */\nbody { color: black; }\n"

SMALL = SMALL_PROJECT


def copy_example(root: Path, config: str) -> Path:
    """The example's content with this ``okrpub.yaml``."""
    shutil.copytree(REPOSITORY / "content", root / "content")
    (root / "okrpub.yaml").write_text(config, encoding="utf-8")
    return root


def example_config(**extra: str) -> str:
    text = (REPOSITORY / "okrpub.yaml").read_text(encoding="utf-8")
    return text + "".join(f"{key}: {value}\n" for key, value in extra.items())


# Project theme overrides -------------------------------------------------------


@pytest.fixture(scope="module")
def themed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("themed"), example_config(theme="mytheme"))
    write_files(
        root / "mytheme",
        {
            "templates/404.html": CUSTOM_404,
            "static/okrpub.css": CUSTOM_CSS,
            "static/img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
        },
    )
    out = root.parent / "site"
    result = build(root, out)
    assert result.code == 0, result.err
    return out


def test_overridden_template_is_used(themed: Path) -> None:
    page = parse_html(themed / "404.html")
    assert page.find("h1").text == "Lost in the smoke"
    assert page.find("title").text == "Lost · Smokey Joe's OKRs"
    # the override extends the default base.html: header, navigation and footer are there
    assert page.find("nav", class_="site-nav")
    assert page.find("footer")


def test_other_files_fall_back_to_the_default_theme(themed: Path, example_site: Path) -> None:
    mine, default = tree_of(themed), tree_of(example_site)
    changed = {name for name in default if mine.get(name) != default[name]}
    assert changed == {"404.html", "static/okrpub.css"}
    assert set(mine) - set(default) == {"static/img/logo.svg"}


def test_project_static_file_overrides_by_name(themed: Path) -> None:
    assert (themed / "static" / "okrpub.css").read_text(encoding="utf-8") == CUSTOM_CSS
    default_js = (DEFAULT_THEME / "static" / "okrpub.js").read_bytes()
    assert (themed / "static" / "okrpub.js").read_bytes() == default_js


def test_missing_theme_folder_is_a_usage_error(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", {**SMALL, "okrpub.yaml": "theme: nowhere\n"})
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert "nowhere" in result.err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% if %}", "404.html:1"),
        ("{% extends 'base.html' %}{% block main %}{% endblock %", "404.html:1"),
        ("first line\n{{ 1 + 'a' }}", "404.html:2: TypeError"),
        ("{{ no_such_variable }}", "404.html:1: 'no_such_variable' is undefined"),
        ("{{ urls.nothing() }}", "404.html:1"),
        ("{% include 'missing.html' %}", "missing.html"),
        ("{{ t('no.such.string') }}", "no string 'no.such.string'"),
    ],
)
def test_broken_template_is_a_usage_error_naming_it(
    tmp_path: Path, template: str, message: str
) -> None:
    project = write_files(tmp_path / "project", {**SMALL, "okrpub.yaml": "theme: broken\n"})
    out = tmp_path / "site"
    write_files(out, {"index.html": "previous site"})
    write_files(project / "broken", {"templates/404.html": template})
    result = build(project, out)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.startswith("okrpub: error:")
    assert message in result.err
    assert tree_of(out) == {"index.html": b"previous site"}


# Languages ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dutch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(
        tmp_path_factory.mktemp("nl"), example_config().replace("language: en", "language: nl")
    )
    out = root.parent / "site"
    result = build(root, out)
    assert result.code == 0, result.err
    return out


def test_dutch_words_dates_and_numbers(dutch: Path) -> None:
    document = parse_html(dutch / "index.html")
    assert document.find("html").attrs["lang"] == "nl"
    main = document.find("main")
    assert main.find("h1").text == "Hoe staan we ervoor in 2026-Q4"
    assert "1 oktober 2026 – 31 december 2026" in main.find("p", class_="lead").text
    # the running quarter has a progress and no grade (it showed "Totaalcijfer niet
    # beoordeeld"); the closed one a grade: decimal comma, colour in Dutch
    assert "Voortgang46%" in main.text
    assert "Totaalcijfer" not in main.text
    # (0.70: best-summer-ever-q3 is graded as a whole, 0.7 where its key results give 0.76)
    assert "0,70 (groen) · 17 van 18 beoordeeld" in main.text
    assert "26 november 2026" in document.find("footer").text
    assert "Overall grade" not in main.text


def test_dutch_objective_page(dutch: Path) -> None:
    page = main_of(dutch / "objectives" / "grow-to-1m-online" / "index.html")
    sales = page.find("li", class_="key-result", id="kr-online-sales")
    assert "€ 1.000.000" in sales.text  # thousands with a dot
    assert "23 november 2026" in sales.text
    assert "Toegezegd" in page.find("p", class_="lead").text  # committed


def test_dutch_tells_an_objective_from_a_target(dutch: Path) -> None:
    """ "Doelstelling" is an objective, "Streefwaarde" a target: never both "Doel"."""
    status = main_of(dutch / "status" / "index.html")
    # each key result's objective is named under its title (it had a column of its own)
    assert status.find("span", class_="kr-objective").text.startswith("Doelstelling:")
    sales = main_of(dutch / "objectives" / "grow-to-1m-online" / "index.html").find(
        "li", class_="key-result", id="kr-online-sales"
    )
    assert "Streefwaarde" in sales.text
    assert "streefwaarde" in sales.find("svg").text


def test_the_locales_have_the_same_strings_and_placeholders() -> None:
    def placeholders(language: str) -> dict[str, set[str]]:
        path = DEFAULT_THEME / "locales" / f"{language}.yaml"
        strings = yaml.safe_load(path.read_text(encoding="utf-8"))["strings"]
        return {key: set(re.findall(r"\{(\w+)\}", text)) for key, text in strings.items()}

    assert placeholders("nl") == placeholders("en")
    words = yaml.safe_load((DEFAULT_THEME / "locales" / "nl.yaml").read_text(encoding="utf-8"))
    assert {"kr.target", "status.objective"} <= words["strings"].keys()
    assert words["strings"]["kr.target"] != words["strings"]["status.objective"]


def test_language_does_not_change_the_data(dutch: Path, example_site: Path) -> None:
    assert (dutch / "api" / "okrs.json").read_bytes() == (
        example_site / "api" / "okrs.json"
    ).read_bytes()
    assert b'xml:lang="nl"' in (dutch / "feed.xml").read_bytes()


def test_language_without_a_locale_file_is_a_config_error(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", {**SMALL, "okrpub.yaml": "language: fr\n"})
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert "okrpub.yaml:1:11: error: no interface language 'fr'" in result.out
    assert not (tmp_path / "site").exists()


def build_in_pirate(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """The small project built in a project theme's language ``pirate``: the English
    locale file as ``change`` leaves it. The built site."""
    strings = yaml.safe_load((DEFAULT_THEME / "locales" / "en.yaml").read_text(encoding="utf-8"))
    change(strings)
    project = write_files(
        tmp_path / "project",
        {
            **SMALL,
            "okrpub.yaml": "language: pirate\ntheme: mytheme\n",
            "mytheme/locales/pirate.yaml": yaml.safe_dump(strings, allow_unicode=True),
        },
    )
    result = build(project, tmp_path / "site")
    assert result.code == 0, result.out + result.err
    return tmp_path / "site"


def test_project_theme_can_add_a_language(tmp_path: Path) -> None:
    def change(strings: dict[str, Any]) -> None:
        # (this was home.overall_grade, which a running period no longer shows)
        strings["strings"]["home.progress"] = "Booty so far"
        strings["months"][10] = "Brumaire"

    site = build_in_pirate(tmp_path, change)
    document = parse_html(site / "index.html")
    assert document.find("html").attrs["lang"] == "pirate"
    assert "Booty so far" in document.find("main").text
    assert "26 Brumaire 2026" in document.find("footer").text


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("strings: {}\n", "xx.yaml: missing or wrong entry"),
        ("strings: [unclosed\n", "xx.yaml: not a readable YAML file"),
    ],
    ids=["incomplete", "not YAML"],
)
def test_broken_locale_file_is_a_usage_error(tmp_path: Path, locale: str, said: str) -> None:
    project = write_files(
        tmp_path / "project",
        {
            **SMALL,
            "okrpub.yaml": "language: xx\ntheme: mytheme\n",
            "mytheme/locales/xx.yaml": locale,
        },
    )
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert "Traceback" not in result.err
    assert said in result.err


# Compiled templates in the user's cache folder ----------------------------------


def compiled_from_now_on(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of every template that is compiled from its source."""
    return calls_from_now_on(
        monkeypatch, jinja2.Environment, "compile", lambda environment, source, name, *rest: name
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example with a theme of its own, and a user cache folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = copy_example(tmp_path / "project", example_config(theme="mytheme"))
    write_files(root / "mytheme", {"templates/404.html": CUSTOM_404})
    return root


def compiled_folder(project: Path) -> Path:
    return project.parent / "user-cache" / "okrpub" / COMPILED_TEMPLATES


def test_a_second_build_compiles_no_template(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = compiled_from_now_on(monkeypatch)
    assert build(project, project.parent / "site").code == 0
    assert "objective.html" in compiled
    compiled.clear()
    assert build(project, project.parent / "again").code == 0
    assert compiled == []
    assert tree_of(project.parent / "again") == tree_of(project.parent / "site")


def test_an_edited_template_is_compiled_again(project: Path) -> None:
    assert build(project, project.parent / "site").code == 0
    template = project / "mytheme" / "templates" / "404.html"
    template.write_text(CUSTOM_404.replace("Lost in the smoke", "Found again"), encoding="utf-8")
    assert build(project, project.parent / "again").code == 0
    assert parse_html(project.parent / "again" / "404.html").find("h1").text == "Found again"


def test_compiled_templates_are_never_taken_from_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading compiled code runs it: a pull request can write the project's cache folder,
    so compiled templates are kept in the user's own, and a build with the cache writes
    none into the project (nor reads what is there)."""
    assert build(project, project.parent / "site").code == 0
    assert list(compiled_folder(project).glob("*/*"))
    assert not (project / ".okrpub-cache" / COMPILED_TEMPLATES).exists()
    moved = project / ".okrpub-cache" / COMPILED_TEMPLATES
    compiled_folder(project).rename(moved)  # as an older okrpub kept them
    compiled = compiled_from_now_on(monkeypatch)
    assert build(project, project.parent / "again").code == 0
    assert "objective.html" in compiled
    assert tree_of(project.parent / "again") == tree_of(project.parent / "site")


def test_templates_compiled_by_another_okrpub_are_not_used(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(project, project.parent / "site").code == 0
    (earlier,) = compiled_folder(project).iterdir()
    monkeypatch.setattr(templates_module, "code_version", lambda: "another")
    compiled = compiled_from_now_on(monkeypatch)
    assert build(project, project.parent / "again").code == 0
    assert "objective.html" in compiled
    assert not earlier.exists()  # the other okrpub's templates are removed
    assert [folder.name for folder in compiled_folder(project).iterdir()] == ["another"]


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "9,007,199,254,740,993"), ("nl", "9.007.199.254.740.993")]
)
def test_a_whole_number_keeps_every_digit(tmp_path: Path, language: str, shown: str) -> None:
    """2**53 + 1 has no float: formatting it through one showed ...992."""
    config = example_config().replace("language: en", f"language: {language}")
    root = copy_example(tmp_path / "project", config)
    summer = root / "content" / "2026-Q3" / "warehouse" / "summer-peak-q3.md"
    text = summer.read_text(encoding="utf-8")
    summer.write_text(text.replace("target: 85\n", "target: 9007199254740993\n", 1), "utf-8")
    result = build(root, tmp_path / "site")
    assert result.code == 0, result.err
    page = main_of(tmp_path / "site" / "objectives" / "summer-peak-q3" / "index.html")
    assert shown in page.find("li", class_="key-result", id="kr-same-day-q3").text
    assert shown[:-1] + "2" not in page.text


def test_a_heading_with_a_period_escapes_the_locale_string_once(tmp_path: Path) -> None:
    """The period is markup (kept on one line), so the string around it is escaped with it."""

    def change(strings: dict[str, Any]) -> None:
        strings["strings"]["home.heading"] = "Q&A <b>not bold</b> for {period}"

    site = build_in_pirate(tmp_path, change)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<h1 id="home-heading">Q&amp;A &lt;b&gt;not bold&lt;/b&gt; for '
        '<span class="unbroken">2026-Q4</span></h1>'
    ) in html


def test_each_locale_writes_a_day_in_its_own_words_every_time() -> None:
    """A day's text is in its locale's words, whichever locale wrote one before."""
    english, dutch = (load_locale([DEFAULT_THEME], language) for language in ("en", "nl"))
    day = dt.date(2026, 3, 5)
    assert [english.date(day), dutch.date(day), english.date(day)] == [
        "5 March 2026",
        "5 maart 2026",
        "5 March 2026",
    ]
    assert dutch.date(dt.date(2026, 10, 1)) == "1 oktober 2026"
    assert english == load_locale([DEFAULT_THEME], "en")
