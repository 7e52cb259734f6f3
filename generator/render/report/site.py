"""The report on the site: the 统计 page (``stats/``) and each station page's checklist.

Both read the profile named in ``mkdocs.yml`` (``profile:``) and the latest year
of the activity ledger. The stats page is an HTML fragment with inline SVG
charts; links to station pages are relative to ``stats/``.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

from ... import theme
from ...config import Config
from ...graph import Network
from ...report.compute import LEVELS, UNRATED, Ledger, assess, build_report, default_year
from ...report.profile import load_profile
from ..site.deps import MAPS, TrackedNetwork
from .output import num, pct
from .svg import bar_chart

_LEDGERS: dict[int, tuple[Any, Ledger, int]] = {}


def _ledger(net: Network) -> tuple[Ledger, int]:
    if isinstance(net, TrackedNetwork):  # a preview notes which rows each page reads (render.site.deps)
        rows = net.derived("ledger.rows", lambda: Ledger.of(net.plain).rows)
        return Ledger(net, rows), net.derived("ledger.year", lambda: {"": default_year(net.plain)})[""]
    hit = _LEDGERS.get(id(net))
    if hit is not None and hit[0]() is net:
        return hit[1], hit[2]
    led = Ledger.of(net)
    year = default_year(net)
    _LEDGERS[id(net)] = (weakref.ref(net), led, year)
    return led, year


MAPS["ledger.rows"] = (lambda net, config: Ledger.of(net).rows, frozenset({"ledger", "alias"}))
MAPS["ledger.year"] = (lambda net, config: {"": default_year(net)}, frozenset({"ledger"}))

#: The statistics page lists at most this many failing stations (a city has thousands: the page
#: must stay light on a phone); every station's own page shows its checklist.
MAX_FAILING_LISTED = 200


def _profile(config: Config):
    """The profile of ``config``, looked up once per build (every station page needs it)."""
    key = (str(config.profile), str(config.project_dir))
    hit = _PROFILES.get(key)
    if hit is None or hit[0]() is not config:
        hit = (weakref.ref(config), load_profile(config.profile, config.project_dir))
        _PROFILES[key] = hit
    return hit[1]


_PROFILES: dict[tuple[str, str], tuple[Any, Any]] = {}


def station_checklist(net: Network, config: Config, station_id: str) -> list[dict[str, Any]]:
    """The station's own standards: ``[{"label", "ok", "detail"}]``, empty when none apply
    (点, 基地, merged or closed stations, or levels the profile does not judge)."""
    s = net.resolve(station_id)
    if s is None or not s.is_active:
        return []
    profile = _profile(config)
    led, year = _ledger(net)
    return [{"label": i.label, "ok": i.ok, "detail": i.detail}
            for i in assess(net, config, profile, s, year, led)]


def _chart(key: str, title: str, data: dict[str, Any] | list[tuple[str, Any]], unit: str = "") -> dict:
    pairs = list(data.items()) if isinstance(data, dict) else data
    return {"title": title, "bar": bar_chart(key, title, [(str(k), float(v)) for k, v in pairs], unit=unit)}


def stats_page_data(net: Network, config: Config) -> dict[str, Any]:
    """What the 统计 page shows (``site/stats_report.html`` lays it out): figures, coverage, who
    falls short and why, and charts."""
    profile = load_profile(config.profile, config.project_dir)
    r = build_report(net, config, profile)
    c, st, year = r["counts"], r["standards"], r["year"]
    tot = r["ledger"]["totals"]
    out: dict[str, Any] = {"scope": r["scope"]["name"] or "全部阵地", "year": year, "profile": profile}
    out["figures"] = ([(f"实践{lv}", c["stations"][lv]) for lv in LEVELS]
                      + [("志愿服务队", c["teams"]), ("登记志愿者", c["members"]), ("品牌项目", c["projects"]),
                         ("典型人物", c["people"]), ("案例", c["cases"]), (f"{year} 年活动", tot["activities"]),
                         (f"{year} 年参与群众", tot["participants"]),
                         (f"{year} 年志愿服务时长", f"{num(tot['volunteer_hours'])} 小时")])
    cov = r["coverage"]["by_level"]
    out["coverage"] = None
    if cov:
        units = r["coverage"]["units"]
        out["coverage"] = {
            "figures": [(f"{v['unit']}实践{lv}覆盖率", f"{pct(v['share'])}") for lv, v in cov.items()],
            "lines": [{**v, "pct": pct(v["share"])} for v in cov.values()],
            "chart": _chart("coverage", "各单位下级阵地覆盖率（%）",
                            [(u["name"], round((u["share"] or 0) * 100, 1)) for u in units], unit="%") if units else None,
        }
    out["standards"] = st
    out["rules_chart"] = _chart("rules", "各项标准未达标的阵地数",
                                [(rule["label"], st["by_rule"][rule["id"]]) for rule in st["rules"]], unit=" 个")
    out["failing"] = st["failing"][:MAX_FAILING_LISTED]
    rest = len(st["failing"]) - MAX_FAILING_LISTED
    out["failing_rest"] = num(rest) if rest > 0 else None
    out["network_charts"] = [_chart("stations", "各级阵地数量", c["stations"], unit=" 个")]
    if c["by_region"]:
        out["network_charts"].append(_chart("regions", "各片区阵地数量（含所本身）",
                                            [(g["name"], sum(g["stations"].values())) for g in c["by_region"]],
                                            unit=" 个"))
    out["network_charts"].append(_chart("teams", "志愿服务队（按类别）", r["teams"]["by_category"], unit=" 支"))
    out["project_charts"] = [
        _chart("projects", "品牌项目（按级别）",
               [(k if k == UNRATED else f"{k}级", v) for k, v in r["projects"]["by_level"].items()], unit=" 个"),
        _chart("people", "典型人物（按荣誉）", r["people"]["by_honour"], unit=" 人"),
        _chart("cases", "案例（按年度）", [(f"{y} 年", n) for y, n in r["cases"]["by_year"].items()], unit=" 篇"),
    ]
    by_year = r["ledger"]["by_year"]
    out["ledger"] = None
    if by_year:
        out["ledger"] = {
            "charts": [_chart("activities", "文明实践活动（按年度）",
                              [(f"{y} 年", v["activities"]) for y, v in by_year.items()], unit=" 场"),
                       _chart("participants", "参与群众（按年度）",
                              [(f"{y} 年", v["participants"]) for y, v in by_year.items()], unit=" 人次")],
            "rows": [{**v, "year": y, "hours": num(v["volunteer_hours"])} for y, v in by_year.items()],
        }
    return out


@functools.lru_cache(maxsize=4)
def _env(dirs: tuple[str, ...]):
    return theme.environment(dirs, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def stats_page_html(net: Network, config: Config) -> str:
    """The 统计 page body (``site/stats_report.html`` of the theme)."""
    dirs = tuple(str(d) for d in theme.project_dirs(config))
    return _env(dirs).get_template("site/stats_report.html").render(report=stats_page_data(net, config))
