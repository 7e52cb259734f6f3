"""One theme: a project's themes/ overrides one block of the station page, the QR contact page, a
poster and the case book (README, "Changing the look"), on a small project of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator import theme

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}

# The four examples of the README, as written there.
STATION = """\
{% extends "site/station.html" %}
{% block contact %}
<p class="notice-bus">乘 3 路公交车到村委会站下车,向北 50 米。</p>
{{ super() }}
{% endblock %}
"""
QR_PAGE = """\
{% extends "!default/qr/contact.html" %}
{% block more %}
{{ super() }}
<p class="more">找不到人?请拨县中心电话 0912-3850000</p>
{% endblock %}
"""
POSTER = """\
{% extends "!default/signage/poster.html" %}
{% block hint scoped %}
<div class="hint" style="top: {{ u(70 + qr_mm + 7.5) }}; font-size: {{ u(3.6) }}; line-height: {{ u(5) }};">扫码预约志愿服务 · 欢迎来站参加活动</div>
{% endblock %}
"""
BOOK = """\
//{% extends "!default/casebook/book.typ" %}
//{% block title_page %}
  //{{ super() }}
  page(header: none, footer: none, align(center + horizon, text(size: 14pt, "内部资料　注意保存")))
//{% endblock %}
"""

CASE = """\
---
title: 院落里的文明实践课堂
year: 2022
category: 理论宣讲
stations: [ceshi]
---

村民在院子里听宣讲。
"""


def _by_class(doc, tag: str, cls: str) -> list:
    return doc.xpath(f"//{tag}[contains(concat(' ', @class, ' '), ' {cls} ')]")


def _pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


@pytest.fixture
def themed(tree):
    return tree({
        "themes/site/station.html": STATION,
        "themes/qr/contact.html": QR_PAGE,
        "themes/signage/poster.html": POSTER,
        "themes/casebook/book.typ": BOOK,
        "content/cases/2022/yuanluo.md": CASE,
        "content/casebooks/2022.yml": "title: 案例选编\nselect: {year: 2022}\n"
                                      "chapters:\n  - {title: 理论宣讲篇, categories: [理论宣讲]}\n",
    })


@pytest.fixture
def built(themed):
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=themed, capture_output=True,
                          text=True, env=ENV, check=False)
    assert proc.returncode == 0, proc.stderr
    return themed / "site"


def test_station_override_extends_its_own_name_and_changes_one_block(built):
    """themes/site/station.html extending "site/station.html" (a RecursionError before) gets the default."""
    doc = lxml_html.parse(str(built / "stations/ceshi/index.html")).getroot()
    contact = _by_class(doc, "section", "wm-contact")
    assert len(contact) == 1
    added = _by_class(doc, "p", "notice-bus")
    assert [p.text_content() for p in added] == ["乘 3 路公交车到村委会站下车,向北 50 米。"]
    # the new paragraph sits just before the default contact section, which is unchanged
    assert added[0].getnext() is contact[0]
    assert "0912-3850000" in contact[0].text_content()
    assert doc.xpath("//h1")[-1].text_content() == "测试区新时代文明实践中心"


def test_qr_page_override_adds_to_one_block(built):
    doc = lxml_html.parse(str(built / "s/ceshi/index.html")).getroot()
    more = doc.xpath("//main//p[@class='more']")
    assert [p.text_content() for p in more] == ["查看测试区新时代文明实践中心详细介绍", "找不到人?请拨县中心电话 0912-3850000"]
    assert _by_class(doc, "a", "call")[0].get("href") == "tel:09123850000"  # the rest as by default


def test_poster_override_replaces_one_block(themed):
    from generator.config import load_config
    from generator.load import load
    from generator.render.signage import render_posters

    config = load_config(themed / "mkdocs.yml")
    net, _problems = load(config)
    pdf = themed / "poster.pdf"
    render_posters(net, config, [net.stations["ceshi"]]).write_pdf(pdf)
    text = _pdf_text(pdf)
    assert "扫码预约志愿服务·欢迎来站参加活动" in text
    assert "手机扫码" not in text  # the default hint is gone
    assert "测试区新时代文明实践中心" in text and "0912-3850000" in text  # the other blocks stay


def test_case_book_override_adds_a_page_after_the_title_page(themed, tmp_path):
    from generator.config import load_config
    from generator.load import load
    from generator.render.casebook.content import find_book, gather
    from generator.render.casebook.typeset import render_book

    config = load_config(themed / "mkdocs.yml")
    net, problems = load(config)
    assert not problems.errors, [p.format() for p in problems.errors]
    out = tmp_path / "book.pdf"
    render_book(gather(net, find_book(net, 2022), config), config, out)
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                           check=True).stdout.decode("utf-8").split("\f")
    flat = ["".join(p.split()) for p in pages]
    at = next(i for i, p in enumerate(flat) if "内部资料注意保存" in p)
    assert "案例选编" in flat[at - 1]  # the default title page comes first (super())
    assert any("院落里的文明实践课堂" in p for p in flat[at + 1:])  # then the rest of the book


def test_loader_order_default_prefix_and_self_reference(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site/moved.html").write_text('{% extends "site/moved.html" %}', encoding="utf-8")
    (tmp_path / "site/home.html").write_text("项目自己的首页", encoding="utf-8")
    env = theme.environment([tmp_path])
    assert env.get_template("site/home.html").render() == "项目自己的首页"
    default_home = (theme.TEMPLATES / "site/home.html").read_text(encoding="utf-8")
    assert env.loader.get_source(env, "!default/site/home.html")[0] == default_home
    # extending its own name reaches the default instead of itself
    ours = env.get_template("site/moved.html").render(page={"target": {"url": "../x/", "name": "乙"}, "name": "甲"})
    default = theme.environment().get_template("site/moved.html").render(page={"target": {"url": "../x/", "name": "乙"}, "name": "甲"})
    assert ours == default and ours


def test_poster_stylesheet_from_themes(tree):
    """themes/signage/poster.css takes the place of the default stylesheet of the posters."""
    from generator.config import load_config
    from generator.load import load
    from generator.render.signage import render_posters

    css = (theme.TEMPLATES / "signage/poster.css").read_text(encoding="utf-8") + "\n.hint { display: none; }\n"
    root = tree({"themes/signage/poster.css": css})
    config = load_config(root / "mkdocs.yml")
    net, _problems = load(config)
    pdf = root / "poster.pdf"
    render_posters(net, config, [net.stations["ceshi"]]).write_pdf(pdf)
    text = _pdf_text(pdf)
    assert "测试区新时代文明实践中心" in text and "手机扫码" not in text


def test_a_custom_dir_of_mkdocs_yml_serves_every_output(tree):
    """A project whose mkdocs.yml names its own template folder (``theme.custom_dir``) gets it
    for the pages MkDocs renders and for wenming's own outputs alike: the QR page and posters."""
    from conftest import MINIMAL_MKDOCS

    from generator.config import load_config
    from generator.load import load
    from generator.render.signage import render_posters

    assert "theme: material\n" in MINIMAL_MKDOCS
    root = tree({"mkdocs.yml": MINIMAL_MKDOCS.replace("theme: material\n",
                                                      "theme:\n  name: material\n  custom_dir: overrides\n"),
                 "overrides/qr/contact.html": QR_PAGE, "overrides/signage/poster.html": POSTER})
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, capture_output=True,
                          text=True, env=ENV, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = lxml_html.parse(str(root / "site/s/ceshi/index.html")).getroot()
    assert "找不到人?请拨县中心电话 0912-3850000" in [p.text_content() for p in doc.xpath("//main//p[@class='more']")]
    config = load_config(root / "mkdocs.yml")
    net, _problems = load(config)
    render_posters(net, config, [net.stations["ceshi"]]).write_pdf(root / "poster.pdf")
    assert "扫码预约志愿服务·欢迎来站参加活动" in _pdf_text(root / "poster.pdf")
