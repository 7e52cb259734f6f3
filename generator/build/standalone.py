"""The build without a site engine: every page wrapped in a plain Jinja page template.

What another engine (or a script) does to drive :class:`~generator.build.site.SiteBuild`,
in about a hundred lines: the hub, editorial and home pages get their content from the
core, the template wraps them, and one *shell* page per record kind (the template with the
marks :data:`~generator.render.site.TITLE_MARK`, ``DESC_MARK`` and ``CONTENT_MARK` in
place of title, description and content) is handed back so that the core writes every
record page into it. Then the core writes sitemap, search index and QR pages and swaps
the site in, as under MkDocs.

The template is Jinja text or a callable taking the same ``page`` mapping:

* ``page.title``, ``page.description``, ``page.content`` (HTML), ``page.toc``
  ([(level, id, title)]), ``page.kind`` ("station", ... for a shell; "hub", "page", "home");
* ``page.url`` (``stations/``, relative to the site root), ``page.root`` (the relative link
  to the site root, ``../../``), ``page.site_name``, ``page.stylesheets`` (links to the
  core's stylesheets), and the ``wm_filing`` global of the footer.

The search indexes the page's ``<article class="md-content__inner">`` (Pagefind's region).
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from .. import theme
from ..config import THEMES_DIR, Config
from ..read.records import FRONT_MATTER
from .site import SiteBuild

#: The theme's page template for a build without a site engine (a project may override it).
PAGE_TEMPLATE = "standalone/page.html"

Shell = Callable[[dict[str, Any]], str]


def build_site(cfg: Config, shell: str | Shell | None = None, *, log: Any = None) -> Path:
    """Build the site of ``cfg`` into ``cfg.site_path`` with ``shell`` as every page's template
    (Jinja text or a callable; by default the theme's :data:`PAGE_TEMPLATE`);
    returns the site folder. A failure raises (``BuildFailed`` for bad content) and leaves the
    published site as it was."""
    run = SiteBuild(log=log)
    try:
        run.start(cfg, cfg.site_path, config_file=str(cfg.project_dir / "mkdocs.yml"))
        themes = cfg.project_dir / THEMES_DIR
        out = run.prepare([themes] if themes.is_dir() else [], cfg.site_path)
        render = _template(shell, run, [themes] if themes.is_dir() else [])
        run.publish_images(out)
        for dest, path in run.assets():
            (out / dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / dest)
        pages = [(src, md, True) for src, md, _ in run.generated_pages()]
        pages += [(src, "", False) for src in run.net.pages]
        if "index.md" not in run.net.pages:
            pages.append(("index.md", f"# {cfg.site_name}\n", True))
        for src, markdown, generated in pages:
            url = "" if src == "index.md" else src[:-8] if src.endswith("/index.md") else src[:-3] + "/"
            meta, markdown = _page_source(cfg.content_path / src, markdown, generated)
            title = str(meta.get("title") or _heading(markdown) or Path(src).stem)
            markdown = run.page_markdown(src, markdown, meta, generated=generated)
            html = f"<h1>{title}</h1>\n" if src == "index.md" and generated else ""
            content, toc = run.page_content(src, html, markdown=markdown, url=url, dest=url + "index.html",
                                            title=title, generated=generated, home=src == "index.md")
            kind = run.shell_srcs.get(src) or ("home" if src == "index.md" else "hub" if src in run.hubs else "page")
            page = {"title": title, "description": str(meta.get("description") or ""), "content": Markup(content),
                    "toc": toc or [], "kind": kind, "url": url, "root": posixpath.relpath(".", url or ".") + "/"
                    if url else "./", "site_name": cfg.site_name}
            page["stylesheets"] = [page["root"] + dest for dest, _ in run.assets() if dest.endswith(".css")]
            written = run.post_page(src, render(page))
            if written:
                (out / url).mkdir(parents=True, exist_ok=True)
                (out / url / "index.html").write_text(written, encoding="utf-8")
        return run.finish(out) or out
    except BaseException as exc:
        run.abort(exc)
        raise
    finally:
        run.close()


def _template(shell: str | Shell | None, run: SiteBuild, dirs: list[Path]) -> Shell:
    if callable(shell):
        return shell
    env = theme.environment(dirs, autoescape=True, keep_trailing_newline=True)
    run.theme_env(env)
    template = env.get_template(PAGE_TEMPLATE) if shell is None else env.from_string(shell)
    return lambda page: template.render(page=page)


def _page_source(path: Path, markdown: str, generated: bool) -> tuple[dict, str]:
    """Front matter and Markdown of an editorial page (``markdown`` for a generated one)."""
    text = markdown if generated else path.read_text(encoding="utf-8-sig")
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta = yaml.safe_load(m.group(1) or "") or {}
    return (meta if isinstance(meta, dict) else {}), text[m.end():]


def _heading(markdown: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", markdown, re.MULTILINE)
    return m.group(1) if m else ""
