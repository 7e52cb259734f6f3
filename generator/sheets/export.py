"""``wenming export`` and ``wenming import --template``: records -> sheets in the import layout.

The same workbook builder makes the empty template and the export: one sheet per
kind, a bold frozen header row whose cells carry a short note (cell comment),
drop-down lists for 级别, 类别, 状态 and 同意公开, text format on the columns that
hold codes and phone numbers (so Excel does not turn 0912... into 912...), and a
说明 sheet. A value is exported only when the record's file has that field, so
that importing the export back changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..config import Config
from ..graph import Network
from .cells import FORMULA_START, export_value, neutralise
from .columns import (
    BOOL_CHOICES,
    COORDS_CHOICES,
    LEVEL_CHOICES,
    PROJECT_LEVEL_CHOICES,
    SHEET_KINDS,
    STATUS_LABELS,
    Column,
    SheetKind,
)

TEXT_TYPES = {"id", "ref", "phone", "division", "text", "list", "honors"}
TEMPLATE_ROWS = 500


def _value(rec: Any, col: Column) -> Any:
    if col.key == "id":
        return rec.id
    if "." in col.key:
        part, sub = col.key.split(".", 1)
        obj = getattr(rec, part, None) if part in rec.model_fields_set else None
        if obj is None or sub not in obj.model_fields_set:
            return None
        return export_value(col, getattr(obj, sub))
    if col.key not in rec.model_fields_set:
        return None
    return export_value(col, getattr(rec, col.key))


def _stations_in_order(net: Network) -> list:
    out, seen = [], set()
    if net.root_id:
        for s in net.subtree(net.root_id):
            out.append(s)
            seen.add(s.id)
    out.extend(s for s in net.stations.values() if s.id not in seen)
    return out


def rows_for(net: Network, kind: SheetKind) -> list[list[Any]]:
    """The export's data rows for ``kind``, in the column order of :mod:`.columns`."""
    cols = kind.columns
    if kind.name == "stations":
        return [[_value(s, c) for c in cols] for s in _stations_in_order(net)]
    if kind.name in ("projects", "people"):
        table = net.table(kind.record_kind)
        return [[_value(r, c) for c in cols] for r in table.values()]
    if kind.name == "teams":
        out = []
        for s in _stations_in_order(net):
            for t in s.teams:
                row = []
                for c in cols:
                    if c.key == "station":
                        row.append(s.id)
                    elif c.key in t.model_fields_set:
                        row.append(export_value(c, getattr(t, c.key)))
                    else:
                        row.append(None)
                out.append(row)
        return out
    out = []
    for a in net.activities:
        row = []
        for c in cols:
            v = getattr(a, c.key)
            row.append(None if v == "" else export_value(c, v))
        out.append(row)
    return out


def _choices(kind: SheetKind, col: Column, config: Config) -> list[str] | None:
    if col.type == "level":
        return LEVEL_CHOICES
    if col.type == "plevel":
        return PROJECT_LEVEL_CHOICES
    if col.type == "status":
        return list(STATUS_LABELS.values())
    if col.type == "coords":
        return COORDS_CHOICES
    if col.type == "bool":
        return BOOL_CHOICES
    if col.key == "category":
        return list(config.categories)
    return None


def _note(col: Column, choices: list[str] | None) -> str:
    parts = [("必填。" if col.required else "") + col.note]
    if choices and col.key == "category":
        parts.append("可选:" + "、".join(choices))
    parts.append(f"(字段 {col.key})")
    return "\n".join(p for p in parts if p)


def build_workbook(kinds: Iterable[str], config: Config, net: Network | None = None) -> Any:
    """A workbook with one sheet per kind; with ``net``, filled with its records."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    lists_ws = None
    header_font = Font(bold=True, color="FFFFFF")
    fill_req = PatternFill("solid", fgColor="B22222")
    fill_opt = PatternFill("solid", fgColor="5B6770")
    for name in kinds:
        kind = SHEET_KINDS[name]
        ws = wb.create_sheet(kind.sheet)
        data = rows_for(net, kind) if net is not None else []
        last = max(TEMPLATE_ROWS, len(data) + 100)
        for j, col in enumerate(kind.columns, start=1):
            letter = get_column_letter(j)
            cell = ws.cell(row=1, column=j, value=col.zh)
            cell.font = header_font
            cell.fill = fill_req if col.required else fill_opt
            cell.alignment = Alignment(horizontal="center", vertical="center")
            choices = _choices(kind, col, config)
            comment = Comment(_note(col, choices), "wenming")
            comment.width, comment.height = 260, 110
            cell.comment = comment
            ws.column_dimensions[letter].width = col.width
            if col.type in TEXT_TYPES:
                ws.column_dimensions[letter].number_format = "@"
            if choices:
                formula = '"' + ",".join(choices) + '"'
                if len(formula) > 250:
                    if lists_ws is None:
                        lists_ws = wb.create_sheet("选项")
                        lists_ws.sheet_state = "hidden"
                    k = lists_ws.max_column + (1 if lists_ws.max_row > 1 or lists_ws["A1"].value else 0)
                    for i, ch in enumerate(choices, start=1):
                        lists_ws.cell(row=i, column=k, value=ch)
                    cl = get_column_letter(k)
                    formula = f"'选项'!${cl}$1:${cl}${len(choices)}"
                dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                                    showErrorMessage=col.type != "text",
                                    errorTitle="请从列表中选择", error="请从下拉列表中选择一项")
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        ws.row_dimensions[1].height = 22
        for i, row in enumerate(data, start=2):
            for j, (col, value) in enumerate(zip(kind.columns, row), start=1):
                if value is None:
                    continue
                cell = ws.cell(row=i, column=j, value=value)
                if isinstance(value, str):
                    # Text stays text: never a formula (openpyxl would store "=..." as one), and
                    # Excel keeps it text when the cell is edited (the quote prefix).
                    cell.data_type = "s"
                    if value.startswith(FORMULA_START):
                        cell.quotePrefix = True
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif col.type in TEXT_TYPES:
                    cell.number_format = "@"
    _readme_sheet(wb, kinds)
    return wb


def _readme_sheet(wb: Any, kinds: Iterable[str]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet("说明")
    lines = [
        ("填写说明", True),
        ("每个工作表对应一类记录,第一行是表头,不要改动表头文字;从第二行起每行一条。", False),
        ("红色表头为必填列。把鼠标停在表头上可看到每列的说明;级别、类别等列可从下拉列表中选。", False),
        ("编号是记录的永久编号(3 到 64 个小写字母、数字或连字符),阵地编号印在二维码里,确定后不要更改。", False),
        ("功能室、标签等多项内容用顿号(、)分隔。电话、区划代码请按文本填写。", False),
        ("导入:wenming import 文件.xlsx --kind stations(先加 --dry-run 预览)。留空的单元格会清除该字段,表中没有的列不会改动。", False),
        ("导出:wenming export --kind stations -o 阵地.xlsx;改好后再导入即可。", False),
        ("", False),
    ]
    for kind_name in kinds:
        kind = SHEET_KINDS[kind_name]
        lines.append((f"{kind.sheet}(--kind {kind.name})", True))
        for col in kind.columns:
            lines.append((f"{col.zh}{'(必填)' if col.required else ''}:{col.note}", False))
        lines.append(("", False))
    for i, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        if bold:
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 110


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(value) if isinstance(value, str) else str(value)


def write_csv(path: Path, kind: SheetKind, rows: list[list[Any]], encoding: str = "utf-8-sig") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.zh for c in kind.columns])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))


def export(config: Config, net: Network | None, kinds: list[str], out: Path, encoding: str = "utf-8-sig") -> int:
    """Write ``kinds`` to ``out`` (.xlsx: one sheet per kind; .csv: one kind). Returns the row count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        kind = SHEET_KINDS[kinds[0]]
        rows = rows_for(net, kind) if net is not None else []
        write_csv(out, kind, rows, encoding)
        return len(rows)
    wb = build_workbook(kinds, config, net)
    wb.save(out)
    return sum(len(rows_for(net, SHEET_KINDS[k])) for k in kinds) if net is not None else 0
