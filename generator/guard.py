"""Builds that never half-fail: one build at a time, an atomic swap, workers that die with the build.

* :class:`BuildLock`: an ``fcntl.flock`` on a lock file beside the output folder
  (``.<site>.lock``) and in the cache folder (``.wenming-cache/.lock``). A second build waits
  up to ``WENMING_LOCK_WAIT`` seconds (default 600) and then refuses with a message; the lock
  of a killed build goes with its process (the kernel drops it), so there is nothing stale
  to clean up. Forked children close their copy at once: a leftover worker or the background
  cache writer never holds a lock.
* :func:`swap_in`: the new site replaces the old one in one step (``renameat2`` with
  ``RENAME_EXCHANGE`` where the kernel and file system have it, or a symbolic link switched by
  a rename when the published path is one), so the published path is the old site or the
  new one at every instant. :func:`recover` puts back a site left aside by a build killed
  between the two renames of the fallback.
* :func:`die_with_parent`: a worker process ends when the build that started it is gone.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from .errors import UsageError

#: Seconds a build waits for another one using the same output folder or cache.
DEFAULT_WAIT = 600.0

_HELD: list[int] = []  # lock file descriptors held by this process


def _close_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("WENMING_LOCK_WAIT", DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


class BuildLock:
    """An exclusive lock on ``path`` held by this process; see the module's documentation."""

    def __init__(self, path: Path, what_zh: str, what_en: str, target: Path | None = None):
        self.path = Path(path)
        self.target = Path(target) if target is not None else self.path.parent  # what the lock guards
        self.what_zh, self.what_en = what_zh, what_en
        self.fd: int | None = None

    @property
    def held(self) -> bool:
        return self.fd is not None

    def acquire(self, wait: float | None = None, *, on_wait=None) -> bool:
        """Take the lock, waiting up to ``wait`` seconds; False when the lock file cannot be made
        (a read-only folder: the caller decides). Raises :class:`UsageError` after the wait."""
        import fcntl

        if self.fd is not None:
            return True
        wait = lock_wait() if wait is None else wait
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError:
            return False
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    return False
            if time.monotonic() >= deadline:
                pid = _read_holder(fd)
                os.close(fd)
                raise UsageError(
                    f"另一个构建(进程 {pid})正在使用{self.what_zh} {self.target},已等待 {wait:.0f} 秒;"
                    f"请等它结束后再运行(锁文件 {self.path};设置 WENMING_LOCK_WAIT 可改变等待秒数)\n"
                    f"  (another build (process {pid}) is using the {self.what_en} {self.target}; gave up "
                    f"after waiting {wait:.0f} s: run again when it has finished; lock file {self.path}; "
                    f"WENMING_LOCK_WAIT sets the wait in seconds)")
            if not told and on_wait is not None:
                pid = _read_holder(fd)
                on_wait(f"等待另一个构建(进程 {pid})结束:{self.target} "
                        f"(waiting for another build, process {pid}, using {self.target})")
                told = True
            time.sleep(0.1)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass
        self.fd = fd
        _HELD.append(fd)
        return True

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        if fd in _HELD:
            _HELD.remove(fd)
        try:
            os.close(fd)  # closing drops the flock
        except OSError:
            pass


def _read_holder(fd: int) -> str:
    """The process id the holder wrote into the lock file ("?" while it is still writing it)."""
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        pid = ""
    return pid if pid.isdigit() else "?"


def refuse_unwritable(folder: Path) -> None:
    """The output folder's parent cannot be written (missing and not creatable, or read-only)."""
    raise UsageError(
        f"无法在 {folder} 中写入网站(文件夹不存在且无法创建,或只读);请检查路径和权限,原网站保持不变\n"
        f"  (cannot write the site into {folder}: missing and cannot be created, or read-only; check "
        f"the path and its permissions; the published site is unchanged)")


def output_lock(final: Path) -> BuildLock:
    return BuildLock(final.parent / f".{final.name}.lock", "输出目录", "output folder", final)


def cache_lock(cache: Path) -> BuildLock:
    return BuildLock(Path(cache) / ".lock", "缓存目录", "cache folder", Path(cache))


def resource_message(exc: OSError) -> str | None:
    """The message for a build stopped by the machine (full disk, read-only or forbidden path),
    naming the path; None for an error without an errno (a bug: the traceback is useful)."""
    if exc.errno is None:
        return None
    path = exc.filename2 or exc.filename or "?"  # a copy or rename names its destination second
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        zh, en = "磁盘已满(或超出配额)", "the disk is full (or the quota is used up)"
        fix_zh, fix_en = "请腾出空间后重新构建", "free some space and build again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        zh, en = "没有写入权限或文件系统只读", "no permission to write, or a read-only file system"
        fix_zh, fix_en = "请检查该路径的权限", "check the path's permissions"
    elif exc.errno == errno.EBUSY:
        zh, en = "路径正被占用(可能是挂载点)", "the path is busy (a mount point?)"
        fix_zh, fix_en = "请把 site_dir 设为其中的子目录", "set site_dir to a folder inside it"
    else:
        zh, en = f"系统错误({exc.strerror})", f"a system error ({exc.strerror})"
        fix_zh, fix_en = "请检查磁盘和路径", "check the disk and the path"
    return (f"无法写入 {path}:{zh};{fix_zh},原网站保持不变\n"
            f"  (cannot write {path}: {en}; {fix_en}; the published site is unchanged)")


# ---------------------------------------------------------------------- the swap


def _old_name(final: Path) -> Path:
    return final.parent / f".{final.name}.old-{os.getpid()}"


def recover(final: Path) -> str | None:
    """Put back the site a killed build left aside (``.<site>.old-*`` with no ``<site>``);
    then remove leftovers of earlier swaps. Returns what was put back, for a message."""
    restored = None
    leftovers = sorted(final.parent.glob(f".{final.name}.old-*"), key=lambda p: p.stat().st_mtime
                       if p.exists() else 0)
    if not os.path.lexists(final) and leftovers:
        newest = leftovers.pop()
        os.replace(newest, final)
        restored = newest.name
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)
    releases = final.parent / f".{final.name}.releases"
    if final.is_symlink() and releases.is_dir():
        current = os.path.realpath(final)
        for entry in releases.iterdir():
            if os.path.realpath(entry) != current:
                shutil.rmtree(entry, ignore_errors=True)
    return restored


def refuse_mount_point(final: Path) -> None:
    """A mount point cannot be renamed or exchanged: say so before building."""
    if final.exists() and not final.is_symlink() and os.path.ismount(final):
        raise UsageError(
            f"输出目录 {final} 是一个挂载点,无法原子地替换整个网站;请把 site_dir 改为挂载点里的子目录"
            f"(如 {final / 'site'}),并让网站服务器指向它\n"
            f"  (the output folder {final} is a mount point, which cannot be replaced atomically: set "
            f"site_dir to a folder inside it, e.g. {final / 'site'}, and point the web server there)")


def _exchange(a: Path, b: Path, *, pause: bool = False) -> bool:
    """Swap the paths ``a`` and ``b`` in one system call (``renameat2(RENAME_EXCHANGE)``);
    False where the platform or file system cannot."""
    if not sys.platform.startswith("linux") or os.environ.get("WENMING_NO_EXCHANGE"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if pause:
        _test_pause()
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _test_pause() -> None:
    """Tests only: ``WENMING_TEST_PAUSE_SWAP=<file>`` creates the file and waits inside the swap."""
    marker = os.environ.get("WENMING_TEST_PAUSE_SWAP")
    if marker:
        Path(marker).touch()
        time.sleep(float(os.environ.get("WENMING_TEST_PAUSE_SECONDS", "60")))


def swap_in(staging: Path, final: Path) -> None:
    """Publish ``staging`` at ``final`` so that ``final`` is the old or the new site at every
    instant; the old tree is deleted in the background."""
    if final.is_symlink():  # the published path is a link: point it at the new release
        releases = final.parent / f".{final.name}.releases"
        releases.mkdir(exist_ok=True)
        release = releases / f"{time.time_ns()}-{os.getpid()}"
        os.replace(staging, release)
        link = final.parent / f".{final.name}.link-{os.getpid()}"
        if os.path.lexists(link):
            link.unlink()
        os.symlink(os.path.relpath(release, final.parent), link, target_is_directory=True)
        old = Path(os.path.realpath(final))
        _test_pause()
        os.replace(link, final)  # rename(2) of a link over a link: atomic
        if old.parent == releases and old != release:
            _delete(old)
        return
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        _test_pause()
        os.replace(staging, final)
        return
    if _exchange(staging, final, pause=True):
        old = _old_name(final)
        os.replace(staging, old)  # the old site, under a name the next build cleans up
        _delete(old)
        return
    # No atomic exchange here: two renames; a build killed between them leaves the old site
    # at .<site>.old-<pid>, and the next build puts it back (:func:`recover`).
    old = _old_name(final)
    os.replace(final, old)
    _test_pause()
    os.replace(staging, final)
    _delete(old)


def _delete(old: Path) -> None:
    """Delete a tree in the background: tens of thousands of files take seconds nobody needs to wait."""
    if not old.exists():
        return
    if os.environ.get("WENMING_SYNC_DELETE") or not shutil.which("rm"):
        shutil.rmtree(old, ignore_errors=True)
    else:
        subprocess.Popen(["rm", "-rf", "--", str(old)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


# ---------------------------------------------------------------------- workers


def die_with_parent() -> None:
    """In a worker process: end it as soon as the process that started it is gone.

    ``prctl(PR_SET_PDEATHSIG)`` follows the *thread* that forked (a pool's helper thread may end
    first), so a small thread watches the parent's pid instead: the kernel gives an orphan a new
    parent, and the worker then leaves (a killed build's workers would otherwise wait forever
    on a pipe they hold themselves).
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="wenming-orphan-watch", daemon=True).start()


# ---------------------------------------------------------------------- caches that cannot lie


def checksum(*parts: bytes | str) -> str:
    """A short hash of ``parts`` (what a cache entry holds and the inputs that made it)."""
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


_WARNED: set[str] = set()


def _cache_log():
    import logging

    logger = logging.getLogger("wenming.cache")
    if not logger.handlers:  # outside MkDocs' logger: a cache problem never fails `--strict`
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("WARNING  -  %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.WARNING)
    return logger


def cache_warning(what: str, zh: str, en: str) -> None:
    """One warning per kind of cache problem and process (a damaged cache is dropped, not trusted)."""
    if what in _WARNED:
        return
    _WARNED.add(what)
    _cache_log().warning(f"wenming: {zh} ({en})")


def damaged(what_zh: str, what_en: str, path: Path | str) -> None:
    """The warning for a cache entry whose bytes do not match their checksum."""
    cache_warning(f"damaged:{what_en}", f"缓存中的{what_zh}已损坏或被改动,已丢弃并重新生成:{path}",
                  f"a cached {what_en} was damaged or changed; it was dropped and made again: {path}")


def usable_cache(cache: Path) -> bool:
    """Whether ``cache`` can be written; when not, one warning and the build goes on without it."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        probe = cache / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError as exc:
        cache_warning("unwritable", f"缓存目录 {cache} 无法写入({exc.strerror or exc}),本次构建不使用缓存,会慢一些",
                      f"the cache folder {cache} cannot be written ({exc.strerror or exc}); this build runs "
                      f"without it, more slowly")
        return False


def exec_dies_with_parent():
    """A ``preexec_fn`` for a helper program (Pagefind): the kernel kills it when the thread that
    started it ends, so a killed build leaves no program writing into its staging folder.
    None where ``prctl`` is missing. The thread waits for the program, so it outlives it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the child
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigkill = 1, int(signal.SIGKILL)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)

    return preexec
