"""The report as tables: terminal text, CSV, XLSX and JSON, all drawn from one dict.

:func:`sections` turns the report dict into titled tables (the same tables in
every format: one terminal block, one CSV block, one XLSX sheet each).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...report.compute import LEVELS, UNRATED

FORMATS = ("table", "csv", "json", "xlsx")


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}".replace(".0%", "%")


def num(x: Any) -> Any:
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def sections(r: dict[str, Any]) -> list[Section]:
    c = r["counts"]
    st = r["standards"]
    led = r["ledger"]["totals"]
    year = r["year"]
    out: list[Section] = []

    summary: list[list[Any]] = [
        ["范围", r["scope"]["name"] or "全部阵地"],
        ["统计年度", year],
        ["标准", f"{st['profile']['name']}（{st['profile']['id']}）"],
    ]
    summary += [[f"{lv}（个）", c["stations"][lv]] for lv in LEVELS]
    summary += [
        ["已合并 / 已撤销阵地（个）", f"{c['stations_inactive']['merged']} / {c['stations_inactive']['closed']}"],
        ["志愿服务队（支）", c["teams"]],
        ["登记志愿者（人）", c["members"]],
        ["品牌项目（个）", c["projects"]],
        ["典型人物（人）", c["people"]],
        ["案例（篇）", c["cases"]],
        [f"{year} 年活动（场）", led["activities"]],
        [f"{year} 年参与群众（人次）", led["participants"]],
        [f"{year} 年志愿服务时长（小时）", num(led["volunteer_hours"])],
        ["达标阵地", f"{st['passing']} / {st['assessed']}"],
    ]
    for lv, cov in r["coverage"]["by_level"].items():
        summary.append([f"{cov['unit']}实践{lv}覆盖率", f"{pct(cov['share'])}（{cov['covered']}/{cov['expected']}）"])
    out.append(Section("summary", "概况", ["指标", "数值"], summary))

    fail_rows = []
    for f in st["failing"]:
        for u in f["unmet"]:
            fail_rows.append([f["name"], f["id"], f["level"], u["label"], u["message"], u["code"]])
    out.append(Section("failing", f"未达标阵地（{st['failing_count']} 个，{st['profile']['name']}）",
                       ["阵地", "编号", "级别", "未达标项", "情况", "代码"], fail_rows))
    out.append(Section("rules", "各项标准未达标阵地数", ["规则", "标准", "未达标（个）"],
                       [[rule["id"], rule["label"], st["by_rule"][rule["id"]]]
                        for rule in st["rules"]]))

    cov_rows = [[f"全部（{cov['unit']}）", lv, cov["expected"], cov["covered"], pct(cov["share"])]
                for lv, cov in r["coverage"]["by_level"].items()]
    cov_rows += [[u["name"], u["unit"], u["expected"], u["covered"], pct(u["share"])]
                 for u in r["coverage"]["units"]]
    out.append(Section("coverage", "覆盖率", ["单位", "下设", "应建", "已建", "覆盖率"], cov_rows))

    out.append(Section("regions", "各片区阵地数", ["片区", *LEVELS],
                       [[g["name"], *[g["stations"][lv] for lv in LEVELS]] for g in c["by_region"]]))
    loc = r["locations"]
    out.append(Section("locations", f"未标注位置的在用阵地（{loc['missing']} 个，按实践所）",
                       ["实践所", "编号", "在用阵地（个）", "未标位置（个）"],
                       [[x["name"], x["id"] or "", x["active"], x["missing"]] for x in loc["by_institute"]]))
    t = r["teams"]
    out.append(Section("teams", "志愿服务队（按类别）", ["类别", "队伍（支）"],
                       [[k, v] for k, v in t["by_category"].items()] + [["合计", t["total"]]]))
    out.append(Section("team_activities", f"{year} 年各队伍活动次数", ["阵地", "队伍", "类别", "人数", "活动（次）"],
                       [[x["station_name"], x["team"], x["category"], x["members"] if x["members"] is not None
                         else "", x["activities"]] for x in r["team_activities"]]))
    out.append(Section("projects", "品牌项目（按级别）", ["级别", "数量（个）"],
                       [[k if k == UNRATED else f"{k}级", v] for k, v in r["projects"]["by_level"].items()]
                       + [["合计", r["projects"]["total"]]]))
    out.append(Section("people", "典型人物（按荣誉）", ["荣誉", "人数"],
                       [[k, v] for k, v in r["people"]["by_honour"].items()] + [["合计（人）", r["people"]["total"]]]))
    out.append(Section("cases", "案例（按年度）", ["年度", "篇数"],
                       [[int(k), v] for k, v in r["cases"]["by_year"].items()] + [["合计", r["cases"]["total"]]]))
    out.append(Section("ledger", "活动台账（按年度）", ["年度", "活动（场）", "参与群众（人次）", "志愿者（人次）",
                                                  "活动时长（小时）", "志愿服务时长（小时）"],
                       [[int(y), v["activities"], v["participants"], v["volunteers"], num(v["hours"]),
                         num(v["volunteer_hours"])] for y, v in r["ledger"]["by_year"].items()]))
    out.append(Section("ledger_stations", f"{year} 年各阵地活动", ["阵地", "活动（场）", "参与群众（人次）",
                                                             "志愿服务时长（小时）"],
                       [[x["station_name"], x["activities"], x["participants"], num(x["volunteer_hours"])]
                        for x in r["ledger"]["by_station"]]))
    return out


# ------------------------------------------------------------------------- writers


def to_json(r: dict[str, Any]) -> str:
    return json.dumps(r, ensure_ascii=False, indent=2) + "\n"


def to_csv(r: dict[str, Any]) -> str:
    """All sections stacked in one sheet: a title row, a header row, the rows, a blank row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for s in sections(r):
        w.writerow([f"【{s.title}】"])
        w.writerow(s.columns)
        w.writerows(s.rows)
        w.writerow([])
    return buf.getvalue()


def write_xlsx(r: dict[str, Any], path: Path) -> None:
    """One sheet per section, bold header, frozen first row, widths fitted to CJK text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from rich.cells import cell_len

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for s in sections(r):
        name = s.title
        for ch in "[]:*?/\\":
            name = name.replace(ch, " ")
        name = name[:31]
        while name in used:
            name = name[:29] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append(s.columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in s.rows:
            ws.append(["" if v is None else v for v in row])
        ws.freeze_panes = "A2"
        for i, col in enumerate(s.columns, start=1):
            width = max([cell_len(str(col))] + [cell_len(str(row[i - 1])) for row in s.rows if len(row) >= i])
            ws.column_dimensions[get_column_letter(i)].width = min(max(8, width + 2), 80)
            if width > 78:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)


def to_text(r: dict[str, Any]) -> str:
    """Plain aligned tables for pipes and files (no colour, no box drawing)."""
    from rich.cells import cell_len

    def pad(text: str, width: int, right: bool) -> str:
        space = " " * (width - cell_len(text))
        return space + text if right else text + space

    blocks = []
    for s in sections(r):
        lines = [f"== {s.title} =="]
        if s.key == "failing" and s.rows:
            lines += failing_lines(r)
            blocks.append("\n".join(lines))
            continue
        if not s.rows:
            lines.append("（无）")
            blocks.append("\n".join(lines))
            continue
        cells = [[str(c) for c in s.columns]] + [["" if v is None else str(v) for v in row] for row in s.rows]
        numeric = [all(isinstance(row[i], (int, float)) for row in s.rows if row[i] not in ("", None))
                   for i in range(len(s.columns))]
        widths = [max(cell_len(row[i]) for row in cells) for i in range(len(s.columns))]
        for n, row in enumerate(cells):
            lines.append("  ".join(pad(v, widths[i], numeric[i] and n > 0) for i, v in enumerate(row)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        blocks.append("\n".join(lines))
    if r.get("notes"):
        blocks.append("== 提示 (notes) ==\n" + "\n".join(r["notes"]))
    return "\n\n".join(blocks) + "\n"


def failing_lines(r: dict[str, Any]) -> list[str]:
    """Stations that fall short, one block each: what the rule asks, then what was found."""
    lines = []
    for f in r["standards"]["failing"]:
        lines.append(f"{f['name']}（{f['id']}，{f['level']}）")
        for u in f["unmet"]:
            lines.append(f"  ✗ {u['label']}：{u['message']}")
    return lines


def print_rich(r: dict[str, Any], console: Any) -> None:
    """Boxed, coloured tables for a terminal."""
    from rich.markup import escape
    from rich.table import Table

    for s in sections(r):
        if s.key == "failing" and s.rows:
            console.print(f"[bold]{escape(s.title)}[/bold]")
            for f in r["standards"]["failing"]:
                console.print(f"[bold]{escape(f['name'])}[/bold]（{escape(f['id'])}，{f['level']}）")
                for u in f["unmet"]:
                    console.print(f"  [red]✗ {escape(u['label'])}[/red]：{escape(u['message'])}")
            console.print()
            continue
        table = Table(title=s.title, title_justify="left", title_style="bold", show_lines=False,
                      header_style="bold cyan")
        for i, col in enumerate(s.columns):
            numeric = s.rows and all(isinstance(row[i], (int, float)) for row in s.rows if row[i] not in ("", None))
            table.add_column(col, justify="right" if numeric else "left",
                             style="red" if s.key == "failing" and i == 3 else None,
                             overflow="fold")
        for row in s.rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        if not s.rows:
            table.add_row(*(["（无）"] + [""] * (len(s.columns) - 1)))
        console.print(table)
        console.print()
    for note in r.get("notes") or []:
        console.print(f"[yellow]{note}[/yellow]")
