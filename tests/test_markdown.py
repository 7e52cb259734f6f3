"""Markdown bodies: hostile HTML is neutralised, links and images are rewritten and checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from generator.config import load_config
from generator.errors import Problems
from generator.render.images import ImagePublisher
from generator.render.markdown import check_links, is_trusted, relative_url, render_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "hardening"
FORBIDDEN_TAGS = {"script", "style", "form", "input", "object", "embed", "svg", "math", "link",
                  "meta", "base", "video", "audio", "textarea", "noscript"}
BAD_SCHEMES = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


def assert_safe(fragment: str, site_host: str = "wm.example.org") -> BeautifulSoup:
    """What a browser would parse from ``fragment`` can run no script and load nothing remote."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in FORBIDDEN_TAGS, str(tag)
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), str(tag)
            assert attr.lower() not in ("style", "srcdoc", "formaction", "action", "poster"), str(tag)
            values = value if isinstance(value, list) else [value]
            for v in values:
                assert not BAD_SCHEMES.match(v or ""), str(tag)
        for attr in ("src", "srcset"):
            if tag.get(attr):
                for part in tag[attr].split(","):
                    url = part.strip().split(" ")[0]
                    assert not re.match(r"^(https?:)?//", url) or site_host in url, str(tag)
        if tag.name == "iframe":
            assert not re.match(r"^(https?:)?//", tag.get("src", "")), str(tag)
    low = fragment.lower()
    assert "<script" not in low and "javascript:" not in low
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", low)
    return soup


@pytest.fixture
def project(tree):
    root = tree({
        "content/about.md": "# 关于\n\n说明。\n",
        "content/guide/index.md": "# 指南\n",
        "content/images/ok.jpg": _jpeg(),
        "content/people/wang-fang.md": """\
            ---
            name: 王芳
            honors: [{title: 身边好人, year: 2022}]
            station: ceshi
            consent: true
            ---
            王芳的故事。
            """,
        "content/cases/2022/old-file-name.md": """\
            ---
            id: renamed-case
            title: 案例
            year: 2022
            stations: [ceshi]
            ---
            正文。
            """,
    })
    return root, load_config(root / "mkdocs.yml")


def _jpeg(size=(1000, 600)) -> bytes:
    import io

    buf = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(buf, "JPEG")
    return buf.getvalue()


def render(config, text, source="content/stations/ceshi.md", page_url="stations/ceshi/", line=6,
           **kw):
    problems = Problems()
    out = render_markdown(text, source=source, line=line, config=config, page_url=page_url,
                          problems=problems, **kw)
    return out, problems


# ------------------------------------------------------------------ sanitising


def test_hostile_fixture_cannot_run_script_or_load_remote_resources(project):
    _root, config = project
    text = (FIXTURES / "hostile.md").read_text(encoding="utf-8")
    out, problems = render(config, text)
    soup = assert_safe(out)
    # Ordinary content survives.
    assert soup.find("h2", id="正常的标题") is not None
    assert soup.find("strong").text == "加粗"
    assert soup.find("a", href="https://www.gov.cn/")["rel"] == ["noopener"]
    assert "悬停" in soup.text and "详情" in soup.text and "样式" in soup.text
    # The external image and the external iframe are reported with their own line numbers.
    lines = text.split("\n")
    by_text = {p.en.split("(")[0]: p for p in problems}
    ext_img = [p for p in problems if "evil.example/track.gif" in p.en]
    assert ext_img and ext_img[0].line == 6 + next(i for i, l in enumerate(lines) if "track.gif" in l)
    frame = [p for p in problems if "evil.example/frame" in p.en]
    assert frame and frame[0].line == 6 + next(i for i, l in enumerate(lines) if "evil.example/frame" in l)
    assert all(p.path == "content/stations/ceshi.md" and p.field == "正文 body" for p in problems)
    assert by_text  # bilingual messages
    assert all(p.zh and p.en and p.zh != p.en for p in problems)


@pytest.mark.parametrize("attack", [
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '[x](javascript:alert(1))',
    '[x](JAVASCRIPT:alert(1))',
    '[x](  javascript:alert(1) )',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe src="//evil.example/x"></iframe>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<scr<script>ipt>alert(1)</script>',
    '<<script>script>alert(1)</script>',
    '<img """><script>alert(1)</script>">',
    '<a href="#" onmouseover="alert(1)">x</a>',
    'x{: onclick="alert(1)"}',
    '<div\nonclick="alert(1)">x</div>',
    '<img src="x" /onerror=alert(1)>',
    '`<script>` in code is text: <code><script>alert(1)</script></code>',
    '<object data="javascript:alert(1)"></object>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    # an unquoted src swallows the tag after it: the iframe's raw text kept a literal <script>
    '<iframe  src=<script>alert(1)</script><script>alert(1)</script>',
])
def test_single_attacks_are_neutralised(project, attack):
    _root, config = project
    out, _problems = render(config, attack)
    assert_safe(out)


def test_code_spans_keep_the_text_escaped(project):
    _root, config = project
    out, _ = render(config, "写 `<script>alert(1)</script>` 是错的。\n\n```html\n<img onerror=x>\n```\n")
    soup = BeautifulSoup(out, "html.parser")
    assert "<script>alert(1)</script>" in soup.find("code").text
    assert "<img onerror=x>" in soup.find("pre").text
    assert_safe(out)


def test_same_site_iframe_is_kept(project):
    _root, config = project
    out, problems = render(config, '<iframe src="../../stats/" title="统计"></iframe>\n')
    assert BeautifulSoup(out, "html.parser").find("iframe")["src"] == "../../stats/"
    assert not problems.errors


def test_trusted_folder_keeps_raw_html(tree):
    root = tree({"mkdocs.yml": "site_name: t\nsite_url: https://wm.example.org/\ndocs_dir: content\n"
                               "plugins:\n  - wenming:\n      trusted_html: [special]\n",
                 "content/special/map.md": "x"})
    config = load_config(root / "mkdocs.yml")
    assert is_trusted("content/special/map.md", config)
    assert is_trusted(root / "content" / "special" / "map.md", config)
    assert not is_trusted("content/stations/ceshi.md", config)
    assert not is_trusted("content/specialist/x.md", config)
    raw = '<div style="color:#b00" data-x="1">地图</div>\n'
    out, _ = render(config, raw, source="content/special/map.md", page_url="special/map/",
                    trusted=True)
    assert 'style="color:#b00"' in out
    out2, _ = render(config, raw, source="content/special/map.md", page_url="special/map/")
    assert "style=" not in out2


def test_trusted_html_still_gets_no_third_party_images(tree):
    root = tree()
    config = load_config(root / "mkdocs.yml")
    out, problems = render(config, '<img src="https://cdn.example.com/a.png">\n', trusted=True)
    assert "cdn.example.com" not in out
    assert problems.errors


def test_cjk_heading_ids_and_footnotes(project):
    _root, config = project
    out, problems = render(config, "## 古塔镇 简介\n\n见[下文](#古塔镇-简介)[^1]。\n\n## 古塔镇 简介\n\n[^1]: 注释\n")
    soup = BeautifulSoup(out, "html.parser")
    ids = [h["id"] for h in soup.find_all("h2")]
    assert ids[0] == "古塔镇-简介" and len(set(ids)) == 2
    assert soup.find(id="fn:1") is not None
    assert not problems.items


# ------------------------------------------------------------------ links


def test_links_to_content_files_become_page_urls(project):
    _root, config = project
    text = ("[关于](../about.md) [指南](../guide/index.md) [王芳](../people/wang-fang.md) "
            "[案例](../cases/2022/old-file-name.md#正文) [中心](ceshi.md) "
            "[同站](stations/ceshi.md) [页面地址](../../people/wang-fang/) [首页](../index.md)\n")
    out, problems = render(config, text)
    hrefs = [a["href"] for a in BeautifulSoup(out, "html.parser").find_all("a")]
    assert hrefs == ["../../about/", "../../guide/", "../../people/wang-fang/",
                     "../../cases/renamed-case/#正文", "./", "./", "../../people/wang-fang/",
                     "../../"]
    assert not problems.items, [p.format() for p in problems]


def test_links_from_an_editorial_page(project):
    _root, config = project
    out, problems = render(config, "[王芳](people/wang-fang.md) [关于](about.md)\n",
                           source="content/index.md", page_url="")
    hrefs = [a["href"] for a in BeautifulSoup(out, "html.parser").find_all("a")]
    assert hrefs == ["people/wang-fang/", "about/"]
    assert not problems.items


def test_broken_link_names_file_line_field_and_suggestion(project):
    _root, config = project
    text = "第一行。\n\n第三行有[坏链接](../people/wang-fan.md)。\n"
    _out, problems = render(config, text, source="content/stations/ceshi.md", line=6)
    [p] = problems.errors
    assert (p.path, p.line, p.field) == ("content/stations/ceshi.md", 8, "正文 body")
    assert "wang-fan.md" in p.zh and "../people/wang-fang.md" in p.zh
    assert "did you mean" in p.en
    assert "ceshi.md:8" in p.format()


def test_repeated_broken_links_get_their_own_lines(project):
    _root, config = project
    text = "[a](missing.md)\n\n[b](missing.md)\n"
    _out, problems = render(config, text, line=10)
    assert sorted(p.line for p in problems.errors) == [10, 12]


def test_broken_site_url_and_anchor(project):
    _root, config = project
    _out, problems = render(config, "[x](../../stations/nope/)\n\n[y](#没有)\n\n## 有\n")
    assert len(problems.errors) == 1 and "nope" in problems.errors[0].zh
    [w] = problems.warnings
    assert "#没有" in w.zh


def test_external_links_get_noopener_but_mail_and_own_site_do_not(project):
    _root, config = project
    out, problems = render(config, "[a](https://www.gov.cn/) [b](mailto:x@example.org) "
                                   "[c](tel:09123850000) [d](https://wm.example.org/stations/)\n")
    links = BeautifulSoup(out, "html.parser").find_all("a")
    assert links[0]["rel"] == ["noopener"]
    assert [a.get("rel") for a in links[1:]] == [None, None, None]
    assert not problems.items


# ------------------------------------------------------------------ images


def test_images_relative_to_content_or_file_are_published_with_srcset(project):
    root, config = project
    site = root / "site"
    pub = ImagePublisher(config, site)
    text = "![甲](images/ok.jpg)\n\n![乙](../images/ok.jpg \"标题\")\n"
    out, problems = render(config, text, images=pub)
    assert not problems.items, [p.format() for p in problems]
    imgs = BeautifulSoup(out, "html.parser").find_all("img")
    assert len(imgs) == 2
    for img in imgs:
        assert img["src"].startswith("../../images/") and img["loading"] == "lazy"
        assert (img["width"], img["height"]) == ("800", "480")
        widths = [int(s.strip().split(" ")[1][:-1]) for s in img["srcset"].split(",")]
        assert widths == [480, 800, 1000]
        for part in img["srcset"].split(","):
            url = part.strip().split(" ")[0]
            assert (site / "stations" / "ceshi" / url).resolve().is_file()
    assert imgs[0]["alt"] == "甲" and imgs[1]["title"] == "标题"


def test_published_body_photo_has_no_gps(project):
    from test_images import assert_no_metadata, gps_jpeg

    root, config = project
    (root / "content" / "images" / "phone.jpg").write_bytes(gps_jpeg())
    site = root / "site"
    out, problems = render(config, "![现场](../images/phone.jpg)\n",
                           images=ImagePublisher(config, site))
    assert not problems.items
    img = BeautifulSoup(out, "html.parser").find("img")
    for part in img["srcset"].split(","):
        url = part.strip().split(" ")[0]
        assert_no_metadata((site / "stations" / "ceshi" / url).resolve().read_bytes())


def test_missing_external_and_corrupt_images_are_reported_and_removed(project):
    root, config = project
    (root / "content" / "images" / "cut.jpg").write_bytes(_jpeg()[:500])
    text = "![a](images/okk.jpg)\n\n![b](https://cdn.example.com/x.png)\n\n![c](images/cut.jpg)\n"
    out, problems = render(config, text, line=20, images=ImagePublisher(config, root / "site"))
    assert BeautifulSoup(out, "html.parser").find("img") is None
    errs = sorted(problems.errors, key=lambda p: p.line)
    assert [p.line for p in errs] == [20, 22, 24]
    assert "images/ok.jpg" in errs[0].zh  # did you mean
    assert "cdn.example.com" in errs[1].zh and "third-party" in errs[1].en
    assert "损坏" in errs[2].zh and "corrupt" in errs[2].en


def test_without_publisher_images_keep_their_content_path(project):
    _root, config = project
    out, problems = render(config, "![a](../images/ok.jpg)\n")
    img = BeautifulSoup(out, "html.parser").find("img")
    assert img["src"] == "../../images/ok.jpg" and img["loading"] == "lazy"
    assert not problems.items


def test_relative_url():
    assert relative_url("stations/a/", "cases/b/") == "../../stations/a/"
    assert relative_url("", "stations/a/") == "../../"
    assert relative_url("", "") == "./"
    assert relative_url("images/x.jpg", "") == "images/x.jpg"
    assert relative_url("about/", "about/") == "./"


# ------------------------------------------------------------------ check_links


def test_check_links_reports_bodies_and_editorial_pages(project):
    root, config = project
    from generator.load import load

    (root / "content" / "about.md").write_text(
        "---\ntitle: 关于\n---\n# 关于\n\n[回首页](index.md) [坏](stations/nope.md)\n",
        encoding="utf-8")
    person = root / "content" / "people" / "wang-fang.md"
    person.write_text(person.read_text(encoding="utf-8") + "\n![照片](../images/nothere.jpg)\n",
                      encoding="utf-8")
    net, problems = load(config)
    assert not problems.errors
    found = check_links(net, config)
    where = sorted((p.path, p.line) for p in found)
    assert where == [("content/about.md", 6), ("content/people/wang-fang.md", 9)], \
        [p.format() for p in found]


def test_demo_content_has_no_broken_links(demo_network, demo_config):
    found = [p for p in check_links(demo_network, demo_config) if p.is_error]
    assert not found, "\n".join(p.format() for p in found)


def _mkdocs_build(root, site):
    import os
    import subprocess
    import sys

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=root,
                          capture_output=True, text=True, env=env)


def test_pages_rendered_by_mkdocs_get_the_same_guarantees(project, tmp_path):
    """Editorial pages go through the body pipeline in a real build: sanitised, links to
    records rewritten to their pages, photos published, broken references named by line;
    a page in a ``trusted_html`` folder keeps its raw HTML."""
    root, _config = project
    (root / "content/about.md").write_text(
        "# 关于\n\n[王芳](people/wang-fang.md)\n\n<script>alert(1)</script>\n\n"
        "![图](images/ok.jpg)\n\n<p onclick=\"x()\">点</p>\n", encoding="utf-8")
    (root / "content/special").mkdir()
    (root / "content/special/map.md").write_text("# 地图\n\n<script>draw()</script>\n", encoding="utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "plugins: [search, wenming]", "plugins:\n  - search\n  - wenming:\n      trusted_html: [special]"),
        encoding="utf-8")
    proc = _mkdocs_build(root, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "site/about/index.html").read_text(encoding="utf-8")
    article = page[page.index("<article"):page.index("</article>") + len("</article>")]
    soup = assert_safe(article)
    assert soup.find("a", string="王芳")["href"] == "../people/wang-fang/"
    src = soup.find("img")["src"]
    assert src.startswith("../images/") and (tmp_path / "site/about" / src).resolve().is_file()
    assert "<script>draw()</script>" in (tmp_path / "site/special/map/index.html").read_text(encoding="utf-8")

    (root / "content/about.md").write_text(
        "# 关于\n\n[王芳](people/wang-fang.md)\n\n[坏](nowhere.md)\n\n"
        "<iframe src=\"https://evil.example/\"></iframe>\n", encoding="utf-8")
    proc = _mkdocs_build(root, tmp_path / "site2")
    assert proc.returncode == 1
    assert "content/about.md:5: " in proc.stderr and "content/about.md:7: " in proc.stderr, proc.stderr
    assert not (tmp_path / "site2").exists()

