"""Preflight: what a print shop checks, on good files and on files broken on purpose.

Each broken file is made the way it happens in practice (WeasyPrint page plus pdfx.finalize,
then one fault), and the message the editor reads is pinned."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from generator.cli import cli
from generator.preflight import preflight
from generator.render import pdfx

MM = 72 / 25.4
PAGE = "@page { size: %(w)smm %(h)smm; margin: 0 } body { margin: 0; font-family: 'Noto Sans CJK SC'; }"


def make(tmp: Path, body: str, *, bleed: float = 3.0, variant: str = "x4", marks: bool = True,
         css: str = "", name: str = "t.pdf", images: dict[str, bytes] | None = None) -> Path:
    """A 100 × 140 mm page (plus bleed) laid out by WeasyPrint and finalized."""
    for fname, data in (images or {}).items():
        (tmp / fname).write_bytes(data)
    style = PAGE % {"w": 100 + 2 * bleed, "h": 140 + 2 * bleed}
    html = (f"<html lang='zh-CN'><head><style>{style} .trim {{ position: absolute; left: {bleed}mm; "
            f"top: {bleed}mm; width: 90mm; height: 130mm; padding: 5mm; }} p {{ color: device-cmyk(0 0 0 1); }} {css}"
            f"</style></head><body>{body}</body></html>")
    raw = tmp / f"raw-{name}"
    HTML(string=html, base_url=str(tmp) + "/").write_pdf(raw)
    out = tmp / name
    pdfx.finalize(raw, out, pdfx.PrintSpec(variant=variant, bleed_mm=bleed, marks=marks, title="测试"))
    return out


def messages(pdf: Path, **kw) -> list[tuple[str, str, str, str]]:
    return [(p.level, p.field, p.zh, p.en) for p in preflight(pdf, display="t.pdf", **kw)]


def photo(w: int, h: int) -> bytes:
    img = Image.new("RGB", (w, h))
    for x in range(w):  # a gradient, so the image is not one flat colour
        for y in range(0, h, max(1, h // 8)):
            img.putpixel((x, y), (x * 255 // w, 90, 160))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


GOOD = ("<div style='position:absolute; left:0; top:0; right:0; height:40mm; background:#b3131b'></div>"
        "<div class='trim'><p style='margin-top:50mm'>新时代文明实践 2022 年</p></div>")


def test_a_good_file_passes(tmp_path):
    pdf = make(tmp_path, GOOD)
    assert messages(pdf) == []
    res = CliRunner().invoke(cli, ["preflight", str(pdf)])
    assert res.exit_code == 0 and "预检通过 (preflight passed)" in res.output


def test_x1a_passes_and_keeps_no_rgb_or_icc(tmp_path):
    pdf = make(tmp_path, GOOD + "<img src='p.jpg' style='position:absolute; left:10mm; top:60mm; width:40mm'>",
               variant="x1a", images={"p.jpg": photo(600, 400)})
    assert messages(pdf) == []
    with pikepdf.open(pdf) as doc:
        spaces = {str(img.ColorSpace) for img in doc.pages[0].images.values()}
    assert spaces == {"/DeviceCMYK"}


def test_transparency_in_x1a(tmp_path):
    pdf = make(tmp_path, GOOD + "<div style='position:absolute; left:20mm; top:20mm; width:30mm; height:30mm; "
                                "background:#1f4e8c; opacity:.5'></div>", variant="x1a")
    assert messages(pdf) == [
        ("error", "transparency",
         "第 1 页:使用了透明效果(半透明、软蒙版或混合模式),PDF/X-1a 不允许;请改用 PDF/X-4 或去掉透明",
         ("page 1: uses transparency (opacity, a soft mask or a blend mode), not allowed in PDF/X-1a; "
         "use PDF/X-4 or remove the transparency")),
    ]
    # the same page as PDF/X-4 is fine
    assert messages(make(tmp_path, GOOD + "<div style='opacity:.5'>半透明</div>", name="x4.pdf")) == []


def test_rgb_text_is_deviceRGB_and_rich_black(tmp_path):
    pdf = make(tmp_path, GOOD)
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:  # text set in RGB #111 after the fact
        page = doc.pages[0]
        ops = []
        for ins in pikepdf.parse_content_stream(page):
            ops.append(ins)
            if str(ins.operator) == "BT":
                ops.append(pikepdf.ContentStreamInstruction([0.07, 0.07, 0.07], pikepdf.Operator("rg")))
        page.obj.Contents = doc.make_stream(pikepdf.unparse_content_stream(ops))
        doc.save(pdf)
    assert messages(pdf) == [
        ("error", "colour", "第 1 页:使用 DeviceRGB(未定义的 RGB),PDF/X 不允许;请改用 CMYK 或带 ICC 的颜色",
         ("page 1: content uses DeviceRGB (uncharacterised RGB), not allowed in PDF/X; use CMYK or colour with "
         "an ICC profile")),
        ("error", "colour", "第 1 页:黑色文字用了四色叠印的黑(或 RGB 黑),小字会套印不准;文字请用单黑 K100",
         ("page 1: black text in four-colour (rich) or RGB black misregisters on small strokes; set text in pure "
         "K (C0 M0 Y0 K100)")),
    ]


def test_four_colour_black_text(tmp_path):
    pdf = make(tmp_path, "<div class='trim'><p style='color: device-cmyk(.6 .5 .5 1)'>四色黑</p></div>")
    assert messages(pdf) == [
        ("error", "colour", "第 1 页:黑色文字用了四色叠印的黑(或 RGB 黑),小字会套印不准;文字请用单黑 K100",
         ("page 1: black text in four-colour (rich) or RGB black misregisters on small strokes; set text in pure "
         "K (C0 M0 Y0 K100)")),
    ]


def test_total_ink_over_300_percent_is_a_warning(tmp_path):
    pdf = make(tmp_path, "<div style='position:absolute; inset:0; background: device-cmyk(1 1 1 1)'></div>"
                         "<div class='trim'><p style='color: device-cmyk(0 0 0 0)'>四色满版</p></div>")
    assert messages(pdf) == [
        ("warning", "colour", ("第 1 页:颜色 C100 M100 Y100 K100 的总墨量 400% 超过 300%(铜版纸胶印),"
                              "容易蹭脏、难干;深色底请用例如 C60 M40 Y40 K100"),
         ("page 1: colour C100 M100 Y100 K100 has 400% total ink, over the 300% of offset on coated paper: "
         "it sets off and dries slowly; for a dark ground use e.g. C60 M40 Y40 K100")),
    ]
    ok = make(tmp_path, "<div style='position:absolute; inset:0; background: device-cmyk(.6 .4 .4 1)'></div>",
              name="ok.pdf")
    assert messages(ok) == []


def test_missing_bleed(tmp_path):
    pdf = make(tmp_path, "<div class='trim'><p>没有出血</p></div>", bleed=0)
    assert messages(pdf) == [
        ("error", "bleed", "第 1 页:出血只有 0.0 mm,每边至少需要 3 mm",
         "page 1: the bleed is only 0.0 mm; every side needs at least 3 mm"),
    ]


def test_missing_boxes_and_output_intent(tmp_path):
    raw = tmp_path / "raw.pdf"
    HTML(string="<style>@page{size:A5; margin:10mm} p{color:device-cmyk(0 0 0 1)}</style><p>文字</p>").write_pdf(raw)
    with pikepdf.open(raw, allow_overwriting_input=True) as doc:  # as other tools write it: no boxes
        for key in ("/TrimBox", "/BleedBox"):
            del doc.pages[0].obj[key]
        doc.save(raw)
    assert messages(raw) == [
        ("error", "OutputIntent",
         "没有 PDF/X 输出意图(GTS_PDFX,含 CMYK 印刷特性文件);印刷厂无法确定颜色按什么印刷条件输出",
         ("no PDF/X output intent (GTS_PDFX with a CMYK printing profile): the print shop cannot tell which "
         "printing condition the colours are meant for")),
        ("error", "PDF/X", "文件没有声明 PDF/X 版本(GTS_PDFXVersion)",
         "the file does not declare a PDF/X version (GTS_PDFXVersion)"),
        ("error", "TrimBox", "第 1 页:没有裁切框(TrimBox),印刷厂不知道成品尺寸",
         "page 1: no TrimBox: the print shop cannot tell the finished size"),
        ("error", "BleedBox", "第 1 页:没有出血框(BleedBox);每边需要至少 3 mm 出血",
         "page 1: no BleedBox: every side needs at least 3 mm of bleed"),
    ]
    res = CliRunner().invoke(cli, ["preflight", str(raw)])
    assert res.exit_code == 1
    assert "共 4 个错误、0 个警告 (4 error(s), 0 warning(s))" in res.stderr
    # a reading copy for screens is not held to print rules
    assert messages(raw, print_file=False) == []


def test_type3_font(tmp_path):
    pdf = make(tmp_path, GOOD)
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        glyph = doc.make_stream(b"1000 0 0 0 750 750 d1 0 0 750 750 re f")
        font = doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3, FontBBox=[0, 0, 750, 750],
            FontMatrix=[0.001, 0, 0, 0.001, 0, 0], CharProcs=pikepdf.Dictionary(a=glyph),
            Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding, Differences=[97, pikepdf.Name.a]),
            FirstChar=97, LastChar=97, Widths=[1000], Name=pikepdf.Name.Bitmap))
        page = doc.pages[0]
        page.Resources.Font.T3 = font
        page.contents_add(doc.make_stream(b"q 0 0 0 1 k BT /T3 12 Tf 100 100 Td (a) Tj ET Q"))
        doc.save(pdf)
    assert messages(pdf) == [
        ("error", "fonts", "第 1 页:字体 ? 是 Type 3 字体(位图或描绘字形),印刷厂的 RIP 常出错;请使用 OpenType/TrueType 字体并嵌入",
         ("page 1: font ? is a Type 3 font (bitmap or drawn glyphs) that RIPs often mishandle; use an embedded "
         "OpenType/TrueType font")),
    ]


def test_photo_resolution_at_placed_size(tmp_path):
    # 300 × 200 px placed 50.8 mm (2 in) wide = 150 ppi: an error; 500 px at 2 in = 250 ppi: a warning
    body = ("<div class='trim'><img src='low.jpg' style='position:absolute; left:10mm; top:10mm; width:50.8mm'>"
            "<img src='mid.jpg' style='position:absolute; left:10mm; top:60mm; width:50.8mm'>"
            "<img src='ok.jpg' style='position:absolute; left:10mm; top:110mm; width:20.32mm'></div>")
    pdf = make(tmp_path, body, images={"low.jpg": photo(300, 200), "mid.jpg": photo(500, 300),
                                       "ok.jpg": photo(300, 100)})
    assert messages(pdf) == [
        ("error", "images", "第 1 页:图片 300×200 像素放成 51×34 mm,只有 150 ppi(低于 200 ppi,印出来会模糊);请换更大的原图或缩小版面",
         ("page 1: an image of 300×200 px placed at 51×34 mm has only 150 ppi (below 200 ppi: it prints blurred); "
         "use a larger original or place it smaller")),
        ("warning", "images", "第 1 页:图片 500×300 像素放成 51×30 mm,只有 250 ppi(印刷建议 300 ppi 以上)",
         "page 1: an image of 500×300 px placed at 51×30 mm has only 250 ppi (print wants 300 ppi or more)"),
    ]
    res = CliRunner().invoke(cli, ["preflight", str(pdf)])
    assert res.exit_code == 1


def test_white_bleed_where_the_cover_colour_reaches_the_trim(tmp_path):
    # the cover colour fills the trim only: every edge is coloured at the trim and white in the bleed
    pdf = make(tmp_path, "<div class='trim' style='background:#1f4e8c'><p>封面</p></div>")
    found = messages(pdf)
    assert [(lv, f) for lv, f, *_ in found] == [("error", "bleed")] * 4
    assert found[0][2] == ("第 1 页:上边裁切线处有颜色,出血区却是白的(约 100% 的边长);"
                           "碰到裁切线的底色、色块和图片要延伸到出血区")
    assert found[0][3] == ("page 1: colour reaches the top trim edge but the bleed there is white (about 100% of "
                           "the edge); carry backgrounds, bands and photos that touch the trim into the bleed")
    assert {m[3].split(" trim edge")[0].rsplit(" ", 1)[1] for m in found} == {"top", "bottom", "left", "right"}
    # the same cover carried into the bleed passes
    good = make(tmp_path, "<div style='position:absolute; inset:0; background:#1f4e8c'></div>"
                          "<div class='trim'><p>封面</p></div>", name="good.pdf")
    assert messages(good) == []


def test_many_pages_make_one_message_with_page_ranges(tmp_path):
    body = "".join(f"<section><div style='height:139.9mm; background:#1f4e8c'>第{i}页</div></section>"
                   for i in range(5))
    pdf = make(tmp_path, body, css="section { padding: 3mm; } section + section { break-before: page; }")
    assert len(PdfReader(pdf).pages) == 5
    found = messages(pdf)
    tops = [m for m in found if "top trim" in m[3]]
    assert len(tops) == 1 and tops[0][2].startswith("第 1–5 页:上边裁切线处有颜色")


def test_finalize_boxes_marks_and_output_intent_read_back(tmp_path):
    pdf = make(tmp_path, GOOD, bleed=5)
    page = PdfReader(pdf).pages[0]
    trim = [float(v) for v in page.trimbox]
    bleed = [float(v) for v in page.bleedbox]
    media = [float(v) for v in page.mediabox]
    assert abs((trim[2] - trim[0]) - 100 * MM) < 0.01 and abs((trim[3] - trim[1]) - 140 * MM) < 0.01
    assert all(abs(abs(b - t) - 5 * MM) < 0.01 for b, t in zip(bleed, trim)), "a 5 mm bleed is written as 5 mm"
    spec = pdfx.PrintSpec(bleed_mm=5)
    # marks start at the bleed edge (max(3 mm, bleed)) and are 5 mm long; 2 mm of paper beyond them
    assert all(abs(abs(m - t) - (5 + 5 + 2) * MM) < 0.01 for m, t in zip(media, trim))
    lines = pdfx.crop_marks(tuple(trim), spec)
    assert len(lines) == 8
    for x0, y0, x1, y1 in lines:
        near = min(abs(x0 - trim[0]), abs(x0 - trim[2])) if y0 == y1 else min(abs(y0 - trim[1]), abs(y0 - trim[3]))
        length = abs(x1 - x0) + abs(y1 - y0)
        assert abs(near - 5 * MM) < 0.01 and abs(length - 5 * MM) < 0.01
    assert messages(pdf) == []


def test_fold_marks_at_the_spine_of_a_cover_spread(tmp_path):
    raw = tmp_path / "raw.pdf"
    # a spread of two 100 mm covers and a 6 mm spine, 3 mm bleed
    HTML(string="<style>@page { size: 212mm 146mm; margin: 0 } body { margin: 0 }</style>"
                "<div style='height:146mm; background:#1f4e8c'></div>").write_pdf(raw)
    out = tmp_path / "cover.pdf"
    spec = pdfx.PrintSpec(bleed_mm=3, folds_mm=(100, 106), title="封面")
    pdfx.finalize(raw, out, spec)
    assert messages(out) == []
    page = PdfReader(out).pages[0]
    trim, media = [float(v) for v in page.trimbox], [float(v) for v in page.mediabox]
    dpi = 300
    import subprocess

    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(out), str(tmp_path / "c")],
                   check=True)
    img = Image.open(tmp_path / "c.png").convert("L")

    def dark(x_pt: float, y_pt: float) -> bool:
        return img.getpixel((round((x_pt - media[0]) * dpi / 72), round((media[3] - y_pt) * dpi / 72))) < 128

    for fold in (100, 106):
        x = trim[0] + fold * MM
        # outside the (blue) bleed, 3.1-9.9 mm from the trim
        above = [d for d in range(31, 100) if dark(x, trim[3] + d / 10 * MM)]
        assert above and min(above) <= 33 and 78 <= max(above) <= 81, (fold, above)
        assert len(above) < 40, "dashed, not solid"
        below = [d for d in range(31, 100) if dark(x, trim[1] - d / 10 * MM)]
        assert below and min(below) <= 33 and 78 <= max(below) <= 81
    assert not any(dark(trim[0] + 50 * MM, trim[3] + d / 10 * MM) for d in range(35, 80)), "no mark elsewhere"


def test_gradients_get_the_srgb_profile_in_x4_and_are_refused_in_x1a(tmp_path):
    body = ("<div style='position:absolute; inset:0; background: linear-gradient(#b3131b, #f6c89f)'></div>"
            "<div class='trim'><p>渐变封面</p></div>")
    x4 = make(tmp_path, body, name="x4.pdf")
    assert messages(x4) == []
    with pikepdf.open(x4) as doc:
        kinds = {str(sh.ColorSpace[0]) for sh in pdfx.shadings(doc.pages[0].Resources)}
    assert kinds == {"/ICCBased"}
    x1a = make(tmp_path, body, variant="x1a", name="x1a.pdf")
    assert messages(x1a) == [
        ("error", "colour", "第 1 页:渐变使用 DeviceRGB(未定义的 RGB),PDF/X 不允许;请改用 CMYK 或带 ICC 的颜色",
         ("page 1: a gradient uses DeviceRGB (uncharacterised RGB), not allowed in PDF/X; use CMYK or colour "
         "with an ICC profile")),
    ]


def test_a_file_that_is_not_a_pdf_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "海报.pdf"
    bad.write_text("这不是 PDF", encoding="utf-8")
    res = CliRunner().invoke(cli, ["preflight", str(bad)])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"{bad}: PDF: 无法读取此 PDF:")
    assert "\n  (cannot read this PDF: " in res.stderr and "Traceback" not in res.stderr
    res = CliRunner().invoke(cli, ["preflight", str(tmp_path / "missing.pdf")])
    assert res.exit_code == 2 and "no such file" in res.stderr


def test_icc_rgb_colour_set_with_scn_becomes_cmyk_and_near_black_becomes_k_only(tmp_path):
    """Engines such as Typst set colour as `/srgb cs r g b scn` in an ICC RGB space."""
    src, out = tmp_path / "icc.pdf", tmp_path / "icc-x4.pdf"
    with pikepdf.new() as doc:
        doc.add_blank_page(page_size=(300, 300))
        srgb = doc.make_stream(pdfx.srgb_bytes())
        srgb.N = 3
        page = doc.pages[0]
        page.obj.Resources = pikepdf.Dictionary(
            ColorSpace=pikepdf.Dictionary(srgb=pikepdf.Array([pikepdf.Name.ICCBased, srgb])))
        page.obj.Contents = doc.make_stream(
            b"/srgb cs 0.1 0.1 0.1 scn 0 0 300 300 re f /srgb CS 0.7 0.2 0.1 SCN 0 0 m 10 10 l S")
        doc.save(src)
    info = pdfx.finalize(src, out, pdfx.PrintSpec(bleed_mm=3, title="t"))
    assert info.colours_converted == 4
    with pikepdf.open(out) as doc:
        ops = [(str(i.operator), [float(v) for v in i.operands])
               for i in pikepdf.parse_content_stream(doc.pages[0]) if str(i.operator) in ("k", "K", "cs", "scn")]
    assert ops[:2] == [("k", [0, 0, 0, 1]), ("k", [0, 0, 0, 0.9])]  # cs resets to black, then #1a1a1a
    c, m, y, _k = ops[3][1]
    assert ops[3][0] == "K" and c < 0.3 and m > 0.7 and y > 0.7, ops[3]  # a red through the profile


def test_blank_pages_without_content_get_boxes_and_marks(tmp_path):
    src = make(tmp_path, GOOD, marks=False, variant="plain", name="src.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as doc:
        doc.add_blank_page(page_size=tuple(float(v) for v in doc.pages[0].MediaBox[2:]))  # no /Contents
        doc.pages[-1].obj.MediaBox = doc.pages[0].obj.MediaBox
        doc.save(src)
    out = tmp_path / "padded.pdf"
    info = pdfx.finalize(src, out, pdfx.PrintSpec(bleed_mm=0, title="t"))
    assert len(info.pages) == 2 and info.pages[1].trim == info.pages[0].trim
    reader = PdfReader(out)
    assert [float(v) for v in reader.pages[1].trimbox] == [float(v) for v in reader.pages[0].trimbox]
