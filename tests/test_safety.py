"""Issue 23, items 3-8: caches that cannot lie, resource limits, hostile spreadsheets and
files, deceptive text, and no third-party request whatever mkdocs.yml says."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.render.linkcheck import crawl
from conftest import need_mount_namespaces
from test_hardening import GOOD, _jpeg_with_gps, build, snapshot

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", CI="1")


def wenming(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, capture_output=True, text=True,
                          env=ENV, timeout=300, check=False)


# ------------------------------------------------------------------ 8. no third-party request


@pytest.mark.slow
def test_a_minimal_material_config_loads_no_web_font(tree):
    """``theme: material`` without ``font: false`` (the fixture's mkdocs.yml): no Google Fonts."""
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps()})
    assert "font" not in (root / "mkdocs.yml").read_text(encoding="utf-8")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert out.count("Google Fonts") == 1 and "font: false" in out
    pages = list((root / "site").rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page
    assert [f for f in crawl(root / "site", "https://wm.example.org/") if f.kind == "third-party"] == []


def test_the_link_checker_names_third_party_fonts_in_css(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="assets/a.css"></head><body>x</body></html>',
        encoding="utf-8")
    (tmp_path / "assets" / "a.css").write_text(
        '@font-face{font-family:X;src:url(https://cdn.example.com/x.woff2) format("woff2")}\n'
        '@import url("https://fonts.googleapis.com/css?family=Noto+Sans+SC");\n', encoding="utf-8")
    found = [f for f in crawl(tmp_path, "https://wm.example.org/") if f.kind == "third-party"]
    assert {(f.page, f.url) for f in found} == {
        ("assets/a.css", "https://cdn.example.com/x.woff2"),
        ("assets/a.css", "https://fonts.googleapis.com/css?family=Noto+Sans+SC")}
    assert all("web font" in f.format() and "网络字体" in f.format() for f in found)


# ------------------------------------------------------------------ 7. text that cannot deceive

RLO, ZWSP, LRI = "\u202e", "\u200b", "\u2066"


def test_bidi_and_invisible_characters_in_names_titles_and_ids_are_refused_with_position(tree):
    root = tree({
        "content/stations/ceshi-zhen.md": f"---\nname: 测试镇{RLO}所践实明文\nlevel: 所\nparent: ceshi\n---\n简介。\n",
        "content/cases/2022/anli.md": f"---\ntitle: 测试{ZWSP}案例\nyear: 2022\nstations: [ceshi]\n---\n正文。\n",
        f"content/stations/zhan{LRI}.md": "---\nname: 测试站\nlevel: 站\nparent: ceshi\n---\n",
        "content/about.md": f"正文。\n\n# 关于{RLO}我们\n",
    })
    proc = wenming(root, "check")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "content/stations/ceshi-zhen.md:2" in out and "第 10 个字符" in out and "U+202E" in out, out
    assert "content/cases/2022/anli.md:2" in out and "U+200B" in out and "title" in out, out
    assert "U+2066" in out and "rename the file" in out, out
    assert "content/about.md:3: title" in out and "第 5 个字符" in out, out
    assert "Traceback" not in out


@pytest.mark.slow
def test_bidi_controls_in_bodies_are_removed_with_a_warning(tree):
    root = tree({
        "content/stations/ceshi-zhen.md": f"---\nname: 测试镇所\nlevel: 所\nparent: ceshi\nphone: 0912-3850001\n---\n简介{RLO}反向文字。\n",
        "content/about.md": f"# 关于我们\n\n说明{ZWSP}文字,{LRI}隔离。\n",
    })
    check = wenming(root, "check")
    assert check.returncode == 0 and "content/stations/ceshi-zhen.md:7" in check.stdout + check.stderr
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert "U+202E" in out and "content/about.md:3" in out and "U+200B" in out, out[-2000:]
    for page in (root / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert RLO not in text and LRI not in text and ZWSP not in text, page
    assert "简介反向文字" in (root / "site/stations/ceshi-zhen/index.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ 6. only what the checker has seen

EVIL_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
            '<rect width="10" height="10"/></svg>')


@pytest.mark.slow
@pytest.mark.parametrize("link, target", [
    ("content/stations/link", "/"),  # a folder leaving content/: must not hang the build
    ("content/stations/loop", ".."),  # a loop inside content/
    ("content/images/outside.jpg", "OUTSIDE"),  # a file leaving content/ (the inline image below)
])
def test_symlinks_leaving_content_are_refused_by_check_and_build(tree, tmp_path, link, target):
    secret = tmp_path.parent / f"{tmp_path.name}-secret.jpg"
    secret.write_bytes(_jpeg_with_gps())
    root = tree({"content/about.md": "# 关于\n\n![外面](images/outside.jpg)\n" if "outside" in link else "# 关于\n"})
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(str(secret) if target == "OUTSIDE" else target, root / link)
    check = wenming(root, "check")
    out = check.stdout + check.stderr
    assert check.returncode == 1 and link in out and "symbolic link" in out and "符号链接" in out, out
    proc = build(root, timeout=60)
    assert proc.returncode != 0 and link in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (root / "site").exists()


@pytest.mark.slow
def test_raw_html_and_svg_are_refused_unless_trusted(tree):
    root = tree({"content/evil.html": "<script>alert(1)</script>", "content/images/logo.svg": EVIL_SVG})
    check = wenming(root, "check")
    out = check.stdout + check.stderr
    assert check.returncode == 1 and "content/evil.html" in out and "content/images/logo.svg" in out, out
    assert "trusted_html" in out
    assert build(root).returncode != 0 and not (root / "site").exists()
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("plugins: [search, wenming]", textwrap.dedent("""\
        plugins:
          - search
          - wenming:
              trusted_html: [trusted]
        """)), encoding="utf-8")
    os.remove(root / "content/evil.html")
    os.remove(root / "content/images/logo.svg")
    (root / "content/trusted").mkdir()
    (root / "content/trusted/embed.html").write_text("<p>可信</p>", encoding="utf-8")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (root / "site/trusted/embed.html").is_file()


@pytest.mark.parametrize("where", ["photos", "inline"])
def test_an_svg_photo_or_inline_image_is_told_what_is_wrong(tree, where):
    photos = "photos: [images/logo.svg]\n" if where == "photos" else ""
    body = "\n\n![标志](../images/logo.svg)\n" if where == "inline" else ""
    root = tree({
        "content/stations/ceshi.md": "---\nname: 测试区新时代文明实践中心\nlevel: 中心\nphone: 0912-3850000\n"
                                     f"{photos}---\n简介。{body}",
        "content/images/logo.svg": EVIL_SVG,
        "mkdocs.yml": "site_name: 测试\nsite_url: https://wm.example.org/\ndocs_dir: content\ntheme: material\n"
                      "plugins: [search, {wenming: {trusted_html: [images]}}]\n",
    })
    check = wenming(root, "check")
    out = check.stdout + check.stderr
    assert check.returncode == 1, out
    where_shown = "content/stations/ceshi.md:5: photos[0].src" if where == "photos" else "content/stations/ceshi.md:8"
    assert where_shown in out and "SVG" in out and "PNG" in out, out
    assert "does not exist" not in out


# ------------------------------------------------------------------ 5. spreadsheets safe both ways

HOSTILE = {
    "name": "+测试镇新时代文明实践所",
    "address": '=HYPERLINK("http://evil.example/","点此领奖")',
    "hours": "-周一至周五 9:00-17:00",
    "summary": "'=已经带引号的文字",
}


@pytest.fixture
def hostile(tree):
    fields = "".join(f"{k}: {v!r}\n" if k != "summary" else f"{k}: \"{v}\"\n" for k, v in HOSTILE.items())
    root = tree({
        "content/stations/ceshi-zhen.md": f"---\n{fields}level: 所\nparent: ceshi\nphone: 0912-3850001\n---\n简介。\n",
        "content/stations/ceshi-zhan.md": "---\nname: \"@测试站\"\nlevel: 站\nparent: ceshi-zhen\n"
                                          "phone: 0912-3850002\nhours: \"\\t全天\"\n---\n",
    })
    assert wenming(root, "check").returncode == 0, wenming(root, "check").stdout
    return root


def _contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*.md"))}


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_neutralises_formulas_and_import_undoes_it_exactly(hostile, suffix):
    root = hostile
    before = _contents(root)
    out = root / f"阵地.{suffix}"
    proc = wenming(root, "export", "--kind", "stations", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    if suffix == "xlsx":
        import zipfile

        import openpyxl

        with zipfile.ZipFile(out) as zf:
            sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in s or "<f " in s for s in sheets), "a live formula in the export"
        ws = openpyxl.load_workbook(out)["阵地"]
        texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert {HOSTILE["address"], HOSTILE["name"], "@测试站"} <= texts
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    else:
        import csv

        cells = [c for row in csv.reader(out.read_text(encoding="utf-8-sig").splitlines()) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
        assert "'" + HOSTILE["address"] in cells and "''=已经带引号的文字" in cells
    proc = wenming(root, "import", str(out), "--kind", "stations")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _contents(root) == before, "export -> import changed the records"


def _bomb(path: Path, inflated: int) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(inflated >> 20):
                fh.write(block)


def test_a_zip_bomb_workbook_is_refused_at_once_naming_the_part(tree, tmp_path):
    root = tree()
    bomb = tmp_path / "炸弹.xlsx"
    _bomb(bomb, 300 << 20)
    assert bomb.stat().st_size < 2 << 20
    import time

    start = time.monotonic()
    log = tmp_path / "err.txt"
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "generator", "import", str(bomb), "--kind", "stations"],
                                cwd=root, env=ENV, stdout=fh, stderr=fh)
        _, status, usage = os.wait4(proc.pid, 0)  # this process's own peak memory
    seconds = time.monotonic() - start
    err = log.read_text(encoding="utf-8")
    assert os.waitstatus_to_exitcode(status) == 2, err
    assert "炸弹.xlsx" in err and "xl/worksheets/sheet1.xml" in err and "Traceback" not in err
    assert "内部错误" not in err
    assert seconds < 20  # the interpreter's start-up included; the check itself reads only the zip directory
    # Nothing was inflated: parsing 300 MB of sheet takes minutes of CPU (ru_maxrss is no measure
    # here: a forked child starts with the RSS of the test process).
    assert usage.ru_utime + usage.ru_stime < 5


def test_an_xml_entity_attack_names_the_file(tree, tmp_path):
    import zipfile

    root = tree()
    evil = tmp_path / "实体.xlsx"
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", laughs)
    proc = wenming(root, "import", str(evil), "--kind", "stations")
    err = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "实体.xlsx" in err and "xl/worksheets/sheet1.xml" in err, err
    assert "内部错误" not in err and "Traceback" not in err


# ------------------------------------------------------------------ 3. a cache that cannot lie


@pytest.fixture
def built(tree):
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps()})
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, snapshot(root / "site")


def _rebuild_warns(root: Path, clean: dict, word: str) -> None:
    proc = build(root)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert out.count(word) == 1, out[-3000:]
    assert "Traceback" not in out
    assert snapshot(root / "site") == clean


@pytest.mark.slow
def test_a_changed_row_in_the_page_cache_is_dropped_not_published(built):
    import sqlite3

    root, clean = built
    db = sqlite3.connect(root / ".wenming-cache/site/fragments-2.sqlite")
    with db:
        changed = db.execute("UPDATE fragments SET html = replace(html, '0912-3850001', '0912-3859999') "
                             "WHERE html LIKE '%0912-3850001%'").rowcount
    db.close()
    assert changed >= 1
    _rebuild_warns(root, clean, "page was damaged")
    assert "0912-3859999" not in (root / "site/stations/ceshi-zhen/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_flipped_byte_in_a_cached_qr_png_is_dropped(built):
    root, clean = built
    pngs = sorted((root / ".wenming-cache/qr").rglob("*.png"))
    assert pngs
    good = {p: p.read_bytes() for p in pngs}
    for p in pngs:  # in place, as a disk error would (the published copy is a hard link: a new build mends it)
        with open(p, "r+b") as fh:
            fh.seek(len(good[p]) // 2)
            byte = fh.read(1)
            fh.seek(len(good[p]) // 2)
            fh.write(bytes([byte[0] ^ 0xFF]))
    _rebuild_warns(root, clean, "QR image was damaged")


@pytest.mark.slow
def test_a_changed_photo_and_records_cache_are_dropped(built):
    root, clean = built
    photos = [p for p in (root / ".wenming-cache/images").glob("*.jpg")]
    assert photos
    data = photos[0].read_bytes()
    photos[0].write_bytes(data[:-100] + bytes(100))
    _rebuild_warns(root, clean, "photo was damaged")
    pickle_file = next((root / ".wenming-cache").glob("records-*.pickle"))
    blob = bytearray(pickle_file.read_bytes())
    blob[-10] ^= 0x01
    pickle_file.write_bytes(bytes(blob))
    _rebuild_warns(root, clean, "record was damaged")


@pytest.mark.slow
def test_an_emptied_search_cache_is_noticed(built):
    root, clean = built
    parts = [p for p in (root / ".wenming-cache/search").iterdir() if (p / "bundle").is_dir()]
    assert parts
    for part in parts:
        for f in (part / "bundle").rglob("*"):
            if f.is_file():
                f.unlink()
    _rebuild_warns(root, clean, "search index part was damaged")


def _build_with_read_only(root: Path, folder: Path) -> subprocess.CompletedProcess:
    """``mkdocs build`` with ``folder`` read-only (a read-only bind mount in a user namespace when
    running as root, whom file modes do not stop)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return build(root)
        finally:
            folder.chmod(0o755)
    need_mount_namespaces()
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
              f"exec {sys.executable} -m mkdocs build")
    proc = subprocess.run(["unshare", "-r", "-m", "sh", "-c", script], cwd=root, capture_output=True, text=True,
                          env=ENV, timeout=300, check=False)
    return proc



@pytest.mark.slow
@pytest.mark.parametrize("populated", [False, True])
def test_a_read_only_cache_is_skipped_with_one_warning(tree, populated):
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps()})
    proc = build(root)
    assert proc.returncode == 0
    clean = snapshot(root / "site")
    cache = root / ".wenming-cache"
    if not populated:
        import shutil

        shutil.rmtree(cache)
    proc = _build_with_read_only(root, cache)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert out.count("cannot be written") == 1 and str(cache) in out, out[-3000:]
    assert "Traceback" not in out
    assert snapshot(root / "site") == clean


# ------------------------------------------------------------------ 4. resource limits with messages

FULL_DISK = r"""
import hashlib, json, os, subprocess, sys
from pathlib import Path
root, out = Path(sys.argv[1]), Path(sys.argv[2])
disk = root / "disk"
disk.mkdir()
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)], check=True)
env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CI="1")
def run(*cmd):
    p = subprocess.run([sys.executable, *cmd, "-d", str(disk / "site")], cwd=root, env=env,
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr
def snap():
    site = disk / "site"
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}
first = run("-m", "mkdocs", "build")
before = snap()
free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
with open(disk / "filler", "wb") as fh:  # leave 256 KB: the next site does not fit
    fh.truncate(0)
    fh.write(b"\0" * max(0, free - 256 * 1024))
(root / "content" / "index.md").write_text("# 首页\n\n改过。\n", encoding="utf-8")
results = {"first": first, "before": before}
for name, cmd in (("mkdocs", ("-m", "mkdocs", "build")), ("wenming", ("-m", "generator", "build"))):
    results[name] = run(*cmd)
    results[name + "_after"] = snap()
out.write_text(json.dumps(results), encoding="utf-8")
"""


@pytest.mark.slow
def test_a_full_disk_gives_a_message_naming_the_path_and_keeps_the_site(tree, tmp_path):
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps()})
    out = tmp_path.parent / f"{tmp_path.name}-result.json"
    need_mount_namespaces()
    proc = subprocess.run(["unshare", "-r", "-m", sys.executable, "-c", FULL_DISK, str(root), str(out)],
                          capture_output=True, text=True, env=ENV, timeout=600, check=False)
    if not out.exists():
        pytest.fail(proc.stderr[-3000:])
    import json

    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["first"][0] == 0, r["first"][1][-2000:]
    for name in ("mkdocs", "wenming"):
        code, text = r[name]
        assert code != 0
        assert "磁盘已满" in text and "the disk is full" in text, text[-3000:]
        assert str(root / "disk") in text  # the path is named
        assert text.index("磁盘已满") < text.index("the disk is full")
        assert "Traceback" not in text, text[-3000:]
        assert r[name + "_after"] == r["before"], "the published site changed"


@pytest.mark.slow
def test_a_read_only_output_folder_gives_a_message(tree, tmp_path):
    root = tree(GOOD | {"content/images/square.jpg": _jpeg_with_gps()})
    out = root / "out"
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "site_dir: out/site\n", encoding="utf-8")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-2000:]  # a missing output folder is made
    before = snapshot(out / "site")
    (root / "content/index.md").write_text("# 首页\n\n改过。\n", encoding="utf-8")
    proc = _build_with_read_only(root, out)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "无法在" in text and "cannot write the site" in text and str(out) in text, text[-3000:]
    assert "Traceback" not in text
    assert snapshot(out / "site") == before


def test_a_decompression_bomb_is_named_with_its_pixel_size(tree):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buf, "PNG")  # 900 megapixels in a few hundred KB
    root = tree({
        "content/stations/ceshi.md": "---\nname: 测试区新时代文明实践中心\nlevel: 中心\nphone: 0912-3850000\n"
                                     "photos: [images/bomb.png]\n---\n简介。\n",
        "content/images/bomb.png": buf.getvalue(),
    })
    proc = wenming(root, "check")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "content/stations/ceshi.md:5" in out and "900,000,000" in out and "decompression bomb" in out, out
