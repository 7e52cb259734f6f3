"""Read all, check all: the content tree -> a validated :class:`~generator.graph.Network`.

``load(config)`` never raises for bad content: it returns the network built from
whatever was valid plus every problem found, so one run reports everything.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import re
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from .config import Config, check_options
from .errors import Problems, did_you_mean, hint_en, hint_zh
from .graph import Network, check_graph
from .kinds import KIND_OF_FOLDER
from .model import KINDS, Activity, Person, Record
from .model.records import Casebook
from .read.records import RECORD_SUFFIXES, RawRecord, read_csv, read_record
from .read.yamlload import dotted
from .sheets.columns import LEDGER_COLUMNS, ledger_key

RECORD_FOLDERS = KIND_OF_FOLDER
MAX_IMAGE_PIXELS = 40_000_000  # ~ 8000 x 5000; larger files are refused before decoding
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def load(config: Config, problems: Problems | None = None,
         progress: Callable[[int, int], None] | None = None, processes: bool = True) -> tuple[Network, Problems]:
    """Read and validate every record under ``config.content_path``."""
    problems = problems if problems is not None else Problems()
    problems.extend(check_options(config))
    content = config.content_path
    net = Network(config=config)
    if not content.is_dir():
        problems.add(config.rel(content), None, "docs_dir",
                     "内容目录不存在;请检查 mkdocs.yml 中的 docs_dir",
                     "the content folder does not exist; check docs_dir in mkdocs.yml")
        return net, problems
    _scan_content(content, config, problems)
    images = _ImageIndex(content, config)
    rel = _Rel(config)
    cache = _RecordCache.begin(config)
    jobs = [(path, kind) for folder, kind in RECORD_FOLDERS.items()
            for path in _files(content / folder, RECORD_SUFFIXES)]
    for _, rec, found, _ in cache.load_all(jobs, config, images, rel, progress, processes):
        problems.extend(found)
        if rec is not None:
            net.add(rec, problems)
    cache.finish()
    for path in _files(content / "casebooks", (".yml", ".yaml")):
        if not re.fullmatch(r"\d{4}", path.stem):
            continue
        rec = _load_record(path, "casebook", config, problems, images)
        if rec is not None:
            assert isinstance(rec, Casebook)
            _check_casebook_files(rec, config, problems)
            net.add(rec, problems)
    for path in _files(content / "activities", (".csv",)):
        net.activities.extend(_load_ledger(path, config, problems))
    net.pages = sorted(p.relative_to(content).as_posix()
                       for p in _files(content, (".md",), skip_top={*RECORD_FOLDERS, "casebooks"}))
    _check_page_titles(content, net.pages, config, problems)
    check_graph(net, problems)
    return net, problems


def _check_page_titles(content: Path, pages: list[str], config: Config, problems: Problems) -> None:
    """Editorial pages: invisible and direction control characters in titles and front matter."""
    from .read.safety import DECEPTIVE, deceptive_in_page

    shown = config.rel(content)
    for page in pages:
        try:
            text = (content / page).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if DECEPTIVE.search(text):
            deceptive_in_page(text, f"{shown}/{page}", problems)


def _scan_content(content: Path, config: Config, problems: Problems) -> None:
    """Symbolic links leaving content/ and raw HTML/SVG/XML files (see :func:`read.safety.scan_content`)."""
    from .read.safety import scan_content

    def trusted(path: Path) -> bool:
        from .render.markdown import is_trusted

        return is_trusted(path, config)

    scan_content(content, config.rel(content), trusted, problems)


def _files(folder: Path, suffixes: Iterable[str], skip_top: Iterable[str] = ()) -> list[Path]:
    """Files under ``folder`` ending in ``suffixes``, sorted; hidden, ``_`` and ``~$`` names are skipped
    at every depth, and so are the top-level folders named in ``skip_top``."""
    if not folder.is_dir():
        return []
    suffixes = tuple(suffixes)
    skip = set(skip_top)
    hidden = (".", "_", "~$")
    out: list[tuple[tuple[str, ...], str]] = []
    for root, dirs, files in os.walk(folder):
        top = root == str(folder)
        dirs[:] = [d for d in dirs if not d.startswith(hidden) and not (top and d in skip)]
        parts = tuple(Path(root).relative_to(folder).parts)
        out.extend(((*parts, f), os.path.join(root, f)) for f in files
                   if not f.startswith(hidden) and f.lower().endswith(suffixes))
    out.sort()  # the order of Path objects, without comparing Path objects
    return [Path(path) for _, path in out]


# --------------------------------------------------------------------------- records


_CHANGES: set[str] | None = None


def changed_since_last_load() -> set[str] | None:
    """Absolute paths of record files added, edited or removed since the previous ``load``
    of the same project in this process (e.g. one rebuild of ``mkdocs serve``), or None
    after a first load. Renderers may use it to rebuild only the pages an edit touches."""
    return None if _CHANGES is None else set(_CHANGES)


class _RecordCache:
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
    def begin(cls, config: Config) -> _RecordCache:
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

    def load_all(self, jobs: list[tuple[Path, str]], config: Config, images: _ImageIndex,
                 rel: _Rel, progress: Callable[[int, int], None] | None = None,
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
    here = Path(__file__).parent
    h = hashlib.blake2b(digest_size=8)
    for path in sorted([here / "load.py", here / "errors.py", here / "kinds.py", *(here / "read").glob("*.py"),
                        *(here / "model").glob("*.py")]):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def _read_pickle(path: Path) -> dict:
    """Records of an earlier build (``mkdocs build`` reads files again only where they changed)."""
    from .guard import damaged

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


def _parse_one(path: Path, kind: str, config: Config, images: _ImageIndex, rel: _Rel,
               read: tuple | None = None) -> tuple:
    """(hash, record or None, problems, photos) of one file; ``read`` is what a worker already read."""
    mine = Problems()
    if read is None:
        stamp, raw = _file_hash(path), read_record(path, rel(path), mine)
    else:
        stamp, raw, found = read
        mine.items.extend(found)
    recorder = _PhotoRecorder(images)
    rec = _validate_record(raw, path, kind, config, mine, recorder) if raw is not None else None  # type: ignore[arg-type]
    photos = tuple((src, images.stamp(src, path)) for src in recorder.seen)
    return stamp, rec, tuple(mine.items), photos


#: Below this many files to parse, reading stays in this process.
PARALLEL_READ_MIN = 1500


def _read_chunk(state: _Rel, jobs: list[tuple[Path, str]]) -> list[tuple]:
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


def _parse_many(jobs: list[tuple[Path, str]], config: Config, images: _ImageIndex, rel: _Rel,
                progress: Callable[[int, int], None] | None = None, done: int = 0, total: int = 0,
                processes: bool = True) -> list[tuple]:
    # Files are read and their YAML parsed by forked workers (the larger part of the work) while
    # this process validates what comes back.
    from .parallel import chunked_map

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

    def __init__(self, images: _ImageIndex):
        self.images = images
        self.seen: list[str] = []

    def check(self, src: str, raw: RawRecord, loc: tuple, problems: Problems) -> None:
        self.seen.append(src)
        self.images.check(src, raw, loc, problems)


class _Rel:
    """``config.rel`` for many files: each folder is resolved once, not every file's full path."""

    def __init__(self, config: Config):
        self.config = config
        self.project = config.project_dir.resolve()
        self.dirs: dict[Path, Path] = {}

    def __call__(self, path: Path) -> str:
        if path.name in ("", ".", "..") or path.is_symlink():
            return self.config.rel(path)
        parent = self.dirs.get(path.parent)
        if parent is None:
            parent = self.dirs[path.parent] = path.parent.resolve()
        try:
            return (parent / path.name).relative_to(self.project).as_posix()
        except ValueError:
            return path.as_posix()


def _load_record(path: Path, kind: str, config: Config, problems: Problems,
                 images: _ImageIndex, rel_of: _Rel | None = None) -> Record | None:
    rel = rel_of(path) if rel_of is not None else config.rel(path)
    raw = read_record(path, rel, problems)
    if raw is None:
        return None
    return _validate_record(raw, path, kind, config, problems, images)


def _validate_record(raw: RawRecord, path: Path, kind: str, config: Config, problems: Problems,
                     images: _ImageIndex) -> Record | None:
    """The record a file's front matter describes, checked; None (with problems) when invalid."""
    rel = raw.rel
    data = dict(raw.data)
    if kind == "casebook":
        data["year"] = int(path.stem)
        data.setdefault("id", path.stem)
    if "id" not in data:
        data["id"] = path.stem
        from .model.fields import ID_RE

        if not ID_RE.match(path.stem):
            problems.add(
                rel, 1, "id",
                f"文件名 \"{path.stem}\" 不能用作编号;请把文件改名为小写字母、数字和连字符(如 guta-zhaojiamao.md),或加上 id: 字段",
                f"the file name \"{path.stem}\" is not a valid id; rename the file to a-z 0-9 - "
                "(e.g. guta-zhaojiamao.md) or add an id: field",
            )
            return None
    cls = KINDS[kind]
    try:
        rec = cls.model_validate(data)
    except ValidationError as exc:
        _report_validation(exc, raw, cls, problems)
        return None
    rec._path = rel
    rec._body = raw.body
    rec._body_line = raw.body_line
    rec._lines = raw.lines
    _check_unknown_fields(rec, raw, problems)
    for i, photo in enumerate(getattr(rec, "photos", []) or []):
        images.check(photo.src, raw, ("photos", i, "src"), problems)
    if isinstance(rec, Person):
        if rec.photo is not None:
            images.check(rec.photo.src, raw, ("photo", "src"), problems)
        check_privacy(raw, problems)
    if isinstance(rec, Casebook) and rec.cover:
        images.check(rec.cover, raw, ("cover",), problems)
    _check_year_folder(rec, raw, problems)
    return rec


_TYPE_WORDS = {
    "string_type": ("文字", "text"), "int_type": ("整数", "a whole number"),
    "int_parsing": ("整数", "a whole number"), "float_parsing": ("数字", "a number"),
    "float_type": ("数字", "a number"), "bool_type": ("true 或 false", "true or false"),
    "bool_parsing": ("true 或 false", "true or false"), "list_type": ("列表(每行以 - 开头)", "a list (lines starting with -)"),
    "dict_type": ("「字段: 值」形式的映射", "a mapping of field: value"),
    "model_type": ("「字段: 值」形式的映射", "a mapping of field: value"),
    "model_attributes_type": ("「字段: 值」形式的映射", "a mapping of field: value"),
}


def _report_validation(exc: ValidationError, raw: RawRecord, cls: type[BaseModel],
                       problems: Problems) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = dotted(loc)
        line = _line_of(raw, loc)
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "wenming":
            zh, en = ctx["zh"], ctx["en"]
        elif kind == "missing":
            what = _field_doc(cls, loc)
            zh = f"缺少必填字段 {loc[-1]}{what[0]};请补上"
            en = f"required field {loc[-1]} is missing{what[1]}; add it"
        elif kind in _TYPE_WORDS:
            want_zh, want_en = _TYPE_WORDS[kind]
            zh = f"应为{want_zh},实际为 {err['input']!r}"
            en = f"expected {want_en}, found {err['input']!r}"
        elif kind == "too_short":
            zh = "至少要写一项"
            en = "at least one entry is required"
        elif kind in ("greater_than_equal", "less_than_equal"):
            zh = f"数值超出范围:{err['input']!r}(纬度 lat 在 -90 到 90 之间,经度 lng 在 -180 到 180 之间)"
            en = f"value out of range: {err['input']!r} ({err['msg']})"
        else:
            zh = f"值不正确:{err['input']!r}({err['msg']})"
            en = f"invalid value {err['input']!r} ({err['msg']})"
        problems.add(raw.rel, line, field, zh, en)


def _line_of(raw: RawRecord, loc: tuple) -> int:
    p = loc
    while p:
        if p in raw.lines:
            return raw.lines[p]
        p = p[:-1]
    return raw.lines.get((), 1) if raw.lines else 1


def _field_doc(cls: type[BaseModel], loc: tuple) -> tuple[str, str]:
    if len(loc) == 1 and loc[0] in cls.model_fields and cls.model_fields[str(loc[0])].description:
        desc = cls.model_fields[str(loc[0])].description or ""
        return f"({desc})", ""
    return "", ""


@functools.cache
def _known_fields(model: type[BaseModel]) -> frozenset[str]:
    out = set()
    for name, info in model.model_fields.items():
        out.add(info.alias or name)
    return frozenset(out)


@functools.cache
def _nested_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(name, alias) of the fields whose type may hold a model: the only ones with keys to check."""
    def holds_model(tp: Any) -> bool:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return True
        return any(holds_model(arg) for arg in typing.get_args(tp))

    return tuple((name, info.alias or name) for name, info in model.model_fields.items()
                 if holds_model(info.annotation))


def _check_unknown_fields(rec: BaseModel, raw: RawRecord, problems: Problems,
                          path: tuple = ()) -> None:
    """Unknown keys are kept (a later SPEC may add fields) but reported with a suggestion."""
    extra = rec.model_extra or {}
    known = _known_fields(type(rec))
    for key in extra:
        suggestion = did_you_mean(str(key), known)
        problems.warn(
            raw.rel, _line_of(raw, path + (key,)), dotted(path + (key,)),
            f"未知字段 \"{key}\",将被忽略{hint_zh(suggestion)}",
            f"unknown field \"{key}\" is ignored{hint_en(suggestion)}",
        )
    for name, alias in _nested_fields(type(rec)):
        value = getattr(rec, name)
        if isinstance(value, BaseModel):
            _check_unknown_fields(value, raw, problems, path + (alias,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _check_unknown_fields(item, raw, problems, path + (alias, i))


def _check_year_folder(rec: Record, raw: RawRecord, problems: Problems) -> None:
    year = getattr(rec, "year", None)
    if rec.kind != "case" or year is None:
        return
    parts = Path(raw.rel).parts
    folder = parts[-2] if len(parts) >= 2 else ""
    if re.fullmatch(r"\d{4}", folder) and int(folder) != year:
        problems.warn(
            raw.rel, rec.line_of("year"), "year",
            f"案例年份是 {year},但文件放在 {folder} 文件夹;请核对年份或移动文件",
            f"the case's year is {year} but the file is in the {folder} folder; check the year or "
            "move the file",
        )


# ----------------------------------------------------------------------- privacy

_ID_NUMBER = re.compile(r"(?<![0-9])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?![0-9])")
_PRIVATE_FIELDS = {
    "address": ("住址", "home address"), "home": ("住址", "home address"),
    "home_address": ("住址", "home address"), "住址": ("住址", "home address"),
    "phone": ("个人电话", "personal phone"), "mobile": ("个人电话", "personal phone"),
    "tel": ("个人电话", "personal phone"), "电话": ("个人电话", "personal phone"),
    "id_number": ("身份证号", "ID number"), "id_card": ("身份证号", "ID number"),
    "身份证": ("身份证号", "ID number"), "身份证号": ("身份证号", "ID number"),
}
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_checksum_ok(number: str) -> bool:
    """GB 11643 check digit of an 18-digit resident ID number."""
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return "10X98765432"[total % 11] == number[17].upper()


def find_private(text: str) -> list[tuple[int, str, str]]:
    """(line, kind, match) for every ID number and mobile number in ``text``."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for m in _ID_NUMBER.finditer(line):
            if id_checksum_ok(m.group(1)):
                found.append((number, "id", m.group(1)))
        for m in _MOBILE_IN_TEXT.finditer(line):
            found.append((number, "mobile", m.group(1)))
    return found


def _mask(value: str) -> str:
    digits = re.sub(r"[^0-9Xx]", "", value)
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def check_privacy(raw: RawRecord, problems: Problems) -> None:
    """A person record must not hold an ID number, a mobile number or a home address."""
    line_to_field = {line: dotted(path) for path, line in raw.lines.items() if path}
    for key in raw.data:
        if str(key).lower() in _PRIVATE_FIELDS:
            zh, en = _PRIVATE_FIELDS[str(key).lower()]
            problems.add(
                raw.rel, raw.lines.get((key,)), str(key),
                f"典型人物页面不得公开{zh};请删除该字段(需要联系时请写所属阵地的服务电话)",
                f"a person's page must never publish a {en}; remove the field (use the station's "
                "service phone for contact)",
            )
    for line, kind, value in find_private(raw.text):
        field = line_to_field.get(line) or ("正文 body" if line >= raw.body_line else "")
        if kind == "id":
            problems.add(
                raw.rel, line, field,
                f"发现身份证号({_mask(value)});典型人物记录中不得出现身份证号,请删除",
                f"an ID-card number ({_mask(value)}) was found; a person record must not hold one, "
                "remove it",
            )
        else:
            problems.add(
                raw.rel, line, field,
                f"发现手机号({_mask(value)});典型人物记录中不得出现个人电话,请删除",
                f"a mobile number ({_mask(value)}) was found; a person record must not hold a "
                "personal phone, remove it",
            )


# ------------------------------------------------------------------------- images


class _ImageIndex:
    """Resolves photo paths (relative to content/ or to the record) and checks the files."""

    def __init__(self, content: Path, config: Config):
        self.content = content.resolve()
        self.config = config
        self._checked: dict[Path, tuple[str, str] | None] = {}
        self._names: list[str] | None = None
        self._in_content: dict[str, Path | None] = {}
        self._stamps: dict[tuple[str, Path], tuple | None] = {}

    def stamp(self, src: str, record_path: Path) -> tuple | None:
        """What a photo name points at now (file and its mtime/size), for the record cache."""
        key = (src, record_path.parent)
        if key not in self._stamps:
            stamp = None
            if not (re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("//")):
                path = self.resolve(src, record_path)
                try:
                    st = path.stat() if path is not None else None
                    stamp = (str(path), st.st_mtime_ns, st.st_size) if st else (str(path),)
                except OSError:
                    stamp = (str(path),)
            self._stamps[key] = stamp
        return self._stamps[key]

    def names(self) -> list[str]:
        if self._names is None:
            self._names = [p.relative_to(self.content).as_posix() for p in _files(self.content, IMAGE_SUFFIXES)]
        return self._names

    def resolve(self, src: str, record_path: Path) -> Path | None:
        """The file a photo path names, or None when it is outside content/."""
        # most photos are written relative to content/ and shared: look each name up once
        hit = self._in_content.get(src, ...)
        if hit is ...:
            candidate = (self.content / src).resolve()
            hit = candidate if candidate.is_relative_to(self.content) and candidate.is_file() else None
            self._in_content[src] = hit
        if hit is not None:
            return hit
        for base in (record_path.parent.resolve(),):
            candidate = (base / src).resolve()
            if candidate.is_relative_to(self.content) and candidate.is_file():
                return candidate
        candidate = (self.content / src).resolve()
        return candidate if candidate.is_relative_to(self.content) else None

    def check(self, src: str, raw: RawRecord, loc: tuple, problems: Problems) -> None:
        line = _line_of(raw, loc)
        field = dotted(loc)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("//"):
            problems.add(raw.rel, line, field,
                         f"图片必须放在 content/images/ 中,不能引用外部网址 \"{src}\"",
                         f"photos must be files under content/images/, not a web address \"{src}\"")
            return
        path = self.resolve(src, raw.path)
        if path is None:
            problems.add(raw.rel, line, field,
                         f"图片路径 \"{src}\" 指向了 content/ 以外;请把图片放进 content/images/ 并写 images/文件名",
                         f"photo path \"{src}\" leaves content/; put the photo in content/images/ "
                         "and write images/<name>")
            return
        if not path.is_file():
            suggestion = did_you_mean(src, self.names())
            problems.add(raw.rel, line, field,
                         f"找不到图片 \"{src}\"(路径相对于 content/){hint_zh(suggestion)}",
                         f"photo \"{src}\" does not exist (paths are relative to content/)"
                         f"{hint_en(suggestion)}")
            return
        verdict = self._checked.get(path, ...)
        if verdict is ...:
            verdict = image_problem(path)
            self._checked[path] = verdict
        if verdict:
            problems.add(raw.rel, line, field, verdict[0], verdict[1])


def image_problem(path: Path) -> tuple[str, str] | None:
    """Why an image cannot be published safely, or None. Reads only the header."""
    from PIL import Image, UnidentifiedImageError

    if path.suffix.lower() in (".svg", ".svgz"):
        from .read.safety import svg_problem

        return svg_problem()
    try:
        with Image.open(path) as im:
            w, h = im.size
    except Image.DecompressionBombError as exc:
        size = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(size.group(1)):,}" if size else "?"
        return (f"图片像素过多({pixels} 像素),疑似解压炸弹,无法安全解码;请缩小到 8000×5000 像素以内",
                f"the image has too many pixels ({pixels}), a possible decompression bomb, and cannot be "
                "decoded safely; scale it below 8000x5000 pixels")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return (f"图片文件已损坏或格式不支持({type(exc).__name__});请重新导出为 JPEG 或 PNG",
                (f"the image is corrupt or of an unsupported kind ({type(exc).__name__}); export it "
                 "again as JPEG or PNG"))
    if w * h > MAX_IMAGE_PIXELS:
        return _too_large(f"({w}×{h} 像素)", f" ({w}x{h} pixels)")
    return None


def _too_large(size_zh: str, size_en: str) -> tuple[str, str]:
    return (f"图片尺寸过大{size_zh},无法安全解码;请缩小到 8000×5000 像素以内",
            f"the image is too large to decode safely{size_en}; scale it below 8000x5000 pixels")


def _check_casebook_files(book: Casebook, config: Config, problems: Problems) -> None:
    content = config.content_path.resolve()
    for field in ("preface", "afterword"):
        value = getattr(book, field)
        if not value:
            continue
        target = (content / value).resolve()
        names = [p.relative_to(content).as_posix() for p in _files(content / "casebooks", (".md",))]
        if not target.is_relative_to(content):
            problems.add(book.path, book.line_of(field), field,
                         f"\"{value}\" 指向了 content/ 以外", f"\"{value}\" leaves content/")
        elif not target.is_file():
            suggestion = did_you_mean(value, names)
            problems.add(book.path, book.line_of(field), field,
                         f"找不到文件 \"{value}\"(路径相对于 content/){hint_zh(suggestion)}",
                         f"file \"{value}\" does not exist (paths are relative to content/)"
                         f"{hint_en(suggestion)}")


# ------------------------------------------------------------------------- ledger

def row_errors(exc: ValidationError) -> list[tuple[str, str, str]]:
    """(column, Chinese, English) for each error of a table row's validation."""
    out = []
    for err in exc.errors():
        col = str(err["loc"][0]) if err["loc"] else ""
        ctx = err.get("ctx") or {}
        if err["type"] == "wenming":
            zh, en = ctx["zh"], ctx["en"]
        elif err["type"] == "missing":
            zh, en = "此列不能为空", "this column must not be empty"
        else:
            zh = f"值不正确:{err.get('input')!r}"
            en = f"invalid value {err.get('input')!r} ({err['msg']})"
        out.append((col, zh, en))
    return out


def _load_ledger(path: Path, config: Config, problems: Problems) -> list[Activity]:
    rel = config.rel(path)
    table = read_csv(path, rel, problems)
    if table is None:
        return []
    keys = {h: ledger_key(h) for h in table.header}
    header = list(keys.values())
    missing = [c for c in ("date", "station", "title") if c not in header]
    if missing:
        problems.add(rel, 1, ", ".join(missing),
                     f"活动台账缺少列:{', '.join(missing)};表头应为 {','.join(LEDGER_COLUMNS)}",
                     f"the ledger lacks the column(s) {', '.join(missing)}; the header is "
                     f"{','.join(LEDGER_COLUMNS)}")
        return []
    out = []
    for row_number, values in table.rows:
        row = {keys.get(k) or ledger_key(k): v for k, v in values.items()}
        data: dict[str, Any] = {k: v for k, v in row.items() if v != "" and k in LEDGER_COLUMNS}
        try:
            act = Activity.model_validate({**data, "path": rel, "row": row_number})
        except ValidationError as exc:
            for col, zh, en in row_errors(exc):
                problems.add(rel, row_number, col, f"第 {row_number} 行:{zh}", f"row {row_number}: {en}")
            continue
        out.append(act)
    return out
