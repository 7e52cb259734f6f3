"""Chinese typography for the printed book (W3C clreq), as HTML preprocessing.

Everything here wraps existing characters in ``<span>`` elements; nothing adds or
removes a character a reader would copy from the PDF, except the soft line breaks
of Markdown source that fall between Chinese characters (a browser would turn
them into stray spaces):

* ``.sl`` / ``.sr`` spans give a Latin or digit run next to Han characters a
  quarter-em margin on that side (``text-autospace`` emulation);
* ``.pc`` spans compress consecutive punctuation: every mark of a run but the
  last is set with the font's ``halt`` (half-width) alternates;
* line-start / line-end prohibitions come from Pango's UAX #14 line breaking
  (closing punctuation never starts a line, opening punctuation never ends one),
  which the tests check on the laid-out book.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import html as lxml_html
from lxml.etree import _Element

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{HAN}]")
#: Full-width punctuation whose blank half may be dropped when two meet.
COMPRESSIBLE = "，。、；：？！“”‘’（）《》〈〉「」『』【】〔〕〖〗"
#: Characters treated as CJK when deciding what a Markdown soft break was.
CJK_PUNCT = COMPRESSIBLE + "…—·～"
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:%+\-/_'&@#°]*")
_PUNCT_RUN = re.compile(f"[{COMPRESSIBLE}]{{2,}}")
_SKIP_TAGS = {"code", "pre", "kbd", "samp", "script", "style"}

Piece = str | tuple[str, str]  # text, or (class, text) for a span


def is_han(ch: str) -> bool:
    return bool(ch) and bool(_HAN_RE.match(ch))


def is_cjk(ch: str) -> bool:
    return is_han(ch) or (bool(ch) and ch in CJK_PUNCT)


def join_soft_breaks(text: str) -> str:
    """Drop a Markdown soft line break between CJK characters; elsewhere make it one space."""

    def repl(m: re.Match) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if is_cjk(before) or is_cjk(after) or not before or not after:
            return ""
        return " "

    return re.sub(r"[ \t]*\n[ \t]*", repl, text)


def _latin_pieces(text: str, before: str, after: str) -> list[Piece]:
    """Wrap Latin/digit runs that touch a Han character in .sl/.sr spans."""
    out: list[Piece] = []
    pos = 0
    for m in _LATIN_RUN.finditer(text):
        start, end = m.start(), m.end()
        while end > start + 1 and text[end - 1] in ".,:;'":
            end -= 1
        prev = text[start - 1] if start else before
        nxt = text[end] if end < len(text) else after
        classes = ("sl " if is_han(prev) else "") + ("sr" if is_han(nxt) else "")
        if not classes.strip():
            continue
        if start > pos:
            out.append(text[pos:start])
        out.append((classes.strip(), text[start:end]))
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    return out


def _punct_pieces(text: str) -> list[Piece]:
    out: list[Piece] = []
    pos = 0
    for m in _PUNCT_RUN.finditer(text):
        if m.start() > pos:
            out.append(text[pos:m.start()])
        out.append(("pc", m.group()[:-1]))
        out.append(m.group()[-1])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def _pieces(text: str, before: str, after: str) -> list[Piece]:
    out: list[Piece] = []
    for piece in _latin_pieces(text, before, after):
        if isinstance(piece, tuple):
            out.append(piece)
        else:
            out.extend(_punct_pieces(piece))
    return out


def text_slots(root: _Element) -> Iterator[tuple[_Element, str]]:
    """(element, "text" | "tail") for every text slot under ``root``, in reading order."""

    def walk(el: _Element) -> Iterator[tuple[_Element, str]]:
        if not isinstance(el.tag, str):
            return
        if el.tag in _SKIP_TAGS:
            return
        yield el, "text"
        for child in el:
            yield from walk(child)
            if child is not root:
                yield child, "tail"

    yield from walk(root)


def replace_slot(el: _Element, slot: str, pieces: list, make: Callable[[str, str], _Element]) -> None:
    """Put ``pieces`` (strings and (class, text) spans) in place of a text slot."""
    strings_first = ""
    idx = 0
    while idx < len(pieces) and isinstance(pieces[idx], str):
        strings_first += pieces[idx]
        idx += 1
    rest = pieces[idx:]
    if slot == "text":
        el.text = strings_first or None
        parent, insert_at = el, 0
    else:
        el.tail = strings_first or None
        parent = el.getparent()
        insert_at = parent.index(el) + 1
    last = None
    for piece in rest:
        if isinstance(piece, str):
            assert last is not None
            last.tail = (last.tail or "") + piece
            continue
        cls, text = piece
        span = make(cls, text)
        parent.insert(insert_at, span)
        insert_at += 1
        last = span


def _span(cls: str, text: str) -> _Element:
    span = lxml_html.Element("span")
    span.set("class", cls)
    span.text = text
    return span


def typeset_element(root: _Element) -> None:
    """Apply soft-break joining, Han/Latin spacing and punctuation compression in place."""
    slots = list(text_slots(root))
    for el, slot in slots:
        value = getattr(el, slot)
        if value and "\n" in value:
            setattr(el, slot, join_soft_breaks(value))
    texts = [getattr(el, slot) or "" for el, slot in slots]
    plans = []
    for i, (el, slot) in enumerate(slots):
        text = texts[i]
        if not text:
            continue
        if slot == "text" and el.get("class", "").split() and {"sl", "sr", "pc"} & set(el.get("class", "").split()):
            continue
        before = next((t[-1] for t in reversed(texts[:i]) if t), "")
        after = next((t[0] for t in texts[i + 1:] if t), "")
        pieces = _pieces(text, before, after)
        if any(isinstance(p, tuple) for p in pieces):
            plans.append((el, slot, pieces))
    for el, slot, pieces in reversed(plans):
        replace_slot(el, slot, pieces, _span)


def typeset_html(fragment: str) -> str:
    """Typeset an HTML fragment (a record body rendered from Markdown)."""
    if not fragment.strip():
        return ""
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    typeset_element(wrapper)
    out = (wrapper.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in wrapper)
    return out


def typeset_text(text: str) -> str:
    """Typeset plain text (a title, a unit) and return escaped HTML."""
    import html

    wrapper = lxml_html.fragment_fromstring("<span></span>", create_parent="div")
    wrapper[0].text = text
    typeset_element(wrapper[0])
    inner = lxml_html.tostring(wrapper[0], encoding="unicode")
    return inner[len("<span>"):-len("</span>")] if inner.startswith("<span>") else html.escape(text)
