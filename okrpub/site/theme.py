"""Theme: the Jinja2 environment, its presentation filters, and the static files.

A project's ``theme:`` folder comes first and the default theme second, for
templates, static files and locales alike (as Flask's dispatching loader
does for blueprints): a project overrides any file by name and falls back
to the default for the rest. Filters only format values the model computed.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from okrpub.errors import OkrpubError
from okrpub.model.types import Number
from okrpub.site.cachetag import FragmentCacheExtension, Fragments
from okrpub.site.format import (
    format_grade,
    format_number,
    format_percent,
    format_quantity,
    whole_percent,
)
from okrpub.site.i18n import Locale, LocaleError

#: A project theme's own style sheet (``static/custom.css``): it extends the default one.
CUSTOM_CSS = "custom.css"

#: What a template expression can raise at render time besides Jinja's own errors.
_TEMPLATE_BUGS = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)


class ThemeError(OkrpubError):
    """A template could not be loaded or rendered (a theme problem, exit status 2)."""


class Theme:
    def __init__(
        self, folders: list[Path], locale: Locale, compiled: jinja2.BytecodeCache | None = None
    ) -> None:
        self.folders = folders
        self.locale = locale
        self.environment = jinja2.Environment(
            bytecode_cache=compiled,
            # a changed theme file makes a new theme (``serve``): no file is looked at again
            # each time a page is rendered
            auto_reload=False,
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(folder / "templates") for folder in folders]
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=[FragmentCacheExtension],
        )
        self.environment.filters.update(
            percent=_at_render(self.percent),
            whole_percent=whole_percent,
            number=_at_render(self.number),
            quantity=_at_render(self.quantity),
            date=_at_render(self.date),
            grade=_at_render(self.grade),
            unbroken=unbroken,
        )
        self.environment.globals.update(
            t=locale.text,
            language=locale.language,
            thousands_separator=locale.thousands_separator,
            # a project theme's style sheet, loaded after the default one
            custom_css=CUSTOM_CSS in self.static_files(),
        )

    def render(self, template: str, context: dict[str, object]) -> str:
        try:
            return self.environment.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as error:
            raise ThemeError(
                f"{error.filename or error.name}:{error.lineno}: {error.message}"
            ) from None
        except (jinja2.TemplateError, LocaleError) as error:
            raise ThemeError(f"{_where(error, template)}: {error}") from None
        except _TEMPLATE_BUGS as error:
            # An expression of a template failed, e.g. ``{{ 1 + 'a' }}``: a theme problem too.
            name = type(error).__name__
            raise ThemeError(f"{_where(error, template)}: {name}: {error}") from None

    @contextmanager
    def caching(self, fragments: Fragments) -> Iterator[None]:
        """Let ``{% cache %}`` blocks reuse and remember their text in ``fragments`` while the
        body renders; otherwise they just render."""
        # Jinja's stubs do not know the attributes extend() adds (FragmentCacheExtension's).
        self.environment.fragment_cache = fragments  # type: ignore[attr-defined]
        try:
            yield
        finally:
            self.environment.fragment_cache = None  # type: ignore[attr-defined]

    def static_files(self) -> dict[str, Path]:
        """Static files by their path under ``static/``; earlier folders win."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            for path in sorted(static.rglob("*")) if static.is_dir() else []:
                if path.is_file():
                    found[path.relative_to(static).as_posix()] = path
        return dict(sorted(found.items()))

    def percent(self, share: float | None) -> str:
        """``0.625`` as ``63%``; ``None`` as an en dash."""
        return "–" if share is None else format_percent(self.locale, share)

    def grade(self, score: float | None) -> str:
        return "–" if score is None else format_grade(self.locale, score)

    def number(self, value: Number | None) -> str:
        return format_number(self.locale, value)

    def quantity(
        self,
        value: Number | None,
        unit: str,
        singular: str | None = None,
        position: str | None = None,
    ) -> Markup | str:
        return format_quantity(self.locale, value, unit, singular, position)

    def date(self, day: dt.date | None) -> str:
        return "–" if day is None else self.locale.date(day)


def unbroken(text: str) -> Markup:
    """``text`` kept on one line: a phone broke the heading's ``2026-Q4`` after its hyphen."""
    return Markup('<span class="unbroken">{}</span>').format(text)


def _at_render(function: Callable[..., str]) -> Callable[..., str]:
    """``function`` as a filter that runs when a page renders, never when Jinja compiles the
    template: Jinja computes a filter of constants (``{{ 0|grade }}``) at compile time, and
    compiled templates are shared by every language, so a Dutch site showed ``0.00``."""

    @jinja2.pass_context
    def at_render(context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return at_render


def _where(error: BaseException, template: str) -> str:
    """``file.html:line`` of the innermost template frame of ``error``, else ``template``."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".html")]
    if not frames:
        return f"template {template}"
    return f"template {Path(frames[-1].filename).name}:{frames[-1].lineno}"
