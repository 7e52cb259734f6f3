"""The search benchmark's baseline (benchmarks/bench_search.py --baseline): plain Material +
jieba, one page per record, asked through Material's own search worker in node."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from generator.render.search.names import Entry

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def bench():
    spec = importlib.util.spec_from_file_location("wenming_bench_search", ROOT / "benchmarks" / "bench_search.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_material_baseline_finds_a_station_by_its_full_name_through_materials_worker(tmp_path):
    pytest.importorskip("jieba")
    mod = bench()
    items = [Entry(0, "s1", "曲府曲社区新时代文明实践站", ["曲府曲社区新时代文明实践站", "曲府曲"], level=3, where="明城镇"),
             Entry(0, "s2", "明城城社区新时代文明实践站", ["明城城社区新时代文明实践站"], level=3, where="明城镇"),
             Entry(2, "p1", "赵家峁", ["赵家峁"])]
    pages = mod.material_pages(items)
    assert pages["stations/s1.md"].startswith("# 曲府曲社区新时代文明实践站\n")
    assert "曲府曲" in pages["stations/s1.md"].split("\n", 1)[1]  # the short name is in the text
    queries = [{"q": "明城城社区新时代文明实践站", "want": "stations/s2/"},
               {"q": "赵家峁", "want": "people/p1/"},
               {"q": "zjm", "want": "people/p1/"}]
    answers, figures = mod.material_baseline(tmp_path / "m", items, queries)
    assert [a["pos"] for a in answers] == [0, 0, -1]  # no pinyin initials in plain Material
    assert figures["docs"] >= 4 and figures["bytes"] > figures["index_bytes"] > 0
