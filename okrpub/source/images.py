"""Images a project gives the site (its logo): what they must be to be copied into it.

``okrpub.yaml`` may come from a pull request, and the site serves the logo
from its own origin: opened on its own, an SVG file runs its scripts there. So
an SVG logo must be plain drawing: XML without a document type, with no
``script`` or ``foreignObject`` element, no event handler attribute (``on…``),
and no link but to its own parts (``#id``) or to embedded images, so that it
also fetches nothing from elsewhere. A raster logo must start as its kind of
file does.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

#: How each raster kind of file begins.
_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
#: Style that fetches something: ``url(...)`` but for ``url(#id)``, and ``@import``.
_LOADS = re.compile(r"url\(\s*['\"]?(?!#)|@import", re.IGNORECASE)
#: Elements an SVG logo may not have (in any namespace).
_ACTIVE = {"script", "foreignobject", "iframe", "embed", "object"}


def image_problem(name: str, content: bytes) -> str | None:
    """Why ``content`` cannot be the image file ``name`` of the site (``None``: it can)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".svg":
        return _svg_problem(content)
    if suffix == ".webp":
        webp = content[:4] == b"RIFF" and content[8:12] == b"WEBP"
        return None if webp else "it is not a WebP image"
    if content.startswith(_SIGNATURES.get(suffix, ())):
        return None
    return f"it is not a {suffix[1:].upper()} image"


def _svg_problem(content: bytes) -> str | None:
    import xml.etree.ElementTree as ET  # only for an SVG logo: every command reads the config

    if b"<!doctype" in content.lower():
        return "an SVG logo may not have a document type (<!DOCTYPE)"
    if b"<?xml-stylesheet" in content.lower():
        return "an SVG logo may not load a style sheet (<?xml-stylesheet?>)"
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        return f"it is not an SVG image ({error})"
    if _local(root.tag) != "svg":
        return "it is not an SVG image (its root element is not <svg>)"
    for element in root.iter():
        tag = _local(element.tag)
        if tag in _ACTIVE:
            return f"an SVG logo may not have a <{tag}> element"
        for attribute, value in element.attrib.items():
            name = _local(attribute)
            if name.startswith("on"):
                return f"an SVG logo may not have an event handler ({name})"
            if name == "href" and not value.strip().startswith(("#", "data:image/")):
                return f"an SVG logo may link only to its own parts (href {value!r})"
        style = element.attrib.get("style", "") + (
            "".join(element.itertext()) if tag == "style" else ""
        )
        if _LOADS.search(style):
            return "an SVG logo may not load anything (url() or @import in its style)"
    return None


def _local(name: str) -> str:
    """``{namespace}name`` as ``name``, in lower case."""
    return name.rsplit("}", 1)[-1].lower()
