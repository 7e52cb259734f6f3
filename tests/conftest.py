"""Shared fixtures: the project root, the demo network (for tests of the demo itself), the county
fixture and a tiny content-tree builder (for tests of behaviour), and the user-namespace probe."""

from __future__ import annotations

import functools
import os
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_config():
    from generator.config import load_config

    return load_config(ROOT / "mkdocs.yml")


@pytest.fixture(scope="session")
def demo_network(demo_config):
    from generator.load import load

    net, problems = load(demo_config)
    assert not problems.errors, "\n".join(p.format() for p in problems.errors)
    return net


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo network built by ``mkdocs build --strict`` into a folder of this test session's
    own (a copy of the project: the build's QR lock and caches stay out of the repository).
    The one build of the demo a test session makes: every test that reads the built demo takes
    this fixture (``site`` in test_site.py is another name for it), none reads a ``./site`` left
    by an earlier build. Tests only read it."""
    import shutil
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("demo")
    for name in ("content", "themes"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("mkdocs.yml", "qr-lock.txt"):
        shutil.copy(ROOT / name, root / name)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-d", str(root / "site")],
                          cwd=root, capture_output=True, text=True, env=env, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root / "site"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path -> text or bytes) under ``root``; text is dedented."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


MINIMAL_MKDOCS = """\
site_name: 测试
site_url: https://wm.example.org/
docs_dir: content
theme: material
plugins: [search, wenming]
"""

ROOT_STATION = """\
---
name: 测试区新时代文明实践中心
level: 中心
phone: 0912-3850000
location: {lat: 38.2852, lng: 109.7348}
---
简介。
"""

CHILD_STATION = """\
---
name: 测试镇新时代文明实践所
level: 所
parent: ceshi
phone: 0912-3851000
location: {lat: 38.29, lng: 109.74}
hours: 周一至周五 9:00-17:00
services:
  - {name: 政策宣讲, category: 理论宣讲}
---
测试所的介绍。
"""


@pytest.fixture
def tree(tmp_path):
    """A minimal valid project; call ``tree({...})`` to add or replace files."""

    def make(files: dict[str, str | bytes] | None = None, with_root: bool = True) -> Path:
        base = {"mkdocs.yml": MINIMAL_MKDOCS, "content/index.md": "# 首页\n"}
        if with_root:
            base["content/stations/ceshi.md"] = ROOT_STATION
        base.update(files or {})
        return write_tree(tmp_path, base)

    return make


@pytest.fixture(autouse=True, scope="session")
def _quiet_progress():
    os.environ.setdefault("WENMING_NO_PROGRESS", "1")
    yield


#: A small county whose every figure is counted by hand (its README.md and the docstring of
#: test_report.py): a 中心, two 所, 站, a 点 and a 基地, a closed and a merged station, projects,
#: people, cases of two years and two ledgers. Tests of behaviour build on it or on ``tree``;
#: only tests of the demo itself (named ``test_demo_…``) read the demo's content/.
COUNTY = Path(__file__).resolve().parent / "fixtures" / "report"


@pytest.fixture
def county_copy(tmp_path_factory) -> Path:
    """A copy of the county fixture that a test may edit and build (beside, not in, ``tmp_path``)."""
    import shutil

    return Path(shutil.copytree(COUNTY, tmp_path_factory.mktemp("county") / "county"))


@pytest.fixture(scope="session")
def county_config(tmp_path_factory):
    """The county's configuration; its QR lock and caches in a folder of this session's own."""
    import dataclasses

    from generator.config import load_config

    tmp = tmp_path_factory.mktemp("county")
    return dataclasses.replace(load_config(COUNTY / "mkdocs.yml"), qr_lock=str(tmp / "qr-lock.txt"),
                               cache_dir=str(tmp / "cache"))


@pytest.fixture(scope="session")
def county_network(county_config):
    from generator.load import load

    net, problems = load(county_config)
    assert not problems.errors, "\n".join(p.format() for p in problems.errors)
    return net


@functools.cache
def _mount_namespaces() -> str:
    """Empty when this machine lets an unprivileged process mount in a user namespace (a tmpfs, a
    read-only bind), else why not. Only that lack skips a test; a failure of its own script fails it."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        probe = (f"mount -t tmpfs -o size=1m tmpfs {d} && mount --bind {d} {d} && "
                 f"mount -o remount,bind,ro {d}")
        try:
            proc = subprocess.run(["unshare", "-r", "-m", "sh", "-c", probe], capture_output=True, text=True,
                                  timeout=60, check=False)
        except OSError as exc:
            return str(exc)
    return "" if proc.returncode == 0 else proc.stderr[-300:] or f"exit status {proc.returncode}"


def need_mount_namespaces() -> None:
    why = _mount_namespaces()
    if why:
        pytest.skip(f"no user namespaces here: {why}")
