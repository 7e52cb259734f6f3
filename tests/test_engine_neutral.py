"""The build core runs without MkDocs, and nothing but the MkDocs plugin imports MkDocs.

Material reaches end of life in 2027 and MkDocs 2 drops plugins: the whole build (check,
record pages, hub and editorial pages, QR contact pages, search index, swap) must be
drivable by another engine. Here the engine is a plain Jinja page template, in a Python
where ``import mkdocs`` and ``import material`` fail.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from conftest import CHILD_STATION, ROOT, ROOT_STATION, write_tree
from PIL import Image

PROJECT = """\
---
name: 银龄课堂
station: ceshi-suo
category: 理论宣讲
---
老年人的课堂。
"""

SHELL = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ page.title }}</title><meta name="description" content="{{ page.description }}"></head>
<body><nav><a href="{{ page.root }}">{{ page.site_name }}</a></nav>
<article class="md-content__inner">{{ page.content }}</article></body></html>
"""

DRIVER = """
import sys

class NoMkDocs:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("mkdocs", "material"):
            raise ImportError(f"{name} is not installed here")
        return None

sys.meta_path.insert(0, NoMkDocs())
try:
    import mkdocs  # noqa: F401
    raise SystemExit("the import blocker does not work")
except ImportError:
    pass

from generator.build.standalone import build_site
from generator.config import load_config

site = build_site(load_config(sys.argv[1]), open(sys.argv[2], encoding="utf-8").read())
assert not [m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material")]
print(site)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A small network built by the core alone, with MkDocs impossible to import."""
    root = tmp_path_factory.mktemp("neutral")
    write_tree(root, {
        "mkdocs.yml": "site_name: 测试\nsite_url: https://wm.example.org/\ndocs_dir: content\ntheme: material\n"
                      "plugins: [search, wenming]\n",
        "content/index.md": "# 首页\n\n欢迎。\n",
        "content/about.md": "# 关于本站\n\n本站介绍。\n",
        "content/stations/ceshi.md": ROOT_STATION,
        "content/stations/ceshi-suo.md": CHILD_STATION,
        "content/projects/yinling.md": PROJECT,
        "shell.html": SHELL,
    })
    env = {**os.environ, "WENMING_NO_PROGRESS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(root / "mkdocs.yml"), str(root / "shell.html")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = Path(proc.stdout.strip().splitlines()[-1])
    assert site == root / "site"
    return site


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def test_record_pages_are_written_into_the_plain_shell(built):
    soup = _soup(built / "stations" / "ceshi-suo" / "index.html")
    assert soup.title.get_text() == "测试镇新时代文明实践所"
    assert "测试镇新时代文明实践所" in soup.select_one("article h1").get_text()
    assert soup.select_one('a[href^="tel:"]')["href"] == "tel:09123851000"
    assert soup.select_one("nav a")["href"] == "../../"  # the shell's links fit the record's depth
    project = _soup(built / "projects" / "yinling" / "index.html")
    assert "银龄课堂" in project.select_one("article h1").get_text()
    assert not (built / "stations" / "_shell").exists()


def test_hub_and_editorial_pages_and_sitemap(built):
    hub = _soup(built / "stations" / "index.html")
    assert hub.title.get_text() == "阵地"
    assert hub.select_one('article a[href$="ceshi-suo/"]') is not None
    about = _soup(built / "about" / "index.html")
    assert about.select_one("article h1").get_text() == "关于本站"
    assert _soup(built / "stats" / "index.html").title.get_text() == "数据统计"
    home = _soup(built / "index.html")
    assert home.select_one("article h1").get_text() == "首页" and "欢迎" in home.select_one("article").get_text()
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    for url in ("https://wm.example.org/stations/ceshi-suo/", "https://wm.example.org/about/"):
        assert f"<loc>{url}</loc>" in sitemap
    assert (built / "assets" / "wenming" / "site" / "site.css").is_file()
    assert (built / "index.html.gz").is_file() and (built / "robots.txt").is_file()  # finished and swapped in
    assert not (built.parent / ".site.staging").exists()


def test_qr_contact_pages_and_their_codes(built):
    for sid in ("ceshi", "ceshi-suo"):
        page = _soup(built / "s" / sid / "index.html")
        assert page.select_one('a[href^="tel:"]') is not None
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO((built / "s" / sid / "qr.png").read_bytes())))
        assert [c.text for c in codes] == [f"https://wm.example.org/s/{sid}/"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_search_index_finds_a_station_by_name(built):
    from generator.render.search.bench import run_names
    from generator.render.search.names import NAMES_DIR

    assert (built / "pagefind" / "pagefind-entry.json").is_file()
    answers = run_names(built / "pagefind" / NAMES_DIR, [{"q": "测试镇", "want": "stations/ceshi-suo/"}])
    assert answers[0]["pos"] == 0, json.dumps(answers, ensure_ascii=False)


def test_only_the_mkdocs_plugin_imports_mkdocs():
    """Every module of generator/ but mkdocs_plugin.py is free of MkDocs and Material, at
    the top and inside functions alike."""
    offenders = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        if path == ROOT / "generator" / "mkdocs_plugin.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) \
                    in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names = [str(node.args[0].value)]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names
                          if n.split(".")[0] in ("mkdocs", "material")]
    assert not offenders, offenders
    assert len(list((ROOT / "generator").rglob("*.py"))) > 50  # the walk saw the package


def test_the_default_page_template_is_the_themes_and_a_project_may_override_it(tmp_path):
    """Without a template of its own the build takes the theme's ``standalone/page.html``, looked
    up like every other template: the project's ``themes/`` first."""
    from generator.build.standalone import build_site
    from generator.config import load_config

    write_tree(tmp_path, {
        "mkdocs.yml": "site_name: 测试\nsite_url: https://wm.example.org/\ndocs_dir: content\n"
                      "plugins: [search, wenming]\n",
        "content/stations/ceshi.md": ROOT_STATION,
        "content/stations/ceshi-suo.md": CHILD_STATION,
    })
    os.environ["WENMING_NO_PROGRESS"] = "1"
    site = build_site(load_config(str(tmp_path / "mkdocs.yml")))
    page = _soup(site / "stations" / "ceshi-suo" / "index.html")
    assert "../../assets/wenming/site/site.css" in [a["href"] for a in page.select("link[rel=stylesheet]")]
    assert page.select_one("header a").get_text() == "测试"
    write_tree(tmp_path, {"themes/standalone/page.html":
                          "<!doctype html><html lang=\"zh-CN\"><head><title>{{ page.title }}</title></head>"
                          "<body><p class=\"county\">县级自定义</p><article class=\"md-content__inner\">"
                          "{{ page.content }}</article></body></html>\n"})
    site = build_site(load_config(str(tmp_path / "mkdocs.yml")))
    page = _soup(site / "stations" / "ceshi-suo" / "index.html")
    assert page.select_one("p.county").get_text() == "县级自定义"
    assert "测试镇新时代文明实践所" in page.select_one("article h1").get_text()
