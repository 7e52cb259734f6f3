"""The site renderer, engine-neutral: record pages spliced into a theme "shell", hub fragments.

How a build goes (:class:`generator.build.site.SiteBuild` drives it under any engine):

1. ``SiteBuilder(net, config, template_dirs=...)`` after the network loaded.
2. ``publish_images(site_dir)`` publishes every record photo once (metadata stripped).
3. The engine renders a few *hub* pages (home, directories, indexes) through its own
   pipeline; their main content comes from ``render_hub(key)``.
4. The engine renders one hidden *shell* page per record kind at the same URL depth
   as record pages, holding :data:`TITLE_MARK`, :data:`DESC_MARK` and
   :data:`CONTENT_MARK`; :class:`Shell` splits it.
5. ``write_records(site_dir, shells)`` renders every station, project, person and
   case page from its data, splices it into the shell and writes it, in worker
   processes for big networks, with a per-record cache keyed by a hash of the page
   data and the templates. Record pages never go through the engine's page pipeline.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ...errors import Problem, Problems
from ...guard import checksum, damaged
from ...graph import LEVEL_ORDER, Network
from ...model import Level, tel_uri
from ...parallel import chunked_map
from ...theme import TEMPLATES, ThemeEnvironment
from ...theme import environment as theme_environment
from ...urls import hub_title, hub_url
from ..markdown import is_trusted
from .bodies import render_body
from .context import Contexts, Extras, resolve_photo
from .deps import Deps, TrackedNetwork, recording
from .util import KIND_FOLDERS, LEVEL_LABELS, LEVEL_SLUGS, phone_html, phone_links, record_url

TITLE_MARK = "@@WM-TITLE@@"
DESC_MARK = "@@WM-DESCRIPTION@@"
CONTENT_MARK = "@@WM-CONTENT@@"
SHELL_ID = "_shell"
#: Bump when the page data or rendering changes in a way templates don't show.
VERSION = "wenming-site-2"
#: Below this many record pages, rendering stays in one process.
PARALLEL_MIN = 400
CHUNK = 200


# ----------------------------------------------------------------------------- shell


@dataclass
class Shell:
    """A themed page with markers; ``fill`` puts a record page into it."""

    before: str
    after: str
    kind: str

    @classmethod
    def from_html(cls, page_html: str, kind: str) -> Shell:
        # The theme may have printed the title marker as a heading of its own: drop it.
        page_html = re.sub(r"<h1[^>]*>\s*" + re.escape(TITLE_MARK) + r"\s*</h1>", "", page_html)
        # Indentation from the theme's templates is a third of a page's weight: keep one newline.
        page_html = re.sub(r"\n[ \t]+", "\n", page_html)
        # Record pages belong to the tab of their index page (``../`` from ``<kind>/<id>/``).
        page_html = re.sub(r'(<li class="md-tabs__item)(">\s*<a href="\.\./" class="md-tabs__link)',
                           r"\1 md-tabs__item--active\2", page_html, count=1)
        if CONTENT_MARK not in page_html:
            raise ValueError("shell page lost its content marker")
        i = page_html.index(CONTENT_MARK)
        before, after = page_html[:i], page_html[i + len(CONTENT_MARK):]
        # The marker may sit in a <p> of its own.
        if before.rstrip().endswith("<p>") and after.lstrip().startswith("</p>"):
            before = before.rstrip()[:-3]
            after = after.lstrip()[4:]
        return cls(before, after, kind)

    def fill(self, *, title: str, description: str, content: str, rid: str, head: str = "") -> str:
        t = html.escape(title, quote=True)
        d = html.escape(description, quote=True)
        before = self.before.replace(TITLE_MARK, t).replace(DESC_MARK, d).replace(f"/{SHELL_ID}/", f"/{rid}/")
        if head:
            before = before.replace("</head>", head + "</head>", 1)
        after = self.after.replace(TITLE_MARK, t).replace(DESC_MARK, d)
        return before + content + after


# ----------------------------------------------------------------------------- hubs


@dataclass
class Hub:
    """An index page rendered by the engine: ``src`` is its source path, ``url`` its URL."""

    key: str
    src: str
    url: str
    title: str
    in_nav: bool = True


@dataclass
class RenderResult:
    pages: int = 0
    cached: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    deps: Deps = field(default_factory=Deps)


@dataclass
class Snapshot:
    """The record pages of one build, for the next one to compare with (live preview)."""

    net: Network
    template_hash: str
    shells: dict[str, tuple[str, str]]
    keys: dict[tuple[str, str], str]
    #: What each page read (record pages, hubs, ``nav``, ``nearby-data``): see :mod:`.deps`.
    deps: Deps = field(default_factory=Deps)


# ----------------------------------------------------------------------------- builder


class SiteBuilder:
    def __init__(self, net: Network, config: Any, *, template_dirs: Iterable[Path] = (),
                 extras: Extras | None = None, track: bool | None = None):
        self.net = net
        self.cfg = config
        self.extras = extras or default_extras()
        #: A live preview notes what each page reads (:mod:`.deps`); a build does not.
        self.track = getattr(config, "preview", False) if track is None else track
        self.deps = Deps()
        self.ctx = Contexts(TrackedNetwork(net) if self.track else net, config, self.extras)
        dirs = [Path(d) for d in template_dirs if Path(d).is_dir() and Path(d).resolve() != TEMPLATES]
        self.template_dirs = [*dirs, TEMPLATES]
        self.env = _environment(tuple(str(d) for d in dirs), getattr(config, "site_name", ""))
        self._template_hash: str | None = None
        self._templates: dict[tuple[str, str], jinja2.Template] = {}
        self.images_publisher: Any = None
        self.problems = Problems()
        #: Applied to every record page before it is written (the search index's preparation).
        self.page_filter: Callable[[str], str] | None = None

    # ---------------------------------------------------------------- templates

    @property
    def template_hash(self) -> str:
        """Hash of every template the renderer may load (cache keys include it)."""
        if self._template_hash is None:
            h = hashlib.sha256(VERSION.encode())
            for d in self.template_dirs:
                for p in sorted(d.rglob("*.html")):
                    h.update(p.relative_to(d).as_posix().encode())
                    h.update(p.read_bytes())
            self._template_hash = h.hexdigest()[:16]
        return self._template_hash

    def template_for(self, kind: str, rec: Any = None) -> jinja2.Template:
        """The record's template, looked up once per builder (Jinja would stat its file every time;
        a live preview makes a new builder per rebuild, so an edited template is still seen)."""
        name = getattr(rec, "template", "") if rec is not None else ""
        found = self._templates.get((kind, name))
        if found is None:
            if name:
                candidates = [name if name.endswith(".html") else f"site/{name}.html", f"site/{kind}.html"]
                found = self.env.select_template(candidates)
            else:
                found = self.env.get_template(f"site/{kind}.html")
            self._templates[(kind, name)] = found
        return found

    def compile_templates(self) -> None:
        """Load (and compile) the record templates now rather than at the first page."""
        for kind in ("station", "project", "person", "case"):
            self.template_for(kind)

    def body_html(self, body: dict | None, page_url: str, problems: Problems) -> str:
        if not body or not body.get("text"):
            return ""
        return render_body(body["text"], source=body["source"], line=body["line"], config=self.cfg,
                           page_url=page_url, problems=problems, images=self.images_publisher,
                           trusted=is_trusted(body["source"], self.cfg))

    def render_fragment(self, kind: str, data: dict, rec: Any = None) -> tuple[str, list[Problem]]:
        problems = Problems()
        body = self.body_html(data.get("body"), data["url"], problems)
        extra = {}
        for part in ("preface", "afterword"):
            if isinstance(data.get(part), dict):
                extra[part + "_html"] = self.body_html(data[part], data["url"], problems)
        out = self.template_for(kind, rec).render(page=data, body_html=body, **extra)
        return out, problems.items

    # ---------------------------------------------------------------- images

    def publish_images(self, site_dir: Path, records: Iterable[Any] | None = None,
                       known: dict[str, dict] | None = None) -> None:
        """Publish every record photo and cover once; failures become problems.

        A live preview passes only the ``records`` that changed and what the previous build
        published (``known``): photos of unchanged records are not looked at again.
        """
        publisher = make_publisher(self.cfg, site_dir)
        self.images_publisher = publisher
        if known:
            self.extras.images.update(known)
        seen: dict[str, dict] = {}
        for rec in self.net.all_records() if records is None else records:
            srcs = [(p.src, ("photos",)) for p in rec.photo_list()]
            cover = getattr(rec, "cover", "")
            if cover:
                srcs.append((cover, ("cover",)))
            for src, loc in srcs:
                path = resolve_photo(self.cfg, rec, src)
                if path is None or str(path) in seen:
                    continue
                try:
                    img = publisher.publish(path)
                except Exception as exc:  # noqa: BLE001 - ImageError carries a bilingual message; any other failure is reported too
                    zh = getattr(exc, "zh", f"图片无法发布({exc})")
                    en = getattr(exc, "en", f"the image cannot be published ({exc})")
                    self.problems.add(rec.path, rec.line_of(*loc), loc[0], zh, en)
                    continue
                seen[str(path)] = {"url": img.url, "width": img.width, "height": img.height,
                                   "variants": [list(v) for v in getattr(img, "variants", ()) or ((img.url, img.width),)]}
        self.extras.images.update(seen)

    # ---------------------------------------------------------------- hubs

    def hubs(self) -> list[Hub]:
        if not self.track:
            return self._hubs(self.net)
        with recording() as found:  # the list of hubs is the navigation of every page
            out = self._hubs(self.ctx.net)
        self.deps.add("nav", found)
        return out

    def _hubs(self, net: Any) -> list[Hub]:
        out = [_hub("stations"), _hub("regions"), _hub("nearby")]
        by_level = net.stations_by_level()
        for lv in LEVEL_ORDER:
            if by_level[lv]:
                slug = LEVEL_SLUGS[lv]
                out.append(_hub("level", f"level:{slug}", slug=slug, label=LEVEL_LABELS[lv]))
        if net.root:
            for k in net.children_of(net.root.id):
                out.append(_hub("region", f"region:{k.id}", in_nav=False, id=k.id, name=k.display_name))
        out += [_hub("projects"), _hub("people"), _hub("cases")]
        if net.casebooks:
            out.append(_hub("casebooks"))
            for year in sorted(net.casebooks, reverse=True):
                out.append(_hub("casebook", f"casebook:{year}", year=year))
        out.append(_hub("stats"))
        return out

    def nav(self, editorial: list[tuple[str, str]]) -> list[tuple[str, Any]]:
        """Navigation tree: (title, src) or (title, [children]); stations are never in it."""
        hubs = {h.key: h for h in self.hubs()}
        tree: list[tuple[str, Any]] = [("首页", "index.md")]
        station_items: list[tuple[str, Any]] = [("阵地总览", hubs["stations"].src)]
        station_items += [(hubs[k].title, hubs[k].src) for k in ("nearby", "regions")]
        station_items += [(h.title, h.src) for k, h in hubs.items() if k.startswith("level:")]
        tree.append((hubs["stations"].title, station_items))
        tree += [(hubs[k].title, hubs[k].src) for k in ("projects", "people")]
        case_items: list[tuple[str, Any]] = [(hubs["cases"].title, hubs["cases"].src)]
        if "casebooks" in hubs:
            case_items.append((hubs["casebooks"].title, hubs["casebooks"].src))
            case_items += [(h.title, h.src) for k, h in hubs.items() if k.startswith("casebook:")]
        tree.append((hubs["cases"].title, case_items))
        tree.append((hubs["stats"].title, hubs["stats"].src))
        tree += [(t, s) for t, s in editorial if s != "index.md"]
        return tree

    def render_hub(self, key: str) -> tuple[str, list[tuple[int, str, str]]]:
        """Main content of a hub page and its table of contents [(level, id, title)]."""
        if not self.track:
            return self._render_hub(key)
        deps, epoch = self.deps, self.deps.epoch  # an edit may come while a hub is brought up to date
        with recording() as found:
            out = self._render_hub(key)
        deps.add(key, found, epoch)
        return out

    def _render_hub(self, key: str) -> tuple[str, list[tuple[int, str, str]]]:
        c = self.ctx
        net = c.net  # noted while a preview renders
        problems = Problems()
        extra: dict[str, Any] = {}
        if key == "stations":
            name, data = "stations_index", c.stations_index()
        elif key == "regions":
            name, data = "regions", c.regions()
        elif key == "nearby":
            name, data = "nearby", c.nearby()
        elif key.startswith("level:"):
            slug = key.split(":", 1)[1]
            level = next(lv for lv, s in LEVEL_SLUGS.items() if s == slug)
            name, data = "level", c.level_directory(Level(level))
        elif key.startswith("region:"):
            name, data = "region", c.region(net.stations[key.split(":", 1)[1]])
        elif key == "projects":
            name, data = "projects_index", c.projects_index()
        elif key == "people":
            name, data = "people_index", c.people_index()
        elif key == "cases":
            name, data = "cases_index", c.cases_index()
        elif key == "casebooks":
            name, data = "casebooks_index", c.casebooks_index()
        elif key.startswith("casebook:"):
            year = int(key.split(":", 1)[1])
            name, data = "casebook", c.casebook(year)
            from ..casebook.web import web_edition_html

            extra["web_edition"] = web_edition_html(net, net.casebooks[year], self.cfg)
            url = hub_url("casebook", year=year)
            for part in ("preface", "afterword"):
                if isinstance(data.get(part), dict):
                    extra[part + "_html"] = self.body_html(data[part], url, problems)
        elif key == "stats":
            name, data = "stats", c.stats()
            from ..report.site import stats_page_html

            extra["report_html"] = stats_page_html(net, self.cfg)
        elif key == "home":
            name, data = "home", c.home()
        else:
            raise KeyError(key)
        self.problems.extend(problems.items)
        out = self.env.get_template(f"site/{name}.html").render(page=data, **extra)
        toc = [(int(m.group(1)), m.group(2), _strip_tags(m.group(3)))
               for m in re.finditer(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', out, re.DOTALL)]
        return out, toc

    def compose_home(self, editorial_html: str) -> tuple[str, list[tuple[int, str, str]]]:
        """The home page: the editor's heading and notice, then figures, the editor's text, then cards."""
        fragment, toc = self.render_hub("home")
        top, _, bottom = fragment.partition("<!--wm-split-->")
        at = 0
        m = re.search(r"</h1>\s*", editorial_html)
        if m:
            at = m.end()
            q = re.match(r"<blockquote>.*?</blockquote>\s*", editorial_html[at:], re.DOTALL)
            if q:
                at += q.end()
        html_out = editorial_html[:at] + top + editorial_html[at:] + bottom
        return html_out, toc

    # ---------------------------------------------------------------- records

    def record_jobs(self) -> list[tuple[str, str]]:
        jobs = [("station", i) for i in self.net.stations]
        jobs += [("project", i) for i in self.net.projects]
        jobs += [("person", i) for i in self.net.people]
        jobs += [("case", i) for i in self.net.cases]
        jobs += [("moved", old) for old in self.net.aliases if old not in self.net.stations]
        return jobs

    def record_data(self, kind: str, rid: str) -> tuple[dict, Any]:
        """(page data, record); a live preview notes what the page read (:mod:`.deps`)."""
        if not self.track:
            return self._record_data(kind, rid)
        with recording() as found:
            out = self._record_data(kind, rid)
        self.deps.add((kind, rid), found)
        return out

    def _record_data(self, kind: str, rid: str) -> tuple[dict, Any]:
        net, seen = self.net, self.ctx.net
        if kind == "station":
            return self.ctx.station(seen.stations[rid]), net.stations[rid]
        if kind == "project":
            return self.ctx.project(seen.projects[rid]), net.projects[rid]
        if kind == "person":
            return self.ctx.person(seen.people[rid]), net.people[rid]
        if kind == "case":
            return self.ctx.case(seen.cases[rid]), net.cases[rid]
        if kind == "moved":
            target = seen.stations[seen.aliases[rid]]
            return self.ctx.moved(rid, target), None
        raise KeyError(kind)

    def write_nearby(self, site_dir: Path) -> None:
        """The 找身边的实践站 data files; a live preview notes what they read."""
        from .nearby import write_nearby

        if not self.track:
            write_nearby(self.net, site_dir)
            return
        deps, epoch = self.deps, self.deps.epoch  # written in the background after a preview edit
        with recording() as found:
            write_nearby(self.ctx.net, site_dir)
        deps.add("nearby-data", found, epoch)

    def record_key(self, kind: str, rid: str, data: dict, rec: Any) -> str:
        """What a record page depends on, hashed: page data, templates, the record's template."""
        return FragmentCache.key(self.template_hash, kind, getattr(rec, "template", ""), data)

    def render_record(self, kind: str, rid: str, cache: FragmentCache | None = None,
                      ) -> tuple[dict, str, list[Problem], bool, str]:
        """(page data, HTML fragment, problems, whether it came from the cache, key)."""
        data, rec = self.record_data(kind, rid)
        key = self.record_key(kind, rid, data, rec)
        if cache is not None:
            hit = cache.get(key)
            if hit is not None:
                return data, hit[0], hit[1], True, key
        fragment, problems = self.render_fragment(kind, data, rec)
        if cache is not None:
            cache.put(key, fragment, problems)
        return data, fragment, problems, False, key

    def write_records(self, site_dir: Path, shells: dict[str, Shell], *, workers: int = 0,
                      use_cache: bool = True, progress: Callable[[int, int], None] | None = None,
                      allow_processes: bool = True) -> RenderResult:
        """Render and write every record page into ``site_dir``.

        Never holds all pages in memory. ``result.keys`` maps each written page to its key,
        which :meth:`write_changed` compares on the next build.
        """
        start = time.monotonic()
        jobs = self.record_jobs()
        cache = FragmentCache(self.cfg.cache_path / "site") if use_cache else None
        if cache is not None:
            cache.prepare()
        result = RenderResult()
        state = (self, shells, Path(site_dir), cache)
        for pages, cached, problems, keys, deps in chunked_map(_render_chunk, state, jobs, chunk=CHUNK, workers=workers,
                                                         min_parallel=PARALLEL_MIN, allow_processes=allow_processes,
                                                         share=True):
            result.pages += pages
            result.cached += cached
            result.problems.extend(Problem(*p) for p in problems)
            result.keys.update(keys)
            self.deps.pages.update(deps.pages)  # pages rendered by worker processes bring their reads
            self.deps.values.update(deps.values)
            if progress:
                progress(result.pages, len(jobs))
        if cache is not None:
            cache.close()  # no open connection in the forks of later steps
        if self.track:
            self.write_nearby(Path(site_dir))
            if "nav" not in self.deps.pages:
                self.hubs()  # the engine asks for them first; a caller without hubs still needs "nav"
        result.seconds = time.monotonic() - start
        return result

    def write_changed(self, site_dir: Path, shells: dict[str, Shell], before: Snapshot, *,
                      nearby: bool = True) -> RenderResult | None:
        """Rewrite only the record pages an edit touched, after ``before`` was written into ``site_dir``.

        For a live preview: the pages whose recorded reads meet what the edit changed are
        rendered again (:meth:`.deps.Deps.stale`, :func:`.incremental.stale_pages`); each is
        written only when its key changed, and the nearby data files when they read what changed
        (unless ``nearby`` is False: the caller writes them later). Pages of records that are gone are removed. Returns
        None when the change is too broad to follow (templates, shells or the configuration
        changed): the caller writes everything.
        """
        from .incremental import stale_pages

        if before.template_hash != self.template_hash or before.shells != {k: (v.before, v.after)
                                                                             for k, v in shells.items()}:
            return None
        jobs_now = set(self.record_jobs())
        todo = stale_pages(before, self.net, nav=False)  # shells show the navigation
        if todo is None:
            return None
        start = time.monotonic()
        result = RenderResult()
        site_dir = Path(site_dir)
        if nearby and "nearby-data" in todo:
            self.write_nearby(site_dir)
        cache = FragmentCache(self.cfg.cache_path / "site")
        for job in sorted(job for job in jobs_now if job in todo):
            data, rec = self.record_data(*job)
            if before.keys.get(job) == self.record_key(job[0], job[1], data, rec):
                result.keys[job] = before.keys[job]
                continue
            hit, problems, key = self._write_one(job[0], job[1], shells, site_dir, cache)
            result.pages += 1
            result.cached += int(hit)
            result.problems.extend(problems)
            result.keys[job] = key
        cache.close()

        def folder(job: tuple[str, str]) -> str:
            return f'{KIND_FOLDERS["station" if job[0] == "moved" else job[0]]}/{job[1]}'

        gone = set(before.keys) - jobs_now
        if gone:
            kept = {folder(job) for job in jobs_now}
            for job in sorted(gone):
                if folder(job) not in kept:
                    shutil.rmtree(site_dir / folder(job), ignore_errors=True)
        result.seconds = time.monotonic() - start
        return result

    def snapshot(self, shells: dict[str, Shell], result: RenderResult, before: Snapshot | None = None) -> Snapshot:
        """What :meth:`write_changed` needs to know about the pages just written."""
        keys = dict(before.keys) if before is not None else {}
        keys.update(result.keys)
        jobs_now = set(self.record_jobs())
        keys = {job: key for job, key in keys.items() if job in jobs_now}
        # Hubs this builder renders later (brought up to date in the background) note theirs here too.
        self.deps = (before.deps if before is not None else Deps()).merged(self.deps)
        return Snapshot(self.net, self.template_hash, {k: (v.before, v.after) for k, v in shells.items()}, keys,
                        self.deps)

    def _write_one(self, kind: str, rid: str, shells: dict[str, Shell], site_dir: Path,
                   cache: FragmentCache | None) -> tuple[bool, list[Problem], str]:
        data, fragment, problems, cached, key = self.render_record(kind, rid, cache)
        shell = shells["station" if kind == "moved" else kind]
        head = ""
        if kind == "moved":
            head = f'<meta http-equiv="refresh" content="0; url={html.escape(data["target"]["url"])}">'
        title = data.get("title") or data.get("name") or rid
        page = shell.fill(title=title, description=data.get("description", ""), content=fragment,
                          rid=rid, head=head)
        if self.page_filter is not None:
            page = self.page_filter(page)
        folder = KIND_FOLDERS["station" if kind == "moved" else kind]
        out = site_dir / folder / rid / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
        return cached, problems, key

    # ---------------------------------------------------------------- sitemap

    def write_sitemap(self, site_dir: Path, hub_urls: Iterable[str]) -> None:
        """sitemap.xml(.gz) of every public page; no dates, so equal content gives equal bytes."""
        if not getattr(self.cfg, "site_url", ""):
            return
        urls = sorted(set(hub_urls) | {record_url(k, i) for k, i in self.record_jobs() if k != "moved"})
        buf = io.StringIO()
        buf.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for u in urls:
            buf.write(f"  <url><loc>{html.escape(self.cfg.url(u))}</loc></url>\n")
        buf.write("</urlset>\n")
        data = buf.getvalue().encode("utf-8")
        (site_dir / "sitemap.xml").write_bytes(data)
        with open(site_dir / "sitemap.xml.gz", "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
            gz.write(data)


# ----------------------------------------------------------------------------- workers

def _render_chunk(state: tuple, jobs: list[tuple[str, str]]) -> tuple[int, int, list[tuple], dict, Deps]:
    builder, shells, site_dir, cache = state
    pages = cached = 0
    problems: list[tuple] = []
    keys: dict[tuple[str, str], str] = {}
    kept, builder.deps = builder.deps, Deps()  # this chunk's reads go back with its pages
    try:
        for kind, rid in jobs:
            hit, probs, keys[(kind, rid)] = builder._write_one(kind, rid, shells, site_dir, cache)
            pages += 1
            cached += int(hit)
            problems.extend((p.path, p.line, p.field, p.zh, p.en, p.level) for p in probs)
    finally:
        deps, builder.deps = builder.deps, kept
    if cache is not None:
        cache.flush()
    return pages, cached, problems, keys, deps


class FragmentCache:
    """Rendered record fragments, keyed by a hash of page data and templates, in one SQLite file.

    One file, not one per page: creating a city's 7,500 small files cost more than rendering the
    pages (on ext4 without a journal, creating a file soon after many were deleted takes up to a
    millisecond). Each process opens its own connection (forked workers too) and writes what it
    rendered in one short transaction per :meth:`flush`, so workers do not wait on each other.
    Anything wrong with the file only costs speed: it is a miss, and a damaged file is replaced.
    """

    FILE = "fragments-2.sqlite"  # -2: each row carries the checksum of its key and bytes
    #: Fragments kept in memory before they are written.
    BATCH = 100

    def __init__(self, root: Path):
        self.root = Path(root)
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._pending: dict[str, tuple[str, str, str]] = {}  # key -> (html, problems, checksum)

    @staticmethod
    def key(template_hash: str, kind: str, template: str, data: dict) -> str:
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
        return hashlib.sha256(f"{template_hash}|{kind}|{template}|{raw}".encode()).hexdigest()[:40]

    def _conn(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # never a connection opened before a fork
            self._pid, self._db, self._pending = os.getpid(), None, {}
            for attempt in range(2):
                try:
                    self.root.mkdir(parents=True, exist_ok=True)
                    db = sqlite3.connect(self.root / self.FILE, timeout=60, check_same_thread=False)
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=OFF")  # a cache: a torn write is a miss
                    db.execute("CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, html TEXT NOT NULL, "
                               "problems TEXT NOT NULL, sum TEXT NOT NULL)")
                    self._db = db
                    break
                except (sqlite3.OperationalError, OSError):  # read-only, or locked for a minute: no cache
                    break
                except sqlite3.DatabaseError:  # not a database, or damaged: start afresh
                    if attempt:
                        break
                    for suffix in ("", "-wal", "-shm"):
                        (self.root / (self.FILE + suffix)).unlink(missing_ok=True)
                except sqlite3.Error:
                    break
        return self._db

    def prepare(self) -> None:
        """Open the file once here, replacing it if damaged, and close it again: forked workers
        then open a sound file without racing each other to repair it. Also removes the
        one-file-per-fragment cache of wenming before 2026-12 (folders ``00`` to ``ff``)."""
        self.close()
        self._conn()
        self.close()
        try:
            old = [e.path for e in os.scandir(self.root) if e.is_dir() and re.fullmatch(r"[0-9a-f]{2}", e.name)]
        except OSError:
            return
        for suffix in ("", "-wal", "-shm"):  # the file of wenming before checksums
            (self.root / ("fragments.sqlite" + suffix)).unlink(missing_ok=True)
        for path in old:
            shutil.rmtree(path, ignore_errors=True)

    def get(self, key: str) -> tuple[str, list[Problem]] | None:
        db = self._conn()
        row = self._pending.get(key)
        if row is None and db is not None:
            try:
                row = db.execute("SELECT html, problems, sum FROM fragments WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                row = None
        if row is None:
            return None
        if checksum(key, row[0], row[1]) != row[2]:  # changed bytes: never published
            damaged("页面", "page", self.root / self.FILE)
            try:
                if db is not None:
                    with db:
                        db.execute("DELETE FROM fragments WHERE key = ?", (key,))
            except sqlite3.Error:
                pass
            return None
        try:
            return row[0], [Problem(*p) for p in json.loads(row[1])]
        except (ValueError, TypeError):
            return None

    def put(self, key: str, fragment: str, problems: list[Problem]) -> None:
        if self._conn() is None:
            return
        found = json.dumps([[p.path, p.line, p.field, p.zh, p.en, p.level] for p in problems], ensure_ascii=False)
        self._pending[key] = (fragment, found, checksum(key, fragment, found))
        if len(self._pending) >= self.BATCH:
            self.flush()

    def close(self) -> None:
        """Write what is kept in memory and close this process's connection."""
        if self._pid == os.getpid() and self._db is not None:
            self.flush()
            self._db.close()
        self._db, self._pid, self._pending = None, 0, {}

    def flush(self) -> None:
        """Write the fragments kept in memory (one transaction)."""
        db = self._conn()
        if not self._pending or db is None:
            return
        rows = [(k, h, p, c) for k, (h, p, c) in self._pending.items()]
        self._pending = {}
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:  # a full or read-only disk only costs speed
            pass


# ----------------------------------------------------------------------------- helpers


_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}


class _PageEnvironment(ThemeEnvironment):
    """Page data is plain dicts: ``page.name`` looks the key up first. Jinja's own order (the
    attribute, then the key) raises and catches an AttributeError for every such lookup, a
    few hundred per page."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _environment(dirs: tuple[str, ...], site_name: str) -> jinja2.Environment:
    """One Jinja environment per template path and site, kept between the builds of a live
    preview (templates are compiled once; Jinja reloads a template whose file changed)."""
    env = _ENVIRONMENTS.get((*dirs, site_name))
    if env is None:
        env = _ENVIRONMENTS[(*dirs, site_name)] = theme_environment(
            dirs, cls=_PageEnvironment, autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
        )
        env.filters["num"] = lambda n: f"{n:,}" if isinstance(n, int) else n
        env.filters["tel"] = tel_uri
        env.filters["phone"] = phone_html
        env.filters["phone_links"] = phone_links
        env.globals["site_name"] = site_name
    return env


def _hub(hub: str, key: str = "", *, in_nav: bool = True, **fields: Any) -> Hub:
    """The hub page of :data:`generator.urls.HUBS` ``hub``; its source is ``<url>index.md``."""
    url = hub_url(hub, **fields)
    return Hub(key or hub, url + "index.md", url, hub_title(hub, **fields), in_nav=in_nav)


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def default_extras() -> Extras:
    from ..report.site import station_checklist

    extras = Extras()
    extras.checklist = station_checklist
    extras.qr = True
    return extras


def make_publisher(config: Any, site_dir: Path) -> Any:
    from ..images import ImagePublisher

    return ImagePublisher(config, site_dir)
