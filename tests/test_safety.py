"""Issue 23, items 3-8: caches that cannot lie, resource limits, hostile spreadsheets and
files, deceptive text, and no third-party request whatever mkdocs.yml says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render.linkcheck import crawl
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
    })
    proc = wenming(root, "check")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "content/stations/ceshi-zhen.md:2" in out and "第 10 个字符" in out and "U+202E" in out, out
    assert "content/cases/2022/anli.md:2" in out and "U+200B" in out and "title" in out, out
    assert "U+2066" in out and "rename the file" in out, out
    assert "Traceback" not in out


@pytest.mark.slow
def test_bidi_controls_in_bodies_are_removed_with_a_warning(tree):
    root = tree({
        "content/stations/ceshi-zhen.md": f"---\nname: 测试镇所\nlevel: 所\nparent: ceshi\nphone: 0912-3850001\n---\n简介{RLO}反向文字。\n",
        "content/about.md": f"# 关于{LRI}我们\n\n说明{ZWSP}文字。\n",
    })
    check = wenming(root, "check")
    assert check.returncode == 0 and "content/stations/ceshi-zhen.md:7" in check.stdout + check.stderr
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert "U+202E" in out and "U+2066" in out
    for page in (root / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert RLO not in text and LRI not in text and ZWSP not in text, page
    assert "简介反向文字" in (root / "site/stations/ceshi-zhen/index.html").read_text(encoding="utf-8")
