"""`wenming check`: one small fixture tree per defect, with the message pinned.

Each case writes a tiny project (a valid root centre plus the defect) and asserts
the exact text an editor sees: file, line, field, Chinese, then English.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zlib
import struct

import pytest
from click.testing import CliRunner

from generator.cli import cli

SITE = """\
---
name: 古塔镇新时代文明实践所
level: 所
parent: ceshi
phone: 0912-3851000
---
"""


def run(root, *args):
    result = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), *args])
    return result.exit_code, result.output


def check(root, *args):
    return run(root, "check", *args)


def station(**fields) -> str:
    lines = ["---"]
    for k, v in fields.items():
        lines.append(f"{k}: {v}")
    lines.append("---")
    lines.append("正文。")
    return "\n".join(lines) + "\n"


# (files, expected text fragments). Every fragment must appear in the output.
CASES = {
    "missing_name": (
        {"content/stations/guta.md": "---\nlevel: 所\nparent: ceshi\nphone: 0912-3851000\n---\n"},
        ["content/stations/guta.md:2: name: 缺少必填字段 name", "(required field name is missing"],
    ),
    "bad_id": (
        {"content/stations/guta.md": station(id="Gu_Ta", name="古塔所", level="所", parent="ceshi",
                                             phone="0912-3851000")},
        ['content/stations/guta.md:2: id: 编号应为 3 到 64 个小写字母、数字或连字符(a-z 0-9 -),实际为 "Gu_Ta";例如 "gu-ta"',
         'an id is 3 to 64 characters of a-z 0-9 -, found "Gu_Ta", e.g. "gu-ta"'],
    ),
    "bad_file_name": (
        {"content/stations/古塔.md": station(name="古塔所", level="所", parent="ceshi", phone="0912-3851000")},
        ['content/stations/古塔.md:1: id: 文件名 "古塔" 不能用作编号', "rename the file"],
    ),
    "duplicate_id": (
        {"content/stations/a-guta.md": station(id="guta", name="古塔所", level="所", parent="ceshi",
                                               phone="0912-3851000"),
         "content/stations/b-guta.md": station(id="guta", name="古塔所二", level="所", parent="ceshi",
                                               phone="0912-3851001")},
        ['content/stations/b-guta.md:2: id: 编号 "guta" 重复:content/stations/a-guta.md 已经使用',
         'the id "guta" is already used by content/stations/a-guta.md'],
    ),
    "bad_level": (
        {"content/stations/guta.md": station(name="古塔所", level="township", parent="ceshi",
                                             phone="0912-3851000")},
        ['content/stations/guta.md:3: level: 级别应为 中心、所、站、点 或 基地', 'found "township"'],
    ),
    "level_rule": (
        {"content/stations/guta.md": SITE,
         "content/stations/zhan.md": station(name="赵家峁村新时代文明实践站", level="站", parent="guta",
                                             phone="0912-3851002"),
         "content/stations/suo2.md": station(name="错误的所", level="所", parent="zhan", phone="0912-3851003")},
        ["content/stations/suo2.md:4: parent: 「所」不能设在「站」(\"zhan\")之下;上级应为:中心",
         'a 所 cannot sit under a 站 ("zhan"); its parent must be one of: 中心'],
    ),
    "two_roots": (
        {"content/stations/zz-other.md": station(name="另一个中心", level="中心", phone="0912-3851004")},
        ['content/stations/zz-other.md:3: parent: 已有根阵地 content/stations/ceshi.md("ceshi"),根阵地只能有一个',
         "give this centre a parent"],
    ),
    "no_root": (
        {"content/stations/guta.md": station(name="古塔所", level="所", phone="0912-3851000")},
        ["没有根阵地:应有且只有一个不写 parent 的「中心」", "exactly one 中心 must have no parent",
         "content/stations/guta.md:3: parent: 缺少必填字段 parent"],
    ),
    "cycle": (
        {"content/stations/aaa.md": station(name="甲所", level="中心", parent="bbb", phone="0912-3851000"),
         "content/stations/bbb.md": station(name="乙所", level="中心", parent="aaa", phone="0912-3851001")},
        ["content/stations/aaa.md:4: parent: 上下级形成了循环:aaa → bbb → aaa", "the parents form a cycle"],
    ),
    "unknown_parent": (
        {"content/stations/yuyang-guta.md": SITE,
         "content/stations/guta-zhaojiamao.md": station(name="赵家峁村新时代文明实践站", level="站",
                                                        parent="guta", phone="0912-3851002")},
        ['content/stations/guta-zhaojiamao.md:4: parent: 找不到编号为 "guta" 的阵地;是否应为 "yuyang-guta"?',
         '(no station has the id "guta"; did you mean "yuyang-guta"?)'],
    ),
    "former_id_clash": (
        {"content/stations/guta.md": SITE,
         "content/stations/xinguta.md": station(name="新古塔所", level="所", parent="ceshi",
                                                phone="0912-3851009", former_ids="[guta]")},
        ['content/stations/xinguta.md:6: former_ids[0]: 旧编号 "guta" 仍是 content/stations/guta.md 的编号',
         "give it status: merged and merged_into: xinguta"],
    ),
    "merged_without_target": (
        {"content/stations/guta.md": station(name="古塔所", level="所", parent="ceshi", phone="0912-3851000",
                                             status="merged")},
        ["content/stations/guta.md:6: merged_into: status 为 merged(已合并)时必须写 merged_into",
         "status merged needs merged_into"],
    ),
    "merged_into_active": (
        {"content/stations/guta.md": station(name="古塔所", level="所", parent="ceshi", phone="0912-3851000",
                                             merged_into="ceshi")},
        ["content/stations/guta.md:6: status: 写了 merged_into 但 status 不是 merged"],
    ),
    "landline_without_area_code": (
        {"content/stations/guta.md": station(name="古塔所", level="所", parent="ceshi", phone="3851000")},
        ['content/stations/guta.md:5: phone: 固定电话缺少区号:"3851000";请写成 "0912-3851000"',
         'a landline needs its area code'],
    ),
    "bad_phone": (
        {"content/stations/guta.md": station(name="古塔所", level="所", parent="ceshi", phone="12-34")},
        ['content/stations/guta.md:5: phone: 电话号码格式不对:"12-34"'],
    ),
    "missing_phone": (
        {"content/stations/guta.md": station(name="古塔所", level="所", parent="ceshi")},
        ["content/stations/guta.md:3: phone: 缺少必填字段 phone:每个「所」都要公布志愿服务电话"],
    ),
    "bad_date": (
        {"content/stations/guta.md": station(name="古塔所", level="所", parent="ceshi", phone="0912-3851000",
                                             established="2019-13-45")},
        ['content/stations/guta.md:6: established: 日期格式不对:"2019-13-45";请写成 2019-05-01'],
    ),
    "bad_year": (
        {"content/cases/2022/anli.md": "---\ntitle: 一个案例\nyear: 22\nunit: 某单位\n---\n正文\n"},
        ['content/cases/2022/anli.md:3: year: 年份应为 4 位数字(如 2023),实际为 "22"'],
    ),
    "photo_leaves_content": (
        {"content/stations/guta.md": SITE.replace("---\n\Z", "") .replace(
            "phone: 0912-3851000\n", "phone: 0912-3851000\nphotos:\n  - src: ../../etc/passwd\n")},
        ['content/stations/guta.md:7: photos[0].src: 图片路径 "../../etc/passwd" 指向了 content/ 以外'],
    ),
    "photo_missing": (
        {"content/images/square.jpg": b"",
         "content/stations/guta.md": SITE.replace(
             "phone: 0912-3851000\n", "phone: 0912-3851000\nphotos:\n  - {src: images/sqare.jpg, caption: 广场}\n")},
        ['content/stations/guta.md:7: photos[0].src: 找不到图片 "images/sqare.jpg"(路径相对于 content/);是否应为 "images/square.jpg"?'],
    ),
    "photo_external": (
        {"content/stations/guta.md": SITE.replace(
            "phone: 0912-3851000\n", "phone: 0912-3851000\nphotos:\n  - https://example.com/a.jpg\n")},
        ['photos[0].src: 图片必须放在 content/images/ 中,不能引用外部网址'],
    ),
    "person_id_number": (
        {"content/people/wang.md": "---\nname: 王某\nhonors:\n  - {title: 身边好人, year: 2022}\nconsent: true\n---\n"
                                   "他的身份证号是 11010519491231002X。\n"},
        ["content/people/wang.md:7: 正文 body: 发现身份证号(110*************2X);典型人物记录中不得出现身份证号",
         "an ID-card number"],
    ),
    "person_mobile": (
        {"content/people/wang.md": "---\nname: 王某\nsummary: 联系电话 139-1234-5678\nhonors:\n"
                                   "  - {title: 身边好人, year: 2022}\nconsent: true\n---\n"},
        ["content/people/wang.md:3: summary: 发现手机号(139******78);典型人物记录中不得出现个人电话"],
    ),
    "person_address_field": (
        {"content/people/wang.md": "---\nname: 王某\naddress: 某村 3 号\nhonors:\n"
                                   "  - {title: 身边好人, year: 2022}\nconsent: true\n---\n"},
        ["content/people/wang.md:3: address: 典型人物页面不得公开住址"],
    ),
    "person_without_consent": (
        {"content/people/wang.md": "---\nname: 王某\nhonors:\n  - {title: 身边好人, year: 2022}\n---\n"},
        ["content/people/wang.md:2: consent: 缺少必填字段 consent"],
    ),
    "person_without_honors": (
        {"content/people/wang.md": "---\nname: 王某\nhonors: []\nconsent: true\n---\n"},
        ["content/people/wang.md:3: honors: 至少要写一项"],
    ),
    "casebook_unknown_case": (
        {"content/cases/2022/anli-yi.md": "---\ntitle: 一个案例\nyear: 2022\nunit: 某单位\n---\n正文\n",
         "content/casebooks/2022.yml": "title: 选编\nselect: {year: 2022}\nchapters:\n"
                                        "  - {title: 志愿服务篇, cases: [anli-yi, anli-er]}\n"},
        ['content/casebooks/2022.yml:4: chapters[0].cases[1]: 找不到编号为 "anli-er" 的案例;是否应为 "anli-yi"?'],
    ),
    "ledger_rows": (
        {"content/stations/guta.md": SITE,
         "content/activities/2023.csv": "date,station,title,category,participants,volunteers,hours\n"
                                         "2023-03-05,guta,学雷锋志愿服务,卫生环保,30,8,2\n"
                                         "2023-02-30,guta,宣讲,理论宣讲,20,3,1.5\n"
                                         "2023-04-01,gutaa,义诊,医疗健身,40,6,3\n"},
        ['content/activities/2023.csv:3: date: 第 3 行:日期格式不对:"2023-02-30"',
         'content/activities/2023.csv:4: station: 第 4 行:找不到编号为 "gutaa" 的阵地;是否应为 "guta"?',
         "(row 4: no station has the id"],
    ),
    "duplicate_key": (
        {"content/stations/guta.md": "---\nname: 古塔所\nlevel: 所\nparent: ceshi\nphone: 0912-3851000\n"
                                     "name: 古塔镇所\n---\n"},
        ['content/stations/guta.md:6: name: 字段重复:第 2 行已经写过 "name";请删除其中一处',
         'duplicate key: "name" is already given on line 2'],
    ),
    "alias_bomb": (
        {"content/stations/guta.md": "---\nname: 古塔所\nlevel: 所\nparent: ceshi\nphone: 0912-3851000\n"
                                     "a: &a [x,x,x,x,x,x,x,x,x]\n"
                                     + "".join(f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n"
                                               for p, c in zip("abcdefgh", "bcdefghi"))
                                     + "---\n"},
        ["content/stations/guta.md:2: YAML 使用了过多的别名或展开后过大", "was refused"],
    ),
    "yaml_syntax": (
        {"content/stations/guta.md": "---\nname: 古塔所\nlevel: [所\n---\n"},
        ["content/stations/guta.md:", "YAML 语法错误"],
    ),
    "empty_file": (
        {"content/stations/guta.md": ""},
        ["content/stations/guta.md: 文件是空的;请填写内容或删除该文件", "(the file is empty"],
    ),
    "binary_file": (
        {"content/stations/guta.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        ["content/stations/guta.md: 这不是文本文件"],
    ),
    "no_front_matter": (
        {"content/stations/guta.md": "古塔所\n"},
        ["content/stations/guta.md:1: 缺少开头的 YAML 信息块"],
    ),
    "case_without_unit": (
        {"content/cases/2022/anli.md": "---\ntitle: 一个案例\nyear: 2022\n---\n正文\n"},
        ["content/cases/2022/anli.md:2: stations: 案例需要写 stations(阵地编号列表)或 unit(单位名称)"],
    ),
    "project_unknown_station": (
        {"content/projects/shuanzheng.md": "---\nname: 拴正人家\nstation: ceshii\n---\n"},
        ['content/projects/shuanzheng.md:3: station: 找不到编号为 "ceshii" 的阵地;是否应为 "ceshi"?'],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_defect_is_reported(tree, name):
    files, expected = CASES[name]
    root = tree(files, with_root=name != "no_root")
    code, out = check(root)
    assert code == 1, out
    for fragment in expected:
        assert fragment in out, f"{fragment!r} not in:\n{out}"
    assert "Traceback" not in out
    assert out.rstrip().splitlines()[-1].startswith("共 ")


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (decoding it would need gigabytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size,expected", [
    # Pillow refuses to open it at all (a decompression bomb): the size is not known
    ((30000, 30000), "content/stations/guta.md:7: photos[0].src: 图片像素过多(900,000,000 像素),疑似解压炸弹,"
                     "无法安全解码;请缩小到 8000×5000 像素以内\n  (the image has too many pixels (900,000,000), a "
                     "possible decompression bomb, and cannot be decoded safely; scale it below 8000x5000 pixels)"),
    ((9000, 6000), "content/stations/guta.md:7: photos[0].src: 图片尺寸过大(9000×6000 像素),无法安全解码;"
                   "请缩小到 8000×5000 像素以内\n  (the image is too large to decode safely (9000x6000 pixels)"),
])
def test_image_too_large_to_decode(tree, size, expected):
    root = tree({
        "content/images/huge.png": _png_header(*size),
        "content/stations/guta.md": SITE.replace(
            "phone: 0912-3851000\n", "phone: 0912-3851000\nphotos:\n  - images/huge.png\n"),
    })
    code, out = check(root)
    assert code == 1
    assert expected in out, out


def test_warnings_pass_unless_strict(tree):
    root = tree({"content/stations/guta.md": SITE.replace("phone:", "phnoe: x\nphone:")})
    code, out = check(root)
    assert code == 0, out
    assert 'content/stations/guta.md:5: 警告 warning: phnoe: 未知字段 "phnoe",将被忽略;是否应为 "phone"?' in out
    code, out = check(root, "--strict")
    assert code == 1


def test_gbk_and_bom_are_read_and_warned(tree):
    gbk = SITE.replace("\n", "\r\n").encode("gbk")
    root = tree({"content/stations/guta.md": gbk,
                 "content/stations/bom.md": b"\xef\xbb\xbf" + station(
                     name="带BOM的站", level="站", parent="guta", phone="0912-3851005").encode()})
    code, out = check(root)
    assert code == 0, out
    assert "content/stations/guta.md: 警告 warning: encoding: 文件是 GBK/GB18030 编码,已正确读取" in out
    assert "content/stations/bom.md: 警告 warning: encoding: 文件带有 BOM" in out
    from generator.config import load_config
    from generator.load import load

    net, _ = load(load_config(root / "mkdocs.yml"))
    assert net.stations["guta"].name == "古塔镇新时代文明实践所"


def test_english_messages(tree):
    root = tree({"content/stations/guta.md": station(name="古塔所", level="所", parent="cesh",
                                                     phone="0912-3851000")})
    code, out = run(root, "--lang", "en", "check")
    assert code == 1
    assert 'content/stations/guta.md:4: parent: no station has the id "cesh"; did you mean "ceshi"?' in out
    assert "找不到" not in out


def test_every_problem_reported_in_one_run_sorted_by_file(tree):
    root = tree({
        "content/stations/zzz.md": station(name="乙", level="站", parent="nope", phone="0912-3851000"),
        "content/stations/aaa.md": station(name="甲", level="站", parent="ceshi", phone="123"),
        "content/projects/p1.md": "---\nname: 项目\nstation: nope\n---\n",
    })
    code, out = check(root)
    assert code == 1
    paths = [line.split(":")[0] for line in out.splitlines() if line.startswith("content/")]
    assert paths == sorted(paths)
    assert {"content/stations/zzz.md", "content/stations/aaa.md", "content/projects/p1.md"} <= set(paths)


def test_clean_tree_exits_zero(tree):
    root = tree({"content/stations/guta.md": SITE})
    code, out = check(root)
    assert code == 0, out
    assert "检查通过:2 个阵地" in out


def test_misuse_exits_two(tree):
    root = tree()
    code, out = run(root, "check", "--no-such-option")
    assert code == 2
    result = CliRunner().invoke(cli, ["-f", str(root / "nope.yml"), "check"])
    assert result.exit_code == 2
    assert "找不到配置文件" in result.output


def test_demo_content_passes(project_root):
    proc = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=project_root,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "检查通过" in proc.stdout


def test_mkdocs_build_reports_the_same_text(tree, tmp_path):
    root = tree({"content/stations/guta-zhaojiamao.md": station(
        name="赵家峁村新时代文明实践站", level="站", parent="guta", phone="0912-3851002")})
    _, check_out = check(root)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")],
                          cwd=root, capture_output=True, text=True)
    assert proc.returncode != 0
    pinned = 'content/stations/guta-zhaojiamao.md:4: parent: 找不到编号为 "guta" 的阵地'
    assert pinned in check_out
    assert pinned in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("kind,args,field", [
    ("station", ["--name", "古塔镇新时代文明实践所", "--level", "所", "--parent", "ceshi",
                 "--phone", "0912-3851000"], "parent: ceshi"),
    ("project", ["--name", "拴正人家", "--station", "ceshi", "--category", "文化惠民"], "station: ceshi"),
    ("case", ["--name", "一个案例", "--station", "ceshi", "--year", "2023"], "year: 2023"),
])
def test_new_writes_a_valid_record(tree, kind, args, field):
    root = tree()
    code, out = run(root, "new", kind, "xin-jilu", *args)
    assert code == 0, out
    written = list((root / "content").rglob("xin-jilu.md"))
    assert len(written) == 1
    assert field in written[0].read_text(encoding="utf-8")
    code, out = check(root)
    assert code == 0, out


def test_new_person_needs_consent_before_it_passes(tree):
    root = tree()
    code, _ = run(root, "new", "person", "wang-fang", "--name", "王芳", "--station", "ceshi")
    assert code == 0
    code, out = check(root)
    assert code == 1
    assert "content/people/wang-fang.md:" in out and "consent 必须为 true" in out


def test_schema_describes_each_kind():
    result = CliRunner().invoke(cli, ["schema", "station"])
    assert result.exit_code == 0
    sch = json.loads(result.output)
    assert {"name", "level", "parent", "phone"} <= set(sch["properties"])
    assert "name" in sch["required"] and "level" in sch["required"]
    import jsonschema

    validator = jsonschema.Draft202012Validator(sch)
    assert not list(validator.iter_errors({"name": "赵家峁村站", "level": "站", "parent": "guta"}))
    assert list(validator.iter_errors({"name": "x", "level": "village"}))


def test_committed_schemas_are_current(project_root):
    """schemas/*.json (used by VS Code's YAML extension) match `wenming schema`."""
    from generator.schema import schemas

    for kind, sch in schemas().items():
        committed = json.loads((project_root / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert committed == sch, f"run: wenming schema -o schemas ({kind} is stale)"
    settings = json.loads((project_root / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    for target in settings["yaml.schemas"]:
        assert (project_root / target).is_file()


def test_check_reports_broken_links_in_bodies(tree):
    root = tree({"content/stations/guta.md": SITE + "\n详见[赵家峁村](guta-zhaojiamo.md)。\n",
                 "content/stations/guta-zhaojiamao.md": station(
                     name="赵家峁村新时代文明实践站", level="站", parent="guta", phone="0912-3851002")})
    code, out = check(root)
    assert code == 1, out
    assert "content/stations/guta.md:8: 正文 body:" in out
    assert "guta-zhaojiamo.md" in out
