"""`wenming import` / `wenming export`: the 台账 in Excel and CSV.

Every case builds its own project in a tmp dir (or copies the demo) and its own
sheet with openpyxl or as raw CSV bytes, runs the command as an editor would, and
checks what lands in content/ byte for byte, or the message the editor reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent

MKDOCS = """\
site_name: 测试
site_url: https://wm.example.org/
docs_dir: content
theme: material
plugins:
  - search
  - wenming:
      categories: [理论宣讲, 文化惠民, 卫生环保, 扶贫帮困, 乡风文明]
"""

CENTER = """\
---
name: 测试区新时代文明实践中心
level: 中心
phone: 0912-3850000
---
中心简介。
"""

INSTITUTE = """\
---
# 所的信息由镇里维护
name: 古塔镇新时代文明实践所
level: 所
parent: ceshi
phone: 0912-3851000  # 值班电话
hours: 周一至周五 8:30-17:30
rooms: [宣讲室, 活动室]
services:
  - {name: 政策宣讲, category: 理论宣讲, note: 提前预约}
---
古塔镇实践所的正文,**不能被改动**。

第二段。
"""

VILLAGE_YML = """\
# 没有正文的站可以写成 .yml
name: 古塔镇赵家峁村新时代文明实践站
level: 站
parent: ceshi-guta
phone: 0912-3862215
teams:
  - {name: 秧歌队, category: 文化惠民, members: 36, link: https://example.org/yangge}
  - {name: 宣讲队, category: 理论宣讲}
tags: [示范站]
"""

PROJECT = """\
---
name: 红色故事会
station: ceshi
category: 理论宣讲
level: 县
started: 2021-03-15
---
项目正文。
"""

PERSON = """\
---
name: 高秀兰
honors:
  - {title: 榆林好人, year: 2022, by: 榆林市文明办}
station: ceshi-zhaojiamao
consent: true
---
人物事迹。
"""

LEDGER_GBK = ("date,station,title,category,participants,volunteers,hours\n"
              "2023-01-19,ceshi-guta,楼道清理,卫生环保,29,4,3.0\n"
              "2023-01-27,ceshi,政策进村宣讲,理论宣讲,88,9,2.0\n").encode("gbk")


def make_project(tmp_path: Path, with_records: bool = True) -> Path:
    root = tmp_path / "proj"
    files: dict[str, str | bytes] = {"mkdocs.yml": MKDOCS, "content/index.md": "# 首页\n"}
    if with_records:
        files.update({
            "content/stations/ceshi.md": CENTER,
            "content/stations/ceshi-guta.md": INSTITUTE,
            "content/stations/ceshi-zhaojiamao.yml": VILLAGE_YML,
            "content/projects/hongse-gushihui.md": PROJECT,
            "content/people/gao-xiulan.md": PERSON,
            "content/activities/2023.csv": LEDGER_GBK,
        })
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    return root


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), *args])
    return result.exit_code, result.output


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "content").rglob("*")) if p.is_file()}


def sheet(path: Path, header: list, rows: list[list], title: str = "阵地", before: list[list] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in before or []:
        ws.append(r)
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def read(root: Path, rel: str) -> str:
    return (root / "content" / rel).read_text(encoding="utf-8")


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_changes_nothing(tmp_path, suffix):
    root = make_project(tmp_path)
    before = snapshot(root)
    for kind in ("stations", "projects", "people", "teams", "activities"):
        out = tmp_path / f"{kind}{suffix}"
        code, output = run(root, "export", "--kind", kind, "-o", str(out))
        assert code == 0, output
        code, output = run(root, "import", str(out), "--kind", kind)
        assert code == 0, output
        assert "新建 0 个文件、更新 0 个文件" in output, output
    assert snapshot(root) == before


def test_demo_round_trip_is_a_no_op(tmp_path):
    """The whole demo: export every kind to one workbook, import every sheet back."""
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    code, output = run(root, "check")
    assert code == 0, output
    before = snapshot(root)
    book = tmp_path / "台账.xlsx"
    code, output = run(root, "export", "-o", str(book))
    assert code == 0, output
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:5] == ["阵地", "品牌项目", "典型人物", "志愿服务队", "活动台账"]
    for kind in ("stations", "projects", "people", "teams", "activities"):
        code, output = run(root, "import", str(book), "--kind", kind)
        assert code == 0, output
        assert "新建 0 个文件、更新 0 个文件" in output, (kind, output)
    assert snapshot(root) == before


def test_importing_twice_changes_nothing_the_second_time(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "stations.xlsx", ["编号", "名称", "级别", "上级", "电话", "功能室", "成立日期"], [
        ["ceshi-guta", "古塔镇新时代文明实践所", "所", "ceshi", "0912-3851999", "宣讲室、活动室、书屋", dt.datetime(2019, 7, 10)],
        ["ceshi-liujiawan", "古塔镇刘家湾村新时代文明实践站", "站", "ceshi-guta", 13912345678, "活动室", "2020/5/1"],
    ])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    assert "新建 content/stations/ceshi-liujiawan.md" in output
    first = {p: (root / p).read_bytes() for p in snapshot(root)}
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    assert "新建 0 个文件、更新 0 个文件、2 条记录没有变化" in output
    assert {p: (root / p).read_bytes() for p in snapshot(root)} == first
    code, output = run(root, "check")
    assert code == 0, output


# ------------------------------------------------------------------ updates in place


def test_update_changes_only_the_sheet_columns_and_keeps_body_and_comments(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["编号", "电话", "开放时间", "功能室", "纬度", "经度", "人口"], [
        ["ceshi-guta", "0912-3851999", None, "宣讲室、活动室、书屋", 38.4, 109.9, 3200.0],
    ])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    assert "更新 content/stations/ceshi-guta.md(第 2 行):location, phone, hours, rooms, population" in output
    assert read(root, "stations/ceshi-guta.md") == textwrap.dedent("""\
        ---
        # 所的信息由镇里维护
        name: 古塔镇新时代文明实践所
        level: 所
        parent: ceshi
        location: {lat: 38.4, lng: 109.9}
        phone: 0912-3851999  # 值班电话
        rooms: [宣讲室, 活动室, 书屋]
        services:
          - {name: 政策宣讲, category: 理论宣讲, note: 提前预约}
        population: 3200
        ---
        古塔镇实践所的正文,**不能被改动**。

        第二段。
        """)


def test_yml_station_keeps_its_leading_comment(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["编号", "简称"], [["ceshi-zhaojiamao", "赵家峁村实践站"]])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    text = read(root, "stations/ceshi-zhaojiamao.yml")
    assert text == VILLAGE_YML.replace("level: 站\n", "short_name: 赵家峁村实践站\nlevel: 站\n")


def test_dry_run_writes_nothing(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    book = sheet(tmp_path / "s.xlsx", ["编号", "名称", "级别", "上级", "电话"], [
        ["ceshi-guta", "古塔镇新时代文明实践所", "所", "ceshi", "0912-3851777"],
        ["ceshi-new", "新站", "站", "ceshi-guta", "0912-3851778"],
    ])
    code, output = run(root, "import", str(book), "--kind", "stations", "--dry-run")
    assert code == 0, output
    assert "将新建 content/stations/ceshi-new.md(第 3 行)" in output
    assert "将更新 content/stations/ceshi-guta.md(第 2 行):phone" in output
    assert "预览(未写入任何文件)" in output
    assert snapshot(root) == before


# ------------------------------------------------------------------ messy real sheets

CSV_ROWS = [
    "编号,名称,级别,上级,电话",
    "ceshi-qianwa,古塔镇前洼村新时代文明实践站,站,ceshi-guta,0912-3862001",
    "ceshi-dongyao,古塔镇东窑村新时代文明实践站,站,古塔镇新时代文明实践所,13912345678",
]


@pytest.mark.parametrize("encoding,bom", [("gbk", b""), ("gbk", b"\xef\xbb\xbf"), ("utf-8", b""),
                                          ("utf-8", b"\xef\xbb\xbf")])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_csv_in_gbk_or_utf8_with_or_without_bom(tmp_path, encoding, bom, newline):
    root = make_project(tmp_path)
    path = tmp_path / "阵地.csv"
    path.write_bytes(bom + (newline.join(CSV_ROWS) + newline + "," * 4 + newline).encode(encoding))
    code, output = run(root, "import", str(path), "--kind", "stations")
    assert code == 0, output
    assert read(root, "stations/ceshi-qianwa.md").startswith("---\nname: 古塔镇前洼村新时代文明实践站\nlevel: 站\n")
    dongyao = read(root, "stations/ceshi-dongyao.md")
    assert "parent: ceshi-guta\n" in dongyao  # the parent was written as its name
    assert "phone: '13912345678'\n" in dongyao


def test_numbers_typed_as_numbers_come_back_digit_for_digit(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["编号", "名称", "级别", "上级", "电话", "区划代码", "人口"], [
        ["ceshi-a1", "甲站", "站", "ceshi-guta", 13912345678, 610802101215, 520.0],
        ["ceshi-a2", "乙站", "站", "ceshi-guta", 13912345678.0, 610802101216.0, 1260],
    ])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    for sid, code_ in (("ceshi-a1", "610802101215"), ("ceshi-a2", "610802101216")):
        text = read(root, f"stations/{sid}.md")
        assert "phone: '13912345678'\n" in text
        assert f"division_code: '{code_}'\n" in text
        assert "e+" not in text.lower() and "13912345678.0" not in text
    assert "population: 520\n" in read(root, "stations/ceshi-a1.md")
    code, output = run(root, "check")
    assert code == 0, output


def test_landline_that_lost_its_leading_zero_is_restored_with_a_warning(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["编号", "电话"], [["ceshi-guta", 9123851234]])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    assert ("s.xlsx[阵地] 第 2 行 电话 列: 警告 warning: 数字 9123851234 前的 0 被 Excel 去掉了,"
            "已按固定电话 09123851234 导入") in output
    assert "phone: 09123851234  # 值班电话\n" in read(root, "stations/ceshi-guta.md")


def test_scientific_notation_in_a_csv_is_refused_with_row_and_column(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    path = tmp_path / "stations.csv"
    path.write_bytes("编号,名称,级别,上级,电话\nceshi-b1,丙站,站,ceshi-guta,1.39123E+10\n".encode("gbk"))
    code, output = run(root, "import", str(path), "--kind", "stations")
    assert code == 1
    assert ('stations.csv 第 2 行 电话 列: "1.39123E+10" 是被 Excel 显示成科学计数法的数字,后几位已经丢失'
            in output)
    assert "(stations.csv row 2, column 电话 (phone): \"1.39123E+10\" is a number Excel displayed" in output
    assert snapshot(root) == before


def test_blank_trailing_rows_and_stray_spaces_are_ignored(tmp_path):
    root = make_project(tmp_path)
    path = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "阵地"
    ws.append([" 编号 ", "名称\u3000", "级别 ", " 上级", "电话（必填）", "功能室"])
    ws.append(["\u3000ceshi-c1 ", " 丁站\u3000", " 站 ", "ceshi-guta\u00a0", " 0912-3862003 ", " 活动室 、 书屋 "])
    ws.append(["", " ", "\u3000", None, None, None])
    for r in range(4, 40):  # formatted but empty rows, as Excel leaves them
        ws.cell(row=r, column=1).number_format = "@"
        ws.cell(row=r, column=2, value="  ")
    wb.save(path)
    code, output = run(root, "import", str(path), "--kind", "stations")
    assert code == 0, output
    assert "新建 1 个文件" in output
    assert read(root, "stations/ceshi-c1.md") == (
        "---\nname: 丁站\nlevel: 站\nparent: ceshi-guta\nphone: 0912-3862003\nrooms: [活动室, 书屋]\n---\n")


def test_merged_header_cells_and_a_title_row(tmp_path):
    root = make_project(tmp_path)
    path = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "古塔镇"
    ws["A1"] = "古塔镇新时代文明实践站台账(2023年)"
    ws.merge_cells("A1:F1")
    for col, text in zip("ABCE", ["编号", "名称", "上级", "电话"]):
        ws[f"{col}2"] = text
        ws.merge_cells(f"{col}2:{col}3")
    ws["D2"] = "位置"
    ws.merge_cells("D2:D3")
    ws["F2"] = "坐标"
    ws.merge_cells("F2:G2")
    ws["F3"], ws["G3"] = "纬度", "经度"
    ws.append(["ceshi-d1", "戊站", "ceshi-guta", "古塔镇戊村", "0912-3862004", 38.41, 109.91])
    ws.append(["ceshi-d2", "己站", None, "古塔镇己村", "0912-3862005", 38.42, 109.92])
    ws.merge_cells("C4:C5")  # the 上级 cell merged down over both villages
    ws.append([None] * 7)
    wb.save(path)
    code, output = run(root, "import", str(path), "--kind", "stations")
    # 位置 is not a column of ours: reported and ignored; 级别 is missing, so the new stations fail
    assert code == 1
    assert 's.xlsx[古塔镇] 第 3 行 位置 列: 警告 warning: 未识别的列 "位置",已忽略' in output
    assert 's.xlsx[古塔镇] 第 4 行 级别 列: 缺少必填字段 level' in output
    assert 's.xlsx[古塔镇] 第 5 行 级别 列: 缺少必填字段 level' in output
    ws["H2"] = "级别"
    ws.merge_cells("H2:H3")
    ws["H4"], ws["H5"] = "Station", "point"
    wb.save(path)
    code, output = run(root, "import", str(path), "--kind", "stations")
    assert code == 0, output
    assert read(root, "stations/ceshi-d1.md") == (
        "---\nname: 戊站\nlevel: 站\nparent: ceshi-guta\nlocation: {lat: 38.41, lng: 109.91}\n"
        "phone: 0912-3862004\n---\n")
    d2 = read(root, "stations/ceshi-d2.md")
    assert "level: 点\nparent: ceshi-guta\n" in d2  # English level, parent from the merged cell


@pytest.mark.parametrize("cell", [dt.datetime(2019, 7, 10), dt.date(2019, 7, 10), "2019/7/10", "2019年7月10日",
                                  "2019-07-10", 43656])
def test_dates_as_excel_dates_or_text(tmp_path, cell):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["编号", "成立日期"], [["ceshi-guta", cell]])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 0, output
    assert "\nestablished: 2019-07-10\n" in read(root, "stations/ceshi-guta.md")


# ------------------------------------------------------------------ failures, pinned


def test_unknown_parent_names_sheet_row_column_and_suggests(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    book = sheet(tmp_path / "stations.xlsx", ["编号", "名称", "级别", "上级", "电话"], [
        ["ceshi-e1", "庚站", "站", "ceshi-guta", "0912-3862006"],
        ["ceshi-e2", "辛站", "站", "ceshi-gut", "0912-3862007"],
    ])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 1
    assert ('stations.xlsx[阵地] 第 3 行 上级 列: 找不到编号为 "ceshi-gut" 的阵地;是否应为 "ceshi-guta"?\n'
            '  (stations.xlsx[阵地] row 3, column 上级 (parent): no station has the id "ceshi-gut"; '
            'did you mean "ceshi-guta"?)') in output
    assert "第 2 行" not in output
    assert snapshot(root) == before  # nothing written, not even the good row


@pytest.mark.parametrize("header,cells,expected", [
    (["编号", "名称", "级别", "上级"], ["ceshi-f1", "壬站", "站", "ceshi-guta"],
     "s.xlsx[阵地] 第 2 行 电话 列: 缺少必填字段 phone:每个「站」都要公布志愿服务电话"),
    (["编号", "名称", "级别", "上级", "电话"], ["ceshi-f1", "壬站", "村站", "ceshi-guta", "0912-3862008"],
     's.xlsx[阵地] 第 2 行 级别 列: 级别应为 中心、所、站、点 或 基地'),
    (["编号", "名称", "级别", "上级", "电话"], ["Ceshi_F1", "壬站", "站", "ceshi-guta", "0912-3862008"],
     's.xlsx[阵地] 第 2 行 编号 列: 编号应为 3 到 64 个小写字母、数字或连字符(a-z 0-9 -),实际为 "Ceshi_F1";例如 "ceshi-f1"'),
    (["编号", "名称", "级别", "上级", "电话"], ["ceshi-f1", "壬站", "站", "ceshi-guta", "3862008"],
     's.xlsx[阵地] 第 2 行 电话 列: 固定电话缺少区号:"3862008"'),
    (["编号", "名称", "级别", "上级", "电话"], ["ceshi-f1", "壬站", "所", "ceshi-guta", "0912-3862008"],
     's.xlsx[阵地] 第 2 行 上级 列: 「所」不能设在「所」("ceshi-guta")之下;上级应为:中心'),
    (["编号", "纬度", "经度"], ["ceshi-guta", 38.4, None],
     's.xlsx[阵地] 第 2 行 经度 列: 纬度和经度要同时填写(或同时留空)'),
    (["编号", "名称"], ["ceshi-guta", None],
     's.xlsx[阵地] 第 2 行 名称 列: 缺少必填字段 name'),
])
def test_bad_cells_are_reported_and_nothing_is_written(tmp_path, header, cells, expected):
    root = make_project(tmp_path)
    before = snapshot(root)
    code, output = run(root, "import", str(sheet(tmp_path / "s.xlsx", header, [cells])), "--kind", "stations")
    assert code == 1, output
    assert expected in output
    assert snapshot(root) == before


def test_a_sheet_without_an_id_column_says_so_once(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["名称", "级别", "电话"], [["甲站", "站", "0912-3851001"], ["乙站", "站", "0912-3851002"]])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 1
    assert output.count("表中没有「编号」列") == 1
    assert "s.xlsx[阵地] 第 1 行 编号 列: 表中没有「编号」列" in output


def test_duplicate_ids_in_the_sheet(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "s.xlsx", ["编号", "电话"], [["ceshi-guta", "0912-3851001"], ["ceshi-guta", "0912-3851002"]])
    code, output = run(root, "import", str(book), "--kind", "stations")
    assert code == 1
    assert 's.xlsx[阵地] 第 3 行 编号 列: 编号 "ceshi-guta" 与第 2 行重复' in output


def test_unreadable_files_are_usage_errors(tmp_path):
    root = make_project(tmp_path)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    code, output = run(root, "import", str(bad), "--kind", "stations")
    assert code == 2
    assert "broken.xlsx: 无法打开该 Excel 文件" in output
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    code, output = run(root, "import", str(old), "--kind", "stations")
    assert code == 2 and "请在 Excel 或 WPS 中另存为 .xlsx" in output
    nohead = sheet(tmp_path / "n.xlsx", ["甲", "乙"], [["1", "2"]])
    code, output = run(root, "import", str(nohead), "--kind", "stations")
    assert code == 2 and "n.xlsx[阵地]: 找不到表头行" in output


# ------------------------------------------------------------------ other kinds


def test_teams_sheet_merges_into_the_station_teams(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "t.xlsx", ["阵地编号", "队伍名称", "类别", "人数"], [
        ["ceshi-zhaojiamao", "秧歌队", "文化惠民", 40.0],
        ["古塔镇赵家峁村新时代文明实践站", "互助小队", "扶贫帮困", "14人"],
        ["ceshi-guta", "古塔镇宣讲队", "理论宣讲", 12],
    ], title="志愿服务队")
    code, output = run(root, "import", str(book), "--kind", "teams")
    assert code == 0, output
    village = read(root, "stations/ceshi-zhaojiamao.yml")
    assert village == VILLAGE_YML.replace(
        "  - {name: 秧歌队, category: 文化惠民, members: 36, link: https://example.org/yangge}\n"
        "  - {name: 宣讲队, category: 理论宣讲}\n",
        "  - {name: 秧歌队, category: 文化惠民, members: 40, link: https://example.org/yangge}\n"
        "  - {name: 宣讲队, category: 理论宣讲}\n"
        "  - {name: 互助小队, category: 扶贫帮困, members: 14}\n")
    guta = read(root, "stations/ceshi-guta.md")
    assert "rooms: [宣讲室, 活动室]\nteams:\n  - {name: 古塔镇宣讲队, category: 理论宣讲, members: 12}\n" \
           "services:\n  - {name: 政策宣讲, category: 理论宣讲, note: 提前预约}\n" in guta
    before = snapshot(root)
    code, output = run(root, "import", str(book), "--kind", "teams")
    assert "新建 0 个文件、更新 0 个文件" in output
    assert snapshot(root) == before
    bad = sheet(tmp_path / "t2.xlsx", ["阵地编号", "队伍名称", "类别"], [["ceshi-zhaojiamo", "新队", "乡风文明"]],
                title="志愿服务队")
    code, output = run(root, "import", str(bad), "--kind", "teams")
    assert code == 1
    assert ('t2.xlsx[志愿服务队] 第 2 行 阵地编号 列: 找不到编号为 "ceshi-zhaojiamo" 的阵地;'
            '是否应为 "ceshi-zhaojiamao"?') in output


def test_team_category_outside_the_list_is_a_warning_on_its_row(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "t.xlsx", ["阵地编号", "队伍名称", "类别"], [["ceshi-guta", "舞蹈队", "文艺"]],
                 title="志愿服务队")
    code, output = run(root, "import", str(book), "--kind", "teams")
    assert code == 0, output
    assert 't.xlsx[志愿服务队] 第 2 行 类别 列: 警告 warning: 类别 "文艺" 不在类别表中' in output


def test_activities_update_the_ledger_in_place_and_dedupe(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "a.xlsx", ["日期", "阵地编号", "活动名称", "类别", "参与人数", "志愿者人数", "服务时长"], [
        [dt.datetime(2023, 1, 19), "ceshi-guta", "楼道清理", "卫生环保", 35, 4, 3],  # same activity: updated
        ["2023/3/5", "ceshi", "学雷锋志愿服务", "卫生环保", 120.0, 30, "2.5"],  # new
        [dt.date(2024, 2, 1), "ceshi-zhaojiamao", "新春秧歌", "文化惠民", 300, 36, 4],  # a new year file
    ], title="活动台账")
    code, output = run(root, "import", str(book), "--kind", "activities")
    assert code == 0, output
    ledger = (root / "content/activities/2023.csv").read_bytes().decode("gbk")  # stays GBK
    assert ledger == ("date,station,title,category,participants,volunteers,hours\n"
                      "2023-01-19,ceshi-guta,楼道清理,卫生环保,35,4,3.0\n"
                      "2023-01-27,ceshi,政策进村宣讲,理论宣讲,88,9,2.0\n"
                      "2023-03-05,ceshi,学雷锋志愿服务,卫生环保,120,30,2.5\n")
    assert (root / "content/activities/2024.csv").read_text(encoding="utf-8") == (
        "date,station,title,category,participants,volunteers,hours\n"
        "2024-02-01,ceshi-zhaojiamao,新春秧歌,文化惠民,300,36,4.0\n")
    before = snapshot(root)
    code, output = run(root, "import", str(book), "--kind", "activities")
    assert code == 0 and "新建 0 个文件、更新 0 个文件、3 条记录没有变化" in output, output
    assert snapshot(root) == before
    code, output = run(root, "check")
    assert code == 0, output


def test_activity_rows_are_checked(tmp_path):
    root = make_project(tmp_path)
    book = sheet(tmp_path / "a.xlsx", ["日期", "阵地", "活动名称", "参与人数"], [
        ["2023-13-01", "ceshi", "宣讲", 10],
        ["2023-05-01", "ceshi-gut", "宣讲", 10],
        ["2023-05-02", "ceshi", "宣讲", -3],
    ], title="活动台账")
    code, output = run(root, "import", str(book), "--kind", "activities")
    assert code == 1
    assert 'a.xlsx[活动台账] 第 2 行 日期 列: 日期格式不对:"2023-13-01"' in output
    assert 'a.xlsx[活动台账] 第 3 行 阵地 列: 找不到编号为 "ceshi-gut" 的阵地;是否应为 "ceshi-guta"?' in output
    assert "a.xlsx[活动台账] 第 4 行 参与人数 列: 不能为负数,实际为 -3" in output


def test_projects_and_people(tmp_path):
    root = make_project(tmp_path)
    projects = sheet(tmp_path / "p.xlsx", ["编号", "名称", "所属阵地", "类别", "级别", "开始时间", "标签"], [
        ["hongse-gushihui", "红色故事会", "ceshi", "理论宣讲", "county", dt.datetime(2021, 3, 15), None],
        ["yangge-jinwanjia", "秧歌进万家", "ceshi-zhaojiamao", "文化惠民", "市级", "2022-05", "秧歌、非遗"],
    ], title="品牌项目")
    code, output = run(root, "import", str(projects), "--kind", "projects")
    assert code == 0, output
    assert read(root, "projects/hongse-gushihui.md") == PROJECT  # county == 县, same date: unchanged
    assert read(root, "projects/yangge-jinwanjia.md") == (
        "---\nname: 秧歌进万家\nstation: ceshi-zhaojiamao\ncategory: 文化惠民\nlevel: 市\nstarted: 2022-05\n"
        "tags: [秧歌, 非遗]\n---\n")
    people = sheet(tmp_path / "r.xlsx", ["编号", "姓名", "阵地编号", "荣誉", "同意公开", "简介"], [
        ["gao-xiulan", "高秀兰", "ceshi-zhaojiamao", "榆林好人(2022,榆林市文明办)", "是", None],
        ["li-zhenhua", "李振华", "ceshi", "身边好人（2023，榆阳区文明办（示例））；最美志愿者(2021)", "是",
         "退休教师"],
    ], title="典型人物")
    code, output = run(root, "import", str(people), "--kind", "people")
    assert code == 0, output
    assert read(root, "people/gao-xiulan.md") == PERSON
    assert read(root, "people/li-zhenhua.md") == (
        "---\nname: 李振华\nhonors:\n  - {title: 身边好人, year: 2023, by: 榆阳区文明办（示例）}\n"
        "  - {title: 最美志愿者, year: 2021}\nstation: ceshi\nsummary: 退休教师\nconsent: true\n---\n")
    code, output = run(root, "check")
    assert code == 0, output


def test_people_without_consent_or_with_a_mobile_are_refused(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    people = sheet(tmp_path / "r.xlsx", ["编号", "姓名", "荣誉", "同意公开", "简介", "手机号"], [
        ["wang-wu", "王五", "身边好人(2023)", "否", None, 13912345670],
        ["zhao-liu", "赵六", "身边好人(2023)", "是", "联系电话 13912345678", None],
        ["sun-qi", "孙七", "身边好人", "是", None, None],
    ], title="典型人物")
    code, output = run(root, "import", str(people), "--kind", "people")
    assert code == 1
    assert "r.xlsx[典型人物] 第 2 行 同意公开 列: consent 必须为 true" in output
    assert "r.xlsx[典型人物] 第 3 行 简介 列: 发现手机号(139******78);典型人物记录中不得出现个人电话" in output
    assert 'r.xlsx[典型人物] 第 4 行 荣誉 列: 荣誉 "身边好人" 缺少年份' in output
    assert ('r.xlsx[典型人物] 第 1 行 手机号 列: 警告 warning: "手机号" 列不会导入:典型人物页面不得公开身份证号、个人电话或住址'
            in output)
    assert snapshot(root) == before


# ------------------------------------------------------------------ template


def test_template_has_headers_notes_dropdowns_and_a_frozen_header(tmp_path):
    root = make_project(tmp_path)
    out = tmp_path / "模板.xlsx"
    code, output = run(root, "import", "--template", "-o", str(out))
    assert code == 0, output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["阵地", "品牌项目", "典型人物", "志愿服务队", "活动台账", "说明"]
    ws = wb["阵地"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["编号", "名称", "简称", "级别", "上级"]
    assert ws.freeze_panes == "A2"
    assert "中心、所、站" in ws.cell(1, header.index("级别") + 1).comment.text
    assert "必填" in ws.cell(1, 1).comment.text
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    level_col = openpyxl.utils.get_column_letter(header.index("级别") + 1)
    assert lists[f"{level_col}2"] == '"中心,所,站,点,基地"'
    teams = wb["志愿服务队"]
    t_header = [c.value for c in teams[1]]
    assert t_header == ["阵地编号", "队伍名称", "类别", "人数", "链接"]
    formulas = [dv.formula1 for dv in teams.data_validations.dataValidation]
    assert '"理论宣讲,文化惠民,卫生环保,扶贫帮困,乡风文明"' in formulas  # categories from mkdocs.yml
    # the empty template imports cleanly
    before = snapshot(root)
    code, output = run(root, "import", str(out), "--kind", "stations")
    assert code == 0, output
    assert snapshot(root) == before


def test_a_county_station_sheet_becomes_a_valid_site_in_two_commands(tmp_path):
    """The county fills in the template's 阵地 sheet, then: wenming import; wenming check."""
    root = make_project(tmp_path, with_records=False)
    out = tmp_path / "台账.xlsx"
    code, output = run(root, "import", "--template", "-o", str(out), "--kind", "stations")
    assert code == 0, output
    wb = openpyxl.load_workbook(out)
    ws = wb["阵地"]
    header = [c.value for c in ws[1]]
    rows = [
        {"编号": "mizhi", "名称": "米脂县新时代文明实践中心", "级别": "中心", "电话": "0912-6221000",
         "成立日期": dt.datetime(2019, 3, 1), "功能室": "展示厅、宣讲报告厅"},
        {"编号": "mizhi-yinzhou", "名称": "银州街道新时代文明实践所", "级别": "所", "上级": "米脂县新时代文明实践中心",
         "电话": 9126221001, "区划代码": 610827001000},
        {"编号": "yinzhou-dongjie", "名称": "银州街道东街社区新时代文明实践站", "级别": "站",
         "上级": "银州街道新时代文明实践所", "电话": 13912345678.0, "纬度": 37.755, "经度": 110.181},
        {"编号": "yinzhou-yangge", "名称": "米脂婆姨秧歌实践基地", "级别": "基地", "上级": "mizhi-yinzhou"},
    ]
    for i, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(row=i, column=header.index(key) + 1, value=value)
    wb.save(out)
    code, output = run(root, "import", str(out), "--kind", "stations")
    assert code == 0, output
    assert "新建 4 个文件" in output
    code, output = run(root, "check")
    assert code == 0, output
    assert "检查通过:4 个阵地" in output
