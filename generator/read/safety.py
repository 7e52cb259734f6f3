"""Content that could deceive a reader or reach past what the checker saw (issue 23).

Kept apart from the record checks so that each rule is one function:

* :func:`deceptive_in_fields`: bidirectional controls and invisible characters in the fields
  of a record (names, titles, ids...) are errors, with line and column;
  :func:`strip_deceptive` removes them from body text (a warning says where).
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import Problems

#: Bidirectional embeddings/overrides/isolates and marks, zero-width characters, word joiners,
#: invisible operators, a byte-order mark inside text, the Mongolian vowel separator.
DECEPTIVE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060-\u2064\ufeff\u180e]")
#: In body text a zero-width joiner is kept: it holds emoji sequences together.
DECEPTIVE_IN_BODY = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u2060-\u2064\ufeff\u180e]")
_KEY = re.compile(r"^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:")


def char_label(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def deceptive_in_fields(text: str, first_line: int, rel: str, problems: Problems) -> None:
    """Errors for the deceptive characters of a front matter (or YAML file) ``text`` whose
    first line is line ``first_line`` of the file."""
    for i, line in enumerate(text.split("\n")):
        for m in DECEPTIVE.finditer(line):
            key = _KEY.match(line)
            field = key.group(1) if key and key.end() <= m.start() else ""
            label = char_label(m.group())
            problems.add(rel, first_line + i, field,
                         f"第 {m.start() + 1} 个字符是看不见的控制字符 {label}(会改变文字显示顺序或藏起文字);"
                         f"请删除它后重新输入这一行",
                         f"character {m.start() + 1} is an invisible control character {label} (it can reorder "
                         f"or hide text); delete it and type the line again")


def deceptive_in_path(rel: str, problems: Problems) -> bool:
    """An error when a file's name (which gives the record's id and address) holds such a character."""
    m = DECEPTIVE.search(rel)
    if m is None:
        return False
    label = char_label(m.group())
    problems.add(rel.encode("unicode_escape").decode("ascii"), None, "id",
                 f"文件名第 {m.start() + 1} 个字符是看不见的控制字符 {label};请重命名文件",
                 f"character {m.start() + 1} of the file name is an invisible control character {label}; "
                 f"rename the file")
    return True


def strip_deceptive(text: str, first_line: int, rel: str, problems: Problems | list | None) -> str:
    """``text`` without deceptive characters; one warning naming the first line holding one."""
    m = DECEPTIVE_IN_BODY.search(text)
    if m is None:
        return text
    cleaned, count = DECEPTIVE_IN_BODY.subn("", text)
    line = first_line + text.count("\n", 0, m.start())
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    label = char_label(m.group())
    zh = (f"正文中有 {count} 个看不见的控制字符(第一个是第 {column} 个字符 {label}),已删除;"
          f"请在原文中删除它们")
    en = (f"the body holds {count} invisible control character(s) (the first is character {column}, "
          f"{label}); they were removed: delete them from the file")
    if isinstance(problems, Problems):
        problems.warn(rel, line, "正文 body", zh, en)
    elif isinstance(problems, list):
        from ..errors import Problem

        problems.append(Problem(rel, line, "正文 body", zh, en, "warning"))
    return cleaned
