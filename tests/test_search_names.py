"""The name index on a generated 1,000-station city (names of random characters in random
order): every station, project, person and case comes first for every way of typing its
name, as the browser's own code (static/names.js, run in node) ranks them."""

from __future__ import annotations

import collections
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import opencc
import pytest

from generator.config import load_config
from generator.load import load
from generator.render.search import names
from generator.render.search.bench import judge, query_forms, run_names
from generator.render.site import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
NAMES_JS = ROOT / "generator" / "theme" / "static" / "search" / "names.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _synth():
    spec = importlib.util.spec_from_file_location("wenming_bench_synth_names", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the generator's dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The 1,000-station city's index entries (records and hub pages) and its index folder."""
    root = tmp_path_factory.mktemp("city")
    _synth().synthesize(root / "project", "jinan", seed=7, stations=1000)
    cfg = load_config(root / "project" / "mkdocs.yml")
    net, problems = load(cfg)
    assert not problems.errors
    hubs = [(h.url, h.title) for h in SiteBuilder(net, cfg).hubs()]
    items = names.entries(net, hubs + [("", "首页"), ("about/", "关于本站")])
    figures = names.write_index(root / "bundle", items)
    return items, root / "bundle" / names.NAMES_DIR, figures, net


def test_every_record_comes_first_for_every_form_of_its_name(city):
    items, index, _, net = city
    kinds = collections.Counter(e.kind for e in items)
    assert kinds[0] == len(net.stations) and kinds[1] == len(net.projects) and kinds[2] == len(net.people) \
        and kinds[3] == len(net.cases)
    queries = query_forms(items)
    answers = run_names(index, queries)
    verdicts = judge(queries, answers, items)
    by_form: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    misses = []
    for q, a, v in zip(queries, answers, verdicts):
        by_form[q["form"]][v] += 1
        if v == "miss":
            misses.append((q["form"], q["q"], a["pos"], a["above"][:3]))
    assert not misses, misses[:20]
    # every record of every kind was asked for by its full name, Traditional, quoted, initials
    for form in ("full", "traditional", "quoted", "pinyin"):
        assert sum(by_form[form].values()) == len(items) - kinds[4], form
    assert sum(by_form["short"].values()) == kinds[0]
    # "tied" is only for names that two records share (the generator makes a few) ...
    for form in ("full", "short", "traditional", "quoted"):
        assert by_form[form]["first"] >= 0.99 * sum(by_form[form].values()), (form, by_form[form])
    # ... and for parts of names that many records hold
    assert by_form["part4"]["first"] > by_form["part4"]["tied"]


def test_duplicate_names_are_ties_and_the_exact_name_beats_a_longer_one(city):
    items, index, _, _ = city
    stations = [e for e in items if e.kind == 0 and e.level == 2]
    e = stations[0]
    a = run_names(index, [{"q": e.title, "want": f"stations/{e.ref}/"}])[0]
    assert a["pos"] == 0 and a["cls"][0] == 6
    # its town (a 所) is found by the town's name before every station in it
    town = next(x for x in items if x.kind == 0 and x.level == 1 and e.where == names.display_short(x.title)
                or x.kind == 0 and x.level == 1 and x.forms[-1] == names.strip_suffix(names.normalise(e.where)))
    a = run_names(index, [{"q": e.where, "want": f"stations/{town.ref}/"}])[0]
    assert a["pos"] == 0, a


def test_simplified_queries_find_names_written_in_traditional(city, tmp_path):
    items, _, _, _ = city
    s2t = opencc.OpenCC("s2t")
    trad = []
    for e in items[:1200]:
        t = names.Entry(e.kind, e.ref, s2t.convert(e.title), [s2t.convert(n) for n in e.written], level=e.level,
                        where=e.where, phone=e.phone, tel=e.tel, inactive=e.inactive)
        trad.append(t)
    changed = [t for t, e in zip(trad, items) if t.title != e.title]
    assert len(changed) > 500  # most names change script
    names.write_index(tmp_path, trad)
    queries = []
    for t, e in zip(trad, items[:1200]):
        if t.kind == 4 or t.title == e.title:
            continue
        url = f"{names.FOLDERS[t.kind]}/{t.ref}/"
        queries.append({"form": "full", "q": e.title, "want": url, "text": e.forms[0], "letters": False})
        queries.append({"form": "short", "q": names.display_short(e.title), "want": url, "text": e.forms[0],
                        "letters": False})
    answers = run_names(tmp_path / names.NAMES_DIR, queries)
    verdicts = judge(queries, answers, trad)
    assert verdicts.count("miss") == 0
    assert verdicts.count("first") >= 0.99 * len(verdicts)


def test_browser_code_normalises_and_hashes_like_the_index(city):
    _, index, _, _ = city
    samples = ["榆陽區圖書閱覽室", "“赵家峁”", "《泉城课堂》", "ＡＢＣ　１２３", "乾隆年間", "張王鎮新時代文明實踐站",
               "历城区文明实践中心", "  王 伟 ", "後營村", "𠀀𠀁", "Zjm"]
    script = f"""
const Names = require({json.dumps(str(NAMES_JS))});
const fs = require("fs");
const m = JSON.parse(fs.readFileSync({json.dumps(str(index / names.META_NAME))}, "utf8"));
const n = new Names("", async () => m);
n.load().then((meta) => {{
  const samples = {json.dumps(samples, ensure_ascii=False)};
  process.stdout.write(JSON.stringify({{
    hash: samples.map((s) => Names.fnv(s)),
    parse: samples.map((s) => {{ const q = Names.parse(meta, s); return q ? q.text : ""; }}),
  }}));
}});
"""
    out = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert out["hash"] == [names.key_hash(s) for s in samples]
    expected = [names.strip_suffix(names.normalise(s)) for s in samples]
    # the browser's map only holds characters that occur in the names; others may stay as typed
    for got, want, raw in zip(out["parse"], expected, samples):
        if set(want) <= {ch for e in city[0] for f in e.forms for ch in f} | set(names.SUFFIX):
            assert got == want, raw
    assert out["parse"][1] == "赵家峁" and out["parse"][2] == "泉城课堂" and out["parse"][3] == "abc123"
    assert out["parse"][5] == "张王镇" and out["parse"][6] == "历城区" and out["parse"][7] == "王伟"


def test_hub_pages_never_outrank_a_record_for_its_name(city):
    items, index, _, net = city
    # a district's region page is titled with the district centre's short name
    region = next(e for e in items if e.kind == 4 and e.ref.startswith("directory/regions/"))
    sid = region.ref.split("/")[2]
    centre = net.stations[sid]
    answers = run_names(index, [{"q": q, "want": f"stations/{sid}/"}
                                for q in (centre.name, centre.short_name, region.title)])
    for a in answers:
        assert a["pos"] == 0, a
        assert region.ref in a["top"]  # the page is found too, below


def test_first_search_downloads_little(city):
    items, index, figures, _ = city
    queries = [q for q in query_forms(items) if q["form"] in ("full", "short", "traditional", "pinyin", "part3")]
    answers = run_names(index, queries)
    worst = max(a["bytes"] for a in answers)
    assert worst <= 150_000, worst
    assert max(a["files"] for a in answers) <= 4  # the settings and at most three key files
    assert figures["meta_bytes"] < 20_000
