"""``base_url`` (``okrpub.yaml``) and ``--base-url`` (``build``): a web address or a path.

The site links to the base URL (``404.html``, the feed, the sitemap), so a
``javascript:`` URL, or ``//host`` that looks like a path but names another
host, would be a link a reader can click into someone else's hands.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitetools import TODAY, build, inside

from okrpub.cli.main import main
from okrpub.config import load_config
from okrpub.diagnostics import Diagnostics

MESSAGE = (
    "base_url must be an http:// or https:// URL or a path that starts with a single '/', "
    "such as 'https://okr.example.com/' or '/okrs/'"
)
WITH_CHARACTERS = f"{MESSAGE}, without spaces, backslashes or control characters"

BAD = {
    "javascript:alert(document.domain)//": MESSAGE,
    "JavaScript:alert(1)": MESSAGE,
    "data:text/html,<b>x</b>": MESSAGE,
    "//evil.example/": MESSAGE,
    "///evil.example/": MESSAGE,
    "https:evil.example": MESSAGE,
    "https:///path": MESSAGE,
    "ftp://files.example/": MESSAGE,
    "okrs/": MESSAGE,
    "https://[::1/": MESSAGE,
    "/\\evil.example/": WITH_CHARACTERS,
    "/\t/evil.example/": WITH_CHARACTERS,
    " javascript:alert(1)": WITH_CHARACTERS,
    "java\nscript:alert(1)": WITH_CHARACTERS,
    "https://okr.example/\u200b": WITH_CHARACTERS,
}
GOOD = ["", "/", "/okrs/", "https://okr.example.com/", "HTTP://127.0.0.1:8000/", "https://[::1]/"]


def yaml_string(value: str) -> str:
    """``value`` as a double-quoted YAML string (JSON escapes are YAML's)."""
    return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def configured(tmp_path: Path, value: str) -> tuple[str, list[str]]:
    (tmp_path / "okrpub.yaml").write_text(f"base_url: {yaml_string(value)}\n", encoding="utf-8")
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    return config.base_url, [d.as_text() for d in diagnostics]


@pytest.mark.parametrize(("value", "message"), BAD.items(), ids=list(BAD))
def test_a_base_url_that_is_no_web_address_is_a_configuration_error(
    make_project, tmp_path: Path, value: str, message: str
) -> None:
    project = make_project({"okrpub.yaml": f"title: OKRs\nbase_url: {yaml_string(value)}\n"})
    result = build(project, tmp_path / "site")
    assert result.code == 2
    assert result.out == f"okrpub.yaml:2:11: error: {message}, got {value!r} [schema]\n"
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("value", GOOD)
def test_web_addresses_and_paths_are_base_urls(tmp_path: Path, value: str) -> None:
    assert configured(tmp_path, value) == (value, [])


#: Text, often after a start that makes it look like a URL or a path.
URL_LIKE = st.builds(
    str.__add__,
    st.sampled_from(["", "/", "//", "http://", "https://", "HTTPS://", "javascript:", "/\\"]),
    st.text(max_size=20),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for one ``okrpub.yaml`` after another."""
    return tmp_path_factory.mktemp("config")


@given(value=URL_LIKE)
def test_an_accepted_base_url_links_to_the_web_and_a_path_stays_on_its_host(
    folder: Path, value: str
) -> None:
    """Whatever ``okrpub.yaml`` may say, a link under an accepted base URL from a page of
    the site is an http(s) URL, and under a path it stays on the page's host."""
    base_url, problems = configured(folder, value)
    if problems:
        assert base_url == "" and len(problems) == 1 and MESSAGE in problems[0]
        return
    assert base_url == value
    link = urljoin("https://site.example/objectives/grow/", value.rstrip("/") + "/404.html")
    link = urlsplit(link)
    assert link.scheme in ("http", "https"), value
    if value.startswith("/"):
        assert link.netloc == "site.example", value


@pytest.mark.parametrize(("value", "message"), BAD.items(), ids=list(BAD))
def test_a_bad_base_url_option_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    out = tmp_path / "site"
    with inside(tmp_path), pytest.raises(SystemExit) as exit_info:
        main(["build", "--today", TODAY, "--out", str(out), "--base-url", value])
    assert exit_info.value.code == 2
    option_message = message.removeprefix("base_url ")
    assert capsys.readouterr().err.endswith(
        f"okrpub build: error: argument --base-url: {option_message}, got {value!r}\n"
    )
    assert not out.exists()


def test_a_path_base_url_links_the_404_page_under_it(make_project, tmp_path: Path) -> None:
    project = make_project({"okrpub.yaml": "base_url: /okrs/\n"})
    assert build(project, tmp_path / "site").code == 0
    page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/okrs/static/okrpub.css"' in page
