"""The benchmark's synthetic networks are valid content, deterministic, and shaped as asked."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


synth = _module("wenming_bench_synth", ROOT / "benchmarks" / "synth.py")
baselines = _module("wenming_bench_baselines", ROOT / "benchmarks" / "baselines" / "write.py")


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    synth.synthesize(out, "small", seed=7)
    return out


def test_small_network_passes_check_with_qr_density_advice_only(small):
    """Valid under SPEC v1; the only warnings are the QR-density advice the build prints too
    (the synthetic ids are longer than a version-3 code holds under the bench site_url)."""
    from generator.cli import cli

    result = CliRunner().invoke(cli, ["-f", str(small / "mkdocs.yml"), "check"])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output
    warnings = [line for line in result.output.splitlines() if "警告 warning:" in line]
    assert warnings and all(": 二维码地址 https://wm-bench.example.org/s/" in w and "版二维码" in w
                            for w in warnings), warnings


def test_small_network_has_the_preset_shape(small):
    from generator.config import load_config
    from generator.load import load

    net, problems = load(load_config(small / "mkdocs.yml"))
    assert not problems.items
    p = synth.PRESETS["small"]
    levels = Counter(s.level.value for s in net.stations.values())
    assert levels == {"中心": 1 + p.districts, "所": p.institutes, "站": p.stations}
    assert net.root.id == "jinan" and net.root.level.value == "中心"
    assert (len(net.projects), len(net.people), len(net.cases)) == (p.projects, p.people, p.cases)
    # every 站 hangs under a 所, every 所 under a district centre under the root
    for s in net.stations.values():
        if s.level.value == "站":
            assert net.stations[s.parent].level.value == "所"
        if s.level.value == "所":
            assert net.stations[s.parent].parent == net.root.id
    assert all(s.phone for s in net.stations.values() if s.is_active)
    assert net.casebooks and all(net.select_cases(b) for b in net.casebooks.values())
    # names are Chinese and photos are shared between records
    assert all("新时代文明实践" in s.name for s in net.stations.values())
    photos = Counter(ph.src for r in [*net.stations.values(), *net.cases.values()] for ph in r.photo_list())
    assert photos and max(photos.values()) > 1


def test_same_seed_same_files_other_seed_other_files(small, tmp_path):
    synth.synthesize(tmp_path / "again", "small", seed=7)
    synth.synthesize(tmp_path / "other", "small", seed=8)
    assert _digest(small / "content") == _digest(tmp_path / "again" / "content")
    assert _digest(small / "content") != _digest(tmp_path / "other" / "content")


def test_station_count_scales_the_others(tmp_path):
    counts = synth.synthesize(tmp_path / "n", "jinan", seed=1, stations=200)
    levels = Counter()
    for f in (tmp_path / "n" / "content" / "stations").glob("*.md"):
        levels[f.read_text(encoding="utf-8").split("\nlevel: ", 1)[1].split("\n", 1)[0]] += 1
    assert levels["站"] == 200
    # the Jinan ratios: ~1 所 per 30 站, ~1 project per 5 站
    assert 5 <= levels["所"] <= 8 and 30 <= counts["projects"] <= 50


def test_baselines_carry_the_same_records(small, tmp_path):
    net = baselines.load_network(small)
    n_mk = baselines.write_mkdocs(net, small, tmp_path / "mkdocs")
    n_hugo = baselines.write_hugo(net, small, tmp_path / "hugo")
    records = len(net.stations) + len(net.projects) + len(net.people) + len(net.cases)
    assert n_hugo == records and n_mk == records + 2  # + index.md and about.md
    station = next(s for s in net.stations.values() if s.level.value == "站" and s.is_active)
    page = (tmp_path / "mkdocs" / "docs" / "stations" / f"{station.id}.md").read_text(encoding="utf-8")
    assert station.name in page and station.phone in page and station.hours in page
    mk = (tmp_path / "mkdocs" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "name: material" in mk and "- search" in mk and "nav:" not in mk


def test_hugo_baseline_builds(small, tmp_path):
    bench = _module("wenming_bench_build", ROOT / "benchmarks" / "bench_build.py")
    net = baselines.load_network(small)
    baselines.write_hugo(net, small, tmp_path / "hugo")
    subprocess.run(bench.hugo_command() + ["--quiet"], cwd=tmp_path / "hugo", check=True,
                   capture_output=True, timeout=120)
    from bs4 import BeautifulSoup

    station = next(s for s in net.stations.values() if s.level.value == "站" and s.is_active)
    html = (tmp_path / "hugo" / "public" / "stations" / station.id / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert soup.h1.get_text() == station.name
    assert soup.find("a", href=f"tel:{station.phone.replace('-', '')}")


def test_reload_in_the_same_process_sees_edits_and_reports_the_same(small, tmp_path):
    """``mkdocs serve`` loads again in the same process: unchanged files are reused, edits are not."""
    import shutil

    from generator.config import load_config
    from generator.load import load

    project = tmp_path / "p"
    shutil.copytree(small, project)
    cfg = load_config(project / "mkdocs.yml")
    first, _ = load(cfg)
    station = next(s for s in first.stations.values() if s.level.value == "站" and s.is_active)
    path = project / station.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("hours: \"", "hours: \"X", 1), encoding="utf-8")
    second, _ = load(cfg)
    assert second.stations[station.id].hours == "X" + station.hours
    assert second.stations[station.id] is not station
    other = next(i for i in first.stations if i != station.id)
    assert second.stations[other] is first.stations[other]  # reused, not parsed again
    # a broken photo reference and a missing phone are reported on reload exactly as fresh
    broken = text.replace("\nphone: ", "\nphone_old: ", 1)
    path.write_text(broken + "\n", encoding="utf-8")
    photo_user = next(p for p in second.cases.values() if p.photos)
    (project / "content" / photo_user.photos[0].src).unlink()
    from generator.check import check_project

    _, again = check_project(cfg, processes=False)  # what the preview asks after an edit
    fresh = subprocess.run([sys.executable, "-m", "generator", "-f", str(project / "mkdocs.yml"), "check"],
                           capture_output=True, text=True, cwd=project, check=False)
    from generator.errors import report

    fields = {(p.path, p.field) for p in again.errors}
    assert (station.path, "phone") in fields and (photo_user.path, "photos[0].src") in fields
    assert again.errors and report(again.sorted()).strip() in fresh.stdout + fresh.stderr


def test_changed_since_last_load_names_the_edited_file(small, tmp_path):
    import shutil

    from generator.config import load_config
    from generator.load import changed_since_last_load, load

    project = tmp_path / "p"
    shutil.copytree(small, project)
    cfg = load_config(project / "mkdocs.yml")
    load(cfg)
    assert changed_since_last_load() is None  # first load of this project
    load(cfg)
    assert changed_since_last_load() == set()
    station = max((project / "content" / "stations").glob("*.md"))
    station.write_text(station.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    case = next((project / "content" / "cases").rglob("*.md"))
    case.unlink()
    load(cfg)
    assert changed_since_last_load() == {str(station), str(case)}
