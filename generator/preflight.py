"""``wenming preflight``: what a print shop checks before it accepts a PDF.

* page boxes: a TrimBox and a BleedBox on every page, the bleed at least 3 mm on every side;
* bleed coverage: pages are rendered with poppler's pdftoppm at a low resolution and, along
  every trim edge, the strip just inside the trim is compared with the middle of the bleed:
  colour that reaches the trim must go on into the bleed (a white bleed there is an error);
* fonts: embedded, and no Type 3 (bitmap or drawn) fonts;
* images: resolution at the size they are placed, under 300 ppi a warning, under 200 an error;
* colour: in a PDF/X file no DeviceRGB (X-4) or no RGB and ICC colour at all (X-1a), and no
  text in four-colour or RGB black (rich black: registration trouble on small strokes);
* no transparency in PDF/X-1a;
* total ink of CMYK colours at most 300% (a warning);
* an output intent (GTS_PDFX) with a CMYK profile.

Each finding is a :class:`~generator.errors.Problem` (``line`` = first page concerned),
Chinese then English; problems of one kind on many pages are one message with the pages listed.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem

#: Image resolution at placed size: below WARN_PPI a warning, below ERROR_PPI an error.
WARN_PPI = 300
ERROR_PPI = 200
#: Total area coverage (sum of C, M, Y, K in %) of the bundled FOGRA39 profile's printing condition.
MAX_INK = 300
#: Resolution of the bleed-coverage render (3 mm = 6 px).
COVERAGE_DPI = 50
#: A pixel counts as ink when some channel is this far below white (0-255).
INK = 40
#: Share of an edge's length that may be coloured at the trim and white in the bleed
#: (antialiasing, a hairline) before it is an error.
EDGE_TOLERANCE = 0.02
#: Points compared along each trim edge.
SAMPLES = 200
#: The ``field`` of every problem this module reports.
FIELDS = ("PDF", "PDF/X", "OutputIntent", "TrimBox", "BleedBox", "bleed", "fonts", "images", "colour",
          "transparency")


@dataclass
class _Findings:
    """Pages per (level, field, zh, en) message, to write each kind of problem once."""

    pages: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, page: int | None, level: str, field_: str, zh: str, en: str) -> None:
        pages = self.pages[(level, field_, zh, en)]
        if page is not None and page not in pages:
            pages.append(page)

    def problems(self, display: str) -> list[Problem]:
        out = []
        for (level, field_, zh, en), pages in self.pages.items():
            if pages:
                zh = f"第 {_ranges(pages, '、')} 页:{zh}"
                en = f"page{'s' if len(pages) > 1 else ''} {_ranges(pages, ', ')}: {en}"
            out.append(Problem(display, pages[0] if pages else None, field_, zh, en, level))
        return out


def _ranges(pages: list[int], sep: str, limit: int = 12) -> str:
    pages = sorted(pages)
    runs: list[list[int]] = []
    for p in pages:
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs]
    if len(parts) > limit:
        parts = parts[:limit] + ["…"]
    return sep.join(parts)


def pdfx_version(pdf) -> str | None:
    """The PDF/X version a file claims (Info or XMP), e.g. ``PDF/X-4``, or None."""
    import pikepdf

    info = pdf.trailer.get("/Info")
    if info is not None and "/GTS_PDFXVersion" in info:
        return str(info.GTS_PDFXVersion)
    try:
        meta = pdf.open_metadata()
        for key in ("pdfxid:GTS_PDFXVersion", "pdfx:GTS_PDFXVersion"):
            if key in meta:
                return str(meta[key])
    except (ValueError, KeyError, pikepdf.PdfError):  # unreadable XMP: treated as absent
        return None
    return None


# ----------------------------------------------------------------------------- content walk


def _mat_mul(a, b):
    """Product of two PDF matrices [a b c d e f] (a then b)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _space(space, resources):
    """'rgb', 'gray', 'cmyk', 'icc-rgb', 'icc-gray', 'icc-cmyk', 'other' for a colour space."""
    from pikepdf import Array, Name

    if isinstance(space, Name):
        simple = {"/DeviceRGB": "rgb", "/RGB": "rgb", "/DeviceGray": "gray", "/G": "gray",
                  "/DeviceCMYK": "cmyk", "/CMYK": "cmyk"}
        if str(space) in simple:
            return simple[str(space)]
        cs = resources.get("/ColorSpace") if resources is not None else None
        if cs is not None and space in cs:
            return _space(cs[space], None)
        return "other"
    if isinstance(space, Array) and len(space) >= 2:
        kind = str(space[0])
        if kind == "/ICCBased":
            return {1: "icc-gray", 3: "icc-rgb", 4: "icc-cmyk"}.get(int(space[1].get("/N", 0)), "other")
        if kind == "/Indexed":
            return _space(space[1], resources)
        if kind in ("/CalRGB", "/Lab"):
            return "icc-rgb"
    return "other"


#: The operators the walk needs (pikepdf skips the rest, mostly text positioning and showing).
_OPS = "q Q cm rg RG g G k K cs CS sc scn SC SCN BT ET Tf Do gs"
_FILL_OPS = ("rg", "g", "k", "sc", "scn")


class _Walker:
    """Reads content streams once: images with their placed size, colours, text colour."""

    def __init__(self, pdf, variant: str | None, found: _Findings, print_file: bool):
        self.pdf = pdf
        self.variant = variant
        self.print_file = print_file
        self.found = found
        self.fonts: dict = {}
        self.images: dict = {}

    def page(self, number: int, page) -> None:
        from .render.pdfx import shadings

        self.number = number
        for sh in shadings(page.obj.get("/Resources")):
            self._colour_use(_space(sh.get("/ColorSpace"), page.obj.get("/Resources")), "渐变", "a gradient")
        group = page.obj.get("/Group")
        if group is not None and group.get("/S") == "/Transparency" and (self.variant or "").startswith("PDF/X-1a"):
            self._transparency()
        self._walk(page, page.obj.get("/Resources"), (1, 0, 0, 1, 0, 0), 0)

    def _colour_use(self, kind: str, what: str = "", what_en: str = "content") -> None:
        if self.variant is None:
            return
        if kind == "rgb":
            self.found.add(self.number, "error", "colour",
                           f"{what}使用 DeviceRGB(未定义的 RGB),PDF/X 不允许;请改用 CMYK 或带 ICC 的颜色",
                           f"{what_en} uses DeviceRGB (uncharacterised RGB), not allowed in "
                           "PDF/X; use CMYK or colour with an ICC profile")
        elif self.variant.startswith("PDF/X-1a") and kind in ("icc-rgb", "icc-cmyk", "icc-gray"):
            self.found.add(self.number, "error", "colour",
                           f"{what}使用 ICC 颜色,PDF/X-1a 只允许 CMYK 与专色",
                           f"{what_en} uses ICC-based colour; PDF/X-1a allows only CMYK "
                           "and spot colours")

    def _walk(self, owner, resources, ctm, depth: int) -> None:
        import pikepdf

        if depth > 12:
            return
        stack = []
        fill: tuple[str, tuple] = ("gray", (0.0,))
        fill_space = "gray"
        in_text = False
        fonts_seen: set[str] = set()
        for ins in pikepdf.parse_content_stream(owner, _OPS):
            op = str(ins.operator)
            ops = ins.operands
            if op == "q":
                stack.append((ctm, fill, fill_space))
            elif op == "Q":
                if stack:
                    ctm, fill, fill_space = stack.pop()
            elif op == "cm" and len(ops) == 6:
                ctm = _mat_mul(tuple(float(v) for v in ops), ctm)
            elif op in ("rg", "RG"):
                self._colour_use("rgb")
                if op == "rg":
                    fill = ("rgb", tuple(float(v) for v in ops))
            elif op in ("g", "G"):
                if op == "g":
                    fill = ("gray", tuple(float(v) for v in ops))
            elif op in ("k", "K"):
                self._ink(ops)
                if op == "k":
                    fill = ("cmyk", tuple(float(v) for v in ops))
            elif op in ("cs", "CS") and ops:
                kind = _space(ops[0], resources)
                self._colour_use(kind)
                if op == "cs":
                    fill_space = kind
                    fill = (kind, ())
            elif op in ("sc", "scn") and ops and not isinstance(ops[-1], pikepdf.Name):
                fill = (fill_space, tuple(float(v) for v in ops))
                if fill_space in ("cmyk", "icc-cmyk"):
                    self._ink(ops)
            elif op == "BT":
                in_text = True
            elif op == "ET":
                if in_text:
                    self._text_colour(fill)
                in_text = False
            elif op == "Tf" and ops:
                name = str(ops[0])
                if name in fonts_seen:
                    continue
                fonts_seen.add(name)
                fonts = resources.get("/Font") if resources is not None else None
                if fonts is not None and name in fonts:
                    font = fonts[name]
                    self.fonts.setdefault(font.objgen if font.is_indirect else id(font), (font, self.number))
            elif op == "gs" and ops and resources is not None:
                states = resources.get("/ExtGState")
                if states is not None and ops[0] in states:
                    self._extgstate(states[ops[0]])
            elif op == "Do" and ops and resources is not None:
                xobjects = resources.get("/XObject")
                if xobjects is None or ops[0] not in xobjects:
                    continue
                xo = xobjects[ops[0]]
                subtype = xo.get("/Subtype")
                if subtype == pikepdf.Name.Image:
                    self._image(xo, ctm)
                elif subtype == pikepdf.Name.Form:
                    group = xo.get("/Group")
                    if group is not None and group.get("/S") == "/Transparency" and \
                            (self.variant or "").startswith("PDF/X-1a"):
                        self._transparency()
                    m = tuple(float(v) for v in xo.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                    self._walk(xo, xo.get("/Resources", resources), _mat_mul(m, ctm), depth + 1)
            if in_text and op in _FILL_OPS:
                self._text_colour(fill)

    def _ink(self, ops) -> None:
        """Total area coverage of a CMYK colour: over the limit, ink sets off and dries slowly."""
        if not self.print_file or len(ops) != 4:
            return
        total = sum(float(v) for v in ops) * 100
        if total > MAX_INK + 0.5:
            self.found.add(self.number, "warning", "colour",
                           f"颜色 C{float(ops[0]) * 100:.0f} M{float(ops[1]) * 100:.0f} Y{float(ops[2]) * 100:.0f} "
                           f"K{float(ops[3]) * 100:.0f} 的总墨量 {total:.0f}% 超过 {MAX_INK}%(铜版纸胶印),"
                           "容易蹭脏、难干;深色底请用例如 C60 M40 Y40 K100",
                           f"colour C{float(ops[0]) * 100:.0f} M{float(ops[1]) * 100:.0f} Y{float(ops[2]) * 100:.0f} "
                           f"K{float(ops[3]) * 100:.0f} has {total:.0f}% total ink, over the {MAX_INK}% of "
                           "offset on coated paper: it sets off and dries slowly; for a dark ground use e.g. "
                           "C60 M40 Y40 K100")

    def _transparency(self) -> None:
        self.found.add(self.number, "error", "transparency",
                       "使用了透明效果(半透明、软蒙版或混合模式),PDF/X-1a 不允许;请改用 PDF/X-4 或去掉透明",
                       "uses transparency (opacity, a soft mask or a blend mode), not allowed in PDF/X-1a; "
                       "use PDF/X-4 or remove the transparency")

    def _extgstate(self, gs) -> None:
        if not (self.variant or "").startswith("PDF/X-1a"):
            return
        if any(float(gs.get(k, 1)) < 1 for k in ("/CA", "/ca")) or str(gs.get("/SMask", "/None")) != "/None" \
                or str(gs.get("/BM", "/Normal")) not in ("/Normal", "/Compatible"):
            self._transparency()

    def _text_colour(self, fill) -> None:
        if not self.print_file:
            return
        kind, vals = fill
        rich = False
        if kind in ("cmyk", "icc-cmyk") and len(vals) == 4:
            c, m, y, k = vals
            rich = k >= 0.7 and (c + m + y) > 0.06
        elif kind in ("rgb", "icc-rgb") and len(vals) == 3:
            rich = max(vals) <= 0.3
        if rich:
            self.found.add(self.number, "error", "colour",
                           "黑色文字用了四色叠印的黑(或 RGB 黑),小字会套印不准;文字请用单黑 K100",
                           "black text in four-colour (rich) or RGB black misregisters on small strokes; "
                           "set text in pure K (C0 M0 Y0 K100)")

    def _image(self, xo, ctm) -> None:
        if xo.get("/ImageMask", False):
            return
        w, h = int(xo.get("/Width", 0)), int(xo.get("/Height", 0))
        placed_w = math.hypot(ctm[0], ctm[1]) / 72
        placed_h = math.hypot(ctm[2], ctm[3]) / 72
        if w <= 0 or h <= 0 or placed_w <= 0 or placed_h <= 0:
            return
        ppi = min(w / placed_w, h / placed_h)
        if placed_w * 25.4 < 5 and placed_h * 25.4 < 5:  # an icon, not a photo
            return
        key = xo.objgen
        prev = self.images.get(key)
        if prev is None or ppi < prev[0]:
            self.images[key] = (ppi, self.number, w, h, placed_w * 25.4, placed_h * 25.4)
        self._colour_use(_space(xo.get("/ColorSpace"), None) if "/ColorSpace" in xo else "other", "图片", "an image")
        if "/SMask" in xo and (self.variant or "").startswith("PDF/X-1a"):
            self._transparency()


def _font_problems(walker: _Walker, found: _Findings) -> None:
    for font, page in walker.fonts.values():
        base = str(font.get("/BaseFont", "?")).lstrip("/")
        if font.get("/Subtype") == "/Type3":
            found.add(page, "error", "fonts", f"字体 {base} 是 Type 3 字体(位图或描绘字形),印刷厂的 RIP 常出错;"
                      "请使用 OpenType/TrueType 字体并嵌入",
                      f"font {base} is a Type 3 font (bitmap or drawn glyphs) that RIPs often mishandle; "
                      "use an embedded OpenType/TrueType font")
            continue
        desc_font = font
        if font.get("/Subtype") == "/Type0" and "/DescendantFonts" in font:
            desc_font = font.DescendantFonts[0]
        desc = desc_font.get("/FontDescriptor")
        embedded = desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        if not embedded:
            found.add(page, "error", "fonts", f"字体 {base} 没有嵌入,印刷厂会用别的字体替换;请嵌入全部字体",
                      f"font {base} is not embedded and will be substituted at the print shop; embed every font")


def _image_problems(walker: _Walker, found: _Findings) -> None:
    for ppi, page, w, h, mw, mh in walker.images.values():
        what_zh = f"图片 {w}×{h} 像素放成 {mw:.0f}×{mh:.0f} mm,只有 {ppi:.0f} ppi"
        what_en = f"an image of {w}×{h} px placed at {mw:.0f}×{mh:.0f} mm has only {ppi:.0f} ppi"
        if ppi < ERROR_PPI:
            found.add(page, "error", "images", f"{what_zh}(低于 {ERROR_PPI} ppi,印出来会模糊);请换更大的原图或缩小版面",
                      f"{what_en} (below {ERROR_PPI} ppi: it prints blurred); use a larger original or place it smaller")
        elif ppi < WARN_PPI:
            found.add(page, "warning", "images", f"{what_zh}(印刷建议 {WARN_PPI} ppi 以上)",
                      f"{what_en} (print wants {WARN_PPI} ppi or more)")


# ----------------------------------------------------------------------------- bleed coverage


def _read_ppm(path: Path):
    from PIL import Image

    return Image.open(path).convert("RGB")


def _coverage(pdf, path: Path, pages: dict[int, tuple], found: _Findings, dpi: int) -> None:
    """pages: page number -> (media, bleed, trim) for the pages that have a bleed.

    The render is of a copy without the output intent: poppler would build a colour transform
    from the CMYK profile for every page (three times the time), and ink/no ink is all that
    matters here. Page ranges are rendered by parallel pdftoppm processes."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    exe = shutil.which("pdftoppm")
    if exe is None or not pages:
        if exe is None:
            found.add(None, "warning", "bleed", "未安装 pdftoppm(poppler-utils),没有检查出血区是否铺满",
                      "pdftoppm (poppler-utils) is not installed: bleed coverage not checked")
        return
    with tempfile.TemporaryDirectory(prefix="wenming-preflight-") as tmp:
        src = path
        if "/OutputIntents" in pdf.Root:
            del pdf.Root["/OutputIntents"]
            src = Path(tmp) / "render.pdf"
            pdf.save(src)
        first, last = min(pages), max(pages)
        jobs = max(1, min(os.cpu_count() or 1, 4, (last - first) // 40 + 1))
        step = -(-(last - first + 1) // jobs)
        ranges = [(a, min(a + step - 1, last)) for a in range(first, last + 1, step)]

        def render(rng: tuple[int, int]) -> None:
            subprocess.run([exe, "-r", str(dpi), "-f", str(rng[0]), "-l", str(rng[1]), str(src),
                            str(Path(tmp) / "p")], check=True, capture_output=True)

        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(render, ranges))
        except subprocess.CalledProcessError as exc:
            msg = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            found.add(None, "warning", "bleed", f"pdftoppm 无法渲染此文件,没有检查出血区是否铺满:{msg[0]}",
                      f"pdftoppm could not render this file, bleed coverage not checked: {msg[0]}")
        for f in Path(tmp).glob("p-*.ppm"):
            number = int(f.stem.rsplit("-", 1)[1])
            if number in pages:
                _page_coverage(_read_ppm(f), number, *pages[number], found, dpi)


_SIDE = {"top": ("上", "top"), "bottom": ("下", "bottom"), "left": ("左", "left"), "right": ("右", "right")}


def _page_coverage(img, number: int, media, bleed, trim, found: _Findings, dpi: int) -> None:
    s = dpi / 72

    def px(x: float, y: float) -> tuple[int, int]:  # PDF point -> pixel (origin top left)
        return (min(img.width - 1, max(0, int((x - media[0]) * s))),
                min(img.height - 1, max(0, int((media[3] - y) * s))))

    pix = img.load()

    def ink(p) -> bool:
        return min(pix[p]) < 255 - INK

    one = 1.2 / s  # a little more than a pixel, in pt
    for side in ("top", "bottom", "left", "right"):
        if side in ("top", "bottom"):
            y_in = trim[3] - one if side == "top" else trim[1] + one
            y_out = (trim[3] + bleed[3]) / 2 if side == "top" else (trim[1] + bleed[1]) / 2
            if abs(y_out - y_in) < one:
                continue
            xs = [trim[0] + (trim[2] - trim[0]) * (i + 0.5) / SAMPLES for i in range(SAMPLES)]
            pairs = [(px(x, y_in), px(x, y_out)) for x in xs]
        else:
            x_in = trim[0] + one if side == "left" else trim[2] - one
            x_out = (trim[0] + bleed[0]) / 2 if side == "left" else (trim[2] + bleed[2]) / 2
            if abs(x_out - x_in) < one:
                continue
            ys = [trim[1] + (trim[3] - trim[1]) * (i + 0.5) / SAMPLES for i in range(SAMPLES)]
            pairs = [(px(x_in, y), px(x_out, y)) for y in ys]
        bad = sum(1 for a, b in pairs if ink(a) and not ink(b))
        if bad > EDGE_TOLERANCE * len(pairs):
            zh, en = _SIDE[side]
            found.add(number, "error", "bleed",
                      f"{zh}边裁切线处有颜色,出血区却是白的(约 {100 * bad / len(pairs):.0f}% 的边长);"
                      "碰到裁切线的底色、色块和图片要延伸到出血区",
                      f"colour reaches the {en} trim edge but the bleed there is white (about "
                      f"{100 * bad / len(pairs):.0f}% of the edge); carry backgrounds, bands and photos "
                      "that touch the trim into the bleed")


# ----------------------------------------------------------------------------- main


def preflight(path: Path | str, display: str | None = None, print_file: bool = True,
              dpi: int = COVERAGE_DPI, require_pdfx: bool = True) -> list[Problem]:
    """Problems a print shop would find in the PDF at ``path``.

    ``print_file=False`` (a reading copy for screens) checks only fonts and image resolution;
    ``require_pdfx=False`` (a print file asked for as plain PDF) skips the PDF/X checks.
    ``display`` is the file name used in the messages (default: ``path``)."""
    import pikepdf

    path = Path(path)
    display = display or str(path)
    found = _Findings()
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        return [Problem(display, None, "PDF", f"无法读取此 PDF:{exc}", f"cannot read this PDF: {exc}")]
    try:
        _check(pdf, path, found, print_file, require_pdfx, dpi)
    except pikepdf.PdfError as exc:
        found.add(None, "error", "PDF", f"此 PDF 已损坏,检查中断:{exc}", f"this PDF is damaged; the check stopped: {exc}")
    finally:
        pdf.close()
    return found.problems(display)


def _check(pdf, path: Path, found: _Findings, print_file: bool, require_pdfx: bool, dpi: int) -> None:
    from .render.pdfx import MIN_BLEED_MM, MM
    from .render.pdfx import box as _box

    version = pdfx_version(pdf) if print_file else None
    if print_file and require_pdfx:
        intents = [oi for oi in pdf.Root.get("/OutputIntents", []) if oi.get("/S") == "/GTS_PDFX"]
        if not intents:
            found.add(None, "error", "OutputIntent",
                      "没有 PDF/X 输出意图(GTS_PDFX,含 CMYK 印刷特性文件);印刷厂无法确定颜色按什么印刷条件输出",
                      "no PDF/X output intent (GTS_PDFX with a CMYK printing profile): the print shop cannot "
                      "tell which printing condition the colours are meant for")
        elif "/DestOutputProfile" not in intents[0] or int(intents[0].DestOutputProfile.get("/N", 0)) != 4:
            found.add(None, "error", "OutputIntent", "输出意图没有嵌入 CMYK 特性文件",
                      "the output intent has no embedded CMYK profile")
        if version is None:
            found.add(None, "error", "PDF/X", "文件没有声明 PDF/X 版本(GTS_PDFXVersion)",
                      "the file does not declare a PDF/X version (GTS_PDFXVersion)")
    walker = _Walker(pdf, version, found, print_file)
    bleed_pages: dict[int, tuple] = {}
    for number, page in enumerate(pdf.pages, start=1):
        if print_file:
            media = _box(page.obj.MediaBox)
            if "/TrimBox" not in page.obj:
                found.add(number, "error", "TrimBox", "没有裁切框(TrimBox),印刷厂不知道成品尺寸",
                          "no TrimBox: the print shop cannot tell the finished size")
                trim = media
            else:
                trim = _box(page.obj.TrimBox)
            if "/BleedBox" not in page.obj:
                found.add(number, "error", "BleedBox", f"没有出血框(BleedBox);每边需要至少 {MIN_BLEED_MM:g} mm 出血",
                          f"no BleedBox: every side needs at least {MIN_BLEED_MM:g} mm of bleed")
                bleed = trim
            else:
                bleed = _box(page.obj.BleedBox)
                bleed = (max(bleed[0], media[0]), max(bleed[1], media[1]),
                         min(bleed[2], media[2]), min(bleed[3], media[3]))
                least = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]) / MM
                if least < MIN_BLEED_MM - 0.05:
                    found.add(number, "error", "bleed",
                              f"出血只有 {max(least, 0):.1f} mm,每边至少需要 {MIN_BLEED_MM:g} mm",
                              f"the bleed is only {max(least, 0):.1f} mm; every side needs at least "
                              f"{MIN_BLEED_MM:g} mm")
            if trim != media:
                bleed_pages[number] = (media, bleed, trim)
        walker.page(number, page)
    _font_problems(walker, found)
    _image_problems(walker, found)
    if print_file:
        _coverage(pdf, path, bleed_pages, found, dpi)
