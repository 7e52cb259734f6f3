"""`wenming init DIR`: a new network that `wenming check` and `mkdocs build` accept as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}
DEFAULT_STATION = Path(__file__).resolve().parent.parent / "generator/theme/templates/site/station.html"


def wenming(*args: str, root: Path | None = None):
    pre = ["-f", str(root / "mkdocs.yml")] if root is not None else []
    return CliRunner().invoke(cli, [*pre, *args])


def mkdocs_build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *extra], cwd=root,
                          capture_output=True, text=True, env=ENV)


def test_init_writes_a_network_that_checks_and_builds(tmp_path):
    root = tmp_path / "新网络"
    res = wenming("init", str(root), "--name", "测试县新时代文明实践中心", "--site-url", "https://wm.example.cn")
    assert res.exit_code == 0, res.output
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == {
        "mkdocs.yml", ".gitignore", "content/index.md", "themes/README.md",
        "content/stations/zhongxin.md", "content/stations/chengguan.md"}
    res = wenming("check", root=root)
    assert res.exit_code == 0, res.output
    assert "检查通过:2 个阵地" in res.output and "警告" not in res.output
    proc = mkdocs_build(root)
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    centre = (site / "stations/zhongxin/index.html").read_text(encoding="utf-8")
    assert "测试县新时代文明实践中心" in centre and "城关镇新时代文明实践所" in centre
    assert "wm-badge--demo" in centre  # sample data says so until the editor fills it in
    assert "城关镇新时代文明实践所" in (site / "s/chengguan/index.html").read_text(encoding="utf-8")
    assert (site / "s/chengguan/qr.svg").is_file()
    assert "chengguan\thttps://wm.example.cn/s/chengguan/" in (root / "qr-lock.txt").read_text(encoding="utf-8")
    assert not list(site.rglob("README*"))  # the themes/ notes are not published


def test_init_refuses_a_folder_that_holds_a_project(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    res = wenming("init", str(tmp_path))
    assert res.exit_code == 2
    assert "已有 mkdocs.yml" in res.output
    assert not (tmp_path / "content").exists()


def test_themes_folder_overrides_a_template_without_custom_dir(tmp_path):
    root = tmp_path / "net"
    assert wenming("init", str(root)).exit_code == 0
    assert "custom_dir" not in (root / "mkdocs.yml").read_text(encoding="utf-8")
    override = root / "themes/site/station.html"
    override.parent.mkdir(parents=True)
    override.write_text(DEFAULT_STATION.read_text(encoding="utf-8").replace(
        "{{ page.name }}", "{{ page.name }}<span class=\"own-theme\">本地模板</span>", 1), encoding="utf-8")
    proc = mkdocs_build(root)
    assert proc.returncode == 0, proc.stderr
    assert 'class="own-theme"' in (root / "site/stations/chengguan/index.html").read_text(encoding="utf-8")


def test_missing_custom_dir_builds_with_the_warning_check_prints(tmp_path):
    """A mkdocs.yml copied without its (empty) custom_dir folder: `wenming check` warns and
    `wenming build` builds with that same warning (plain `mkdocs build` checks custom_dir
    itself before any plugin runs; `wenming init` and the demo need no custom_dir line)."""
    root = tmp_path / "net"
    assert wenming("init", str(root)).exit_code == 0
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("  name: material\n",
                                                           "  name: material\n  custom_dir: my-theme\n"),
                   encoding="utf-8")
    warning = ('mkdocs.yml: 警告 warning: theme.custom_dir: custom_dir 指定的文件夹 "my-theme" 不存在,已忽略,'
               '页面使用默认模板')
    res = wenming("check", root=root)
    assert res.exit_code == 0 and warning in res.output, res.output
    proc = subprocess.run([sys.executable, "-m", "generator", "-f", str(cfg), "build"], cwd=root,
                          capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert warning in proc.stderr
    assert (root / "site/stations/zhongxin/index.html").is_file()
