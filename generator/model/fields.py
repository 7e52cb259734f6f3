"""Custom field types shared by every record kind: ids, levels, phones, dates, photos.

Each type validates one value and fails with a bilingual message through
:func:`fail`; the model turns pydantic's error into a :class:`~generator.errors.Problem`
that names the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]$")


def fail(zh: str, en: str) -> PydanticCustomError:
    """An error carrying both languages; raise it from a validator."""
    return PydanticCustomError("wenming", "{en}", {"zh": zh, "en": en})


def _describe(value: Any) -> str:
    return {dict: "映射 mapping", list: "列表 list", bool: "真假值 boolean"}.get(
        type(value), repr(value)
    )


# ----------------------------------------------------------------------------- ids


def check_id(value: Any) -> str:
    if not isinstance(value, str):
        value = str(value)
    if not ID_RE.match(value) or "--" in value:
        suggestion = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")[:64]
        hint_zh = f";例如 \"{suggestion}\"" if ID_RE.match(suggestion or "") else ""
        hint_en = f', e.g. "{suggestion}"' if ID_RE.match(suggestion or "") else ""
        raise fail(
            f"编号应为 3 到 64 个小写字母、数字或连字符(a-z 0-9 -),实际为 \"{value}\"{hint_zh}",
            f"an id is 3 to 64 characters of a-z 0-9 -, found \"{value}\"{hint_en}",
        )
    return value


Id = Annotated[
    str,
    BeforeValidator(check_id),
    WithJsonSchema({"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$",
                    "description": "编号 id: 3-64 个 a-z 0-9 -"}),
]


def _str(value: Any) -> str:
    if isinstance(value, (dict, list, bool)) or value is None:
        raise fail(f"应为文字,实际为 {_describe(value)}", f"expected text, found {_describe(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _nonempty(value: Any) -> str:
    text = _str(value)
    if not text:
        raise fail("不能为空", "must not be empty")
    return text


Text = Annotated[str, BeforeValidator(_str), WithJsonSchema({"type": "string"})]
NonEmpty = Annotated[str, BeforeValidator(_nonempty), WithJsonSchema({"type": "string", "minLength": 1})]


def _text_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    return value


TextList = Annotated[list[Text], BeforeValidator(_text_list)]
IdList = Annotated[list[Id], BeforeValidator(_text_list)]

# --------------------------------------------------------------------------- levels


class Level(str, Enum):
    center = "中心"
    institute = "所"
    station = "站"
    point = "点"
    base = "基地"

    @property
    def rank(self) -> int:
        return {"中心": 0, "所": 1, "站": 2, "点": 3, "基地": 4}[self.value]

    @property
    def label(self) -> str:
        """实践中心, 实践所 ...: headings on the site and the contact page."""
        return "实践" + self.value

    @property
    def full_name(self) -> str:
        """新时代文明实践中心 ...: the level's official name, as printed on signage."""
        return "新时代文明实践" + self.value


LEVEL_ALIASES = {
    "中心": "中心", "center": "中心", "centre": "中心", "实践中心": "中心",
    "所": "所", "institute": "所", "实践所": "所", "分中心": "所",
    "站": "站", "station": "站", "实践站": "站",
    "点": "点", "point": "点", "实践点": "点",
    "基地": "基地", "base": "基地", "实践基地": "基地",
}


def _level(value: Any) -> Level:
    if isinstance(value, Level):
        return value
    key = str(value).strip().lower() if value is not None else ""
    if key in LEVEL_ALIASES:
        return Level(LEVEL_ALIASES[key])
    raise fail(
        f"级别应为 中心、所、站、点 或 基地(也可写 center、institute、station、point、base),实际为 \"{value}\"",
        f"level must be 中心, 所, 站, 点 or 基地 (or center, institute, station, point, base), "
        f"found \"{value}\"",
    )


LevelField = Annotated[
    Level,
    BeforeValidator(_level),
    WithJsonSchema({"type": "string", "enum": list(LEVEL_ALIASES)}),
]

PROJECT_LEVELS = {
    "国家": "国家", "国家级": "国家", "national": "国家",
    "省": "省", "省级": "省", "province": "省", "provincial": "省",
    "市": "市", "市级": "市", "city": "市",
    "县": "县", "县级": "县", "区": "县", "县区": "县", "county": "县",
    "所": "所", "institute": "所",
    "站": "站", "station": "站",
}
PROJECT_LEVEL_ORDER = ["国家", "省", "市", "县", "所", "站"]


def _project_level(value: Any) -> str:
    key = str(value).strip().lower()
    if key in PROJECT_LEVELS:
        return PROJECT_LEVELS[key]
    raise fail(
        f"品牌级别应为 国家、省、市、县、所 或 站,实际为 \"{value}\"",
        f"project level must be 国家, 省, 市, 县, 所 or 站, found \"{value}\"",
    )


ProjectLevel = Annotated[
    str, BeforeValidator(_project_level), WithJsonSchema({"type": "string", "enum": list(PROJECT_LEVELS)})
]


class Status(str, Enum):
    active = "active"
    merged = "merged"
    closed = "closed"


STATUS_ALIASES = {"active": "active", "正常": "active", "merged": "merged", "合并": "merged",
                  "已合并": "merged", "closed": "closed", "撤销": "closed", "关闭": "closed",
                  "已撤销": "closed"}


def _status(value: Any) -> Status:
    key = str(value).strip().lower()
    if key in STATUS_ALIASES:
        return Status(STATUS_ALIASES[key])
    raise fail(
        f"状态应为 active(正常)、merged(已合并)或 closed(已撤销),实际为 \"{value}\"",
        f"status must be active, merged or closed, found \"{value}\"",
    )


StatusField = Annotated[
    Status, BeforeValidator(_status), WithJsonSchema({"type": "string", "enum": list(STATUS_ALIASES)})
]

# --------------------------------------------------------------------------- phones

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_TOLL_FREE = re.compile(r"^[48]00\d{7}$")
_HOTLINE = re.compile(r"^12\d{3}$")  # 12345 government service hotline and the like


def phone_digits(value: str) -> str:
    return re.sub(r"[\s\-()()—–]", "", value)


def _phone(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    text = _nonempty(value)
    main = re.split(r"转|ext\.?|#", text, maxsplit=1)[0]
    digits = phone_digits(main)
    digits = digits.removeprefix("+86")
    ok = any(p.match(digits) for p in (_MOBILE, _LANDLINE, _TOLL_FREE, _HOTLINE))
    if not ok:
        if re.fullmatch(r"\d{7,8}", digits):
            raise fail(
                f"固定电话缺少区号:\"{text}\";请写成 \"0912-{digits}\" 这样带区号的形式",
                f"a landline needs its area code: \"{text}\"; write it like \"0912-{digits}\"",
            )
        raise fail(
            f"电话号码格式不对:\"{text}\";应为带区号的固定电话(0912-3851234)、手机号(11 位)或 400/800 号码",
            f"phone number \"{text}\" is not valid; use a landline with area code (0912-3851234), "
            "an 11-digit mobile, or a 400/800 number",
        )
    return text


Phone = Annotated[
    str, BeforeValidator(_phone),
    WithJsonSchema({"type": ["string", "integer"], "description": "0912-3851234, 13912345678, 400-123-4567"}),
]


def tel_uri(phone: str) -> str:
    """``tel:`` link target for a validated phone (extension dropped)."""
    main = re.split(r"(转|ext\.?|#)", phone)[0]
    return "tel:" + phone_digits(main).lstrip("+")


# ---------------------------------------------------------------------------- dates


def _date(value: Any) -> str:
    """A date written as 2019-05-01, 2019-05 or 2019; kept as ISO text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _str(value)
    m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?", text)
    if m:
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        try:
            if d:
                return dt.date(y, int(mo), int(d)).isoformat()
            if mo:
                dt.date(y, int(mo), 1)
                return f"{y:04d}-{int(mo):02d}"
            if 1900 <= y <= 2100:
                return f"{y:04d}"
        except ValueError:
            pass
    raise fail(
        f"日期格式不对:\"{text}\";请写成 2019-05-01(也可只写 2019-05 或 2019)",
        f"date \"{text}\" is not valid; write it as 2019-05-01 (or 2019-05, or 2019)",
    )


DateText = Annotated[str, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]


def _year(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    try:
        year = int(str(value).strip().rstrip("年"))
    except (TypeError, ValueError):
        year = 0
    if not 1949 <= year <= 2100:
        raise fail(
            f"年份应为 4 位数字(如 2023),实际为 \"{value}\"",
            f"a year is 4 digits (e.g. 2023), found \"{value}\"",
        )
    return year


Year = Annotated[int, BeforeValidator(_year), WithJsonSchema({"type": "integer", "minimum": 1949, "maximum": 2100})]


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise fail("应为整数", "expected a whole number")
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        n = int(str(value).strip().replace(",", "")) if not isinstance(value, (int, float)) else int(value)
    except (TypeError, ValueError):
        raise fail(f"应为整数,实际为 \"{value}\"", f"expected a whole number, found \"{value}\"") from None
    if n < 0:
        raise fail(f"不能为负数,实际为 {n}", f"must not be negative, found {n}")
    return n


Count = Annotated[int, BeforeValidator(_count), WithJsonSchema({"type": "integer", "minimum": 0})]


def _division(value: Any) -> str:
    text = _str(value)
    if not re.fullmatch(r"\d{12}", text):
        raise fail(
            f"统计用区划代码应为 12 位数字,实际为 \"{text}\"",
            f"a division code is 12 digits, found \"{text}\"",
        )
    return text


DivisionCode = Annotated[str, BeforeValidator(_division), WithJsonSchema({"type": ["string", "integer"], "pattern": r"^\d{12}$"})]


# ---------------------------------------------------------------------- small parts


class Part(BaseModel):
    """Nested mappings: unknown keys are kept (a later SPEC may add some) but reported."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


def _photo(value: Any) -> Any:
    if isinstance(value, str):
        return {"src": value}
    return value


class PhotoModel(Part):
    src: NonEmpty = Field(description="图片路径,相对于 content/ (path relative to content/)")
    caption: Text = ""
    credit: Text = ""


Photo = Annotated[PhotoModel, BeforeValidator(_photo)]


class Location(Part):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class Manager(Part):
    role: Text = "负责人"
    name: Text = ""


class Team(Part):
    name: NonEmpty
    category: Text = ""
    members: Count | None = None
    link: Text = ""


class Service(Part):
    name: NonEmpty
    category: Text = ""
    note: Text = ""


class Honor(Part):
    title: NonEmpty
    year: Year
    by: Text = ""


class Award(Part):
    title: NonEmpty
    year: Year | None = None
    by: Text = ""
