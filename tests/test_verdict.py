"""`wenming check` and `mkdocs build` give one verdict: the same exit status, the same problems.

Each case is a small tree of its own; the build runs as an editor runs it (``mkdocs build``
in a subprocess) and its log is read back for the problem texts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from generator.cli import cli

SUO = "---\nname: 古塔镇新时代文明实践所\nlevel: 所\nparent: ceshi\nphone: 0912-3851000\nlocation: {lat: 38.29, lng: 109.74}\n---\n正文。\n"

TREES = {
    "clean": {"content/stations/guta.md": SUO},
    "stale_lock_line": {
        "content/stations/guta.md": SUO,
        "qr-lock.txt": "gone\thttps://wm.example.org/s/gone/\nguta\thttps://wm.example.org/s/guta/\n",
    },
    "lock_of_another_site": {"qr-lock.txt": "ceshi\thttps://old.example.org/s/ceshi/\n"},
    "unknown_parent": {"content/stations/zhan.md": SUO.replace("parent: ceshi", "parent: guta")},
    "broken_link_in_a_record": {
        "content/stations/guta.md": SUO.replace("正文。", "见[活动](../projects/nope.md)。")},
    "broken_image_in_a_page": {"content/about.md": "# 关于\n\n![图](images/nope.jpg)\n"},
    "no_site_url": {"mkdocs.yml": "site_name: 测试\ndocs_dir: content\ntheme: material\n"
                                  "plugins: [search, wenming]\n"},
    "casebook_unknown_case": {
        "content/cases/2022/anli-yi.md": "---\ntitle: 一个案例\nyear: 2022\nunit: 某单位\n---\n正文\n",
        "content/casebooks/2022.yml": "title: 选编\nselect: {year: 2022}\nchapters:\n"
                                      "  - {title: 志愿服务篇, cases: [anli-yi, anli-er]}\n"},
    "ledger_unknown_station": {
        "content/stations/guta.md": SUO,
        "content/activities/2023.csv": "date,station,title,category,participants,volunteers,hours\n"
                                        "2023-04-01,gutaa,义诊,医疗健身,40,6,3\n"},
    "warnings_only": {
        "content/stations/guta.md": SUO.replace("phone:", "phnoe: x\nphone:"),
        "content/stations/guta-zhaojiamao-cun-xin-shi-dai.md":
            SUO.replace("level: 所", "level: 站").replace("parent: ceshi", "parent: guta")},
}

PROBLEM = re.compile(r"^(?:content/|qr-lock\.txt|mkdocs\.yml)\S*: ")
LOG_PREFIX = re.compile(r"^(?:INFO|WARNING|ERROR|DEBUG)\s+-\s+(?:generator: )?")


def problems_in(output: str) -> set[str]:
    """Problem texts (the Chinese line and the English one under it) in a check or build output."""
    lines = [LOG_PREFIX.sub("", line) for line in output.splitlines()]
    found = set()
    for i, line in enumerate(lines):
        if PROBLEM.match(line):
            en = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("  (") else ""
            found.add(f"{line}\n{en}")
    return found


def verdicts(root, tmp_path):
    check = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), "check"])
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")],
                           cwd=root, capture_output=True, text=True, env=env)
    return check, build


@pytest.mark.parametrize("name", sorted(TREES))
def test_check_and_build_agree(tree, tmp_path_factory, name):
    root = tree(TREES[name])
    check, build = verdicts(root, tmp_path_factory.mktemp("out"))
    build_out = build.stdout + build.stderr
    assert "Traceback" not in check.output + build_out
    assert (check.exit_code == 0) == (build.returncode == 0), (check.output, build_out)
    assert problems_in(check.output) == problems_in(build_out), (check.output, build_out)
    if name == "clean":
        assert check.exit_code == 0 and not problems_in(check.output)
    elif name in ("lock_of_another_site", "warnings_only"):
        assert check.exit_code == 0 and problems_in(check.output)
    else:
        assert check.exit_code == 1 and problems_in(check.output)


def test_stale_lock_line_fails_both(tree, tmp_path):
    root = tree(TREES["stale_lock_line"])
    check, build = verdicts(root, tmp_path)
    pinned = ('qr-lock.txt:1: 二维码地址 https://wm.example.org/s/gone/ 已经印出,'
              '但本次构建不再有编号为 "gone" 的阵地,扫码将打不开。')
    assert check.exit_code == 1 and pinned in check.output
    assert build.returncode == 1 and pinned in build.stderr
    assert not (tmp_path / "site").exists()
