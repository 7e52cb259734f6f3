"""Every figure of the report, computed from the record graph; no output formatting here.

:func:`build_report` returns a plain dict (the JSON shape, documented in
``generator/render/report/README.md``); the table, CSV, XLSX and site views are
all drawn from it. :func:`assess` judges one station against a profile and is
also what the station page's checklist shows.

Rules of counting (documented for editors in the README):

* Only active stations are assessed; merged and closed ones are counted apart.
* A ledger row counts for the station it names (former ids follow the station)
  in the year of its date.
* A ledger row counts for a team of that station when the row's title contains
  the team's name; otherwise for every team of that station with the row's
  category. A row whose category no team has counts for the station only.
* Volunteer hours are ``volunteers x hours`` per row (``hours`` is the length of
  the activity); the plain sum of ``hours`` is reported too.
* Coverage: a 中心 or 所 may give ``expected_units`` (how many towns/streets, or
  villages/communities, its area has). Its covered units are its active
  children one level down (所 under a 中心, 站 under a 所, 中心 under a city
  中心, 点 under a 站); children that share a division code count once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..cancel import checkpoint
from ..config import Config
from ..errors import UsageError, unknown_id
from ..graph import LEVEL_ORDER, Network
from ..model import Activity, Level, Station, Status
from ..model.fields import PROJECT_LEVEL_ORDER
from ..urls import qr_page_url
from .profile import CITY_CENTRE, FACTS, Profile, Rule

SCHEMA = "wenming-report/1"
LEVELS = [lv.value for lv in LEVEL_ORDER]
DEFAULT_HONOURS = ("时代楷模", "道德模范", "最美", "好人", "志愿者")
UNRATED = "未定级"
OTHER = "其他"
NO_CATEGORY = "未分类"
# What a station's covered units are, by its level.
CHILD_LEVEL = {"中心": "所", CITY_CENTRE: "中心", "所": "站", "站": "点"}
UNIT_WORD = {"所": "乡镇（街道）", "中心": "县（市、区）", "站": "村（社区）", "点": "网格（小区）"}


# --------------------------------------------------------------------------- scope


@dataclass
class Scope:
    """The stations a report covers: the whole network or one subtree (``--under``)."""

    net: Network
    top: Station | None
    stations: list[Station]  # in tree order
    ids: set[str]
    whole: bool

    @classmethod
    def of(cls, net: Network, under: str | None = None) -> Scope:
        if under:
            top = net.resolve(under)
            if top is None:
                zh, en = unknown_id(under, net.stations)
                raise UsageError(f"--under:{zh}\n  (--under: {en})")
        else:
            top = net.root
        if top is None:
            stations = sorted(net.stations.values(), key=lambda s: (Level(s.level).rank, s.id))
            return cls(net, None, stations, set(net.stations), True)
        stations = net.subtree(top.id)
        # Stations outside the tree (a broken parent was reported by check) still count
        # in a whole-network report.
        whole = top.id == net.root_id or not under
        if whole:
            inside = {s.id for s in stations}
            stations += sorted((s for s in net.stations.values() if s.id not in inside),
                               key=lambda s: (Level(s.level).rank, s.id))
        return cls(net, top, stations, {s.id for s in stations}, whole)

    @property
    def active(self) -> list[Station]:
        return [s for s in self.stations if s.status == Status.active]


def year_of(a: Activity) -> int | None:
    try:
        return int(str(a.date)[:4])
    except ValueError:
        return None


def ledger_years(net: Network, ids: set[str] | None = None) -> list[int]:
    years = {year_of(a) for a in net.activities if ids is None or net.canonical(a.station) in ids}
    return sorted(y for y in years if y)


def default_year(net: Network, ids: set[str] | None = None) -> int:
    """The latest year in the ledger, or this year when there is no ledger."""
    years = ledger_years(net, ids)
    return years[-1] if years else dt.date.today().year


# --------------------------------------------------------------------------- facts


@dataclass
class Ledger:
    """Ledger rows indexed by station and year, with team credits."""

    net: Network
    rows: dict[tuple[str, int], list[Activity]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, net: Network) -> Ledger:
        led = cls(net)
        for a in net.activities:
            y = year_of(a)
            if y:
                led.rows[(net.canonical(a.station), y)].append(a)
        return led

    def of_station(self, sid: str, year: int) -> list[Activity]:
        return self.rows.get((sid, year), [])

    def team_counts(self, station: Station, year: int) -> list[int]:
        """Activities credited to each of ``station.teams`` in ``year`` (same order)."""
        counts = [0] * len(station.teams)
        for a in self.of_station(station.id, year):
            named = [i for i, t in enumerate(station.teams) if t.name and t.name in a.title]
            hits = named or [i for i, t in enumerate(station.teams)
                             if a.category and (t.category or "") == a.category]
            for i in hits:
                counts[i] += 1
        return counts


def level_keys(net: Network, s: Station) -> set[str]:
    keys = {Level(s.level).value}
    if s.level == Level.center and any(c.level == Level.center for c in net.children_of(s.id)):
        keys.add(CITY_CENTRE)
    return keys


def expected_units(s: Station) -> tuple[int | None, str | None]:
    """(expected_units, problem) read from the model field, or from the extra fields
    until the Station model declares it."""
    value = getattr(s, "expected_units", None)
    if value is None:
        value = (s.model_extra or {}).get("expected_units")
    if value is None:
        return None, None
    try:
        n = int(str(value).strip()) if not isinstance(value, bool) else -1
        if n < 0:
            raise ValueError
    except ValueError:
        return None, (f"{s.path}: expected_units 应为不小于 0 的整数，实际为 {value!r}（已忽略）"
                      f" (expected_units must be a whole number >= 0, found {value!r}; ignored)")
    return n, None


@dataclass
class Coverage:
    station: Station
    child_level: str
    expected: int
    present: int  # distinct units with an active child station

    @property
    def covered(self) -> int:
        return min(self.present, self.expected)

    @property
    def share(self) -> float | None:
        return self.covered / self.expected if self.expected else None


def coverage_of(net: Network, s: Station) -> Coverage | None:
    expected, _ = expected_units(s)
    if expected is None:
        return None
    keys = level_keys(net, s)
    child = CHILD_LEVEL[CITY_CENTRE] if CITY_CENTRE in keys else CHILD_LEVEL.get(Level(s.level).value)
    if not child:
        return None
    units: set[str] = set()
    for c in net.children_of(s.id):
        if c.status == Status.active and Level(c.level).value == child:
            units.add(c.division_code or "id:" + c.id)
    return Coverage(s, child, expected, len(units))


# --------------------------------------------------------------------------- assessing


@dataclass
class Item:
    """One rule applied to one station."""

    rule: str
    code: str  # English, stable: e.g. teams_below_min
    label: str  # Chinese, what the rule asks
    ok: bool
    detail: str  # Chinese: what was found
    required: Any = None
    actual: Any = None

    def unmet(self) -> dict[str, Any]:
        return {"rule": self.rule, "code": self.code, "label": self.label, "message": self.detail,
                "required": self.required, "actual": self.actual}


#: Default labels, when a rule has no ``name``; {m} is the minimum.
TEMPLATES = {
    "rooms": "功能室不少于 {m} 处",
    "teams": "志愿服务队不少于 {m} 支",
    "members": "志愿者不少于 {m} 人",
    "team_activities": "每支志愿服务队全年活动不少于 {m} 次",
    "activities": "全年开展文明实践活动不少于 {m} 次",
    "category_activities": "全年{category}活动不少于 {m} 次",
    "phone": "有志愿服务电话",
    "qr": "有二维码联系方式",
    "projects": "品牌项目不少于 {m} 个",
    "coverage": "下级实践阵地覆盖率不低于 {m}",
}


def _label(rule: Rule, m: Any, default: str | None = None) -> str:
    """The rule's own name, or the label of its check (:data:`TEMPLATES`), for minimum ``m``."""
    if rule.name:
        return rule.name.replace("{min}", str(m))
    return default if default is not None else TEMPLATES[rule.check].format(m=m, category=rule.category)


def describe_min(rule: Rule) -> str:
    """The minimum in words for every level: "中心 17、所 5、站 3"."""
    if rule.share is not None:
        return f"{rule.share:.0%}"
    mn = rule.minimum
    if mn is None:
        return ""

    def steps(st: tuple) -> str:
        if len(st) == 1 and not st[0].per_population and st[0].at_least is None:
            return str(st[0].min)
        parts = []
        for x in st:
            if x.per_population:
                parts.append(f"每 {x.per_population // 10000} 万人 {x.min}")
            elif x.at_least is not None:
                parts.append(f"{x.at_least // 10000} 万人以上 {x.min}")
            else:
                parts.append(f"其余 {x.min}")
        return "（" + "，".join(parts) + "）"

    if mn.default is not None:
        return steps(mn.default)
    return "、".join(f"{lv} {steps(st)}" for lv, st in mn.by_level.items())


def rule_label(rule: Rule) -> str:
    """What a rule asks, for every level at once (the report's list of rules)."""
    m = describe_min(rule)
    if rule.check == "has":
        facts = "、".join(FACTS[f] for f in rule.facts_all)
        if rule.facts_any:
            facts += ("、" if facts else "") + "或".join(FACTS[f] for f in rule.facts_any)
        return f"{rule.name}（{facts}）" if rule.name else "具备" + facts
    if rule.name:
        return rule.name.replace("{min}", m)
    return TEMPLATES[rule.check].format(m=m, category=rule.category)


def _fact(net: Network, led: Ledger, s: Station, fact: str, year: int) -> bool:
    if fact == "activities":
        return bool(led.of_station(s.id, year))
    if fact == "projects":
        return bool(net.projects_of(s.id))
    if fact == "people":
        return bool(net.people_of(s.id))
    if fact == "cases":
        return bool(net.cases_of(s.id))
    if fact == "body":
        return bool(s.body.strip())
    if fact == "manager":
        return bool(s.manager and (s.manager.name or s.manager.role))
    return bool(getattr(s, fact, None))


def assess(net: Network, config: Config, profile: Profile, s: Station, year: int,
           ledger: Ledger | None = None) -> list[Item]:
    """The station judged by every rule of ``profile`` that applies to its level."""
    led = ledger or Ledger.of(net)
    keys = level_keys(net, s)
    plain = Level(s.level).value
    items: list[Item] = []
    for rule in profile.rules_for(keys):
        m: Any = None
        note = ""
        if rule.minimum is not None:
            m, note = rule.minimum.for_station(CITY_CENTRE if CITY_CENTRE in keys else plain, plain,
                                               s.population)
        item = _apply(net, config, led, rule, s, year, m, note)
        if item is not None:
            items.append(item)
    return items


def _apply(net: Network, config: Config, led: Ledger, rule: Rule, s: Station, year: int, m: Any,
           note: str) -> Item | None:
    check = rule.check
    suffix = f"（{note}）" if note else ""
    if check == "rooms":
        n = len(s.rooms)
        return Item(rule.id, "rooms_below_min", _label(rule, m), n >= m,
                    f"现有功能室 {n} 处" + ("" if n >= m else f"，少于 {m} 处"), m, n)
    if check == "teams":
        n = len(s.teams)
        return Item(rule.id, "teams_below_min", _label(rule, m), n >= m,
                    f"现有志愿服务队 {n} 支" + ("" if n >= m else f"，少于 {m} 支"), m, n)
    if check == "members":
        n = sum(t.members or 0 for t in s.teams)
        return Item(rule.id, "members_below_min", _label(rule, m), n >= m,
                    f"队伍登记志愿者 {n} 人" + ("" if n >= m else f"，少于 {m} 人"), m, n)
    if check == "team_activities":
        label = _label(rule, m)
        if not s.teams:
            return Item(rule.id, "no_teams", label, False, "没有登记志愿服务队，无法核对队伍活动", m, {})
        counts = led.team_counts(s, year)
        actual = {t.name: c for t, c in zip(s.teams, counts)}
        short = [(t.name, c) for t, c in zip(s.teams, counts) if c < m]
        if not short:
            return Item(rule.id, "team_activities_below_min", label, True,
                        f"{year} 年 {len(s.teams)} 支队伍均达到 {m} 次（最少 {min(counts)} 次）", m, actual)
        listed = "、".join(f"{name} {c} 次" for name, c in short)
        return Item(rule.id, "team_activities_below_min", label, False,
                    f"{year} 年活动不足 {m} 次的队伍 {len(short)} 支：{listed}", m, actual)
    if check == "activities":
        n = len(led.of_station(s.id, year))
        return Item(rule.id, "activities_below_min", _label(rule, m),
                    n >= m, f"{year} 年台账记录活动 {n} 次" + ("" if n >= m else f"，少于 {m} 次"), m, n)
    if check == "category_activities":
        n = sum(1 for a in led.of_station(s.id, year) if a.category == rule.category)
        return Item(rule.id, "category_activities_below_min",
                    _label(rule, m), n >= m,
                    f"{year} 年{rule.category}活动 {n} 次" + ("" if n >= m else f"，少于 {m} 次"), m, n)
    if check == "phone":
        ok = bool(s.phone)
        return Item(rule.id, "phone_missing", _label(rule, None), ok,
                    f"服务电话 {s.phone}" if ok else "未填写服务电话（phone）", True, bool(s.phone))
    if check == "qr":
        label = _label(rule, None)
        if not config.site_url:
            return Item(rule.id, "qr_no_site_url", label, False,
                        "mkdocs.yml 未设置 site_url，无法生成二维码", True, False)
        if not s.phone:
            return Item(rule.id, "qr_no_phone", label, False,
                        "没有服务电话，二维码联系页上无电话可拨", True, False)
        return Item(rule.id, "qr_missing", label, True, f"二维码指向 {config.url(qr_page_url(s.id))}",
                    True, True)
    if check == "projects":
        n = len(net.projects_of(s.id))
        return Item(rule.id, "projects_below_min", _label(rule, m), n >= m,
                    f"品牌项目 {n} 个" + ("" if n >= m else f"，少于 {m} 个") + suffix, m, n)
    if check == "has":
        have = {f: _fact(net, led, s, f, year) for f in rule.facts_all + rule.facts_any}
        missing_all = [f for f in rule.facts_all if not have[f]]
        any_ok = not rule.facts_any or any(have[f] for f in rule.facts_any)
        label = rule.name or "具备" + "、".join(FACTS[f] for f in rule.facts_all + rule.facts_any)
        parts = []
        if missing_all:
            parts.append("缺少" + "、".join(FACTS[f] for f in missing_all))
        if not any_ok:
            parts.append("缺少" + "或".join(FACTS[f] for f in rule.facts_any))
        ok = not parts
        found = [FACTS[f] for f in rule.facts_all + rule.facts_any if have[f]]
        detail = ";".join(parts) if parts else "已有" + "、".join(found)
        return Item(rule.id, "missing_facts", label, ok, detail,
                    {"all": list(rule.facts_all), "any": list(rule.facts_any)},
                    sorted(f for f, v in have.items() if v))
    if check == "coverage":
        cov = coverage_of(net, s)
        if cov is None or rule.share is None:
            return None
        pct = f"{rule.share:.0%}"
        got = cov.share if cov.share is not None else 1.0
        unit = UNIT_WORD.get(cov.child_level, "")
        return Item(rule.id, "coverage_below_min",
                    _label(rule, pct, f"{unit}实践{cov.child_level}覆盖率不低于 {pct}"), got >= rule.share,
                    f"{cov.expected} 个{unit}中 {cov.covered} 个建有实践{cov.child_level}（{got:.0%}）",
                    rule.share, round(got, 4))
    return None  # pragma: no cover - CHECKS and _apply list the same kinds


# --------------------------------------------------------------------------- the report


def honour_group(title: str, groups: tuple[str, ...]) -> str:
    for g in groups:
        if g in title:
            return g
    return OTHER


def build_report(net: Network, config: Config, profile: Profile, under: str | None = None,
                 year: int | None = None) -> dict[str, Any]:
    """Every figure of the report as plain data (see README.md for the shape)."""
    scope = Scope.of(net, under)
    ids = scope.ids
    year = year or default_year(net, ids)
    led = Ledger.of(net)
    notes: list[str] = []
    active = scope.active

    by_level = Counter(Level(s.level).value for s in active)
    counts_stations = {lv: by_level.get(lv, 0) for lv in LEVELS}
    inactive = {st: sum(1 for s in scope.stations if s.status.value == st) for st in ("merged", "closed")}

    regions = []
    if scope.top is not None:
        for child in net.children_of(scope.top.id):
            if child.level not in (Level.institute, Level.center):
                continue
            sub = Counter(Level(s.level).value for s in net.subtree(child.id) if s.status == Status.active)
            regions.append({"id": child.id, "name": child.name, "region": child.region,
                            "stations": {lv: sub.get(lv, 0) for lv in LEVELS}})

    # stations without a location (the nearby page and the maps cannot show them), per 所
    institute_of: dict[str, Station | None] = {}
    by_institute: dict[str | None, list[int]] = {}
    for s in active:
        if s.level == Level.institute:
            inst = s
        else:
            inst = next((a for a in reversed(net.ancestors(s.id)) if a.level == Level.institute), None)
        institute_of[inst.id if inst else ""] = inst
        tally = by_institute.setdefault(inst.id if inst else None, [0, 0])
        tally[0] += 1
        tally[1] += s.location is None
    unplaced = [{"id": k, "name": institute_of[k].name if k else "不属于实践所的阵地", "active": v[0],
                 "missing": v[1]} for k, v in by_institute.items() if v[1]]
    unplaced.sort(key=lambda x: (x["id"] is None, -x["missing"], x["name"]))

    # teams and members
    teams_total = members = unknown_members = 0
    team_cat: Counter[str] = Counter()
    team_level: Counter[str] = Counter()
    team_rows = []
    for s in active:
        counts = led.team_counts(s, year)
        for t, c in zip(s.teams, counts):
            teams_total += 1
            if t.members is None:
                unknown_members += 1
            else:
                members += t.members
            team_cat[t.category or NO_CATEGORY] += 1
            team_level[Level(s.level).value] += 1
            team_rows.append({"station": s.id, "station_name": s.name, "level": Level(s.level).value,
                              "team": t.name, "category": t.category, "members": t.members,
                              "activities": c})

    projects = [p for p in net.projects.values() if net.canonical(p.station) in ids]
    proj_level = Counter(p.level or UNRATED for p in projects)
    people = [p for p in net.people.values() if (scope.whole and not p.station)
              or (p.station and net.canonical(p.station) in ids)]
    groups = profile.honours or DEFAULT_HONOURS
    by_honour: Counter[str] = Counter()
    for person in people:
        for g in {honour_group(h.title, groups) for h in person.honors}:
            by_honour[g] += 1
    cases = [c for c in net.cases.values() if any(net.canonical(x) in ids for x in c.stations)
             or (scope.whole and not c.stations)]
    case_years = Counter(c.year for c in cases)

    # ledger
    ledger_years_: dict[str, dict[str, Any]] = {}
    for a in net.activities:
        y = year_of(a)
        if not y or net.canonical(a.station) not in ids:
            continue
        row = ledger_years_.setdefault(str(y), {"activities": 0, "participants": 0, "volunteers": 0,
                                                "hours": 0.0, "volunteer_hours": 0.0})
        row["activities"] += 1
        row["participants"] += a.participants
        row["volunteers"] += a.volunteers
        row["hours"] += a.hours
        row["volunteer_hours"] += a.volunteers * a.hours
    for row in ledger_years_.values():
        row["hours"] = round(row["hours"], 2)
        row["volunteer_hours"] = round(row["volunteer_hours"], 2)
    ledger_years_ = dict(sorted(ledger_years_.items()))
    empty_year = {"activities": 0, "participants": 0, "volunteers": 0, "hours": 0.0, "volunteer_hours": 0.0}
    by_station_year = []
    for s in active:
        rows = led.of_station(s.id, year)
        if rows:
            by_station_year.append({"station": s.id, "station_name": s.name, "activities": len(rows),
                                    "participants": sum(a.participants for a in rows),
                                    "volunteer_hours": round(sum(a.volunteers * a.hours for a in rows), 2)})

    # coverage
    units = []
    agg: dict[str, dict[str, int]] = {}
    for s in active:
        checkpoint()
        _, problem = expected_units(s)
        if problem:
            notes.append(problem)
        cov = coverage_of(net, s)
        if cov is None:
            continue
        units.append({"id": s.id, "name": s.name, "level": Level(s.level).value, "unit": cov.child_level,
                      "expected": cov.expected, "covered": cov.covered, "stations": cov.present,
                      "share": None if cov.share is None else round(cov.share, 4)})
        tally = agg.setdefault(cov.child_level, {"expected": 0, "covered": 0})
        tally["expected"] += cov.expected
        tally["covered"] += cov.covered
    coverage = {lv: {**v, "share": round(v["covered"] / v["expected"], 4) if v["expected"] else None,
                     "unit": UNIT_WORD.get(lv, "")}
                for lv, v in sorted(agg.items(), key=lambda kv: LEVELS.index(kv[0]))}

    # standards
    failing = []
    assessed = 0
    by_rule: Counter[str] = Counter()
    for s in active:
        checkpoint()
        items = assess(net, config, profile, s, year, led)
        if not items:
            continue
        assessed += 1
        unmet = [i for i in items if not i.ok]
        for i in unmet:
            by_rule[i.rule] += 1
        if unmet:
            failing.append({"id": s.id, "name": s.name, "level": Level(s.level).value, "parent": s.parent,
                            "unmet": [i.unmet() for i in unmet]})

    return {
        "schema": SCHEMA,
        "scope": {"id": scope.top.id if scope.top else None, "name": scope.top.name if scope.top else None,
                  "whole_network": scope.whole},
        "year": year,
        "counts": {
            "stations": counts_stations,
            "stations_total": sum(counts_stations.values()),
            "stations_inactive": inactive,
            "by_region": regions,
            "teams": teams_total,
            "members": members,
            "projects": len(projects),
            "people": len(people),
            "cases": len(cases),
            "activities": ledger_years_.get(str(year), empty_year)["activities"],
        },
        "teams": {"total": teams_total, "members": members, "teams_without_members": unknown_members,
                  "by_category": dict(team_cat.most_common()),
                  "by_level": {lv: team_level.get(lv, 0) for lv in LEVELS}},
        "projects": {"total": len(projects),
                     "by_level": {lv: proj_level.get(lv, 0) for lv in PROJECT_LEVEL_ORDER + [UNRATED]}},
        "people": {"total": len(people),
                   "by_honour": {g: by_honour.get(g, 0) for g in (*groups, OTHER)}},
        "cases": {"total": len(cases), "by_year": {str(y): case_years[y] for y in sorted(case_years)}},
        "ledger": {"year": year, "totals": ledger_years_.get(str(year), dict(empty_year)),
                   "by_year": ledger_years_, "by_station": by_station_year},
        "team_activities": team_rows,
        "locations": {"missing": sum(x["missing"] for x in unplaced), "by_institute": unplaced},
        "coverage": {"by_level": coverage, "units": units},
        "standards": {
            "profile": {"id": profile.id, "name": profile.name, "source": profile.source,
                        "path": profile.path},
            "year": year,
            "rules": [{"id": r.id, "check": r.check, "name": r.name, "label": rule_label(r),
                       "levels": list(r.levels)}
                      for r in profile.rules],
            "assessed": assessed,
            "passing": assessed - len(failing),
            "failing_count": len(failing),
            "by_rule": {r.id: by_rule.get(r.id, 0) for r in profile.rules},
            "failing": failing,
        },
        "notes": notes,
    }
