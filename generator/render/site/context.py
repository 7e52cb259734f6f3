"""Page data: what each page shows, as plain dicts (JSON-able, so they can be hashed for the cache).

Every link is computed here, relative to the page that shows it, so templates
only print. Nothing here imports MkDocs.
"""

from __future__ import annotations

import functools
import heapq
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...graph import LEVEL_ORDER, Network, case_newest_first, case_sort_key, station_sort_key
from ...model import Case, Level, Person, Project, Station, Status, tel_uri
from ...model.fields import PROJECT_LEVEL_ORDER
from ...urls import casebook_url, hub_title, hub_url, qr_page_url
from ...geo import map_links
from .util import LEVEL_LABELS, LEVEL_SLUGS, phone_is_mobile, record_url, relurl, sms_uri
from .geomap import station_map
from .deps import MAPS, TrackedNetwork, read_file

DEMO_TAGS = {"示例", "demo", "sample"}
#: Cases listed on a project page.
PROJECT_CASES = 12
#: Model figures shown as cards on the 典型人物 page (the most recently honoured).
PEOPLE_CARDS = 12
#: A level directory (站名录 ...) with more entries than this lists its regions, each with a link
#: to the region's page, instead of every station (a province's 72,000 stations made an 11 MB page).
LEVEL_LIST_MAX = 5000


def is_demo(rec: Any) -> bool:
    return bool(DEMO_TAGS & set(getattr(rec, "tags", []) or []))


def short(text: str, n: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass
class Extras:
    """Optional inputs from other renderers (QR, report, case books); absent ones stay None."""

    checklist: Callable[[Network, Any, str], list[dict]] | None = None
    qr: bool = False
    images: dict[str, dict] = field(default_factory=dict)


def derived(*made_of: str) -> Callable[[Callable[[Contexts], dict]], property]:
    """A map made once from the whole network (of records of the kinds ``made_of``). While a
    preview notes what pages read, it is made from the plain network and read entry by entry
    (:class:`.deps.TrackedMap`): a page that reads one station's subtree size depends on that
    entry, not on every station."""
    return lambda make: _derived(make, frozenset(made_of))


def _derived(make: Callable[[Contexts], dict], made_of: frozenset) -> property:
    name = make.__name__
    MAPS[name] = (lambda net, config: make(Contexts(net, config)), made_of)

    def get(self: Contexts) -> dict:
        found = self._derived.get(name)
        if found is None:
            net = self.net
            if isinstance(net, TrackedNetwork):
                found = net.derived(name, lambda: make(Contexts(net.plain, self.cfg, self.extras)))
            else:
                found = make(self)
            self._derived[name] = found
        return found

    get.__doc__ = make.__doc__
    return property(get)


class Contexts:
    """Builds the data of every page from the network."""

    def __init__(self, net: Network, config: Any, extras: Extras | None = None):
        self.net = net
        self.cfg = config
        self.extras = extras or Extras()
        self._derived: dict[str, Any] = {}

    # ------------------------------------------------------------- derived maps

    @derived("station")
    def subtree_sizes(self) -> dict[str, int]:
        """Number of stations under each station (not counting itself)."""
        sizes: dict[str, int] = {}
        order = []
        stack = [self.net.root_id] if self.net.root_id else []
        stack += [s.id for s in self.net.stations.values() if not s.parent and s.id != self.net.root_id]
        seen: set[str] = set()
        while stack:
            sid = stack.pop()
            if sid in seen:
                continue
            seen.add(sid)
            order.append(sid)
            stack.extend(k.id for k in self.net.children_of(sid))
        for sid in reversed(order):
            sizes[sid] = sum(1 + sizes.get(k.id, 0) for k in self.net.children_of(sid))
        return sizes

    @derived("station")
    def district(self) -> dict[str, str]:
        """Station id -> id of its ancestor just below the root (itself when it is one)."""
        out: dict[str, str] = {}
        root = self.net.root_id
        for top in self.net.children_of(root or ""):
            out[top.id] = top.id
            for s in self.net.descendants(top.id):
                out[s.id] = top.id
        return out

    @derived("station")
    def merged_into(self) -> dict[str, list[Station]]:
        """Station id -> stations merged into it."""
        out: dict[str, list[Station]] = defaultdict(list)
        for o in self.net.stations.values():
            if o.merged_into:
                out[o.merged_into].append(o)
        for v in out.values():
            v.sort(key=station_sort_key)
        return out

    @derived("case")
    def cases_by_tag(self) -> dict[str, list[Case]]:
        """Tag -> the cases carrying it, newest first in :func:`case_newest_first` order (project pages
        list the cases that share their tags)."""
        out: dict[str, list[Case]] = defaultdict(list)
        for c in sorted(self.net.cases.values(), key=case_newest_first):
            for t in set(c.tags):
                out[t].append(c)
        return out

    @derived("case")
    def year_neighbours(self) -> dict[str, tuple[Case | None, Case | None]]:
        """Case id -> (previous, next) case of the same year in book order."""
        by_year: dict[int, list[Case]] = defaultdict(list)
        for c in self.net.cases.values():
            by_year[c.year].append(c)
        out: dict[str, tuple[Case | None, Case | None]] = {}
        for cases in by_year.values():
            cases.sort(key=case_sort_key)
            for i, c in enumerate(cases):
                out[c.id] = (cases[i - 1] if i else None, cases[i + 1] if i + 1 < len(cases) else None)
        return out

    @derived("case", "casebook")
    def books_of(self) -> dict[str, list[tuple[int, str]]]:
        out: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for year, book in sorted(self.net.casebooks.items()):
            for _title, cases in self.net.chapters(book):
                for c in cases:
                    out[c.id].append((year, book.title))
        return out

    # ------------------------------------------------------------- small parts

    def link(self, page: str, kind: str, rid: str, text: str, **more: Any) -> dict:
        return {"url": relurl(page, record_url(kind, rid)), "name": text, **more}

    def station_link(self, page: str, s: Station) -> dict:
        return self.link(page, "station", s.id, s.name, short=s.display_name, level=s.level.value,
                         status=s.status.value)

    def photos(self, page: str, rec: Any) -> list[dict]:
        prefix = relurl(page, "")
        out = []
        for ph in rec.photo_list():
            info = self.extras.images.get(self.photo_key(rec, ph.src))
            if not info:
                continue
            srcset = ", ".join(f"{prefix}{u} {w}w" for u, w in info.get("variants", []))
            out.append({"src": prefix + info["url"], "srcset": srcset, "width": info["width"],
                        "height": info["height"], "caption": ph.caption, "credit": getattr(ph, "credit", "")})
        return out

    def photo_key(self, rec: Any, src: str) -> str:
        path = resolve_photo(self.cfg, rec, src)
        return str(path) if path else ""

    def body(self, rec: Any) -> dict:
        return {"text": rec.body, "source": rec.path, "line": rec.body_line}

    # ------------------------------------------------------------- records

    def station(self, s: Station) -> dict:
        net = self.net
        page = record_url("station", s.id)
        home = relurl(page, "")
        crumbs = [{"name": "首页", "url": home}]
        crumbs += [{"name": a.display_name, "url": relurl(page, record_url("station", a.id))}
                   for a in net.ancestors(s.id)]
        ctx: dict[str, Any] = {
            "kind": "station", "id": s.id, "url": page, "home": home, "crumbs": crumbs,
            "name": s.name, "short_name": s.short_name, "level": s.level.value,
            "level_label": LEVEL_LABELS[Level(s.level)], "summary": s.summary, "region": s.region,
            "address": s.address, "hours": s.hours, "open_day": s.open_day,
            "manager": {"role": s.manager.role, "name": s.manager.name} if s.manager else None,
            "established": s.established or "", "population": s.population,
            "status": s.status.value, "demo": is_demo(s), "tags": [t for t in s.tags if t not in DEMO_TAGS],
            "rooms": list(s.rooms), "body": self.body(s), "photos": self.photos(page, s),
        }
        if s.phone:
            ctx["phone"] = {"text": s.phone, "tel": tel_uri(s.phone), "mobile": phone_is_mobile(s.phone)}
        else:
            ctx["phone"] = None
        if s.location is not None:
            ctx["map"] = map_links(s)
        else:
            ctx["map"] = None
        ctx["teams"] = [{"name": t.name, "category": t.category, "members": t.members} for t in s.teams]
        ctx["volunteers"] = sum(t.members or 0 for t in s.teams)
        services = []
        for sv in s.services:
            item = {"name": sv.name, "category": sv.category, "note": sv.note}
            if s.phone:
                item["tel"] = tel_uri(s.phone)
                if phone_is_mobile(s.phone):
                    item["sms"] = sms_uri(s.phone, f"点单:{sv.name}({s.display_name})")
            services.append(item)
        ctx["services"] = services
        # merged / closed
        ctx["successor"] = None
        if s.status == Status.merged:
            succ = net.successor(s.id)
            if succ is not None and succ.id != s.id:
                ctx["successor"] = self.station_link(page, succ)
        parent = net.stations.get(s.parent or "")
        ctx["parent"] = self.station_link(page, parent) if parent else None
        ctx["merged_here"] = [self.station_link(page, o) for o in self.merged_into.get(s.id, [])]
        ctx["former_ids"] = list(s.former_ids)
        # related records
        ctx["projects"] = [self.link(page, "project", p.id, p.name, category=p.category, level=p.level or "",
                                     summary=short(p.summary, 60))
                           for p in sorted(net.projects_of(s.id), key=project_sort_key)]
        ctx["people"] = [self.link(page, "person", p.id, p.name, honor=p.honors[0].title if p.honors else "",
                                   summary=short(p.summary, 60))
                         for p in sorted(net.people_of(s.id), key=lambda p: p.name)]
        ctx["cases"] = [self.link(page, "case", c.id, c.title, year=c.year, category=c.category)
                        for c in net.cases_of(s.id)]
        groups: dict[Level, list[dict]] = defaultdict(list)
        sizes = self.subtree_sizes
        for k in net.children_of(s.id):
            groups[Level(k.level)].append(self.station_link(page, k) | {"below": sizes.get(k.id, 0)})
        ctx["children"] = [{"label": LEVEL_LABELS[lv], "level": lv.value, "items": groups[lv]}
                           for lv in LEVEL_ORDER if groups.get(lv)]
        ctx["below_total"] = sizes.get(s.id, 0)
        ctx["geomap"] = station_map(net, s, page, ctx["below_total"])
        acts = sorted(net.activities_of(s.id), key=lambda a: (a.date, a.title), reverse=True)
        ctx["activities"] = [{"date": a.date, "title": a.title, "category": a.category,
                              "participants": a.participants} for a in acts[:6]]
        ctx["activity_count"] = len(acts)
        ctx["checklist"] = None
        if self.extras.checklist is not None:
            try:
                ctx["checklist"] = [dict(i) for i in self.extras.checklist(net, self.cfg, s.id)]
            except Exception:  # noqa: BLE001 - a failing report must not break the public page
                ctx["checklist"] = None
        ctx["qr"] = {"page": relurl(page, qr_page_url(s.id)), "svg": relurl(page, qr_page_url(s.id) + "qr.svg")} \
            if self.extras.qr else None
        ctx["description"] = short(s.summary or f"{s.name}:地址、开放时间、服务电话和服务项目", 120)
        return ctx

    def project(self, p: Project) -> dict:
        net = self.net
        page = record_url("project", p.id)
        home = relurl(page, "")
        owner = net.resolve(p.station)
        crumbs = [{"name": "首页", "url": home}, {"name": hub_title("projects"), "url": relurl(page, hub_url("projects"))}]
        # The owner's cases and those sharing a tag, newest first: each list is already in that
        # order, so a merge reads only as far as the first PROJECT_CASES distinct ones.
        by_tag = self.cases_by_tag
        lists = [net.cases_of(owner.id)] if owner else []
        lists += [by_tag[t] for t in sorted(set(p.tags) - DEMO_TAGS - {"品牌项目"}) if t in by_tag]
        seen, cases = set(), []
        for c in heapq.merge(*lists, key=case_newest_first):
            if c.id not in seen:
                seen.add(c.id)
                cases.append(self.link(page, "case", c.id, c.title, year=c.year))
                if len(cases) == PROJECT_CASES:
                    break
        return {
            "kind": "project", "id": p.id, "url": page, "home": home, "crumbs": crumbs, "name": p.name,
            "category": p.category, "level": p.level or "", "started": p.started or "",
            "summary": p.summary, "demo": is_demo(p), "tags": [t for t in p.tags if t not in DEMO_TAGS],
            "station": self.station_link(page, owner) if owner else None,
            "awards": [{"title": a.title, "year": a.year, "by": a.by} for a in p.awards],
            "photos": self.photos(page, p), "body": self.body(p), "cases": cases,
            "description": short(p.summary or p.name, 120),
        }

    def person(self, p: Person) -> dict:
        net = self.net
        page = record_url("person", p.id)
        home = relurl(page, "")
        st = net.resolve(p.station) if p.station else None
        return {
            "kind": "person", "id": p.id, "url": page, "home": home, "name": p.name,
            "crumbs": [{"name": "首页", "url": home}, {"name": hub_title("people"), "url": relurl(page, hub_url("people"))}],
            "honors": [{"title": h.title, "year": h.year, "by": h.by}
                       for h in sorted(p.honors, key=lambda h: (-h.year, h.title))],
            "station": self.station_link(page, st) if st else None, "summary": p.summary,
            "demo": is_demo(p), "tags": [t for t in p.tags if t not in DEMO_TAGS],
            "photos": self.photos(page, p), "body": self.body(p),
            "description": short(p.summary or p.name, 120),
        }

    def case(self, c: Case) -> dict:
        net = self.net
        page = record_url("case", c.id)
        home = relurl(page, "")
        stations = [self.station_link(page, s) for s in (net.resolve(i) for i in c.stations) if s]
        prev_c, next_c = self.year_neighbours[c.id]
        return {
            "kind": "case", "id": c.id, "url": page, "home": home, "title": c.title, "name": c.title,
            "crumbs": [{"name": "首页", "url": home}, {"name": hub_title("cases"), "url": relurl(page, hub_url("cases"))},
                       {"name": f"{c.year}年", "url": relurl(page, hub_url("cases") + f"#year-{c.year}")}],
            "year": c.year, "category": c.category, "unit": net.case_unit(c), "stations": stations,
            "author": c.author, "source": c.source, "summary": c.summary, "demo": is_demo(c),
            "tags": [t for t in c.tags if t not in DEMO_TAGS], "photos": self.photos(page, c),
            "body": self.body(c),
            "books": [{"year": y, "title": t, "url": relurl(page, casebook_url(y))}
                      for y, t in self.books_of.get(c.id, [])],
            "prev": self.link(page, "case", prev_c.id, prev_c.title) if prev_c else None,
            "next": self.link(page, "case", next_c.id, next_c.title) if next_c else None,
            "description": short(c.summary or c.title, 120),
        }

    def moved(self, old: str, new: Station) -> dict:
        page = record_url("station", old)
        return {"kind": "moved", "id": old, "url": page, "home": relurl(page, ""),
                "target": self.station_link(page, new), "name": new.name,
                "description": f"{new.name}的网址已变更"}

    # ------------------------------------------------------------- hubs

    def home(self) -> dict:
        net, page = self.net, ""
        by_level = net.stations_by_level()
        teams = [t for s in net.stations.values() if s.is_active for t in s.teams]
        root = net.root
        figures = [{"label": LEVEL_LABELS[lv], "value": sum(1 for s in by_level[lv] if s.is_active),
                    "url": hub_url("level", slug=LEVEL_SLUGS[lv])} for lv in LEVEL_ORDER if by_level[lv]]
        figures += [
            {"label": "志愿服务队伍", "value": len(teams), "url": hub_url("stats") if self.has_stats else ""},
            {"label": "志愿者", "value": sum(t.members or 0 for t in teams), "url": ""},
            {"label": "品牌项目", "value": len(net.projects), "url": hub_url("projects")},
        ]
        projects = sorted(net.projects.values(), key=project_sort_key)[:6]
        cases = sorted(net.cases.values(), key=case_newest_first)[:6]
        people = sorted(net.people.values(), key=lambda p: (-max(h.year for h in p.honors), p.name))[:6]
        return {
            "root": self.station_card(page, root) if root else None,
            "figures": figures,
            "projects": [self.link(page, "project", p.id, p.name, category=p.category, level=p.level or "",
                                   summary=short(p.summary, 70), photo=self.first_photo(page, p))
                         for p in projects],
            "cases": [self.link(page, "case", c.id, c.title, year=c.year, category=c.category,
                                summary=short(c.summary, 70)) for c in cases],
            "people": [self.link(page, "person", p.id, p.name, honor=p.honors[0].title,
                                 summary=short(p.summary, 50), photo=self.first_photo(page, p))
                       for p in people],
            "casebooks": [{"year": y, "title": b.title, "url": casebook_url(y)}
                          for y, b in sorted(net.casebooks.items(), reverse=True)],
        }

    has_stats = True

    def first_photo(self, page: str, rec: Any) -> dict | None:
        photos = self.photos(page, rec)
        return photos[0] if photos else None

    def station_card(self, page: str, s: Station) -> dict:
        return self.station_link(page, s) | {
            "summary": s.summary, "address": s.address, "hours": s.hours,
            "phone": {"text": s.phone, "tel": tel_uri(s.phone)} if s.phone else None,
        }

    def stations_index(self) -> dict:
        net, page = self.net, hub_url("stations")
        by_level = net.stations_by_level()
        root = net.root
        sizes = self.subtree_sizes
        tree = []
        if root:
            for k in net.children_of(root.id):
                kids = net.children_of(k.id)
                tree.append(self.station_link(page, k) | {
                    "below": sizes.get(k.id, 0),
                    "children": [self.station_link(page, g) | {"below": sizes.get(g.id, 0)}
                                 for g in kids[:60]],
                    "more": max(0, len(kids) - 60),
                    "region_url": relurl(page, hub_url("region", id=k.id)),
                })
        return {
            "root": self.station_card(page, root) if root else None,
            "levels": [{"label": LEVEL_LABELS[lv], "level": lv.value, "count": len(by_level[lv]),
                        "url": relurl(page, hub_url("level", slug=LEVEL_SLUGS[lv]))}
                       for lv in LEVEL_ORDER if by_level[lv]],
            "tree": tree, "total": len(net.stations),
            "regions_url": relurl(page, hub_url("regions")),
        }

    def level_directory(self, level: Level) -> dict:
        net = self.net
        page = hub_url("level", slug=LEVEL_SLUGS[level])
        stations = net.stations_by_level()[level]
        groups: dict[str, list[Station]] = defaultdict(list)
        for s in stations:
            groups[self.district.get(s.id, "")].append(s)
        compact = len(stations) > LEVEL_LIST_MAX
        out = []
        for did in sorted(groups, key=lambda d: station_sort_key(net.stations[d]) if d in net.stations else (-1,)):
            head = net.stations.get(did)
            group = {"title": head.display_name if head else (net.root.display_name if net.root else "本级"),
                     "anchor": f"g-{did}" if did else "g-root", "count": len(groups[did]), "url": "", "items": []}
            if compact and head is not None:  # every station just below the root has a region page
                group["url"] = relurl(page, hub_url("region", id=did))
            else:
                group["items"] = [self.station_link(page, s) | {"phone": s.phone or "", "parent": (
                    net.stations[s.parent].display_name if s.parent in net.stations else "")}
                    for s in groups[did]]
            out.append(group)
        return {"level": level.value, "label": LEVEL_LABELS[level], "count": len(stations), "groups": out,
                "compact": compact, "home": relurl(page, "")}

    def regions(self) -> dict:
        net, page = self.net, hub_url("regions")
        sizes = self.subtree_sizes
        root = net.root
        items = []
        for k in net.children_of(root.id) if root else []:
            counts = Counter(Level(s.level) for s in net.subtree(k.id))
            items.append(self.station_link(page, k) | {
                "region": k.region, "below": sizes.get(k.id, 0),
                "counts": [{"label": lv.value, "count": counts[lv]} for lv in LEVEL_ORDER if counts[lv]],
                "region_url": relurl(page, hub_url("region", id=k.id)),
            })
        by_level = net.stations_by_level()
        return {"root": self.station_link(page, root) if root else None, "regions": items,
                "levels": [{"label": LEVEL_LABELS[lv], "count": len(by_level[lv]),
                            "url": relurl(page, hub_url("level", slug=LEVEL_SLUGS[lv]))}
                           for lv in LEVEL_ORDER if by_level[lv]]}

    def region(self, top: Station) -> dict:
        net = self.net
        page = hub_url("region", id=top.id)
        sections = []
        for s in net.subtree(top.id):
            kids = net.children_of(s.id)
            if not kids:
                continue
            sections.append({"head": self.station_link(page, s), "anchor": f"s-{s.id}",
                             "items": [self.station_link(page, k) | {"phone": k.phone or "",
                                                                      "region": k.region} for k in kids]})
        return {"top": self.station_link(page, top), "region": top.region, "sections": sections,
                "count": self.subtree_sizes.get(top.id, 0) + 1, "home": relurl(page, ""),
                "up": relurl(page, hub_url("regions"))}

    def nearby(self) -> dict:
        """The 找身边的实践站 page: the town chooser (plain links to the directory without JavaScript)."""
        from .nearby import WALK_M_PER_MIN, towns

        net, page = self.net, hub_url("nearby")
        groups: dict[str, list[dict]] = defaultdict(list)
        for t in towns(net):
            head = t.parent if t.parent in net.stations and t.parent != net.root_id else ""
            top = self.district.get(t.id, "")
            if top and net.children_of(t.id):
                url = relurl(page, hub_url("region", id=top)) + (f"#s-{t.id}" if top != t.id else "")
            else:
                url = relurl(page, record_url("station", t.id))
            groups[head].append({"id": t.id, "name": t.display_name, "url": url})
        out = [{"title": net.stations[h].display_name if h else "", "items": groups[h]}
               for h in sorted(groups, key=lambda h: station_sort_key(net.stations[h]) if h else (-1,))]
        return {"groups": out, "home": relurl(page, ""), "data": "./",
                "script": relurl(page, "assets/wenming/site/nearby.js"),
                "directory": relurl(page, hub_url("regions")), "walk": WALK_M_PER_MIN}

    def projects_index(self) -> dict:
        net, page = self.net, hub_url("projects")
        items = sorted(net.projects.values(), key=project_sort_key)

        def entry(p: Project) -> dict:
            owner = net.resolve(p.station)
            return self.link(page, "project", p.id, p.name, category=p.category, level=p.level or "",
                             summary=short(p.summary, 70), station=owner.display_name if owner else "")

        by_cat: dict[str, list] = defaultdict(list)
        by_level: dict[str, list] = defaultdict(list)
        for p in items:
            by_cat[p.category or "其他"].append(entry(p))
            by_level[p.level or "未定级"].append(entry(p))
        cats = [c for c in self.cfg.categories if c in by_cat] + sorted(c for c in by_cat if c not in self.cfg.categories)
        levels = [lv for lv in PROJECT_LEVEL_ORDER if lv in by_level] + [lv for lv in by_level if lv not in PROJECT_LEVEL_ORDER]
        return {"count": len(items),
                "by_category": [{"title": c, "anchor": f"cat-{i}", "items": by_cat[c]} for i, c in enumerate(cats)],
                "by_level": [{"title": project_level_label(lv), "anchor": f"level-{i}", "items": by_level[lv]}
                             for i, lv in enumerate(levels)]}

    def people_index(self) -> dict:
        net, page = self.net, hub_url("people")
        people = sorted(net.people.values(), key=lambda p: p.name)
        by_honor: dict[str, list] = defaultdict(list)
        by_year: dict[int, list] = defaultdict(list)
        for p in people:
            st = net.resolve(p.station) if p.station else None
            for h in p.honors:
                e = self.link(page, "person", p.id, p.name, honor=h.title, year=h.year, by=h.by,
                              station=st.display_name if st else "", summary=short(p.summary, 60))
                by_honor[honor_group(h.title)].append(e)
                by_year[h.year].append(e)
        # Cards (with photos) for the most recently honoured only: a city's 1,500 figures made
        # the page 1.1 MB, a province's 22,600 made it 17 MB; the lists below name everyone.
        recent = sorted(people, key=lambda p: -max((h.year for h in p.honors), default=0))[:PEOPLE_CARDS]
        return {"count": len(people),
                "cards": [self.link(page, "person", p.id, p.name, honor=p.honors[0].title,
                                    summary=short(p.summary, 60), photo=self.first_photo(page, p))
                          for p in recent],
                "by_honor": [{"title": t, "anchor": f"honor-{i}", "items": sorted(by_honor[t], key=lambda e: (-e["year"], e["name"]))}
                             for i, t in enumerate(sorted(by_honor, key=lambda t: (-len(by_honor[t]), t)))],
                "by_year": [{"title": f"{y}年", "anchor": f"year-{y}", "items": by_year[y]}
                            for y in sorted(by_year, reverse=True)]}

    def cases_index(self) -> dict:
        net, page = self.net, hub_url("cases")
        by_year: dict[int, list] = defaultdict(list)
        by_cat: dict[str, list] = defaultdict(list)
        for c in sorted(net.cases.values(), key=case_sort_key):
            e = self.link(page, "case", c.id, c.title, year=c.year, category=c.category,
                          unit=net.case_unit(c), summary=short(c.summary, 80))
            by_year[c.year].append(e)
            by_cat[c.category or "其他"].append(e)
        cats = [c for c in self.cfg.categories if c in by_cat] + sorted(c for c in by_cat if c not in self.cfg.categories)
        return {"count": len(net.cases),
                "by_year": [{"title": f"{y}年", "anchor": f"year-{y}", "items": by_year[y],
                             "book": relurl(page, casebook_url(y)) if y in net.casebooks else ""}
                            for y in sorted(by_year, reverse=True)],
                "by_category": [{"title": c, "anchor": f"cat-{i}", "items": by_cat[c]} for i, c in enumerate(cats)],
                "books": [{"year": y, "title": b.title, "url": relurl(page, casebook_url(y))}
                          for y, b in sorted(net.casebooks.items(), reverse=True)]}

    def casebooks_index(self) -> dict:
        net, page = self.net, hub_url("casebooks")
        return {"books": [{"year": y, "title": b.title, "subtitle": b.subtitle, "editor": b.editor,
                           "url": relurl(page, casebook_url(y)),
                           "count": sum(len(cs) for _t, cs in net.chapters(b)),
                           "cover": self.cover(page, b)}
                          for y, b in sorted(net.casebooks.items(), reverse=True)]}

    def cover(self, page: str, book: Any) -> dict | None:
        if not book.cover:
            return None
        info = self.extras.images.get(self.photo_key(book, book.cover))
        if not info:
            return None
        prefix = relurl(page, "")
        return {"src": prefix + info["url"], "width": info["width"], "height": info["height"],
                "srcset": ", ".join(f"{prefix}{u} {w}w" for u, w in info.get("variants", []))}

    def casebook(self, year: int) -> dict:
        net = self.net
        book = net.casebooks[year]
        page = casebook_url(year)
        chapters = []
        for i, (title, cases) in enumerate(net.chapters(book), start=1):
            chapters.append({"title": title or "案例", "anchor": f"ch-{i}",
                             "items": [self.link(page, "case", c.id, c.title, unit=net.case_unit(c),
                                                 summary=short(c.summary, 80)) for c in cases]})
        extra = {}
        for part in ("preface", "afterword"):
            path = getattr(book, part)
            if path:
                f = self.cfg.content_path / path
                read_file(f)
                text = f.read_text(encoding="utf-8-sig") if f.is_file() else ""
                extra[part] = {"text": _strip_front_matter(text), "source": self.cfg.rel(f), "line": 1}
        return {"year": year, "title": book.title, "subtitle": book.subtitle, "editor": book.editor,
                "chapters": chapters, "cover": self.cover(page, book), **extra}

    def stats(self) -> dict:
        net = self.net
        by_level = net.stations_by_level()
        teams = [t for s in net.stations.values() if s.is_active for t in s.teams]
        team_cats = Counter(t.category or "其他" for t in teams)
        vol_cats: Counter = Counter()
        for t in teams:
            vol_cats[t.category or "其他"] += t.members or 0
        years: dict[str, dict[str, float]] = defaultdict(lambda: {"count": 0, "participants": 0, "hours": 0.0})
        for a in net.activities:
            y = years[a.date[:4]]
            y["count"] += 1
            y["participants"] += a.participants
            y["hours"] += a.hours
        return {
            "levels": [{"label": LEVEL_LABELS[lv], "count": len(by_level[lv]),
                        "active": sum(1 for s in by_level[lv] if s.is_active)} for lv in LEVEL_ORDER],
            "teams": [{"category": c, "teams": team_cats[c], "members": vol_cats[c]}
                      for c in sorted(team_cats, key=lambda c: -vol_cats[c])],
            "projects": Counter(p.category or "其他" for p in net.projects.values()).most_common(),
            "cases": sorted(Counter(c.year for c in net.cases.values()).items()),
            "activities": [{"year": y, **v} for y, v in sorted(years.items())],
        }


def _strip_front_matter(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4:].lstrip("\n")
    return text


def project_sort_key(p: Project) -> tuple:
    rank = PROJECT_LEVEL_ORDER.index(p.level) if p.level in PROJECT_LEVEL_ORDER else 99
    return (rank, p.name)


def project_level_label(level: str) -> str:
    return {"国家": "国家级", "省": "省级", "市": "市级", "县": "县(区)级", "所": "所级", "站": "站级"}.get(level, level)


def honor_group(title: str) -> str:
    """Group honours by their kind: 'XX 好人(示例)' -> '好人' style buckets, else the title."""
    import re

    base = re.sub(r"[((].*?[))]", "", title).strip()
    for word in ("时代楷模", "道德模范", "最美志愿者", "星级志愿者", "身边好人", "好人", "最美", "楷模", "典型"):
        if word in base:
            return word if word not in ("好人",) else "好人榜"
    return base


@functools.lru_cache(maxsize=8)
def _resolved(path: Path) -> Path:
    return path.resolve()


def resolve_photo(config: Any, rec: Any, src: str) -> Path | None:
    """The file a photo path names: relative to content/, else to the record's folder."""
    content = _resolved(config.content_path)
    candidates = [content / src]
    if getattr(rec, "path", ""):
        candidates.append((config.project_dir / rec.path).parent / src)
    for c in candidates:
        c = c.resolve()
        if c.is_relative_to(content) and c.is_file():
            return c
    return None
