"""One cell -> one field value: undo what Excel does to numbers, dates and text.

Excel stores a mobile number typed without care as the number 13912345678 (or
13912345678.0), drops the leading 0 of a landline typed without a dash, shows a
long number as 1.39123E+10 and saves that text into a CSV, stores dates as dates
and codes as numbers. Each function here returns the value the model expects, or
raises :class:`CellError` with a bilingual message saying what to do.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Any

from ..model.fields import (
    _HOTLINE,
    _LANDLINE,
    _MOBILE,
    _TOLL_FREE,
    LEVEL_ALIASES,
    PROJECT_LEVELS,
    STATUS_ALIASES,
    phone_digits,
)
from .columns import STATUS_LABELS, Column

LIST_SPLIT = re.compile(r"\s*[、;；,，\n]\s*")
HONOR_SPLIT = re.compile(r"\s*[;；\n]\s*")
HONOR_RE = re.compile(r"^(?P<title>.+?)\s*[(（]\s*(?P<year>\d{4})\s*年?\s*(?:[,，、]\s*(?P<by>.*?))?\s*[)）]$")
_SCI = re.compile(r"^\d+(?:\.\d+)?[eE]\+?\d+$")
_TRUE = {"是", "true", "yes", "y", "1", "√", "✓", "✔", "同意", "已同意", "对"}
_FALSE = {"否", "false", "no", "n", "0", "×", "不同意", "未同意"}


class CellError(Exception):
    def __init__(self, zh: str, en: str, warning: bool = False):
        super().__init__(en)
        self.zh, self.en, self.warning = zh, en, warning


def _intlike(value: Any) -> Any:
    """13912345678.0 -> 13912345678; other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> str:
    value = _intlike(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _digits_text(value: Any, col: Column) -> str:
    """A number kept as text: refuse what Excel has already rounded (1.39123E+10)."""
    value = _intlike(value)
    if isinstance(value, float):
        raise CellError(
            f"{value!r} 是带小数的数字,不是{col.zh};请把该列设为文本格式后重新填写",
            f"{value!r} is a decimal number, not a {col.key}; format the column as text and type it again",
        )
    text = _text(value)
    if _SCI.match(text):
        raise CellError(
            f"\"{text}\" 是被 Excel 显示成科学计数法的数字,后几位已经丢失;请在 Excel 中把该列设为「文本」格式,"
            "重新填写后再导出",
            f"\"{text}\" is a number Excel displayed in scientific notation, so its last digits are lost; "
            "format the column as Text in Excel, type the numbers again and export again",
        )
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def parse_phone(value: Any, col: Column) -> tuple[str, CellError | None]:
    text = _digits_text(value, col)
    warning = None
    digits = phone_digits(text)
    if digits.isdigit():
        valid = any(p.match(digits) for p in (_MOBILE, _LANDLINE, _TOLL_FREE, _HOTLINE))
        if not valid and _LANDLINE.match("0" + digits):
            text = "0" + digits
            warning = CellError(
                f"数字 {digits} 前的 0 被 Excel 去掉了,已按固定电话 {text} 导入;请核对,并把该列设为文本格式",
                f"Excel dropped the leading 0 of {digits}; it was read as the landline {text}; check it and "
                "format the column as text",
                warning=True,
            )
    return text, warning


def parse_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    value = _intlike(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1900 <= value <= 2100:
            return str(value)
        if 20000 <= value <= 80000:  # an Excel serial date that lost its date format
            return (dt.date(1899, 12, 30) + dt.timedelta(days=value)).isoformat()
    text = _text(value)
    m = re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})[ T]0?0:00(:00)?", text)
    return m.group(1) if m else text


def parse_list(value: Any) -> list[str]:
    return [p for p in LIST_SPLIT.split(_text(value)) if p]


def parse_honors(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in HONOR_SPLIT.split(_text(value)):
        if not item:
            continue
        m = HONOR_RE.match(item)
        if not m:
            raise CellError(
                f"荣誉 \"{item}\" 缺少年份;请写成 称号(年份,授予单位),如 榆林好人(2022,榆林市文明办),多项用;分隔",
                f"the honour \"{item}\" has no year; write title(year, awarded by), e.g. "
                "榆林好人(2022,榆林市文明办), several separated by ;",
            )
        honor = {"title": m.group("title").strip(), "year": int(m.group("year"))}
        if m.group("by"):
            honor["by"] = m.group("by").strip()
        out.append(honor)
    return out


def format_honor(h: Any) -> str:
    by = getattr(h, "by", "") if not isinstance(h, dict) else h.get("by", "")
    title = getattr(h, "title", "") if not isinstance(h, dict) else h.get("title", "")
    year = getattr(h, "year", "") if not isinstance(h, dict) else h.get("year", "")
    return f"{title}（{year}，{by}）" if by else f"{title}（{year}）"


def parse_cell(col: Column, value: Any) -> tuple[Any, CellError | None]:
    """(value for the model, warning or None); raises CellError for a cell that cannot be read."""
    t = col.type
    if t == "phone":
        return parse_phone(value, col)
    if t in ("id", "ref"):
        return _digits_text(value, col) if not isinstance(value, str) else value.strip(), None
    if t == "division":
        return _digits_text(value, col), None
    if t == "date":
        return parse_date(value), None
    if t == "int":
        value = _intlike(value)
        if isinstance(value, str):
            value = re.sub(r"\s*(人|名|个|位)$", "", value).replace(",", "").replace(",", "")
        return value, None
    if t == "float":
        if isinstance(value, str):
            v = re.sub(r"\s*(小时|h|时)$", "", value.strip())
            try:
                return float(v), None
            except ValueError:
                return v, None
        return value, None
    if t == "list":
        return parse_list(value), None
    if t == "honors":
        return parse_honors(value), None
    if t == "bool":
        if isinstance(value, bool):
            return value, None
        key = _text(value).lower()
        if key in _TRUE:
            return True, None
        if key in _FALSE:
            return False, None
        return key, None
    if t == "level":
        text = _text(value)
        return LEVEL_ALIASES.get(text.lower(), text), None
    if t == "plevel":
        text = _text(value)
        return PROJECT_LEVELS.get(text.lower(), text), None
    if t == "status":
        text = _text(value)
        return STATUS_ALIASES.get(text.lower(), text), None
    if t == "coords":
        return _text(value).lower().replace("-", ""), None
    return _text(value), None


def export_value(col: Column, value: Any) -> Any:
    """A field value as a cell: lists joined with 、, levels in Chinese, dates as dates."""
    if value is None:
        return None
    t = col.type
    if isinstance(value, Enum):
        value = value.value
    if t == "status":
        return STATUS_LABELS.get(str(value), str(value))
    if t == "list":
        return "、".join(str(v) for v in value) if value else None
    if t == "honors":
        return ";".join(format_honor(h) for h in value) if value else None
    if t == "bool":
        return "是" if value is True else ("否" if value is False else str(value))
    if t == "date":
        text = str(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        return text
    if t in ("int",):
        return int(value)
    if t == "float":
        return float(value)
    if value == "":
        return None
    return str(value)


#: First characters that make a spreadsheet treat a CSV cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _runs(text: str) -> bool:
    """Whether a spreadsheet would run ``text``, or ``text`` is one such value already neutralised
    (so that :func:`unneutralise` undoes exactly what :func:`neutralise` did)."""
    return text.startswith(FORMULA_START) or (text.startswith("'") and _runs(text[1:]))


def neutralise(value: Any) -> Any:
    """A text cell for a CSV file that no spreadsheet will run: ``'`` in front, as OWASP recommends.
    Numbers and dates are left alone (a number is never a formula)."""
    if isinstance(value, str) and _runs(value):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    """The text :func:`neutralise` was given: export then import changes nothing."""
    if isinstance(value, str) and value.startswith("'") and _runs(value[1:]):
        return value[1:]
    return value
