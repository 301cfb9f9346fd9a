"""Branding from ``okrpub.yaml``: the places in the site of the logo and of the image of
link previews, and the primary colour's style sheet.

The colour is a ``#rrggbb`` that ``okrpub.yaml`` gives (checked there). The
text on it is black or white, whichever contrasts more: one of the two always
reaches 4.5:1 (WCAG AA for text), so any colour is readable. The default
style sheet uses the colour through the custom properties ``--brand`` and
``--brand-text``, which this file sets, in light and dark mode alike.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from okrpub.config import Config

#: The site's style sheet of the primary colour.
BRAND_CSS = "brand/brand.css"


def logo_path(config: Config) -> str | None:
    """Where the site has the logo (its extension kept, in lower case), if there is one."""
    if config.logo is None:
        return None
    return f"brand/logo{PurePosixPath(config.logo).suffix.lower()}"


def social_image_path(config: Config) -> str | None:
    """Where the site has the image of link previews: the ``social_image``
    (``brand/social.<ext>``), else the logo unless it is an SVG (which chat apps and social
    networks do not show); ``None``: no image."""
    if config.social_image is not None:
        return f"brand/social{PurePosixPath(config.social_image).suffix.lower()}"
    logo = logo_path(config)
    return None if logo is None or logo.endswith(".svg") else logo


def brand_css(colour: str) -> bytes:
    """The style sheet that sets the primary colour and the text colour on it."""
    text = text_colour(colour)
    return f":root {{ --brand: {colour.lower()}; --brand-text: {text}; }}\n".encode("ascii")


def text_colour(colour: str) -> str:
    """``#000000`` or ``#ffffff``, whichever contrasts more with ``colour``."""
    black, white = contrast(colour, "#000000"), contrast(colour, "#ffffff")
    return "#000000" if black > white else "#ffffff"


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """The WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
