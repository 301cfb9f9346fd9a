"""Interface language: the words of the theme, dates and numbers in ``en`` or ``nl``.

Each language is one file, ``locales/<language>.yaml`` in the theme: a
``strings`` table, ``months``, the ``date_format`` and the number
separators. A project theme may add or override a language file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from okrpub.errors import OkrpubError

#: PyYAML's safe loader, with libyaml's parser where it is installed (ten times faster).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocaleError(OkrpubError):
    """A locale file is missing or incomplete (a theme problem, exit status 2)."""


@dataclass(frozen=True)
class Locale:
    language: str
    strings: dict[str, str]
    months: tuple[str, ...]
    date_format: str
    decimal_separator: str
    thousands_separator: str

    def text(self, key: str, **values: Any) -> str:
        """The interface string ``key`` with ``{placeholders}`` filled in.

        With ``count=1``, a string ``<key>.one`` is used when the locale has one. A whole
        ``count`` is written with the language's thousands separator (``1,234`` in ``en``,
        ``1.234`` in ``nl``). When a value is markup, the string is markup too: its own
        text and every other value escaped.
        """
        if not values:
            return self._string(key)
        count = values.get("count")
        if count == 1 and f"{key}.one" in self.strings:
            key = f"{key}.one"
        if isinstance(count, int) and not isinstance(count, bool):
            values["count"] = self.number(count)
        template = self._string(key)
        for value in values.values():
            if isinstance(value, Markup):
                return Markup.escape(template).format(**values)
        return template.format(**values)

    def _string(self, key: str) -> str:
        try:
            return self.strings[key]
        except KeyError:
            raise LocaleError(f"locale '{self.language}' has no string '{key}'") from None

    def date(self, day: dt.date) -> str:
        return self.date_format.format(day=day.day, month=self.months[day.month - 1], year=day.year)

    def number(self, value: float, decimals: int = 0) -> str:
        """``1234567.5`` as ``1,234,567.5`` (en) or ``1.234.567,5`` (nl). A whole number
        shown without decimals keeps every digit: ``f`` would round it through a float."""
        exact = isinstance(value, int) and decimals == 0
        text = f"{value:,d}" if exact else f"{value:,.{decimals}f}"
        if self.decimal_separator == "." and self.thousands_separator == ",":
            return text
        return (
            text.replace(",", "\0")
            .replace(".", self.decimal_separator)
            .replace("\0", self.thousands_separator)
        )


def load_locale(folders: list[Path], language: str) -> Locale:
    """The language file from the first theme folder that has one."""
    for folder in folders:
        path = folder / "locales" / f"{language}.yaml"
        if path.is_file():
            try:
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
            except (yaml.YAMLError, UnicodeDecodeError) as error:
                raise LocaleError(f"{path}: not a readable YAML file: {error}") from None
            try:
                return Locale(
                    language=language,
                    strings=dict(data["strings"]),
                    months=tuple(data["months"]),
                    date_format=data["date_format"],
                    decimal_separator=data["decimal_separator"],
                    thousands_separator=data["thousands_separator"],
                )
            except (KeyError, TypeError) as error:
                raise LocaleError(f"{path}: missing or wrong entry {error}") from None
    raise LocaleError(f"no locale file for language '{language}'")
