"""The output folder of a build: locks, the staging folder and the atomic swap.

A build writes into ``.<site>.staging`` next to the site folder and swaps it in at the very
end (:func:`generator.guard.swap_in`): a failed or interrupted build leaves the published
site as it was. One build at a time per output folder and per cache folder. The primitives
live in :mod:`generator.guard`; this module is the order a build uses them in.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import UsageError
from . import BuildFailed


class Output:
    """The output and cache folders of one engine session (a build, or a preview's rebuilds)."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.final_dir: Path | None = None
        self.staging: Path | None = None
        self.locks: list = []  # guard.BuildLock held for this build (output folder, cache)
        self.temp_cache: str | None = None  # the cache of a build whose cache folder is read-only

    def use_cache(self, cfg: Any) -> None:
        """Point ``cfg`` at a private cache when its own folder cannot be written (one warning)."""
        from ..guard import usable_cache

        if not usable_cache(cfg.cache_path):
            cfg.cache_dir = self.temp_cache or tempfile.mkdtemp(prefix="wenming-cache-")
            self.temp_cache = cfg.cache_dir

    def lock(self, final: Path, cache: Path, *, output: bool = True) -> None:
        """One build at a time per output folder and per cache (see :mod:`generator.guard`).

        ``output=False`` (a live preview) locks the cache only. Raises :class:`BuildFailed`."""
        from ..guard import cache_lock, output_lock, refuse_mount_point, refuse_unwritable

        try:
            if output and not any(lk.what_en == "output folder" for lk in self.locks):
                refuse_mount_point(final)
                lock = output_lock(final)
                if not lock.acquire(on_wait=self.log.info):
                    refuse_unwritable(final.parent)
                self.locks.append(lock)
            if not any(lk.what_en == "cache folder" for lk in self.locks):
                lock = cache_lock(cache)
                if lock.acquire(on_wait=self.log.info):
                    self.locks.append(lock)
        except UsageError as exc:
            self.unlock()
            raise BuildFailed(str(exc)) from None

    def unlock(self) -> None:
        for lock in self.locks:
            lock.release()
        self.locks = []

    def stage(self, final: Path) -> Path:
        """The folder to build into: a fresh staging folder next to ``final`` (an interrupted
        swap of an earlier build is undone first)."""
        from ..guard import recover

        self.final_dir = final
        restored = recover(final)
        if restored:
            self.log.warning(f"上次构建在替换网站时中断,已恢复原网站 {final}(来自 {restored}) "
                             f"(a build was interrupted while swapping the site in: {final} restored)")
        self.staging = final.parent / f".{final.name}.staging"
        if self.staging.exists():
            shutil.rmtree(self.staging)
        return self.staging

    def finish(self, site_dir: Path, cfg: Any) -> None:
        """robots.txt, .gz/.br copies and CSP hashes, in the staging folder before it is swapped in."""
        from ..render.deploy import finish_site

        start = time.monotonic()
        done = finish_site(site_dir, cfg, previous=self.final_dir)
        self.log.info(f"wenming: 预压缩 {done.gz} 个文件 (precompressed {done.gz} files, "
                      f"{done.bytes_in / 1e6:.1f} → {done.bytes_gz / 1e6:.1f} MB), {time.monotonic() - start:.1f} s")
        if done.inline_attrs:  # advice (as a warning it would fail --strict after the swap)
            self.log.info(f"wenming: 警告 warning: {len(done.inline_attrs)} 个页面含内联样式或事件属性,严格的内容安全策略会拦截 "
                          f"({len(done.inline_attrs)} page(s) carry style= or on*= attributes that a strict "
                          f"Content-Security-Policy blocks), e.g. {done.inline_attrs[0]}")

    def swap_in(self) -> Path:
        """Replace the published site with the staging folder; returns the site folder."""
        from ..guard import swap_in

        assert self.staging is not None and self.final_dir is not None
        swap_in(self.staging, self.final_dir)
        self.staging = None
        return self.final_dir

    def abort(self) -> None:
        """A failed build: the staging folder goes, the published site stays as it was."""
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        self.unlock()

    def close(self) -> None:
        self.unlock()
        if self.temp_cache:
            shutil.rmtree(self.temp_cache, ignore_errors=True)
