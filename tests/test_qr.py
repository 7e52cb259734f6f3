"""QR contact pages and codes: every code decodes to its station's URL, and that page exists.

The codes and pages are those of a small network written here (an active station with a former id,
a merged and a closed one, an id long enough for a dense code); one test checks the demo's lock."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from conftest import MINIMAL_MKDOCS, write_tree
from PIL import Image, ImageFilter

from generator.config import MIIT_URL, POLICE_URL, load_config
from generator.errors import UsageError
from generator.load import load
from generator.model import Status, tel_uri
from generator.render.qr import QrImages, make_symbol, qr_url
from generator.geo import gcj02_to_wgs84, wgs84_to_gcj02
from generator.render.qr.site import check_lock, published_ids, read_lock, write_qr_site


def _station(name: str, level: str, parent: str = "", extra: str = "", lat: float = 38.28) -> str:
    up = f"parent: {parent}\n" if parent else ""
    return (f"---\nname: {name}\nlevel: {level}\n{up}phone: 0912-38{int(lat * 1000) % 10000:04d}\n"
            f"address: {name}服务中心\nhours: 周一至周五 8:30-18:00\nopen_day: 每月5日\n"
            f"location: {{lat: {lat}, lng: 109.73}}\n{extra}---\n简介。\n")


#: The stations every QR test runs over: what each kind of contact page must show.
QR_STATIONS = {
    "ceshi": _station("测试区新时代文明实践中心", "中心", lat=38.281),
    "ceshi-jiezhen": _station("测试街道新时代文明实践所", "所", "ceshi", lat=38.282),
    "ceshi-cun": _station("测试街道一村新时代文明实践站", "站", "ceshi-jiezhen", "former_ids: [ceshi-jiucun]\n",
                          lat=38.283),
    "ceshi-bingcun": _station("测试街道二村新时代文明实践站", "站", "ceshi-jiezhen",
                              "status: merged\nmerged_into: ceshi-cun\n", lat=38.284),
    "ceshi-tingcun": _station("测试街道三村新时代文明实践站", "站", "ceshi-jiezhen", "status: closed\n", lat=38.285),
    "xinminglou-sanguanhui-dongfanghong": _station("三官会社区东方红新时代文明实践点", "点", "ceshi-cun", lat=38.286),
}


@pytest.fixture(scope="module")
def qr_config(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qrcfg")
    root = write_tree(tmp / "project", {"mkdocs.yml": MINIMAL_MKDOCS, "content/index.md": "# 首页\n",
                                        **{f"content/stations/{k}.md": v for k, v in QR_STATIONS.items()}})
    return dataclasses.replace(load_config(root / "mkdocs.yml"), qr_lock=str(tmp / "qr-lock.txt"),
                               cache_dir=str(tmp / "cache"))


@pytest.fixture(scope="module")
def qr_network(qr_config):
    net, problems = load(qr_config)
    assert not problems.errors, [p.format() for p in problems.errors]
    assert {s.status for s in net.stations.values()} == set(Status) and net.aliases  # every kind of page
    return net


@pytest.fixture(scope="module")
def qr_site(qr_network, qr_config, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    write_qr_site(qr_network, qr_config, site)
    return site


def page_of(site: Path, config, url: str) -> Path:
    """The file a URL of the built site is served from."""
    assert url.startswith(config.site_url), url
    return site / url[len(config.site_url):] / "index.html"


def decode(img: Image.Image) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(img)]


def all_ids(net) -> list[str]:
    return published_ids(net)


# ----------------------------------------------------------------------------- URLs


def test_url_is_site_url_s_id(qr_config):
    assert qr_url(qr_config, "ceshi-cun") == "https://wm.example.org/s/ceshi-cun/"


MISSING_SITE_URL = (
    "mkdocs.yml 缺少 site_url:生成二维码需要网站的完整地址,例如 site_url: https://wmsj.example.cn/\n"
    "  (mkdocs.yml has no site_url: QR codes hold an absolute URL; add e.g. site_url: https://wmsj.example.cn/)"
)


@pytest.mark.parametrize("call", ["qr_url", "check_lock", "write_qr_site"])
def test_missing_site_url_is_a_clear_error(qr_config, qr_network, tmp_path, call):
    cfg = dataclasses.replace(qr_config, site_url="", qr_lock=str(tmp_path / "lock.txt"),
                              cache_dir=str(tmp_path / "c"))
    with pytest.raises(UsageError) as exc:
        if call == "qr_url":
            qr_url(cfg, "yuyang")
        elif call == "check_lock":
            check_lock(qr_network, cfg)
        else:
            write_qr_site(qr_network, cfg, tmp_path / "site")
    assert str(exc.value) == MISSING_SITE_URL
    assert not (tmp_path / "lock.txt").exists()


# ----------------------------------------------------------------------------- images


def test_every_png_decodes_to_its_url_and_the_page_exists(qr_network, qr_config, qr_site):
    ids = all_ids(qr_network)
    assert set(qr_network.aliases) <= set(ids) and set(qr_network.stations) <= set(ids)
    for sid in ids:
        img = Image.open(qr_site / "s" / sid / "qr.png")
        found = zxingcpp.read_barcodes(img)
        assert [b.text for b in found] == [qr_url(qr_config, sid)], sid
        assert found[0].ec_level == "M"
        assert page_of(qr_site, qr_config, found[0].text).is_file()
        # print resolution: at least 100 mm at the 300 dpi it is tagged with
        assert img.width >= 1181 and round(img.info["dpi"][0]) == 300
        assert img.getpixel((0, 0)) in (1, 255) and img.mode in ("1", "L")


def test_png_survives_print_wear(qr_network, qr_config, qr_site):
    """Downscaled to 150 px, blurred, JPEG quality 40, rotated 5 degrees: still decodes."""
    for sid in all_ids(qr_network):
        img = Image.open(qr_site / "s" / sid / "qr.png").convert("L")
        img = img.resize((150, 150), Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(1.0))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=40)
        worn = Image.open(io.BytesIO(buf.getvalue())).rotate(5, expand=True, fillcolor=255,
                                                              resample=Image.Resampling.BICUBIC)
        assert decode(worn) == [qr_url(qr_config, sid)], sid


def test_symbol_is_black_on_white_with_a_four_module_quiet_zone(qr_config):
    sym = make_symbol(qr_url(qr_config, "ceshi-cun"))
    m = sym.matrix
    for i in range(4):
        assert not any(m[i]) and not any(m[-1 - i])
        assert not any(row[i] for row in m) and not any(row[-1 - i] for row in m)
    assert m[4][4] and m[4][4 + 6]  # finder pattern corner: dark modules start right after the zone


def test_svg_is_vector_and_decodes_when_rasterised(qr_network, qr_config, qr_site, tmp_path):
    """Each qr.svg is drawn by WeasyPrint (a real SVG renderer), rasterised by pdftoppm, then decoded."""
    from lxml import etree
    from weasyprint import HTML

    ids = all_ids(qr_network)
    for sid in ids:
        data = (qr_site / "s" / sid / "qr.svg").read_bytes()
        root = etree.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1
        assert not root.findall(".//{http://www.w3.org/2000/svg}image")
        assert len(data) < 8000
    html = "".join(
        f'<section style="page-break-after: always"><img src="s/{sid}/qr.svg" style="width: 60mm"></section>'
        for sid in ids)
    pdf = tmp_path / "svgs.pdf"
    HTML(string=f"<style>@page {{ size: 80mm 80mm; margin: 5mm }}</style>{html}",
         base_url=str(qr_site) + "/").write_pdf(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(ids)
    for sid, png in zip(ids, pages):
        text = decode(Image.open(png))
        assert text == [qr_url(qr_config, sid)], sid
        assert page_of(qr_site, qr_config, text[0]).is_file()


def test_unchanged_codes_are_not_redrawn(qr_network, qr_config, tmp_path):
    cfg = dataclasses.replace(qr_config, cache_dir=str(tmp_path / "cache"), qr_lock=str(tmp_path / "l.txt"))
    first = QrImages(cfg)
    urls = [qr_url(cfg, sid) for sid in all_ids(qr_network)]
    drawn = [first.get(u) for u in urls]
    assert (first.misses, first.hits) == (len(urls), 0)
    files = sorted((tmp_path / "cache" / "qr").rglob("*.*"))
    mtimes = [f.stat().st_mtime_ns for f in files]
    again = QrImages(cfg)
    assert [again.get(u) for u in urls] == drawn
    assert (again.misses, again.hits) == (0, len(urls))
    assert [f.stat().st_mtime_ns for f in files] == mtimes
    other = QrImages(cfg)
    other.get(urls[0].replace("/s/", "/s/x"))
    assert other.misses == 1


def test_long_ids_warn_about_dense_symbols(qr_network, qr_config):
    warned = {(p.path, p.field): p for p in check_lock(qr_network, qr_config) if not p.is_error}
    for st in qr_network.stations.values():
        for qid in (st.id, *st.former_ids):
            dense = make_symbol(qr_url(qr_config, qid)).version > 3
            key = (st.path, "id" if qid == st.id else "former_ids")
            assert (key in warned) == dense, qid


def test_dense_symbol_warning_wording(tree):
    root = tree({"content/stations/xinminglou-sanguanhui-dongfanghong.md": """\
        ---
        name: 三官会社区东方红新时代文明实践点
        level: 点
        parent: ceshi-zhan
        ---
        """, "content/stations/ceshi-zhan.md": """\
        ---
        name: 测试社区新时代文明实践站
        level: 站
        parent: ceshi
        phone: 0912-3850001
        ---
        """})
    cfg = load_config(root / "mkdocs.yml")
    net, problems = load(cfg)
    assert not problems.errors
    [warning] = [p for p in check_lock(net, cfg) if not p.is_error]
    assert warning.format() == (
        "content/stations/xinminglou-sanguanhui-dongfanghong.md:2: 警告 warning: id: 二维码地址 "
        "https://wm.example.org/s/xinminglou-sanguanhui-dongfanghong/ 有 60 个字符,需要 4 版二维码(比 3 版更密),"
        "印小了不易扫描;新建阵地时请用更短的编号(在当前网址下编号最好不超过 16 个字符)。已印出的编号不要再改\n"
        "  (the QR URL https://wm.example.org/s/xinminglou-sanguanhui-dongfanghong/ is 60 characters long and "
        "needs a version-4 symbol (denser than 3-M), harder to scan when printed small; keep new ids short "
        "(at most 16 characters with this site_url). Never change an id that is already printed)"
    )


# ----------------------------------------------------------------------------- contact pages


def _soup(site: Path, sid: str) -> BeautifulSoup:
    return BeautifulSoup((site / "s" / sid / "index.html").read_text(encoding="utf-8"), "lxml")


def test_contact_pages_are_light_and_self_contained(qr_network, qr_config, qr_site):
    for sid in all_ids(qr_network):
        path = qr_site / "s" / sid / "index.html"
        assert path.stat().st_size <= 30 * 1024, sid
        soup = _soup(qr_site, sid)
        assert not soup.find_all(["script", "img", "iframe", "object", "embed", "video", "audio"])
        assert not soup.find_all("link", rel="stylesheet")
        assert "url(" not in "".join(s.get_text() for s in soup.find_all("style"))
        assert "@import" not in "".join(s.get_text() for s in soup.find_all("style"))
        icon = soup.find("link", rel="icon")
        assert icon is not None and icon["href"].startswith("data:")  # no favicon request either
        for a in soup.find_all("a"):
            href = a["href"]
            scheme = urlsplit(href).scheme
            assert scheme in ("", "tel", "geo") or href.startswith(("https://uri.amap.com/", MIIT_URL, POLICE_URL)), href
        assert soup.find("meta", attrs={"name": "viewport"})


def test_active_station_page_shows_contact(qr_network, qr_config, qr_site):
    active = [s for s in qr_network.stations.values() if s.is_active]
    for st in active:
        soup = _soup(qr_site, st.id)
        text = soup.get_text(" ", strip=True)
        assert st.name in soup.find("h1").get_text()
        if st.phone:
            call = soup.find("a", href=tel_uri(st.phone))
            assert call is not None and st.phone in call.get_text()
        for value in (st.hours, st.open_day, st.address):
            assert value in text
        assert soup.find("a", href=f"../../stations/{st.id}/") is not None
        if st.location:
            amap = soup.find("a", href=lambda h: h and h.startswith("https://uri.amap.com/marker"))
            assert f"position={st.location.lng:.6f},{st.location.lat:.6f}" in amap["href"]
            assert unquote(amap["href"]).count(st.name) == 1
            geo = soup.find("a", href=lambda h: h and h.startswith("geo:"))
            lat, lng = (float(x) for x in geo["href"][4:].split("?")[0].split(","))
            assert abs(lat - st.location.lat) < 0.01 and abs(lng - st.location.lng) < 0.01
        assert "本站已" not in text


def test_merged_closed_and_former_ids_keep_a_working_page(qr_network, qr_config, qr_site):
    net = qr_network
    checked = 0
    for st in net.stations.values():
        if st.is_active:
            continue
        soup = _soup(qr_site, st.id)
        notice = soup.find(attrs={"role": "status"}).get_text(" ", strip=True)
        assert st.name in notice
        if st.status == Status.merged:
            succ = net.stations[st.merged_into]
            assert "本站已合并" in notice and succ.name in notice
        else:
            assert "已停止运行" in notice
            succ = next(a for a in reversed(net.ancestors(st.id)) if a.is_active)
        assert soup.find("a", href=tel_uri(succ.phone)) is not None
        assert soup.find("a", href=f"../../stations/{succ.id}/") is not None
        checked += 1
    for old, new in net.aliases.items():
        soup = _soup(qr_site, old)
        notice = soup.find(attrs={"role": "status"}).get_text(" ", strip=True)
        assert old in notice and net.stations[new].name in notice
        assert soup.find("a", href=tel_uri(net.stations[new].phone)) is not None
        checked += 1
    assert checked == 3  # the merged, the closed and the renamed station


@pytest.mark.browser
def test_contact_page_at_360px_is_one_request_and_fits(qr_site, tmp_path):
    import browser

    if not browser.available():
        pytest.skip("Chromium is not installed")
    with browser.serve_dir(qr_site) as base, browser.Browser(360, 740) as b:
        for sid in ("ceshi-cun", "ceshi-bingcun", "xinminglou-sanguanhui-dongfanghong"):
            b.requests.clear()
            b.open(base + f"s/{sid}/")
            assert b.eval("document.documentElement.scrollWidth") <= 360, sid
            real = [u for u in b.requests if not u.startswith("data:")]
            assert real == [base + f"s/{sid}/"], real
            assert not b.external_requests()
            size = b.eval("parseFloat(getComputedStyle(document.querySelector('.call')).fontSize)")
            assert size >= 20
        b.screenshot(tmp_path / "contact.png")


def test_map_coordinates_round_trip():
    lat, lng = 38.4012, 109.9035
    w = gcj02_to_wgs84(lat, lng)
    assert 0.0005 < abs(w[0] - lat) + abs(w[1] - lng) < 0.02  # GCJ-02 is offset by some hundred metres
    back = wgs84_to_gcj02(*w)
    assert abs(back[0] - lat) < 1e-6 and abs(back[1] - lng) < 1e-6


# ----------------------------------------------------------------------------- lock file

STATION = """\
---
name: 测试社区新时代文明实践站
level: 站
parent: ceshi
phone: 0912-3850001
{extra}---
"""


def _build(root: Path):
    cfg = load_config(root / "mkdocs.yml")
    net, problems = load(cfg)
    assert not problems.errors, [p.format() for p in problems.errors]
    return net, cfg


def test_lock_file_lists_every_published_url(tree):
    root = tree({"content/stations/ceshi-zhan.md": STATION.format(extra="")})
    net, cfg = _build(root)
    write_qr_site(net, cfg, root / "site")
    text = (root / "qr-lock.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("#") and "二维码" in lines[0] and "QR" in "".join(lines[:3])
    entries = [tuple(line.split("\t")) for line in lines if not line.startswith("#")]
    assert entries == sorted(entries)
    assert entries == [("ceshi", "https://wm.example.org/s/ceshi/"),
                       ("ceshi-zhan", "https://wm.example.org/s/ceshi-zhan/")]


def test_dropping_a_printed_url_fails_and_says_how_to_fix(tree):
    root = tree({"content/stations/ceshi-zhan.md": STATION.format(extra="")})
    net, cfg = _build(root)
    write_qr_site(net, cfg, root / "site")
    assert not [p for p in check_lock(net, cfg) if p.is_error]
    (root / "content/stations/ceshi-zhan.md").unlink()
    net, cfg = _build(root)
    errors = [p for p in check_lock(net, cfg) if p.is_error]
    assert [p.format() for p in errors] == [(
        "qr-lock.txt:5: 二维码地址 https://wm.example.org/s/ceshi-zhan/ 已经印出,但本次构建不再有编号为 \"ceshi-zhan\" "
        "的阵地,扫码将打不开。请保留该阵地的记录,写 status: merged 和 merged_into: 接替阵地的编号(已合并),"
        "或写 status: closed(已撤销);如果是改了编号,请在新记录中写 former_ids: [ceshi-zhan]\n"
        "  (the QR URL https://wm.example.org/s/ceshi-zhan/ is already printed, but this build has no station "
        "\"ceshi-zhan\" any more, so scanning it would fail. Keep the station's record with status: merged and "
        "merged_into: <successor id>, or with status: closed; if its id was changed, list "
        "former_ids: [ceshi-zhan] in the new record)"
    )]
    # A renamed id gets a hint towards the likely new record.
    write_tree(root, {"content/stations/ceshi-zhan2.md": STATION.format(extra="")})
    net, cfg = _build(root)
    [err] = [p for p in check_lock(net, cfg) if p.is_error]
    assert "(是否改成了 \"ceshi-zhan2\"?)" in err.zh and "(\"ceshi-zhan2\"?)" in err.en


@pytest.mark.parametrize("fix, phone", [
    ({"content/stations/ceshi-zhan.md": STATION.format(extra="status: merged\nmerged_into: ceshi-xin\n"),
      "content/stations/ceshi-xin.md": STATION.format(extra="").replace("0912-3850001", "0912-3850002")},
     "0912-3850002"),
    ({"content/stations/ceshi-zhan.md": STATION.format(extra="status: closed\n")}, "0912-3850000"),
    ({"content/stations/ceshi-xin.md": STATION.format(extra="former_ids: [ceshi-zhan]\n")}, "0912-3850001"),
], ids=["merged", "closed", "former_ids"])
def test_each_documented_fix_keeps_the_url_working(tree, fix, phone):
    """Merged: the successor's contact; closed: the station above; renamed: the station itself."""
    root = tree({"content/stations/ceshi-zhan.md": STATION.format(extra="")})
    net, cfg = _build(root)
    write_qr_site(net, cfg, root / "site")
    (root / "content/stations/ceshi-zhan.md").unlink()
    write_tree(root, fix)
    net, cfg = _build(root)
    assert not [p for p in check_lock(net, cfg) if p.is_error]
    site = root / "site2"
    write_qr_site(net, cfg, site)
    page = site / "s" / "ceshi-zhan" / "index.html"
    assert page.is_file() and f'href="tel:{phone.replace("-", "")}"' in page.read_text(encoding="utf-8")
    assert decode(Image.open(site / "s" / "ceshi-zhan" / "qr.png")) == ["https://wm.example.org/s/ceshi-zhan/"]
    ids = [sid for _, sid, _ in read_lock(cfg)]
    assert "ceshi-zhan" in ids and ids == sorted(set(ids))


def test_the_build_never_removes_a_lock_line(tree):
    root = tree({"content/stations/ceshi-zhan.md": STATION.format(extra="")})
    net, cfg = _build(root)
    write_qr_site(net, cfg, root / "site")
    (root / "content/stations/ceshi-zhan.md").unlink()
    net, cfg = _build(root)
    write_qr_site(net, cfg, root / "site")  # even when called despite the error
    assert "ceshi-zhan\thttps://wm.example.org/s/ceshi-zhan/" in (root / "qr-lock.txt").read_text(encoding="utf-8")


def test_repository_lock_file_is_accepted_by_the_demo(demo_network, demo_config):
    """The committed qr-lock.txt exists, is explained in its header, and the demo drops none of its URLs."""
    text = demo_config.lock_path.read_text(encoding="utf-8")
    assert text.startswith("# ") and read_lock(demo_config)
    assert not [p.format() for p in check_lock(demo_network, demo_config) if p.is_error]
