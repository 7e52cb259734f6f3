"""The typeset book read back from its PDF, as a proofreader would check it (W3C clreq).

Used by the tests and by ``benchmarks/bench_casebook.py`` to compare engines:

* 孤字 (runts): a paragraph's last line holding a single character, with or without
  punctuation after it (``品。``);
* lines that start with a space (a Han/Latin space or a typed space left at a line start);
* a number split from the unit after it (``2022`` | ``年``) across a line break;
* a heading as a page's last line;
* pages more than half empty: photo-only pages anywhere, pages with text outside a
  chapter's end (the last page of a chapter, of the front matter's parts, of the book);
  cover, title pages, chapter openings and blank versos are left out.

Lines come from ``pdftotext -bbox-layout`` (each word's box and size); page emptiness
from the page rendered at low resolution (the largest blank band in the type area).
"""

from __future__ import annotations

import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

_NS = {"x": "http://www.w3.org/1999/xhtml"}


@dataclass
class Line:
    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def size(self) -> float:
        return self.y1 - self.y0


@dataclass
class Clreq:
    pages: int
    paragraph_ends: int = 0
    runts: list[str] = field(default_factory=list)  # 孤字
    space_starts: list[str] = field(default_factory=list)
    split_units: list[str] = field(default_factory=list)
    headings_at_foot: list[str] = field(default_factory=list)  # a body heading (1.05 em) ending a page
    photo_only: list[int] = field(default_factory=list)  # 1-based: more than half empty, no text
    half_empty: list[int] = field(default_factory=list)  # 1-based: with text, outside section ends
    half_empty_ends: list[int] = field(default_factory=list)  # the same at a section's end (allowed)
    text_pages: set[int] = field(default_factory=set)  # 0-based pages with body text

    def __str__(self) -> str:
        return (f"孤字 {len(self.runts)}/{self.paragraph_ends} 段末, 行首空格 {len(self.space_starts)}, "
                f"数字与单位分行 {len(self.split_units)}, 页脚标题 {len(self.headings_at_foot)}, "
                f"只有图片的页 {len(self.photo_only)}, 过半空白页 {len(self.half_empty)}/{self.pages} "
                f"(runts, lines starting with a space, numbers split from units, headings at a page foot, "
                f"photo-only pages, pages more than half empty outside section ends; "
                f"{len(self.half_empty_ends)} more at section ends)")


def read_lines(pdf: Path) -> list[list[Line]]:
    """Every page's visual lines: words of one size on one baseline, left to right.

    (pdftotext's own line grouping may cut a visual line where the engine placed a box.)"""
    xml = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"],
                         capture_output=True, check=True).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    pages = []
    for n, page in enumerate(root.iterfind(".//x:page", _NS)):
        words = sorted((float(w.get("yMin")), float(w.get("yMax")), float(w.get("xMin")), float(w.get("xMax")),
                        w.text or "") for w in page.iterfind(".//x:word", _NS))
        rows: list[list[tuple]] = []
        for word in words:  # words whose tops are within 2 pt of a row's first word join that row
            if rows and word[0] - rows[-1][0][0] < 2.0:
                rows[-1].append(word)
            else:
                rows.append([word])
        lines: list[Line] = []
        for row in rows:
            row.sort(key=lambda w: w[2])
            top = min(w[0] for w in row)
            # the row's size: its smallest word box (a box grows with a tall glyph, never shrinks)
            size = min(w[1] - w[0] for w in row)
            lines.append(Line(n, row[0][2], top, max(w[3] for w in row), top + size, "".join(w[4] for w in row)))
        pages.append(lines)
    return pages


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _is_han(ch: str) -> bool:
    from .typography import is_han

    return is_han(ch)


def _mode(values) -> float:
    from collections import Counter

    rounded = Counter(round(v * 2) / 2 for v in values)
    return rounded.most_common(1)[0][0]


def _edge(values: list[float], pick) -> float | None:
    """The leftmost (``min``) or rightmost (``max``) position at least two lines share."""
    from collections import Counter

    counts = Counter(round(v * 2) / 2 for v in values)
    shared = [v for v, n in counts.items() if n >= 2]
    return pick(shared) if shared else None


def text_checks(pages: list[list[Line]]) -> Clreq:
    """孤字, line-start spaces and split numbers, from lines of the body text's size.

    Engine-independent: the body size is the most common line height (pdftotext's word
    boxes are the font's ascent to descent, which differs between PDF writers) and the em
    the median advance of a character on the longer body lines."""
    import statistics
    from collections import Counter

    res = Clreq(pages=len(pages))
    sized = Counter(round(ln.size, 1) for lines in pages for ln in lines if len(ln.text) >= 10)
    if not sized:
        return res
    body_size = sized.most_common(1)[0][0]

    def is_body(ln: Line) -> bool:  # a word's box grows with a tall glyph (“), never shrinks
        return body_size - 0.3 < ln.size < body_size * 1.15

    widths = [(ln.x1 - ln.x0) / len(ln.text) for lines in pages for ln in lines
              if is_body(ln) and len(ln.text) >= 20]
    em = statistics.median(widths) if widths else body_size
    for lines in pages:
        body = [ln for ln in lines if is_body(ln) and ln.text.strip()]
        if not body:
            continue
        # the type area's edges: where most lines start and end (a line starting with an opening
        # bracket or a Latin letter may sit a little outside, as clreq allows)
        left = _edge([ln.x0 for ln in body if not _is_punct(ln.text[:1])], min) or _mode(ln.x0 for ln in body)
        right = _edge([ln.x1 for ln in body if not _is_punct(ln.text[-1:])], max) or _mode(ln.x1 for ln in body)
        # a running head and a folio (the page's first and last lines) are no paragraph's lines
        edges = {id(min(lines, key=lambda ln: ln.y0)), id(max(lines, key=lambda ln: ln.y0))}
        body = [ln for ln in body if id(ln) not in edges]
        if not body:
            continue
        res.text_pages.add(lines[0].page)
        body.sort(key=lambda ln: (ln.y0, ln.x0))
        last = body[-1]
        if abs(last.size - body_size * 1.05) < body_size * 0.015:  # a case's ### heading is 1.05 em
            res.headings_at_foot.append(last.text)
        for i, ln in enumerate(body):
            nxt = body[i + 1] if i + 1 < len(body) else None
            follows = nxt is not None and nxt.y0 - ln.y1 < em * 1.2  # the next line of the same block
            # a paragraph's first line is indented 2 em (1.5 em when it opens with a bracket)
            starts_para = nxt is not None and 1.3 * em < nxt.x0 - left < 2.3 * em
            short = right - ln.x1 > 0.5 * em  # justified lines are full: a short one ends a paragraph
            offset = ln.x0 - left
            if 0.1 * em < offset < 0.9 * em and not _is_punct(ln.text[:1]):
                res.space_starts.append(ln.text)
            if short and offset < 2.5 * em:
                res.paragraph_ends += 1
                chars = [ch for ch in ln.text if not ch.isspace()]
                if sum(1 for ch in chars if not _is_punct(ch)) == 1:
                    res.runts.append(ln.text)
            if follows and not starts_para and ln.text[-1:].isdigit() and _is_han(nxt.text[:1]) \
                    and "...." not in ln.text:  # a contents line ends with its page number
                res.split_units.append(f"{ln.text[-12:]} | {nxt.text[:6]}")
    return res


def _blank_band(img, top: int, bottom: int, left: int, right: int) -> tuple[float, bool]:
    """(largest share of the type area's height without ink, whether it is all blank)."""
    import numpy as np

    area = np.asarray(img, dtype=np.uint8)[top:bottom, left:right]
    if area.size == 0:
        return 0.0, True
    inked = (area < 200).any(axis=1)
    if not inked.any():
        return 1.0, True
    best = run = 0
    for row in inked:
        run = 0 if row else run + 1
        best = max(best, run)
    return best / len(inked), False


def page_fill(pdf: Path, geo: dict, bleed_mm: float, section_starts: dict[int, int], res: Clreq,
              dpi: int = 20) -> None:
    """Record the pages of ``pdf`` more than half empty (see the module's docstring)."""
    from PIL import Image

    px = dpi / 25.4
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"], check=True)
        files = sorted(Path(tmp).glob("p-*.pgm"))
        bands = []
        for f in files:
            with Image.open(f) as im:
                # the type area: inside the bleed, between the top and bottom margins (heads and
                # folios sit in the margins), the full width between the outer margins
                top = round((bleed_mm + geo["m_top"]) * px)
                bottom = round((bleed_mm + geo["page_h"] - geo["m_bottom"]) * px)
                left = round((bleed_mm + min(geo["m_inner"], geo["m_outer"])) * px)
                right = round((bleed_mm + geo["page_w"] - min(geo["m_inner"], geo["m_outer"])) * px)
                # a slug for crop marks would shift everything: measure from the page's own size
                slug_x = (im.width - round((geo["page_w"] + 2 * bleed_mm) * px)) // 2
                slug_y = (im.height - round((geo["page_h"] + 2 * bleed_mm) * px)) // 2
                bands.append(_blank_band(im, top + slug_y, bottom + slug_y, left + slug_x, right + slug_x))
    n = len(bands)
    for p, (band, blank) in enumerate(bands):
        if blank or band <= 0.5:
            continue
        # the last page of a chapter, of the front matter or of the book: what follows starts a
        # right-hand page (a blank left-hand page between) -- a case's end is no such end
        end = p + 1 >= n or bands[p + 1][1] or section_starts.get(p + 1) == 1
        before = p < min(section_starts, default=0)  # cover, title page, 版权页
        opening = section_starts.get(p) == 1  # a chapter's opening page
        if before or opening:
            continue
        if p not in res.text_pages:
            res.photo_only.append(p + 1)
        elif end:
            res.half_empty_ends.append(p + 1)
        else:
            res.half_empty.append(p + 1)


def outline_starts(pdf: Path) -> tuple[dict[int, int], list[tuple[int, str, int]]]:
    """{page (0-based): depth} of every bookmark, and the bookmarks (depth, title, page)."""
    import pypdf

    reader = pypdf.PdfReader(str(pdf))
    out: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    starts: dict[int, int] = {}
    for depth, _, page in out:
        starts[page] = min(depth, starts.get(page, depth))
    return starts, out


def check_book(pdf: Path, paper_geo: dict, bleed_mm: float) -> Clreq:
    """All the counts for a reading copy (cover first, bookmarks for every section)."""
    res = text_checks(read_lines(pdf))
    starts, _ = outline_starts(pdf)
    page_fill(pdf, paper_geo, bleed_mm, starts, res)
    return res
