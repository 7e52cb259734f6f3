"""Content that could deceive a reader or reach past what the checker saw (issue 23).

Kept apart from the record checks so that each rule is one function:

* :func:`deceptive_in_fields`: bidirectional controls and invisible characters in the fields
  of a record (names, titles, ids...) are errors, with line and column;
  :func:`strip_deceptive` removes them from body text (a warning says where).
* :func:`scan_content`: symbolic links that leave ``content/`` (or loop), and raw HTML/SVG/XML
  files outside ``trusted_html``, are errors for ``check`` and the build alike.
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from pathlib import Path

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


def deceptive_in_page(text: str, rel: str, problems: Problems) -> None:
    """An editorial page: errors for its front matter and its title (the first ``#`` heading,
    which MkDocs shows in the navigation of every page); the rest is body text."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is not None:
            deceptive_in_fields("\n".join(lines[1:end]), 2, rel, problems)
            start = end + 1
    for i in range(start, len(lines)):
        if lines[i].startswith("# "):
            before = len(problems.items)
            deceptive_in_fields(lines[i], i + 1, rel, problems)
            for j in range(before, len(problems.items)):
                problems.items[j] = dataclasses.replace(problems.items[j], field="title")
            return


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


# ---------------------------------------------------------------------- files under content/

#: Files a browser would run if they were published as they are.
ACTIVE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".xslt"}


def svg_problem() -> tuple[str, str]:
    return ("SVG 图片不能作为照片发布(SVG 是可以带脚本的文本,不是像素图片);请另存为 PNG 或 JPEG 后再引用",
            "an SVG picture cannot be published as a photo (SVG is text that can carry script, not "
            "pixels); save it as PNG or JPEG and point to that")


def scan_content(content: Path, shown: str, trusted, problems: Problems) -> None:
    """Errors for what the site must not publish from ``content`` (shown in messages as ``shown``):

    * symbolic links that leave the folder, loop back into their own parent folders, or lead
      nowhere (never followed: a link to ``/`` is seen and refused, not walked);
    * raw HTML, SVG and XML files (a browser runs their script on the site's own address),
      unless ``trusted(path)`` says they are in a ``trusted_html`` folder.
    """
    root = os.path.realpath(content)
    stack = [Path(content)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = f"{shown}/{path.relative_to(content).as_posix()}"
            if entry.is_symlink():
                _check_link(path, rel, root, problems)
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
            elif path.suffix.lower() in ACTIVE_SUFFIXES and not _hidden(rel) and not trusted(path):
                kind = "SVG" if path.suffix.lower() in (".svg", ".svgz") else path.suffix.lower()[1:].upper()
                problems.add(rel, None, "",
                             f"不发布原样的 {kind} 文件(其中的脚本会在本网站上运行);网页请写成 .md,图片请另存为 "
                             f"PNG 或 JPEG;确属可信的文件请放进 mkdocs.yml 中 trusted_html 列出的文件夹",
                             f"a raw {kind} file is not published (script in it would run on the site's own "
                             f"address): write pages as .md and save pictures as PNG or JPEG; put a file you "
                             f"trust in a folder listed under trusted_html in mkdocs.yml")


def _hidden(rel: str) -> bool:
    """MkDocs never publishes names starting with a dot (editor settings such as .obsidian/)."""
    return any(part.startswith(".") for part in rel.split("/")[1:])


def _check_link(path: Path, rel: str, root: str, problems: Problems) -> None:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    real = os.path.realpath(path)
    parent = os.path.realpath(path.parent)
    if not (real == root or real.startswith(root + os.sep)):
        zh, en = f"指向 content/ 以外的 {target}", f"it points outside content/, to {target}"
    elif not os.path.exists(real):
        zh, en = f"指向不存在的 {target}", f"it points to {target}, which does not exist"
    elif os.path.isdir(real) and (parent == real or parent.startswith(real + os.sep)):
        zh, en = f"指向它自己所在的文件夹 {target},形成循环", f"it points to its own parent folder {target}, a loop"
    else:
        return
    problems.add(rel, None, "",
                 f"符号链接(快捷方式)不能发布:{zh};请把文件本身复制到 content/ 中",
                 f"a symbolic link cannot be published: {en}; copy the file itself into content/")
