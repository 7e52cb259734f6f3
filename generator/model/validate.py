"""One raw record -> its typed model, with a message naming file, line and field for every fault.

Rules of one record that the pydantic classes cannot state alone live here too: unknown
fields (kept, with a suggestion), a case's year against its folder, a person's privacy.
"""

from __future__ import annotations

import functools
import re
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from ..config import Config
from ..errors import Problems, did_you_mean, hint_en, hint_zh
from ..read.records import RawRecord, line_of
from ..read.yamlload import dotted
from .privacy import check_privacy
from .records import KINDS, Casebook, Person, Record

if TYPE_CHECKING:
    from ..read.images import ImageIndex

def validate_record(raw: RawRecord, path: Path, kind: str, config: Config, problems: Problems,
                     images: ImageIndex) -> Record | None:
    """The record a file's front matter describes, checked; None (with problems) when invalid."""
    rel = raw.rel
    data = dict(raw.data)
    if kind == "casebook":
        data["year"] = int(path.stem)
        data.setdefault("id", path.stem)
    if "id" not in data:
        data["id"] = path.stem
        from .fields import ID_RE

        if not ID_RE.match(path.stem):
            problems.add(
                rel, 1, "id",
                f"文件名 \"{path.stem}\" 不能用作编号;请把文件改名为小写字母、数字和连字符(如 guta-zhaojiamao.md),或加上 id: 字段",
                f"the file name \"{path.stem}\" is not a valid id; rename the file to a-z 0-9 - "
                "(e.g. guta-zhaojiamao.md) or add an id: field",
            )
            return None
    cls = KINDS[kind]
    try:
        rec = cls.model_validate(data)
    except ValidationError as exc:
        _report_validation(exc, raw, cls, problems)
        return None
    rec._path = rel
    rec._body = raw.body
    rec._body_line = raw.body_line
    rec._lines = raw.lines
    _check_unknown_fields(rec, raw, problems)
    for i, photo in enumerate(getattr(rec, "photos", []) or []):
        images.check(photo.src, raw, ("photos", i, "src"), problems)
    if isinstance(rec, Person):
        if rec.photo is not None:
            images.check(rec.photo.src, raw, ("photo", "src"), problems)
        check_privacy(raw, problems)
    if isinstance(rec, Casebook) and rec.cover:
        images.check(rec.cover, raw, ("cover",), problems)
    _check_year_folder(rec, raw, problems)
    return rec


_TYPE_WORDS = {
    "string_type": ("文字", "text"), "int_type": ("整数", "a whole number"),
    "int_parsing": ("整数", "a whole number"), "float_parsing": ("数字", "a number"),
    "float_type": ("数字", "a number"), "bool_type": ("true 或 false", "true or false"),
    "bool_parsing": ("true 或 false", "true or false"), "list_type": ("列表(每行以 - 开头)", "a list (lines starting with -)"),
    "dict_type": ("「字段: 值」形式的映射", "a mapping of field: value"),
    "model_type": ("「字段: 值」形式的映射", "a mapping of field: value"),
    "model_attributes_type": ("「字段: 值」形式的映射", "a mapping of field: value"),
}


def _report_validation(exc: ValidationError, raw: RawRecord, cls: type[BaseModel],
                       problems: Problems) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = dotted(loc)
        line = line_of(raw, loc)
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "wenming":
            zh, en = ctx["zh"], ctx["en"]
        elif kind == "missing":
            what = _field_doc(cls, loc)
            zh = f"缺少必填字段 {loc[-1]}{what[0]};请补上"
            en = f"required field {loc[-1]} is missing{what[1]}; add it"
        elif kind in _TYPE_WORDS:
            want_zh, want_en = _TYPE_WORDS[kind]
            zh = f"应为{want_zh},实际为 {err['input']!r}"
            en = f"expected {want_en}, found {err['input']!r}"
        elif kind == "too_short":
            zh = "至少要写一项"
            en = "at least one entry is required"
        elif kind in ("greater_than_equal", "less_than_equal"):
            zh = f"数值超出范围:{err['input']!r}(纬度 lat 在 -90 到 90 之间,经度 lng 在 -180 到 180 之间)"
            en = f"value out of range: {err['input']!r} ({err['msg']})"
        else:
            zh = f"值不正确:{err['input']!r}({err['msg']})"
            en = f"invalid value {err['input']!r} ({err['msg']})"
        problems.add(raw.rel, line, field, zh, en)


def _field_doc(cls: type[BaseModel], loc: tuple) -> tuple[str, str]:
    if len(loc) == 1 and loc[0] in cls.model_fields and cls.model_fields[str(loc[0])].description:
        desc = cls.model_fields[str(loc[0])].description or ""
        return f"({desc})", ""
    return "", ""


@functools.cache
def _known_fields(model: type[BaseModel]) -> frozenset[str]:
    out = set()
    for name, info in model.model_fields.items():
        out.add(info.alias or name)
    return frozenset(out)


@functools.cache
def _nested_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(name, alias) of the fields whose type may hold a model: the only ones with keys to check."""
    def holds_model(tp: Any) -> bool:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return True
        return any(holds_model(arg) for arg in typing.get_args(tp))

    return tuple((name, info.alias or name) for name, info in model.model_fields.items()
                 if holds_model(info.annotation))


def _check_unknown_fields(rec: BaseModel, raw: RawRecord, problems: Problems,
                          path: tuple = ()) -> None:
    """Unknown keys are kept (a later SPEC may add fields) but reported with a suggestion."""
    extra = rec.model_extra or {}
    known = _known_fields(type(rec))
    for key in extra:
        suggestion = did_you_mean(str(key), known)
        problems.warn(
            raw.rel, line_of(raw, path + (key,)), dotted(path + (key,)),
            f"未知字段 \"{key}\",将被忽略{hint_zh(suggestion)}",
            f"unknown field \"{key}\" is ignored{hint_en(suggestion)}",
        )
    for name, alias in _nested_fields(type(rec)):
        value = getattr(rec, name)
        if isinstance(value, BaseModel):
            _check_unknown_fields(value, raw, problems, path + (alias,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _check_unknown_fields(item, raw, problems, path + (alias, i))


def _check_year_folder(rec: Record, raw: RawRecord, problems: Problems) -> None:
    year = getattr(rec, "year", None)
    if rec.kind != "case" or year is None:
        return
    parts = Path(raw.rel).parts
    folder = parts[-2] if len(parts) >= 2 else ""
    if re.fullmatch(r"\d{4}", folder) and int(folder) != year:
        problems.warn(
            raw.rel, rec.line_of("year"), "year",
            f"案例年份是 {year},但文件放在 {folder} 文件夹;请核对年份或移动文件",
            f"the case's year is {year} but the file is in the {folder} folder; check the year or "
            "move the file",
        )


def row_errors(exc: ValidationError) -> list[tuple[str, str, str]]:
    """(column, Chinese, English) for each error of a table row's validation."""
    out = []
    for err in exc.errors():
        col = str(err["loc"][0]) if err["loc"] else ""
        ctx = err.get("ctx") or {}
        if err["type"] == "wenming":
            zh, en = ctx["zh"], ctx["en"]
        elif err["type"] == "missing":
            zh, en = "此列不能为空", "this column must not be empty"
        else:
            zh = f"值不正确:{err.get('input')!r}"
            en = f"invalid value {err.get('input')!r} ({err['msg']})"
        out.append((col, zh, en))
    return out
