"""Search in headless Chromium: a Material site with the wenming search box, pages in
Simplified and in Traditional, served on 127.0.0.1; queries typed into the header box."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import opencc
import pytest

from generator.render.search import BUNDLE_DIR, build_index
from generator.render.search.bench import make_site

try:
    from tests.browser import Browser, available
except ImportError:  # pragma: no cover - the shared browser helper is part of the test suite
    Browser = None

    def available() -> bool:
        return False

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not available(), reason="headless Chromium is not installed")]

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "generator" / "theme"
SEARCH_STATIC = THEME / "static" / "search"

PAGES = {
    "index.md": "# 首页\n\n欢迎访问新时代文明实践网站。\n",
    "stations/a.md": "# 榆陽區圖書閱覽室\n\n本站設有圖書閱覽室和文化廣場,每週三開展志願服務活動。\n",
    "stations/b.md": "# 鱼河镇理论宣讲站\n\n组织志愿者开展理论宣讲和乾隆文化讲座,另设电子书架。\n",
    "cases/c.md": "# 邻里互助案例\n\n## 做法\n\n社区组建邻里互助队,为独居老人送餐。\n",
}


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 and record every path requested."""
    log: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            log.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def material_site(tmp_path_factory) -> Path:
    """A plain MkDocs + Material site using our search partial, indexed by build_index."""
    root = tmp_path_factory.mktemp("material")
    (root / "overrides" / "partials").mkdir(parents=True)  # our search partial only
    shutil.copy(THEME / "templates" / "partials" / "search.html", root / "overrides" / "partials")
    (root / "mkdocs.yml").write_text(
        "site_name: 测试\nsite_url: https://wm.example.org/\ndocs_dir: docs\n"
        f"theme:\n  name: material\n  custom_dir: overrides\n"
        "  language: zh\n  font: false\nplugins: [search]\n", encoding="utf-8")
    for rel, text in PAGES.items():
        path = root / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    shutil.copytree(SEARCH_STATIC, site / "assets" / "wenming" / "search")  # as the site plugin does
    stats = build_index(site, SimpleNamespace(search=True))
    assert stats is not None and stats.pages_with_copy == 1
    return site


def results(b) -> list[dict]:
    return b.eval("""Array.from(document.querySelectorAll('.wm-search .md-search-result__item a.md-search-result__link')).map(a => ({
        href: a.getAttribute('href'), title: a.querySelector('h1').innerText,
        text: a.querySelector('p').innerText,
        marks: Array.from(a.querySelectorAll('mark')).map(m => m.textContent)}))""")


def search(b, query: str) -> list[dict]:
    b.eval(f"window.wenmingSearch({json.dumps(query)})", await_promise=True)
    return results(b)


def test_typing_in_the_header_box_finds_traditional_text_with_a_simplified_query(material_site, tmp_path):
    with serve(material_site) as (base, log), Browser(360, 740) as b:
        b.open(base + "stations/b/")
        assert not any(BUNDLE_DIR in p for p in log), "the index is loaded before the search box is used"
        b.eval("document.querySelector('label.md-header__button[for=__search]').click()")
        b.wait_for("document.activeElement && document.activeElement.classList.contains('md-search__input')")
        b.type(".wm-search .md-search__input", "图书阅览室")
        b.wait_for("document.querySelector('.wm-search').getAttribute('data-wm-state') === 'done'"
                   " && document.querySelectorAll('.wm-search .md-search-result__item').length > 0", 15)
        found = results(b)
        b.screenshot(tmp_path / "search-phone.png")
        assert [r["href"].rstrip("/").split("/")[-1] for r in found] == ["a"]
        # the page's own (Traditional) wording is shown and highlighted, never the hidden copy
        assert found[0]["title"].endswith("榆陽區圖書閱覽室")
        assert "本站設有圖書閱覽室" in found[0]["text"]
        assert "图书" not in found[0]["text"] + found[0]["title"]
        assert "圖書閱覽室" in found[0]["marks"]
        assert b.eval("getComputedStyle(document.querySelector('.wm-search .md-search__output')).opacity") == "1"
        # the result link opens the page
        b.eval("setTimeout(() => document.querySelector('.wm-search .md-search-result__item a').click(), 50)")
        b.wait_event("Page.loadEventFired")
        assert b.eval("location.pathname").endswith("/stations/a/")
        assert "榆陽區圖書閱覽室" in b.text()
        assert not b.external_requests()
    # everything came from this host, in small pieces; Material's big index was never asked for
    assert not any("search_index" in p for p in log)
    assert any(p.startswith("/pagefind/index/") for p in log)
    assert any(p.startswith("/pagefind/fragment/") for p in log)


def test_a_traditional_query_finds_simplified_text(material_site):
    with serve(material_site) as (base, log), Browser(360, 740) as b:
        b.open(base + "?q=" + "理論宣講")
        b.wait_for("document.querySelectorAll('.wm-search .md-search-result__item').length > 0", 15)
        found = results(b)
        assert [r["href"].rstrip("/").split("/")[-1] for r in found] == ["b"]
        assert "理论宣讲" in found[0]["marks"]
        assert "組織" not in found[0]["text"] and "组织志愿者开展理论宣讲" in found[0]["text"]
        # phrases keep their characters: 乾隆 is not turned into 干隆
        found = search(b, "乾隆")
        assert found and found[0]["title"].endswith("鱼河镇理论宣讲站")
        # both scripts mixed in one query; results from both kinds of pages
        hrefs = {r["href"].rstrip("/").split("/")[-1] for r in search(b, "閱覽室")}
        assert hrefs == {"a"}
        hrefs = {r["href"].rstrip("/").split("/")[-1] for r in search(b, "志愿")}
        assert hrefs == {"a", "b"}
        assert search(b, "不存在的词语") == []
        assert b.eval("document.querySelector('.wm-search .md-search-result__meta').textContent").strip()
        assert not b.external_requests()
    assert not any("search_index" in p for p in log)


def test_desktop_layout(material_site, tmp_path):
    with serve(material_site) as (base, _), Browser(1280, 800) as b:
        b.open(base)
        b.eval("document.querySelector('.wm-search .md-search__input').focus()")
        assert b.eval("document.getElementById('__search').checked")
        found = search(b, "邻里互助")
        b.screenshot(tmp_path / "search-desktop.png")
        assert found and found[0]["href"].rstrip("/").endswith("cases/c")
        assert b.eval("document.querySelector('.wm-search .md-search__output').getBoundingClientRect().height") > 50
        b.eval("document.querySelector('.wm-search .md-search__input').dispatchEvent("
               "new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
        assert not b.eval("document.getElementById('__search').checked")


TEST_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"></head><body>
<div data-wm-search data-bundle="pagefind/" data-root="./" data-none="无" data-one="1" data-other="#">
<form><input class="md-search__input"></form><div class="md-search-result__meta"></div>
<ol class="md-search-result__list"></ol></div>
<script src="names.js"></script><script src="search.js"></script></body></html>"""


def test_sharded_index_is_merged_in_the_browser(tmp_path):
    """A province-sized site is indexed in several runs; the search box queries them all."""
    site = make_site(tmp_path, 120, traditional=0.1, seed=5)
    stats = build_index(site, SimpleNamespace(search=True), shard_pages=50)
    assert stats is not None and len(stats.extra["shards"]) >= 2 and stats.indexed_pages == 120
    shutil.copy(SEARCH_STATIC / "search.js", site / "search.js")
    shutil.copy(SEARCH_STATIC / "names.js", site / "names.js")
    (site / "t.html").write_text(TEST_PAGE, encoding="utf-8")
    s2t = opencc.OpenCC("s2t")
    titles = {}
    for page in sorted(site.glob("stations/*/index.html")):
        html = page.read_text(encoding="utf-8")
        titles[page.parent.name] = html[html.index("<h1>") + 4:html.index("</h1>")]
    first, last = min(titles), max(titles)  # in the first and in the last shard
    with serve(site) as (base, log), Browser(360, 740) as b:
        b.open(base + "t.html")
        for sid in (first, last):
            title = titles[sid]
            query = s2t.convert(title) if title == opencc.OpenCC("t2s").convert(title) else \
                opencc.OpenCC("t2s").convert(title)  # always the other script
            assert query != title
            hrefs = [r["href"] for r in b.eval(
                f"window.wenmingSearch({json.dumps(query)}).then(() => Array.from("
                "document.querySelectorAll('.md-search-result__item a')).map(a => ({href: a.getAttribute('href')})))",
                await_promise=True)]
            assert f"/stations/{sid}/" in hrefs, (query, hrefs[:5])
        assert not b.external_requests()
    assert any(p.startswith("/pagefind/shard1/") for p in log)


def test_demo_site_finds_a_station_by_its_name_in_traditional(demo_network, demo_site):
    """The demo, built once per session (conftest.py, not a ./site left by another build): a
    village station's full and short name, typed in Traditional, bring it first."""
    site = demo_site
    t2t = opencc.OpenCC("s2t")
    # a village station whose name changes in Traditional
    station = next(s for s in demo_network.stations.values()
                   if t2t.convert(s.name) != s.name and s.short_name and s.level.value == "站" and s.is_active
                   and (site / "stations" / s.id / "index.html").is_file())
    with serve(site) as (base, _), Browser(360, 740) as b:
        for query in (t2t.convert(station.name), t2t.convert(station.short_name)):
            assert query not in (station.name, station.short_name)
            b.open(base + "?q=" + query)
            b.wait_for("document.querySelector('.wm-search').getAttribute('data-wm-state') === 'done'"
                       " && document.querySelectorAll('.wm-search .md-search-result__item').length > 0", 15)
            hrefs = [r["href"] for r in results(b)]
            assert hrefs and hrefs[0].rstrip("/").endswith(f"stations/{station.id}"), (query, hrefs[:5])
        assert not b.external_requests()


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory) -> tuple[Path, object]:
    """A generated city (150 站, names of random characters) built with the wenming plugin."""
    import importlib.util

    from generator.config import load_config
    from generator.load import load

    root = tmp_path_factory.mktemp("synth-site")
    spec = importlib.util.spec_from_file_location("wenming_bench_synth_browser", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.synthesize(root, "jinan", seed=3, stations=150)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", WENMING_NO_PROGRESS="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                          capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    net, _ = load(load_config(root / "mkdocs.yml"))
    return root / "site", net


def test_names_typed_into_the_search_box_come_first(synth_site, tmp_path):
    """A sample of records, each typed in another form, through the real search box."""
    from generator.render.search.names import display_short, initials, normalise, strip_suffix

    site, net = synth_site
    s2t = opencc.OpenCC("s2t")
    stations = [s for s in net.stations.values() if s.level.value == "站" and s.is_active and s.phone]
    names_seen = {}
    for s in net.stations.values():
        names_seen.setdefault(strip_suffix(normalise(s.name)), []).append(s.id)
    stations = [s for s in stations if len(names_seen[strip_suffix(normalise(s.name))]) == 1]
    towns = {s.id: s for s in net.stations.values()}
    people = {}
    for p in net.people.values():
        people.setdefault(p.name, []).append(p)
    samples = []
    for i, s in enumerate(stations[:: max(1, len(stations) // 10)][:10]):
        query = [s.name, s2t.convert(s.name), display_short(s.name), f"“{s.short_name}”",
                 initials(strip_suffix(normalise(s.name)))][i % 5]
        samples.append(("阵地", query, f"stations/{s.id}/", s))
    for p in list(net.projects.values())[:4]:
        samples.append(("品牌项目", f"《{p.name}》", f"projects/{p.id}/", None))
    for p in [v[0] for v in people.values() if len(v) == 1][:3]:
        samples.append(("典型人物", s2t.convert(p.name), f"people/{p.id}/", None))
    for c in list(net.cases.values())[:3]:
        samples.append(("案例", c.title, f"cases/{c.id}/", None))
    assert len(samples) == 20
    with serve(site) as (base, log), Browser(360, 740) as b:
        b.open(base + "stations/" + stations[0].id + "/")
        for n, (label, query, url, station) in enumerate(samples):
            # open the search panel as a reader does (the header's button only while it is closed:
            # a closed panel is inert, so typing into it would do nothing)
            b.eval("document.getElementById('__search').checked"
                   " || document.querySelector('label.md-header__button[for=__search]').click()")
            b.type(".wm-search .md-search__input", query)
            b.wait_for("document.querySelector('.wm-search').getAttribute('data-wm-state') === 'done'"
                       " && document.querySelectorAll('.wm-search .md-search-result__item').length > 0", 15)
            first = b.eval("""(() => { const li = document.querySelector('.wm-search .md-search-result__item');
                const a = li.querySelector('a.md-search-result__link'), tel = li.querySelector('a.wm-search__tel'),
                      facts = li.querySelector('.wm-search__facts');
                return {href: a.getAttribute('href'), kind: li.querySelector('.wm-search__kind').textContent,
                        title: li.querySelector('h1').innerText, tel: tel && tel.getAttribute('href'),
                        facts: facts && facts.textContent}; })()""")
            assert first["href"].endswith("/" + url), (query, first)
            assert first["kind"] == label, (query, first)
            if station is not None:
                town = towns[station.parent]
                assert first["title"].endswith(station.name)
                assert first["facts"].startswith("站") and display_short(town.display_name) in first["facts"]
                assert first["tel"] == "tel:" + "".join(ch for ch in station.phone if ch.isdigit())
            if n == 0:
                b.screenshot(tmp_path / "names-phone.png")
        # a name query never needed Pagefind; the list offers its full text at the end
        assert not any("/pagefind/pagefind" in p for p in log), [p for p in log if "pagefind.js" in p]
        assert any(p.startswith("/pagefind/names/meta.json") for p in log)
        assert b.eval("document.querySelector('.wm-search__more button').textContent").startswith("在全部页面的正文中搜索")
        # a word that is in no name: full text at once, labelled by kind
        b.type(".wm-search .md-search__input", "测血压血糖")
        b.wait_for("document.querySelector('.wm-search').getAttribute('data-wm-state') === 'done'"
                   " && document.querySelectorAll('.wm-search .md-search-result__item').length > 0", 20)
        kinds = b.eval("Array.from(document.querySelectorAll('.wm-search .md-search-result__item .wm-search__kind'))"
                       ".map(k => k.textContent)")
        assert kinds and set(kinds) <= {"阵地", "品牌项目", "典型人物", "案例", "页面"}, kinds
        assert "阵地" in kinds
        assert not b.external_requests()
    assert any("/pagefind/pagefind" in p for p in log)
    assert not any("search_index" in p for p in log)
