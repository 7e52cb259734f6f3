"""Synthetic sites for measuring the search index build: ``python -m generator.render.search.bench``.

Pages look like the built site's record pages (a header and navigation around
one ``<article class="md-content__inner">`` with a few hundred characters of
Chinese); a small share is written in Traditional characters.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PARTS = ["理论宣讲", "文化惠民", "助学支教", "医疗健身", "科学普及", "法律服务", "卫生环保", "扶贫帮困",
         "志愿服务", "图书阅览室", "文化广场", "老年活动中心", "儿童之家", "道德讲堂", "农家书屋",
         "健身器材", "移风易俗", "邻里互助", "红白理事会", "乡村振兴"]
PLACES = ["榆阳", "鱼河", "镇川", "牛家梁", "金鸡滩", "麻黄梁", "大河塔", "古塔", "青云", "小纪汗"]
SENTENCES = [
    "本站每周三开展{a}活动,欢迎居民参加。",
    "{p}社区组建了{a}志愿服务队,常年开展{b}服务。",
    "站内设有{a}和{b},开放时间为每天上午九点至下午五点。",
    "围绕{a},{p}村组织群众开展了形式多样的{b}活动。",
    "志愿者定期走访独居老人,提供{a}和{b}等服务。",
]
TEMPLATE = """<!doctype html>
<html lang="zh" class="no-js"><head><meta charset="utf-8"><title>{title} - 新时代文明实践</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body><header class="md-header"><nav>{nav}</nav></header>
<div class="md-container"><main class="md-main"><div class="md-content">
<article class="md-content__inner md-typeset"{body_attr}>
<nav class="wm-breadcrumbs" data-pagefind-ignore><a href="../../">首页</a> › <a href="../">阵地</a></nav>
<h1>{title}</h1>
{paras}
<h2 id="contact">联系方式</h2><p>电话:<a href="tel:0912{phone}">0912-{phone}</a></p>
</article></div></main><footer class="md-footer">{footer}</footer></div></body></html>
"""


def make_site(root: Path, pages: int, *, traditional: float = 0.02, body_attr: bool = True,
              seed: int = 7) -> Path:
    """Write ``pages`` station-like pages under ``root/stations/{i}/index.html``."""
    from .t2s import _converter

    rng = random.Random(seed)
    s2t = None
    nav = "".join(f'<a href="../../{x}/">{x}</a>' for x in ("阵地", "品牌项目", "典型人物", "案例", "统计")) * 6
    footer = "新时代文明实践中心 版权所有 " * 20
    for i in range(pages):
        place = rng.choice(PLACES)
        title = f"{place}{rng.choice(['街道', '镇', '村'])}第{i}新时代文明实践站"
        paras = []
        for _ in range(rng.randint(3, 8)):
            s = rng.choice(SENTENCES).format(a=rng.choice(PARTS), b=rng.choice(PARTS), p=place)
            paras.append(f"<p>{s}</p>")
        text = "\n".join(paras)
        if rng.random() < traditional:
            if s2t is None:
                import opencc

                s2t = opencc.OpenCC("s2t")
            title, text = s2t.convert(title), s2t.convert(text)
        page = TEMPLATE.format(title=title, nav=nav, footer=footer, paras=text,
                               phone=f"{3850000 + i}", body_attr=" data-pagefind-body" if body_attr else "")
        out = root / "stations" / f"s{i:05d}" / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    _converter()  # keep OpenCC's start-up out of the timing
    return root


def main(argv: list[str] | None = None) -> None:
    from . import build_index

    ap = argparse.ArgumentParser(description="Time the search index build on a synthetic site.")
    ap.add_argument("--pages", type=int, default=7600)
    ap.add_argument("--traditional", type=float, default=0.02, help="share of pages in Traditional")
    ap.add_argument("--keep", type=Path, help="build here and keep the site")
    args = ap.parse_args(argv)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="wenming-search-bench-"))
    try:
        make_site(tmp, args.pages, traditional=args.traditional)
        size = sum(p.stat().st_size for p in tmp.rglob("*.html"))
        start = time.perf_counter()
        stats = build_index(tmp, None)
        total = time.perf_counter() - start
        assert stats is not None
        bundle = sum(p.stat().st_size for p in (tmp / "pagefind").rglob("*") if p.is_file())
        print(f"pages {stats.pages_seen} ({size / 1e6:.1f} MB HTML), indexed {stats.indexed_pages}, "
              f"with Simplified copy {stats.pages_with_copy}")
        print(f"prepare {stats.seconds_prepare:.2f} s, pagefind {stats.seconds_pagefind:.2f} s, "
              f"total {total:.2f} s; bundle {bundle / 1e6:.1f} MB")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()


# ------------------------------------------------------------------ name search, in node

#: Query forms tried for every record (see :func:`query_forms`).
FORMS = ("full", "short", "short_name", "traditional", "quoted", "part2", "part3", "part4", "pinyin")
_HERE = Path(__file__).resolve().parent


def query_forms(items: list, seed: int = 1, s2t: Any = None) -> list[dict]:
    """Queries a reader could type for every entry of the name index (pages excluded):
    ``{"form", "q", "want", "text"}``, ``text`` being the query as the index reads it."""
    from .names import display_short, normalise, strip_suffix

    if s2t is None:
        import opencc

        s2t = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    out: list[dict] = []
    for e in items:
        if e.kind == 4:
            continue
        url = f"{('stations', 'projects', 'people', 'cases')[e.kind]}/{e.ref}/"
        main = e.forms[0]

        def add(form: str, q: str, text: str | None = None, letters: bool = False, url: str = url) -> None:
            if q:
                text = text if text is not None else strip_suffix(normalise(q))
                out.append({"form": form, "q": q, "want": url, "text": text, "letters": letters})

        add("full", e.title)
        if e.kind == 0:
            add("short", display_short(e.title))
            if len(e.forms) > 1:
                add("short_name", e.written[1] if len(e.written) > 1 else "")
        add("traditional", s2t.convert(e.title))
        add("quoted", ("“{}”", "《{}》", "「{}」")[rng.randrange(3)].format(e.title))
        for n in (2, 3, 4):
            if len(main) > n:
                i = rng.randrange(len(main) - n + 1)
                add(f"part{n}", main[i:i + n])
        if len(e.letters[0]) >= 2 and e.letters[0].isalpha():
            add("pinyin", e.letters[0], e.letters[0], letters=True)
    return out


def run_names(index_dir: Path, queries: list[dict], names_js: Path | None = None) -> list[dict]:
    """Run ``static/names.js`` in node over ``queries`` (``q``, ``want``) against the name
    index in ``index_dir`` (the ``names/`` folder); one node process for all of them."""
    import json
    import subprocess

    from ...theme import STATIC

    js = names_js or STATIC / "search" / "names.js"
    runner = _HERE / "names_runner.js"
    proc = subprocess.run(["node", str(runner), str(js), str(index_dir)],
                          input=json.dumps([{"q": q["q"], "want": q["want"]} for q in queries]),
                          capture_output=True, text=True, check=False, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


def judge(queries: list[dict], answers: list[dict], items: list) -> list[str]:
    """For each query: "first" (its record came first), "tied" (only records that match the
    query just as its own record does came before it: same name, or a name holding the same
    characters for a partial query; a list capped at :data:`names.CAP` may leave it out) or
    "miss"."""
    from .names import CAP

    by_url = {}
    for e in items:
        folder = ("stations", "projects", "people", "cases", "")[e.kind]
        by_url[f"{folder}/{e.ref}/" if folder else e.ref] = e
    out = []
    for q, a in zip(queries, answers):
        if a["pos"] == 0:
            out.append("first")
            continue
        part = q["form"].startswith("part")
        text = q["text"]

        def rival(url: str, q: dict = q, part: bool = part, text: str = text) -> bool:
            e = by_url.get(url)
            if e is None or (e.kind == 4 and not part):  # a page never comes before a record for its name
                return False
            names = e.letters if q["letters"] else e.forms
            return any(text in n for n in names) if part else text in names

        def crowded(q: dict = q, text: str = text, part: bool = part) -> bool:
            """More records have the name (hold the part) than a key lists: its list may
            leave any of them out."""
            holders = (e for e in items if e.kind != 4 and any(
                (text in n) if part else (text == n) for n in (e.letters if q["letters"] else e.forms)))
            return _more_than(CAP, holders)

        found_after_rivals = a["pos"] > 0 and all(rival(u) for u in a["above"])
        left_out_of_a_full_list = a["pos"] < 0 and crowded()
        out.append("tied" if found_after_rivals or left_out_of_a_full_list else "miss")
    return out


def _more_than(n: int, items: Iterable) -> bool:
    """Whether ``items`` yields more than ``n`` things (stops counting there)."""
    for i, _ in enumerate(items):
        if i >= n:
            return True
    return False
