"""One site build, engine-neutral: check → pages → write → swap in.

:class:`SiteBuild` is the whole build; an engine (the MkDocs plugin, or
:func:`generator.build.standalone.build_site` with a plain Jinja template) only renders the
pages it is handed and calls, in this order:

1. :meth:`SiteBuild.start`: reads and checks the project (``check_project``, the verdict
   ``wenming check`` prints), locks the output and cache folders, starts drawing QR codes;
2. :meth:`SiteBuild.prepare`: the site renderer, its hub pages, the folder to write into
   (a staging folder next to the site, or the site folder itself under a live preview);
3. :meth:`SiteBuild.publish_images`, :meth:`generated_pages` and :meth:`assets`: what the
   engine adds to its own list of pages and files;
4. per page: :meth:`page_markdown` and :meth:`page_content` (editorial and hub pages get
   their content here), :meth:`post_page` (one hidden *shell* page per record kind is
   captured, never published);
5. :meth:`finish`: every record page, the sitemap, the nearby-data files, the search index
   and the QR contact pages; then robots.txt, precompression and the swap;
   :meth:`abort` after any failure (the published site stays as it was); :meth:`close`.

Problems raise :class:`BuildFailed` (the text ``wenming check`` prints); warnings are logged.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problems, UsageError, report
from ..kinds import KINDS, PAGE_KINDS, RECORD_DIRS
from ..read.images import PHOTO_SUFFIXES
from . import BuildFailed
from .output import Output
from .preview import Preview, keep, kept, stamp

#: Content warnings a build prints at most (`wenming check` lists them all).
MAX_WARNINGS_SHOWN = 30
#: Where a record kind's hidden shell page lives (``stations/_shell.md``, ...).
SHELL_SRC = "{folder}/_shell.md"


def body_line(source: Path) -> int:
    """The line of an editorial page where its Markdown starts (after the front matter)."""
    raw = source.read_text(encoding="utf-8-sig")
    if raw.startswith("---"):
        end = re.search(r"^---\s*$", raw[3:], re.MULTILINE)
        if end:
            return raw[: 3 + end.end()].count("\n") + 2
    return 1


class SiteBuild:
    """The state of one engine session: a build, or every rebuild of a live preview."""

    def __init__(self, *, preview: bool = False, log: Any = None) -> None:
        self.log = log or logging.getLogger("wenming")
        self.preview = Preview() if preview else None
        self.output = Output(self.log)
        self.builds = 0
        self.drawing: Any = None  # QR images being drawn into the cache (render.qr.site.start_drawing)
        self.published: dict[str, dict] = {}
        self.warned: set = set()  # content warnings this build showed
        self.warned_before: set = set()  # ... and the previous build (preview)
        self.lang = "zh"

    # ------------------------------------------------------------------ start

    def start(self, cfg: Any, site_dir: Path, *, lang: str = "zh", config_file: str | None = None) -> None:
        """Read and check the project under ``cfg`` for a build into ``site_dir``."""
        from ..check import LINKS_IF_FAILING, check_project
        from ..progress import Progress

        self.cfg, self.lang, self.config_file = cfg, lang, config_file
        if os.environ.get("WENMING_NO_PROGRESS"):
            cfg.progress = False
        self.output.use_cache(cfg)
        if self.preview is not None:
            # The engine points site_url at the preview server; QR codes keep the site's real
            # address (what would be printed), and the preview never writes the QR lock file.
            cfg.preview = True
            cfg.site_url = real_site_url(config_file) or cfg.site_url
            self.preview.stop_refresh()
        self.output.lock(site_dir, cfg.cache_path, output=self.preview is None)
        self.warned_before, self.warned = self.warned, set()
        with Progress(cfg.progress) as bars:
            # The link check runs while the pages are rendered (finish), or here when the
            # build fails already, so that it lists what `wenming check` lists.
            self.net, problems = check_project(cfg, links=LINKS_IF_FAILING, progress=bars.bar("读取记录 records"),
                                               processes=self.preview is None or self.builds == 0)
        if self.preview is not None:
            self.preview.begin(self.net)
        self.report(problems, "内容检查未通过 (content check failed)")
        if self.preview is None:
            from ..parallel import freeze_loaded

            freeze_loaded()
        self._start_drawing()

    def prepare(self, template_dirs: list[Path], site_dir: Path) -> Path:
        """The site renderer over the checked network; returns the folder to write into."""
        from ..render.site import SiteBuilder

        self.template_dirs = template_dirs
        if self.preview is not None:
            self.preview.config_stamp = stamp(self.config_file)
        self.builder = SiteBuilder(self.net, self.cfg, template_dirs=template_dirs)
        self.hubs = {h.src: h for h in self.builder.hubs()}
        self.shells: dict[str, Any] = {}
        self.page_problems = Problems()
        self.page_titles: dict[str, str] = {}
        self.shell_srcs = {SHELL_SRC.format(folder=KINDS[kind].folder): kind for kind in PAGE_KINDS}
        if self.preview is not None:
            return site_dir  # no staging: the preview rewrites its own folder
        return self.output.stage(site_dir)

    def nav(self) -> list[tuple[str, Any]]:
        """The navigation tree: (title, src) or (title, [children])."""
        return self.builder.nav([(None, p) for p in self.net.pages])

    def report(self, problems: Problems, title: str) -> None:
        """Errors raise :class:`BuildFailed`; warnings are logged, at most
        :data:`MAX_WARNINGS_SHOWN`, none twice in a row under a preview."""
        if not problems.items:
            return
        if problems.errors:
            raise BuildFailed(f"{title}:\n{report(problems.sorted(), self.lang)}")
        # Content warnings are shown (same text as `wenming check`) but do not fail
        # `mkdocs build --strict`: they are advice to editors, `wenming check --strict` enforces them.
        # A preview repeats none that its previous build showed, and no build floods the terminal.
        warnings = problems.sorted()
        new = [p for p in warnings if p not in self.warned_before]
        self.warned.update(warnings)
        shown = new[:MAX_WARNINGS_SHOWN]
        if shown:
            for line in report(shown, self.lang).splitlines()[:-1]:
                self.log.info(line)
        if len(new) > len(shown):
            more = len(new) - len(shown)
            self.log.info(f"……另有 {more} 个警告未列出,运行 wenming check 可看全部 "
                          f"({more} more warning(s) not listed; run `wenming check` to see them all)")
        if len(warnings) > len(new):
            same = len(warnings) - len(new)
            self.log.info(f"另有 {same} 个警告与上次预览时相同,不再重复 "
                          f"({same} warning(s) as in the previous preview build, not repeated)")

    # ------------------------------------------------------------------ files

    def keeps_file(self, src_uri: str, abs_src_path: str, docs_dir: str) -> bool:
        """Whether a file the engine found is one of its pages or assets.

        Records are rendered here, never as the engine's pages; photos are only published
        as re-encoded copies without metadata, never copied as they are; renderer templates
        are not site assets (those live in ``static/``)."""
        docs = str(Path(docs_dir).resolve()) + os.sep
        if abs_src_path.startswith(docs):
            top = src_uri.split("/", 1)[0]
            return not ((top in RECORD_DIRS and "/" in src_uri) or Path(src_uri).suffix.lower() in PHOTO_SUFFIXES)
        from ..theme import TEMPLATES

        # templates and their overrides in themes/ are not site assets (those live in static/)
        return not (abs_src_path.startswith(str(TEMPLATES) + os.sep) or (TEMPLATES / src_uri).is_file())

    def publish_images(self, site_dir: Path) -> None:
        """Every record photo once (only the changed records' under a preview rebuild)."""
        changed = self.preview.changed_records(self.net) if self.preview is not None else None
        if changed is not None:
            self.builder.publish_images(site_dir, records=changed, known=self.published)
        else:
            self.builder.publish_images(site_dir)
        self.published = dict(self.builder.extras.images)
        self.report(self.builder.problems, "图片发布失败 (publishing photos failed)")

    def generated_pages(self) -> list[tuple[str, str, bool]]:
        """(source path, Markdown, in navigation) of the pages the engine renders for the core:
        the hub pages, whose content :meth:`page_content` gives, and one shell per record kind."""
        from ..render.site import CONTENT_MARK, DESC_MARK, TITLE_MARK

        out = [(src, f"# {hub.title}\n", hub.in_nav) for src, hub in self.hubs.items()]
        for src in self.shell_srcs:
            shell = f"---\ndescription: \"{DESC_MARK}\"\nsearch:\n  exclude: true\n---\n\n# {TITLE_MARK}\n\n{CONTENT_MARK}\n"
            out.append((src, shell, False))
        return out

    def assets(self) -> list[tuple[str, Path]]:
        """(site path, file) of the stylesheets, scripts and fonts every page may use."""
        from ..theme import static_files

        return static_files()

    def theme_env(self, env: Any) -> None:
        """What the theme's Jinja templates may use: the footer's filing line, ``phone_links``."""
        from ..config import filing
        from ..render.site.util import phone_links

        env.globals["wm_filing"] = filing(self.cfg)  # the footer of every page (partials/copyright.html)
        env.filters["phone_links"] = phone_links  # its contact line's numbers as tel: links

    # ------------------------------------------------------------------ pages

    def is_shell(self, src: str) -> bool:
        return src in self.shell_srcs

    def page_markdown(self, src: str, markdown: str, meta: dict, *, generated: bool) -> str:
        """Editorial pages: bidirectional controls and invisible characters are removed (with a
        warning) before the engine takes the page's title from its text."""
        from ..read.safety import DECEPTIVE, strip_deceptive

        source = self.cfg.content_path / src
        if src in self.shell_srcs or generated or not source.is_file():
            return markdown
        if isinstance(meta.get("title"), str):
            meta["title"] = DECEPTIVE.sub("", meta["title"])
        return strip_deceptive(markdown, body_line(source), self.cfg.rel(source), self.page_problems)

    def page_content(self, src: str, html: str, *, markdown: str, url: str, dest: str, title: str,
                     generated: bool, home: bool) -> tuple[str, list | None]:
        """A page's main content and its table of contents [(level, id, title)] (None: the engine's own)."""
        from ..render.site import CONTENT_MARK

        if src in self.shell_srcs:
            return CONTENT_MARK, []  # record pages have no theme-level table of contents
        hub = self.hubs.get(src)
        if hub is not None:
            if self.preview is None:
                return self.builder.render_hub(hub.key)
            return self.preview.hub(self.builder, hub.key, dest)
        self.page_titles[url] = title or ""  # for the search's name index
        html, toc = self._editorial_html(src, html, markdown, url, generated)
        if home:
            composed = self.builder.compose_home(html)
            if self.preview is not None:
                self.preview.home(composed, html, dest)
            return composed
        return html, toc

    def _editorial_html(self, src: str, html: str, markdown: str, url: str, generated: bool
                        ) -> tuple[str, list | None]:
        """Editorial pages are untrusted like record bodies: the shared Markdown pipeline renders them."""
        from ..render.markdown import is_trusted, render_markdown

        source = self.cfg.content_path / src
        if not source.is_file() or generated:
            return self._publish_inline_images(html, src, url), None
        problems = Problems()
        out = render_markdown(markdown, source=self.cfg.rel(source), line=body_line(source), config=self.cfg,
                              page_url=url, problems=problems, trusted=is_trusted(source, self.cfg),
                              images=self.builder.images_publisher, net=self.net)
        self.page_problems.extend(problems.items)  # reported with the record pages', all at once
        toc = [(int(m.group(1)), m.group(2), re.sub(r"<[^>]+>", "", m.group(3)))
               for m in re.finditer(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', out, re.DOTALL)]
        return out, toc

    def _publish_inline_images(self, html: str, src_uri: str, url: str) -> str:
        """Editorial pages: point <img> at published copies (originals are never copied)."""
        from ..render.site.util import relurl

        publisher = self.builder.images_publisher
        content = self.cfg.content_path.resolve()
        base = (content / src_uri).parent

        def swap(m: re.Match) -> str:
            src = m.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", src, re.IGNORECASE):
                return m.group(0)
            path = (base / src.split("#")[0].split("?")[0]).resolve()
            if not (path.is_relative_to(content) and path.is_file()) or publisher is None:
                return m.group(0)
            try:
                img = publisher.publish(path)
            except Exception as exc:  # noqa: BLE001 - one bad picture must not stop the page
                self.log.warning(f"{self.cfg.rel(path)}: 图片无法发布 (image cannot be published): {exc}")
                return m.group(0)
            return f'{m.group(1)}{relurl(url, img.url)}{m.group(3)}'

        return re.sub(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', swap, html)

    def post_page(self, src: str, output: str) -> str:
        """A finished page as it is written; a shell page is captured and written as ""."""
        from ..render.site import Shell
        from ..render.site.util import fix_theme_markup

        output = fix_theme_markup(output)
        kind = self.shell_srcs.get(src)
        if kind is None:
            search = self.search()
            return search.prepare_html(output) if search is not None else output
        self.shells[kind] = Shell.from_html(output, kind)
        return ""  # the shell itself is never published

    def search(self) -> Any:
        """The search module when the site has a search box, else None."""
        if not self.cfg.search:
            return None
        from ..render import search

        return search

    # ------------------------------------------------------------------ finish

    def finish(self, site_dir: Path, *, strict_failed: Callable[[], bool] = lambda: False) -> Path | None:
        """Write the record pages and everything after the engine's pages, then swap the site in.

        Returns the published site folder once swapped in; None when nothing was swapped (a
        preview, or ``strict_failed()``: the engine aborts next and calls :meth:`abort`)."""
        try:
            return self._finish(site_dir, strict_failed)
        finally:
            self.output.unlock()

    def _finish(self, site_dir: Path, strict_failed: Callable[[], bool]) -> Path | None:
        from ..progress import Progress

        missing = [k for k in PAGE_KINDS if k not in self.shells]
        if missing:
            raise BuildFailed(f"内部错误:未生成页面框架 {missing} (internal error: no shell page for {missing})")
        preview = self.preview
        # Worker processes are forked; under a preview only for the first build, before the
        # server's threads run.
        processes = preview is None or self.builds == 0
        self.builds += 1
        search = self.search()
        if search is not None:
            self.builder.page_filter = search.prepare_html
        result = None
        if preview is not None and preview.snapshot is not None and kept(site_dir):
            result = self.builder.write_changed(site_dir, self.shells, preview.snapshot, nearby=False)
        incremental = result is not None
        with Progress(self.cfg.progress and not incremental) as bars:
            if result is None:
                result = self.builder.write_records(site_dir, self.shells, workers=self.cfg.workers,
                                                    allow_processes=processes, progress=bars.bar("页面 pages"))
            problems = Problems(list(self.page_problems.items) + list(result.problems))
            self.report(problems, "页面生成失败 (page rendering failed)")
            hub_urls = [""] + [h.url for h in self.hubs.values()] + [
                p[:-3] + "/" if not p.endswith("index.md") else p[:-8] for p in self.net.pages if p != "index.md"]
            self.builder.write_sitemap(site_dir, hub_urls)
            # The 找身边的实践站 page's data files: the engine emptied their folder (a preview
            # notes what they read, for its quick rebuilds).
            self.builder.write_nearby(site_dir)
            if incremental:
                self.update_qr(site_dir, result)
            else:
                # Pagefind indexes the pages (in its own process) while the QR contact pages,
                # which it never reads, are written.
                titles = [(h.url, h.title) for h in self.hubs.values()] + sorted(self.page_titles.items())
                index = search.start_index(site_dir, self.cfg, prepared=True, progress=bars.bar("搜索索引 search"),
                                           net=self.net, titles=titles) if search is not None else None
                try:
                    self._write_qr(site_dir, processes, bars.bar("二维码 QR"))
                finally:
                    if index is not None:
                        index.result()
        if search is not None:
            stale = site_dir / "search" / "search_index.json"  # Material's own index: never shipped
            if stale.exists():
                stale.unlink()
        if preview is not None:
            preview.site_dir = site_dir
            preview.snapshot = self.builder.snapshot(self.shells, result, preview.snapshot if incremental else None)
            preview.refresh_hubs(self.builder, site_dir)
            if incremental:
                self.log.info(f"wenming: 增量更新 {result.pages} 个页面 (updated {result.pages} record pages), "
                              f"{result.seconds:.2f} s;搜索索引在重新启动预览时更新 (search is re-indexed on restart)")
                return None
            keep(site_dir)
        self.log.info(f"wenming: {result.pages} 个记录页面 (record pages), {result.cached} 个来自缓存 (cached), "
                      f"{result.seconds:.1f} s")
        if self.output.staging is None or strict_failed():
            return None  # a preview; or the engine aborts next and abort() removes the staging folder
        self.output.finish(site_dir, self.cfg)
        return self.output.swap_in()

    def update_qr(self, site_dir: Path, result: Any) -> None:
        """The QR contact pages of the stations a preview rebuild rewrote."""
        from ..render.qr.site import update_qr_site

        update_qr_site(self.net, self.cfg, site_dir, {rid for kind, rid in result.keys if kind in ("station", "moved")})

    def _start_drawing(self) -> None:
        """QR images missing from the cache are drawn by a worker of their own from now on: the
        engine's index pages, next, keep one core busy."""
        self._stop_drawing()
        if self.preview is not None and self.builds > 0:
            return  # a preview rebuild draws the few codes it needs itself
        from ..render.qr.site import start_drawing

        self.drawing = start_drawing(self.net, self.cfg, workers=self.cfg.workers)

    def _stop_drawing(self) -> None:
        if self.drawing is not None:
            self.drawing.cancel()
            self.drawing = None

    def _write_qr(self, site_dir: Path, processes: bool, progress) -> None:
        from ..render.qr.site import write_qr_site

        drawing, self.drawing = self.drawing, None
        write_qr_site(self.net, self.cfg, site_dir, workers=self.cfg.workers, allow_processes=processes,
                      progress=progress, drawing=drawing)

    def abort(self, error: BaseException) -> str | None:
        """After a failed build: the staging folder goes, locks are released; returns the message
        to show instead of a traceback (None: let the error through)."""
        from ..guard import resource_message

        self._stop_drawing()
        self.output.abort()
        text = resource_message(error) if isinstance(error, OSError) else None
        if text is None and isinstance(error, (UsageError, ContentError)):
            text = str(error)
        return text

    def close(self) -> None:
        self.output.close()


def real_site_url(config_file: str | None) -> str:
    """``site_url`` as mkdocs.yml gives it (a preview server replaces it with its own address)."""
    if not config_file:
        return ""
    from ..config import load_config

    try:
        return load_config(config_file).site_url
    except (UsageError, OSError):
        return ""
