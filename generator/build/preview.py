"""The live preview: rebuilds after an edit that rewrite only what the edit changed.

Held across the rebuilds of one preview session by :class:`generator.build.site.SiteBuild`:

* the record pages of the previous build (a ``Snapshot``) and the folders kept between
  rebuilds (:func:`keep`), so that a rebuild rewrites only the pages an edit touched;
* the hub cache: index pages an edit cannot have changed are reused; the 统计 and home
  pages are shown as they were for a moment and brought up to date by a background thread
  once the editor pauses (:meth:`Preview.refresh_hubs`);
* :meth:`Preview.quick_rebuild`: an edit of records that changes no index page is written
  without the engine's build at all.

Which pages and hubs an edit touches is decided in :mod:`generator.render.site.incremental`.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import BytecodeCache

from ..cancel import Cancelled, cancellable
from ..errors import Problems
from ..kinds import KINDS, PAGE_KINDS

if TYPE_CHECKING:
    from .site import SiteBuild

#: Seconds without a new edit before the preview brings the 统计 and home pages up to date.
HUB_REFRESH_DELAY = 1.0
#: Seconds after a preview rebuild before its garbage is collected.
GC_DELAY = 0.3
#: Hub pages a live preview may show as they were for a moment (brought up to date in the background).
DEFERRED_HUBS = {"stats", "home"}
#: The 找身边的实践站 data files, brought up to date after the pause like those hubs.
NEARBY_DATA = "nearby-data"
#: Folders a live preview keeps between rebuilds (the engine may empty the site folder each time).
KEPT_DIRS = (*(KINDS[k].folder for k in PAGE_KINDS), "s", "pagefind", "images")
KEPT_STORE = ".wenming-serve"


class Preview:
    """What one preview session keeps from one rebuild to the next."""

    def __init__(self) -> None:
        self.snapshot: Any = None  # the record pages of the previous build
        self.hub_cache: dict[str, tuple[str, list]] = {}  # hub key -> (fragment, toc)
        self.stale: Any = None  # pages the last edit made stale (render.site.deps); None: all
        self.deferred: Any = None  # a hub being brought up to date after a rebuild
        self.hub_generation = 0  # bumped by every rebuild: older hub refreshes give up
        self.hub_lock = threading.Lock()
        self.pending_hubs: list[tuple[str, str]] = []  # (hub key, page) to refresh after a rebuild
        self.hub_dest: dict[str, str] = {}
        self.home_editorial = ""
        self.site_dir: Path | None = None
        self.config_stamp: tuple = ()

    def stop_refresh(self) -> None:
        """A new build starts: hubs still being refreshed give up (and are waited for)."""
        if self.deferred is not None:
            self.hub_generation += 1
            self.deferred.join()

    def begin(self, net: Any) -> None:
        """A full rebuild starts with the network ``net``: which pages the edit made stale
        (from what each page read, :mod:`generator.render.site.deps`)."""
        self.stale = None
        if self.snapshot is not None:
            from ..render.site.incremental import stale_pages

            self.stale = stale_pages(self.snapshot, net)

    def changed_records(self, net: Any) -> list | None:
        """The records an edit changed (their photos are published again); None: all of them."""
        if self.stale is None or self.snapshot is None:
            return None
        from ..render.site.incremental import changed_records

        return changed_records(self.snapshot.net, net)

    def hub(self, builder: Any, key: str, dest: str) -> tuple[str, list]:
        """A hub's content, reused when the edit cannot have changed it.

        The statistics page depends on nearly everything and is slow on a big network: after
        an edit the preview shows it as it was, and a background thread brings the written
        page up to date right after the rebuild.
        """
        self.hub_dest[key] = dest
        cached = self.hub_cache.get(key)
        if cached is not None and self.stale is not None:
            if key not in self.stale:
                return cached
            if key in DEFERRED_HUBS:
                self.pending_hubs.append((key, dest))
                return cached
        self.hub_cache[key] = builder.render_hub(key)
        return self.hub_cache[key]

    def home(self, composed: tuple[str, list], editorial: str, dest: str) -> None:
        self.home_editorial = editorial
        self.hub_cache["home"], self.hub_dest["home"] = composed, dest

    def refresh_hubs(self, builder: Any, site_dir: Path) -> None:
        """Bring the hubs left as they were (see :meth:`hub`) up to date, in the background,
        and collect the garbage of the rebuild (whose collector was off, see :func:`rebuild`)."""
        pending = list(self.pending_hubs)
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
                        if key == NEARBY_DATA:
                            builder.write_nearby(site_dir)  # whole files, each replaced at once
                            continue
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

    def quick_rebuild(self, run: SiteBuild) -> bool:
        """Write what an edit of records changed, without the engine; False: a full rebuild is needed.

        Taken when the settings file is unchanged, the content has no errors and no index page
        (directories, lists) shows what changed; the statistics and home pages are brought
        up to date right after, in the background. Anything else goes through the engine.
        """
        if self.snapshot is None or self.site_dir is None or not kept(self.site_dir):
            return False
        if self.config_stamp != stamp(run.cfg.project_dir / "mkdocs.yml"):
            return False
        run.output.lock(self.site_dir, run.cfg.cache_path, output=False)
        try:
            return self._quick_rebuild(run)
        finally:
            run.output.unlock()

    def _quick_rebuild(self, run: SiteBuild) -> bool:
        from ..check import check_project
        from ..render.site import SiteBuilder
        from ..render.site.incremental import changed_records, stale_pages

        # Hubs still being refreshed after the previous edit: that work is dropped (it would
        # show the network before this edit) and done again after this rebuild, without waiting.
        self.hub_generation += 1
        start = time.monotonic()
        net, problems = check_project(run.cfg, links=False, processes=False)
        areas = stale_pages(self.snapshot, net)
        if problems.errors or areas is None:
            return False
        stale = {key for key in self.hub_dest if key in areas}
        if stale - DEFERRED_HUBS:
            return False
        builder = SiteBuilder(net, run.cfg, template_dirs=run.template_dirs)
        builder.publish_images(self.site_dir, records=changed_records(self.snapshot.net, net), known=run.published)
        if builder.problems.errors:
            return False
        search = run.search()
        if search is not None:
            builder.page_filter = search.prepare_html
        # The nearby data files (every station's row) are written with the hubs, after the pause.
        result = builder.write_changed(self.site_dir, run.shells, self.snapshot, nearby=False)
        if result is None:
            return False
        run.published = dict(builder.extras.images)
        run.net, run.builder = net, builder
        run.warned_before, run.warned = run.warned, set()
        run.report(Problems(list(problems.items) + list(result.problems)), "内容检查未通过 (content check failed)")
        run.update_qr(self.site_dir, result)
        self.snapshot = builder.snapshot(run.shells, result, self.snapshot)
        self.pending_hubs = [(key, self.hub_dest[key]) for key in sorted(stale)
                             if key in self.hub_cache]
        if NEARBY_DATA in areas:
            self.pending_hubs.append((NEARBY_DATA, ""))
        self.refresh_hubs(builder, self.site_dir)
        run.log.info(f"wenming: 快速更新 {result.pages} 个页面,{time.monotonic() - start:.2f} s "
                     f"(quick update of {result.pages} record pages, without a MkDocs build)")
        return True


def rebuild(run: SiteBuild, full: Any) -> None:
    """One preview rebuild after an edit: the quick one when it suffices, else ``full()`` (the engine's).

    The preview holds two networks and the engine's state: one pass of the garbage collector
    over all of it takes longer than the rest of a quick rebuild. It is off while the edit
    is written and runs once the editor pauses (:meth:`Preview.refresh_hubs`).
    """
    gc.disable()
    try:
        quick = run.preview is not None and run.preview.quick_rebuild(run)
    finally:
        gc.enable()
    if not quick:
        full()


class MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory (Jinja checks each template's source hash)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


#: For an engine that makes a new theme environment for every rebuild (MkDocs under serve).
BYTECODE = MemoryBytecodeCache()


def stamp(path) -> tuple:
    try:
        st = os.stat(path)
    except (OSError, TypeError):
        return ()
    return (st.st_mtime_ns, st.st_size)


def keep(site_dir: Path) -> None:
    """Move the record folders into a hidden folder and link them back (live preview only).

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
        kept_dir = store / name
        if kept_dir.exists():
            shutil.rmtree(kept_dir)
        kept_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(here, kept_dir)
        try:
            os.symlink(kept_dir.relative_to(site_dir), here, target_is_directory=True)
        except OSError:
            os.replace(kept_dir, here)
            return


def kept(site_dir: Path) -> bool:
    """Whether the record folders of the previous build are still in place (see :func:`keep`)."""
    return all((site_dir / name).is_symlink() and (site_dir / name).is_dir()
               for name in KEPT_DIRS if (site_dir / KEPT_STORE / name).is_dir()) \
        and (site_dir / KEPT_STORE / "stations").is_dir()


def native_watcher(server: Any, log: Any) -> None:
    """Let the preview hear of edits from the kernel (inotify) instead of polling.

    MkDocs' livereload server looks at every watched file twice a second: up to half a second
    before an edit is noticed, and on a province's content (100,000 files) a core kept busy.
    On Linux the paths ``server`` watches (``_watched_paths``, ``watch``/``unwatch``) are moved
    to watchdog's native observer; elsewhere nothing changes.
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
    except (ImportError, AttributeError, KeyError, OSError) as exc:  # keep the server's own watcher
        log.debug(f"native file watcher not used: {exc}")
