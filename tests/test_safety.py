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
