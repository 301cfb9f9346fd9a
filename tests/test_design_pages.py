"""Link previews' image (``social_image``, og:image, twitter:card) and the period page of
a period whose objectives are all unaligned (#18 items 4 and 5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from publishtools import BASE_URL, LOGO, PROJECT
from sitetools import REPOSITORY, build, md, parse_html, run_okrpub

MakeProject = Callable[..., Path]

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
#: The publishing project's okrpub.yaml without its logo and base_url lines.
PLAIN_CONFIG = "\n".join(
    line
    for line in str(PROJECT["okrpub.yaml"]).splitlines()
    if not line.startswith(("logo:", "base_url:"))
)


def images_of(page: Path) -> tuple[str | None, str | None]:
    """The page's og:image and twitter:card, if any."""
    metas = parse_html(page).find_all("meta")
    found = {m.attrs.get("property") or m.attrs.get("name"): m.attrs.get("content") for m in metas}
    return found.get("og:image"), found.get("twitter:card")


def site_with(make_project: MakeProject, out: Path, config: str, **files: str | bytes) -> Path:
    project = make_project({**PROJECT, "okrpub.yaml": config, **files}, base=False)
    result = build(project, out)
    assert result.code == 0, result.out + result.err
    return out


def test_a_social_image_is_every_pages_link_preview(
    make_project: MakeProject, tmp_path: Path
) -> None:
    config = f'{PLAIN_CONFIG}\nbase_url: "{BASE_URL}"\nsocial_image: branding/card.png\n'
    site = site_with(make_project, tmp_path / "site", config, **{"branding/card.png": PNG})
    assert (site / "brand" / "social.png").read_bytes() == PNG
    for page in ("index.html", "objectives/clean-streets/index.html", "pages/about/index.html"):
        assert images_of(site / page) == (f"{BASE_URL}brand/social.png", "summary_large_image")


def test_without_a_social_image_a_raster_logo_is_the_preview(
    make_project: MakeProject, tmp_path: Path
) -> None:
    config = f'{PLAIN_CONFIG}\nbase_url: "{BASE_URL}"\nlogo: branding/logo.png\n'
    site = site_with(make_project, tmp_path / "site", config, **{"branding/logo.png": PNG})
    assert images_of(site / "index.html") == (f"{BASE_URL}brand/logo.png", "summary")


def test_an_svg_logo_is_no_preview_and_no_base_url_means_no_image(
    make_project: MakeProject, tmp_path: Path
) -> None:
    svg = site_with(make_project, tmp_path / "svg", str(PROJECT["okrpub.yaml"]))
    assert (svg / "brand" / "logo.svg").read_bytes() == LOGO
    assert images_of(svg / "index.html") == (None, None)
    # og:image must be an absolute URL: without base_url there is none (the file is there)
    config = f"{PLAIN_CONFIG}\nsocial_image: branding/card.png\n"
    relative = site_with(make_project, tmp_path / "rel", config, **{"branding/card.png": PNG})
    assert (relative / "brand" / "social.png").is_file()
    assert images_of(relative / "index.html") == (None, None)


def test_a_social_image_must_be_a_raster_image_in_the_project(
    make_project: MakeProject, tmp_path: Path
) -> None:
    cases = {
        "branding/logo.svg": "social_image must be the path of an image file inside the "
        "project (.png, .jpg, .jpeg, .webp, .gif), such as 'social.png', got "
        "'branding/logo.svg' [schema]",
        "branding/missing.png": "social_image 'branding/missing.png' cannot be used: there is "
        "no such file; give the path of an image file inside the project (no symbolic link) "
        "[config]",
        "branding/fake.png": "social_image 'branding/fake.png': it is not a PNG image [config]",
    }
    for path, message in cases.items():
        config = f"title: Town\nsocial_image: {path}\n"
        project = make_project(
            {**PROJECT, "okrpub.yaml": config, "branding/fake.png": b"GIF89a"}, base=False
        )
        result = build(project, tmp_path / "site")
        assert result.code == 2, path
        line = next(line for line in result.out.splitlines() if "social_image" in line)
        assert line.startswith("okrpub.yaml:2:15: error: ") and line.endswith(message), line


def test_the_config_schema_knows_social_image() -> None:
    schema = json.loads(run_okrpub(REPOSITORY, "schema", "config").out)
    image = schema["properties"]["social_image"]
    assert image["type"] == "string" and "svg" not in image["pattern"]


def test_a_period_of_unaligned_objectives_does_not_say_it_has_none(
    make_project: MakeProject, tmp_path: Path
) -> None:
    alone = md(
        """
        title: Work alone
        owner: sales
        period: 2027-Q1
        key_results:
          - {title: Calls, start: 0, target: 10}
        """
    )
    project = make_project({"content/2027-Q1/alone.md": alone})
    result = build(project, tmp_path / "site")
    assert result.code == 0, result.out + result.err
    text = parse_html(tmp_path / "site" / "periods" / "2027-q1" / "index.html").text
    assert "No objectives in this period" not in text
    assert "Nothing in this period aligns to a higher objective yet" in text
    assert "Work alone" in text


def test_a_grade_has_the_colour_of_the_number_it_shows(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """Grades 0.7, 0.7125 and 0.6833 have the mean 0.6986: shown as 0.70, so green."""

    def graded(name: str, score: float) -> str:
        return md(
            f"title: {name}\nowner: sales\nperiod: 2026-Q3\nscore: {score}\nkey_results:\n"
            "  - {title: Calls, start: 0, target: 10, current: 7}\n"
        )

    files = {
        f"content/2026-Q3/{name}.md": graded(name, score)
        for name, score in (("first", 0.7), ("second", 0.7125), ("third", 0.6833))
    }
    result = build(make_project(files), tmp_path / "site")
    assert result.code == 0, result.out + result.err
    page = parse_html(tmp_path / "site" / "periods" / "2026-q3" / "index.html")
    lead = page.find("p", **{"class": "lead"})
    grade = lead.find("a", **{"class": "grade grade-green"})
    assert grade is not None and grade.text.startswith("0.70"), lead.raw_text()


def test_the_home_page_says_how_many_objectives_its_status_counts_cover(
    example_site: Path,
) -> None:
    """9 objectives, one without key results: the status counts add up to 8, and the
    page says so (missing is not zero)."""
    lead = parse_html(example_site / "index.html").find("p", **{"class": "lead"})
    assert "8 of 9 objectives have numbers" in lead.text


def test_what_aligns_to_an_unaligned_objective_is_on_the_period_page(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """A person's objective under a team objective that aligns to nothing was on no
    period page: neither in the cascade nor among the unaligned."""
    team = md(
        """
        title: Team goal
        owner: sales
        period: 2026-Q4
        key_results:
          - {title: Calls, start: 0, target: 10}
        """
    )
    child = md(
        """
        title: My part of the team goal
        owner: jo
        period: 2026-Q4
        parent: team-goal
        key_results:
          - {title: Calls, start: 0, target: 5}
        """
    )
    files = {"content/2026-Q4/team-goal.md": team, "content/2026-Q4/my-part.md": child}
    result = build(make_project(files), tmp_path / "site")
    assert result.code == 0, result.out + result.err
    page = parse_html(tmp_path / "site" / "periods" / "2026-q4" / "index.html")
    unaligned = page.find("section", id="unaligned")
    assert "../../objectives/my-part/index.html" in unaligned.hrefs()
    assert "../../objectives/team-goal/index.html" in unaligned.hrefs()
