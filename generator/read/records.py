"""Files -> raw records: front matter or plain YAML, with line numbers and encodings.

A raw record is a dict of fields plus where each came from. Nothing here knows
what a station is; the models do that.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problems
from . import yamlload
from .safety import deceptive_in_fields, deceptive_in_path, strip_deceptive
from .text import decode

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
RECORD_SUFFIXES = (".md", ".markdown", ".yml", ".yaml")


@dataclass
class RawRecord:
    path: Path
    rel: str  # project-relative path, for messages
    data: dict[str, Any]
    lines: dict[tuple, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    text: str = ""  # whole decoded file, for privacy scans


_ENCODING_WARNING = {
    "utf-8-sig": ("文件带有 BOM(字节顺序标记),已正确读取;建议另存为不带 BOM 的 UTF-8",
                  "the file starts with a byte-order mark; it was read correctly, but save it as "
                  "UTF-8 without BOM"),
    "gb18030": ("文件是 GBK/GB18030 编码,已正确读取;建议另存为 UTF-8",
                "the file is encoded in GBK/GB18030; it was read correctly, but save it as UTF-8"),
}


def read_text(path: Path, rel: str, problems: Problems) -> str | None:
    """Decode a file, reporting empty, binary and non-UTF-8 files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(rel, None, "", f"无法读取文件:{exc.strerror}", f"cannot read the file: {exc.strerror}")
        return None
    decoded = decode(data)
    if decoded.problem == "empty":
        problems.add(rel, None, "", "文件是空的;请填写内容或删除该文件",
                     "the file is empty; fill it in or delete it")
        return None
    if decoded.problem == "binary":
        problems.add(rel, None, "", "这不是文本文件(可能是图片或 Word 文档被放错了位置);请移到 images/ 或删除",
                     "this is not a text file (an image or Word document in the wrong folder?); "
                     "move it to images/ or delete it")
        return None
    if decoded.problem == "undecodable":
        problems.add(rel, None, "", "无法识别文件编码;请另存为 UTF-8", "the file's encoding is not "
                     "recognised; save it as UTF-8")
        return None
    if decoded.encoding in _ENCODING_WARNING:
        zh, en = _ENCODING_WARNING[decoded.encoding]
        problems.warn(rel, None, "encoding", zh, en)
    return decoded.text


def read_record(path: Path, rel: str, problems: Problems) -> RawRecord | None:
    """Read one Markdown-with-front-matter or YAML record file."""
    text = read_text(path, rel, problems)
    if text is None:
        return None
    return parse_record(path, rel, text, problems)


def parse_record(path: Path, rel: str, text: str, problems: Problems) -> RawRecord | None:
    """The fields and body of a record's decoded ``text`` (Markdown with front matter, or YAML
    when ``path`` ends in .yml/.yaml); None, with problems, when there are none to read."""
    deceptive_in_path(rel, problems)
    if path.suffix.lower() in (".yml", ".yaml"):
        deceptive_in_fields(text, 1, rel, problems)
        loaded = yamlload.load(text)
        body, body_line = "", 1
    else:
        m = FRONT_MATTER.match(text)
        if not m:
            problems.add(
                rel, 1, "",
                "缺少开头的 YAML 信息块;文件应以 --- 开始,写完字段后再用 --- 结束",
                "no front matter; the file must start with a line ---, then the fields, then ---",
            )
            return None
        deceptive_in_fields(m.group(1) or "", 2, rel, problems)
        loaded = yamlload.load(m.group(1) or "", line_offset=1)
        body_line = text.count("\n", 0, m.end()) + 1
        body = strip_deceptive(text[m.end():], body_line, rel, problems)
    for yp in loaded.problems:
        problems.add(rel, yp.line, yp.field, yp.zh, yp.en)
    if loaded.problems and loaded.data is None:
        return None
    data = loaded.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add(rel, loaded.line_of(()), "",
                     "开头的信息块应是「字段: 值」的列表", "the front matter must be a list of "
                     "\"field: value\" lines")
        return None
    return RawRecord(path, rel, data, loaded.lines, body, body_line, text)


@dataclass
class CsvRows:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (sheet row number, values)


def read_csv(path: Path, rel: str, problems: Problems) -> CsvRows | None:
    """A spreadsheet export: UTF-8 or GBK, with or without BOM, blank rows skipped."""
    text = read_text(path, rel, problems)
    if text is None:
        return None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        number = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            continue
        rows.append((number, dict(zip(header, cells))))
    if header is None:
        problems.add(rel, 1, "", "表格没有表头行", "the sheet has no header row")
        return None
    return CsvRows(header, rows)


def line_of(raw: RawRecord, loc: tuple) -> int:
    p = loc
    while p:
        if p in raw.lines:
            return raw.lines[p]
        p = p[:-1]
    return raw.lines.get((), 1) if raw.lines else 1
