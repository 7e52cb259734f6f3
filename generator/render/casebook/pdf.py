"""The book as HTML laid out by WeasyPrint (the former engine, kept for the benchmark) and the page
geometry and photo print copies both engines use."""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from lxml import html as lxml_html
from markupsafe import Markup

from ... import theme
from . import justify
from .content import BookContent, Entry, cn_number, markdown_html
from .typography import typeset_html, typeset_text

TEMPLATES = theme.TEMPLATES

#: Paper sizes in mm and the body's characters per line: the type area is a whole
#: number of characters wide, so lines of pure Han text are flush without help.
PAPER = {
    "A4": {"size": (210.0, 297.0), "chars": 40, "top": 26.0, "bottom": 28.0},
    "B5": {"size": (176.0, 250.0), "chars": 34, "top": 22.0, "bottom": 24.0},
    "16开": {"size": (185.0, 260.0), "chars": 36, "top": 23.0, "bottom": 25.0},
}
BODY_PT = 10.5  # 五号
GUTTER_MM = 3.0  # extra room on the binding side
PT_MM = 25.4 / 72
PRINT_DPI = 300
MAX_PHOTO_HEIGHT = 0.42  # of the type area's height


@dataclass
class PrintedPhoto:
    url: str
    width_mm: float
    caption_html: str
    pixels: tuple[int, int]


@dataclass
class BuildReport:
    path: Path
    pages: int
    justified: justify.Measure
    photos: int


def geometry(paper: str) -> dict[str, float]:
    spec = PAPER.get(paper, PAPER["A4"])
    w, h = spec["size"]
    text_w = spec["chars"] * BODY_PT * PT_MM
    side = (w - text_w) / 2
    return {
        "page_w": w, "page_h": h, "text_w": round(text_w, 3),
        "text_h": h - spec["top"] - spec["bottom"],
        "m_top": spec["top"], "m_bottom": spec["bottom"],
        "m_inner": round(side + GUTTER_MM / 2, 3), "m_outer": round(side - GUTTER_MM / 2, 3),
    }


# --------------------------------------------------------------------------- photos


def print_copy(config, src: Path, width_mm: float) -> Path:
    from ..images import ImagePublisher

    return Path(ImagePublisher(config, config.site_path).print_copy(src, width_mm))


def photo_width_mm(pixels: tuple[int, int], text_w: float, max_h: float) -> float:
    """Printed width: the type area's width, lower for tall photos, never below 300 dpi."""
    w, h = pixels
    width = min(text_w, max_h * w / h, w / PRINT_DPI * 25.4)
    return math.floor(width * 100) / 100


def _photo(config, src: Path, caption: str, geo: dict[str, float]) -> PrintedPhoto:
    from PIL import Image, ImageOps

    with Image.open(src) as im:
        size = ImageOps.exif_transpose(im).size if im.getexif().get(0x0112, 1) in (5, 6, 7, 8) else im.size
    width = photo_width_mm(size, geo["text_w"], geo["text_h"] * MAX_PHOTO_HEIGHT)
    copy = print_copy(config, src, width)
    return PrintedPhoto(copy.resolve().as_uri(), width, Markup(typeset_text(caption)) if caption else "", size)


# --------------------------------------------------------------------------- HTML


def _css_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _shift_headings(fragment: str) -> str:
    """A case body's ``##`` sits under the case title (h2): print it as h3, and so on."""
    if not fragment:
        return fragment
    for level in (5, 4, 3, 2, 1):
        fragment = fragment.replace(f"<h{level}", f"<h{level + 1}").replace(f"</h{level}>", f"</h{level + 1}>")
    return fragment


def split_title(title: str) -> tuple[str, str]:
    """``主标题——副标题`` -> (main, "——副标题"): the subtitle goes on its own line."""
    head, sep, tail = title.partition("——")
    if sep and head.strip() and tail.strip():
        return head.strip(), sep + tail.strip()
    return title, ""


def _entry_view(e: Entry, config, geo) -> dict[str, Any]:
    main, sub = split_title(e.title)
    return {
        "id": e.id,
        "title_html": Markup(typeset_text(e.title)),
        "main_html": Markup(typeset_text(main)),
        "sub_html": Markup(typeset_text(sub)) if sub else "",
        "unit": e.unit,
        "unit_html": Markup(typeset_text(e.unit)) if e.unit else "",
        "author": e.author,
        "author_html": Markup(typeset_text(e.author)) if e.author else "",
        "source": e.source,
        "source_html": Markup(typeset_text(e.source)) if e.source else "",
        "html": Markup(typeset_html(_shift_headings(markdown_html(e.body)))),
        "photos": [_photo(config, ph.path, ph.caption, geo) for ph in e.photos if ph.path.is_file()],
    }


def book_html(content: BookContent, config, *, draft: bool = False, measure: bool = True) -> str:
    """The book as one HTML document (first-pass markup: paragraphs numbered, not yet justified)."""
    geo = geometry(content.paper)
    env = theme.environment(theme.project_dirs(config), autoescape=jinja2.select_autoescape(["html"]))
    cover_url = ""
    if content.cover:
        width = geo["page_w"] + 2 * content.bleed_mm
        cover_url = print_copy(config, content.cover, width).resolve().as_uri()
    css = env.get_template("casebook/print.css").render(
        **geo, bleed=content.bleed_mm, marks=content.marks, draft=draft, body_pt=BODY_PT,
        cover_url=cover_url, title_css=_css_string(content.title))
    parts = [{
        "number": p.number, "ordinal": cn_number(p.number), "title": p.title,
        "title_html": Markup(typeset_text(p.title)),
        "entries": [_entry_view(e, config, geo) for e in p.entries],
    } for p in content.parts]

    def editorial(ed):
        if ed is None:
            return None
        return {"title": ed.title, "html": Markup(typeset_html(signature_block(markdown_html(ed.body))))}

    markup = env.get_template("casebook/print.html").render(
        book=content, parts=parts, css=Markup(css), draft=draft,
        preface=editorial(content.preface), afterword=editorial(content.afterword),
        cover_url=cover_url, measure=measure)
    return markup


def signature_block(fragment: str) -> str:
    """The closing lines of a preface or afterword (who wrote it, when) set flush right.

    A last paragraph of short lines that do not end a sentence is a signature:
    its source lines are kept as lines instead of being run together.
    """
    m = re.search(r"<p>([^<]*)</p>\s*$", fragment)
    if not m:
        return fragment
    lines = [ln.strip() for ln in m.group(1).split("\n") if ln.strip()]
    if not lines or any(len(ln) > 30 or ln[-1] in "。！？；：" for ln in lines):
        return fragment
    inner = "".join(f'<span class="sig-line">{ln}</span>' for ln in lines)
    return fragment[:m.start()] + f'<p class="signature">{inner}</p>' + fragment[m.end():]


def number_paragraphs(tree) -> None:
    """``data-j`` on every justified body paragraph, ``data-h`` on every Han/Latin space."""
    for i, p in enumerate(tree.xpath("//*[contains(concat(' ', @class, ' '), ' prose ')]//p")):
        p.set("data-j", str(i))
    for i, span in enumerate(tree.xpath("//span[contains(concat(' ', @class, ' '), ' sl ') or "
                                        "contains(concat(' ', @class, ' '), ' sr ')]")):
        span.set("data-h", str(i))


def _fetcher(allowed: list[Path]):
    """Only local files under the content folder, the cache and the templates; nothing remote."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path == r or r in path.parents for r in roots):
                    raise ValueError(f"refused {url}: outside the project")
            elif not url.startswith("data:"):
                raise ValueError(f"refused {url}: the book uses local files only")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file", "data"))


class _Quiet:
    """Silence WeasyPrint's warnings about CSS it ignores (logged, never raised)."""

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)


def render_pdf(content: BookContent, config, output: Path, *, draft: bool = False) -> BuildReport:
    """Lay the book out twice (measure, then justify) and write the PDF."""
    import weasyprint

    markup = book_html(content, config, draft=draft, measure=True)
    tree = lxml_html.document_fromstring(markup)
    number_paragraphs(tree)
    base = config.content_path.resolve().as_uri() + "/"
    fetch = _fetcher([config.content_path, config.cache_path, TEMPLATES])
    font_config = weasyprint.text.fonts.FontConfiguration()
    with _Quiet():
        first = weasyprint.HTML(string=lxml_html.tostring(tree, encoding="unicode"), base_url=base,
                                url_fetcher=fetch).render(font_config=font_config)
        paras = justify.analyse(first)
        del first
        justify.apply(tree, paras)
        tree.set("class", "final")
        document = weasyprint.HTML(string=lxml_html.tostring(tree, encoding="unicode"), base_url=base,
                                   url_fetcher=fetch).render(font_config=font_config)
        measured = justify.measure(document)
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".part")
        document.write_pdf(tmp, pdf_identifier=b"wenming-casebook", uncompressed_pdf=False)
        tmp.replace(output)
    photos = sum(len(e.photos) for e in content.entries)
    return BuildReport(output, len(document.pages), measured, photos)
