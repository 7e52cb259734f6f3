"""Issue 23, items 1-2: one build at a time, and a swap that cannot lose the published site.

Real ``mkdocs build`` (and ``mkdocs serve``) processes on a small project, started together,
killed with SIGKILL at random moments and inside the swap.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.guard import output_lock, refuse_mount_point
from generator.errors import UsageError
from conftest import need_mount_namespaces
from test_hardening import GOOD, _jpeg_with_gps, build, snapshot

pytestmark = pytest.mark.slow

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", CI="1")


def _start(root: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", *args], cwd=root,
                            env=dict(ENV, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, timeout: int = 300) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


@pytest.fixture
def project(tree):
    root = tree({**GOOD, "content/images/square.jpg": _jpeg_with_gps()})
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def _clean_snapshot(root: Path) -> dict[str, str]:
    """The site a lone build makes of the current content."""
    proc = build(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return snapshot(root / "site")


def _edit(root: Path) -> None:
    (root / "content/stations/ceshi-zhen.md").write_text(textwrap.dedent("""\
        ---
        name: 测试镇新时代文明实践所
        level: 所
        parent: ceshi
        phone: 0912-3859999
        ---
        所简介,改过。
        """), encoding="utf-8")


def test_two_builds_at_once_take_turns_and_publish_a_whole_site(project):
    root = project
    _edit(root)
    procs = [_start(root) for _ in range(2)]
    results = [_finish(p) for p in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    together = snapshot(root / "site")
    assert "stations/ceshi-zhen/index.html" in together
    assert any(k.startswith("pagefind/") for k in together)
    # Every file of a lone build, byte for byte (the search cache was not emptied either).
    assert together == _clean_snapshot(root)
    assert not list(root.glob(".site.staging*"))
    deadline = time.monotonic() + 60  # the old trees are deleted in the background
    while list(root.glob(".site.old-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not list(root.glob(".site.old-*"))


def test_a_second_build_waits_a_bounded_time_then_refuses_with_a_message(project):
    root = project
    before = snapshot(root / "site")
    lock = output_lock(root / "site")
    assert lock.acquire(0)
    try:
        _edit(root)
        start = time.monotonic()
        rc, out = _finish(_start(root, WENMING_LOCK_WAIT="1"))
        waited = time.monotonic() - start
    finally:
        lock.release()
    assert rc != 0
    assert "另一个构建" in out and "another build" in out and "WENMING_LOCK_WAIT" in out, out
    assert "Traceback" not in out
    assert waited < 60
    assert snapshot(root / "site") == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mkdocs_serve_beside_mkdocs_build(project):
    root = project
    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "--no-livereload"],
                             cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _edit(root)
        proc = _start(root)  # at once: serve's first build and this one overlap
        rc, out = _finish(proc)
        assert rc == 0, out
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the preview answers too
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("mkdocs serve never answered")
        during = snapshot(root / "site")
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
    assert during == _clean_snapshot(root)


def _kill_when(proc: subprocess.Popen, marker: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), proc.communicate()[1][-3000:] if proc.poll() is not None else "never paused"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.parametrize("exchange", [True, False])
def test_a_build_killed_inside_the_swap_leaves_a_site(project, exchange, tmp_path):
    """With the atomic exchange the published path is the old site at the kill; without it
    (``WENMING_NO_EXCHANGE``: a file system without renameat2) the next build puts it back."""
    root = project
    before = snapshot(root / "site")
    _edit(root)
    marker = tmp_path / "paused"
    env = {"WENMING_TEST_PAUSE_SWAP": str(marker)}
    if not exchange:
        env["WENMING_NO_EXCHANGE"] = "1"
    _kill_when(_start(root, **env), marker)
    if exchange:
        assert snapshot(root / "site") == before
    proc = build(root)
    rc, out = proc.returncode, proc.stdout + proc.stderr
    assert rc == 0, out
    after = snapshot(root / "site")
    assert after != before and "stations/ceshi-zhen/index.html" in after
    if not exchange:
        assert "已恢复原网站" in out and "restored" in out, out  # the bilingual warning, both halves


def _version(root: Path, n: int) -> None:
    (root / "content/index.md").write_text(f"# 首页\n\n版本{n}。\n", encoding="utf-8")


def test_kill_9_at_random_moments_always_leaves_the_old_or_the_new_site(project):
    root = project
    _edit(root)
    sites = {}
    for n in (1, 2):
        _version(root, n)
        start = time.monotonic()
        sites[n] = _clean_snapshot(root)
        duration = time.monotonic() - start
    assert sites[1] != sites[2]
    rng = random.Random(23)
    for i in range(6):
        _version(root, 1 + i % 2)
        proc = _start(root)
        time.sleep(rng.uniform(0.1, duration * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        now = snapshot(root / "site")
        assert now in (sites[1], sites[2]), f"kill {i}: a half-published site"
    rc, out = _finish(_start(root))
    assert rc == 0, out


def test_a_published_symlink_is_switched_atomically(project, tmp_path):
    root = project
    site = root / "site"
    # An operator's layout: site -> releases/1 (the build keeps it a link).
    (root / "releases").mkdir()
    os.replace(site, root / "releases" / "1")
    site.symlink_to(Path("releases") / "1", target_is_directory=True)
    before = snapshot(site)
    _edit(root)
    marker = tmp_path / "paused"
    _kill_when(_start(root, WENMING_TEST_PAUSE_SWAP=str(marker)), marker)
    assert site.is_symlink() and snapshot(site) == before
    rc, out = _finish(_start(root))
    assert rc == 0, out
    assert site.is_symlink() and snapshot(site) != before
    assert "0912-3859999" in (site / "stations/ceshi-zhen/index.html").read_text(encoding="utf-8")


def test_building_into_a_mount_point_is_refused_with_a_message(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    code = textwrap.dedent(f"""
        import subprocess, sys
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", {str(mnt)!r}], check=True)
        from pathlib import Path
        from generator.guard import refuse_mount_point
        from generator.errors import UsageError
        try:
            refuse_mount_point(Path({str(mnt)!r}))
        except UsageError as exc:
            print(exc)
    """)
    need_mount_namespaces()
    proc = subprocess.run(["unshare", "-r", "-m", sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)), check=False)
    assert "挂载点" in proc.stdout and "mount point" in proc.stdout, proc.stdout + proc.stderr
    refuse_mount_point(mnt)  # outside the namespace it is a plain folder: accepted


WORKER_SCRIPT = """
import os, sys, time
from generator.parallel import chunked_map

def slow(state, chunk):
    open(os.path.join(state, str(os.getpid())), "w").close()
    time.sleep(600)
    return chunk

list(chunked_map(slow, sys.argv[1], list(range(8)), chunk=1, workers=2, min_parallel=1))
"""


def test_forked_workers_die_with_a_killed_build(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(pids)],
                            env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)))
    deadline = time.monotonic() + 60
    while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in pids.iterdir()]
    assert len(workers) >= 2
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    assert not alive, f"workers {alive} outlived the build"


def test_a_held_lock_dies_with_its_process(tmp_path):
    """A killed build's lock needs no cleaning: the kernel drops it with the process."""
    code = (f"from generator.guard import output_lock; from pathlib import Path; import time\n"
            f"assert output_lock(Path({str(tmp_path / 'site')!r})).acquire(0); print('held', flush=True); "
            f"time.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)))
    assert proc.stdout.readline().strip() == "held"
    with pytest.raises(UsageError):
        output_lock(tmp_path / "site").acquire(0.3)
    proc.kill()
    proc.wait()
    lock = output_lock(tmp_path / "site")
    assert lock.acquire(5)
    lock.release()
