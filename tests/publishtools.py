"""A small public-sector project with branding, footer pages and footer links: what the
tests of publishing (``test_publish.py``, ``test_browser_publish.py``) build."""

from __future__ import annotations

from sitetools import md

BASE_URL = "https://okr.example.org/"
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48">'
    b'<rect width="48" height="48" rx="8" fill="#ffffff"/>'
    b'<path d="M8 36 24 10 40 36z" fill="#0b6e4f"/></svg>\n'
)
PRIMARY = "#0b6e4f"

CONFIG = f"""\
title: Town of Example
base_url: "{BASE_URL}"
default_visibility: public
logo: branding/logo.svg
primary_colour: "{PRIMARY}"
footer_text: "Town of Example, Main Street 1"
footer_links:
  - {{title: Contact, url: "mailto:okr@example.org"}}
  - {{title: Open data, url: "https://data.example.org/"}}
"""

#: Free pages: two in the footer (in ``nav_order``), one in the header, one nowhere.
PAGES = {
    "content/pages/privacy.md": md(
        "title: Privacy statement\nnav: footer\nnav_order: 2\nnav_title: Privacy\n",
        "We keep no data about visitors.\n",
    ),
    "content/pages/accessibility.md": md(
        "title: Accessibility statement\nnav: footer\nnav_order: 1\n",
        "This site aims at WCAG 2.1 AA.\n",
    ),
    "content/pages/about.md": md(
        "title: About these OKRs\nnav_title: About\n", "How the town sets its goals.\n"
    ),
    "content/pages/draft-notes.md": md("title: Notes\nnav: none\n", "Only linked by hand.\n"),
}

PROJECT: dict[str, str | bytes] = {
    "okrpub.yaml": CONFIG,
    "branding/logo.svg": LOGO,
    "content/units/town.md": md(
        "name: Town of Example\nkind: company\n",
        "The town's services for its **12,000** residents.\n",
    ),
    "content/units/roads.md": md("name: Roads\nkind: team\nparent: town\n"),
    "content/2026-Q4/clean-streets.md": md(
        """
        title: Clean streets in every district
        owner: town
        period: 2026-Q4
        key_results:
          - title: Newspapers recycled
            start: 0
            target: 3
            unit: newspapers
            unit_singular: newspaper
            checkins: [{date: 2026-11-24, value: 1, confidence: 0.8}]
          - title: Litter bins emptied
            start: 0
            target: 20000
            unit: bins
            checkins: [{date: 2026-11-24, value: 1234.5, confidence: 0.8}]
          - {title: New sweeping rota, done: true}
        """,
        'Residents told us the streets are "not clean enough" <em>& we listen</em>.\n\n'
        "A second paragraph.\n",
    ),
    "content/2026-Q4/fix-roads.md": md(
        """
        title: Fix the roads
        owner: roads
        period: 2026-Q4
        parent: clean-streets
        key_results:
          - title: Potholes fixed
            start: 0
            target: 100
            unit: potholes
            checkins: [{date: 2026-11-24, value: 60, confidence: 0.8}]
          - {title: Report form online, done: true}
          - {title: Road survey done, done: false}
        """
    ),
    **PAGES,
}
