"""Signage: posters decode to their station's page, fonts are embedded subsets, long names fit."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from click.testing import CliRunner
from conftest import ROOT
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from generator.cli import cli
from generator.config import load_config
from generator.graph import Network
from generator.model import Station
from generator.render.qr import qr_url, short_url
from generator.render.qr.site import write_qr_site
from generator.render.signage import select_stations, write_signage

MM = 72 / 25.4  # PDF points per millimetre


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


def test_all_active_stations_selected_in_tree_order(demo_network):
    stations, _ = select_stations(demo_network)
    assert {s.id for s in stations} == {s.id for s in demo_network.stations.values() if s.is_active}
    assert stations[0].id == demo_network.root_id
    under, _ = select_stations(demo_network, under="yuyang-guta", level="站")
    expected = {s.id for s in demo_network.subtree("yuyang-guta") if s.is_active and s.level.value == "站"}
    assert {s.id for s in under} == expected and expected


def test_one_single_page_pdf_per_station_and_a_combined_pdf(signage, sig_config):
    stations, res = signage
    assert [p.stem for p in res.posters] == [s.id for s in stations]
    combined = PdfReader(res.combined)
    assert len(combined.pages) == len(stations)
    for st, pdf in zip(stations, res.posters):
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1, st.id
        w, h = (float(x) for x in reader.pages[0].mediabox[2:])
        assert abs(w - 210 * MM) < 1 and abs(h - 297 * MM) < 1
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
    pw, ph = (float(x) for x in reader.pages[0].mediabox[2:])
    assert squash(name) in squash(pdf_text(pdf))
    words = _words(pdf)
    band = 30 / 297 * ph  # the red band with the heading (template)
    heading = [w for w in words if w[4] == "新时代文明实践" and w[3] <= band]
    assert len(heading) == 1
    name_words = [w for w in words if w not in heading and w[4] and w[4] in name and len(w[4]) >= 2]
    assert squash("".join(w[4] for w in name_words)) == squash(name)
    qr_top = 70 / 297 * ph  # the QR image starts here (template)
    for x0, y0, x1, y1, text in name_words:
        assert x0 >= 10 * MM and x1 <= pw - 10 * MM, (text, x0, x1)
        assert y0 >= 31 / 297 * ph and y1 <= qr_top, (text, y0, y1)
    for x0, y0, x1, y1, text in _words(pdf):
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


def test_cli_makes_a3_posters_and_a_300_dpi_preview(tmp_path):
    res = CliRunner().invoke(cli, ["-f", str(ROOT / "mkdocs.yml"), "signage", "yuyang-guta", "--paper", "A3",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output + res.stderr
    pdf = tmp_path / "posters" / "yuyang-guta.pdf"
    w, h = (float(x) for x in PdfReader(pdf).pages[0].mediabox[2:])
    assert abs(w - 297 * MM) < 1 and abs(h - 420 * MM) < 1
    assert (tmp_path / "all-posters-A3.pdf").is_file()
    png = Image.open(tmp_path / "previews" / "yuyang-guta.png")
    assert abs(png.width - round(297 / 25.4 * 300)) <= 2 and abs(png.height - round(420 / 25.4 * 300)) <= 2
    cfg = load_config(ROOT / "mkdocs.yml")
    assert [b.text for b in zxingcpp.read_barcodes(png)] == [qr_url(cfg, "yuyang-guta")]
    assert "all-posters-A3.pdf" in res.output


def test_cli_unknown_id_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(cli, ["-f", str(ROOT / "mkdocs.yml"), "signage", "guta-zhaojiamo", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == ('找不到编号为 "guta-zhaojiamo" 的阵地;是否应为 "guta-zhaojiamao"?\n'
                                  '  (no station has the id "guta-zhaojiamo"; did you mean "guta-zhaojiamao"?)')
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


def test_cli_merged_station_is_skipped_with_a_note(tmp_path):
    res = CliRunner().invoke(cli, ["-f", str(ROOT / "mkdocs.yml"), "signage", "guta-qianwa", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "\"guta-qianwa\" 已合并,不再制作标识牌" in res.stderr
    assert "no active station matches" in res.stderr
