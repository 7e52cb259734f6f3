"""Post-processing of built pages before Pagefind indexes them.

Pagefind indexes what is in the HTML. To let a query in Simplified Chinese find
text written in Traditional Chinese, every page whose indexed text changes under
OpenCC ``t2s`` gets a hidden, index-only copy of the changed lines converted to
Simplified, appended inside the indexed element::

    <div hidden data-wenming-t2s>⁂ 榆阳区图书阅览室 …</div>

Readers never see it (``hidden``); the search UI cuts the indexed text at the
``⁂`` marker so excerpts always show the page's own wording. Pages without
Traditional characters are not touched (most pages: nothing is rewritten).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .t2s import to_simplified, traditional_chars

#: Marker separating a page's own text from the added Simplified copy (in Pagefind's content).
MARK = "⁂"
COPY_ATTR = "data-wenming-t2s"
#: Element indexed when the site has no ``data-pagefind-body``: Material's main article.
FALLBACK_SELECTOR = "article.md-content__inner"

_BODY_OPEN = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*?\sdata-pagefind-body(?:[\s=/>])[^>]*>")
_ARTICLE_OPEN = re.compile(r"<(article)\b[^>]*?\sclass=\"[^\"]*\bmd-content__inner\b[^\"]*\"[^>]*>")
_DROP = re.compile(r"<(script|style|svg|template|noscript|textarea)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IGNORED = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\sdata-pagefind-ignore\b[^>]*>", re.IGNORECASE)
_BREAK = re.compile(
    r"<(?:br|hr|/?p|/?h[1-6]|/?li|/?ul|/?ol|/?div|/?tr|/?td|/?th|/?dt|/?dd|/?section|/?blockquote|"
    r"/?figcaption|/?caption|/?summary|/?details|/?table|/?nav|/?header|/?footer|/?aside|/?figure)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


@dataclass
class Region:
    """The indexed element of a page: ``html[start:end]`` is its inner HTML."""

    tag: str
    start: int
    end: int
    explicit: bool  # True when marked with data-pagefind-body


def _closing(doc: str, tag: str, pos: int) -> int | None:
    """Index of the ``</tag>`` closing the element whose content starts at ``pos``."""
    pattern = re.compile(rf"<(/?){re.escape(tag)}\b[^>]*>", re.IGNORECASE)
    depth = 1
    for m in pattern.finditer(doc, pos):
        if m.group(0).endswith("/>"):
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return None


def _open_tag(doc: str, needle: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The opening tag holding ``needle`` (a cheap ``str.find`` first, then the regex)."""
    pos = doc.find(needle)
    while pos >= 0:
        lt = doc.rfind("<", 0, pos)
        m = pattern.match(doc, lt) if lt >= 0 else None
        if m is not None:
            return m
        pos = doc.find(needle, pos + len(needle))
    return None


def find_region(doc: str) -> Region | None:
    """The element Pagefind will index: ``data-pagefind-body``, else Material's article."""
    m = _open_tag(doc, "data-pagefind-body", _BODY_OPEN)
    explicit = m is not None
    if m is None:
        m = _open_tag(doc, "md-content__inner", _ARTICLE_OPEN)
    if m is None:
        return None
    end = _closing(doc, m.group(1), m.end())
    if end is None:
        return None
    return Region(m.group(1).lower(), m.end(), end, explicit)


def _without_ignored(fragment: str) -> str:
    """Drop elements marked ``data-pagefind-ignore`` (Pagefind skips them too)."""
    out, pos = [], 0
    while True:
        m = _IGNORED.search(fragment, pos)
        if m is None:
            out.append(fragment[pos:])
            return "".join(out)
        out.append(fragment[pos:m.start()])
        end = _closing(fragment, m.group(1), m.end())
        if end is None:
            return "".join(out)
        close = fragment.find(">", end)
        pos = len(fragment) if close < 0 else close + 1


def text_lines(fragment: str) -> list[str]:
    """Visible text of an HTML fragment, one line per block element."""
    fragment = _COMMENT.sub(" ", fragment)
    fragment = _DROP.sub(" ", fragment)
    if "data-pagefind-ignore" in fragment:
        fragment = _without_ignored(fragment)
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", fragment)))
    lines = []
    for line in text.split("\n"):
        line = _SPACE.sub(" ", line).strip()
        if line:
            lines.append(line)
    return lines


def simplified_lines(lines: list[str]) -> list[str]:
    """The lines that ``t2s`` changes, converted (duplicates dropped, order kept)."""
    if not lines:
        return []
    converted = to_simplified("\n".join(lines)).split("\n")
    if len(converted) != len(lines):  # pragma: no cover - OpenCC keeps newlines
        converted = [to_simplified(line) for line in lines]
    seen: set[str] = set()
    out = []
    for before, after in zip(lines, converted):
        if after != before and after not in seen:
            seen.add(after)
            out.append(after)
    return out


def add_simplified_copy(doc: str) -> str | None:
    """``doc`` with a hidden Simplified copy of its Traditional lines, or None if nothing to add.

    Pages that already carry a copy (an earlier run over the same file) are left as they are.
    """
    region = find_region(doc)
    if region is None:
        return None
    inner = doc[region.start:region.end]
    if COPY_ATTR in inner or traditional_chars().isdisjoint(inner):
        return None
    changed = simplified_lines(text_lines(inner))
    if not changed:
        return None
    copy = f'<div hidden {COPY_ATTR}>{MARK} ' + html.escape("\n".join(changed), quote=False) + "</div>"
    return doc[:region.end] + copy + doc[region.end:]
