"""`wenming report`, standards profiles and the 统计 page, on a fixture whose numbers are known.

tests/fixtures/report/ is a small county built so that every figure can be
counted by hand (see its README.md):

* active stations: 中心 county; 所 town-a, town-b; 站 a-v1, a-v2, a-v2b, b-v1;
  点 a-v1-p; 基地 museum. a-old is closed, b-old merged into b-v1.
* teams: county 2 (10 + 20 members), town-a 5 (5 each), a-v1 3 (4 each),
  a-v2 1 (members not given) -> 11 teams, 67 members, 1 without a count.
* ledger 2023: a-v1 36 rows (12 each of its 3 categories; 10 participants,
  2 volunteers, 1.5 h each); county 2 rows (100, 10, 2 h); town-a 3 rows
  (20, 5, 2 h; one titled with its 医疗健身 team's name, one 文化惠民, one
  法律服务 that no team has); b-v1 1 row under its former id (7, 1, 1 h).
  2022: one a-v1 row (50, 5, 2 h).
* coverage: county expects 3 towns and has 2 所; town-a expects 4 villages and
  has 3 active 站, two of which share a division code -> 2.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "report"

# --- the fixture's numbers, from its construction ------------------------------------
A_V1_ROWS = 12 * 3
LEDGER_2023 = {
    "activities": A_V1_ROWS + 2 + 3 + 1,
    "participants": A_V1_ROWS * 10 + 2 * 100 + 3 * 20 + 7,
    "volunteers": A_V1_ROWS * 2 + 2 * 10 + 3 * 5 + 1,
    "hours": A_V1_ROWS * 1.5 + 2 * 2 + 3 * 2 + 1,
    "volunteer_hours": A_V1_ROWS * 2 * 1.5 + 2 * 10 * 2 + 3 * 5 * 2 + 1 * 1,
}
LEDGER_2022 = {"activities": 1, "participants": 50, "volunteers": 5, "hours": 2.0, "volunteer_hours": 10.0}


def run(*args: str, config: Path = FIXTURE / "mkdocs.yml"):
    result = CliRunner().invoke(cli, ["-f", str(config), "report", *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def report_json() -> dict:
    code, out = run("--format", "json")
    assert code == 0, out
    return json.loads(out)


@pytest.fixture(scope="module")
def fixture_net():
    from generator.config import load_config
    from generator.load import load

    cfg = load_config(FIXTURE / "mkdocs.yml")
    net, problems = load(cfg)
    assert not problems.errors
    return cfg, net


# --- counts ----------------------------------------------------------------------------


def test_counts(report_json):
    c = report_json["counts"]
    assert report_json["schema"] == "wenming-report/1"
    assert report_json["year"] == 2023  # the latest year of the ledger
    assert c["stations"] == {"中心": 1, "所": 2, "站": 4, "点": 1, "基地": 1}
    assert c["stations_total"] == 9
    assert c["stations_inactive"] == {"merged": 1, "closed": 1}
    assert c["projects"] == 7
    assert c["people"] == 3
    assert c["cases"] == 4
    assert c["teams"] == 11 and c["members"] == 10 + 20 + 5 * 5 + 3 * 4
    assert report_json["teams"]["teams_without_members"] == 1
    assert report_json["teams"]["by_level"] == {"中心": 2, "所": 5, "站": 4, "点": 0, "基地": 0}
    regions = {g["id"]: g["stations"] for g in c["by_region"]}
    assert regions["town-a"] == {"中心": 0, "所": 1, "站": 3, "点": 1, "基地": 0}
    assert regions["town-b"] == {"中心": 0, "所": 1, "站": 1, "点": 0, "基地": 0}


def test_projects_people_cases(report_json):
    assert report_json["projects"]["by_level"] == {"国家": 0, "省": 1, "市": 1, "县": 1, "所": 2, "站": 1,
                                                   "未定级": 1}
    # 县道德模范 -> 道德模范, 身边好人 -> 好人 (one person), 最美志愿者 -> 最美 (first keyword wins)
    assert report_json["people"]["by_honour"] == {"时代楷模": 0, "道德模范": 1, "最美": 1, "好人": 1,
                                                  "志愿者": 0, "其他": 1}
    assert report_json["cases"]["by_year"] == {"2022": 2, "2023": 2}


def test_ledger(report_json):
    led = report_json["ledger"]
    assert led["by_year"]["2023"] == pytest.approx(LEDGER_2023)
    assert led["by_year"]["2022"] == pytest.approx(LEDGER_2022)
    assert led["totals"] == pytest.approx(LEDGER_2023)
    by_station = {x["station"]: x["activities"] for x in led["by_station"]}
    assert by_station == {"county": 2, "town-a": 3, "a-v1": A_V1_ROWS, "b-v1": 1}  # former id followed


def test_team_activity_matching(report_json):
    teams = {(t["station"], t["team"]): t["activities"] for t in report_json["team_activities"]}
    assert teams[("a-v1", "一村宣讲队")] == 12
    assert teams[("county", "县理论宣讲总队")] == 2
    assert teams[("county", "县文化惠民总队")] == 0
    # a title naming a team credits that team, whatever the row's category
    assert teams[("town-a", "甲镇医疗健身支队")] == 1
    assert teams[("town-a", "甲镇理论宣讲支队")] == 0
    assert teams[("town-a", "甲镇文化惠民支队")] == 1
    assert sum(v for (s, _), v in teams.items() if s == "town-a") == 2  # the 法律服务 row has no team


def test_coverage(report_json):
    cov = report_json["coverage"]
    assert cov["by_level"]["所"] == {"expected": 3, "covered": 2, "share": round(2 / 3, 4), "unit": "乡镇（街道）"}
    assert cov["by_level"]["站"] == {"expected": 4, "covered": 2, "share": 0.5, "unit": "村（社区）"}
    units = {u["id"]: u for u in cov["units"]}
    assert units["town-a"]["stations"] == 2  # a-v2 and a-v2b share a division code; a-old is closed


# --- standards -------------------------------------------------------------------------


def unmet_rules(report: dict) -> dict[str, list[str]]:
    return {f["id"]: [u["rule"] for u in f["unmet"]] for f in report["standards"]["failing"]}


def test_standards_failing_with_reasons(report_json):
    st = report_json["standards"]
    assert st["assessed"] == 7 and st["passing"] == 1 and st["failing_count"] == 6
    failing = unmet_rules(report_json)
    assert set(failing) == {"county", "town-a", "town-b", "a-v2", "a-v2b", "b-v1"}  # a-v1 meets every rule
    assert failing["county"] == ["teams", "team-activities", "activities", "projects"]
    assert failing["town-a"] == ["team-activities", "activities", "theory"]
    assert failing["a-v2"] == ["five-activities", "five-projects", "five-mechanism", "rooms", "teams",
                               "team-activities", "activities", "theory", "projects"]
    county = next(f for f in st["failing"] if f["id"] == "county")
    assert set(county) >= {"id", "name", "unmet"} and county["name"] == "测试县新时代文明实践中心"
    projects = next(u for u in county["unmet"] if u["rule"] == "projects")
    assert projects["code"] == "projects_below_min"
    assert projects["required"] == 10 and projects["actual"] == 2  # 600,000 people: the 50万+ rung
    assert projects["message"] == "品牌项目 2 个，少于 10 个（人口 600,000 ≥ 500,000）"
    a_v2 = next(f for f in st["failing"] if f["id"] == "a-v2")
    messages = {u["rule"]: u["message"] for u in a_v2["unmet"]}
    assert messages["five-mechanism"] == "缺少开放时间、固定活动日"
    assert messages["rooms"] == "现有功能室 2 处，少于 3 处"
    assert messages["team-activities"] == "2023 年活动不足 12 次的队伍 1 支：二村文艺队 0 次"
    assert st["by_rule"]["rooms"] == 4  # town-b 0, a-v2 2, a-v2b 1, b-v1 0 rooms


def test_by_rule_counts_match_failing(report_json):
    st = report_json["standards"]
    failing = unmet_rules(report_json)
    for rule in st["rules"]:
        assert st["by_rule"][rule["id"]] == sum(rule["id"] in v for v in failing.values())


def test_qr_needs_site_url(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("site_url: https://wm.example.org/\n", ""),
                   encoding="utf-8")
    _, out = run("--format", "json", config=cfg)
    data = json.loads(out)
    qr = [u for f in data["standards"]["failing"] for u in f["unmet"] if u["rule"] == "qr"]
    assert len(qr) == 7 and qr[0]["code"] == "qr_no_site_url"


def test_under_and_year(report_json):
    code, out = run("--format", "json", "--under", "town-a", "--year", "2022")
    assert code == 0, out
    data = json.loads(out)
    assert data["scope"]["id"] == "town-a" and data["year"] == 2022
    assert data["counts"]["stations"] == {"中心": 0, "所": 1, "站": 3, "点": 1, "基地": 0}
    assert data["counts"]["projects"] == 4 and data["counts"]["people"] == 2 and data["counts"]["cases"] == 2
    assert data["ledger"]["totals"] == pytest.approx(LEDGER_2022)
    assert data["ledger"]["by_year"]["2023"]["activities"] == A_V1_ROWS + 3


def test_under_unknown_station_is_misuse():
    code, out = run("--under", "twn-a")
    assert code == 2
    assert '--under:找不到编号为 "twn-a" 的阵地;是否应为 "town-a"?' in out


# --- profiles --------------------------------------------------------------------------


def test_basic_profile(report_json):
    _, out = run("--format", "json", "--profile", "basic")
    data = json.loads(out)
    failing = unmet_rules(data)
    # basic: place, manager, phone, teams (所 2 / 站 1), 4 activities a year
    assert failing == {
        "county": ["teams", "activities"], "town-a": ["activities"],  # county: 2 teams < 3
        "town-b": ["place", "manager", "teams", "activities"],
        "a-v2": ["activities"], "a-v2b": ["manager", "teams", "activities"],
        "b-v1": ["place", "manager", "teams", "activities"],
    }


def test_custom_profile_file(tmp_path):
    prof = tmp_path / "mine.yml"
    prof.write_text(
        "name: 自定标准\n"
        "levels: [站, 所]\n"
        "rules:\n"
        "  - {id: rooms, check: rooms, min: {站: 2}}\n"
        "  - {id: cover, check: coverage, min: 60%}\n"
        "  - {id: people, name: 有典型人物, check: has, all: [people]}\n",
        encoding="utf-8")
    code, out = run("--format", "json", "--profile", str(prof))
    assert code == 0, out
    data = json.loads(out)
    assert data["standards"]["profile"]["name"] == "自定标准"
    failing = unmet_rules(data)
    assert failing == {"town-a": ["cover"], "town-b": ["people"], "a-v2b": ["rooms", "people"],
                       "b-v1": ["rooms", "people"], "a-v2": ["people"]}
    cover = data["standards"]["failing"][[f["id"] for f in data["standards"]["failing"]].index("town-a")]
    assert cover["unmet"][0]["message"] == "4 个村（社区）中 2 个建有实践站（50%）"
    assert cover["unmet"][0]["code"] == "coverage_below_min"


BROKEN = """\
name: 坏标准
rules:
  - id: rooms
    check: romms
    min: 3
  - {id: teams, check: teams, min: {镇: 5}}
"""


def test_broken_profile_message(tmp_path):
    prof = tmp_path / "bad.yml"
    prof.write_text(BROKEN, encoding="utf-8")
    code, out = run("--profile", str(prof))
    assert code == 2
    assert "标准配置文件有误 (the standards profile has errors):" in out
    assert (f'{prof.as_posix()}:4: rules[0].check: 未知的检查 "romms";是否应为 "rooms"?;可用的检查:'
            "activities、category_activities、coverage、has、members、phone、projects、qr、rooms、"
            "team_activities、teams\n"
            '  (unknown check "romms"; did you mean "rooms"?; known checks: activities, category_activities, '
            "coverage, has, members, phone, projects, qr, rooms, team_activities, teams)") in out
    assert (f'{prof.as_posix()}:6: rules[1].min.镇: 未知的级别 "镇";应为 中心、所、站、点、基地 或 市级中心\n'
            '  (unknown level "镇"; use 中心, 所, 站, 点, 基地 or 市级中心)') in out
    assert "Traceback" not in out


def test_unknown_profile_name():
    code, out = run("--profile", "shandong")
    assert code == 2
    assert '没有名为 "shandong" 的标准配置;是否应为 "shandong-2022"?' in out
    assert "basic" in out


def test_shipped_profiles_load():
    from generator.report.profile import load_profile, shipped_names

    assert {"shandong-2022", "basic", "yuyang-8"} <= set(shipped_names())
    for name in shipped_names():
        assert load_profile(name).rules


# --- outputs ---------------------------------------------------------------------------


def test_table_output_names_the_failing_stations():
    code, out = run()
    assert code == 0
    assert "== 未达标阵地（6 个，山东省“五有”标准（2022）） ==" in out
    assert "乙镇新时代文明实践所（town-b，所）\n  ✗ 有场所：缺少地址或功能室" in out
    assert "村（社区）实践站覆盖率       50%（2/4）" in out


def test_csv_output(tmp_path):
    out_file = tmp_path / "r.csv"
    code, out = run("-o", str(out_file))
    assert code == 0 and "6 of 7 stations fall short" in out
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Windows reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    summary = {r[0]: r[1] for r in rows if len(r) == 2}
    assert summary["站（个）"] == "4" and summary["品牌项目（个）"] == "7"
    fail_rows = [r for r in rows if len(r) == 6 and r[1] == "county"]
    assert [r[5] for r in fail_rows] == ["teams_below_min", "team_activities_below_min",
                                         "activities_below_min", "projects_below_min"]


def test_xlsx_output(tmp_path):
    from openpyxl import load_workbook

    out_file = tmp_path / "r.xlsx"
    code, out = run("--format", "xlsx", "-o", str(out_file))
    assert code == 0, out
    wb = load_workbook(out_file)
    assert wb.sheetnames[0] == "概况" and "活动台账（按年度）" in wb.sheetnames
    ledger = wb["活动台账（按年度）"]
    rows = {r[0]: r for r in ledger.iter_rows(min_row=2, values_only=True)}
    assert rows[2023][1] == LEDGER_2023["activities"] and rows[2023][5] == LEDGER_2023["volunteer_hours"]
    fail = [r for r in wb[wb.sheetnames[1]].iter_rows(min_row=2, values_only=True)]
    assert len(fail) == sum(len(v) for v in unmet_rules(json.loads(run("--format", "json")[1])).values())


def test_xlsx_needs_a_file():
    code, out = run("--format", "xlsx")
    assert code == 2 and "xlsx 格式需要用 -o 指定输出文件" in out


# --- site ------------------------------------------------------------------------------


def test_station_checklist(fixture_net):
    from generator.render.report.site import station_checklist

    cfg, net = fixture_net
    items = station_checklist(net, cfg, "a-v2")
    assert all(set(i) == {"label", "ok", "detail"} for i in items)
    by_label = {i["label"]: i for i in items}
    assert by_label["功能室不少于 3 处"] == {"label": "功能室不少于 3 处", "ok": False,
                                            "detail": "现有功能室 2 处，少于 3 处"}
    assert by_label["有场所"]["ok"] is True
    assert all(i["ok"] for i in station_checklist(net, cfg, "a-v1"))
    assert station_checklist(net, cfg, "museum") == []  # 基地 are not judged
    assert station_checklist(net, cfg, "a-old") == []  # nor closed stations
    assert station_checklist(net, cfg, "b-v1-old") == station_checklist(net, cfg, "b-v1")


def test_stats_page(fixture_net):
    from generator.render.report.site import stats_page_html

    cfg, net = fixture_net
    html = stats_page_html(net, cfg)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("script") and "http" not in re.sub(r'xmlns="[^"]+"', "", html)
    figures = {d.dt.get_text(): d.dd.get_text() for d in soup.select("dl.wm-figures > div")}
    assert figures["实践站"] == "4" and figures["品牌项目"] == "7" and figures["2023 年活动"] == "42"
    assert figures["村（社区）实践站覆盖率"] == "50%"
    charts = soup.find_all("svg")
    assert len(charts) >= 6
    for svg in charts:
        assert svg.get("role") == "img" and svg.find("title").get_text()
    stations = soup.find("svg", id="wm-chart-stations")
    bars = {g.find("title").get_text() for g in stations.select("g.wm-bar")}
    assert bars == {"中心：1个", "所：2个", "站：4个", "点：1个", "基地：1个"}
    ledger = soup.find("svg", id="wm-chart-activities")
    assert {g.find("title").get_text() for g in ledger.select("g.wm-bar")} == {"2022 年：1场", "2023 年：42场"}
    failing = soup.select("details.wm-fail")
    assert [d["id"] for d in failing] == [f"fail-{i}" for i in
                                          ("county", "town-b", "b-v1", "town-a", "a-v2b", "a-v2")]
    town_b = soup.find(id="fail-town-b")
    assert town_b.find("a")["href"] == "../stations/town-b/"
    assert "✗ 有场所：缺少地址或功能室" in town_b.get_text()


@pytest.mark.browser
def test_stats_page_renders_in_chromium(fixture_net, tmp_path):
    from generator.render.report.site import stats_page_html

    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed")
    cfg, net = fixture_net
    page = tmp_path / "stats.html"
    page.write_text('<!doctype html><html lang="zh"><meta charset="utf-8"><body style="margin:8px">'
                    f"<h1>统计</h1>{stats_page_html(net, cfg)}</body></html>", encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=360,1600",
                    page.as_uri()], check=True, capture_output=True, timeout=60)
    from PIL import Image

    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        reds = sum(1 for px in rgb.getdata() if px[0] > 150 and px[1] < 80 and px[2] < 80)
    assert reds > 500  # the bars were drawn


def test_a_report_stops_at_its_next_station_once_cancelled(county_network, county_config):
    """The live preview refreshes the 统计 page in the background; a newer edit stops that work."""
    from generator.cancel import Cancelled, cancellable
    from generator.report.compute import build_report
    from generator.report.profile import load_profile

    profile = load_profile(county_config.profile, county_config.project_dir)
    asked = []

    def cancelled_after_three() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled), cancellable(cancelled_after_three):
        build_report(county_network, county_config, profile)
    assert len(asked) == 4  # it stopped at the first checkpoint after the test turned true
    full = build_report(county_network, county_config, profile)  # outside, checkpoints never raise
    assert full["standards"]["assessed"] > 3
