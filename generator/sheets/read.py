"""Read a workbook sheet or a CSV export into rows: the formats real offices send.

- ``.xlsx``/``.xlsm`` through openpyxl: cached formula values, merged cells filled
  with their top-left value (two-row headers, a 上级 cell merged down a group);
- ``.csv``/``.txt``: UTF-8 or GBK/GB18030, with or without a BOM, comma, tab or
  semicolon separated;
- the header row is found among the first rows (a title row above is fine), blank
  rows are skipped, cells are stripped of spaces including full-width ones.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError, did_you_mean
from ..read.text import BOM, decode
from .cells import unneutralise
from .columns import SHEET_KINDS, Column, SheetKind, normalize_header

HEADER_SCAN_ROWS = 15
SKIP_SHEETS = {"说明", "填写说明", "_lists", "选项"}


@dataclass
class Table:
    label: str  # "stations.xlsx[阵地]" or "stations.csv": used in every message
    kind: SheetKind
    columns: dict[int, Column]  # column index -> field
    headers: dict[int, str]  # column index -> header text as written
    rows: list[tuple[int, dict[str, Any]]]  # (sheet row number, key -> cell value)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (column index, header)
    duplicate: list[tuple[int, str, str]] = field(default_factory=list)  # (index, header, first header)
    source: str = "xlsx"  # "xlsx" or "csv"
    header_row: int = 1

    def header_of(self, key: str) -> str | None:
        for i, c in self.columns.items():
            if c.key == key:
                return self.headers[i]
        return None

    @property
    def keys(self) -> set[str]:
        return {c.key for c in self.columns.values()}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\u200b", "").replace("\ufeff", "").strip()
        return value if value else None
    return value


def _score(kind: SheetKind, row: list[Any]) -> int:
    seen = set()
    for cell in row:
        c = kind.match(cell) if isinstance(cell, str) else None
        if c is not None:
            seen.add(c.key)
    return len(seen)


def _find_header(kind: SheetKind, grid: list[list[Any]]) -> int | None:
    best, best_row = 0, None
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        s = _score(kind, row)
        if s >= best and s > 0:  # on a tie the lower row wins: a two-row header's second row
            best, best_row = s, r
    need = 1 if len(kind.columns) <= 1 else 2
    return best_row if best >= need else None


def _table(label: str, kind: SheetKind, grid: list[list[Any]], source: str) -> Table:
    h = _find_header(kind, grid)
    if h is None:
        expected = "、".join(kind.known_headers())
        raise UsageError(
            f"{label}: 找不到表头行;{kind.sheet}表的表头应包含这些列中的几列:{expected}"
            f"(可用 wenming import --template -o 模板.xlsx 生成模板)\n"
            f"  ({label}: no header row found; a {kind.name} sheet has some of these columns: {expected}; "
            "wenming import --template -o template.xlsx writes a template)"
        )
    header = grid[h]
    columns: dict[int, Column] = {}
    headers: dict[int, str] = {}
    unknown: list[tuple[int, str]] = []
    duplicate: list[tuple[int, str, str]] = []
    for i, cell in enumerate(header):
        text = _clean(cell)
        if text is None:
            continue
        text = str(text)
        col = kind.match(text)
        if col is None:
            unknown.append((i, text))
            continue
        first = next((j for j, c in columns.items() if c.key == col.key), None)
        if first is not None:
            duplicate.append((i, text, headers[first]))
            continue
        columns[i] = col
        headers[i] = text
    rows = []
    for r in range(h + 1, len(grid)):
        cells = grid[r]
        values = {columns[i].key: _clean(cells[i]) if i < len(cells) else None for i in columns}
        if all(v is None for v in values.values()):
            continue
        rows.append((r + 1, values))
    return Table(label, kind, columns, headers, rows, unknown, duplicate, source, h + 1)


def _decode_csv(data: bytes, label: str) -> str:
    decoded = decode(data)
    if decoded.text is not None:
        return decoded.text
    if data.startswith(BOM):  # a BOM in front of GBK bytes: some tools write that
        try:
            return data[3:].decode("gb18030").replace("\r\n", "\n")
        except UnicodeDecodeError:
            pass
    if decoded.problem == "empty":
        raise UsageError(f"{label}: 文件是空的 (the file is empty)")
    raise UsageError(
        f"{label}: 无法识别文件编码;请在 Excel 中另存为「CSV UTF-8」或 .xlsx\n"
        f"  ({label}: the encoding is not recognised; save it as CSV UTF-8 or .xlsx)"
    )


def _csv_grid(text: str) -> list[list[Any]]:
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = max([",", "\t", ";", "，"], key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    return [[unneutralise(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _sheet_grid(ws: Any) -> list[list[Any]]:
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            if r - 1 >= len(grid):
                break
            row = grid[r - 1]
            for c in range(rng.min_col, rng.max_col + 1):
                while len(row) < c:
                    row.append(None)
                row[c - 1] = value
    return grid


def _pick_sheet(wb: Any, kind: SheetKind, name: str | None, path: Path) -> Any:
    if name:
        if name in wb.sheetnames:
            return wb[name]
        suggestion = did_you_mean(name, wb.sheetnames)
        hint = f";是否应为 \"{suggestion}\"?" if suggestion else ""
        raise UsageError(
            f"{path.name} 中没有名为 \"{name}\" 的工作表{hint}现有:{'、'.join(wb.sheetnames)}\n"
            f"  ({path.name} has no sheet \"{name}\"; sheets: {', '.join(wb.sheetnames)})"
        )
    wanted = {normalize_header(a) for a in (kind.sheet, *kind.sheet_aliases)}
    for ws in wb.worksheets:
        if normalize_header(ws.title) in wanted:
            return ws
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title not in SKIP_SHEETS]
    # a sheet named for another kind is not this kind's sheet
    others = {normalize_header(a) for k in SHEET_KINDS.values() if k is not kind
              for a in (k.sheet, *k.sheet_aliases)}
    candidates = [ws for ws in visible if normalize_header(ws.title) not in others] or visible
    if len(candidates) == 1:
        return candidates[0]
    scored = [(max((_score(kind, list(r)) for r in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)),
                   default=0), -i, ws) for i, ws in enumerate(candidates)]
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    if scored and scored[0][0] >= 2:
        return scored[0][2]
    raise UsageError(
        f"{path.name} 中找不到{kind.sheet}表;请用 --sheet 指定工作表,现有:{'、'.join(wb.sheetnames)}\n"
        f"  ({path.name}: no {kind.name} sheet found; pass --sheet NAME; sheets: {', '.join(wb.sheetnames)})"
    )


def read_table(path: Path, kind_name: str, sheet: str | None = None) -> Table:
    """The rows of ``path`` (xlsx or csv) for the kind ``kind_name``; UsageError when unreadable."""
    kind = SHEET_KINDS[kind_name]
    if not path.is_file():
        raise UsageError(f"找不到文件 {path} (file not found: {path})")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        text = _decode_csv(path.read_bytes(), path.name)
        return _table(path.name, kind, _csv_grid(text), "csv")
    if suffix == ".xls" or suffix == ".et":
        raise UsageError(
            f"{path.name}: 不支持旧版 .xls/.et 格式;请在 Excel 或 WPS 中另存为 .xlsx 后再导入\n"
            f"  ({path.name}: the old .xls format is not supported; save it as .xlsx first)"
        )
    if suffix not in (".xlsx", ".xlsm"):
        raise UsageError(
            f"{path.name}: 只能导入 .xlsx 或 .csv 文件 (only .xlsx and .csv files can be imported)"
        )
    import zipfile

    import openpyxl

    check_workbook_parts(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - damaged zip, bad XML (a refused entity attack too): say which file
        raise UsageError(
            f"{path.name}: 无法打开该 Excel 文件({type(exc).__name__});文件可能已损坏或有密码保护,请另存为 .xlsx 后重试\n"
            f"  ({path.name}: the workbook cannot be opened ({type(exc).__name__}); it may be damaged or "
            "password-protected; save it again as .xlsx)"
        ) from None
    try:
        ws = _pick_sheet(wb, kind, sheet, path)
        return _table(f"{path.name}[{ws.title}]", kind, _sheet_grid(ws), "xlsx")
    finally:
        wb.close()


#: Limits for the parts of a workbook, checked before anything is inflated: an .xlsx is a zip,
#: and a few MB can inflate to gigabytes (a "zip bomb"). A city's station sheet is a few MB.
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 100  # inflated size / stored size, for parts above a megabyte


def check_workbook_parts(path: Path) -> None:
    """Refuse a workbook whose parts would inflate beyond the limits, or that declares XML
    entities (no spreadsheet program writes them); reads the zip's directory and the first
    bytes of each XML part only, so it takes milliseconds and little memory."""
    import zipfile

    def refuse(part: str, zh: str, en: str) -> None:
        raise UsageError(f"{path.name}: 工作表文件的组成部分 {part} {zh};文件可能被恶意构造,已拒绝导入\n"
                         f"  ({path.name}: the workbook part {part} {en}; the file may be crafted to attack, "
                         f"it was not imported)")

    try:
        with zipfile.ZipFile(path) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                ratio = info.file_size / max(1, info.compress_size)
                if info.file_size > MAX_PART_BYTES:
                    refuse(info.filename, f"解压后有 {info.file_size:,} 字节,超过上限 {MAX_PART_BYTES:,}",
                           f"inflates to {info.file_size:,} bytes, above the limit of {MAX_PART_BYTES:,}")
                if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                    refuse(info.filename, f"压缩比为 {ratio:,.0f} 倍,超过上限 {MAX_RATIO} 倍",
                           f"inflates {ratio:,.0f} times, above the limit of {MAX_RATIO} times")
                if total > MAX_TOTAL_BYTES:
                    refuse(info.filename, f"使解压总量超过 {MAX_TOTAL_BYTES:,} 字节",
                           f"brings the inflated total above {MAX_TOTAL_BYTES:,} bytes")
            for info in zf.infolist():
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as fh:
                        head = fh.read(8192).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        refuse(info.filename, "含有 XML 实体声明(DOCTYPE/ENTITY)", "declares XML entities "
                               "(DOCTYPE/ENTITY)")
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, RuntimeError) as exc:
        raise UsageError(
            f"{path.name}: 无法打开该 Excel 文件({type(exc).__name__});文件可能已损坏或有密码保护,请另存为 .xlsx 后重试\n"
            f"  ({path.name}: the workbook cannot be opened ({type(exc).__name__}); it may be damaged or "
            "password-protected; save it again as .xlsx)") from None
