"""Edit a record's front matter in place: change only the keys asked for.

A record file is the editor's text. An import that changes one phone number must
leave everything else as it was: the body, the other fields, their order and
style (flow ``[a, b]`` or block lists), comments and blank lines. So instead of
loading and re-dumping the whole YAML (which loses comments and reformats), each
top-level key's lines are located with PyYAML's node marks and only the lines of
the keys that change are rewritten; new keys are inserted after the nearest key
that comes before them in the kind's usual field order.

Files are written back in the encoding, BOM and line endings they had.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..read.records import FRONT_MATTER
from ..read.text import BOM, decode

DELETE = object()
"""Marker value: remove the key."""

_WIDTH = 1 << 30  # never fold long lines


@dataclass
class TextFile:
    """A text file's content plus how to write it back byte for byte."""

    text: str  # with "\n" line endings
    encoding: str = "utf-8"  # "utf-8" or "gb18030"
    bom: bool = False
    newline: str = "\n"

    @classmethod
    def read(cls, path: Path) -> TextFile:
        data = path.read_bytes()
        newline = "\r\n" if b"\r\n" in data else "\n"
        decoded = decode(data)
        if decoded.text is None:
            if decoded.problem == "empty":
                return cls("", "utf-8", data.startswith(BOM), newline)
            raise ValueError(decoded.problem or "undecodable")
        enc = decoded.encoding or "utf-8"
        return cls(decoded.text, "gb18030" if enc == "gb18030" else "utf-8", enc == "utf-8-sig", newline)

    def encode(self) -> bytes:
        text = self.text.replace("\n", self.newline) if self.newline != "\n" else self.text
        data = text.encode(self.encoding)
        return (BOM + data) if self.bom else data


def dump_scalar_entry(key: str, value: Any) -> str:
    return yaml.safe_dump({key: value}, allow_unicode=True, width=_WIDTH, sort_keys=False)


def _plain_ok(text: str) -> bool:
    try:
        return yaml.safe_load("{a: [" + text + "]}") == {"a": [text]}
    except yaml.YAMLError:
        return False


def flow(value: Any) -> str:
    """One value in flow style on one line: ``{name: x, members: 20}``, ``[a, b]``.

    Text is written plain wherever YAML reads it back unchanged (PyYAML would
    quote a URL inside a flow mapping), quoted otherwise.
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, str) and value and _plain_ok(value):
        return value
    text = yaml.safe_dump([value], allow_unicode=True, width=_WIDTH, default_flow_style=True)
    return text.strip()[1:-1]


def render_entry(key: str, value: Any, old: Any = None, kept: list | None = None) -> list[str]:
    """The lines for ``key: value``; ``old`` (a PyYAML node) hints at the style to keep.

    ``kept`` lists (old item value, its source lines) of a block list: an item that
    is still there, unchanged, keeps its text.
    """
    if isinstance(value, list):
        if not value:
            return [f"{key}: []\n"]
        if all(isinstance(v, dict) for v in value):
            out = [f"{key}:\n"]
            pool = list(kept or [])
            for item in value:
                hit = next((i for i, (v, _) in enumerate(pool) if v == item), None)
                if hit is not None:
                    out.extend(pool.pop(hit)[1])
                else:
                    out.append(f"  - {flow(item)}\n")
            return out
        if isinstance(old, SequenceNode) and not old.flow_style and old.value:
            return [f"{key}:\n"] + [f"  - {flow(item)}\n" for item in value]
        return [f"{key}: {flow(value)}\n"]
    if isinstance(value, dict):
        if isinstance(old, MappingNode) and not old.flow_style and old.value:
            return [f"{key}:\n"] + [f"  {line}" for line in
                                    yaml.safe_dump(value, allow_unicode=True, width=_WIDTH,
                                                   sort_keys=False, default_flow_style=None).splitlines(True)]
        return [f"{key}: {flow(value)}\n"]
    return dump_scalar_entry(key, value).splitlines(True)


@dataclass
class _Entry:
    key: Any
    body: list[str]
    gap: list[str]
    node: Any = None
    comment: str = ""


def _is_filler(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _entries(yaml_text: str) -> tuple[list[str], list[_Entry]] | None:
    """Split YAML text into (head lines, one entry per top-level key); None if not a block mapping."""
    lines = yaml_text.splitlines(True)
    if not yaml_text.strip() or all(_is_filler(line) for line in lines):
        return lines, []
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return lines, []
    if not isinstance(node, MappingNode) or node.flow_style:
        return None
    spans = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            return None
        start = key_node.start_mark.line
        end_mark = value_node.end_mark
        end = end_mark.line if end_mark.column > 0 else end_mark.line - 1
        end = max(end, start)
        while end > start and end < len(lines) and _is_filler(lines[end]):
            end -= 1
        spans.append((key_node, value_node, start, end))
    head = lines[: spans[0][2]] if spans else lines
    out = []
    for i, (key_node, value_node, start, end) in enumerate(spans):
        nxt = spans[i + 1][2] if i + 1 < len(spans) else len(lines)
        body = lines[start:end + 1]
        comment = ""
        if len(body) == 1 and value_node.end_mark.line == start:
            rest = body[0][value_node.end_mark.column:].strip()
            if rest.startswith("#"):
                comment = rest
        out.append(_Entry(key_node.value, body, lines[end + 1:nxt], value_node, comment))
    return head, out


def _kept_items(entry: _Entry, yaml_text: str) -> list:
    """(value, lines) of each item of a block sequence whose items sit on lines of their own."""
    node = entry.node
    if not isinstance(node, SequenceNode) or node.flow_style or not node.value:
        return []
    lines = yaml_text.splitlines(True)
    try:
        values = yaml.safe_load(yaml_text)[entry.key]
    except (yaml.YAMLError, KeyError, TypeError):
        return []
    out, last = [], -1
    for item, value in zip(node.value, values):
        start = item.start_mark.line
        end = item.end_mark.line if item.end_mark.column > 0 else item.end_mark.line - 1
        end = max(end, start)
        while end > start and _is_filler(lines[end]):
            end -= 1
        if start <= last:
            return []
        out.append((value, lines[start:end + 1]))
        last = end
    return out


def edit_yaml(yaml_text: str, changes: dict[str, Any], order: Iterable[str]) -> str:
    """Apply ``changes`` (key -> new value or :data:`DELETE`) to a YAML mapping's text."""
    order = list(order)
    if yaml_text and not yaml_text.endswith("\n"):
        yaml_text += "\n"
    split = _entries(yaml_text)
    if split is None:  # flow-style or odd front matter: fall back to a plain re-dump
        data = yaml.safe_load(yaml_text) or {}
        for key, value in changes.items():
            if value is DELETE:
                data.pop(key, None)
            else:
                data[key] = value
        return yaml.safe_dump(data, allow_unicode=True, width=_WIDTH, sort_keys=False, default_flow_style=None)
    head, entries = split
    for key, value in changes.items():
        found = next((e for e in entries if e.key == key), None)
        if found is not None:
            if value is DELETE:
                found.body = []
                continue
            lines = render_entry(key, value, found.node, _kept_items(found, yaml_text))
            if found.comment and len(lines) == 1:
                lines = [lines[0].rstrip("\n") + "  " + found.comment + "\n"]
            found.body = lines
            continue
        if value is DELETE:
            continue
        new = _Entry(key, render_entry(key, value), [])
        rank = order.index(key) if key in order else len(order)
        at = 0
        for i, e in enumerate(entries):
            r = order.index(e.key) if e.key in order else len(order)
            if r <= rank:
                at = i + 1
        entries.insert(at, new)
    out = list(head)
    for e in entries:
        out.extend(e.body)
        out.extend(e.gap)
    return "".join(out)


def split_record(text: str, suffix: str) -> tuple[str, str, str] | None:
    """(before, yaml, after) of a record file's text; None when a .md has no front matter."""
    if suffix.lower() in (".yml", ".yaml"):
        return "", text, ""
    m = FRONT_MATTER.match(text)
    if not m:
        return None
    start, end = (m.start(1), m.end(1)) if m.group(1) is not None else (text.index("\n") + 1,) * 2
    return text[:start], text[start:end], text[end:]


def edit_record_text(text: str, suffix: str, changes: dict[str, Any], order: Iterable[str]) -> str | None:
    parts = split_record(text, suffix)
    if parts is None:
        return None
    before, body, after = parts
    return before + edit_yaml(body, changes, order) + after


def new_record_text(fields: dict[str, Any], order: Iterable[str], body: str = "") -> str:
    yaml_text = edit_yaml("", fields, order)
    return "---\n" + yaml_text + "---\n" + body


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_date(text: str) -> Any:
    """A full ISO date as a ``date`` (written unquoted); anything else unchanged."""
    if isinstance(text, str) and _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text
