"""Which spreadsheet column is which field, for every kind of sheet.

Each column has the Chinese header that export and the template write, other
headers people actually use (Chinese synonyms and the SPEC's English field
names), a value type that says how a cell is read, and a short note for the
template. A header is matched after dropping spaces (full-width too), ``*``
required marks and a trailing bracketed remark such as ``(必填)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str  # SPEC field, dotted for nested parts: "location.lat", "manager.name"
    zh: str  # header written by export and the template
    type: str = "text"  # text id ref level plevel status coords phone division date int float list honors bool
    note: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 14

    @property
    def top(self) -> str:
        return self.key.split(".")[0]

    def headers(self) -> list[str]:
        names = [self.zh, self.key, self.key.split(".")[-1], self.key.replace(".", "_"), *self.aliases]
        return [normalize_header(n) for n in names]


@dataclass(frozen=True)
class SheetKind:
    name: str  # stations, projects, people, teams, activities
    sheet: str  # Chinese sheet name
    sheet_aliases: tuple[str, ...]
    record_kind: str  # station, project, person ("" for teams/activities)
    columns: tuple[Column, ...]
    order: tuple[str, ...] = ()  # front-matter field order for new keys
    what_zh: str = ""
    sample: tuple = field(default_factory=tuple)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def match(self, header: str) -> Column | None:
        h = normalize_header(header)
        if not h:
            return None
        for c in self.columns:
            if h in c.headers():
                return c
        return None

    def known_headers(self) -> list[str]:
        return [c.zh for c in self.columns]


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")


def normalize_header(text: object) -> str:
    """``" 电话 (必填)* "`` -> ``"电话"``; ``"Phone"`` -> ``"phone"``."""
    if text is None:
        return ""
    s = re.sub(r"\s+", "", str(text)).strip("*＊:：")
    stripped = _BRACKETS.sub("", s).strip("*＊:：")
    return (stripped or s).lower()


LEVEL_CHOICES = ["中心", "所", "站", "点", "基地"]
PROJECT_LEVEL_CHOICES = ["国家", "省", "市", "县", "所", "站"]
STATUS_LABELS = {"active": "正常", "merged": "已合并", "closed": "已撤销"}
COORDS_CHOICES = ["gcj02", "wgs84"]
BOOL_CHOICES = ["是", "否"]

STATIONS = SheetKind(
    "stations", "阵地", ("阵地", "阵地台账", "实践阵地", "站点", "stations", "station"), "station",
    (
        Column("id", "编号", "id", "永久编号:3-64 个小写字母、数字或连字符,印在二维码里,不能改", ("阵地编号", "编码"), True, 18),
        Column("name", "名称", "text", "全称,如 古塔镇赵家峁村新时代文明实践站", ("阵地名称", "全称", "站点名称"), True, 34),
        Column("short_name", "简称", "text", "版面紧张时显示", (), False, 18),
        Column("level", "级别", "level", "中心、所、站、点 或 基地", ("层级", "阵地级别", "类型"), True, 8),
        Column("parent", "上级", "ref", "上级阵地的编号(或全称);根「中心」留空", ("上级编号", "上级阵地", "上级阵地编号", "所属上级"), False, 18),
        Column("status", "状态", "status", "正常(默认)、已合并 或 已撤销", (), False, 8),
        Column("merged_into", "合并到", "ref", "已合并时填写并入的阵地编号", ("并入", "合并到编号"), False, 16),
        Column("former_ids", "旧编号", "list", "曾用编号,用、分隔;旧二维码仍可访问", (), False, 14),
        Column("region", "区域", "text", "行政区域,如 陕西省榆林市榆阳区古塔镇赵家峁村", ("行政区域", "所属区域", "所在区域"), False, 30),
        Column("division_code", "区划代码", "division", "12 位统计用区划代码", ("统计用区划代码", "行政区划代码", "区划编码"), False, 16),
        Column("address", "地址", "text", "详细地址", ("详细地址", "所在地址", "地点"), False, 30),
        Column("location.lat", "纬度", "float", "GCJ-02 坐标(高德、腾讯地图)", ("latitude",), False, 10),
        Column("location.lng", "经度", "float", "GCJ-02 坐标(高德、腾讯地图)", ("lon", "longitude"), False, 10),
        Column("coords", "坐标系", "coords", "留空为 gcj02;GPS 坐标填 wgs84", (), False, 8),
        Column("phone", "电话", "phone", "志愿服务电话;中心、所、站必填;固话带区号,如 0912-3851234", ("服务电话", "志愿服务电话", "联系电话", "咨询电话"), False, 16),
        Column("hours", "开放时间", "text", "如 周一至周五 8:30-17:30", ("开放时段",), False, 22),
        Column("open_day", "活动日", "text", "固定活动日,如 每月5日", ("固定活动日", "主题活动日"), False, 12),
        Column("manager.role", "负责人职务", "text", "如 站长、所长", ("负责人职位", "职务"), False, 10),
        Column("manager.name", "负责人", "text", "公开姓名;个人手机号不要填", ("负责人姓名", "manager", "manager_name"), False, 10),
        Column("rooms", "功能室", "list", "多个用、分隔", ("功能室名称", "功能室设置"), False, 30),
        Column("population", "人口", "int", "服务人口(人)", ("服务人口", "覆盖人口", "常住人口"), False, 10),
        Column("established", "成立日期", "date", "如 2019-07-10", ("成立时间", "建成时间", "建成日期", "挂牌时间", "挂牌日期"), False, 12),
        Column("summary", "简介", "text", "一两句话简介(正文请在 .md 文件中写)", ("摘要",), False, 40),
        Column("tags", "标签", "list", "多个用、分隔", (), False, 16),
    ),
    order=("id", "name", "short_name", "level", "parent", "status", "merged_into", "former_ids", "region",
           "division_code", "address", "location", "coords", "phone", "hours", "open_day", "manager",
           "rooms", "teams", "services", "population", "established", "photos", "summary", "tags"),
    what_zh="阵地",
)

PROJECTS = SheetKind(
    "projects", "品牌项目", ("品牌项目", "项目", "projects", "project"), "project",
    (
        Column("id", "编号", "id", "永久编号:3-64 个小写字母、数字或连字符", ("项目编号",), True, 18),
        Column("name", "名称", "text", "项目名称", ("项目名称",), True, 24),
        Column("station", "阵地编号", "ref", "所属阵地的编号(或全称)", ("所属阵地", "阵地", "实施单位"), True, 18),
        Column("category", "类别", "text", "从下拉列表中选", ("项目类别", "服务类别"), False, 10),
        Column("level", "级别", "plevel", "品牌级别:国家、省、市、县、所 或 站", ("品牌级别", "项目级别"), False, 8),
        Column("started", "开始时间", "date", "如 2021-03-15", ("启动时间", "开始日期", "创建时间"), False, 12),
        Column("summary", "简介", "text", "一两句话简介", ("摘要",), False, 40),
        Column("tags", "标签", "list", "多个用、分隔", (), False, 16),
    ),
    order=("id", "name", "station", "category", "level", "started", "summary", "awards", "photos", "tags"),
    what_zh="品牌项目",
)

PEOPLE = SheetKind(
    "people", "典型人物", ("典型人物", "人物", "people", "person"), "person",
    (
        Column("id", "编号", "id", "永久编号:3-64 个小写字母、数字或连字符,如 gao-xiulan", ("人物编号",), True, 16),
        Column("name", "姓名", "text", "姓名", ("名称",), True, 10),
        Column("station", "阵地编号", "ref", "所属阵地的编号(或全称)", ("所属阵地", "阵地"), False, 18),
        Column("honors", "荣誉", "honors", "称号(年份,授予单位),多项用;分隔,如 榆林好人(2022,榆林市文明办)", ("荣誉称号", "获得荣誉"), True, 40),
        Column("consent", "同意公开", "bool", "已取得本人书面同意公开才填「是」;不得填写身份证号、手机号、住址", ("本人同意", "同意发布"), True, 10),
        Column("summary", "简介", "text", "一两句话事迹简介", ("事迹简介", "摘要"), False, 40),
        Column("tags", "标签", "list", "多个用、分隔", (), False, 16),
    ),
    order=("id", "name", "honors", "station", "summary", "photo", "consent", "tags"),
    what_zh="典型人物",
)

TEAMS = SheetKind(
    "teams", "志愿服务队", ("志愿服务队", "队伍", "志愿队伍", "teams", "team"), "",
    (
        Column("station", "阵地编号", "ref", "队伍所属阵地的编号(或全称)", ("阵地", "所属阵地", "阵地名称"), True, 18),
        Column("name", "队伍名称", "text", "同一阵地内按名称对应:已有的更新,没有的新增", ("队伍", "志愿服务队", "名称", "队名"), True, 30),
        Column("category", "类别", "text", "从下拉列表中选", ("服务类别", "队伍类别"), False, 10),
        Column("members", "人数", "int", "队员人数", ("队员人数", "队员数", "成员数"), False, 8),
        Column("link", "链接", "text", "队伍页面或招募链接(可空)", ("网址",), False, 24),
    ),
    what_zh="志愿服务队",
)

ACTIVITIES = SheetKind(
    "activities", "活动台账", ("活动台账", "活动", "活动记录", "activities", "activity"), "",
    (
        Column("date", "日期", "date", "活动日期,如 2023-05-01", ("活动日期", "时间", "活动时间"), True, 12),
        Column("station", "阵地编号", "ref", "举办阵地的编号(或全称)", ("阵地", "站点", "举办阵地"), True, 18),
        Column("title", "活动名称", "text", "同一天、同一阵地、同名的活动视为同一条,再次导入会更新", ("名称", "活动", "活动主题"), True, 30),
        Column("category", "类别", "text", "从下拉列表中选", ("活动类别",), False, 10),
        Column("participants", "参与人数", "int", "参加群众人数", ("参加人数", "受益人数"), False, 10),
        Column("volunteers", "志愿者人数", "int", "参加的志愿者人数", ("志愿者", "志愿者数"), False, 10),
        Column("hours", "服务时长", "float", "每名志愿者的服务时长(小时)", ("时长", "志愿服务时长", "时长（小时）"), False, 10),
    ),
    what_zh="活动",
)

SHEET_KINDS: dict[str, SheetKind] = {k.name: k for k in (STATIONS, PROJECTS, PEOPLE, TEAMS, ACTIVITIES)}

#: The columns of an activity ledger (``content/activities/<year>.csv``), in the order written.
LEDGER_COLUMNS = [c.key for c in ACTIVITIES.columns]


def ledger_key(header: str) -> str:
    """The field a ledger column header names (its Chinese header, a synonym or the field name,
    as in an imported sheet); an unknown header is returned as it is."""
    column = ACTIVITIES.match(header)
    return column.key if column is not None else header
