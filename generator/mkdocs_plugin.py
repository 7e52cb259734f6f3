"""The only module that imports MkDocs: a thin adapter from MkDocs events to the core.

What it does, event by event (all logic lives in ``generator.render.site``):

* ``on_startup``: remembers whether this is ``mkdocs serve`` (no staging there).
* ``on_config``: loads and checks the content (errors abort with the text
  ``wenming check`` prints), checks the QR lock, wires templates, CSS and the
  default navigation, and points MkDocs at a staging folder next to ``site_dir``.
* ``on_files``: drops record files from MkDocs' page list (records never go through
  its page pipeline), publishes photos, adds the hub pages and one hidden shell page
  per record kind.
* ``on_page_content``/``on_post_page``: fills hub pages; captures the shells.
* ``on_post_build``: writes every record page, the sitemap, QR pages and the search
  index, then swaps the staging folder in. A failed build leaves ``site_dir`` as it was.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from .cancel import Cancelled, cancellable
from .config import DEFAULT_CATEGORIES, THEMES_DIR, from_options
from .errors import Problems, report
from .kinds import KINDS, PAGE_KINDS, RECORD_DIRS

log = get_plugin_logger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic"}
DEFAULT_FEATURES = ["navigation.tabs", "navigation.indexes", "navigation.top", "navigation.footer"]
#: Seconds without a new edit before the preview brings the 统计 and home pages up to date.
HUB_REFRESH_DELAY = 1.0
#: Seconds after a preview rebuild before its garbage is collected.
GC_DELAY = 0.3
#: Content warnings a build prints at most (`wenming check` lists them all).
MAX_WARNINGS_SHOWN = 30


class WenmingOptions(MkConfig):
    root = c.Type(str, default="")
    categories = c.ListOfItems(c.Type(str), default=list(DEFAULT_CATEGORIES))
    profile = c.Type(str, default="shandong-2022")
    trusted_html = c.ListOfItems(c.Type(str), default=[])
    qr_lock = c.Type(str, default="qr-lock.txt")
    search = c.Type(bool, default=True)
    progress = c.Type(bool, default=True)
    workers = c.Type(int, default=0)
    cache_dir = c.Type(str, default=".wenming-cache")
    lang = c.Choice(["zh", "en"], default="zh")
    organizer = c.Type(str, default="")
    undertaker = c.Type(str, default="")
    icp_record = c.Type(str, default="")
    police_record = c.Type(str, default="")
    site_code = c.Type(str, default="")
    contact = c.Type(str, default="")


def _render_dirs() -> list[Path]:
    return sorted(p for p in (Path(__file__).parent / "render").glob("*") if p.is_dir())


class WenmingPlugin(BasePlugin[WenmingOptions]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.staging: Path | None = None
        self.final_dir: Path | None = None
        self.snapshot: Any = None  # the record pages of the previous build (mkdocs serve only)
        self.builds = 0
        self.hub_cache: dict[str, tuple[str, list]] = {}  # hub key -> (fragment, toc), serve only
        self.hub_areas: set[str] | None = None
        self.deferred: Any = None  # a hub being brought up to date after a preview rebuild
        self.drawing: Any = None  # QR images being drawn into the cache (render.qr.site.start_drawing)
        self.hub_generation = 0  # bumped by every rebuild: older hub refreshes give up
        self.hub_lock = threading.Lock()
        self.pending_hubs: list[tuple[str, str]] = []  # (hub key, page) to refresh after a preview rebuild
        self.published: dict[str, dict] = {}
        self.hub_dest: dict[str, str] = {}
        self.home_editorial = ""
        self.site_dir: Path | None = None
        self.config_stamp: tuple = ()
        self.warned: set = set()  # content warnings this build showed
        self.warned_before: set = set()  # ... and the previous build (mkdocs serve)
        self.locks: list = []  # guard.BuildLock held for this build (output folder, cache)
        self.temp_cache: str | None = None  # the cache of a build whose cache folder is read-only

    # ------------------------------------------------------------------ startup/config

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config):
        from .check import LINKS_IF_FAILING, check_project
        from .render.site import SiteBuilder

        project_dir = Path(config.config_file_path or ".").resolve().parent
        self.cfg = from_options(project_dir, {"docs_dir": config.docs_dir, "site_dir": config.site_dir,
                                              "site_url": config.site_url, "site_name": config.site_name},
                                dict(self.config))
        if os.environ.get("WENMING_NO_PROGRESS"):
            self.cfg.progress = False
        from .guard import usable_cache

        if not usable_cache(self.cfg.cache_path):  # one warning; this build keeps its cache to itself
            import tempfile

            self.cfg.cache_dir = self.temp_cache or tempfile.mkdtemp(prefix="wenming-cache-")
            self.temp_cache = self.cfg.cache_dir
        if self.command == "serve":
            # MkDocs points site_url at the preview server; QR codes keep the site's real address
            # (what would be printed), and the preview never writes the QR lock file.
            self.cfg.preview = True
            self.cfg.site_url = _real_site_url(config.config_file_path) or self.cfg.site_url
        if self.deferred is not None:
            self.hub_generation += 1
            self.deferred.join()
        self._lock(Path(config.site_dir))
        self.warned_before, self.warned = self.warned, set()
        from .progress import Progress

        with Progress(self.cfg.progress) as bars:
            # The link check runs while the pages are rendered (on_post_build), or here when the
            # build fails already, so that it lists what `wenming check` lists.
            self.net, problems = check_project(self.cfg, links=LINKS_IF_FAILING,
                                               progress=bars.bar("读取记录 records"),
                                               processes=self.command != "serve" or self.builds == 0)
        self.hub_areas = None
        if self.command == "serve" and self.snapshot is not None:
            from .render.site.incremental import stale_pages

            self.hub_areas = stale_pages(self.snapshot, self.net)
        self._report(problems, "内容检查未通过 (content check failed)")
        if self.command == "build":
            from .parallel import freeze_loaded

            freeze_loaded()
        self._start_drawing()

        _no_third_party(config)
        custom = config.theme.custom_dir
        dirs = [str(p / "templates") for p in _render_dirs() if (p / "templates").is_dir()]
        theme_dirs = list(config.theme.dirs)
        themes = self.cfg.project_dir / THEMES_DIR
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
        if self.cfg.search:
            # Pagefind answers the search box. Material's search plugin stays enabled (the header
            # shows the box only then) but its indexing is unhooked: it would parse every page
            # and ship a search_index.json that nothing reads.
            for event in ("page_context", "post_build"):
                handlers = config.plugins.events.get(event, [])
                handlers[:] = [h for h in handlers if not type(getattr(h, "__self__", None)).__module__
                               .startswith("material.plugins.search")]
        template_dirs = [Path(custom)] if custom else []
        self.template_dirs = template_dirs
        self.config_stamp = _stamp(config.config_file_path)
        self.builder = SiteBuilder(self.net, self.cfg, template_dirs=template_dirs)
        if config.nav is None:
            editorial = [(None, p) for p in self.net.pages]
            config.nav = _mkdocs_nav(self.builder.nav(editorial))
        self.hubs = {h.src: h for h in self.builder.hubs()}
        self.shells: dict[str, Any] = {}
        self.page_problems = Problems()
        self.page_titles: dict[str, str] = {}
        self.shell_srcs = {f"{KINDS[kind].folder}/_shell.md": kind for kind in PAGE_KINDS}

        # Atomic builds: build into a sibling folder and swap it in at the very end.
        self.final_dir = Path(config.site_dir)
        self.staging = None
        if self.command != "serve":
            from .guard import recover

            restored = recover(self.final_dir)
            if restored:
                log.warning(f"上次构建在替换网站时中断,已恢复原网站 {self.final_dir}(来自 {restored}) "
                            f"(a build was interrupted while swapping the site in: {self.final_dir} restored)")
            self.staging = self.final_dir.parent / f".{self.final_dir.name}.staging"
            if self.staging.exists():
                shutil.rmtree(self.staging)
            config.site_dir = str(self.staging)
        return config

    def _lock(self, final: Path) -> None:
        """One build at a time per output folder and per cache (see :mod:`generator.guard`)."""
        from .errors import UsageError
        from .guard import cache_lock, output_lock, refuse_mount_point, refuse_unwritable

        try:
            if self.command != "serve" and not any(lk.what_en == "output folder" for lk in self.locks):
                refuse_mount_point(final)
                lock = output_lock(final)
                if not lock.acquire(on_wait=log.info):
                    refuse_unwritable(final.parent)
                self.locks.append(lock)
            if not any(lk.what_en == "cache folder" for lk in self.locks):
                lock = cache_lock(self.cfg.cache_path)
                if lock.acquire(on_wait=log.info):
                    self.locks.append(lock)
        except UsageError as exc:
            self._unlock()
            raise PluginError(str(exc)) from None

    def _unlock(self) -> None:
        for lock in self.locks:
            lock.release()
        self.locks = []

    def on_serve(self, server, *, config, builder):
        """Live preview: edits of records that change no index page skip the MkDocs build."""
        full = server.builder

        def rebuild() -> None:
            # The preview holds two networks and MkDocs' state: one pass of the garbage collector
            # over all of it takes longer than the rest of a quick rebuild. It is off while
            # the edit is written and runs once the editor pauses (_refresh_hubs).
            gc.disable()
            try:
                quick = self._quick_rebuild()
            finally:
                gc.enable()
            if not quick:
                full()

        server.builder = rebuild
        _native_watcher(server)
        if getattr(server, "build_delay", 0) > 0.05:
            server.build_delay = 0.05  # quiet time after the last change before rebuilding
        return server

    def _quick_rebuild(self) -> bool:
        """Write what an edit of records changed, without MkDocs; False: a full rebuild is needed.

        Taken when mkdocs.yml is unchanged, the content has no errors and no index page
        (directories, lists) shows what changed; the statistics and home pages are brought
        up to date right after, in the background. Anything else goes through MkDocs.
        """
        if self.snapshot is None or self.site_dir is None or not _kept(self.site_dir):
            return False
        if self.config_stamp != _stamp(self.cfg.project_dir / "mkdocs.yml"):
            return False
        self._lock(self.site_dir)
        try:
            return self._quick_rebuild_locked()
        finally:
            self._unlock()

    def _quick_rebuild_locked(self) -> bool:
        from .check import check_project
        from .render.site import SiteBuilder
        from .render.site.incremental import changed_records, stale_pages

        # Hubs still being refreshed after the previous edit: that work is dropped (it would
        # show the network before this edit) and done again after this rebuild, without waiting.
        self.hub_generation += 1
        start = time.monotonic()
        net, problems = check_project(self.cfg, links=False, processes=False)
        areas = stale_pages(self.snapshot, net)
        if problems.errors or areas is None:
            return False
        stale = {key for key in self.hub_dest if key in areas}
        if stale - DEFERRED_HUBS:
            return False
        builder = SiteBuilder(net, self.cfg, template_dirs=self.template_dirs)
        builder.publish_images(self.site_dir, records=changed_records(self.snapshot.net, net), known=self.published)
        if builder.problems.errors:
            return False
        search = _search_module() if self.cfg.search else None
        if search is not None:
            builder.page_filter = search.prepare_html
        result = builder.write_changed(self.site_dir, self.shells, self.snapshot)
        if result is None:
            return False
        self.published = dict(builder.extras.images)
        self.net, self.builder = net, builder
        self.warned_before, self.warned = self.warned, set()
        self._report(Problems(list(problems.items) + list(result.problems)), "内容检查未通过 (content check failed)")
        self._update_qr(self.site_dir, {rid for kind, rid in result.keys if kind in ("station", "moved")})
        self.snapshot = builder.snapshot(self.shells, result, self.snapshot)
        self.pending_hubs = [(key, self.hub_dest[key]) for key in sorted(stale)
                             if key in self.hub_cache]
        self._refresh_hubs(self.site_dir)
        log.info(f"wenming: 快速更新 {result.pages} 个页面,{time.monotonic() - start:.2f} s "
                 f"(quick update of {result.pages} record pages, without a MkDocs build)")
        return True

    def on_env(self, env, *, config, files):
        # Under serve, MkDocs makes a new theme environment for every rebuild: keep the
        # compiled templates in memory instead of compiling Material's templates each time.
        if self.command == "serve":
            env.bytecode_cache = _BYTECODE
        from .config import filing
        from .render.site.util import phone_links

        env.globals["wm_filing"] = filing(self.cfg)  # the footer of every page (partials/copyright.html)
        env.filters["phone_links"] = phone_links  # its contact line's numbers as tel: links
        return env

    def _report(self, problems: Problems, title: str) -> None:
        if not problems.items:
            return
        if problems.errors:
            raise PluginError(f"{title}:\n{report(problems.sorted(), self.config.lang)}")
        # Content warnings are shown (same text as `wenming check`) but do not fail
        # `mkdocs build --strict`: they are advice to editors, `wenming check --strict` enforces them.
        # A preview repeats none that its previous build showed, and no build floods the terminal.
        warnings = problems.sorted()
        new = [p for p in warnings if p not in self.warned_before]
        self.warned.update(warnings)
        shown = new[:MAX_WARNINGS_SHOWN]
        if shown:
            for line in report(shown, self.config.lang).splitlines()[:-1]:
                log.info(line)
        if len(new) > len(shown):
            more = len(new) - len(shown)
            log.info(f"……另有 {more} 个警告未列出,运行 wenming check 可看全部 "
                     f"({more} more warning(s) not listed; run `wenming check` to see them all)")
        if len(warnings) > len(new):
            same = len(warnings) - len(new)
            log.info(f"另有 {same} 个警告与上次预览时相同,不再重复 "
                     f"({same} warning(s) as in the previous preview build, not repeated)")

    # ------------------------------------------------------------------ files and pages

    def on_files(self, files: Files, config) -> Files:
        from .render.site import DESC_MARK, TITLE_MARK

        template_dirs = [str(p / "templates") + os.sep for p in _render_dirs()]
        docs = str(Path(config.docs_dir).resolve()) + os.sep
        for f in list(files):
            src = f.abs_src_path or ""
            if src.startswith(docs):
                top = f.src_uri.split("/", 1)[0]
                # Records are rendered by wenming, never as MkDocs pages; photos are only
                # published as re-encoded copies without metadata, never copied as they are.
                if (top in RECORD_DIRS and "/" in f.src_uri) or Path(f.src_uri).suffix.lower() in IMAGE_SUFFIXES:
                    files.remove(f)
            elif any(src.startswith(d) for d in template_dirs):
                files.remove(f)  # renderer templates are not site assets (those live in static/)
        if self.hub_areas is not None and self.snapshot is not None:  # a preview rebuild
            from .render.site.incremental import changed_records

            self.builder.publish_images(Path(config.site_dir), records=changed_records(self.snapshot.net, self.net),
                                        known=self.published)
        else:
            self.builder.publish_images(Path(config.site_dir))
        self.published = dict(self.builder.extras.images)
        self._report(self.builder.problems, "图片发布失败 (publishing photos failed)")

        if files.get_file_from_path("index.md") is None:
            files.append(File.generated(config, "index.md", content=f"# {config.site_name}\n"))
        for src, hub in self.hubs.items():
            inclusion = InclusionLevel.INCLUDED if hub.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, src, content=f"# {hub.title}\n", inclusion=inclusion))
        for src in self.shell_srcs:
            content = (f"---\ndescription: \"{DESC_MARK}\"\nsearch:\n  exclude: true\n---\n\n"
                       f"# {TITLE_MARK}\n\n@@WM-CONTENT@@\n")
            files.append(File.generated(config, src, content=content, inclusion=InclusionLevel.NOT_IN_NAV))
        for area_dir in _render_dirs():
            static = area_dir / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    dest = f"assets/wenming/{area_dir.name}/{path.relative_to(static).as_posix()}"
                    if files.get_file_from_path(dest) is None:
                        files.append(File.generated(config, dest, abs_src_path=str(path)))
        return files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        """Editorial pages: bidirectional controls and invisible characters are removed (with a
        warning) before MkDocs takes the page's title from its text."""
        from .read.safety import DECEPTIVE, strip_deceptive

        source = self.cfg.content_path / page.file.src_uri
        if page.file.src_uri in self.shell_srcs or page.file.generated_by or not source.is_file():
            return markdown
        if isinstance(page.meta.get("title"), str):
            page.meta["title"] = DECEPTIVE.sub("", page.meta["title"])
        return strip_deceptive(markdown, _body_line(source), self.cfg.rel(source), self.page_problems)

    def on_page_content(self, html: str, *, page, config, files) -> str:
        from mkdocs.structure.toc import get_toc

        src = page.file.src_uri
        if src in self.shell_srcs:
            page.toc = get_toc([])  # record pages have no theme-level table of contents
            return "@@WM-CONTENT@@"
        hub = self.hubs.get(src)
        if hub is not None:
            fragment, toc = self._hub(hub.key, page.file.dest_path)
            page.toc = get_toc(_toc_tokens(toc))
            return fragment
        self.page_titles[page.url] = page.title or ""  # for the search's name index
        html = self._editorial_html(html, page)
        if page.is_homepage:
            self.home_editorial = html
            composed = self.builder.compose_home(html)
            if self.command == "serve":
                self.hub_cache["home"], self.hub_dest["home"] = composed, page.file.dest_path
            html, toc = composed
            page.toc = get_toc(_toc_tokens(toc))
            return html
        return html

    def _hub(self, key: str, dest: str) -> tuple[str, list]:
        """A hub's content; under serve, reused when the edit cannot have changed it.

        The statistics page depends on nearly everything and is slow on a big network: after
        an edit the preview shows it as it was, and a background thread brings the written
        page up to date right after the rebuild.
        """
        if self.command != "serve":
            return self.builder.render_hub(key)
        self.hub_dest[key] = dest
        cached = self.hub_cache.get(key)
        if cached is not None and self.hub_areas is not None:
            if key not in self.hub_areas:
                return cached
            if key in DEFERRED_HUBS:
                self.pending_hubs.append((key, dest))
                return cached
        self.hub_cache[key] = self.builder.render_hub(key)
        return self.hub_cache[key]

    def _refresh_hubs(self, site_dir: Path) -> None:
        """Bring the hubs left as they were (see :meth:`_hub`) up to date, in the background,
        and collect the garbage of the rebuild (whose collector was off, see :meth:`on_serve`)."""
        pending, builder = list(self.pending_hubs), self.builder
        self.pending_hubs.clear()
        self.hub_generation += 1
        generation = self.hub_generation

        def wait(seconds: float) -> bool:
            """False when a newer rebuild started meanwhile."""
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                if generation != self.hub_generation:
                    return False
                time.sleep(0.05)
            return generation == self.hub_generation

        def work() -> None:
            # The rebuild's garbage goes first, once the browser has fetched the page (the
            # collection holds the interpreter a few tenths of a second on a city network).
            if not wait(GC_DELAY):
                return
            gc.collect()
            builder.compile_templates()  # a first build renders in workers: compile here for the next edit
            # Hubs wait until the editor pauses: while edits follow each other, each would
            # only slow the next one down and be thrown away.
            if not wait(HUB_REFRESH_DELAY - GC_DELAY):
                return
            for key, dest in pending:
                try:  # a newer edit stops this one at once (its own refresh follows)
                    with cancellable(lambda: generation != self.hub_generation):
                        fresh = builder.compose_home(self.home_editorial) if key == "home" \
                            else builder.render_hub(key)
                except Cancelled:
                    return
                path = site_dir / dest
                with self.hub_lock:  # the page and hub_cache change together
                    if generation != self.hub_generation:
                        return
                    old = self.hub_cache[key][0]  # what the written page shows now
                    try:
                        text = path.read_text(encoding="utf-8")
                        if text.count(old) == 1:
                            tmp = path.with_name(f".{path.name}.tmp")
                            tmp.write_text(text.replace(old, fresh[0]), encoding="utf-8")
                            os.replace(tmp, path)
                    except OSError:
                        continue
                    self.hub_cache[key] = fresh

        self.deferred = threading.Thread(target=work, name="wenming-hubs", daemon=True)
        self.deferred.start()

    def on_post_template(self, output_content: str, *, template_name: str, config) -> str:
        from .render.site.util import fix_theme_markup

        return fix_theme_markup(output_content) if template_name.endswith(".html") else output_content

    def on_post_page(self, output: str, *, page, config) -> str:
        from .render.site import Shell
        from .render.site.util import fix_theme_markup

        output = fix_theme_markup(output)
        kind = self.shell_srcs.get(page.file.src_uri)
        if kind is None:
            search = _search_module() if self.cfg.search else None
            return search.prepare_html(output) if search is not None else output
        self.shells[kind] = Shell.from_html(output, kind)
        return ""  # the shell itself is never published

    def _editorial_html(self, html: str, page) -> str:
        """Editorial pages are untrusted like record bodies: the shared Markdown pipeline renders them."""
        from mkdocs.structure.toc import get_toc

        from .render.markdown import is_trusted, render_markdown

        source = self.cfg.content_path / page.file.src_uri
        if not source.is_file() or page.file.generated_by:
            return self._publish_inline_images(html, page)
        line = _body_line(source)
        problems = Problems()
        out = render_markdown(page.markdown, source=self.cfg.rel(source), line=line, config=self.cfg,
                              page_url=page.url, problems=problems, trusted=is_trusted(source, self.cfg),
                              images=self.builder.images_publisher, net=self.net)
        self.page_problems.extend(problems.items)  # reported with the record pages', all at once
        toc = [(int(m.group(1)), m.group(2), re.sub(r"<[^>]+>", "", m.group(3)))
               for m in re.finditer(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', out, re.DOTALL)]
        page.toc = get_toc(_toc_tokens(toc))
        return out

    def _publish_inline_images(self, html: str, page) -> str:
        """Editorial pages: point <img> at published copies (originals are never copied)."""
        from .render.site.util import relurl

        publisher = self.builder.images_publisher
        content = self.cfg.content_path.resolve()
        base = (content / page.file.src_uri).parent

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
                log.warning(f"{self.cfg.rel(path)}: 图片无法发布 (image cannot be published): {exc}")
                return m.group(0)
            return f'{m.group(1)}{relurl(page.url, img.url)}{m.group(3)}'

        return re.sub(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', swap, html)

    # ------------------------------------------------------------------ post build

    def on_post_build(self, *, config) -> None:
        try:
            self._post_build(config)
        finally:
            self._unlock()

    def _post_build(self, config) -> None:
        from .progress import Progress
        from .render.site.nearby import write_nearby

        site_dir = Path(config.site_dir)
        missing = [k for k in PAGE_KINDS if k not in self.shells]
        if missing:
            raise PluginError(f"内部错误:未生成页面框架 {missing} (internal error: no shell page for {missing})")
        serve = self.command == "serve"
        # Worker processes are forked; under serve only for the first build, before the
        # server's threads run.
        processes = not serve or self.builds == 0
        self.builds += 1
        search = _search_module() if self.cfg.search else None
        if search is not None:
            self.builder.page_filter = search.prepare_html
        result = None
        if serve and self.snapshot is not None and _kept(site_dir):
            result = self.builder.write_changed(site_dir, self.shells, self.snapshot)
        incremental = result is not None
        with Progress(self.cfg.progress and not incremental) as bars:
            if result is None:
                result = self.builder.write_records(site_dir, self.shells, workers=self.cfg.workers,
                                                    allow_processes=processes, progress=bars.bar("页面 pages"))
            problems = Problems(list(self.page_problems.items) + list(result.problems))
            self._report(problems, "页面生成失败 (page rendering failed)")
            hub_urls = [""] + [h.url for h in self.hubs.values()] + [
                p[:-3] + "/" if not p.endswith("index.md") else p[:-8] for p in self.net.pages if p != "index.md"]
            self.builder.write_sitemap(site_dir, hub_urls)
            write_nearby(self.net, site_dir)  # the 找身边的实践站 page's data files
            if incremental:
                self._update_qr(site_dir, {rid for kind, rid in result.keys if kind in ("station", "moved")})
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
        if serve:
            self.site_dir = site_dir
            self.snapshot = self.builder.snapshot(self.shells, result, self.snapshot if incremental else None)
            self._refresh_hubs(site_dir)
            if incremental:
                log.info(f"wenming: 增量更新 {result.pages} 个页面 (updated {result.pages} record pages), "
                         f"{result.seconds:.2f} s;搜索索引在重新启动预览时更新 (search is re-indexed on restart)")
                return
            _keep(site_dir)
        log.info(f"wenming: {result.pages} 个记录页面 (record pages), {result.cached} 个来自缓存 (cached), "
                 f"{result.seconds:.1f} s")
        if self.staging is not None and self.final_dir is not None:
            if _strict_failed(config):
                return  # MkDocs aborts next; on_build_error removes the staging folder
            from .guard import swap_in

            self._finish(site_dir)
            swap_in(self.staging, self.final_dir)
            config.site_dir = str(self.final_dir)
            self.staging = None

    def _finish(self, site_dir: Path) -> None:
        """robots.txt, .gz/.br copies and CSP hashes, in the staging folder before it is swapped in."""
        from .render.deploy import finish_site

        start = time.monotonic()
        done = finish_site(site_dir, self.cfg, previous=self.final_dir)
        log.info(f"wenming: 预压缩 {done.gz} 个文件 (precompressed {done.gz} files, "
                 f"{done.bytes_in / 1e6:.1f} → {done.bytes_gz / 1e6:.1f} MB), {time.monotonic() - start:.1f} s")
        if done.inline_attrs:  # advice (as a warning it would fail --strict after the swap)
            log.info(f"wenming: 警告 warning: {len(done.inline_attrs)} 个页面含内联样式或事件属性,严格的内容安全策略会拦截 "
                        f"({len(done.inline_attrs)} page(s) carry style= or on*= attributes that a strict "
                        f"Content-Security-Policy blocks), e.g. {done.inline_attrs[0]}")

    def _update_qr(self, site_dir: Path, stations: set[str]) -> None:
        from .render.qr.site import update_qr_site

        update_qr_site(self.net, self.cfg, site_dir, stations)

    def _start_drawing(self) -> None:
        """QR images missing from the cache are drawn by a worker of their own from now on: MkDocs'
        index pages, next, keep one core busy."""
        self._stop_drawing()
        if self.command == "serve" and self.builds > 0:
            return  # a preview rebuild draws the few codes it needs itself
        from .render.qr.site import start_drawing

        self.drawing = start_drawing(self.net, self.cfg, workers=self.cfg.workers)

    def _stop_drawing(self) -> None:
        if self.drawing is not None:
            self.drawing.cancel()
            self.drawing = None

    def _write_qr(self, site_dir: Path, processes: bool, progress) -> None:
        from .render.qr.site import write_qr_site

        drawing, self.drawing = self.drawing, None
        write_qr_site(self.net, self.cfg, site_dir, workers=self.cfg.workers, allow_processes=processes,
                      progress=progress, drawing=drawing)

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_drawing()
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        self._unlock()
        from .errors import ContentError, UsageError
        from .guard import resource_message

        text = resource_message(error) if isinstance(error, OSError) else None
        if text is None and isinstance(error, (UsageError, ContentError)):
            text = str(error)
        if text is not None:  # a message, never a traceback; the published site is as it was
            from mkdocs.exceptions import Abort

            log.error(text)
            raise Abort("构建已中止,原网站保持不变 (build aborted; the published site is unchanged)") from None

    def on_shutdown(self) -> None:
        self._unlock()
        if self.temp_cache:
            shutil.rmtree(self.temp_cache, ignore_errors=True)


# ---------------------------------------------------------------------- helpers


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory (Jinja checks each template's source hash)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()


def _body_line(source: Path) -> int:
    """The line of an editorial page where its Markdown starts (after the front matter)."""
    raw = source.read_text(encoding="utf-8-sig")
    if raw.startswith("---"):
        end = re.search(r"^---\s*$", raw[3:], re.MULTILINE)
        if end:
            return raw[: 3 + end.end()].count("\n") + 2
    return 1


def _mkdocs_nav(tree: list[tuple[Any, Any]]) -> list:
    out: list = []
    for title, target in tree:
        if isinstance(target, list):
            out.append({title: _mkdocs_nav(target)})
        elif title is None:
            out.append(target)
        else:
            out.append({title: target})
    return out


def _toc_tokens(items: list[tuple[int, str, str]]) -> list[Any]:
    tokens: list[dict] = []
    for level, anchor, title in items:
        token = {"level": level, "id": anchor, "name": title, "html": title, "children": []}
        if level > 2 and tokens and tokens[-1]["level"] < level:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens


def _flat(toc) -> list:
    out = []
    for item in toc or []:
        out.append(item)
        out.extend(_flat(item.children))
    return out


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


def _search_module():
    from .render import search

    return search


def _real_site_url(config_file: str | None) -> str:
    """``site_url`` as mkdocs.yml gives it (``mkdocs serve`` replaces it with its own address)."""
    if not config_file:
        return ""
    from .config import load_config
    from .errors import UsageError

    try:
        return load_config(config_file).site_url
    except (UsageError, OSError):
        return ""


def _native_watcher(server) -> None:
    """Let the preview hear of edits from the kernel (inotify) instead of MkDocs' polling.

    MkDocs looks at every watched file twice a second: up to half a second before an edit is
    noticed, and on a province's content (100,000 files) a core kept busy. On Linux the
    watched paths are moved to watchdog's native observer; elsewhere nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import inspect

        from watchdog import events
        from watchdog.observers import Observer

        if "event_filter" not in inspect.signature(Observer.schedule).parameters:
            return  # watchdog < 4

        class EditObserver(Observer):  # type: ignore[misc, valid-type]
            """Only writes, creations, deletions and moves: the build's own reading of the
            content (inotify reports every open) must not start another rebuild."""

            def schedule(self, handler, path, *, recursive=False, event_filter=None, **kw):
                wanted = [events.FileCreatedEvent, events.FileDeletedEvent, events.FileModifiedEvent,
                          events.FileMovedEvent, events.FileClosedEvent]
                return super().schedule(handler, path, recursive=recursive,
                                        event_filter=event_filter or wanted, **kw)

        paths = dict(server._watched_paths)  # MkDocs 1.6: path -> number of watch() calls
        for path, count in paths.items():
            for _ in range(count):
                server.unwatch(path)
        server.observer = EditObserver()
        for path, count in paths.items():
            for _ in range(count):
                server.watch(path)
    except (ImportError, AttributeError, KeyError, OSError) as exc:  # keep MkDocs' own watcher
        log.debug(f"native file watcher not used: {exc}")


#: Hub pages a live preview may show as they were for a moment (brought up to date in the background).
DEFERRED_HUBS = {"stats", "home"}


def _stamp(path) -> tuple:
    try:
        st = os.stat(path)
    except (OSError, TypeError):
        return ()
    return (st.st_mtime_ns, st.st_size)


#: Folders a live preview keeps between rebuilds (MkDocs empties the site folder each time).
KEPT_DIRS = (*(KINDS[k].folder for k in PAGE_KINDS), "s", "pagefind", "images")
KEPT_STORE = ".wenming-serve"


def _keep(site_dir: Path) -> None:
    """Move the record folders into a hidden folder and link them back (``mkdocs serve`` only).

    MkDocs empties the site folder before every rebuild but leaves hidden entries, and it
    cannot remove a symbolic link to a folder with ``rmtree``: so the pages survive and the
    next rebuild rewrites only what an edit touched. Where links are not possible (some
    Windows setups) every rebuild is a full one.
    """
    store = site_dir / KEPT_STORE
    for name in KEPT_DIRS:
        here = site_dir / name
        if here.is_symlink() or not here.is_dir():
            continue
        kept = store / name
        if kept.exists():
            shutil.rmtree(kept)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(here, kept)
        try:
            os.symlink(kept.relative_to(site_dir), here, target_is_directory=True)
        except OSError:
            os.replace(kept, here)
            return


def _kept(site_dir: Path) -> bool:
    """Whether the record folders of the previous build are still in place (see :func:`_keep`)."""
    return all((site_dir / name).is_symlink() and (site_dir / name).is_dir()
               for name in KEPT_DIRS if (site_dir / KEPT_STORE / name).is_dir()) \
        and (site_dir / KEPT_STORE / "stations").is_dir()


# ---------------------------------------------------------------------- commands


def _theme_override(config_file: str) -> dict[str, Any]:
    """``theme=`` for MkDocs without a ``custom_dir`` whose folder is missing (MkDocs would stop
    before any plugin runs), with the warning ``wenming check`` prints; {} when all is well."""
    from .config import custom_dir_missing, read_mkdocs_yml, theme_settings
    from .errors import Problem

    path = Path(config_file)
    if not path.is_file():
        return {}
    theme, folder = theme_settings(read_mkdocs_yml(path), path.resolve().parent)
    if theme is None:
        return {}
    zh, en = custom_dir_missing(folder)
    for line in Problem("mkdocs.yml", None, "theme.custom_dir", zh, en, "warning").format().splitlines():
        log.warning(line)
    return {"theme": theme}


def build_site(config_file: str = "mkdocs.yml", *, site_dir: str | None = None, clean: bool = True,
               strict: bool = False) -> None:
    """``wenming build``: the MkDocs build, run programmatically."""
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


def serve_site(config_file: str = "mkdocs.yml", *, dev_addr: str | None = None, open_browser: bool = False) -> None:
    """``wenming serve``: live preview that rebuilds when content/ changes."""
    from mkdocs.commands.serve import serve

    kwargs: dict[str, Any] = _theme_override(config_file)
    if dev_addr:
        kwargs["dev_addr"] = dev_addr
    serve(config_file=config_file, open_in_browser=open_browser, livereload=True, **kwargs)
