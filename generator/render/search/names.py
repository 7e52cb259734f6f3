"""The name index: every record found by its name, without a word segmenter.

Pagefind segments page text when it indexes and the browser segments the query; the two
disagree on names they do not know (曲府曲 → 曲|府|曲 in one, 曲府|曲 in the other), so a
full name often found nothing. This index matches names by character n-grams instead:

* every record (阵地, 品牌项目, 典型人物, 案例) and every hub or editorial page (with less
  weight) has its names *normalised* — Simplified (OpenCC), lower case, only letters, digits
  and Han characters kept (quotes, 书名号, spaces and punctuation go), and the endings
  新时代文明实践站/所/中心 … removed (:data:`SUFFIX`) — plus the pinyin initials of each;
* a record is listed under every character bigram of its names, under every single
  character (for one-character queries) and under every two-letter run of its initials
  (marked with ``~``). A key shared by more than :data:`CAP` records lists only the
  :data:`CAP` best (shortest names, higher levels first) and is named, with its count, in
  the settings file; the records under it are then also listed under each key one
  character longer (``社区`` → ``社区主``), so a query always reaches a key short enough
  to be complete;
* keys are spread over files by a hash (:func:`key_hash`): the browser fetches only the
  files of the one to three keys it picks from the query, each holding the records it
  needs to score and show them (so one round trip after the settings).

The browser side is the theme's ``static/search/names.js``; ``tests/test_search_names.py`` runs it in node
over every record of generated networks.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .t2s import browser_map, to_simplified, traditional_chars

#: Folder of the name index inside the search bundle folder.
NAMES_DIR = "names"
#: Settings of the name index (inside :data:`NAMES_DIR`).
META_NAME = "meta.json"
#: Characters kept by normalisation (everything else — quotes, 书名号, spaces — is dropped).
#: Written with literal characters so that Python's ``re`` and the browser's ``RegExp``
#: (with the ``u`` flag) read the same class.
KEEP = "[0-9a-z〇㐀-䶿一-鿿豈-﫿𠀀-𱍏]"
#: Endings removed from names and queries (the short name).
SUFFIX = "(?:新时代)?文明实践(?:中心|所|站|点|基地)?$|实践(?:中心|所|站|点|基地)$"
#: Records listed under one key at most (the best ones); more make the key "frequent".
CAP = 50
#: Longest key made by extending frequent keys.
MAX_KEY = 8
#: Bytes a shard file should hold (about); the number of shards follows from it.
SHARD_BYTES = 16_000
#: Kinds, in the order of their codes in the index.
KINDS = ("station", "project", "person", "case", "page")
KIND_LABELS = ("阵地", "品牌项目", "典型人物", "案例", "页面")
FOLDERS = ("stations", "projects", "people", "cases", "")
LEVELS = ("中心", "所", "站", "点", "基地")
#: Endings of titles, stored as their number when a title is its first form plus one of them.
ENDINGS = ("", "新时代文明实践站", "新时代文明实践所", "新时代文明实践中心", "新时代文明实践点",
           "新时代文明实践基地")

_KEEP_RE = re.compile(KEEP)
_DROP_RE = re.compile("[^" + KEEP[1:])
_SUFFIX_RE = re.compile(SUFFIX)


def normalise(text: str, *, simplified: bool = False) -> str:
    """``text`` as the index compares it: NFKC, lower case, Simplified, letters/digits/Han only.

    ``simplified=True`` skips the OpenCC conversion (the text is known to be Simplified).
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    if not simplified and not traditional_chars().isdisjoint(text):
        text = to_simplified(text)
    return _DROP_RE.sub("", text)


def strip_suffix(norm: str) -> str:
    """A normalised name without its 新时代文明实践站/所/中心 ending (unchanged if nothing is left)."""
    short = _SUFFIX_RE.sub("", norm)
    return short or norm


def display_short(name: str) -> str:
    """A name as written, without its 新时代文明实践站/所/中心 ending (for the place shown
    under a result)."""
    short = _SUFFIX_RE.sub("", (name or "").strip())
    return short or (name or "").strip()


_INITIAL: dict[str, str] = {}


@functools.lru_cache(maxsize=1)
def _readings() -> dict[int, str]:
    """pypinyin's character dictionary (code point → readings). Read from the package's own
    ``pinyin_dict.json`` without importing the package: ``import pypinyin`` also loads its phrase
    dictionary, ten times the time; the module is the fallback."""
    import importlib.util

    spec = importlib.util.find_spec("pypinyin")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(Path(folder) / "pinyin_dict.json", encoding="utf-8") as fh:
                return {int(k): v for k, v in json.load(fh).items()}
        except (OSError, ValueError, AttributeError):
            break
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


def _initial(ch: str) -> str:
    got = _INITIAL.get(ch)
    if got is None:
        if ch.isascii():
            got = ch
        else:
            reading = _readings().get(ord(ch), "")
            first = unicodedata.normalize("NFD", reading.split(",", 1)[0])[:1]
            got = first if first.isascii() and first.isalpha() else ""
        _INITIAL[ch] = got
    return got


def initials(norm: str) -> str:
    """Pinyin initials of a normalised name, one letter per Han character (its most common
    reading, from pypinyin's dictionary); letters and digits are kept as they are."""
    return "".join(_initial(ch) for ch in norm)


def key_hash(key: str) -> int:
    """FNV-1a (32 bits) over the UTF-16 code units of ``key`` — ``names.js`` computes the same."""
    h = 0x811C9DC5
    data = key.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class Entry:
    """One searchable record: what the browser needs to score and show it."""

    __slots__ = ("forms", "inactive", "kind", "letters", "level", "phone", "ref", "tel", "title", "where", "written")

    def __init__(self, kind: int, ref: str, title: str, names: Iterable[str], *, level: int = -1,
                 where: str = "", phone: str = "", tel: str = "", inactive: bool = False):
        forms: list[str] = []
        self.written = [n for n in names if n]
        for name in self.written:
            form = strip_suffix(normalise(name))
            if form and form not in forms:
                forms.append(form)
        self.kind, self.ref, self.title, self.forms = kind, ref, title, forms
        self.letters = [initials(f) for f in forms]
        self.level, self.where, self.phone, self.tel, self.inactive = level, where, phone, tel, inactive

    def row(self) -> list[Any]:
        """The record as stored in a shard: ``[kind, ref, title, forms, initials, level, where,
        phone, tel, inactive]`` (trailing empty fields dropped). A title that is its first
        form plus one of the :data:`ENDINGS` is stored as the ending's number; a ``tel:`` that
        is the phone's digits as 0."""
        title: str | int = self.title
        for i, ending in enumerate(ENDINGS):
            if self.title == self.forms[0] + ending:
                title = i
                break
        tel = self.tel.removeprefix("tel:")
        row: list[Any] = [self.kind, self.ref, title, "|".join(self.forms), "|".join(self.letters),
                          self.level, self.where, self.phone, 0 if tel == re.sub(r"\D", "", self.phone) else tel,
                          1 if self.inactive else 0]
        while row and row[-1] in ("", 0, -1) and len(row) > 5:
            row.pop()
        return row


def inputs(net: Any, pages: Iterable[tuple[str, str]] = ()) -> list[tuple]:
    """What the index is made of: one tuple of :class:`Entry`'s arguments per record of ``net``
    and per ``(url, title)`` page, before any name is normalised (cheap: no dictionary)."""
    from ...model.fields import tel_uri
    from ...model.records import Station

    out: list[tuple] = []
    levels = {lv: i for i, lv in enumerate(LEVELS)}
    stations: dict[str, Station] = net.stations
    for s in stations.values():
        parent = stations.get(s.parent or "")
        level = str(getattr(s.level, "value", s.level))
        out.append((0, s.id, s.name, [s.name, s.short_name], levels.get(level, len(LEVELS)),
                    display_short(parent.display_name) if parent else "",
                    s.phone or "", tel_uri(s.phone) if s.phone else "", not s.is_active))
    for p in net.projects.values():
        owner = stations.get(p.station)
        out.append((1, p.id, p.name, [p.name], -1, display_short(owner.display_name) if owner else ""))
    for person in net.people.values():
        owner = stations.get(person.station or "")
        out.append((2, person.id, person.name, [person.name], -1,
                    display_short(owner.display_name) if owner else ""))
    for c in net.cases.values():
        unit = next((display_short(stations[sid].display_name) for sid in c.stations if sid in stations),
                    c.unit)
        out.append((3, c.id, c.title, [c.title], -1, f"{c.year}年" + (f" · {unit}" if unit else "")))
    for url, title in pages:
        if title:
            out.append((4, url, title, [title]))
    return out


def inputs_key(raw: list[tuple]) -> str:
    """A hash of :func:`inputs` and of everything else the index files depend on (this module,
    the conversion tables, pypinyin's and OpenCC's versions): equal keys, equal files."""
    from importlib.metadata import PackageNotFoundError, version

    from ...guard import checksum

    here = Path(__file__).resolve().parent
    try:
        versions = f"{version('pypinyin')}|{version('opencc')}"
    except PackageNotFoundError:  # pragma: no cover - both are hard dependencies
        versions = ""
    return checksum(versions, (here / "names.py").read_bytes(), (here / "t2s.py").read_bytes(),
                    json.dumps(raw, ensure_ascii=False, separators=(",", ":")))


def from_inputs(raw: list[tuple]) -> list[Entry]:
    """The index entries of :func:`inputs` (records whose name normalises to nothing left out)."""
    out = [Entry(kind, ref, title, names, level=level, where=where, phone=phone, tel=tel, inactive=inactive)
           for kind, ref, title, names, level, where, phone, tel, inactive in
           (r + (-1, "", "", "", False)[len(r) - 4:] for r in raw)]
    return [e for e in out if e.forms]


def entries(net: Any, pages: Iterable[tuple[str, str]] = ()) -> list[Entry]:
    """The records of ``net`` and the ``(url, title)`` pages, as index entries."""
    return from_inputs(inputs(net, pages))


def _grams(text: str, n: int) -> Iterable[tuple[int, str]]:
    for i in range(len(text) - n + 1):
        yield i, text[i:i + n]


def build_keys(items: list[Entry], cap: int = CAP, max_key: int = MAX_KEY
               ) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Key → the indices of the records listed under it (best first, at most ``cap``), and the
    frequent keys with their record counts."""
    lists: dict[str, dict[int, int]] = defaultdict(dict)  # key -> record -> shortest form length

    def add(key: str, rec: int, length: int) -> None:
        seen = lists[key]
        if length < seen.get(rec, 1 << 30):
            seen[rec] = length

    texts: list[list[tuple[str, str]]] = []
    for idx, e in enumerate(items):
        mine = [(f, "") for f in e.forms] + [(x, "~") for x in e.letters if len(x) >= 2]
        texts.append(mine)
        for body, mark in mine:
            length = len(body)
            for n in ((2,) if mark else (1, 2)):
                for i in range(length - n + 1):  # add(), inlined: the index's hottest loop
                    seen = lists[mark + body[i:i + n]]
                    if length < seen.get(idx, 1 << 30):
                        seen[idx] = length
    frequent = {k for k, v in lists.items() if len(v) > cap and len(k.lstrip("~")) >= 2}
    # Extend frequent keys by one character, as long as they stay frequent.
    n = 2
    while frequent and n < max_key:
        grown: set[str] = set()
        for idx, mine in enumerate(texts):
            for body, mark in mine:
                for i, g in _grams(body, n):
                    if mark + g in frequent and i + n < len(body):
                        key = mark + body[i:i + n + 1]
                        add(key, idx, len(body))
                        grown.add(key)
        frequent = {k for k in grown if len(lists[k]) > cap}
        n += 1
    out: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    # The order of the records under one key: records before pages, active first, shorter names
    # (the key is more of the name), higher levels, then the record's number; as one integer per
    # record (fields in bit ranges, the length at bit 36): sorting by tuples took several times longer.
    fixed = [(int(e.kind == 4) * 2 + int(e.inactive)) << 60 | (e.level if 0 <= e.level < 16 else 9) << 32 | r
             for r, e in enumerate(items)]
    for key, recs in lists.items():
        order = sorted(recs, key=lambda r: fixed[r] | min(recs[r], (1 << 24) - 1) << 36)
        if len(order) > cap:
            counts[key] = len(order)
            order = order[:cap]
        out[key] = order
    return out, counts


def name_map(items: list[Entry]) -> dict[str, Any]:
    """The part of the Traditional → Simplified map that can matter for names: pairs whose
    Simplified side occurs in a name (a query character that is in no name finds nothing)."""
    used: set[str] = set(SUFFIX)  # the endings a query may carry, in any script
    for e in items:
        for f in e.forms:
            used.update(f)
    full = browser_map()
    pairs = list(full["c"])
    chars = "".join(a + b for a, b in zip(pairs[0::2], pairs[1::2]) if b in used)
    phrases = {k: v for k, v in full["p"].items() if v and set(v) <= used}
    return {"c": chars, "p": phrases, "n": max((len(k) for k in phrases), default=0)}


def write_index(bundle: Path, items: list[Entry], *, shard_bytes: int = SHARD_BYTES) -> dict[str, Any]:
    """Write the name index under ``bundle/names/``; returns figures (files, bytes, seconds)."""
    start = time.perf_counter()
    folder = Path(bundle) / NAMES_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    lists, counts = build_keys(items)
    rows = [json.dumps(e.row(), ensure_ascii=False, separators=(",", ":")) for e in items]
    estimate = sum(len(rows[r].encode()) + 4 for key, recs in lists.items() if key not in counts for r in recs)
    shards = max(1, math.ceil(estimate / shard_bytes))
    grouped: dict[str, list[str]] = defaultdict(list)
    for key in lists:  # a frequent key has a file of its own: it would swell a shard
        grouped[f"f{key_hash(key):08x}" if key in counts else str(key_hash(key) % shards)].append(key)
    total = 0
    for shard in sorted(grouped):
        keys = sorted(grouped[shard])
        local: dict[int, int] = {}
        for key in keys:
            for r in lists[key]:
                local.setdefault(r, len(local))
        body = ('{"r":[' + ",".join(rows[r] for r in local) + '],"k":'
                + json.dumps({k: [local[r] for r in lists[k]] for k in keys}, ensure_ascii=False,
                             separators=(",", ":")) + "}")
        data = body.encode("utf-8")
        total += len(data)
        (folder / f"{shard}.json").write_bytes(data)
    meta = {"v": 1, "shards": shards, "cap": CAP, "max": MAX_KEY, "keep": KEEP, "suffix": SUFFIX,
            "levels": list(LEVELS), "endings": list(ENDINGS), "kinds": list(KIND_LABELS), "folders": list(FOLDERS),
            "freq": counts, **name_map(items)}
    meta_bytes = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = folder / f".{META_NAME}.{os.getpid()}"
    tmp.write_bytes(meta_bytes)
    os.replace(tmp, folder / META_NAME)
    return {"records": len(items), "keys": len(lists), "frequent": len(counts), "shards": shards,
            "files": len(grouped) + 1,
            "bytes": total, "meta_bytes": len(meta_bytes), "seconds": time.perf_counter() - start}
