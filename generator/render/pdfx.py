"""PDF/X for the print shop: page boxes, crop marks, output intent and CMYK colour.

The layout engines (WeasyPrint for posters, the case-book engine) render every page at trim
size plus the bleed on every side, with anything that touches the trim edge carried out into
the bleed. :func:`finalize` then turns that PDF into what a print shop accepts:

* TrimBox and BleedBox on every page (the trim is the rendered page inset by the bleed);
* crop marks outside the bleed, in a slug added around the page (``marks=True``);
* PDF/X-4 (default) or PDF/X-1a: an output intent with the bundled CMYK offset profile
  (ISO Coated v2 300% (basICColor), FOGRA39, zlib licence), the PDF/X keys and XMP; neutral
  RGB and gray colours become pure K (no four-colour black text), other RGB colours become
  CMYK through the profile; photos keep RGB with the sRGB profile attached (X-4) or are
  converted to CMYK (X-1a, which allows no RGB and no transparency);
* ``plain``: only the boxes and marks.

WeasyPrint 70's own ``pdf_variant`` writes the PDF/X keys but no output intent and leaves
DeviceRGB colour, and its ``bleed`` with ``marks`` puts the BleedBox at 3.5 mm for a 5 mm
bleed, so neither is used: the engines write a plain PDF and this module does the X part.
"""

from __future__ import annotations

import functools
import io
import os
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

#: Points per millimetre.
MM = 72 / 25.4
#: CSS colour of pure black ink (K only) for WeasyPrint.
K = "device-cmyk(0 0 0 1)"
VARIANTS = ("x4", "x1a", "plain")
VARIANT_LABEL = {"x4": "PDF/X-4", "x1a": "PDF/X-1a:2003", "plain": "PDF"}
#: Crop marks: length, distance of their inner end from the trim line (never less than the
#: bleed, so that they stay outside it) and line width.
MARK_LEN_MM = 5.0
MARK_OFFSET_MM = 3.0
MARK_WIDTH_PT = 0.25
#: Paper left around the marks.
SLUG_PAD_MM = 2.0
#: Smallest bleed a print shop accepts.
MIN_BLEED_MM = 3.0

ICC_DIR = Path(__file__).parent / "icc"
PROFILE_PATH = ICC_DIR / "ISOcoated_v2_300_bas.icc"
PROFILE_NAME = "ISO Coated v2 300% (basICColor)"
OUTPUT_CONDITION = "FOGRA39"
OUTPUT_CONDITION_INFO = "Offset printing, coated paper, ISO 12647-2:2004 (FOGRA39L)"


@dataclass(frozen=True)
class PrintSpec:
    variant: str = "x4"
    bleed_mm: float = 3.0
    marks: bool = True
    title: str = ""
    #: Vertical fold lines (a cover spread's spine edges), in mm from the trim's left edge:
    #: dashed marks above and below the trim, like the crop marks.
    folds_mm: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, not {self.variant!r}")
        if self.bleed_mm < 0:
            raise ValueError("bleed_mm must be >= 0")

    @property
    def is_x(self) -> bool:
        return self.variant != "plain"

    @property
    def mark_offset_mm(self) -> float:
        return max(MARK_OFFSET_MM, self.bleed_mm)

    @property
    def slug_mm(self) -> float:
        """Paper added on every side of the bleed for the marks (0 without marks)."""
        if not self.marks:
            return 0.0
        return self.mark_offset_mm - self.bleed_mm + MARK_LEN_MM + SLUG_PAD_MM


Box = tuple[float, float, float, float]


@dataclass
class PageBoxes:
    media: Box
    bleed: Box
    trim: Box


@dataclass
class FinalizeInfo:
    variant: str
    pages: list[PageBoxes] = field(default_factory=list)
    colours_converted: int = 0
    images_converted: int = 0


# ----------------------------------------------------------------------------- colour


@functools.lru_cache(maxsize=1)
def profile_bytes() -> bytes:
    return PROFILE_PATH.read_bytes()


@functools.lru_cache(maxsize=1)
def _profile_deflated() -> bytes:
    return zlib.compress(profile_bytes(), 6)


@functools.lru_cache(maxsize=1)
def srgb_bytes() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@functools.lru_cache(maxsize=1)
def _rgb_to_cmyk():
    from PIL import ImageCms

    return ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(srgb_bytes())), ImageCms.getOpenProfile(str(PROFILE_PATH)),
        "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


@functools.lru_cache(maxsize=4096)
def rgb_to_cmyk(r: float, g: float, b: float) -> tuple[float, float, float, float]:
    """CMYK ink (0-1) for an sRGB colour (0-1): neutral colours (r = g = b) go to K only,
    others through the bundled profile (relative colorimetric, black-point compensation)."""
    if abs(r - g) < 0.004 and abs(g - b) < 0.004:
        return (0.0, 0.0, 0.0, round(1.0 - (r + g + b) / 3, 4))
    from PIL import Image

    px = Image.new("RGB", (1, 1), tuple(max(0, min(255, round(v * 255))) for v in (r, g, b)))
    c, m, y, k = _rgb_to_cmyk().apply(px).getpixel((0, 0))
    return (round(c / 255, 4), round(m / 255, 4), round(y / 255, 4), round(k / 255, 4))


def _space_kind(space, resources) -> str | None:
    """'rgb', 'gray', 'cmyk-icc' or None (other/unknown) for a colour space operand."""
    if isinstance(space, Name):
        if space in (Name.DeviceRGB, Name("/RGB")):
            return "rgb"
        if space in (Name.DeviceGray, Name("/G")):
            return "gray"
        if space in (Name.DeviceCMYK, Name.Pattern):
            return None
        cs = resources.get("/ColorSpace") if resources is not None else None
        if cs is None or space not in cs:
            return None
        space = cs[space]
    if isinstance(space, Name):
        return _space_kind(space, None)
    if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
        n = int(space[1].get("/N", 0))
        return {1: "gray", 3: "rgb", 4: "cmyk-icc"}.get(n)
    if isinstance(space, Array) and len(space) >= 1 and space[0] in (Name.CalRGB,):
        return "rgb"
    if isinstance(space, Array) and len(space) >= 1 and space[0] in (Name.CalGray,):
        return "gray"
    return None


def _k_ops(cmyk, stroke: bool):
    return ([round(float(v), 4) for v in cmyk], Operator("K" if stroke else "k"))


class _Recolour:
    """Rewrites one content stream: RGB and gray colour operators become CMYK."""

    def __init__(self, pdf: pikepdf.Pdf, variant: str):
        self.pdf = pdf
        self.variant = variant
        self.changed = 0

    def convert(self, instructions, resources):
        out = []
        state = [{"f": None, "s": None}]
        for operands, op in instructions:
            name = str(op)
            cur = state[-1]
            if name == "q":
                state.append(dict(cur))
            elif name == "Q":
                if len(state) > 1:
                    state.pop()
            elif name in ("rg", "RG") and len(operands) == 3:
                cmyk = rgb_to_cmyk(*(float(v) for v in operands))
                out.append(_k_ops(cmyk, name == "RG"))
                self.changed += 1
                state[-1]["s" if name == "RG" else "f"] = None
                continue
            elif name in ("g", "G") and len(operands) == 1:
                out.append(_k_ops((0, 0, 0, round(1 - float(operands[0]), 4)), name == "G"))
                self.changed += 1
                state[-1]["s" if name == "G" else "f"] = None
                continue
            elif name in ("cs", "CS") and len(operands) == 1:
                key = "s" if name == "CS" else "f"
                kind = _space_kind(operands[0], resources)
                if kind == "cmyk-icc" and self.variant == "x1a":
                    out.append(([Name.DeviceCMYK], op))
                    cur[key] = None
                    continue
                cur[key] = kind if kind in ("rgb", "gray") else None
                if cur[key] is not None:
                    # the initial colour of both spaces is black
                    out.append(_k_ops((0, 0, 0, 1), key == "s"))
                    self.changed += 1
                    continue
            elif name in ("sc", "scn", "SC", "SCN"):
                key = "s" if name in ("SC", "SCN") else "f"
                kind = cur[key]
                if kind is not None and all(isinstance(v, (int, float, Decimal)) for v in operands):
                    vals = [float(v) for v in operands]
                    if kind == "rgb" and len(vals) == 3:
                        out.append(_k_ops(rgb_to_cmyk(*vals), key == "s"))
                        self.changed += 1
                        continue
                    if kind == "gray" and len(vals) == 1:
                        out.append(_k_ops((0, 0, 0, round(1 - vals[0], 4)), key == "s"))
                        self.changed += 1
                        continue
            out.append((operands, op))
        return out


def _recolour_stream(owner, resources, rec: _Recolour, seen: set) -> None:
    """Rewrite the content of a page or form XObject, then the forms it draws."""
    before = rec.changed
    instructions = pikepdf.parse_content_stream(owner)
    new = rec.convert(instructions, resources)
    if rec.changed != before:
        data = pikepdf.unparse_content_stream(new)
        if isinstance(owner, pikepdf.Page):
            owner.obj.Contents = pikepdf.Stream(rec.pdf, data)
        else:
            owner.write(data)
    _recolour_forms(resources, rec, seen)


def _recolour_forms(resources, rec: _Recolour, seen: set) -> None:
    if resources is None:
        return
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for xo in xobjects.values():
            if xo.get("/Subtype") != Name.Form or xo.objgen in seen:
                continue
            seen.add(xo.objgen)
            _fix_group(xo, rec.variant)
            _recolour_stream(xo, xo.get("/Resources"), rec, seen)
    patterns = resources.get("/Pattern")
    if patterns is not None:
        for pat in patterns.values():
            if int(pat.get("/PatternType", 0)) == 1 and pat.objgen not in seen:
                seen.add(pat.objgen)
                _recolour_stream(pat, pat.get("/Resources"), rec, seen)


def _fix_group(obj, variant: str) -> None:
    """A transparency group blends in CMYK (X-4) or is dropped (X-1a allows no transparency)."""
    group = obj.get("/Group")
    if group is None:
        return
    if variant == "x1a":
        del obj["/Group"]
    elif "/CS" in group and _space_kind(group.CS, None) == "rgb":
        group.CS = Name.DeviceCMYK


# ----------------------------------------------------------------------------- images


def _images(resources, seen: set):
    if resources is None:
        return
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return
    for xo in xobjects.values():
        if xo.objgen in seen:
            continue
        seen.add(xo.objgen)
        if xo.get("/Subtype") == Name.Image:
            yield xo
        elif xo.get("/Subtype") == Name.Form:
            yield from _images(xo.get("/Resources"), seen)


def shadings(resources, depth: int = 0):
    """Shading dictionaries of a resource dictionary (``sh`` operands and shading patterns),
    including those inside tiling patterns and forms (WeasyPrint draws gradients that way)."""
    if resources is None or depth > 8:
        return
    yield from (resources.get("/Shading") or {}).values()
    for pat in (resources.get("/Pattern") or {}).values():
        if "/Shading" in pat:
            yield pat.Shading
        elif "/Resources" in pat:
            yield from shadings(pat.Resources, depth + 1)
    for xo in (resources.get("/XObject") or {}).values():
        if xo.get("/Subtype") == Name.Form and "/Resources" in xo:
            yield from shadings(xo.Resources, depth + 1)


def _fix_shadings(resources, srgb) -> None:
    """X-4: gradients in DeviceRGB get the sRGB profile, like photos."""
    for sh in shadings(resources):
        if isinstance(sh.get("/ColorSpace"), Name) and _space_kind(sh.ColorSpace, None) == "rgb":
            sh.ColorSpace = Array([Name.ICCBased, srgb])


def _fix_image(pdf: pikepdf.Pdf, img, variant: str, srgb) -> bool:
    cs = img.get("/ColorSpace")
    if cs is None or img.get("/ImageMask", False):
        return False
    kind = _space_kind(cs, None)
    if variant == "x4":
        if isinstance(cs, Name) and kind == "rgb":
            img.ColorSpace = Array([Name.ICCBased, srgb])
            return True
        return False
    # x1a: CMYK or gray only, no soft masks
    if kind not in ("rgb", "cmyk-icc") and not (kind == "gray" and not isinstance(cs, Name)):
        if "/SMask" in img:
            del img["/SMask"]
        return False
    from PIL import Image, ImageCms

    pil = pikepdf.PdfImage(img).as_pil_image()
    smask = img.get("/SMask")
    if smask is not None:
        alpha = pikepdf.PdfImage(smask).as_pil_image().convert("L").resize(pil.size)
        white = Image.new(pil.mode, pil.size, "white" if pil.mode != "CMYK" else (0, 0, 0, 0))
        pil = Image.composite(pil, white, alpha)
        del img["/SMask"]
    if kind == "gray":
        pil = pil.convert("L")
        space = Name.DeviceGray
    elif pil.mode != "CMYK":
        pil = ImageCms.applyTransform(pil.convert("RGB"), _rgb_to_cmyk())
        space = Name.DeviceCMYK
    else:
        space = Name.DeviceCMYK
    for key in ("/DecodeParms", "/Decode", "/Intent"):
        if key in img:
            del img[key]
    img.write(zlib.compress(pil.tobytes(), 6), filter=Name.FlateDecode)
    img.ColorSpace = space
    img.BitsPerComponent = 8
    img.Width, img.Height = pil.size
    return True


# ----------------------------------------------------------------------------- marks and boxes


def box(obj) -> Box:
    """A PDF rectangle as (x0, y0, x1, y1), normalised."""
    a = [float(v) for v in obj]
    return (min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3]))


def _arr(box: Box) -> Array:
    return Array([round(v, 4) for v in box])


def crop_marks(trim: Box, spec: PrintSpec) -> list[tuple[float, float, float, float]]:
    """The eight crop-mark lines (x0, y0, x1, y1) in pt: two at each corner, on the trim
    lines extended, starting ``mark_offset_mm`` outside the trim, ``MARK_LEN_MM`` long."""
    x0, y0, x1, y1 = trim
    off, ln = spec.mark_offset_mm * MM, MARK_LEN_MM * MM
    lines = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append((x + sx * off, y, x + sx * (off + ln), y))  # horizontal, on the trim line y
            lines.append((x, y + sy * off, x, y + sy * (off + ln)))  # vertical, on the trim line x
    return lines


def fold_marks(trim: Box, spec: PrintSpec) -> list[tuple[float, float, float, float]]:
    """Two lines per fold in ``spec.folds_mm``: above and below the trim, as far out as the crop marks."""
    off, ln = spec.mark_offset_mm * MM, MARK_LEN_MM * MM
    lines = []
    for f in spec.folds_mm:
        x = trim[0] + f * MM
        lines.append((x, trim[3] + off, x, trim[3] + off + ln))
        lines.append((x, trim[1] - off, x, trim[1] - off - ln))
    return lines


def _marks_stream(trim: Box, spec: PrintSpec) -> bytes:
    parts = [f"q {MARK_WIDTH_PT} w 0 J [] 0 d /WmAll CS 1 SCN"]
    for a, b, c, d in crop_marks(trim, spec):
        parts.append(f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S")
    if spec.folds_mm:
        parts.append(f"[{MM:.3f}] 0 d")  # 1 mm on, 1 mm off: 3 dashes ending with the crop marks
        for a, b, c, d in fold_marks(trim, spec):
            parts.append(f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S")
    parts.append("Q")
    return ("\n".join(parts) + "\n").encode()


def _registration_space(pdf: pikepdf.Pdf):
    tint = pdf.make_indirect(Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1))
    return pdf.make_indirect(Array([Name.Separation, Name.All, Name.DeviceCMYK, tint]))


# ----------------------------------------------------------------------------- metadata


def _output_intent(pdf: pikepdf.Pdf) -> Dictionary:
    icc = pdf.make_stream(b"")
    icc.write(_profile_deflated(), filter=Name.FlateDecode)
    icc.N = 4
    return pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
        OutputCondition=pikepdf.String(OUTPUT_CONDITION_INFO),
        RegistryName=pikepdf.String("http://www.color.org"),
        Info=pikepdf.String(PROFILE_NAME),
        DestOutputProfile=icc,
    ))


def _pdf_date(dt: datetime) -> str:
    return dt.strftime("D:%Y%m%d%H%M%S+00'00'")


def _metadata(pdf: pikepdf.Pdf, spec: PrintSpec) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    info = pdf.docinfo
    title = spec.title or str(info.get("/Title", "")) or "untitled"
    info["/Title"] = pikepdf.String(title)
    # the Info dates and the XMP dates must agree (PDF/X): both are now
    info["/ModDate"] = info["/CreationDate"] = pikepdf.String(_pdf_date(now))
    for key in ("/GTS_PDFXVersion", "/GTS_PDFXConformance"):
        if key in info:
            del info[key]
    if spec.is_x:
        info["/Trapped"] = Name("/False")
        if spec.variant == "x1a":
            info["/GTS_PDFXVersion"] = pikepdf.String("PDF/X-1a:2003")
            info["/GTS_PDFXConformance"] = pikepdf.String("PDF/X-1a:2003")
        else:
            info["/GTS_PDFXVersion"] = pikepdf.String("PDF/X-4")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["xmp:CreateDate"] = now.isoformat()
        meta["xmp:ModifyDate"] = now.isoformat()
        meta["xmp:MetadataDate"] = now.isoformat()
        meta["pdf:Producer"] = str(info.get("/Producer", "wenming"))
        if spec.is_x:
            meta["pdf:Trapped"] = "False"
            meta["xmpMM:DocumentID"] = f"uuid:{uuid.uuid4()}"
            meta["xmpMM:InstanceID"] = f"uuid:{uuid.uuid4()}"
            meta["xmpMM:VersionID"] = "1"
            meta["xmpMM:RenditionClass"] = "default"
            if spec.variant == "x1a":
                meta["pdfx:GTS_PDFXVersion"] = "PDF/X-1a:2003"
                meta["pdfx:GTS_PDFXConformance"] = "PDF/X-1a:2003"
            else:
                meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"


# ----------------------------------------------------------------------------- finalize


def finalize(src: Path | str, dst: Path | str, spec: PrintSpec = PrintSpec()) -> FinalizeInfo:
    """Turn the engine's PDF ``src`` (pages at trim + bleed) into the print file ``dst``."""
    src, dst = Path(src), Path(dst)
    res = FinalizeInfo(variant=spec.variant)
    b, slug = spec.bleed_mm * MM, spec.slug_mm * MM
    with pikepdf.open(src) as pdf:
        reg = _registration_space(pdf) if spec.marks else None
        srgb = None
        if spec.variant == "x4":
            srgb = pdf.make_stream(srgb_bytes())
            srgb.N = 3
        rec = _Recolour(pdf, spec.variant)
        seen_forms: set = set()
        seen_images: set = set()
        for page in pdf.pages:
            media = box(page.obj.MediaBox)
            trim = (media[0] + b, media[1] + b, media[2] - b, media[3] - b)
            if trim[2] - trim[0] <= 0 or trim[3] - trim[1] <= 0:
                raise ValueError(f"bleed {spec.bleed_mm} mm is larger than the page")
            if "/Contents" not in page.obj:  # a blank page (e.g. padding to a signature)
                page.obj.Contents = pdf.make_stream(b"")
            if spec.is_x:
                _fix_group(page.obj, spec.variant)
                _recolour_stream(page, page.obj.get("/Resources"), rec, seen_forms)
                for img in _images(page.obj.get("/Resources"), seen_images):
                    if _fix_image(pdf, img, spec.variant, srgb):
                        res.images_converted += 1
                if spec.variant == "x4":
                    _fix_shadings(page.obj.get("/Resources"), srgb)
                if "/Annots" in page.obj:  # links are for screens; PDF/X keeps the boxes clear
                    del page.obj["/Annots"]
            new_media = (media[0] - slug, media[1] - slug, media[2] + slug, media[3] + slug)
            if spec.marks:
                page.contents_coalesce()
                body = page.obj.Contents.read_bytes()
                page.obj.Contents = pdf.make_stream(b"q\n" + body + b"\nQ\n" + _marks_stream(trim, spec))
                resources = page.obj.get("/Resources")
                if resources is None:
                    page.obj.Resources = resources = Dictionary()
                if "/ColorSpace" not in resources:
                    resources.ColorSpace = Dictionary()
                resources.ColorSpace.WmAll = reg
            page.obj.MediaBox = _arr(new_media)
            for key in ("/CropBox", "/ArtBox"):
                if key in page.obj:
                    del page.obj[key]
            if b > 0 or spec.marks or spec.is_x:
                page.obj.TrimBox = _arr(trim)
                page.obj.BleedBox = _arr(media)
            res.pages.append(PageBoxes(media=new_media, bleed=media, trim=trim))
        res.colours_converted = rec.changed
        if spec.is_x:
            pdf.Root.OutputIntents = Array([_output_intent(pdf)])
        _metadata(pdf, spec)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
        # PDF/X-1a:2003 is PDF 1.4, PDF/X-4 is PDF 1.6 (WeasyPrint writes 1.7 headers)
        version = {"x1a": "1.4", "x4": "1.6"}.get(spec.variant)
        pdf.save(tmp, force_version=version,
                 compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.disable
                 if spec.variant == "x1a" else pikepdf.ObjectStreamMode.preserve)
    os.replace(tmp, dst)
    return res


def split_pages(src: Path | str, targets: list[tuple[Path, str]]) -> None:
    """One single-page file per page of the finalized ``src``: ``targets[i] = (path, title)``.

    Each copy keeps the page boxes, the output intent and the PDF/X keys of ``src`` (the
    profile stream is copied as it is, not compressed again)."""
    with pikepdf.open(src) as whole:
        intents = whole.Root.get("/OutputIntents")
        xmp = whole.open_metadata()
        version = None
        for key in ("pdfxid:GTS_PDFXVersion", "pdfx:GTS_PDFXVersion"):
            if key in xmp:
                version = str(xmp[key])
        variant = {"PDF/X-4": "x4", "PDF/X-1a:2003": "x1a"}.get(version or "", "plain")
        for page, (dst, title) in zip(whole.pages, targets):
            one = pikepdf.new()
            one.pages.append(page)
            if intents is not None:
                one.Root.OutputIntents = Array([one.copy_foreign(oi) for oi in intents])
            for key in ("/Producer", "/CreationDate", "/Trapped", "/GTS_PDFXVersion", "/GTS_PDFXConformance"):
                if key in whole.docinfo:
                    one.docinfo[key] = whole.docinfo[key]
            _metadata(one, PrintSpec(variant=variant, bleed_mm=0, marks=False, title=title))
            dst = Path(dst)
            tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
            one.save(tmp, force_version={"x1a": "1.4", "x4": "1.6"}.get(variant))
            one.close()
            os.replace(tmp, dst)


def page_boxes(path: Path | str) -> list[PageBoxes]:
    """MediaBox, BleedBox and TrimBox of every page (a missing box is the MediaBox)."""
    with pikepdf.open(path) as pdf:
        out = []
        for page in pdf.pages:
            media = box(page.obj.MediaBox)
            out.append(PageBoxes(media=media, bleed=box(page.obj.get("/BleedBox", page.obj.MediaBox)),
                                 trim=box(page.obj.get("/TrimBox", page.obj.MediaBox))))
        return out
