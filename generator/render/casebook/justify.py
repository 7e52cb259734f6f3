"""Inter-character justification for WeasyPrint, which only stretches spaces.

Chinese text has no spaces, so ``text-align: justify`` leaves most lines ragged
on the right. The fix keeps every character as it is (text copied from the PDF
reads exactly as the source) and works in two layout passes:

1. lay the book out with body paragraphs set flush left and read, from
   WeasyPrint's layout tree, each line's characters and the room left at its end
   (the *slack*);
2. wrap each non-final line's characters, except its last one, in a ``<span>``
   with ``letter-spacing = slack / (characters - 1)`` and lay out again. The line
   then ends exactly at the right edge; line breaks, and so page breaks and page
   numbers, do not change because every line keeps the characters it had.

A quarter-em Han/Latin space (``.sl`` / ``.sr``) that lands at a line start or
end is dropped there (clreq: no extra space at line edges) and its width given
to the letter spacing.

:func:`measure` reads a laid-out document and reports the share of non-final
body lines that end within 0.5 pt of the right edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml.etree import _Element

from .typography import replace_slot, text_slots

PX_PER_PT = 4 / 3
TOLERANCE_PT = 0.5
_SKIP_INSIDE = {"code", "pre", "kbd", "samp", "img", "br", "svg", "sup", "sub"}


@dataclass
class Line:
    text: str
    slack: float  # px of room left at the end of the line
    drop_left: tuple[str, float] | None = None  # (data-h, margin px) of a .sl span starting the line
    drop_right: tuple[str, float] | None = None


@dataclass
class Paragraph:
    key: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Measure:
    lines: int  # non-final body lines
    flush: int  # of which end within TOLERANCE_PT of the right edge
    paragraphs: int

    @property
    def share(self) -> float:
        return self.flush / self.lines if self.lines else 1.0

    def __str__(self) -> str:
        return (f"{self.flush}/{self.lines} 非末行两端对齐 ({self.share:.1%} of non-final body lines flush "
                f"within {TOLERANCE_PT} pt)")


def _boxes():
    from weasyprint.formatting_structure import boxes

    return boxes


def _walk(box) -> Iterator:
    boxes = _boxes()
    stack = [box]
    while stack:
        b = stack.pop()
        yield b
        if isinstance(b, boxes.ParentBox):
            stack.extend(reversed(b.children))


def _leaves(box) -> Iterator:
    boxes = _boxes()
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, boxes.ParentBox):
        for c in box.children:
            yield from _leaves(c)


def _edge_span(line, side: str) -> tuple[str, float] | None:
    """The .sl/.sr span sitting at the very start (side="left") or end of a line."""
    boxes = _boxes()
    box = line
    cls = "sl" if side == "left" else "sr"
    while isinstance(box, boxes.ParentBox) and box.children:
        box = box.children[0] if side == "left" else box.children[-1]
        el = getattr(box, "element", None)
        if isinstance(box, boxes.InlineBox) and el is not None and el.get("data-h") \
                and cls in (el.get("class") or "").split():
            margin = box.margin_left if side == "left" else box.margin_right
            if margin:
                return el.get("data-h"), float(margin)
    return None


def analyse(document) -> dict[str, Paragraph]:
    """Lines of every paragraph marked ``data-j`` in a rendered WeasyPrint document."""
    boxes = _boxes()
    paras: dict[str, Paragraph] = {}
    for page in document.pages:
        for box in _walk(page._page_box):
            if not isinstance(box, boxes.BlockBox):
                continue
            el = getattr(box, "element", None)
            if el is None or "::" in (box.element_tag or "") or not el.get("data-j"):
                continue
            key = el.get("data-j")
            para = paras.setdefault(key, Paragraph(key))
            right_edge = box.content_box_x() + box.width
            for line in box.children:
                if not isinstance(line, boxes.LineBox) or not line.children:
                    continue
                text = "".join(leaf.text for leaf in _leaves(line))
                right = max(c.position_x + c.margin_width() for c in line.children)
                para.lines.append(Line(text, right_edge - right, _edge_span(line, "left"),
                                       _edge_span(line, "right")))
    return paras


def measure(document) -> Measure:
    paras = analyse(document)
    lines = flush = 0
    for para in paras.values():
        for line in para.lines[:-1]:
            lines += 1
            if line.slack <= TOLERANCE_PT * PX_PER_PT:
                flush += 1
    return Measure(lines, flush, len(paras))


def _nonspace(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def apply(tree: _Element, paras: dict[str, Paragraph]) -> int:
    """Wrap characters of non-final lines in letter-spaced spans; returns lines adjusted."""
    adjusted = 0
    by_key = {el.get("data-j"): el for el in tree.iter() if isinstance(el.tag, str) and el.get("data-j")}
    spans = {el.get("data-h"): el for el in tree.iter() if isinstance(el.tag, str) and el.get("data-h")}
    for key, para in paras.items():
        p = by_key.get(key)
        if p is None or len(para.lines) < 2:
            continue
        if any(isinstance(el.tag, str) and el.tag in _SKIP_INSIDE for el in p.iter()):
            continue
        slots = list(text_slots(p))
        dom_text = "".join(getattr(el, slot) or "" for el, slot in slots)
        if _nonspace(dom_text) != sum(_nonspace(line.text) for line in para.lines):
            continue  # the DOM and the layout disagree (generated content?): leave it ragged
        # plan: for each non-space index, the letter-spacing (px) or None
        spacing: list[float | None] = []
        for line in para.lines[:-1]:
            visible = line.text.strip()
            n = _nonspace(visible)
            gaps = len(visible) - 1
            extra = line.slack
            if line.drop_left:
                extra += line.drop_left[1]
            if line.drop_right:
                extra += line.drop_right[1]
            ls = (extra - 0.04) / gaps if gaps > 0 and extra > 0.05 else None
            if ls is not None:
                adjusted += 1
                for which, cls in ((line.drop_left, "nl"), (line.drop_right, "nr")):
                    if which and which[0] in spans:
                        span = spans[which[0]]
                        span.set("class", (span.get("class", "") + " " + cls).strip())
            spacing.extend([ls] * (n - 1) + [None] if n else [])
        spacing.extend([None] * _nonspace(para.lines[-1].text))
        index = 0
        plans = []
        for el, slot in slots:
            text = getattr(el, slot) or ""
            if not text:
                continue
            pieces: list = []
            for ch in text:
                if ch.isspace():
                    # a space inside a line takes the spacing of the character before it
                    ls = spacing[index - 1] if 0 < index <= len(spacing) and index < len(spacing) \
                        and spacing[index] is not None else None
                else:
                    ls = spacing[index] if index < len(spacing) else None
                    index += 1
                key_ls = None if ls is None else f"{ls:.4f}"
                if pieces and isinstance(pieces[-1], list) and pieces[-1][0] == key_ls:
                    pieces[-1][1] += ch
                else:
                    pieces.append([key_ls, ch])
            out = [text_ if ls is None else (ls, text_) for ls, text_ in pieces]
            if any(isinstance(x, tuple) for x in out):
                plans.append((el, slot, out))
        for el, slot, out in reversed(plans):
            replace_slot(el, slot, out, _spaced_span)
    return adjusted


def _spaced_span(ls: str, text: str):
    from lxml import html as lxml_html

    span = lxml_html.Element("span")
    span.set("class", "ls")
    span.set("style", f"letter-spacing:{ls}px")
    span.text = text
    return span
