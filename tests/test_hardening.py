"""A broken edit never damages a live site; the build refuses private data; builds are deterministic.

Every test runs a real ``mkdocs build`` in a subprocess on a small fixture project,
exactly as an editor would.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image

from generator.model.privacy import find_private

#: Files allowed to differ between two builds of the same content, with the reason. Keep short.
NONDETERMINISTIC: dict[str, str] = {}

GOOD = {
    "content/stations/ceshi.md": """\
        ---
        name: 测试区新时代文明实践中心
        level: 中心
        phone: 0912-3850000
        photos: [images/square.jpg]
        ---
        中心简介,见[王芳](../people/wang-fang.md)的故事。

        ![广场](../images/square.jpg)
        """,
    "content/stations/ceshi-zhen.md": """\
        ---
        name: 测试镇新时代文明实践所
        level: 所
        parent: ceshi
        phone: 0912-3850001
        ---
        所简介。
        """,
    "content/people/wang-fang.md": """\
        ---
        name: 王芳
        honors: [{title: 身边好人, year: 2022}]
        station: ceshi
        consent: true
        ---
        王芳常年照顾孤寡老人。
        """,
    "content/cases/2022/ceshi-anli.md": """\
        ---
        title: 测试案例
        year: 2022
        stations: [ceshi]
        ---
        ## 做法

        案例正文。
        """,
}

#: A valid resident ID number (GB 11643 check digit) and a mobile number: must never be published.
ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


def _jpeg_with_gps() -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (38.0, 17.0, 30.5), 3: "E", 4: (109.0, 44.0, 1.0)})
    Image.new("RGB", (1000, 700), (90, 120, 150)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def build(root: Path, *args: str, timeout: int = 300, **env_extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CI="1", **env_extra)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=root,
                          capture_output=True, text=True, env=env, timeout=timeout, check=False)


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (and the list of folders, empty ones too)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


@pytest.fixture
def good_site(tree):
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps()})
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = root / "site"
    assert (site / "index.html").is_file()
    return root, site, snapshot(site)


def _edit(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")


# ------------------------------------------------------------------ privacy in the build


@pytest.mark.slow
@pytest.mark.parametrize("where, private, field", [
    ("body", ID_NUMBER, "正文 body"),
    ("body", MOBILE, "正文 body"),
    ("field", "id_number: " + ID_NUMBER, "id_number"),
    ("field", "phone: " + MOBILE, "phone"),
    ("field", "住址: 榆阳区某小区3号楼", "住址"),
])
def test_build_refuses_private_data_and_keeps_the_live_site(good_site, where, private, field):
    root, site, before = good_site
    person = root / "content/people/wang-fang.md"
    text = person.read_text(encoding="utf-8")
    if where == "body":
        text += f"\n联系方式:{private}\n"
    else:
        text = text.replace("consent: true\n", f"consent: true\n{private}\n")
    person.write_text(text, encoding="utf-8")
    proc = build(root)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    assert re.search(r"content/people/wang-fang\.md:\d+: " + re.escape(field), out), out[-2000:]
    said = {"id_number": "不得公开身份证号", "phone": "不得公开个人电话", "住址": "不得公开住址",
            "正文 body": "发现身份证号" if private == ID_NUMBER else "发现手机号"}[field]
    assert said in out, out[-2000:]
    # The message itself must not republish the number (build logs are often public).
    assert ID_NUMBER not in out and MOBILE not in out
    assert snapshot(site) == before, "the failed build changed the live site"


@pytest.mark.slow
def test_person_pages_never_show_private_numbers(good_site):
    """Scan what a visitor sees on people pages: no ID number, no mobile that is not a station line."""
    _root, site, _ = good_site
    pages = list((site / "people").rglob("*.html"))
    assert pages, "no person page was built"
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        found = [(kind, value) for _line, kind, value in find_private(text)]
        assert not found, (page, found)


# ------------------------------------------------------------------ atomic builds


@pytest.mark.slow
def test_broken_yaml_fails_and_leaves_the_site_untouched(good_site):
    root, site, before = good_site
    _edit(root, "content/stations/ceshi-zhen.md", """\
        ---
        name: 测试镇新时代文明实践所
        level: 所
        parent: [ceshi
        ---
        """)
    proc = build(root)
    assert proc.returncode != 0
    # The parser notices the unclosed bracket on line 4 or at the closing --- on line 5.
    assert re.search(r"content/stations/ceshi-zhen\.md:[45]: ", proc.stdout + proc.stderr)
    assert snapshot(site) == before


@pytest.mark.slow
def test_broken_link_and_corrupt_photo_in_a_body_fail_the_build_and_name_the_line(good_site):
    root, site, before = good_site
    (root / "content/images/cut.jpg").write_bytes(_jpeg_with_gps()[:600])
    _edit(root, "content/cases/2022/ceshi-anli.md", """\
        ---
        title: 测试案例
        year: 2022
        stations: [ceshi]
        ---
        ## 做法

        见[中心](../../stations/cehsi.md)。

        ![现场](../../images/cut.jpg)
        """)
    proc = build(root)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    assert "content/cases/2022/ceshi-anli.md:8" in out and "ceshi.md" in out  # did you mean
    assert "content/cases/2022/ceshi-anli.md:10" in out
    assert snapshot(site) == before


HOOK = '''
import os, time

def on_post_page(output, page, config):
    marker = os.environ.get("WENMING_TEST_MARKER")
    if marker and page.file.src_uri.startswith("{folder}"):
        {action}
    return output
'''


@pytest.mark.slow
def test_a_crash_late_in_the_build_leaves_the_site_untouched(good_site):
    """A failure after pages were written (here: a hook raising) must not leave a half site."""
    root, site, before = good_site
    (root / "hooks.py").write_text(HOOK.format(folder="", action='raise RuntimeError("boom")'),
                                   encoding="utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "hooks: [hooks.py]\n", encoding="utf-8")
    _edit(root, "content/index.md", "# 首页\n\n改过的首页。\n")
    env_marker = str(root / "marker")
    os.environ["WENMING_TEST_MARKER"] = env_marker
    try:
        proc = build(root)
    finally:
        del os.environ["WENMING_TEST_MARKER"]
    assert proc.returncode != 0
    assert "boom" in proc.stdout + proc.stderr
    assert snapshot(site) == before


@pytest.mark.slow
def test_a_killed_build_leaves_the_site_untouched(good_site):
    """Even SIGKILL in the middle of writing pages (power cut, CI timeout) cannot damage the site."""
    root, site, before = good_site
    marker = root / "marker"
    (root / "hooks.py").write_text(HOOK.format(
        folder="", action='open(marker, "w").close(); time.sleep(60)'), encoding="utf-8")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "hooks: [hooks.py]\n", encoding="utf-8")
    _edit(root, "content/index.md", "# 首页\n\n又改过的首页。\n")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CI="1", WENMING_TEST_MARKER=str(marker))
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the build never reached page writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert snapshot(site) == before


@pytest.mark.slow
def test_a_good_build_after_a_failed_one_updates_the_site(good_site):
    root, site, before = good_site
    _edit(root, "content/stations/ceshi-zhen.md", "---\nname: [\n---\n")
    assert build(root).returncode != 0
    assert snapshot(site) == before
    _edit(root, "content/stations/ceshi-zhen.md", """\
        ---
        name: 测试镇新时代文明实践所
        level: 所
        parent: ceshi
        phone: 0912-3850001
        ---
        所简介,已更新。
        """)
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = snapshot(site)
    assert after != before
    changed = [rel for rel in after if before.get(rel) != after[rel]]
    assert any("ceshi-zhen" in rel for rel in changed), changed
    pages = [p for p in site.rglob("*.html") if "已更新" in p.read_text(encoding="utf-8")]
    assert pages


# ------------------------------------------------------------------ deterministic builds


def _differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(rel for rel in set(a) | set(b) if a.get(rel) != b.get(rel))


@pytest.mark.slow
def test_two_builds_of_the_same_content_are_identical(tree, tmp_path):
    """Cold cache vs warm cache, two project folders and two build dates give the same files."""
    files = {**GOOD, "content/images/square.jpg": _jpeg_with_gps()}
    first = tree(files)
    assert build(first).returncode == 0
    cold = snapshot(first / "site")
    assert any(rel.endswith(".html.gz") for rel in cold)  # the precompressed copies are compared too
    proc = build(first)  # warm cache, existing site
    assert proc.returncode == 0, proc.stderr[-2000:]
    warm = snapshot(first / "site")

    from conftest import MINIMAL_MKDOCS, write_tree

    second = write_tree(tmp_path / "elsewhere" / "other-name", {
        "mkdocs.yml": MINIMAL_MKDOCS, "content/index.md": "# 首页\n", **files})
    # ... built "on another day": MkDocs takes the build date from SOURCE_DATE_EPOCH.
    proc = build(second, SOURCE_DATE_EPOCH="1700000000")
    assert proc.returncode == 0, proc.stderr[-2000:]
    moved = snapshot(second / "site")

    for label, other in (("warm cache", warm), ("other folder", moved)):
        diff = [rel for rel in _differences(cold, other) if rel not in NONDETERMINISTIC]
        assert not diff, f"{label}: files differ between two builds: {diff}"
    # No absolute path of the machine leaks into the site.
    for rel in moved:
        p = second / "site" / rel
        if p.is_file() and p.suffix in (".html", ".json", ".xml", ".js", ".css", ".txt"):
            text = p.read_text(encoding="utf-8", errors="replace")
            assert str(tmp_path) not in text and "/tmp/" not in text, rel


# ------------------------------------------------------------------ hostile content in the build


@pytest.mark.slow
def test_hostile_bodies_and_editorial_pages_cannot_put_script_on_the_site(tree):
    from bs4 import BeautifulSoup
    from test_markdown import FIXTURES, assert_safe

    hostile = (FIXTURES / "hostile.md").read_text(encoding="utf-8")
    person = GOOD["content/people/wang-fang.md"] + "\n" + textwrap.indent(hostile, " " * 8)
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps(),
                 "content/people/wang-fang.md": person,
                 "content/about.md": "# 关于\n\n" + hostile})
    proc = build(root)
    # Missing and third-party images and iframes are errors: the build refuses and says where.
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    lines = hostile.split("\n")
    body_line = 9  # GOOD's person file: 6 lines of front matter, 1 of text, 1 blank
    for needle in ("evil.example/frame", "track.gif", "<img src=x onerror=alert(1)>"):
        n = next(i for i, line in enumerate(lines) if needle in line)
        assert f"content/people/wang-fang.md:{body_line + n}: 正文 body" in out, (needle, out[-3000:])
    # Without the broken references the pages build, and stay script-free.
    broken = ("track.gif", "evil.example/frame", "<img src=x onerror=alert(1)>", "images/ok.jpg",
              "<noscript>")  # (its img is a real element once the browser closes noscript)
    clean = "\n".join(line for line in lines if not any(b in line for b in broken))
    person = GOOD["content/people/wang-fang.md"] + "\n" + textwrap.indent(clean, " " * 8)
    _edit(root, "content/people/wang-fang.md", person)
    _edit(root, "content/about.md", "        # 关于\n\n" + textwrap.indent(clean, " " * 8))
    proc = build(root)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    site = root / "site"
    for page in ("people/wang-fang/index.html", "about/index.html"):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article") or soup.find("main")
        assert article is not None, page
        assert "加粗" in article.text, page  # the body is there ...
        try:
            assert_safe(str(article))  # ... and harmless
        except AssertionError as exc:
            raise AssertionError(f"{page}: {exc}") from None
