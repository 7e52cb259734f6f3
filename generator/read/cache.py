"""Reading many record files: in forked workers when there are many, and not at all again when
unchanged (the records cache, in memory for ``mkdocs serve`` and on disk between builds).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from ..config import Config
from ..errors import Problems
from ..model.validate import validate_record
from .files import RelPaths
from .images import ImageIndex
from .records import RawRecord, read_record

_CHANGES: set[str] | None = None


def changed_since_last_load() -> set[str] | None:
    """Absolute paths of record files added, edited or removed since the previous ``load``
    of the same project in this process (e.g. one rebuild of ``mkdocs serve``), or None
    after a first load. Renderers may use it to rebuild only the pages an edit touches."""
    return None if _CHANGES is None else set(_CHANGES)


class RecordCache:
    """Records of unchanged files, reused when the same process loads again (``mkdocs serve``).

    A file is parsed again when its bytes changed (compared by hash), or when a
    photo it names appeared, disappeared or changed; its problems are replayed as they
    were, in the same order, so a reload reports exactly what a fresh load would.
    """

    _entries: ClassVar[dict[tuple, tuple]] = {}

    def __init__(self, scope: tuple, disk: Path | None = None):
        self.scope = scope
        self.fresh: dict[tuple, tuple] = {}
        self.path = disk
        self.disk: dict[tuple, tuple] = {}
        self.parsed = 0
        if disk is not None and not any(k[0] == scope for k in type(self)._entries):
            self.disk = _read_pickle(disk)

    @classmethod
    def begin(cls, config: Config) -> RecordCache:
        disk = None
        if getattr(config, "cache_dir", None):
            disk = config.cache_path / f"records-{_code_version()}.pickle"
        return cls((str(config.project_dir), str(config.content_path)), disk)

    def finish(self) -> None:
        # keep only this load's files: deleted files and other projects are forgotten
        old = type(self)._entries
        first = not any(k[0] == self.scope for k in old)
        global _CHANGES
        if first:
            _CHANGES = None
        else:
            gone = {k[1] for k in old if k[0] == self.scope and k not in self.fresh}
            _CHANGES = {k[1] for k, v in self.fresh.items() if old.get(k) is not v} | gone
        type(self)._entries = self.fresh
        if self.path is not None and first and (self.parsed or self.fresh.keys() != self.disk.keys()):
            _write_pickle(self.path, self.fresh)

    def load_all(self, jobs: list[tuple[Path, str]], config: Config, images: ImageIndex,
                 rel: RelPaths, progress: Callable[[int, int], None] | None = None,
                 processes: bool = True) -> list[tuple]:
        """One entry ``(hash, record or None, problems, photos)`` per job, in order."""
        entries: list[tuple | None] = [None] * len(jobs)
        misses: list[int] = []
        for i, (path, kind) in enumerate(jobs):
            hit = self._entries.get((self.scope, str(path), kind)) or self.disk.get((self.scope, str(path), kind))
            if hit is not None and hit[0] == _file_hash(path) and all(
                    images.stamp(src, path) == photo for src, photo in hit[3]):
                entries[i] = hit
            else:
                misses.append(i)
        parsed = _parse_many([jobs[i] for i in misses], config, images, rel, progress, len(jobs) - len(misses),
                             len(jobs), processes)
        self.parsed += len(misses)
        for i, entry in zip(misses, parsed):
            entries[i] = entry
        for (path, kind), entry in zip(jobs, entries):
            assert entry is not None
            if entry[0] is not None:
                self.fresh[(self.scope, str(path), kind)] = entry
        return entries  # type: ignore[return-value]


_HASHES: dict[str, tuple[int, int, bytes]] = {}


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """A hash of the code that turns files into records: a cache from other code is never read."""
    here = Path(__file__).parent.parent
    h = hashlib.blake2b(digest_size=8)
    for path in sorted([here / "load.py", here / "errors.py", here / "kinds.py", *(here / "read").glob("*.py"),
                        *(here / "model").glob("*.py")]):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def _read_pickle(path: Path) -> dict:
    """Records of an earlier build (``mkdocs build`` reads files again only where they changed)."""
    from ..guard import damaged

    try:
        with open(path, "rb") as fh:
            if fh.read(len(_PICKLE_MAGIC)) != _PICKLE_MAGIC:
                return {}  # a cache of wenming before checksums
            expected = fh.read(32)
            start = fh.tell()
            h = hashlib.blake2b(digest_size=16)
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
            if h.hexdigest().encode("ascii") != expected:
                damaged("记录", "record", path)
                return {}
            fh.seek(start)
            data = pickle.load(fh)
        return data if isinstance(data, dict) else {}
    except Exception:  # noqa: BLE001 - a stale, partial or foreign cache only costs speed
        return {}


class _Hashing:
    """A file that hashes what is written to it (the records cache carries its checksum)."""

    def __init__(self, fh):
        self.fh, self.hash = fh, hashlib.blake2b(digest_size=16)

    def write(self, data) -> int:
        self.hash.update(data)
        return self.fh.write(data)


_PICKLE_MAGIC = b"wenming-records-1\n"


#: Above this many records the cache is written by the build itself: a forked writer touches
#: every record while pickling, which copies the network into the child (2.4 GB on a province).
FORKED_WRITE_MAX = 20_000


def _write_pickle(path: Path, entries: dict) -> None:
    """Save the records for the next build, in a forked child where possible (the build goes on)."""
    if hasattr(os, "fork") and not os.environ.get("WENMING_SYNC_CACHE") and len(entries) <= FORKED_WRITE_MAX:
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:  # the child: write, then leave without running any of the parent's cleanup
            gc.disable()  # a collection would touch, and so copy, every object of the network
            code = 0
            try:
                _dump_pickle(path, entries)
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        if pid > 0:
            _CHILDREN.append(pid)
            _reap()
            return
    _dump_pickle(path, entries)


_CHILDREN: list[int] = []


def _reap() -> None:
    """Collect the cache writers that finished (no zombies in a long ``mkdocs serve``)."""
    for pid in list(_CHILDREN):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _CHILDREN.remove(pid)


def _dump_pickle(path: Path, entries: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(_PICKLE_MAGIC + b"0" * 32)
            out = _Hashing(fh)
            pickle.dump(entries, out, protocol=pickle.HIGHEST_PROTOCOL)
            fh.seek(len(_PICKLE_MAGIC))
            fh.write(out.hash.hexdigest().encode("ascii"))
        os.replace(tmp, path)
        for old in path.parent.glob("records-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        tmp.unlink(missing_ok=True)


def _file_hash(path: Path) -> bytes | None:
    """A hash of the file's bytes; not read again while its size and modification time stay."""
    try:
        st = os.stat(path)
        known = _HASHES.get(str(path))
        if known is not None and known[0] == st.st_mtime_ns and known[1] == st.st_size:
            return known[2]
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None
    _HASHES[str(path)] = (st.st_mtime_ns, st.st_size, digest)
    return digest


def _parse_one(path: Path, kind: str, config: Config, images: ImageIndex, rel: RelPaths,
               read: tuple | None = None) -> tuple:
    """(hash, record or None, problems, photos) of one file; ``read`` is what a worker already read."""
    mine = Problems()
    if read is None:
        stamp, raw = _file_hash(path), read_record(path, rel(path), mine)
    else:
        stamp, raw, found = read
        mine.items.extend(found)
    recorder = _PhotoRecorder(images)
    rec = validate_record(raw, path, kind, config, mine, recorder) if raw is not None else None  # type: ignore[arg-type]
    photos = tuple((src, images.stamp(src, path)) for src in recorder.seen)
    return stamp, rec, tuple(mine.items), photos


#: Below this many files to parse, reading stays in this process.
PARALLEL_READ_MIN = 1500


def _read_chunk(state: RelPaths, jobs: list[tuple[Path, str]]) -> list[tuple]:
    """In a worker: the bytes' hash, the raw front matter and the reading problems of each file.

    Raw records are plain data (cheap to send back); validation into model objects happens in
    the parent, which would otherwise have to unpickle every validated record.
    """
    out = []
    for path, _kind in jobs:
        problems = Problems()
        raw = read_record(path, state(path), problems)
        out.append((_file_hash(path), raw, list(problems.items), _HASHES.get(str(path))))
    return out


def _parse_many(jobs: list[tuple[Path, str]], config: Config, images: ImageIndex, rel: RelPaths,
                progress: Callable[[int, int], None] | None = None, done: int = 0, total: int = 0,
                processes: bool = True) -> list[tuple]:
    # Files are read and their YAML parsed by forked workers (the larger part of the work) while
    # this process validates what comes back.
    from ..parallel import chunked_map

    out: list[tuple] = []
    # ``processes=False`` from callers that must not fork (a preview's rebuilds run beside the
    # web server's threads).
    reads = chunked_map(_read_chunk, rel, jobs, chunk=300, workers=config.workers,
                        min_parallel=PARALLEL_READ_MIN, allow_processes=processes)
    for part in reads:
        for stamp, raw, found, known in part:
            path, kind = jobs[len(out)]
            if known is not None:
                _HASHES[str(path)] = known  # the worker hashed it: later loads compare dates only
            out.append(_parse_one(path, kind, config, images, rel, (stamp, raw, found)))
        if progress is not None:
            progress(done + len(out), total)
    return out


class _PhotoRecorder:
    """Passes photo checks on to the image index and remembers which names were checked."""

    def __init__(self, images: ImageIndex):
        self.images = images
        self.seen: list[str] = []

    def check(self, src: str, raw: RawRecord, loc: tuple, problems: Problems) -> None:
        self.seen.append(src)
        self.images.check(src, raw, loc, problems)
