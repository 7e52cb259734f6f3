"""The only module that imports MkDocs: its events and types mapped onto the build core,
:class:`generator.build.site.SiteBuild` (engine-neutral, where every step of a build lives):

* ``on_config``: the core checks the project (errors abort with the text ``wenming check``
  prints); templates, CSS, the default navigation and Material's settings are wired here;
  MkDocs is pointed at the core's staging folder next to ``site_dir``.
* ``on_files``: drops the files the core renders itself (records, photos), adds the hub
  pages, one hidden shell page per record kind and the core's assets.
* ``on_page_*``/``on_post_page``: page contents from the core; shells go back to it.
* ``on_post_build``: the core writes every record page, the sitemap, QR pages and the
  search index, then swaps the staging folder in. ``on_build_error``: the core aborts.
* ``on_serve``: the core's quick rebuild for edits of records, a native file watcher.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import get_toc

from .build import BuildFailed, preview
from .build.site import SiteBuild
from .config import THEMES_DIR, Config, from_options
from .theme import TEMPLATES

log = get_plugin_logger(__name__)

DEFAULT_FEATURES = ["navigation.tabs", "navigation.indexes", "navigation.top", "navigation.footer"]


def _option(f: dataclasses.Field) -> c.BaseConfigOption:
    """MkDocs' declaration of one option of :class:`generator.config.Config` (its one definition)."""
    default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    if isinstance(default, list):
        return c.ListOfItems(c.Type(str), default=list(default))
    return c.Type(type(default), default=default)


#: The plugin's options in mkdocs.yml: every option of ``Config``, and the language of messages.
WenmingOptions = type("WenmingOptions", (MkConfig,), {
    **{f.name: _option(f) for f in dataclasses.fields(Config) if f.name in Config.option_names()},
    "lang": c.Choice(["zh", "en"], default="zh"),
})


def _plugin_errors(method):
    """The core's failures as MkDocs expects them (a PluginError: a message, no traceback)."""
    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except BuildFailed as exc:
            raise PluginError(str(exc)) from None
    return call


class WenmingPlugin(BasePlugin[WenmingOptions]):
    supports_multiple_instances = False

    core: SiteBuild | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.core = SiteBuild(preview=command == "serve", log=log)

    @_plugin_errors
    def on_config(self, config):
        project_dir = Path(config.config_file_path or ".").resolve().parent
        cfg = from_options(project_dir, {"docs_dir": config.docs_dir, "site_dir": config.site_dir,
                                         "site_url": config.site_url, "site_name": config.site_name,
                                         "theme": config.theme},
                           dict(self.config))
        self.core.start(cfg, Path(config.site_dir), lang=self.config.lang, config_file=config.config_file_path)
        _no_third_party(config)
        template_dirs = _wire_theme(config, cfg.project_dir)
        if cfg.search:
            # Pagefind answers the search box. Material's search plugin stays enabled (the header
            # shows the box only then) but its indexing is unhooked: it would parse every page
            # and ship a search_index.json that nothing reads.
            for event in ("page_context", "post_build"):
                handlers = config.plugins.events.get(event, [])
                handlers[:] = [h for h in handlers if not type(getattr(h, "__self__", None)).__module__
                               .startswith("material.plugins.search")]
        # Atomic builds: MkDocs builds into the core's staging folder; the core swaps it in at the end.
        config.site_dir = str(self.core.prepare(template_dirs, Path(config.site_dir)))
        if config.nav is None:
            config.nav = _mkdocs_nav(self.core.nav())
        return config

    def on_serve(self, server, *, config, builder):
        """Live preview: edits of records that change no index page skip the MkDocs build."""
        full = server.builder
        server.builder = _plugin_errors(lambda: preview.rebuild(self.core, full))
        preview.native_watcher(server, log)
        if getattr(server, "build_delay", 0) > 0.05:
            server.build_delay = 0.05  # quiet time after the last change before rebuilding
        return server

    def on_env(self, env, *, config, files):
        # Under serve, MkDocs makes a new theme environment for every rebuild: keep the
        # compiled templates in memory instead of compiling Material's templates each time.
        if self.core.preview is not None:
            env.bytecode_cache = preview.BYTECODE
        self.core.theme_env(env)
        return env

    @_plugin_errors
    def on_files(self, files: Files, config) -> Files:
        for f in list(files):
            if not self.core.keeps_file(f.src_uri, f.abs_src_path or "", config.docs_dir):
                files.remove(f)
        self.core.publish_images(Path(config.site_dir))
        if files.get_file_from_path("index.md") is None:
            files.append(File.generated(config, "index.md", content=f"# {config.site_name}\n"))
        for src, content, in_nav in self.core.generated_pages():
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, src, content=content, inclusion=inclusion))
        for dest, path in self.core.assets():
            if files.get_file_from_path(dest) is None:
                files.append(File.generated(config, dest, abs_src_path=str(path)))
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        return self.core.page_markdown(page.file.src_uri, markdown, page.meta,
                                       generated=bool(page.file.generated_by))

    def on_page_content(self, html: str, *, page, config, files) -> str:
        html, toc = self.core.page_content(page.file.src_uri, html, markdown=page.markdown, url=page.url,
                                           dest=page.file.dest_path, title=page.title,
                                           generated=bool(page.file.generated_by), home=page.is_homepage)
        if toc is not None:
            page.toc = get_toc(_toc_tokens(toc))
        return html

    def on_post_template(self, output_content: str, *, template_name: str, config) -> str:
        from .render.site.util import fix_theme_markup

        return fix_theme_markup(output_content) if template_name.endswith(".html") else output_content

    def on_post_page(self, output: str, *, page, config) -> str:
        return self.core.post_page(page.file.src_uri, output)

    @_plugin_errors
    def on_post_build(self, *, config) -> None:
        final = self.core.finish(Path(config.site_dir), strict_failed=lambda: _strict_failed(config))
        if final is not None:
            config.site_dir = str(final)

    def on_build_error(self, *, error: Exception) -> None:
        text = self.core.abort(error) if self.core is not None else None
        if text is not None:  # a message, never a traceback; the published site is as it was
            log.error(text)
            raise Abort("构建已中止,原网站保持不变 (build aborted; the published site is unchanged)") from None

    def on_shutdown(self) -> None:
        if self.core is not None:
            self.core.close()


# ---------------------------------------------------------------------- MkDocs settings and types


def _wire_theme(config, project_dir: Path) -> list[Path]:
    """The theme's template folders: the project's themes/ (or ``custom_dir``) first, then the
    renderers' templates, then Material's; the default features and the site's stylesheet.
    Returns the project's own template folders (for the record pages' templates)."""
    custom = config.theme.custom_dir
    dirs = [str(TEMPLATES)]
    theme_dirs = list(config.theme.dirs)
    themes = project_dir / THEMES_DIR
    if not custom and themes.is_dir():  # the project's themes/ needs no custom_dir line
        custom = str(themes)
        theme_dirs.insert(0, custom)
    at = 1 if custom and theme_dirs and Path(theme_dirs[0]) == Path(custom) else 0
    config.theme.dirs = theme_dirs[:at] + [d for d in dirs if d not in theme_dirs] + theme_dirs[at:]
    if not config.theme.get("features"):
        config.theme["features"] = list(DEFAULT_FEATURES)
    css = "assets/wenming/site/site.css"
    if css not in [str(x) for x in config.extra_css]:
        config.extra_css.insert(0, css)
    return [Path(custom)] if custom else []


def _mkdocs_nav(tree: list[tuple[Any, Any]]) -> list:
    """The core's navigation tree as mkdocs.yml's ``nav``."""
    return [{title: _mkdocs_nav(target)} if isinstance(target, list) else target if title is None
            else {title: target} for title, target in tree]


def _toc_tokens(items: list[tuple[int, str, str]]) -> list[Any]:
    tokens: list[dict] = []
    for level, anchor, title in items:
        token = {"level": level, "id": anchor, "name": title, "html": title, "children": []}
        if level > 2 and tokens and tokens[-1]["level"] < level:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens


_TOLD: set[str] = set()  # advice given once per process (a preview rebuilds many times)


def _no_third_party(config) -> None:
    """Pages make no request to another host, whatever mkdocs.yml says: Material's web fonts
    (Google Fonts) and analytics are turned off, and the editor is told once."""
    if config.theme.name != "material":
        return
    if config.theme.get("font") is not False:
        config.theme["font"] = False
        if "font" not in _TOLD:
            _TOLD.add("font")
            log.info("wenming: 已关闭 Material 的网络字体(Google Fonts),页面使用本机字体,不向第三方请求;"
                     "在 mkdocs.yml 的 theme 下写 font: false 即不再提示 (Material's web fonts are turned off: "
                     "pages use the device's fonts and request nothing from another host; set "
                     "theme.font: false in mkdocs.yml to silence this)")
    if config.extra.get("analytics"):
        config.extra["analytics"] = None
        if "analytics" not in _TOLD:
            _TOLD.add("analytics")
            log.info("wenming: 已关闭 extra.analytics(第三方统计),页面不向第三方请求 "
                     "(extra.analytics is turned off: pages request nothing from another host)")


def _strict_failed(config) -> bool:
    if not config.strict:
        return False
    from mkdocs.utils import CountHandler

    for handler in logging.getLogger("mkdocs").handlers:
        if isinstance(handler, CountHandler) and handler.get_counts():
            return True
    return False


# ---------------------------------------------------------------------- commands


def _theme_override(config_file: str) -> dict[str, Any]:
    """``theme=`` without a ``custom_dir`` whose folder is missing (MkDocs would stop before any
    plugin runs), with the warning ``wenming check`` prints; {} when all is well."""
    from .config import theme_without_missing_dir

    theme, warning = theme_without_missing_dir(Path(config_file))
    for line in warning:
        log.warning(line)
    return {"theme": theme} if theme is not None else {}


def build_site(config_file: str = "mkdocs.yml", *, site_dir: str | None = None, clean: bool = True,
               strict: bool = False) -> None:
    """The MkDocs build, run programmatically."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    kwargs: dict[str, Any] = {"strict": strict} if strict else {}
    if site_dir:
        kwargs["site_dir"] = site_dir
    kwargs.update(_theme_override(config_file))
    cfg = load_config(config_file=config_file, **kwargs)
    cfg.plugins.on_startup(command="build", dirty=not clean)
    try:
        build(cfg, dirty=not clean)
    finally:
        cfg.plugins.on_shutdown()


def build_command(config_file: str, **kwargs: Any) -> int:
    """``wenming build``: :func:`build_site`, a failure shown as its message with exit status 1."""
    try:
        build_site(config_file, **kwargs)
    except (Abort, PluginError) as exc:
        import click

        click.echo(str(exc), err=True)
        return 1
    return 0


def serve_site(config_file: str = "mkdocs.yml", *, dev_addr: str | None = None, open_browser: bool = False) -> None:
    """``wenming serve``: live preview that rebuilds when content/ changes."""
    from mkdocs.commands.serve import serve

    kwargs: dict[str, Any] = _theme_override(config_file)
    if dev_addr:
        kwargs["dev_addr"] = dev_addr
    serve(config_file=config_file, open_in_browser=open_browser, livereload=True, **kwargs)
