"""The theme: every output's default templates and assets, and the one way they are looked up.

``templates/`` holds the templates of every output, by area:

* ``main.html``, ``partials/`` -- the site's shell (Material's own names; MkDocs renders them);
* ``site/`` -- record pages (``station.html``, ``project.html``, ``person.html``, ``case.html``,
  all extending ``site/record.html``) and hub pages (home, indexes, 统计 ``stats.html``);
* ``qr/`` -- the contact page a QR code opens (``contact.html``);
* ``signage/`` -- posters and the QR label sheet (WeasyPrint);
* ``casebook/`` -- the case book: ``book.typ`` and ``common.typ`` (Typst, rendered through
  Jinja with the delimiters of :data:`TYPST_SYNTAX` first) and the web edition ``web.html``.

``static/<area>/<file>`` is published as ``assets/wenming/<area>/<file>``.

:class:`ThemeLoader` looks a name up in the project's folder (``themes/``) first, then in the
package defaults. A name starting with ``!default/`` always reaches the package default, and a
project template that extends (or includes) its own name gets the default too, so
``themes/site/station.html`` may ``{% extends "site/station.html" %}`` to change one block.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
#: Published URL of ``static/<area>/<file>``: ``ASSETS + "<area>/<file>"``.
ASSETS = "assets/wenming/"
#: A template name with this prefix is always the package default.
DEFAULT_PREFIX = "!default/"
#: Jinja delimiters of the Typst templates: Typst code uses ``{``, ``#`` and ``%`` freely.
TYPST_SYNTAX = {"block_start_string": "//{%", "block_end_string": "%}",
                "variable_start_string": "//{{", "variable_end_string": "}}",
                "comment_start_string": "//{#", "comment_end_string": "#}"}


def project_dirs(config: Any, custom: str | Path | None = None) -> list[Path]:
    """The project's template folders: ``custom``, else mkdocs.yml's ``custom_dir``, else ``themes/``."""
    from ..config import THEMES_DIR

    custom = custom or getattr(config, "custom_dir", "")
    folder = Path(custom) if custom else Path(config.project_dir) / THEMES_DIR
    return [folder] if folder.is_dir() else []


class ThemeLoader(jinja2.BaseLoader):
    """The project's folders first, then the package defaults; ``!default/name`` is the default."""

    def __init__(self, dirs: Iterable[str | Path] = ()) -> None:
        self.dirs = [Path(d) for d in dirs if Path(d).is_dir() and Path(d).resolve() != TEMPLATES]
        self.project = jinja2.FileSystemLoader([str(d) for d in self.dirs])
        self.default = jinja2.FileSystemLoader(str(TEMPLATES))

    def get_source(self, environment: jinja2.Environment, template: str):
        if template.startswith(DEFAULT_PREFIX):
            return self.default.get_source(environment, template[len(DEFAULT_PREFIX):])
        if self.dirs:
            try:
                return self.project.get_source(environment, template)
            except jinja2.TemplateNotFound:
                pass
        return self.default.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return sorted(set(self.project.list_templates()) | set(self.default.list_templates()))

    def overrides(self, name: str) -> bool:
        """Whether the project has its own ``name``."""
        return any((d / name).is_file() for d in self.dirs)

    def filename(self, name: str) -> Path:
        """The file ``name`` resolves to (the project's, else the default)."""
        if name.startswith(DEFAULT_PREFIX):
            return TEMPLATES / name[len(DEFAULT_PREFIX):]
        for d in self.dirs:
            if (d / name).is_file():
                return d / name
        return TEMPLATES / name


class ThemeEnvironment(jinja2.Environment):
    """A Jinja environment over a :class:`ThemeLoader`. A template that extends, includes or
    imports its own name gets the next one down: the package default."""

    def join_path(self, template: str, parent: str) -> str:
        if template == parent:
            return DEFAULT_PREFIX + template
        return template


def environment(dirs: Iterable[str | Path] = (), *, cls: type[ThemeEnvironment] = ThemeEnvironment,
                **options: Any) -> ThemeEnvironment:
    """A Jinja environment over the project's ``dirs`` and the package defaults."""
    return cls(loader=ThemeLoader(dirs), **options)


def static_files() -> list[tuple[str, Path]]:
    """Every published asset: (URL path under the site, source file)."""
    return [(ASSETS + p.relative_to(STATIC).as_posix(), p)
            for p in sorted(STATIC.rglob("*")) if p.is_file()]


__all__ = ["ASSETS", "DEFAULT_PREFIX", "STATIC", "TEMPLATES", "TYPST_SYNTAX", "ThemeEnvironment", "ThemeLoader",
           "environment", "project_dirs", "static_files"]
