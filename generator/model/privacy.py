"""A person's page must never publish a resident ID number, a mobile number or a home address."""

from __future__ import annotations

import re

from ..errors import Problems
from ..read.records import RawRecord
from ..read.yamlload import dotted

_ID_NUMBER = re.compile(r"(?<![0-9])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?![0-9])")
#: Fields (and spreadsheet columns) a person's record must never carry, with what they would
#: disclose: the model refuses them, the importer leaves such columns out.
PRIVATE_FIELDS = {
    "address": ("住址", "home address"), "home": ("住址", "home address"),
    "home_address": ("住址", "home address"), "住址": ("住址", "home address"),
    "家庭住址": ("住址", "home address"), "地址": ("住址", "home address"),
    "phone": ("个人电话", "personal phone"), "mobile": ("个人电话", "personal phone"),
    "tel": ("个人电话", "personal phone"), "电话": ("个人电话", "personal phone"),
    "手机": ("个人电话", "personal phone"), "手机号": ("个人电话", "personal phone"),
    "联系电话": ("个人电话", "personal phone"),
    "id_number": ("身份证号", "ID number"), "id_card": ("身份证号", "ID number"),
    "身份证": ("身份证号", "ID number"), "身份证号": ("身份证号", "ID number"),
    "身份证号码": ("身份证号", "ID number"),
}
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_checksum_ok(number: str) -> bool:
    """GB 11643 check digit of an 18-digit resident ID number."""
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return "10X98765432"[total % 11] == number[17].upper()


def find_private(text: str) -> list[tuple[int, str, str]]:
    """(line, kind, match) for every ID number and mobile number in ``text``."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for m in _ID_NUMBER.finditer(line):
            if id_checksum_ok(m.group(1)):
                found.append((number, "id", m.group(1)))
        for m in _MOBILE_IN_TEXT.finditer(line):
            found.append((number, "mobile", m.group(1)))
    return found


def _mask(value: str) -> str:
    digits = re.sub(r"[^0-9Xx]", "", value)
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def check_privacy(raw: RawRecord, problems: Problems) -> None:
    """A person record must not hold an ID number, a mobile number or a home address."""
    line_to_field = {line: dotted(path) for path, line in raw.lines.items() if path}
    for key in raw.data:
        if str(key).lower() in PRIVATE_FIELDS:
            zh, en = PRIVATE_FIELDS[str(key).lower()]
            problems.add(
                raw.rel, raw.lines.get((key,)), str(key),
                f"典型人物页面不得公开{zh};请删除该字段(需要联系时请写所属阵地的服务电话)",
                f"a person's page must never publish a {en}; remove the field (use the station's "
                "service phone for contact)",
            )
    for line, kind, value in find_private(raw.text):
        field = line_to_field.get(line) or ("正文 body" if line >= raw.body_line else "")
        if kind == "id":
            problems.add(
                raw.rel, line, field,
                f"发现身份证号({_mask(value)});典型人物记录中不得出现身份证号,请删除",
                f"an ID-card number ({_mask(value)}) was found; a person record must not hold one, "
                "remove it",
            )
        else:
            problems.add(
                raw.rel, line, field,
                f"发现手机号({_mask(value)});典型人物记录中不得出现个人电话,请删除",
                f"a mobile number ({_mask(value)}) was found; a person record must not hold a "
                "personal phone, remove it",
            )
