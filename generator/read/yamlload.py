"""Safe YAML with line numbers, duplicate-key detection and a guard against alias bombs.

PyYAML composes the document into nodes; we build the Python values ourselves so
that every value's line is known (``lines[("teams", 0, "name")] == 12``), a key
given twice is an error instead of a silent overwrite, and a document that expands
aliases into millions of nodes is refused instead of hanging the build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C parser is several times faster; both give node marks
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_ALIASES = 100
_STR_TAG = "tag:yaml.org,2002:str"
MAX_NODES = 200_000

Path_ = tuple[Any, ...]


@dataclass
class YamlProblem:
    line: int | None
    field: str
    zh: str
    en: str


@dataclass
class Loaded:
    data: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line_of(self, path: Path_, default: int | None = None) -> int | None:
        """Line of ``path`` or of its closest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), default)


class _TooBig(Exception):
    pass


def dotted(path: Path_) -> str:
    """("teams", 0, "name") -> "teams[0].name"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load(text: str, line_offset: int = 0) -> Loaded:
    """Parse one YAML document. ``line_offset`` is added to every line (front matter)."""
    result = Loaded()
    loader = _BaseLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + line_offset if mark else None
            what = (exc.problem or str(exc)).strip()
            result.problems.append(
                YamlProblem(
                    line,
                    "",
                    f"YAML 语法错误:{what};请检查缩进、冒号后的空格和引号是否成对",
                    f"YAML syntax error: {what}; check indentation, the space after colons "
                    "and that quotes are paired",
                )
            )
            return result
        except yaml.YAMLError as exc:
            result.problems.append(
                YamlProblem(None, "", f"YAML 无法读取:{exc}", f"YAML could not be read: {exc}")
            )
            return result
        if node is None:
            result.data = None
            return result
        builder = _Builder(loader, result, line_offset)
        try:
            result.data = builder.build(node, ())
        except _TooBig:
            result.data = None
            result.problems.append(
                YamlProblem(
                    node.start_mark.line + 1 + line_offset,
                    "",
                    f"YAML 使用了过多的别名或展开后过大(超过 {MAX_ALIASES} 个别名或 {MAX_NODES} 个节点),"
                    "已拒绝读取;请直接写出各项内容,不要用 &锚点/*别名 层层引用",
                    f"YAML uses too many aliases or expands too far (over {MAX_ALIASES} aliases or "
                    f"{MAX_NODES} nodes) and was refused; write the values out instead of "
                    "nesting &anchors/*aliases",
                )
            )
    finally:
        loader.dispose()
    return result


class _Builder:
    def __init__(self, loader: Any, result: Loaded, offset: int):
        self.loader = loader
        self.result = result
        self.offset = offset
        self.nodes = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def build(self, node: Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig
        if not isinstance(node, ScalarNode):
            # A node reached twice was an alias; count them.
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise _TooBig
            self.seen.add(id(node))
        self.result.lines.setdefault(path, self.line(node))
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        if node.tag == _STR_TAG:  # most values: what construct_yaml_str would return, minus the overhead
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, TypeError):
            # e.g. a timestamp like 2019-13-45: keep the text, the model reports it with its field
            return node.value
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.result.problems.append(
                YamlProblem(
                    self.line(node),
                    dotted(path),
                    f"无法识别的值 {node.value!r}({problem});请改为普通文字,必要时加引号",
                    f"value {node.value!r} is not understood ({problem}); write plain text, "
                    "quoted if needed",
                )
            )
            return node.value

    def mapping(self, node: MappingNode, path: Path_) -> dict:
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, path)
                for m in merged if isinstance(merged, list) else [merged]:
                    if isinstance(m, dict):
                        for k, v in m.items():
                            out.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                self.result.problems.append(
                    YamlProblem(
                        self.line(key_node),
                        dotted(path),
                        "字段名必须是简单的文字",
                        "a field name must be plain text",
                    )
                )
                continue
            key = self.scalar(key_node, path)
            if not isinstance(key, (str, int)):
                key = str(key_node.value)
            if key in out or key in first_line:
                self.result.problems.append(
                    YamlProblem(
                        self.line(key_node),
                        dotted(path + (key,)),
                        f"字段重复:第 {first_line[key]} 行已经写过 \"{key}\";请删除其中一处",
                        f"duplicate key: \"{key}\" is already given on line {first_line[key]}; "
                        "remove one of them",
                    )
                )
                continue
            first_line[key] = self.line(key_node)
            self.result.lines[path + (key,)] = self.line(key_node)
            out[key] = self.build(value_node, path + (key,))
        return out
