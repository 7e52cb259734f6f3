"""Scale work (issue 7): the live preview rewrites only what an edit touched, and gets it right;
parallel writers give what serial ones give; progress shows on a terminal and not in CI."""

from __future__ import annotations

import hashlib
import os
import posixpath
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.config import load_config
from generator.load import load
from generator.render.site import SiteBuilder
from generator.render.site import builder as b
from generator.render.site.util import relurl

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
SHELL = ("<html><head><title>@@WM-TITLE@@</title><meta name=description content=\"@@WM-DESCRIPTION@@\">"
         "</head><body><h1>@@WM-TITLE@@</h1><p>@@WM-CONTENT@@</p></body></html>")


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "themes", root / "themes")
    if (ROOT / "qr-lock.txt").exists():
        shutil.copy(ROOT / "qr-lock.txt", root / "qr-lock.txt")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set(path: Path, field: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
    lines[at] = f"{field}: {value}"
    path.write_text("\n".join(lines), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


EDITS = {
    "body of a station": lambda c: _append(c / "stations/gulou-kaigelou.md", "新增一段介绍文字。"),
    "phone of a 站": lambda c: _set(c / "stations/gulou-kaigelou.md", "phone", "0912-3999999"),
    "name of a 所 (crumbs below it)": lambda c: _edit(c / "stations/yuyang-gulou.md",
                                                    "short_name: 鼓楼街道实践所", "short_name: 鼓楼实践所"),
    "a station moves to another 所": lambda c: _edit(c / "stations/gulou-kaigelou.md",
                                                  "parent: yuyang-gulou", "parent: yuyang-guta"),
    "a station merges": lambda c: _edit(c / "stations/gulou-kaigelou.md", "parent: yuyang-gulou",
                                        "parent: yuyang-gulou\nstatus: merged\nmerged_into: gulou-nanguan"),
    "a project is added": lambda c: (c / "projects/xin-xiangmu.md").write_text(
        "---\nname: 测试新项目(示例)\nstation: gulou-kaigelou\ncategory: 理论宣讲\ntags: [示例, 医疗健身]\n"
        "summary: 一个新加的项目。\n---\n项目介绍。\n", encoding="utf-8"),
    "a person is removed": lambda c: (c / "people/gao-xiulan.md").unlink(),
    "a case's tags": lambda c: _edit(c / "cases/2023/gulou-manbing-suifang.md", "tags: [示例, 医疗健身, 慢病随访]",
                                     "tags: [示例, 理论宣讲]"),
    "a ledger row": lambda c: (c / "activities/2023.csv").write_bytes(  # this demo ledger is GBK
        (c / "activities/2023.csv").read_bytes() + "2023-12-30,gulou-kaigelou,年末总结会,理论宣讲,30,5,2.0\r\n"
        .encode("gb18030")),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_preview_rebuild_equals_a_full_build(demo_copy, tmp_path, edit):
    """After an edit, rewriting only the touched pages gives exactly the pages of a full build."""
    cfg = load_config(demo_copy / "mkdocs.yml")
    cfg.cache_dir = str(tmp_path / "cache")
    cfg.preview = True  # as mkdocs serve sets it: pages note what they read
    shells = {k: b.Shell.from_html(SHELL, k) for k in ("station", "project", "person", "case")}
    net, problems = load(cfg)
    assert not problems.errors
    live = tmp_path / "live"
    first = SiteBuilder(net, cfg)
    snap = first.snapshot(shells, first.write_records(live, shells, workers=1))
    before = digest(live)

    EDITS[edit](demo_copy / "content")
    cfg2 = load_config(demo_copy / "mkdocs.yml")
    cfg2.cache_dir, cfg2.preview = cfg.cache_dir, True
    net2, problems = load(cfg2)
    assert not problems.errors, problems.items
    now = SiteBuilder(net2, cfg2)
    result = now.write_changed(live, shells, snap)
    assert result is not None, "an edit of records must not force a full rebuild"
    full = tmp_path / "full"
    now.write_records(full, shells, workers=1)
    assert digest(live) == digest(full)
    changed = {k for k in digest(full) if before.get(k) != digest(full)[k]}
    assert changed, "the edit changes at least one page"
    assert result.pages < len(now.record_jobs()), "a preview rebuild rewrites only some pages"


def test_fast_relative_urls_match_posixpath():
    from generator.render.site.util import relurl_normalised

    def reference(page_url: str, target: str) -> str:
        base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
        target, hash_, frag = target.partition("#")
        return relurl_normalised(base, target) + hash_ + frag

    parts = ["stations", "a", "b", "x.html", "images", "p.jpg", "", ".well", "cases", "2023", "s", "..", "."]
    rng = random.Random(7)
    for _ in range(50_000):
        page = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 3)))
        page += "/" if page and rng.random() < 0.6 else ""
        target = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))
        target += "/" if target and rng.random() < 0.5 else ""
        target += "#x" if rng.random() < 0.1 else ""
        try:
            expected = reference(page, target)
        except ValueError:
            continue
        assert relurl(page, target) == expected, (page, target)


def test_qr_site_written_by_workers_equals_serial(county_network, county_config, tmp_path, monkeypatch):
    from generator import parallel
    from generator.render.qr.site import published_ids, write_qr_site

    monkeypatch.setattr(county_config, "cache_dir", str(tmp_path / "cache"))
    monkeypatch.setattr(county_config, "qr_lock", str(tmp_path / "lock.txt"))
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    write_qr_site(county_network, county_config, serial, allow_processes=False)
    calls = []
    real = parallel.chunked_map

    def spy(func, state, jobs, **kw):
        kw.update(min_parallel=1, workers=2)
        calls.append(len(jobs))
        yield from real(func, state, jobs, **kw)

    monkeypatch.setattr("generator.render.qr.site.chunked_map", spy)
    monkeypatch.setattr("generator.render.qr.site.QR_CHUNK", 3)
    write_qr_site(county_network, county_config, forked)
    assert len(calls) == 1 and digest(serial) == digest(forked)
    assert len(digest(forked)) == 3 * len(published_ids(county_network))


def test_qr_images_drawn_ahead_equal_those_drawn_while_writing(county_network, county_config, tmp_path, monkeypatch):
    """A build starts drawing the missing QR images as soon as the records are checked; the contact
    pages written afterwards link the very images a build drawing them itself would make."""
    from generator.render.qr import site as qs

    monkeypatch.setattr(county_config, "qr_lock", str(tmp_path / "lock.txt"))
    monkeypatch.setattr(county_config, "cache_dir", str(tmp_path / "serial-cache"))
    qs.write_qr_site(county_network, county_config, tmp_path / "serial", allow_processes=False)
    monkeypatch.setattr(county_config, "cache_dir", str(tmp_path / "cache"))
    assert qs.start_drawing(county_network, county_config, workers=2) is None, "a few images: drawn while writing"
    monkeypatch.setattr(qs, "DRAW_AHEAD_MIN", 1)
    monkeypatch.setattr(qs, "QR_CHUNK", 4)
    drawing = qs.start_drawing(county_network, county_config, workers=2)
    assert drawing is not None and len(drawing.futures) > 1
    assert qs.start_drawing(county_network, county_config, workers=1) is None, "one core: no worker of its own"
    qs.write_qr_site(county_network, county_config, tmp_path / "ahead", drawing=drawing)
    assert digest(tmp_path / "ahead") == digest(tmp_path / "serial")
    assert qs.start_drawing(county_network, county_config, workers=2) is None, "all drawn: nothing to start"


def test_failed_build_stops_drawing_qr_images(county_copy, monkeypatch):
    """A build that fails after the QR worker started does not leave it drawing."""
    import multiprocessing

    import generator.render.search as search
    from generator.mkdocs_plugin import build_site
    from generator.render.qr import site as qs

    monkeypatch.setattr(qs, "DRAW_AHEAD_MIN", 1)
    monkeypatch.setattr(qs, "QR_CHUNK", 1)
    started = []
    real = qs.start_drawing

    def spy(net, config, **kwargs):
        many = [f"x{i:05d}" for i in range(20_000)]  # about 20 s of drawing for one worker
        with monkeypatch.context() as m:
            m.setattr(qs, "published_ids", lambda net: many)
            started.append(real(net, config, **kwargs))
        return started[-1]

    def boom(*args, **kwargs):
        raise RuntimeError("search index failed")

    monkeypatch.setattr(qs, "start_drawing", spy)
    monkeypatch.setattr(search, "build_index", boom)
    monkeypatch.setattr(search, "start_index", boom)
    monkeypatch.chdir(county_copy)
    monkeypatch.setenv("WENMING_NO_PROGRESS", "1")
    with pytest.raises(RuntimeError, match="search index failed"):
        build_site(str(county_copy / "mkdocs.yml"))
    assert started and started[0] is not None
    for _ in range(50):
        if not multiprocessing.active_children():
            break
        time.sleep(0.1)
    assert not multiprocessing.active_children(), "the worker stops within its current image"
    assert sum(f.cancelled() for f in started[0].futures) > 15_000
    assert not (county_copy / "site").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8")


def test_mkdocs_serve_shows_an_edit_without_a_full_rebuild(county_copy):
    assert not (county_copy / "qr-lock.txt").exists()
    port = _free_port()
    log = county_copy / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                cwd=county_copy, env={**ENV, "WENMING_NO_PROGRESS": "1"}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/stations/a-v1/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = _get(url)
                break
            except OSError:
                assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")[-3000:]
                assert time.monotonic() < deadline, "mkdocs serve did not come up"
                time.sleep(0.3)
        assert "甲镇一村" in page
        _append(county_copy / "content/stations/a-v1.md", "预览测试新增的一句话。")
        deadline = time.monotonic() + 60
        while "预览测试新增的一句话" not in page:
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")[-3000:]
            time.sleep(0.2)
            page = _get(url)
        # the rest of the site is still there, and the parent's page was not needlessly dropped
        assert "甲镇一村" in _get(f"http://127.0.0.1:{port}/stations/town-a/")
        assert _get(f"http://127.0.0.1:{port}/s/a-v1/")
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "快速更新 1 个页面" in text, text[-3000:]  # a body edit needs no MkDocs build
        # A new phone number shows in the directories too: MkDocs renders those again.
        _set(county_copy / "content/stations/a-v1.md", "phone", "0912-3990001")
        directory = f"http://127.0.0.1:{port}/directory/station/"
        deadline = time.monotonic() + 60
        while "0912-3990001" not in _get(directory) or "0912-3990001" not in _get(url):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")[-3000:]
            time.sleep(0.2)
        assert "增量更新" in log.read_text(encoding="utf-8", errors="replace")
        # the preview's codes hold the real site address, and it never writes the lock file
        contact = _get(f"http://127.0.0.1:{port}/s/a-v1/")
        assert 'href="https://wm.example.org/s/a-v1/"' in contact  # canonical, as printed
        assert not (county_copy / "qr-lock.txt").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
        proc.wait(20)


def _build_output(county_copy: Path, env: dict, tty: bool) -> str:
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q"]
    if not tty:
        proc = subprocess.run(cmd, cwd=county_copy, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout + proc.stderr
    import pty

    out = bytearray()
    pid, fd = pty.fork()
    if pid == 0:  # child: run the build on the pseudo-terminal
        os.chdir(county_copy)
        os.execvpe(cmd[0], cmd, env)
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out.decode("utf-8", "replace")[-3000:]
    return out.decode("utf-8", "replace")


def test_progress_shows_stages_on_a_terminal_and_nothing_in_ci(county_copy):
    env = {k: v for k, v in ENV.items() if k not in ("CI", "WENMING_NO_PROGRESS")}
    shown = _build_output(county_copy, {**env, "COLUMNS": "100", "TERM": "xterm"}, tty=True)
    for stage in ("读取记录 records", "页面 pages", "二维码 QR", "搜索索引 search"):
        assert stage in shown, shown[-2000:]
    quiet = _build_output(county_copy, {**env, "CI": "true"}, tty=True)
    assert "页面 pages" not in quiet and "二维码 QR" not in quiet
    piped = _build_output(county_copy, env, tty=False)
    assert "页面 pages" not in piped


def test_stats_page_lists_a_bounded_number_of_failing_stations(county_network, county_config, monkeypatch):
    """A city has thousands of stations short of some standard: the page names a few and says how many more."""
    import re

    from generator.render.report import site as report_site

    full = report_site.stats_page_html(county_network, county_config)
    failing = len(re.findall(r'<details class="wm-fail"', full))
    assert failing == 6, "the county's stations short of a standard of shandong-2022"
    monkeypatch.setattr(report_site, "MAX_FAILING_LISTED", 2)
    short = report_site.stats_page_html(county_network, county_config)
    assert len(re.findall(r'<details class="wm-fail"', short)) == 2
    assert f"另有 {failing - 2} 个未达标阵地未在此列出" in short


def test_records_read_by_workers_equal_records_read_here(county_copy, monkeypatch):
    """Reading files in forked workers gives the same records and the same messages, in order."""
    import generator.read.cache as loader

    def load_fresh(min_parallel: int):
        monkeypatch.setattr(loader, "PARALLEL_READ_MIN", min_parallel)
        monkeypatch.setattr(loader.RecordCache, "_entries", {})
        monkeypatch.setattr(loader, "_HASHES", {})
        cfg = load_config(county_copy / "mkdocs.yml")
        cfg.cache_dir = ""  # no records cache on disk either
        cfg.workers = 2
        return load(cfg)

    (county_copy / "content/stations/a-v1.md").write_text(
        "---\nname: 坏记录\nlevel: 站\nparent: nowhere\nphone: 123\n---\n", encoding="utf-8")
    serial_net, serial_problems = load_fresh(10**9)
    from generator import parallel

    pids = county_copy / "pids.txt"
    real_map = parallel.chunked_map

    def noting_map(func, state, jobs, **kw):
        def noted(st, part):
            with open(pids, "a") as fh:
                fh.write(f"{os.getpid()}\n")
            return func(st, part)
        return real_map(noted, state, jobs, **kw)

    monkeypatch.setattr(parallel, "chunked_map", noting_map)
    forked_net, forked_problems = load_fresh(1)
    assert os.getpid() not in {int(x) for x in pids.read_text().split()}, "files were read by workers"
    assert [p.__dict__ for p in forked_problems.items] == [p.__dict__ for p in serial_problems.items]
    assert serial_problems.errors, "the broken record is reported"
    for table in ("stations", "projects", "people", "cases"):
        a, b = getattr(serial_net, table), getattr(forked_net, table)
        assert list(a) == list(b)
        assert all(a[k].model_dump() == b[k].model_dump() and a[k].body == b[k].body for k in a)


def _pid_and_sum(state, part):
    time.sleep(0.02)
    if state in part:
        raise ValueError(f"bad job {state}")
    return os.getpid(), sum(part)


def test_shared_map_gives_results_in_order_with_this_process_as_one_of_the_workers():
    """Record pages are rendered by one forked worker and the build process itself, not two forks
    (each fork copies most of what it touches: 1.3 GB on a province); results still come in order
    and an error in either stops the map."""
    from generator import parallel

    jobs = list(range(400))
    out = list(parallel.chunked_map(_pid_and_sum, -1, jobs, chunk=10, workers=2, min_parallel=1, share=True))
    assert [s for _, s in out] == [sum(jobs[i:i + 10]) for i in range(0, 400, 10)]
    pids = {p for p, _ in out}
    assert os.getpid() in pids and len(pids) == 2
    for bad in (5, 395):  # the first chunk goes to the worker, the last most likely here
        with pytest.raises(ValueError, match=f"bad job {bad}"):
            list(parallel.chunked_map(_pid_and_sum, bad, jobs, chunk=10, workers=2, min_parallel=1, share=True))
