"""Site search: a chunked Pagefind index over the built site, Simplified ↔ Traditional aware.

``build_index(site_dir, config)`` runs after every page is written:

1. pages whose indexed text contains Traditional characters get a hidden
   Simplified copy of those lines (see :mod:`.pages`), so a Simplified query
   finds them;
2. Pagefind (the ``pagefind[extended]`` binary, which segments Chinese) indexes
   the main content of every page into ``site_dir/pagefind/``: the browser later
   downloads only the index chunks and fragments a query needs;
3. the character/phrase map the browser uses to convert a Traditional query to
   Simplified is written to ``site_dir/pagefind/wenming-search.json``;
4. given the network, the name index of every record (:mod:`.names`) is written to
   ``site_dir/pagefind/names/`` while Pagefind runs.

The search box (the theme's ``partials/search.html``, ``static/search/names.js``,
``static/search/search.js``) replaces Material's own search, which would download one big
JSON index: names first, then Pagefind's full-text results.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError
from ...guard import checksum, damaged, exec_dies_with_parent
from .names import NAMES_DIR
from .pages import FALLBACK_SELECTOR, add_simplified_copy
from .t2s import browser_map

__all__ = ["BUNDLE_DIR", "SETTINGS_NAME", "IndexStats", "build_index", "find_pagefind", "prepare_html", "start_index"]

log = logging.getLogger(__name__)

#: Folder of the Pagefind bundle inside the site.
BUNDLE_DIR = "pagefind"
#: Settings of the search box (character map, index shards), inside the bundle folder.
SETTINGS_NAME = "wenming-search.json"
#: Folder name prefix of extra index shards inside the bundle folder.
SHARD_PREFIX = "shard"
#: Top-level folders of the built site that never hold pages to index.
_SKIP_DIRS = {BUNDLE_DIR, "assets", "search", "images", "s"}
#: Language of the whole index: one index, whatever ``lang`` a page declares.
LANGUAGE = "zh"


@dataclass
class IndexStats:
    pages_seen: int = 0
    pages_with_copy: int = 0
    explicit_body: bool = False
    seconds_prepare: float = 0.0
    seconds_pagefind: float = 0.0
    pagefind_output: str = ""
    extended: bool = True
    indexed_pages: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.seconds_prepare + self.seconds_pagefind


def find_pagefind() -> tuple[Path, bool]:
    """The Pagefind binary and whether it is the extended build (Chinese segmentation)."""
    env = os.environ.get("PAGEFIND_BINARY_PATH")
    if env:
        return Path(env), "extended" in Path(env).name
    try:
        from pagefind_bin_extended import get_executable as get_extended  # type: ignore

        return Path(get_extended()), True
    except (ImportError, FileNotFoundError):
        pass
    try:
        from pagefind_bin import get_executable as get_plain  # type: ignore

        return Path(get_plain()), False
    except (ImportError, FileNotFoundError):
        pass
    for name, extended in (("pagefind_extended", True), ("pagefind", False)):
        found = shutil.which(name)
        if found:
            return Path(found), extended
    raise UsageError(
        "找不到 Pagefind 搜索索引程序;请安装:pip install 'pagefind[extended]',"
        "或在 mkdocs.yml 的 wenming 插件下设置 search: false 关闭站内搜索\n"
        "  (the Pagefind binary was not found; install it with pip install 'pagefind[extended]', "
        "or set search: false under the wenming plugin in mkdocs.yml)"
    )


def _html_files(site_dir: Path) -> list[Path]:
    out: list[Path] = []
    for entry in os.scandir(site_dir):
        if entry.is_dir(follow_symlinks=False):
            if entry.name in _SKIP_DIRS or entry.name.startswith("."):
                continue
            for root, dirs, files in os.walk(entry.path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                out.extend(Path(root, f) for f in files if f.endswith(".html"))
        elif entry.name.endswith(".html") and entry.name != "404.html":
            out.append(Path(entry.path))
    return out


def prepare_pages(site_dir: Path, stats: IndexStats | None = None) -> IndexStats:
    """Add the hidden Simplified copies (only to pages with Traditional text)."""
    stats = stats or IndexStats()
    start = time.perf_counter()
    for path in _html_files(site_dir):
        stats.pages_seen += 1
        try:
            doc = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if not stats.explicit_body and "data-pagefind-body" in doc:
            stats.explicit_body = True
        new = add_simplified_copy(doc)
        if new is not None:
            path.write_text(new, encoding="utf-8")
            stats.pages_with_copy += 1
    stats.seconds_prepare = time.perf_counter() - start
    return stats


#: Pages per Pagefind run. Pagefind holds a run's whole index in memory (about 165 KB
#: per station page, measured from 2,000 to 9,500 pages), so a site is indexed in several
#: runs ("shards") whose indexes the browser merges. Two run at once on two cores: one
#: run alone keeps only about 1.4 cores busy. A province gets bigger shards (the browser
#: asks every shard's index for a query, so their number stays small).
SHARD_PAGES = 2000
#: At most this many shards: bigger sites get bigger shards.
MAX_SHARDS = 16
#: ... unless smaller shards let two runs share the memory left: then up to this many (the
#: browser fetches about the same bytes either way, in more requests).
MAX_SHARDS_PARALLEL = 28
#: Memory of a Pagefind run per page, in KB (measured on station pages, 2,000 to 9,500 a run).
PAGE_KB = 165
#: Networks of up to this many records get their name index written while Pagefind runs.
NAMES_ALONGSIDE = 30_000
#: Memory the build and its Pagefind runs may use together, in MB.
MEMORY_MB = 3700
_STATS_LOCK = threading.Lock()


def own_memory_mb() -> float:
    """Resident memory of this process now, in MB (0 where the system does not tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def shard_plan(total: int, shard_pages: int = SHARD_PAGES, workers: int = 0,
               free_mb: float | None = None) -> tuple[int, int]:
    """(pages per shard, Pagefind runs at once) for a site of ``total`` pages to index.

    ``free_mb`` is the memory the runs may take together (default: :data:`MEMORY_MB` less
    what this process holds). Runs go two at a time (one per core) when two shards fit in it,
    with smaller shards if need be; otherwise one at a time.
    """
    from ...parallel import worker_count

    runs = worker_count(workers)
    limit = max(shard_pages, -(-total // MAX_SHARDS))
    if runs < 2:
        return limit, 1
    if free_mb is None:
        free_mb = MEMORY_MB - own_memory_mb()
    fits = int(free_mb * 1024 / PAGE_KB)  # pages that all runs at once may index
    if limit * runs <= fits:
        return limit, runs
    smaller = fits // runs
    if smaller >= shard_pages and -(-total // smaller) <= MAX_SHARDS_PARALLEL:
        return smaller, runs
    return limit, 1


_GLOB_SPECIAL = set("*?[]{}!\\,")


def _split(top: str, names: list[str], prefix: str, limit: int) -> list[tuple[str, int]]:
    """Globs covering the page folders ``names`` under ``top`` in groups of about ``limit``."""
    if len(names) <= limit or len(prefix) >= 8:
        pattern = f"{top}/{prefix}*/**/*.html" if prefix else f"{top}/*/**/*.html"
        return [(pattern, len(names))]
    out: list[tuple[str, int]] = []
    exact = [n for n in names if len(n) == len(prefix)]
    if exact:
        out.append((f"{top}/{exact[0]}/**/*.html", 1))
    groups: dict[str, list[str]] = {}
    for n in names:
        if len(n) > len(prefix):
            groups.setdefault(n[len(prefix)], []).append(n)
    for ch in sorted(groups):
        out.extend(_split(top, groups[ch], prefix + ch, limit))
    return out


def _page_groups(site_dir: Path, limit: int) -> list[tuple[str, int]]:
    """Globs covering every page to index, with their page counts, in groups of about ``limit``."""
    groups: list[tuple[str, int]] = []
    root_files: list[str] = []
    for entry in sorted(os.scandir(site_dir), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            if entry.name in _SKIP_DIRS or entry.name.startswith("."):
                continue
            subdirs, files = [], 0
            for sub in os.scandir(entry.path):
                if sub.is_dir(follow_symlinks=False):
                    subdirs.append(sub.name)
                elif sub.name.endswith(".html"):
                    files += 1
            if set(entry.name) & _GLOB_SPECIAL or any(set(n) & _GLOB_SPECIAL for n in subdirs):
                groups.append((f"{entry.name}/**/*.html", len(subdirs) + files))
                continue
            if files:
                groups.append((f"{entry.name}/*.html", files))
            if subdirs:
                groups.extend(_split(entry.name, sorted(subdirs), "", limit))
        elif entry.name.endswith(".html") and entry.name != "404.html":
            root_files.append(entry.name)
    # Named one by one: ``*.html`` would take in the 404 page, which no search should find.
    if any(set(name) & _GLOB_SPECIAL for name in root_files):
        groups.insert(0, ("*.html", len(root_files)))
    else:
        groups[:0] = [(name, 1) for name in root_files]
    return groups


def plan_shards(site_dir: Path, limit: int = SHARD_PAGES) -> list[list[str]]:
    """Globs for each Pagefind run; ``[]`` means one run over the whole site."""
    return _shards(_page_groups(site_dir, limit), limit)


def _shards(groups: list[tuple[str, int]], limit: int) -> list[list[str]]:
    """The globs packed into as few shards of at most ``limit`` pages as we can (first fit,
    biggest groups first); a group bigger than ``limit`` gets a shard of its own."""
    if sum(n for _, n in groups) <= limit:
        return []
    shards: list[list[str]] = []
    sizes: list[int] = []
    for pattern, n in sorted(groups, key=lambda g: (-g[1], g[0])):
        for i, size in enumerate(sizes):
            if size + n <= limit:
                shards[i].append(pattern)
                sizes[i] += n
                break
        else:
            shards.append([pattern])
            sizes.append(n)
    return shards


def shard_files(site_dir: Path, patterns: list[str]) -> list[str]:
    """The pages (paths relative to ``site_dir``) the globs of :func:`plan_shards` match."""
    out: set[str] = set()

    def walk(folder: str) -> None:
        for root, dirs, files in os.walk(site_dir / folder):
            dirs.sort()
            rel = Path(root).relative_to(site_dir).as_posix()
            out.update(f"{rel}/{f}" for f in files if f.endswith(".html"))

    for pattern in patterns:
        if pattern == "*.html":
            out.update(e.name for e in os.scandir(site_dir) if e.is_file() and e.name.endswith(".html"))
            continue
        top, _, rest = pattern.partition("/")
        if not rest:  # a page at the top, by name
            if (site_dir / top).is_file():
                out.add(top)
        elif rest == "*.html":
            out.update(f"{top}/{e.name}" for e in os.scandir(site_dir / top)
                       if e.is_file() and e.name.endswith(".html"))
        elif rest == "**/*.html":
            walk(top)
        else:  # "<name>/**/*.html" or "<prefix>*/**/*.html"
            head = rest[: -len("/**/*.html")]
            prefix = head[:-1] if head.endswith("*") else None
            for e in os.scandir(site_dir / top):
                if e.is_dir() and (e.name.startswith(prefix) if prefix is not None else e.name == head):
                    walk(f"{top}/{e.name}")
    return sorted(out)


class ShardCache:
    """Pagefind's output for a shard, kept by a hash of the shard's pages: unchanged shards are
    not indexed again (a rebuild where little changed re-runs Pagefind on one shard, or none)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.used: set[str] = set()

    def key(self, site_dir: Path, patterns: list[str], root_selector: str | None) -> str | None:
        try:
            binary, _ = find_pagefind()
            h = hashlib.sha256(f"{binary}|{binary.stat().st_size}|{root_selector}|{LANGUAGE}|{patterns}".encode())
            for rel in shard_files(site_dir, patterns):
                h.update(rel.encode() + b"\0")
                h.update((site_dir / rel).read_bytes())
        except (OSError, UsageError):
            return None
        return h.hexdigest()[:32]

    def get(self, key: str, output: Path) -> int | None:
        """Copy the cached output to ``output`` (hard links); the number of pages, or None."""
        folder = self.root / key
        try:
            pages = int((folder / "pages.txt").read_text(encoding="ascii"))
            if (folder / "sums.txt").read_text(encoding="ascii") != _tree_sums(folder / "bundle", key, pages):
                damaged("搜索索引", "search index part", folder)
                shutil.rmtree(folder, ignore_errors=True)
                return None
            _link_tree(folder / "bundle", output)
        except (OSError, ValueError):
            shutil.rmtree(output, ignore_errors=True)
            return None
        with _STATS_LOCK:
            self.used.add(key)
        return pages

    def put(self, key: str, output: Path, pages: int) -> None:
        folder = self.root / key
        tmp = self.root / f".{key}.{os.getpid()}.{threading.get_ident()}"
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            if output.is_dir():
                _link_tree(output, tmp / "bundle")
            else:
                (tmp / "bundle").mkdir()
            (tmp / "pages.txt").write_text(str(pages), encoding="ascii")
            (tmp / "sums.txt").write_text(_tree_sums(tmp / "bundle", key, pages), encoding="ascii")
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
        except OSError:  # a read-only cache only costs speed
            shutil.rmtree(tmp, ignore_errors=True)
            return
        with _STATS_LOCK:
            self.used.add(key)

    def keep_only_used(self) -> None:
        """Forget the outputs this build did not use (the cache holds one site's index)."""
        if not self.root.is_dir():
            return
        for entry in os.scandir(self.root):
            if entry.name not in self.used:
                shutil.rmtree(entry.path, ignore_errors=True)


def _tree_sums(folder: Path, key: str, pages: int) -> str:
    """One line per file of a cached index part (its path and the checksum of its bytes), then
    one for the inputs (the part's key and page count): an emptied, truncated or edited part,
    or a file added, never matches."""
    lines = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            path = Path(root, f)
            lines.append(f"{path.relative_to(folder).as_posix()}\t{checksum(path.read_bytes())}")
    lines.append(f"inputs\t{checksum(key, str(pages))}")
    return "\n".join(lines) + "\n"


def _link_tree(src: Path, dest: Path) -> None:
    """Copy the tree ``src`` to ``dest`` with hard links (plain copies where links fail)."""
    for root, _dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for f in files:
            try:
                os.link(Path(root, f), dest / rel / f)
            except OSError:
                shutil.copyfile(Path(root, f), dest / rel / f)


def _glob(patterns: list[str]) -> str:
    return patterns[0] if len(patterns) == 1 else "{" + ",".join(patterns) + "}"


def run_pagefind(site_dir: Path, *, root_selector: str | None, stats: IndexStats | None = None,
                 glob: str | None = None, output: str = BUNDLE_DIR) -> int:
    """One Pagefind run over ``site_dir`` (or the pages matching ``glob``) into ``site_dir/output``.

    Returns the number of pages indexed (0: nothing to index, nothing written).
    """
    stats = stats or IndexStats()
    binary, stats.extended = find_pagefind()
    if not stats.extended:
        log.warning("Pagefind 不是 extended 版本,中文不会分词,搜索效果较差;请安装 pagefind[extended]"
                    " (Pagefind is not the extended build: Chinese is not segmented; install pagefind[extended])")
    args = [str(binary), "--site", str(site_dir), "--output-subdir", output, "--force-language", LANGUAGE]
    if root_selector:
        args += ["--root-selector", root_selector]
    if glob:
        args += ["--glob", glob]
    start = time.perf_counter()
    try:
        proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=3600,
                              preexec_fn=exec_dies_with_parent())
    except OSError as exc:
        raise UsageError(f"无法运行 Pagefind:{exc}\n  (could not run Pagefind: {exc})") from None
    out = (proc.stdout + proc.stderr).strip()
    with _STATS_LOCK:
        stats.seconds_pagefind += time.perf_counter() - start
        stats.pagefind_output += out + "\n"
    found = re.search(r"Indexed (\d+) page", out)
    pages = int(found.group(1)) if found else None
    if proc.returncode != 0 and pages != 0:
        raise UsageError(
            f"Pagefind 建立搜索索引失败(退出码 {proc.returncode}):\n{out}\n"
            f"  (Pagefind failed to build the search index, exit code {proc.returncode})"
        )
    with _STATS_LOCK:
        stats.indexed_pages = (stats.indexed_pages or 0) + (pages or 0)
    return pages or 0


def build_index(site_dir: Path, config: Any = None, *, prepared: bool = False,
                shard_pages: int = SHARD_PAGES, progress: Callable[[int, int], None] | None = None,
                net: Any = None, titles: Iterable[tuple[str, str]] = (),
                ) -> IndexStats | None:
    """Build the search index of the site in ``site_dir`` (after all pages are written).

    Does nothing when ``config.search`` is false. ``prepared=True`` tells it that every
    page already went through :func:`prepare_html` when it was written, which saves a
    pass over the files. With ``net`` (the network) the name index of its records and of
    ``titles`` (``(url, title)`` of hub and editorial pages) is written too. Returns timing
    figures.
    """
    if config is not None and not getattr(config, "search", True):
        return None
    site_dir = Path(site_dir)
    # Prepared pages were written by wenming's own templates: Material's article is the body.
    stats = IndexStats() if prepared else prepare_pages(site_dir)
    root_selector = None if stats.explicit_body else FALLBACK_SELECTOR
    bundle = site_dir / BUNDLE_DIR
    parts = site_dir / f".{BUNDLE_DIR}-parts"
    for old in (bundle, parts):
        if old.is_symlink():  # kept by a live preview (mkdocs_plugin._keep): emptied, the link stays
            for child in old.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        elif old.is_dir():  # chunks of an earlier build would pile up otherwise
            shutil.rmtree(old)
    # Always with explicit globs: folders that are never indexed (``s/`` above all) may still be
    # being written while Pagefind runs (see :func:`start_index`).
    groups = _page_groups(site_dir, shard_pages)
    limit, runs = shard_plan(sum(n for _, n in groups), shard_pages,
                             getattr(config, "workers", 0) if config is not None else 0)
    if limit != shard_pages:  # a big site: bigger shards, so coarser groups
        groups = _page_groups(site_dir, limit)
    shards = _shards(groups, limit) or [[p for p, _ in groups]]
    shards = [patterns for patterns in shards if patterns]
    done = [0]
    cache = ShardCache(config.cache_path / "search") if getattr(config, "cache_path", None) else None

    def index_one(i: int) -> int:
        output = parts / str(i)
        key = cache.key(site_dir, shards[i], root_selector) if cache is not None else None
        pages = cache.get(key, output) if key is not None else None
        if pages is None:
            pages = run_pagefind(site_dir, root_selector=root_selector, stats=stats, glob=_glob(shards[i]),
                                 output=f"{parts.name}/{i}")
            if key is not None:
                cache.put(key, output, pages)
        else:
            with _STATS_LOCK:
                stats.indexed_pages = (stats.indexed_pages or 0) + pages
                stats.extra["cached_shards"] = stats.extra.get("cached_shards", 0) + 1
        with _STATS_LOCK:
            done[0] += 1
            if progress:
                progress(done[0], len(shards))
        return pages

    if progress:
        progress(0, len(shards))
    names_dir = site_dir / f".{BUNDLE_DIR}-names"

    def write_names() -> None:
        from . import names

        shutil.rmtree(names_dir, ignore_errors=True)
        start, cpu = time.perf_counter(), time.thread_time()
        raw = names.inputs(net, titles)
        # Kept by a hash of every input, beside Pagefind's shards: an unchanged network loads
        # no dictionary and writes nothing (hard links to the cached files).
        key = f"names-{names.inputs_key(raw)}" if cache is not None else None
        cached = cache.get(key, names_dir / NAMES_DIR) if key is not None else None
        if cached is not None:
            files = [e for e in os.scandir(names_dir / NAMES_DIR) if e.is_file()]
            stats.extra["names"] = {"records": cached, "files": len(files), "cached": True,
                                    "bytes": sum(e.stat().st_size for e in files if e.name != names.META_NAME),
                                    "seconds": time.perf_counter() - start, "cpu": time.thread_time() - cpu}
            return
        figures = names.write_index(names_dir, names.from_inputs(raw))
        if key is not None:
            cache.put(key, names_dir / NAMES_DIR, figures["records"])
        # The wall time of this thread shares the machine with Pagefind and the QR pages; its CPU
        # time is what it can add to the build at most.
        figures.update(seconds=time.perf_counter() - start, cpu=time.thread_time() - cpu)
        stats.extra["names"] = figures

    # The name index is written while Pagefind runs in its own processes, except on a network
    # so big that its memory would add to theirs (a province): then after them.
    records = sum(len(getattr(net, k, ())) for k in ("stations", "projects", "people", "cases")) if net else 0
    with ThreadPoolExecutor(max_workers=max(1, min(runs, len(shards)))) as pool:
        running = pool.map(index_one, range(len(shards)))
        if net is not None and records <= NAMES_ALONGSIDE:
            write_names()
        counts = list(running)
    if net is not None and records > NAMES_ALONGSIDE:
        write_names()
    # The first non-empty run is the main bundle; the others become its shards.
    extra: list[str] = []
    for i, pages in enumerate(counts):
        if not pages:
            continue
        if not bundle.exists():
            os.replace(parts / str(i), bundle)
        else:
            name = f"{SHARD_PREFIX}{len(extra) + 1}"
            os.replace(parts / str(i), bundle / name)
            extra.append(f"{name}/")
    shutil.rmtree(parts, ignore_errors=True)
    if net is not None:
        bundle.mkdir(exist_ok=True)
        os.replace(names_dir / NAMES_DIR, bundle / NAMES_DIR)
        shutil.rmtree(names_dir, ignore_errors=True)
    if cache is not None:
        cache.keep_only_used()
    if not stats.indexed_pages:
        log.warning("搜索索引为空:没有找到带 data-pagefind-body 或 <article class=\"md-content__inner\"> 的页面"
                    " (the search index is empty: no page has data-pagefind-body or Material's article)")
    stats.extra["shards"] = extra
    write_settings(bundle / SETTINGS_NAME, extra)
    log.info("搜索索引:%d 页,%d 页加了简体副本,用时 %.1f 秒 (search index: %s pages, %d with a "
             "Simplified copy, %.1f s)", stats.indexed_pages or 0, stats.pages_with_copy, stats.seconds,
             stats.indexed_pages, stats.pages_with_copy, stats.seconds)
    if "names" in stats.extra:
        fig = stats.extra["names"]
        how = "来自缓存 " if fig.get("cached") else ""
        log.info("名称索引:%d 条记录,%d 个文件,%.1f MB,%s用时 %.1f 秒(CPU %.1f 秒)(name index: %d records, "
                 "%d files, %.1f MB, %s%.1f s, CPU %.1f s)", fig["records"], fig["files"], fig["bytes"] / 1e6, how,
                 fig["seconds"], fig["cpu"], fig["records"], fig["files"], fig["bytes"] / 1e6,
                 "cached, " if how else "", fig["seconds"], fig["cpu"])
    return stats


def start_index(site_dir: Path, config: Any = None, **kwargs: Any) -> Future:
    """:func:`build_index` in a background thread (Pagefind is a separate process); ``.result()`` waits.

    Lets the build write pages Pagefind never reads (the QR contact pages) meanwhile.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wenming-search")
    try:
        return pool.submit(build_index, site_dir, config, **kwargs)
    finally:
        pool.shutdown(wait=False)


def write_settings(path: Path, shards: list[str]) -> Path:
    """The browser's settings: the Traditional → Simplified map and the extra index shards."""
    data = browser_map()
    data["shards"] = shards
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def prepare_html(doc: str) -> str:
    """A page's HTML as it should be written for the index (adds the hidden Simplified copy).

    For the page writer: calling this on every page lets ``build_index(..., prepared=True)``
    skip its own pass over the files.
    """
    return add_simplified_copy(doc) or doc
