"""Search without a browser: the Traditional → Simplified map, the page post-processing,
the sharding plan and the Pagefind bundle that ``build_index`` writes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace

import opencc
import pytest

from generator.render.search import (
    BUNDLE_DIR,
    SETTINGS_NAME,
    build_index,
    pages,
    plan_shards,
    prepare_html,
    t2s,
)
from generator.render.search.bench import make_site

ROOT = Path(__file__).resolve().parent.parent

S2T = opencc.OpenCC("s2t")


def js_like_convert(settings: dict, text: str) -> str:
    """What static/search.js does with the shipped map (longest phrase first, then characters)."""
    pairs = list(settings["c"])
    chars = dict(zip(pairs[0::2], pairs[1::2]))
    phrases, longest = settings["p"], settings["n"]
    out, i, cs = [], 0, list(text)
    while i < len(cs):
        for n in range(min(longest, len(cs) - i), 1, -1):
            key = "".join(cs[i:i + n])
            if key in phrases:
                out.append(phrases[key])
                i += n
                break
        else:
            out.append(chars.get(cs[i], cs[i]))
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- the character map


def test_char_map_converts_common_traditional_characters():
    table = t2s.char_map()
    for trad, simp in [("圖", "图"), ("書", "书"), ("閱", "阅"), ("覽", "览"), ("區", "区"), ("週", "周"),
                       ("願", "愿"), ("務", "务"), ("講", "讲"), ("與", "与")]:
        assert table[trad] == simp
    # Simplified characters are not in it: the map only holds what t2s changes
    for ch in "图书阅览区志愿服务站":
        assert ch not in table


def test_browser_map_matches_opencc_on_everyday_text():
    settings = t2s.browser_map()
    samples = ["榆陽區新時代文明實踐中心", "志願服務隊每週三開展理論宣講", "圖書閱覽室開放時間",
               "乾隆年間的古塔", "一目瞭然的服務清單", "鄉村振興與移風易俗", "醫療健身和法律服務"]
    for text in samples:
        assert js_like_convert(settings, text) == opencc.OpenCC("t2s").convert(text), text
    # the phrase table keeps words whose characters would convert differently one by one
    assert t2s.chars_to_simplified("乾隆") == "干隆"
    assert js_like_convert(settings, "乾隆") == "乾隆"


def test_browser_map_is_small_enough_for_a_phone():
    raw = json.dumps(t2s.browser_map(), ensure_ascii=False, separators=(",", ":")).encode()
    assert 3000 < len(t2s.browser_map()["c"]) // 2  # thousands of characters ...
    assert len(gzip.compress(raw)) < 40_000  # ... in a few tens of KB over the wire


def test_precheck_set_covers_every_changing_phrase():
    trad = t2s.traditional_chars()
    for key, value in t2s._phrases().items():
        if key != value:
            assert not trad.isdisjoint(key), key
    assert "一" not in trad and "的" not in trad  # everyday Simplified text is skipped quickly


# ---------------------------------------------------------------- page post-processing

PAGE = """<!doctype html><html lang="zh"><body>
<nav class="md-nav">導航不算</nav>
<article class="md-content__inner md-typeset">
<h1 id="x">榆陽區圖書閱覽室</h1>
<p>本站設有<a href="#">圖書閱覽室</a>和文化廣場 &amp; 健身器材。</p>
<p>这一行本来就是简体。</p>
<div data-pagefind-ignore><p>忽略這個區塊</p></div>
<script>var s = "語言";</script>
</article>
<footer>頁腳</footer></body></html>"""


def test_copy_holds_converted_lines_of_the_indexed_element_only():
    out = pages.add_simplified_copy(PAGE)
    assert out is not None
    copy = out[out.index("data-wenming-t2s"):]
    copy = copy[:copy.index("</div>")]
    assert "榆阳区图书阅览室" in copy
    assert "本站设有图书阅览室和文化广场 &amp; 健身器材。" in copy
    assert "这一行本来就是简体" not in copy  # unchanged lines are not repeated
    for outside in ("导航", "页脚", "忽略这个", "语言"):
        assert outside not in copy
    # inserted inside the article, hidden, after the page's own text which is untouched
    article = out[out.index("<article"):out.index("</article>")]
    assert "<div hidden data-wenming-t2s>" + pages.MARK in article
    assert out.replace(out[out.index("<div hidden"):out.index("</article>")], "") == PAGE


def test_simplified_pages_are_not_rewritten_and_runs_are_idempotent():
    assert pages.add_simplified_copy(PAGE.replace("榆陽區圖書閱覽室", "标题")
                                     .replace("本站設有<a href=\"#\">圖書閱覽室</a>和文化廣場", "本站")) is None
    once = pages.add_simplified_copy(PAGE)
    assert once is not None
    assert pages.add_simplified_copy(once) is None
    assert prepare_html(once) == once
    assert pages.add_simplified_copy("<html><body><p>圖書</p></body></html>") is None  # nothing indexed


def test_explicit_pagefind_body_wins_and_nesting_is_respected():
    doc = ('<div class="x"><main data-pagefind-body class="m"><div><p>內容</p></div>'
           '<div><p>區域</p></div></main><div><p>外面的區域</p></div></div>')
    region = pages.find_region(doc)
    assert region is not None and region.explicit and region.tag == "main"
    out = pages.add_simplified_copy(doc)
    assert out is not None
    assert out.index("data-wenming-t2s") < out.index("</main>")
    assert "外面的区域" not in out and "内容\n区域" in out


# ---------------------------------------------------------------- sharding


def _tree(root: Path, dirs: dict[str, int]) -> Path:
    for top, n in dirs.items():
        for i in range(n):
            p = root / top / f"{'abcdefgh'[i % 8]}{i:04d}" / "index.html"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("<html></html>")
        (root / top / "index.html").write_text("<html></html>")
    (root / "index.html").write_text("<html></html>")
    (root / "404.html").write_text("<html></html>")
    (root / "s" / "q1").mkdir(parents=True)
    (root / "s" / "q1" / "index.html").write_text("<html></html>")
    return root


def test_small_sites_are_indexed_in_one_run(tmp_path):
    assert plan_shards(_tree(tmp_path, {"stations": 30, "cases": 5}), limit=100) == []


def test_large_sites_are_split_into_disjoint_shards_covering_every_page(tmp_path):
    import fnmatch
    root = _tree(tmp_path, {"stations": 90, "projects": 25, "cases": 5})
    shards = plan_shards(root, limit=40)
    assert len(shards) >= 3
    files = [p.relative_to(root).as_posix() for p in root.rglob("*.html")
             if not p.as_posix().count("/s/q1") and p.name != "404.html"]

    def matches(pattern: str, path: str) -> bool:
        if "/**/" in pattern:
            head, tail = pattern.split("/**/", 1)
            parts = path.split("/")
            return any(fnmatch.fnmatchcase("/".join(parts[:k]), head) and fnmatch.fnmatchcase(parts[-1], tail)
                       for k in range(1, len(parts)))
        return fnmatch.fnmatchcase(path, pattern) and path.count("/") == pattern.count("/")

    for f in files:
        owners = [i for i, shard in enumerate(shards) if any(matches(g, f) for g in shard)]
        assert len(owners) == 1, (f, owners)
    assert all(not any(g.startswith("s/") for g in shard) for shard in shards)  # QR pages never indexed
    assert not any(matches(g, "404.html") for shard in shards for g in shard)  # nor the 404 page


def test_shard_plan_runs_two_at_once_within_the_memory_left():
    """A city: shards of 2,000 pages, two at a time. A province of 113,000 pages next to a build
    holding 2.2 GB: shards small enough for two Pagefind runs (about 165 KB per page each) to fit
    in what is left, and still few for the browser to ask. With too little memory left for two
    runs of useful size, one at a time; with one core, one at a time."""
    from generator.render.search import MAX_SHARDS_PARALLEL, MEMORY_MB, PAGE_KB, shard_plan

    assert shard_plan(7_555, workers=2, free_mb=3000) == (2000, 2)
    free = MEMORY_MB - 2200
    pages, runs = shard_plan(113_291, workers=2, free_mb=free)
    assert runs == 2 and runs * pages * PAGE_KB <= free * 1024
    assert pages >= 4000 and -(-113_291 // pages) <= MAX_SHARDS_PARALLEL
    assert shard_plan(113_291, workers=2, free_mb=30_000) == (7081, 2)  # a roomy machine: 16 shards
    assert shard_plan(113_291, workers=2, free_mb=400)[1] == 1
    assert shard_plan(113_291, workers=1, free_mb=free) == (7081, 1)


def test_shards_are_packed_first_fit(tmp_path):
    """Folders of uneven size fill shards up to the limit, biggest first, not in name order."""
    from generator.render.search import _shards

    groups = [("a/**/*.html", 60), ("b/**/*.html", 45), ("c/**/*.html", 40), ("d/**/*.html", 35),
              ("e/**/*.html", 15), ("f/**/*.html", 5)]
    shards = _shards(groups, 100)
    sizes = {pattern: n for pattern, n in groups}
    assert len(shards) == 2 and all(sum(sizes[g] for g in shard) <= 100 for shard in shards)
    assert sorted(g for shard in shards for g in shard) == sorted(sizes)


# ---------------------------------------------------------------- build_index


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("site"), 60, traditional=0.3, seed=3)
    stats = build_index(root, SimpleNamespace(search=True))
    return root, stats


def test_build_index_writes_a_chunked_bundle_and_the_settings(small_site):
    root, stats = small_site
    bundle = root / BUNDLE_DIR
    assert (bundle / "pagefind.js").is_file()
    assert stats.indexed_pages == 60 and stats.extended
    assert len(list((bundle / "fragment").iterdir())) == 60  # one small fragment per page
    settings = json.loads((bundle / SETTINGS_NAME).read_text(encoding="utf-8"))
    assert settings["shards"] == [] and len(settings["c"]) > 6000
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["zh"]


def test_only_pages_in_traditional_got_a_copy(small_site):
    root, stats = small_site
    with_copy = [p for p in root.rglob("*.html") if "data-wenming-t2s" in p.read_text(encoding="utf-8")]
    assert 5 < len(with_copy) == stats.pages_with_copy < 40
    for p in with_copy:
        text = p.read_text(encoding="utf-8")
        title = text[text.index("<h1>") + 4:text.index("</h1>")]
        assert S2T.convert(t2s.to_simplified(title)) == title  # the page itself is in Traditional


def test_fragments_hold_the_original_then_the_marker_then_the_copy(small_site):
    root, _ = small_site
    frags = [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
             for p in (root / BUNDLE_DIR / "fragment").iterdir()]
    marked = [f for f in frags if pages.MARK in f["content"]]
    assert marked
    for f in marked:
        own, copy = f["content"].replace("\u200b", "").split(pages.MARK, 1)
        assert t2s.to_simplified(f["meta"]["title"]) in copy
        assert f["meta"]["title"] in own
    # navigation and footer are outside data-pagefind-body: never indexed
    assert not any("版权所有" in f["content"] for f in frags)


def test_search_false_does_nothing(tmp_path):
    root = make_site(tmp_path, 3)
    assert build_index(root, SimpleNamespace(search=False)) is None
    assert not (root / BUNDLE_DIR).exists()


def test_missing_pagefind_is_a_bilingual_usage_error(monkeypatch, tmp_path):
    from generator.errors import UsageError
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    root = make_site(tmp_path / "site", 2)
    with pytest.raises(UsageError) as err:
        build_index(root, SimpleNamespace(search=True))
    assert "Pagefind" in str(err.value) and "无法运行" in str(err.value)


def test_hub_pages_are_found_by_their_headings_not_by_the_records_they_list(demo_network, demo_site):
    """A search for a station or a person leads to its own page: the lists of the hub pages
    (名录, 按地区, 典型人物, 品牌项目, 案例, the home page's cards) stay out of the index, so
    their search fragments stay small even for a province; the 404 page and the pages left at
    former ids are never results."""
    frags = {}
    for path in (demo_site / BUNDLE_DIR / "fragment").iterdir():
        frag = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        frags[frag["url"]] = frag["content"].replace("\u200b", "")
    assert "/404.html" not in frags
    moved = [f"/stations/{old}/" for s in demo_network.stations.values() for old in s.former_ids]
    assert moved and not [u for u in moved if u in frags]  # a former id's page only points on
    listed = {
        "/": [c.title for c in demo_network.cases.values()],
        "/people/": [p.name for p in demo_network.people.values()],
        "/projects/": [p.name for p in demo_network.projects.values()],
        "/cases/": [c.title for c in demo_network.cases.values()],
        "/directory/station/": [s.name for s in demo_network.stations.values() if s.level.value == "站"],
    }
    for url, names in listed.items():
        assert names and url in frags, url
        found = [n for n in names if n in frags[url]]
        assert not found, (url, found)
    assert "典型人物" in frags["/people/"] and "实践站名录" in frags["/directory/station/"]
    for person in demo_network.people.values():  # each still found on its own page
        assert person.name in frags[f"/people/{person.id}/"]


@pytest.mark.parametrize("alongside", [True, False])
def test_name_index_is_written_beside_pagefind_or_after_it(tmp_path, county_network, monkeypatch, alongside):
    """Small networks get their name index while Pagefind runs, a province's after it."""
    import generator.render.search as search

    monkeypatch.setattr(search, "NAMES_ALONGSIDE", 10**6 if alongside else 0)
    site = make_site(tmp_path, 30, seed=2)
    stats = build_index(site, SimpleNamespace(search=True), net=county_network,
                        titles=[("stats/", "数据统计"), ("about/", "关于")])
    assert stats is not None and stats.indexed_pages == 30
    folder = site / BUNDLE_DIR / "names"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    records = len(county_network.stations) + len(county_network.projects) + len(county_network.people) \
        + len(county_network.cases)
    assert stats.extra["names"]["records"] == records + 2
    rows = {}
    for f in folder.glob("*.json"):
        if f.name != "meta.json":
            rows.update({(r[0], r[1]): r for r in json.loads(f.read_text(encoding="utf-8"))["r"]})
    assert len(rows) == records + 2 and (4, "stats/") in rows
    assert meta["shards"] >= 1 and not list(site.glob(".pagefind*"))


def test_an_unchanged_network_reuses_its_name_index(tmp_path, demo_network):
    """The name index is kept in the build cache by a hash of its inputs: a rebuild of the same
    network writes the same bytes without reading pypinyin's dictionary; a changed title is a
    new index holding it."""
    from generator.render.search import names

    cfg = SimpleNamespace(search=True, cache_path=tmp_path / "cache")
    titles = [("stats/", "数据统计"), ("about/", "关于")]

    def build(site: Path, pages: list) -> tuple[dict, dict[str, bytes]]:
        stats = build_index(site, cfg, net=demo_network, titles=pages)
        folder = site / BUNDLE_DIR / "names"
        return stats.extra["names"], {f.name: f.read_bytes() for f in folder.iterdir()}

    first, files = build(make_site(tmp_path / "a", 20, seed=2), titles)
    assert not first.get("cached") and len(files) == first["files"] > 1
    names._readings.cache_clear()
    names._INITIAL.clear()
    again, same = build(make_site(tmp_path / "b", 20, seed=2), titles)
    assert again["cached"] and same == files
    assert (again["records"], again["files"], again["bytes"]) == (first["records"], first["files"], first["bytes"])
    assert names._readings.cache_info().misses == 0  # no dictionary was read
    changed, other = build(make_site(tmp_path / "c", 20, seed=2), [*titles, ("join/", "志愿者招募")])
    assert not changed.get("cached") and changed["records"] == first["records"] + 1
    assert any("志愿者招募" in b.decode() for b in other.values()) and names._readings.cache_info().misses == 1
