"""The printed book laid out by Typst: the reading copy, the text block (内文) and the cover (封面).

The book's words travel to Typst as data (a JSON file named by ``sys.inputs.data``), never as markup: the
template (the theme's ``casebook/book.typ``) shows every string as text, so a
title holding ``#``, ``*``, ``$`` or ``]`` prints as those characters and runs
nothing. Markdown bodies are rendered to sanitised HTML by the site's own
renderer (:func:`.content.markdown_html`) and turned into a small tree of
blocks and inline runs here.

One compile gives the reading copy (cover, inside cover, text block; tagged
PDF/UA-1 with each photo's caption as its alt text). The text block is that
PDF without its first two pages, padded with blank pages to a multiple of the
signature; the cover spread is a second, one-page compile whose spine width
comes from the text block's page count. Both print files go through
:func:`generator.render.pdfx.finalize` (PDF/X-4 by default).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import html as lxml_html

from ... import theme
from .content import BookContent, Entry, cn_number, markdown_html
from .pdf import (
    BODY_PT,
    MAX_PHOTO_HEIGHT,
    PAPER,
    geometry,
    photo_width_mm,
    print_copy,
    signature_block,
)
from .typography import HAN, join_soft_breaks

#: 开本 as the trade writes it: the full sheet and how many pages of the size it cuts to.
FORMATS = {
    "A4": ("880 mm × 1230 mm", 16),
    "B5": ("700 mm × 1000 mm", 16),
    "16开": ("787 mm × 1092 mm", 16),
}

_SPACE_HAN_LATIN = re.compile(rf"(?<=[{HAN}])[ \u00a0]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \u00a0]+(?=[{HAN}])")
LINE_PITCH = 1.75  # body line pitch in ems (book.typ: 1em line box + 0.75em leading)
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "table", "pre", "hr", "div"}


@dataclass
class TypstReport:
    """What ``wenming casebook`` wrote."""

    path: Path  # the reading copy
    pages: int  # of the reading copy
    photos: int
    text_block: Path | None = None
    cover: Path | None = None
    block_pages: int = 0  # of the text block, after padding
    spine_mm: float = 0.0
    colophon: dict[str, str | None] = field(default_factory=dict)


# --------------------------------------------------------------------------- text


def clean_text(text: str) -> str:
    """Markdown soft breaks joined, and the space typed between Han and Latin dropped.

    Typst puts a quarter em between Han and Latin itself (``cjk-latin-spacing``),
    and drops it at a line's start or end; a typed space would instead be a
    full word space that can start a line.
    """
    if "\n" in text:
        text = join_soft_breaks(text)
    return _SPACE_HAN_LATIN.sub("", text)


def _inlines(el) -> list:
    """The inline runs of an element: strings and ``{"t": kind, "c": [...]}``."""
    out: list = []

    def add(s: str | None):
        if not s:
            return
        s = clean_text(s)
        if out and isinstance(out[-1], str):
            out[-1] = clean_text(out[-1] + s)
        else:
            out.append(s)

    add(el.text)
    for child in el:
        if not isinstance(child.tag, str):
            add(child.tail)
            continue
        tag = child.tag
        kind = {"strong": "b", "b": "b", "em": "i", "i": "i", "code": "code", "kbd": "code",
                "sup": "sup", "sub": "sub", "br": "br"}.get(tag, "span")
        if tag == "img":
            add(child.get("alt"))
        elif kind == "br":
            out.append({"t": "br", "c": []})
        else:
            node = {"t": kind, "c": _inlines(child)}
            if node["c"]:
                out.append(node)
        add(child.tail)
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return [x for x in out if x != ""]


def html_blocks(fragment: str, shift: int = 0) -> list[dict]:
    """Sanitised HTML (from Markdown) as the template's blocks; headings moved down ``shift`` levels."""
    if not fragment.strip():
        return []
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return _children_blocks(root, shift)


def _children_blocks(root, shift: int) -> list[dict]:
    blocks: list[dict] = []
    holder = lxml_html.Element("p")

    def flush():
        nonlocal holder
        if len(holder) or (holder.text or "").strip():
            c = _inlines(holder)
            if c:
                blocks.append({"t": "p", "c": c})
        holder = lxml_html.Element("p")

    holder.text = root.text
    for child in list(root):
        if not isinstance(child.tag, str):
            continue
        if child.tag in _BLOCK_TAGS or child.tag == "li":
            flush()
            blocks.extend(_block(child, shift))
            holder.text = child.tail
        else:
            tail = child.tail
            child.tail = None
            holder.append(child)
            child.tail = tail
    flush()
    return blocks


def _block(el, shift: int) -> list[dict]:
    tag = el.tag
    if tag == "p":
        if "signature" in (el.get("class") or "").split():
            return [{"t": "sig", "lines": [_inlines(s) for s in el]}]
        c = _inlines(el)
        return [{"t": "p", "c": c}] if c else []
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return [{"t": "h", "level": min(6, int(tag[1]) + shift), "c": _inlines(el)}]
    if tag == "blockquote":
        return [{"t": "quote", "c": _children_blocks(el, shift)}]
    if tag in ("ul", "ol"):
        items = [_children_blocks(li, shift) for li in el if isinstance(li.tag, str) and li.tag == "li"]
        return [{"t": "list", "ordered": tag == "ol", "items": items}]
    if tag == "table":
        rows = []
        for tr in el.iter("tr"):
            rows.append([{"h": td.tag == "th", "c": _inlines(td)} for td in tr if td.tag in ("td", "th")])
        return [{"t": "table", "rows": [r for r in rows if r]}] if any(rows) else []
    if tag == "pre":
        return [{"t": "pre", "text": el.text_content()}]
    if tag == "hr":
        return [{"t": "hr"}]
    return [{"t": "div", "c": _children_blocks(el, shift)}]


def _with_photos(blocks: list[dict], photos: list[dict]) -> list[dict]:
    """Photos among their case's paragraphs (Typst floats each to the top or bottom of the page
    where it stands, or to the next page's top).

    The first stands after the case's first paragraph, the others spread over the first two
    thirds of the text: a photo standing near a case's end that no longer fits would float to
    a page of its own after the text."""
    if not photos:
        return blocks
    out = list(blocks)
    n = len(blocks)
    for i, ph in reversed(list(enumerate(photos))):
        at = min(n, 1 + round(i * (2 * n / 3) / len(photos))) if n else 0
        out.insert(at, ph)
    return out


# --------------------------------------------------------------------------- the book as data


def _photo(config, path: Path, caption: str, geo, slots: list[Path], alt: str) -> dict | None:
    """A photo as the template places it: at its printed size, as a placeholder (see :func:`_swap_photos`)."""
    from PIL import Image, ImageOps

    if not path.is_file():
        return None
    with Image.open(path) as im:
        size = ImageOps.exif_transpose(im).size if im.getexif().get(0x0112, 1) in (5, 6, 7, 8) else im.size
    width = photo_width_mm(size, geo["text_w"], geo["text_h"] * MAX_PHOTO_HEIGHT)
    copy = print_copy(config, path, width)
    with Image.open(copy) as im:
        px = im.size
    slots.append(copy)
    cap = clean_text(caption or "")
    return {"t": "photo", "slot": len(slots), "width_mm": width, "height_mm": round(width * px[1] / px[0], 3),
            "caption": cap, "caption_c": [cap] if cap else [], "alt": cap or alt}


def _rooted(path: Path, root: Path) -> str:
    return "/" + Path(path).resolve().relative_to(root).as_posix()


def _entry(e: Entry, config, geo, slots: list[Path]) -> dict:
    from .pdf import split_title

    main, sub = split_title(e.title)
    alt = f"{clean_text(e.title)}的图片"  # for a photo without a caption
    photos = [p for p in (_photo(config, ph.path, ph.caption, geo, slots, alt) for ph in e.photos) if p]
    for p in photos:
        p["case"] = e.id
    return {
        "id": e.id, "title": clean_text(e.title), "main": clean_text(main), "sub": clean_text(sub),
        "unit": clean_text(e.unit or ""), "author": clean_text(e.author or ""),
        "source": clean_text(e.source or ""),
        "blocks": _with_photos(html_blocks(markdown_html(e.body), shift=1), photos),
    }


def _editorial(ed) -> dict | None:
    if ed is None:
        return None
    return {"title": ed.title, "blocks": html_blocks(signature_block(markdown_html(ed.body)))}


def book_data(content: BookContent, config, root: Path, slots: list[Path], *, draft: bool = False) -> dict:
    """The book as the template's data; ``slots`` collects the photos' print copies (slot n is n-th)."""
    geo = geometry(content.paper)
    cover = None
    if content.cover:
        width = geo["page_w"] * 2 + 2 * content.bleed_mm  # sharp on the spread too
        cover = _rooted(print_copy(config, content.cover, width), root)
    full = content.title + (f" {content.subtitle}" if content.subtitle else "")
    return {
        "mode": "book", "draft": draft,
        "title": content.title, "subtitle": str(content.subtitle or ""), "editor": content.editor or "",
        "full_title": full, "spine_title": full.replace(" ", ""),
        "spine_editor": (content.editor or "").replace(" ", ""),
        "geo": {**geo, "bleed": content.bleed_mm},
        "cover": cover,
        "preface": _editorial(content.preface), "afterword": _editorial(content.afterword),
        "parts": [{"number": p.number, "ordinal": cn_number(p.number), "title": p.title,
                   "entries": [_entry(e, config, geo, slots) for e in p.entries]} for p in content.parts],
        "colophon": [],
        "spine_mm": 0,
    }


# --------------------------------------------------------------------------- 版权页


def colophon_inputs(content: BookContent) -> tuple[str, int, int]:
    """(开本 text, pages per printed sheet, 版面字数 per page)."""
    sheet, per_sheet = FORMATS.get(content.paper, FORMATS["A4"])
    geo = geometry(content.paper)
    chars = PAPER.get(content.paper, PAPER["A4"])["chars"]
    pitch_mm = BODY_PT * LINE_PITCH * 25.4 / 72
    lines = int(geo["text_h"] // pitch_mm)
    return content.format or f"{sheet} 1/{per_sheet}", per_sheet, chars * lines


def colophon(content: BookContent, book_pages: int | None, *, today: date | None = None) -> dict[str, str | None]:
    """The 版权页's fields: 书名, 编者, 开本, 印张, 字数, 版次, 印次 (from the definition or counted).

    印张 is pages ÷ pages per sheet; 字数 the trade's 版面字数 (characters per line × lines per
    page × pages) in thousands. With ``book_pages`` None those two are left for the template to
    count (it knows the page count once laid out; ``book.typ`` does the same sums).
    """
    today = today or date.today()
    fmt, per_sheet, per_page = colophon_inputs(content)
    sheets = words = None
    if book_pages is not None:
        sheets = f"{book_pages / per_sheet:.2f}".rstrip("0").rstrip(".")
        words = f"{math.ceil(per_page * book_pages / 1000)} 千字"
    return {
        "书名": content.title + (f"（{content.subtitle}）" if content.subtitle else ""),
        "编者": content.editor or "",
        "开本": fmt,
        "印张": sheets,
        "字数": words,
        "版次": content.edition or f"{today.year} 年 {today.month} 月第 1 版",
        "印次": content.printed or f"{today.year} 年 {today.month} 月第 1 次印刷",
    }


def spine_mm(pages: int, leaf_mm: float) -> float:
    """Spine width: one leaf holds two pages."""
    return round(math.ceil(pages / 2) * leaf_mm, 1)


def pad_pages(pages: int, signature: int) -> int:
    return -(-pages // signature) * signature if signature > 1 else pages


# --------------------------------------------------------------------------- compile


#: The Typst files of the book, under the theme's ``casebook/``.
TYPST_FILES = ("book.typ", "common.typ")


def typst_sources(config) -> dict[str, bytes]:
    """The book's Typst files as the theme resolves them (the project's ``themes/casebook/`` first),
    rendered through Jinja with :data:`...theme.TYPST_SYNTAX` (``//{% block ... %}``)."""
    import jinja2

    from ...errors import UsageError

    env = theme.environment(theme.project_dirs(config), keep_trailing_newline=True, trim_blocks=True,
                            lstrip_blocks=True, **theme.TYPST_SYNTAX)
    out = {}
    for name in TYPST_FILES:
        try:
            out[name] = env.get_template(f"casebook/{name}").render().encode("utf-8")
        except jinja2.TemplateError as exc:
            where = f"{exc.filename or name}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else name
            raise UsageError(f"案例选编模板 {where} 有误:{exc}\n  (case book template {where}: {exc})") from None
    return out


def _compile(workdir: Path, root: Path, data: dict, out: Path, *, tagged: bool, sources: dict[str, bytes]) -> None:
    """Typeset ``data`` with the book template. The data file is this run's own (two books may be
    typeset at once); the template files are written beside it (Typst reads files under ``root`` only)."""
    import typst

    from ...errors import UsageError

    name = f"book-{os.getpid()}-{data['mode']}.json"
    (workdir / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for template, text in sources.items():
        dst = workdir / template
        if not dst.is_file() or dst.read_bytes() != text:
            tmp = dst.with_name(f".{template}.{os.getpid()}")
            tmp.write_bytes(text)
            tmp.replace(dst)
    args = {"output": str(out), "root": str(root), "sys_inputs": {"data": name}}
    try:
        try:
            typst.compile(str(workdir / "book.typ"), **args, **({"pdf_standards": ["ua-1"]} if tagged else {}))
        except typst.TypstError as exc:
            if not tagged or "PDF/UA" not in str(exc):
                raise
            # still tagged (Typst tags every PDF), only not checked against PDF/UA-1
            typst.compile(str(workdir / "book.typ"), **args)
    except typst.TypstError as exc:
        raise UsageError(f"排版失败:{exc}\n  (typesetting failed: {exc})") from None
    finally:
        (workdir / name).unlink(missing_ok=True)


def _placeholders(workdir: Path, count: int) -> None:
    """``slot-N.png``: N pixels wide, one high, so that the PDF tells the photos apart by width."""
    from PIL import Image

    folder = workdir / "slots"
    folder.mkdir(exist_ok=True)
    for n in range(1, count + 1):
        path = folder / f"{n}.png"
        if not path.is_file():
            tmp = folder / f".{n}.{os.getpid()}.png"
            Image.new("L", (n, 1), 200).save(tmp)
            tmp.replace(path)


def _swap_photos(pdf, slots: list[Path]) -> int:
    """Put each photo's JPEG in place of its placeholder, as it is (no decoding, no re-encoding).

    Typst decodes every image it places and keeps it in memory: 150 photos at 300 dpi took
    a gigabyte and half of the CPU time. The template places a tiny placeholder at the
    photo's exact printed size instead; here its image stream becomes the print copy.
    """
    import pikepdf
    from PIL import Image

    done = 0
    seen: set = set()
    for page in pdf.pages:
        xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
        for img in xobjects.values():
            if img.objgen in seen or img.get("/Subtype") != "/Image" or int(img.get("/Height", 0)) != 1:
                continue
            seen.add(img.objgen)
            n = int(img.Width)
            if not 1 <= n <= len(slots):
                continue
            path = slots[n - 1]
            with Image.open(path) as im:
                mode, (w, h) = im.mode, im.size
            img.write(path.read_bytes(), filter=pikepdf.Name.DCTDecode)
            for key in ("/SMask", "/DecodeParms", "/Decode", "/Intent", "/Interpolate"):
                if key in img:
                    del img[key]
            img.Width, img.Height, img.BitsPerComponent = w, h, 8
            img.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
            done += 1
    return done


def render_book(content: BookContent, config, output: Path, *, draft: bool = False,
                variant: str | None = None, today: date | None = None) -> TypstReport:
    """Write the reading copy ``output``, and beside it ``-内文.pdf`` and ``-封面.pdf`` for the print shop."""
    from dataclasses import replace

    import pikepdf

    from ..pdfx import MIN_BLEED_MM

    if (variant or "x4") != "plain" and content.bleed_mm < MIN_BLEED_MM:
        # a print shop wants a bleed even when the definition asks for none (cover, openers)
        content = replace(content, bleed_mm=MIN_BLEED_MM)
    root = Path(config.cache_path).resolve()
    workdir = root / "casebook" / "typst"
    workdir.mkdir(parents=True, exist_ok=True)
    slots: list[Path] = []
    data = book_data(content, config, root, slots, draft=draft)
    _placeholders(workdir, len(slots))
    data["slots"] = _rooted(workdir / "slots", root)
    _, per_sheet, per_page = colophon_inputs(content)
    data["colophon"] = list(colophon(content, None, today=today).items())
    data["count"] = {"signature": content.signature, "per_sheet": per_sheet, "per_page": per_page}
    output.parent.mkdir(parents=True, exist_ok=True)
    stem = output.with_suffix("")
    block_path = stem.with_name(stem.name + "-内文.pdf")
    cover_path = stem.with_name(stem.name + "-封面.pdf")
    laid = output.with_name(output.name + ".typst")
    sources = typst_sources(config)
    _compile(workdir, root, data, laid, tagged=True, sources=sources)

    reading = output.with_name(output.name + ".part")
    block = block_path.with_name(block_path.name + ".part")
    with pikepdf.open(laid) as pdf:
        photos = _swap_photos(pdf, slots)
        pages = len(pdf.pages)
        pdf.save(reading)
        block_pages = _text_block(pdf, block, content.signature)
    laid.unlink()
    fields = colophon(content, block_pages, today=today)

    spine = spine_mm(block_pages, content.leaf_mm)
    cover_part = cover_path.with_name(cover_path.name + ".part")
    _compile(workdir, root, {**data, "mode": "cover", "spine_mm": spine}, cover_part, tagged=False, sources=sources)
    title = data["full_title"]
    _finish(reading, output, content, title, variant="plain", marks=False)  # read on screen: no marks
    _finish(block, block_path, content, title, variant=variant)
    w = data["geo"]["page_w"]
    _finish(cover_part, cover_path, content, title, variant=variant, folds=(w, w + spine))  # the spine
    return TypstReport(output, pages, photos, block_path, cover_path, block_pages, spine, fields)


def _text_block(pdf, out: Path, signature: int) -> int:
    """The book without cover and inside cover, padded with blank pages to a multiple of the signature.

    Written for the press: the reading copy's structure tree (tags) and links are left out."""
    import pikepdf

    del pdf.pages[0:2]
    for key in ("/StructTreeRoot", "/MarkInfo", "/Outlines", "/PageMode"):
        if key in pdf.Root:
            del pdf.Root[key]
    last = pdf.pages[-1]
    target = pad_pages(len(pdf.pages), signature)
    while len(pdf.pages) < target:
        blank = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=last.obj.MediaBox,
                                                Resources=pikepdf.Dictionary(),
                                                Contents=pdf.make_stream(b"")))
        pdf.pages.append(blank)
    for page in pdf.pages:
        for key in ("/StructParents", "/Annots", "/Tabs"):
            if key in page.obj:
                del page.obj[key]
    pdf.save(out)
    return len(pdf.pages)


def _finish(src: Path, dst: Path, content: BookContent, title: str, *, variant: str | None,
            marks: bool | None = None, folds: tuple[float, ...] = ()) -> None:
    """Page boxes, crop marks and (for the print files) PDF/X through :mod:`generator.render.pdfx`."""
    from .. import pdfx

    marks = content.marks if marks is None else marks
    spec = pdfx.PrintSpec(variant=variant or "x4", bleed_mm=content.bleed_mm, marks=marks, title=title,
                          folds_mm=folds if marks else ())
    pdfx.finalize(src, dst, spec)
    if src != dst and src.exists():
        src.unlink()
