"""The report on the site: the 统计 page (``stats/``) and each station page's checklist.

Both read the profile named in ``mkdocs.yml`` (``profile:``) and the latest year
of the activity ledger. The stats page is an HTML fragment with inline SVG
charts; links to station pages are relative to ``stats/``.
"""

from __future__ import annotations

import weakref
from html import escape
from typing import Any

from ...config import Config
from ...graph import Network
from ...report.compute import LEVELS, UNRATED, Ledger, assess, build_report, default_year
from .output import num, pct
from ...report.profile import load_profile
from ..site.deps import MAPS, TrackedNetwork
from .svg import bar_chart

_LEDGERS: dict[int, tuple[Any, Ledger, int]] = {}

STYLE = """
.wm-stats .wm-figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(7.5em,1fr));gap:.6em;
 margin:1em 0;padding:0}
.wm-stats .wm-figures div{border:1px solid rgba(127,127,127,.3);border-radius:4px;padding:.5em .6em;margin:0}
.wm-stats .wm-figures dt{font-size:.9em;margin:0}
.wm-stats .wm-figures dd{font-size:1.5em;font-weight:700;margin:0;font-variant-numeric:tabular-nums}
.wm-stats .wm-chart{display:block;margin:.5em 0 1.2em;height:auto;max-width:26em}
.wm-stats details.wm-fail{font-size:inherit;color:inherit;background:none;border:0;border-radius:0;box-shadow:none;
 margin:0;border-bottom:1px solid rgba(127,127,127,.3);padding:.35em 0}
.wm-stats details.wm-fail summary{cursor:pointer;min-height:2.2rem;margin:0;padding:.4em 1.8rem;background:none;font-weight:400}
.wm-stats .wm-scroll{overflow-x:auto}
.wm-stats details.wm-fail ul{margin:.3em 0 .2em;padding-left:1.2em}
.wm-stats .wm-no{color:#b3261e}
.wm-stats figure{margin:0}
.wm-stats figcaption{font-weight:600;margin:.8em 0 .2em}
"""


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


def _figures(items: list[tuple[str, Any]]) -> str:
    cells = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(str(v))}</dd></div>" for k, v in items)
    return f'<dl class="wm-figures">{cells}</dl>'


def _chart(key: str, title: str, data: dict[str, Any] | list[tuple[str, Any]], unit: str = "") -> str:
    pairs = list(data.items()) if isinstance(data, dict) else data
    svg = bar_chart(key, title, [(str(k), float(v)) for k, v in pairs], unit=unit)
    return f"<figure><figcaption>{escape(title)}</figcaption>{svg}</figure>"


def stats_page_html(net: Network, config: Config) -> str:
    """The 统计 page body: figures, coverage, who falls short and why, and charts."""
    profile = load_profile(config.profile, config.project_dir)
    r = build_report(net, config, profile)
    c, st, year = r["counts"], r["standards"], r["year"]
    tot = r["ledger"]["totals"]
    out = [f'<div class="wm-stats"><style>{STYLE}</style>']
    scope = escape(r["scope"]["name"] or "全部阵地")
    out.append(f'<p class="wm-scope">统计范围：{scope}；活动统计年度：{year} 年；'
               f'标准：{escape(profile.name)}。</p>')
    out.append(_figures(
        [(f"实践{lv}", c["stations"][lv]) for lv in LEVELS]
        + [("志愿服务队", c["teams"]), ("登记志愿者", c["members"]), ("品牌项目", c["projects"]),
           ("典型人物", c["people"]), ("案例", c["cases"]), (f"{year} 年活动", tot["activities"]),
           (f"{year} 年参与群众", tot["participants"]),
           (f"{year} 年志愿服务时长", f"{num(tot['volunteer_hours'])} 小时")]))

    cov = r["coverage"]["by_level"]
    if cov:
        out.append('<h2 id="coverage">覆盖率</h2>')
        out.append(_figures([(f"{v['unit']}实践{lv}覆盖率", f"{pct(v['share'])}") for lv, v in cov.items()]))
        lines = "".join(f"<li>{escape(v['unit'])}：应建 {v['expected']} 个，已建 {v['covered']} 个"
                        f"（{pct(v['share'])}）</li>" for lv, v in cov.items())
        out.append(f"<ul>{lines}</ul>")
        units = r["coverage"]["units"]
        if units:
            out.append(_chart("coverage", "各单位下级阵地覆盖率（%）",
                              [(u["name"], round((u["share"] or 0) * 100, 1)) for u in units], unit="%"))

    out.append('<h2 id="standards">达标情况</h2>')
    source = f"（依据{escape(profile.source)}）" if profile.source else ""
    out.append(f"<p>按「{escape(profile.name)}」{source}核对 {st['assessed']} 个阵地："
               f"<strong>{st['passing']} 个达标，{st['failing_count']} 个未达标</strong>。"
               f"活动类标准按 {year} 年活动台账计算。</p>")
    out.append(_chart("rules", "各项标准未达标的阵地数",
                      [(rule["label"], st["by_rule"][rule["id"]]) for rule in st["rules"]], unit=" 个"))
    if st["failing"]:
        out.append("<h3>未达标阵地及所缺内容</h3>")
        blocks = []
        for f in st["failing"][:MAX_FAILING_LISTED]:
            items = "".join(f'<li><span class="wm-no">✗ {escape(u["label"])}</span>：{escape(u["message"])}</li>'
                            for u in f["unmet"])
            # The link sits in the opened part: a link inside <summary> is a control inside a control.
            blocks.append(f'<details class="wm-fail" id="fail-{escape(f["id"])}"><summary>{escape(f["name"])}'
                          f'（{escape(f["level"])}）<span class="wm-no">{len(f["unmet"])} 项未达标</span>'
                          f'</summary><ul>{items}</ul><p><a href="../stations/{escape(f["id"])}/">'
                          f'打开{escape(f["name"])}的页面</a></p></details>')
        out.append("".join(blocks))
        rest = len(st["failing"]) - MAX_FAILING_LISTED
        if rest > 0:
            out.append(f"<p>另有 {num(rest)} 个未达标阵地未在此列出：各阵地页面的“阵地建设对照”写明了所缺内容，"
                       "完整名单可用 <code>wenming report -o 报表.xlsx</code> 导出。</p>")
    out.append('<h2 id="network">阵地与队伍</h2>')
    out.append(_chart("stations", "各级阵地数量", c["stations"], unit=" 个"))
    if c["by_region"]:
        out.append(_chart("regions", "各片区阵地数量（含所本身）",
                          [(g["name"], sum(g["stations"].values())) for g in c["by_region"]], unit=" 个"))
    out.append(_chart("teams", "志愿服务队（按类别）", r["teams"]["by_category"], unit=" 支"))
    out.append('<h2 id="projects">品牌项目与典型人物</h2>')
    out.append(_chart("projects", "品牌项目（按级别）",
                      [(k if k == UNRATED else f"{k}级", v) for k, v in r["projects"]["by_level"].items()],
                      unit=" 个"))
    out.append(_chart("people", "典型人物（按荣誉）", r["people"]["by_honour"], unit=" 人"))
    out.append(_chart("cases", "案例（按年度）", [(f"{y} 年", n) for y, n in r["cases"]["by_year"].items()],
                      unit=" 篇"))
    by_year = r["ledger"]["by_year"]
    if by_year:
        out.append('<h2 id="ledger">活动台账</h2>')
        out.append(_chart("activities", "文明实践活动（按年度）",
                          [(f"{y} 年", v["activities"]) for y, v in by_year.items()], unit=" 场"))
        out.append(_chart("participants", "参与群众（按年度）",
                          [(f"{y} 年", v["participants"]) for y, v in by_year.items()], unit=" 人次"))
        rows = "".join(f"<tr><td>{y}</td><td>{v['activities']}</td><td>{v['participants']}</td>"
                       f"<td>{v['volunteers']}</td><td>{num(v['volunteer_hours'])}</td></tr>"
                       for y, v in by_year.items())
        out.append('<div class="wm-scroll" role="region" aria-label="活动台账合计" tabindex="0">'
                   '<table class="wm-ledger"><caption>活动台账合计</caption><thead><tr><th scope="col">年度</th>'
                   '<th scope="col">活动（场）</th><th scope="col">参与群众（人次）</th>'
                   '<th scope="col">志愿者（人次）</th><th scope="col">志愿服务时长（小时）</th></tr></thead>'
                   f"<tbody>{rows}</tbody></table></div>")
        out.append("<p><small>志愿服务时长 = 每场活动的志愿者人数 × 活动时长，逐场相加。</small></p>")
    out.append("</div>")
    return "\n".join(out)
