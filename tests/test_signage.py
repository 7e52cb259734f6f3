"""Signage: posters decode to their station's page, fonts are embedded subsets, long names fit,
and the files are PDF/X-4 with a 3 mm bleed, crop marks outside it, and a clean preflight."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from click.testing import CliRunner
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from generator.cli import cli
from generator.config import load_config
from generator.graph import Network
from generator.model import Station
from generator.preflight import preflight
from generator.render.qr import qr_url, short_url
from generator.render.qr.site import write_qr_site
from generator.render.signage import select_stations, write_signage

MM = 72 / 25.4  # PDF points per millimetre


def boxes(page) -> dict[str, tuple[float, ...]]:
    """The page boxes as pypdf reads them back, in pt."""
    return {name: tuple(float(v) for v in getattr(page, name)) for name in ("mediabox", "bleedbox", "trimbox")}


def trim_size_mm(page) -> tuple[float, float]:
    t = boxes(page)["trimbox"]
    return (t[2] - t[0]) / MM, (t[3] - t[1]) / MM


@pytest.fixture(scope="module")
def sig_config(demo_config, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sigcfg")
    return dataclasses.replace(demo_config, qr_lock=str(tmp / "qr-lock.txt"), cache_dir=str(tmp / "cache"))


@pytest.fixture(scope="module")
def signage(demo_network, sig_config, tmp_path_factory):
    out = tmp_path_factory.mktemp("signage")
    stations, _ = select_stations(demo_network)
    res = write_signage(demo_network, sig_config, stations, out, labels=True, previews=False)
    return stations, res


@pytest.fixture(scope="module")
def qr_site(demo_network, sig_config, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    write_qr_site(demo_network, sig_config, site)
    return site


def pdf_text(pdf: Path, page: int = 1) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def raster(pdf: Path, tmp: Path, dpi: int) -> list[Path]:
    prefix = tmp / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True)
    return sorted(tmp.glob(f"{prefix.name}-*.png"))


def test_all_active_stations_selected_in_tree_order(county_network):
    stations, _ = select_stations(county_network)
    assert {s.id for s in stations} == {"county", "town-a", "town-b", "a-v1", "a-v2", "a-v2b", "b-v1", "a-v1-p",
                                        "museum"}  # not a-old (closed) nor b-old (merged)
    assert stations[0].id == "county"
    under, _ = select_stations(county_network, under="town-a", level="站")
    assert {s.id for s in under} == {"a-v1", "a-v2", "a-v2b"}


def test_one_single_page_pdf_per_station_and_a_combined_pdf(signage, sig_config):
    stations, res = signage
    assert [p.stem for p in res.posters] == [s.id for s in stations]
    combined = PdfReader(res.combined)
    assert len(combined.pages) == len(stations)
    for st, pdf in zip(stations, res.posters):
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1, st.id
        w, h = trim_size_mm(reader.pages[0])
        assert abs(w - 210) < 0.1 and abs(h - 297) < 0.1
        assert not reader.pages[0].images, "the QR code must stay vector, no raster image"
        assert reader.metadata.title == st.name
        text = squash(pdf_text(pdf))
        for value in (st.name, "新时代文明实践", short_url(qr_url(sig_config, st.id)), st.phone or "",
                      st.hours, st.open_day):
            assert squash(value) in text, (st.id, value)
        if st.services:
            assert squash(st.services[0].name) in text
    for i, st in enumerate(stations):
        assert squash(st.name) in squash(pdf_text(res.combined, i + 1))


def test_print_files_are_pdf_x4_with_a_3mm_bleed_and_room_for_the_marks(signage):
    _, res = signage
    for pdf in (res.combined, res.posters[0], res.labels):
        reader = PdfReader(pdf)
        assert reader.pdf_header == "%PDF-1.6"
        root = reader.trailer["/Root"]
        intent = root["/OutputIntents"][0].get_object()
        assert intent["/S"] == "/GTS_PDFX" and intent["/OutputConditionIdentifier"] == "FOGRA39"
        profile = intent["/DestOutputProfile"].get_object()
        assert profile["/N"] == 4 and len(profile.get_data()) > 100_000
        assert reader.metadata["/GTS_PDFXVersion"] == "PDF/X-4" and reader.metadata["/Trapped"] == "/False"
        assert reader.xmp_metadata is not None and "PDF/X-4" in reader.xmp_metadata.rdf_root.toxml()
        for page in reader.pages:
            b = boxes(page)
            trim, bleed, media = b["trimbox"], b["bleedbox"], b["mediabox"]
            for i, sign in ((0, -1), (1, -1), (2, 1), (3, 1)):
                assert abs((bleed[i] - trim[i]) * sign - 3 * MM) < 0.01, (pdf.name, b)
                assert (media[i] - trim[i]) * sign >= 8 * MM, "no room for 5 mm marks 3 mm from the trim"


def test_demo_print_files_pass_the_preflight(signage):
    _, res = signage
    assert [p for p in res.problems if p.field in ("bleed", "colour", "fonts", "images", "TrimBox")] == []
    for pdf in (res.combined, res.labels, res.posters[0], res.posters[-1]):
        assert preflight(pdf) == [], pdf.name


def test_red_bands_run_into_the_bleed_and_text_is_pure_black(signage, tmp_path):
    _, res = signage
    reader = PdfReader(res.posters[0])
    b = boxes(reader.pages[0])
    media, trim = b["mediabox"], b["trimbox"]
    dpi = 100
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(res.posters[0]), str(tmp_path / "p")],
                   check=True)
    img = Image.open(tmp_path / "p.png").convert("RGB")

    def at(x_pt: float, y_pt: float):  # PDF point -> pixel colour
        return img.getpixel((round((x_pt - media[0]) * dpi / 72), round((media[3] - y_pt) * dpi / 72)))

    mid = (trim[0] + trim[2]) / 2
    for y in (trim[3] + 1.5 * MM, trim[3] - 5 * MM, trim[1] + 1.5 * MM, trim[1] - 1.5 * MM):
        r, g, bl = at(mid, y)
        assert r > 120 and g < 80 and bl < 80, f"red band at y={y:.0f}pt: {r, g, bl}"
    for x in (trim[0] - 1.5 * MM, trim[2] + 1.5 * MM):  # the head band also runs into the side bleed
        r, g, bl = at(x, trim[3] - 10 * MM)
        assert r > 120 and g < 80 and bl < 80
    assert at(mid, media[3] - 1 * MM) == (255, 255, 255), "the slug outside the bleed stays white"
    import pikepdf

    with pikepdf.open(res.posters[0]) as pdf:
        ops = [(str(i.operator), list(i.operands)) for i in pikepdf.parse_content_stream(pdf.pages[0])]
    assert not {"rg", "RG", "g", "G", "sc"} & {op for op, _ in ops}, "no RGB or gray colour left"
    fill, stack, path, text_colours, paths = (0, 0, 0, 1), [], 0, set(), []
    for op, args in ops:
        if op == "q":
            stack.append(fill)
        elif op == "Q":
            fill = stack.pop()
        elif op == "k" or (op == "scn" and len(args) == 4):
            fill = tuple(float(v) for v in args)
        elif op == "m":
            path += 1
        elif op in ("f", "f*"):
            paths.append((path, fill))
            path = 0
        elif op == "TJ":
            text_colours.add(fill)
    assert max(paths)[1] == (0, 0, 0, 1), "the QR code (the path with most parts) is K only"
    for c, m, y, k in text_colours:
        assert not (k >= 0.5 and c + m + y > 0), f"text in rich black {c, m, y, k}"
    assert (0, 0, 0, 1) in text_colours


def test_crop_marks_are_5mm_long_and_start_3mm_outside_the_trim(signage, tmp_path):
    _, res = signage
    for pdf in (res.posters[0], res.labels):
        reader = PdfReader(pdf)
        b = boxes(reader.pages[0])
        media, trim = b["mediabox"], b["trimbox"]
        dpi = 300
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / pdf.stem)], check=True)
        img = Image.open(tmp_path / f"{pdf.stem}.png").convert("L")
        s = dpi / 72

        def px(x: float, y: float, media=media, s=s) -> tuple[int, int]:
            return round((x - media[0]) * s), round((media[3] - y) * s)

        def dark_run_mm(points, img=img, name=pdf.name) -> tuple[float, float]:
            """First and last dark point of a line of (distance mm, x, y) samples."""
            dark = [d for d, x, y in points if img.getpixel(px(x, y)) < 100]
            assert dark, name
            return min(dark), max(dark)

        steps = [i / 10 for i in range(95)]  # 0-9.5 mm from the trim corner, every 0.1 mm
        for cx, sx in ((trim[0], -1), (trim[2], 1)):
            for cy, sy in ((trim[1], -1), (trim[3], 1)):
                # a horizontal mark on the trim line y = cy, and a vertical one on x = cx
                h = dark_run_mm([(d, cx + sx * d * MM, cy) for d in steps if d >= 3.0])
                v = dark_run_mm([(d, cx, cy + sy * d * MM) for d in steps if d >= 3.0])
                for start, end in (h, v):
                    assert abs(start - 3.0) <= 0.2 and abs(end - 8.0) <= 0.2, (pdf.name, start, end)


def test_a4_poster_rendered_at_300_dpi_decodes(signage, sig_config, tmp_path):
    stations, res = signage
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(res.posters[1]),
                    str(tmp_path / "p")], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "p.png"))
    assert [b.text for b in found] == [qr_url(sig_config, stations[1].id)]


def test_fonts_are_embedded_subsets_never_type3(signage):
    _, res = signage
    for pdf in (res.combined, res.posters[0], res.labels):
        out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
        rows = out.splitlines()[2:]
        assert rows and all("Noto" in r for r in rows)
        for row in rows:
            assert "Type 3" not in row
            emb, sub = row.split()[-5:-3]
            assert (emb, sub) == ("yes", "yes"), row


def test_poster_codes_decode_to_pages_that_exist_and_are_big_enough(signage, sig_config, qr_site, tmp_path):
    stations, res = signage
    dpi = 40
    pages = raster(res.combined, tmp_path, dpi)
    assert len(pages) == len(stations)
    for st, png in zip(stations, pages):
        found = zxingcpp.read_barcodes(Image.open(png))
        assert [b.text for b in found] == [qr_url(sig_config, st.id)], st.id
        assert (qr_site / "s" / st.id / "index.html").is_file()
        pos = found[0].position
        width_mm = (pos.top_right.x - pos.top_left.x) / dpi * 25.4
        assert width_mm >= 100, f"{st.id}: symbol is {width_mm:.0f} mm wide; scanning from 1 m needs ~100 mm"


def _words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         check=True, capture_output=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True))
    return [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
            for w in root.iter("{*}word")]


def assert_name_fits(pdf: Path, name: str, dpi_png: Path | None = None) -> None:
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    b = boxes(reader.pages[0])
    media, trim = b["mediabox"], b["trimbox"]
    pw, ph = trim[2] - trim[0], trim[3] - trim[1]
    dx, dy = trim[0] - media[0], media[3] - trim[3]  # pdftotext measures from the MediaBox's top left
    assert squash(name) in squash(pdf_text(pdf))
    words = [(x0 - dx, y0 - dy, x1 - dx, y1 - dy, t) for x0, y0, x1, y1, t in _words(pdf)]
    band = 30 / 297 * ph  # the red band with the heading (template)
    heading = [w for w in words if w[4] == "新时代文明实践" and w[3] <= band]
    assert len(heading) == 1
    name_words = [w for w in words if w not in heading and w[4] and w[4] in name and len(w[4]) >= 2]
    assert squash("".join(w[4] for w in name_words)) == squash(name)
    qr_top = 70 / 297 * ph  # the QR image starts here (template)
    for x0, y0, x1, y1, text in name_words:
        assert x0 >= 10 * MM and x1 <= pw - 10 * MM, (text, x0, x1)
        assert y0 >= 31 / 297 * ph and y1 <= qr_top, (text, y0, y1)
    for x0, y0, x1, y1, text in words:
        assert 0 <= x0 and x1 <= pw and 0 <= y0 and y1 <= ph, text


def test_longest_demo_names_fit_their_poster(signage):
    stations, res = signage
    by_id = dict(zip([s.id for s in stations], res.posters))
    for st in sorted(stations, key=lambda s: -len(s.name))[:3]:
        assert_name_fits(by_id[st.id], st.name)


@pytest.mark.parametrize("name", [
    "新明楼街道文明实践一条街沿线商户联合新时代文明实践志愿服务站",
    "陕西省榆林市榆阳区新明楼街道文明实践一条街沿线商户与驻街单位联合共建新时代文明实践志愿服务站(试点)",
    "榆林(高新区)站",
])
def test_synthetic_long_names_never_overflow(sig_config, tmp_path, name):
    st = Station.model_validate({"id": "ceshi-zhan", "name": name, "level": "站", "phone": "0912-3850001",
                                 "hours": "周一至周日 8:30-12:00, 14:30-18:00", "open_day": "每月5日",
                                 "services": [{"name": "四点半课堂"}, {"name": "健康驿站测量与咨询"}]})
    net = Network(config=sig_config, stations={st.id: st})
    res = write_signage(net, sig_config, [st], tmp_path, previews=False)
    assert_name_fits(res.posters[0], name)


def test_label_sheet_codes_and_names(signage, sig_config, tmp_path):
    stations, res = signage
    reader = PdfReader(res.labels)
    per_page = 12
    assert len(reader.pages) == -(-len(stations) // per_page)
    found = []
    for png in raster(res.labels, tmp_path, 150):
        found += [b.text for b in zxingcpp.read_barcodes(Image.open(png))]
    assert sorted(found) == sorted(qr_url(sig_config, s.id) for s in stations)
    text = squash(subprocess.run(["pdftotext", str(res.labels), "-"], check=True, capture_output=True,
                                 text=True).stdout)
    for st in stations:
        assert squash(st.name) in text and short_url(qr_url(sig_config, st.id)) in text


# ----------------------------------------------------------------------------- the command


def test_cli_makes_a3_posters_and_a_300_dpi_preview(county_copy, tmp_path):
    res = CliRunner().invoke(cli, ["-f", str(county_copy / "mkdocs.yml"), "signage", "town-a", "--paper", "A3",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output + res.stderr
    pdf = tmp_path / "posters" / "town-a.pdf"
    w, h = trim_size_mm(PdfReader(pdf).pages[0])
    assert abs(w - 297) < 0.1 and abs(h - 420) < 0.1
    assert (tmp_path / "all-posters-A3.pdf").is_file()
    png = Image.open(tmp_path / "previews" / "town-a.png")
    assert abs(png.width - round(297 / 25.4 * 300)) <= 2 and abs(png.height - round(420 / 25.4 * 300)) <= 2
    cfg = load_config(county_copy / "mkdocs.yml")
    assert [b.text for b in zxingcpp.read_barcodes(png)] == [qr_url(cfg, "town-a")]
    assert "all-posters-A3.pdf" in res.output
    assert "PDF/X-4,出血 3 mm,带裁切标记" in res.output and "印刷预检通过 (preflight passed)" in res.output


@pytest.mark.parametrize("variant", ["x1a", "plain"])
def test_cli_pdf_option_selects_x1a_or_plain(county_copy, tmp_path, variant):
    res = CliRunner().invoke(cli, ["-f", str(county_copy / "mkdocs.yml"), "signage", "a-v1", "--no-preview",
                                   "--pdf", variant, "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output + res.stderr
    reader = PdfReader(tmp_path / "posters" / "a-v1.pdf")
    root = reader.trailer["/Root"]
    b = boxes(reader.pages[0])
    assert abs((b["trimbox"][0] - b["bleedbox"][0]) - 3 * MM) < 0.01  # bleed and marks whatever the variant
    if variant == "plain":
        assert "/OutputIntents" not in root and "/GTS_PDFXVersion" not in reader.metadata
        assert "普通 PDF" in res.output
    else:
        assert reader.pdf_header == "%PDF-1.4"
        assert reader.metadata["/GTS_PDFXVersion"] == "PDF/X-1a:2003"
        assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFX"
        assert preflight(tmp_path / "posters" / "a-v1.pdf") == []
        assert "PDF/X-1a" in res.output


def test_cli_unknown_id_is_a_clear_error(county_copy, tmp_path):
    res = CliRunner().invoke(cli, ["-f", str(county_copy / "mkdocs.yml"), "signage", "countyy", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == ('找不到编号为 "countyy" 的阵地;是否应为 "county"?\n'
                                  '  (no station has the id "countyy"; did you mean "county"?)')
    assert not list(tmp_path.iterdir())


def test_cli_without_site_url_is_a_clear_error(tree, tmp_path):
    root = tree({"mkdocs.yml": "site_name: 测试\ndocs_dir: content\nplugins: [wenming]\n"})
    res = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), "signage", "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "mkdocs.yml 缺少 site_url:生成二维码标识牌需要网站的完整地址,例如 site_url: https://wmsj.example.cn/\n"
        "  (mkdocs.yml has no site_url: QR codes hold an absolute URL; add e.g. site_url: https://wmsj.example.cn/)"
    )
    assert not (tmp_path / "out").exists()


def test_cli_merged_station_is_skipped_with_a_note(county_copy, tmp_path):
    res = CliRunner().invoke(cli, ["-f", str(county_copy / "mkdocs.yml"), "signage", "b-old", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "\"b-old\" 已合并,不再制作标识牌" in res.stderr
    assert "no active station matches" in res.stderr


def test_cli_exits_1_when_its_preflight_finds_an_error(county_copy, tmp_path, monkeypatch):
    import generator.render.signage as signage_mod

    monkeypatch.setattr(signage_mod, "BLEED_MM", 0.0)  # as if the template lost its bleed
    res = CliRunner().invoke(cli, ["-f", str(county_copy / "mkdocs.yml"), "signage", "a-v1", "--no-preview",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 1
    assert "all-posters-A4.pdf:1: bleed: 第 1 页:出血只有 0.0 mm,每边至少需要 3 mm" in res.stderr
    assert "印刷预检发现错误,见上 (the preflight found errors, see above)" in res.stderr
