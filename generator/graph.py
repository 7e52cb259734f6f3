"""The record graph: ids, parents, references, cycles, former ids; cross-record checks.

:class:`Network` is what every renderer reads: the site, QR codes, signage, the
case book and the report. It holds only valid records; :func:`check_graph`
reports what links them wrongly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .config import Config
from .errors import Problems, did_you_mean, hint_en, hint_zh, unknown_id
from .kinds import KINDS
from .model import Activity, Case, Casebook, Level, Person, Project, Record, Station, Status

# Which levels may sit under which (SPEC "Level rules").
ALLOWED_PARENTS: dict[Level, set[Level]] = {
    Level.center: {Level.center},
    Level.institute: {Level.center},
    Level.station: {Level.institute, Level.center},
    Level.point: {Level.station, Level.institute},
    Level.base: {Level.center, Level.institute, Level.station, Level.point, Level.base},
}
LEVELS_NEEDING_PHONE = {Level.center, Level.institute, Level.station}
LEVEL_ORDER = [Level.center, Level.institute, Level.station, Level.point, Level.base]


@dataclass
class Network:
    config: Config
    stations: dict[str, Station] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    casebooks: dict[int, Casebook] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    #: former id -> current station id
    aliases: dict[str, str] = field(default_factory=dict)
    root_id: str | None = None

    # ------------------------------------------------------------------ building

    def table(self, kind: str) -> dict:
        return {"station": self.stations, "project": self.projects, "person": self.people,
                "case": self.cases, "casebook": self.casebooks}[kind]

    def add(self, rec: Record, problems: Problems) -> None:
        table = self.table(rec.kind)
        key = rec.year if isinstance(rec, Casebook) else rec.id
        if key in table:
            first = table[key]
            problems.add(
                rec.path, rec.line_of("id"), "id",
                f"编号 \"{rec.id}\" 重复:{first.path} 已经使用;每个{KINDS[rec.kind].label}的编号必须唯一,请改用新的编号",
                f"the id \"{rec.id}\" is already used by {first.path}; ids are unique per kind, "
                "choose another",
            )
            return
        table[key] = rec

    # ------------------------------------------------------------------ queries

    @property
    def root(self) -> Station | None:
        return self.stations.get(self.root_id or "")

    @cached_property
    def children(self) -> dict[str, list[Station]]:
        out: dict[str, list[Station]] = defaultdict(list)
        for s in self.stations.values():
            if s.parent and s.parent in self.stations:
                out[s.parent].append(s)
        for kids in out.values():
            kids.sort(key=station_sort_key)
        return out

    def children_of(self, sid: str) -> list[Station]:
        return self.children.get(sid, [])

    def ancestors(self, sid: str) -> list[Station]:
        """From the root down to the station's parent (not the station itself)."""
        out: list[Station] = []
        seen = {sid}
        cur = self.stations.get(sid)
        while cur is not None and cur.parent and cur.parent not in seen:
            seen.add(cur.parent)
            cur = self.stations.get(cur.parent)
            if cur is not None:
                out.append(cur)
        return list(reversed(out))

    def descendants(self, sid: str) -> Iterator[Station]:
        stack = list(reversed(self.children_of(sid)))
        seen = {sid}
        while stack:
            s = stack.pop()
            if s.id in seen:
                continue
            seen.add(s.id)
            yield s
            stack.extend(reversed(self.children_of(s.id)))

    def subtree(self, sid: str) -> list[Station]:
        """The station and everything under it."""
        top = self.stations.get(sid)
        return ([top] if top else []) + list(self.descendants(sid))

    def resolve(self, sid: str) -> Station | None:
        """A station by id or former id."""
        return self.stations.get(sid) or self.stations.get(self.aliases.get(sid, ""))

    def successor(self, sid: str) -> Station | None:
        """Where a merged station's visitors should go: follow ``merged_into`` to an active one."""
        cur = self.resolve(sid)
        seen: set[str] = set()
        while cur is not None and cur.status == Status.merged and cur.merged_into and cur.id not in seen:
            seen.add(cur.id)
            cur = self.stations.get(cur.merged_into)
        return cur

    @cached_property
    def _by_station(self) -> dict[str, dict[str, list]]:
        idx: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for p in self.projects.values():
            idx[self.canonical(p.station)]["projects"].append(p)
        for person in self.people.values():
            if person.station:
                idx[self.canonical(person.station)]["people"].append(person)
        for c in self.cases.values():
            for sid in c.stations:
                idx[self.canonical(sid)]["cases"].append(c)
        for a in self.activities:
            idx[self.canonical(a.station)]["activities"].append(a)
        return idx

    def canonical(self, sid: str) -> str:
        return self.aliases.get(sid, sid)

    def projects_of(self, sid: str) -> list[Project]:
        return self._by_station.get(sid, {}).get("projects", [])

    def people_of(self, sid: str) -> list[Person]:
        return self._by_station.get(sid, {}).get("people", [])

    def cases_of(self, sid: str) -> list[Case]:
        return sorted(self._by_station.get(sid, {}).get("cases", []), key=case_newest_first)

    def activities_of(self, sid: str) -> list[Activity]:
        return self._by_station.get(sid, {}).get("activities", [])

    def case_unit(self, case: Case) -> str:
        """The unit a case is credited to: its stations' names, or ``unit``."""
        if case.unit:
            return case.unit
        names = [self.stations[s].name for s in case.stations if s in self.stations]
        return "、".join(names)

    def select_cases(self, book: Casebook) -> list[Case]:
        """The cases a case book's ``select`` names, in reading order."""
        sel = book.select
        picked = []
        for c in self.cases.values():
            if sel.cases and c.id not in sel.cases:
                continue
            if sel.year is not None and c.year != sel.year:
                continue
            if sel.tags and not set(sel.tags) & set(c.tags):
                continue
            if sel.categories and c.category not in sel.categories:
                continue
            picked.append(c)
        if not (sel.cases or sel.year or sel.tags or sel.categories):
            picked = [c for c in self.cases.values() if c.year == book.year]
        return sorted(picked, key=case_sort_key)

    def chapters(self, book: Casebook) -> list[tuple[str, list[Case]]]:
        """(chapter title, cases) in the configured order; unplaced cases go to a last chapter."""
        pool = self.select_cases(book)
        remaining = {c.id: c for c in pool}
        out: list[tuple[str, list[Case]]] = []
        for ch in book.chapters:
            cases: list[Case] = []
            for cid in ch.cases:
                if cid in remaining:
                    cases.append(remaining.pop(cid))
                elif cid in self.cases and cid not in [c.id for c in cases]:
                    cases.append(self.cases[cid])
            for c in list(remaining.values()):
                if (ch.categories and c.category in ch.categories) or (ch.tags and set(ch.tags) & set(c.tags)):
                    cases.append(remaining.pop(c.id))
            out.append((ch.title, cases))
        if remaining:
            rest = sorted(remaining.values(), key=case_sort_key)
            if book.chapters:
                out.append(("其他案例", rest))
            else:
                out.append(("", rest))
        return [(t, cs) for t, cs in out if cs]

    def stations_by_level(self) -> dict[Level, list[Station]]:
        out: dict[Level, list[Station]] = {lv: [] for lv in LEVEL_ORDER}
        for s in self.stations.values():
            out[Level(s.level)].append(s)
        for v in out.values():
            v.sort(key=station_sort_key)
        return out

    def all_records(self) -> Iterable[Record]:
        yield from self.stations.values()
        yield from self.projects.values()
        yield from self.people.values()
        yield from self.cases.values()
        yield from self.casebooks.values()


def station_sort_key(s: Station) -> tuple:
    return (Level(s.level).rank, s.division_code or "~", s.name)


def case_sort_key(c: Case) -> tuple:
    return (c.year, c.order if c.order is not None else 10**6, c.id)


def case_newest_first(c: Case) -> tuple:
    """Order of the cases a station or project page lists: newest year first."""
    return (-c.year, c.order or 0, c.id)


# ----------------------------------------------------------------------- checks


def check_graph(net: Network, problems: Problems) -> None:
    """Every cross-record rule of SPEC v1; appends to ``problems``, never raises."""
    _check_former_ids(net, problems)
    _check_root(net, problems)
    _check_parents(net, problems)
    _check_status(net, problems)
    _check_references(net, problems)
    _check_categories(net, problems)
    _check_casebooks(net, problems)


#: More active stations than this without a location get one summary warning instead of one each.
LOCATION_WARN_MAX = 10


def check_locations(net: Network, problems: Problems) -> None:
    """Warn about active stations without a ``location``: the nearby page and the maps leave them out."""
    missing = sorted((s for s in net.stations.values() if s.is_active and s.location is None),
                     key=lambda s: str(s.path))
    if not missing:
        return
    how_zh = "请补上 location: {lat: 纬度, lng: 经度}(GCJ-02 坐标,可在高德地图上点选地点得到)"
    how_en = "add location: {lat: .., lng: ..} (GCJ-02, as Amap shows it)"
    if len(missing) <= LOCATION_WARN_MAX:
        for s in missing:
            problems.warn(s.path, s.line_of("name"), "location",
                          f"在用阵地没有标注位置,“找身边的实践站”页面和地图上不会出现它;{how_zh}",
                          f"an active station without a location is left out of the nearby page and the maps; {how_en}")
        return
    folder = str(Path(str(missing[0].path)).parent)
    some = "、".join(s.id for s in missing[:5])
    problems.warn(folder, None, "location",
                  f"{len(missing)} 个在用阵地没有标注位置(如 {some} 等),“找身边的实践站”页面和地图上不会出现它们;"
                  f"{how_zh}。`wenming report` 按实践所列出各所的数量",
                  f"{len(missing)} active stations have no location (e.g. {some}) and are left out of the nearby "
                  f"page and the maps; {how_en}. `wenming report` counts them per 所")


def _station_ref(net: Network, problems: Problems, rec: Record, field: str, value: str,
                 line: int | None) -> bool:
    """Check one reference to a station; returns True when it resolves."""
    if value in net.stations:
        return True
    if value in net.aliases:
        new = net.aliases[value]
        problems.warn(rec.path, line, field,
                      f"\"{value}\" 是阵地 \"{new}\" 的旧编号;请改为 \"{new}\"",
                      f"\"{value}\" is a former id of station \"{new}\"; write \"{new}\" instead")
        return True
    problems.add(rec.path, line, field, *unknown_id(value, net.stations))
    return False


def _check_former_ids(net: Network, problems: Problems) -> None:
    owners: dict[str, Station] = {}
    for s in net.stations.values():
        for i, old in enumerate(s.former_ids):
            line = s.line_of("former_ids", i)
            if old == s.id:
                problems.add(s.path, line, f"former_ids[{i}]",
                             f"former_ids 中不应包含本阵地当前的编号 \"{old}\";请删除",
                             f"former_ids must not list the station's own id \"{old}\"; remove it")
            elif old in net.stations:
                problems.add(s.path, line, f"former_ids[{i}]",
                             f"旧编号 \"{old}\" 仍是 {net.stations[old].path} 的编号;同一编号不能指向两个阵地。"
                             f"如该阵地已并入本站,请在那个文件写 status: merged 和 merged_into: {s.id}",
                             f"the former id \"{old}\" is still the id of {net.stations[old].path}; one id "
                             f"cannot lead to two stations. If that station merged into this one, give it "
                             f"status: merged and merged_into: {s.id}")
            elif old in owners:
                problems.add(s.path, line, f"former_ids[{i}]",
                             f"旧编号 \"{old}\" 已列在 {owners[old].path} 的 former_ids 中;一个旧编号只能指向一个阵地",
                             f"the former id \"{old}\" is already listed by {owners[old].path}; a former "
                             "id leads to one station only")
            else:
                owners[old] = s
                net.aliases[old] = s.id


def _check_root(net: Network, problems: Problems) -> None:
    roots = [s for s in net.stations.values() if not s.parent]
    wanted = net.config.root
    if wanted:
        if wanted not in net.stations:
            suggestion = did_you_mean(wanted, net.stations)
            problems.add("mkdocs.yml", None, "plugins.wenming.root",
                         f"设置的根阵地 \"{wanted}\" 不存在{hint_zh(suggestion)}",
                         f"the root station \"{wanted}\" does not exist{hint_en(suggestion)}")
        elif net.stations[wanted].parent:
            problems.add("mkdocs.yml", None, "plugins.wenming.root",
                         f"设置的根阵地 \"{wanted}\" 有上级 \"{net.stations[wanted].parent}\";根阵地不能有 parent",
                         f"the root station \"{wanted}\" has a parent; the root has none")
    centres = [s for s in roots if s.level == Level.center]
    if not net.stations:
        return
    if not centres:
        problems.add(net.config.rel(net.config.content_path / KINDS["station"].folder), None, "parent",
                     "没有根阵地:应有且只有一个不写 parent 的「中心」",
                     "there is no root: exactly one 中心 must have no parent")
    elif len(centres) > 1:
        first = sorted(centres, key=lambda s: s.path)[0]
        for s in sorted(centres, key=lambda s: s.path)[1:]:
            problems.add(s.path, s.line_of("level"), "parent",
                         f"已有根阵地 {first.path}(\"{first.id}\"),根阵地只能有一个;请为本中心填写 parent",
                         f"{first.path} (\"{first.id}\") is already the root and there is only one; "
                         "give this centre a parent")
    if centres:
        net.root_id = wanted if wanted in net.stations else sorted(centres, key=lambda s: s.path)[0].id
    for s in roots:
        if s.level != Level.center:
            problems.add(s.path, s.line_of("level") or 1, "parent",
                         "缺少必填字段 parent:只有根「中心」可以没有上级;请写上级阵地的编号",
                         "required field parent is missing: only the root 中心 has no parent; add the "
                         "id of the station above")


def _check_parents(net: Network, problems: Problems) -> None:
    for s in net.stations.values():
        if not s.parent:
            continue
        known = net.stations.get(s.parent)
        if known is not None and known is not s and Level(known.level) in ALLOWED_PARENTS[Level(s.level)]:
            continue  # the usual case, without looking up a line
        line = s.line_of("parent")
        if s.parent == s.id:
            problems.add(s.path, line, "parent", "parent 不能是本阵地自己", "parent cannot be the station itself")
            continue
        if not _station_ref(net, problems, s, "parent", s.parent, line):
            continue
        parent = net.resolve(s.parent)
        assert parent is not None
        if Level(parent.level) not in ALLOWED_PARENTS[Level(s.level)]:
            allowed = "、".join(lv.value for lv in LEVEL_ORDER if lv in ALLOWED_PARENTS[Level(s.level)])
            problems.add(s.path, line, "parent",
                         f"「{s.level.value}」不能设在「{parent.level.value}」(\"{parent.id}\")之下;上级应为:{allowed}",
                         f"a {s.level.value} cannot sit under a {parent.level.value} (\"{parent.id}\"); "
                         f"its parent must be one of: {allowed}")
    # cycles: walk up from every station
    reported: set[str] = set()
    for s in net.stations.values():
        path = [s.id]
        cur = s
        while cur.parent and cur.parent in net.stations:
            if cur.parent in path:
                cycle = path[path.index(cur.parent):] + [cur.parent]
                if not reported & set(cycle):
                    first = net.stations[min(cycle[:-1])]
                    problems.add(first.path, first.line_of("parent"), "parent",
                                 f"上下级形成了循环:{' → '.join(cycle)};请改正其中一个 parent",
                                 f"the parents form a cycle: {' -> '.join(cycle)}; fix one of them")
                    reported.update(cycle)
                break
            path.append(cur.parent)
            cur = net.stations[cur.parent]


def _check_status(net: Network, problems: Problems) -> None:
    for s in net.stations.values():
        if s.status == Status.merged:
            if not s.merged_into:
                problems.add(s.path, s.line_of("status"), "merged_into",
                             "status 为 merged(已合并)时必须写 merged_into:合并到的阵地编号",
                             "status merged needs merged_into: the id of the station it merged into")
            elif s.merged_into == s.id:
                problems.add(s.path, s.line_of("merged_into"), "merged_into",
                             "merged_into 不能是本阵地自己", "merged_into cannot be the station itself")
            elif _station_ref(net, problems, s, "merged_into", s.merged_into, s.line_of("merged_into")):
                succ = net.successor(s.id)
                if succ is None or succ.status == Status.merged:
                    problems.add(s.path, s.line_of("merged_into"), "merged_into",
                                 "merged_into 形成了循环,找不到仍在运行的阵地;请指向一个 active 的阵地",
                                 "merged_into forms a loop and reaches no active station; point it at "
                                 "an active one")
        elif s.merged_into and s.status == Status.active:
            problems.add(s.path, s.line_of("merged_into"), "status",
                         "写了 merged_into 但 status 不是 merged;如已合并请加 status: merged,否则删除 merged_into",
                         "merged_into is set but status is not merged; add status: merged or remove "
                         "merged_into")
        elif s.merged_into and s.status == Status.closed:
            _station_ref(net, problems, s, "merged_into", s.merged_into, s.line_of("merged_into"))
        if s.status == Status.active and Level(s.level) in LEVELS_NEEDING_PHONE and not s.phone:
            problems.add(s.path, s.line_of("level") or 1, "phone",
                         f"缺少必填字段 phone:每个「{s.level.value}」都要公布志愿服务电话(如 0912-3851234)",
                         f"required field phone is missing: every {s.level.value} publishes a service "
                         "phone (e.g. 0912-3851234)")


def _check_references(net: Network, problems: Problems) -> None:
    for p in net.projects.values():
        _station_ref(net, problems, p, "station", p.station, p.line_of("station"))
    for person in net.people.values():
        if person.station:
            _station_ref(net, problems, person, "station", person.station, person.line_of("station"))
    for c in net.cases.values():
        for i, sid in enumerate(c.stations):
            _station_ref(net, problems, c, f"stations[{i}]", sid, c.line_of("stations", i))
        if not c.stations and not c.unit:
            problems.add(c.path, c.line_of("title"), "stations",
                         "案例需要写 stations(阵地编号列表)或 unit(单位名称),目录中要显示来源单位",
                         "a case needs stations (a list of station ids) or unit (a unit's name): the "
                         "table of contents shows its source")
    for a in net.activities:
        if a.station not in net.stations and a.station not in net.aliases:
            zh, en = unknown_id(a.station, net.stations)
            problems.add(a.path, a.row, "station", f"第 {a.row} 行:{zh}", f"row {a.row}: {en}")


def _check_categories(net: Network, problems: Problems) -> None:
    known = list(net.config.categories)
    allowed = set(known)

    def check(rec: Record, field: str, value: str, *where: str | int) -> None:
        if value and value not in allowed:  # the line is looked up only for a problem
            suggestion = did_you_mean(value, known)
            problems.warn(rec.path, rec.line_of(*where), field,
                          f"类别 \"{value}\" 不在类别表中{hint_zh(suggestion)}(类别表在 mkdocs.yml 的 categories 中设置)",
                          f"category \"{value}\" is not in the category list{hint_en(suggestion)} "
                          "(set the list under categories in mkdocs.yml)")

    for rec in [*net.projects.values(), *net.cases.values()]:
        check(rec, "category", rec.category, "category")  # type: ignore[attr-defined]
    for s in net.stations.values():
        for i, t in enumerate(s.teams):
            check(s, f"teams[{i}].category", t.category, "teams", i, "category")
        for i, sv in enumerate(s.services):
            check(s, f"services[{i}].category", sv.category, "services", i, "category")


def _check_casebooks(net: Network, problems: Problems) -> None:
    for book in net.casebooks.values():
        for i, cid in enumerate(book.select.cases):
            _case_ref(net, problems, book, f"select.cases[{i}]", cid, book.line_of("select", "cases", i))
        for ci, ch in enumerate(book.chapters):
            for i, cid in enumerate(ch.cases):
                _case_ref(net, problems, book, f"chapters[{ci}].cases[{i}]", cid,
                          book.line_of("chapters", ci, "cases", i))
        if not net.select_cases(book):
            problems.warn(book.path, book.line_of("select"), "select",
                          "选编没有选中任何案例;请检查 select 中的年份、标签或类别",
                          "the selection matches no case; check the year, tags or categories in select")


def _case_ref(net: Network, problems: Problems, rec: Record, field: str, cid: str, line: int | None) -> None:
    if cid not in net.cases:
        problems.add(rec.path, line, field, *unknown_id(cid, net.cases, "case"))
