"""Building the site: minimal config, atomic builds, `wenming build`, parallel rendering and its cache."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHILD_STATION

from generator.errors import report

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "WENMING_NO_PROGRESS": "1", "NO_MKDOCS_2_WARNING": "1"}

CHILD = CHILD_STATION


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=300, check=False)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_minimal_config_builds_and_a_failed_build_keeps_the_old_site(tree):
    root = tree({"content/stations/ceshi-suo.md": CHILD})
    proc = run("-m", "generator", "build", cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    site = root / "site"
    page = (site / "stations" / "ceshi-suo" / "index.html").read_text(encoding="utf-8")
    assert "测试镇新时代文明实践所" in page and 'href="tel:09123851000"' in page
    assert "assets/wenming/site/site.css" in page, "the plugin brings its own stylesheet"
    before = snapshot(site)

    (root / "content/stations/ceshi-suo.md").write_text(CHILD.replace("parent: ceshi", "parent: ceshii"),
                                                         encoding="utf-8")
    broken = run("-m", "mkdocs", "build", cwd=root)
    assert broken.returncode != 0
    from generator.config import load_config
    from generator.load import load

    _net, problems = load(load_config(root / "mkdocs.yml"))
    expected = report(problems.sorted(), "zh")
    assert 'parent: 找不到编号为 "ceshii" 的阵地' in expected
    assert expected.splitlines()[0] in broken.stderr, "the build prints what `wenming check` prints"
    assert snapshot(site) == before, "a failed build must leave the previous site untouched"
    assert not [p for p in root.iterdir() if "staging" in p.name]


def test_rendering_error_after_pages_were_written_keeps_the_old_site(tree, monkeypatch):
    """A failure late in the build (here: in the search step) still leaves site/ as it was."""
    root = tree({"content/stations/ceshi-suo.md": CHILD})
    assert run("-m", "mkdocs", "build", cwd=root).returncode == 0
    before = snapshot(root / "site")
    (root / "content/stations/ceshi-suo.md").write_text(CHILD.replace("测试镇", "改名镇"), encoding="utf-8")
    # Run in-process so the search step can be made to fail.
    import generator.render.search as search
    from generator.mkdocs_plugin import build_site

    def boom(*args, **kwargs):
        raise RuntimeError("search index failed")

    monkeypatch.setattr(search, "build_index", boom)
    monkeypatch.chdir(root)
    with pytest.raises(RuntimeError, match="search index failed"):
        build_site(str(root / "mkdocs.yml"))
    assert snapshot(root / "site") == before
    assert not [p for p in root.iterdir() if "staging" in p.name]


def _shells(html: str) -> dict:
    """The same page shell for every kind of record page."""
    from generator.render.site import builder as b

    return {k: b.Shell.from_html(html, k) for k in ("station", "project", "person", "case")}


def test_parallel_rendering_matches_serial_and_is_cached(demo_network, demo_config, tmp_path, monkeypatch):
    from generator.render.site import builder as b

    cfg = demo_config
    monkeypatch.setattr(cfg, "cache_dir", str(tmp_path / "cache"))
    shells = _shells("<html><head><title>@@WM-TITLE@@</title><meta name=description content=\"@@WM-DESCRIPTION@@\">"
                     "</head><body><h1>@@WM-TITLE@@</h1><p>@@WM-CONTENT@@</p></body></html>")
    site = b.SiteBuilder(demo_network, cfg)
    serial = tmp_path / "serial"
    first = site.write_records(serial, shells, workers=1)
    assert first.pages == len(site.record_jobs()) and first.cached == 0
    monkeypatch.setattr(b, "PARALLEL_MIN", 1)
    monkeypatch.setattr(b, "CHUNK", 7)
    parallel = tmp_path / "parallel"
    second = site.write_records(parallel, shells, workers=2)
    assert second.pages == first.pages
    assert second.cached == second.pages, "unchanged records come from the fragment cache"
    assert snapshot(serial) == snapshot(parallel)
    page = (serial / "stations" / demo_network.root_id / "index.html").read_text(encoding="utf-8")
    assert page.startswith(f"<html><head><title>{demo_network.root.name}</title>")
    assert "<h1>@@WM-TITLE@@</h1>" not in page and "@@WM" not in page


def test_strict_build_fails_on_a_warning_without_touching_the_site(tree):
    root = tree({"content/stations/ceshi-suo.md": CHILD,
                 "content/about.md": "# 关于\n\n[坏链接](missing.md)\n"})
    site = root / "site"
    site.mkdir()
    (site / "keep.txt").write_text("old", encoding="utf-8")
    proc = run("-m", "mkdocs", "build", "--strict", cwd=root)
    assert proc.returncode != 0 and "missing.md" in proc.stderr
    assert snapshot(site) == {"keep.txt": hashlib.sha256(b"old").hexdigest()}
    assert not [p for p in root.iterdir() if "staging" in p.name]


def test_a_build_lists_a_bounded_number_of_warnings_and_check_lists_them_all(tree):
    """Thousands of warnings would bury the build's output: it shows 30 and says how many more."""
    from generator.build.site import MAX_WARNINGS_SHOWN

    files = {f"content/stations/ceshi-{i:02d}.md": CHILD.replace("hours:", f"colour: 红{i}\nhours:")
             for i in range(MAX_WARNINGS_SHOWN + 5)}
    root = tree(files)
    proc = run("-m", "mkdocs", "build", cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    assert out.count("未知字段 \"colour\"") == MAX_WARNINGS_SHOWN
    assert "另有 5 个警告未列出" in out and "wenming check" in out
    check = run("-m", "generator", "check", cwd=root)
    assert (check.stdout + check.stderr).count("未知字段 \"colour\"") == MAX_WARNINGS_SHOWN + 5


def test_wenming_build_cli_reports_misuse(tmp_path):
    proc = run("-m", "generator", "-f", str(tmp_path / "nope.yml"), "build", cwd=tmp_path)
    assert proc.returncode == 2
    assert "找不到配置文件" in proc.stderr and "config file" in proc.stderr


def test_people_page_shows_cards_for_the_most_recently_honoured_and_lists_everyone(demo_network, demo_config,
                                                                                    monkeypatch):
    """Cards with photos for a few figures only (a province has 22,600: the page was 17 MB);
    the lists by honour and by year still name every figure."""
    from bs4 import BeautifulSoup

    from generator.render.site import builder as b, context

    people = list(demo_network.people.values())
    latest = {p.id: max(h.year for h in p.honors) for p in people}
    monkeypatch.setattr(context, "PEOPLE_CARDS", 3)
    html, toc = b.SiteBuilder(demo_network, demo_config).render_hub("people")
    doc = BeautifulSoup(html, "lxml")
    cards = [a["href"].rstrip("/").split("/")[-1] for a in doc.select(".wm-cards a")]
    assert len(cards) == 3 and (2, "recent", "近年获评") in toc
    assert min(latest[c] for c in cards) >= max(y for pid, y in latest.items() if pid not in cards)
    listed = {a["href"].rstrip("/").split("/")[-1] for a in doc.select(".wm-list a")}
    assert listed == {p.id for p in people}
    monkeypatch.setattr(context, "PEOPLE_CARDS", 12)  # all six fit: no heading above the cards
    html, toc = b.SiteBuilder(demo_network, demo_config).render_hub("people")
    assert len(BeautifulSoup(html, "lxml").select(".wm-cards a")) == len(people)
    assert "recent" not in [t[1] for t in toc]


def test_a_level_directory_too_long_for_one_page_links_its_regions(demo_network, demo_config, monkeypatch):
    """站名录 lists every station with its phone; past LEVEL_LIST_MAX stations (a province has
    72,000) it lists the regions instead, each linked to its page, which lists their stations."""
    from bs4 import BeautifulSoup

    from generator.render.site import builder as b, context

    stations = [s for s in demo_network.stations.values() if s.level.value == "站"]
    full, _ = b.SiteBuilder(demo_network, demo_config).render_hub("level:station")
    doc = BeautifulSoup(full, "lxml")
    assert len(doc.select(".wm-list--stations li")) == len(stations)
    assert not doc.select(".wm-regions")
    monkeypatch.setattr(context, "LEVEL_LIST_MAX", len(stations) - 1)
    short, toc = b.SiteBuilder(demo_network, demo_config).render_hub("level:station")
    doc = BeautifulSoup(short, "lxml")
    assert not doc.select(".wm-list--stations li")
    links = {a["href"]: a.strong.get_text() for a in doc.select(".wm-regions a")}
    regions = {f"../regions/{s.id}/": s.display_name for s in demo_network.children_of(demo_network.root.id)
               if any(x.level.value == "站" for x in demo_network.subtree(s.id))}
    assert links == regions
    counts = [int(re.sub(r"\D", "", m.get_text())) for m in doc.select(".wm-regions .wm-meta")]
    assert sum(counts) == len(stations) and not toc


def test_fragment_cache_is_one_file_written_by_the_workers_and_a_damaged_one_is_replaced(
        demo_network, demo_config, tmp_path, monkeypatch):
    """Forked workers write their fragments into one SQLite file (a city's 7,500 small files cost
    more to create than to render); a second build takes every page from it; a file that is
    not a database any more costs one build's speed, never a failure or a wrong page."""
    from generator.render.site import builder as b

    monkeypatch.setattr(demo_config, "cache_dir", str(tmp_path / "cache"))
    monkeypatch.setattr(b, "PARALLEL_MIN", 1)
    monkeypatch.setattr(b, "CHUNK", 5)
    shells = _shells("<html><head><title>@@WM-TITLE@@</title></head><body>@@WM-CONTENT@@</body></html>")
    site = b.SiteBuilder(demo_network, demo_config)
    cache_dir = demo_config.cache_path / "site"
    (cache_dir / "ab").mkdir(parents=True)  # the cache of earlier versions: a file per fragment
    (cache_dir / "ab" / ("ab" * 20 + ".json")).write_text("{}", encoding="utf-8")
    first = site.write_records(tmp_path / "a", shells, workers=2)
    assert first.pages == len(site.record_jobs()) > 40 and first.cached == 0
    assert not (cache_dir / "ab").exists()
    db = b.FragmentCache.FILE
    assert {p.name for p in cache_dir.iterdir()} <= {db, f"{db}-wal", f"{db}-shm"}
    second = site.write_records(tmp_path / "b", shells, workers=2)
    assert second.cached == second.pages
    for name in (db, f"{db}-wal"):
        if (cache_dir / name).exists():
            (cache_dir / name).write_bytes(b"not a database\n" * 500)
    third = site.write_records(tmp_path / "c", shells, workers=2)
    assert third.pages == first.pages and third.cached == 0
    assert snapshot(tmp_path / "c") == snapshot(tmp_path / "a")
    assert site.write_records(tmp_path / "d", shells, workers=2).cached == first.pages
