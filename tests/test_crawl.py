"""The crawler over a built site: third-party resources, mixed content, broken links and anchors,
photos with metadata; and the demo site passes it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write_tree
from PIL import Image

from generator.render.linkcheck import crawl, main

SITE_URL = "https://wm.example.org/"

PAGE = """<!doctype html><html><head>
<link rel="canonical" href="https://wm.example.org/">
<link rel="stylesheet" href="assets/site.css">
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Noto+Sans+SC">
<link rel="preconnect" href="https://fonts.gstatic.com">
<script src="//cdn.jsdelivr.net/npm/x.js"></script>
<style>@import "https://evil.example/a.css"; h1 {{ background: url('img/ok.png') }}</style>
</head><body>
<h1 id="top-heading">首页</h1>
<img src="img/ok.png" srcset="img/ok.png 1x, https://cdn.example.com/big.png 2x" alt="">
<img src="http://wm.example.org/img/ok.png" alt="">
<img src="img/missing.png" alt="">
<div style="background-image:url(http://tracker.example/p.gif)">x</div>
<iframe src="https://www.youtube.com/embed/x"></iframe>
<a href="about/">关于</a> <a href="about/#team">团队</a> <a href="about/#nobody">无</a>
<a href="nope/">坏</a> <a href="https://www.gov.cn/">政府网</a> <a href="mailto:a@b.cn">信</a>
<a href="#top-heading">上</a> <a href="#gone">下</a> <a href="javascript:alert(1)">js</a>
<a href="https://wm.example.org/about/">绝对</a> <a href="/about/index.html">根</a>
{extra}
</body></html>
"""
ABOUT = '<html><body><h2 id="team">团队</h2><a href="../">回首页</a><a href="../img/ok.png">图</a></body></html>'
CSS = "body { background: url(../img/ok.png) } @font-face { src: url(https://fonts.gstatic.com/s.woff2) }" \
      " .x { background: url(\"../img/none.png\") } .d { background: url(data:image/png;base64,AAAA) }"


def _png(gps: bool = False) -> bytes:
    buf = io.BytesIO()
    im = Image.new("RGB", (20, 20), (0, 128, 0))
    if gps:
        exif = Image.Exif()
        exif.get_ifd(0x8825).update({1: "N", 2: (38.0, 17.0, 30.5)})
        im.save(buf, "JPEG", exif=exif)
    else:
        im.save(buf, "PNG")
    return buf.getvalue()


def hostile_site(root: Path, extra: str = "") -> Path:
    return write_tree(root, {
        "index.html": PAGE.format(extra=extra), "about/index.html": ABOUT,
        "assets/site.css": CSS, "img/ok.png": _png(), "img/where.jpg": _png(gps=True),
    })


def test_every_kind_of_problem_is_found(tmp_path):
    site = hostile_site(tmp_path / "site")
    found = {(f.page, f.kind, f.url) for f in crawl(site, SITE_URL)}
    expected = {
        ("index.html", "third-party", "https://fonts.googleapis.com/css?family=Noto+Sans+SC"),
        ("index.html", "third-party", "https://fonts.gstatic.com"),
        ("index.html", "third-party", "//cdn.jsdelivr.net/npm/x.js"),
        ("index.html", "third-party", "https://evil.example/a.css"),
        ("index.html", "third-party", "https://cdn.example.com/big.png"),
        ("index.html", "third-party", "http://tracker.example/p.gif"),
        ("index.html", "mixed-content", "http://tracker.example/p.gif"),
        ("index.html", "mixed-content", "http://wm.example.org/img/ok.png"),
        ("index.html", "third-party", "https://www.youtube.com/embed/x"),
        ("index.html", "broken-resource", "img/missing.png"),
        ("index.html", "broken-link", "nope/"),
        ("index.html", "broken-anchor", "about/#nobody"),
        ("index.html", "broken-anchor", "#gone"),
        ("index.html", "script-url", "javascript:alert(1)"),
        ("assets/site.css", "third-party", "https://fonts.gstatic.com/s.woff2"),
        ("assets/site.css", "broken-resource", "../img/none.png"),
        ("img/where.jpg", "image-metadata", "img/where.jpg"),
    }
    assert found == expected, (found - expected, expected - found)


def test_a_clean_site_has_no_findings(tmp_path):
    site = write_tree(tmp_path / "site", {
        "index.html": '<link rel="stylesheet" href="assets/a.css"><a href="sub/#x">x</a>'
                      '<img src="img/a.png" srcset="img/a.png 480w, img/a.png 800w">'
                      '<a href="https://www.gov.cn/">外链</a><a href="#top">顶部</a>',
        "sub/index.html": '<p id="x">x</p><a href="../">up</a><a href="../index.html">up</a>',
        "assets/a.css": "a { background: url(../img/a.png) }",
        "img/a.png": _png(),
    })
    assert crawl(site, SITE_URL) == []


def test_site_under_a_sub_path(tmp_path):
    site = write_tree(tmp_path / "site", {
        "index.html": '<a href="/wm/about/">a</a><a href="https://x.example.org/wm/about/">b</a>'
                      '<a href="/wm/missing/">c</a>',
        "about/index.html": "<p>关于</p>",
    })
    found = crawl(site, "https://x.example.org/wm/")
    assert [(f.kind, f.url) for f in found] == [("broken-link", "/wm/missing/")]


def test_command_line(tmp_path, capsys):
    site = hostile_site(tmp_path / "site")
    assert main([str(site), "--site-url", SITE_URL]) == 1
    out = capsys.readouterr().out
    assert "index.html: 第三方资源: https://fonts.googleapis.com" in out
    assert "(resource from another host)" in out
    assert "检查了 2 个页面" in out
    clean = write_tree(tmp_path / "clean", {"index.html": "<p>好</p>"})
    assert main([str(clean)]) == 0
    assert main([str(tmp_path / "empty-dir-that-is-not-a-site")]) == 2
    proc = subprocess.run([sys.executable, "-m", "generator.render.linkcheck", str(site), "--lang", "en"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 1 and "broken link: nope/" in proc.stdout


@pytest.mark.slow
def test_demo_site_makes_no_third_party_request_and_has_no_broken_links(demo_site):
    site = demo_site  # the demo built once per session (conftest.py)
    found = crawl(site, SITE_URL)
    assert not found, "\n".join(f.format("en") for f in found)
    assert len(list(site.rglob("*.html"))) > 20
