"""Data of the 找身边的实践站 page (``nearby/``): active stations in spatial cells, and towns.

The phone finds its nearest stations itself (the theme's ``static/site/nearby.js``) and downloads only the cells
around it, so the data one answer costs stays small on a city or a province:

* ``nearby/index.json``: the grid (cell size ``d`` in degrees of GCJ-02 latitude and longitude),
  the number ``n`` of stations placed, and the number in every non-empty cell (one base-36
  digit, capped at 35) in runs along each row of cells (see :func:`_runs`);
* ``nearby/c/<row>_<col>.json``: the stations of one cell;
* ``nearby/t/<town id>.json``: the stations of one 镇/街道 (所), for a reader without a position.

A station is ``[id, name, level, lat, lng, phone, tel, hours index, open day, wgs84 flag]``; ``lat``
and ``lng`` are as the content writes them (``null`` without a location), the flag is 1 for
``coords: wgs84``. The cell holds the station by its GCJ-02 position, what the browser computes
from the phone's WGS-84 position with the port of :mod:`generator.geo`. Hours are
shared per file: ``h`` lists ``[text, week]``, ``week`` being seven days (Monday first) of
``[[start, end], ...]`` minutes, ``[]`` for closed and ``null`` for unknown (see :func:`parse_hours`).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ...cancel import checkpoint
from ...graph import Network
from ...model import Level, Station, tel_uri
from ...geo import wgs84_to_gcj02
from ...urls import hub_url

#: Cell sizes tried, in degrees (0.01° of latitude is 1.1 km); see :func:`choose_cell_size`.
CELL_SIZES = (0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28)
CELL_TARGET = 12
#: A row of the index starts a new run after this many empty cells.
RUN_GAP = 3
FOLDER = hub_url("nearby").rstrip("/")
#: Walking speed for the page's time estimates (metres a minute; an unhurried older walker).
WALK_M_PER_MIN = 80

# ------------------------------------------------------------------ opening hours

_DAY = "一二三四五六日天"
_DAY_INDEX = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6, "末": 6}
_DASH = r"\s*(?:-|—|–|－|~|～|至|到)\s*"
_TOKEN = re.compile(
    r"(?P<range>(?:周|星期|礼拜)([一二三四五六日天])" + _DASH + r"(?:周|星期|礼拜)?([一二三四五六日天]))"
    r"|(?P<list>(?:周|星期|礼拜)[一二三四五六日天](?:\s*[、和及]\s*(?:周|星期|礼拜)?[一二三四五六日天])*)"
    r"|(?P<every>每天|每日|天天|全天|全年|全周)"
    r"|(?P<work>工作日)"
    r"|(?P<weekend>周末|双休日)"
    r"|(?P<holiday>(?:法定)?节假日|假期|寒暑假|逢集日?|农历)"
    r"|(?P<time>(?P<h1>\d{1,2})\s*[:：]\s*(?P<m1>\d{2})" + _DASH + r"(?P<h2>\d{1,2})\s*[:：]\s*(?P<m2>\d{2}))"
    r"|(?P<closed>休息|闭馆|不开放|关闭|停止)"
    r"|(?P<ask>预约|电话联系|另行通知|不定期)"
)


def parse_hours(text: str) -> list[list[list[int]] | None] | None:
    """The week a station's ``hours`` describes, Monday first: per day the open intervals in
    minutes (``[]`` closed, None unknown), or None when nothing can be read.

    Reads the forms of SPEC v1 (周一至周五 8:30-12:00, 14:30-18:00; 周六 9:00-12:00; 每天
    9:00-17:00; 节假日休息): a day part applies to the times after it; days the text does
    not name are closed; holidays (which a phone cannot know) are left out; 预约 makes the
    days it follows unknown; a text with a market day (逢集) or lunar dates is unknown.
    """
    if not text:
        return None
    week: list[list[list[int]] | None] = [None] * 7
    said = [False] * 7
    days: list[int] | None = None  # the day part in force; None: none yet (times apply every day)
    named = False  # a day part was written
    fresh = False  # the day part in force has not had a time yet
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("range", "list", "every", "work", "weekend", "holiday"):
            named = True
            fresh = True
            if kind == "range":
                a, b = _DAY_INDEX[m.group(2)], _DAY_INDEX[m.group(3)]
                days = list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(b + 1))
            elif kind == "list":
                days = sorted({_DAY_INDEX[c] for c in re.findall(f"[{_DAY}]", m.group("list"))})
            elif kind == "every":
                days = list(range(7))
            elif kind == "work":
                days = list(range(5))
            elif kind == "weekend":
                days = [5, 6]
            elif kind == "holiday":
                if m.group("holiday").startswith(("逢集", "农历")):
                    return None
                days = []
        elif kind == "time":
            h1, m1, h2, m2 = (int(m.group(g)) for g in ("h1", "m1", "h2", "m2"))
            if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 * 60 + m2) <= (h1 * 60 + m1):
                return None
            span = [h1 * 60 + m1, h2 * 60 + m2]
            for d in range(7) if days is None else days:
                if fresh or week[d] is None:
                    week[d] = []
                week[d].append(span)
                said[d] = True
            fresh = False
        elif kind == "closed":
            for d in days or []:
                week[d], said[d] = [], True
        elif kind == "ask":
            for d in range(7) if days is None else days:
                week[d], said[d] = None, True
    if not any(said):
        return None
    if named:
        week = [w if said[d] else [] for d, w in enumerate(week)]
    for w in week:
        if w:
            w.sort()
    return week


_OPEN_DAY = re.compile(r"每月\s*(\d{1,2})\s*[日号]|每周\s*([一二三四五六日天])|每(?:个)?(?:周|星期)([一二三四五六日天])")


def parse_open_day(text: str) -> str:
    """``m5`` for 每月5日, ``w5`` (Saturday, Monday being 0) for 每周六; ``""`` otherwise."""
    m = _OPEN_DAY.search(text or "")
    if not m or "第" in (text or "") or "最后" in (text or "") or "农历" in (text or ""):
        return ""
    if m.group(1):
        day = int(m.group(1))
        return f"m{day}" if 1 <= day <= 31 else ""
    return f"w{_DAY_INDEX[m.group(2) or m.group(3)]}"


# ------------------------------------------------------------------ stations and cells


def gcj_position(s: Station) -> tuple[float, float] | None:
    """The station's GCJ-02 position (what the cells are cut by), or None without a location."""
    if s.location is None:
        return None
    if s.coords == "wgs84":
        return wgs84_to_gcj02(s.location.lat, s.location.lng)
    return s.location.lat, s.location.lng


def choose_cell_size(points: list[tuple[float, float]]) -> float:
    """The largest cell size whose cells hold at most CELL_TARGET stations on average as a reader
    standing at a station sees them (the mean over stations of their own cell's count): dense
    towns get small cells, and the index stays a few thousand cells even on a province."""
    best = CELL_SIZES[0]
    for d in CELL_SIZES:
        cells = Counter((math.floor(lat / d), math.floor(lng / d)) for lat, lng in points)
        if points and sum(n * n for n in cells.values()) / len(points) > CELL_TARGET:
            break
        best = d
    return best


def cell_of(lat: float, lng: float, d: float) -> tuple[int, int]:
    # The browser computes Math.floor(lat / d) with the same doubles.
    return math.floor(lat / d), math.floor(lng / d)


def station_row(s: Station) -> list:
    """A station as the data files hold it (the hours index is filled in per file)."""
    loc = s.location
    return [s.id, s.name, s.level.value, loc.lat if loc else None, loc.lng if loc else None,
            s.phone or "", tel_uri(s.phone)[4:] if s.phone else "", -1, parse_open_day(s.open_day),
            1 if s.coords == "wgs84" else 0]


class _File:
    """Stations of one data file, with their hours texts shared."""

    def __init__(self) -> None:
        self.rows: list[list] = []
        self.hours: dict[str, int] = {}

    def add(self, s: Station, row: list) -> None:
        if s.hours:
            row = row.copy()
            row[7] = self.hours.setdefault(s.hours, len(self.hours))
        self.rows.append(row)

    def dumps(self, parsed: dict[str, Any]) -> str:
        h = [[t, parsed[t]] for t in self.hours]
        return json.dumps({"s": self.rows, "h": h}, ensure_ascii=False, separators=(",", ":"))


def towns(net: Network) -> list[Station]:
    """The 镇/街道 a reader chooses from: the active 所, else the root's active children."""
    out = [s for s in net.stations_by_level()[Level.institute] if s.is_active]
    if not out and net.root is not None:
        out = [s for s in net.children_of(net.root.id) if s.is_active]
    return out


def nearby_files(net: Network) -> dict[str, str]:
    """Every data file of the nearby page: path under ``nearby/`` -> JSON text."""
    active = [s for s in net.stations.values() if s.is_active]
    placed = [(s, p) for s in active if (p := gcj_position(s)) is not None]
    d = choose_cell_size([p for _s, p in placed])
    cells: dict[tuple[int, int], _File] = defaultdict(_File)
    rows = {}
    for s in active:
        checkpoint()  # a live preview writes these in the background: a newer edit stops it
        rows[s.id] = station_row(s)
    parsed = {t: parse_hours(t) for t in {s.hours for s in active if s.hours}}
    for s, (lat, lng) in sorted(placed, key=lambda sp: sp[0].id):
        cells[cell_of(lat, lng, d)].add(s, rows[s.id])
    out: dict[str, str] = {}
    for (iy, ix), f in cells.items():
        out[f"c/{iy}_{ix}.json"] = f.dumps(parsed)
    counts = Counter({k: len(f.rows) for k, f in cells.items()})
    out["index.json"] = json.dumps({"v": 1, "d": d, "n": len(placed), "rows": _runs(counts)},
                                   separators=(",", ":"))
    for town in towns(net):
        f = _File()
        for s in net.subtree(town.id):
            if s.is_active:
                f.add(s, rows[s.id])
        out[f"t/{town.id}.json"] = f.dumps(parsed)
    return out


#: Cell counts in the index are one base-36 digit each; a cell with more stations shows 35.
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _runs(counts: Counter) -> list[list]:
    """Rows of cells as ``[row, first column, "counts"]``: one base-36 digit per cell, ``0`` for an
    empty cell inside a run, ``z`` for 35 or more (the browser needs counts only to decide how
    many of the nearest cells to read first; a province's 23,000 cells take 2 bytes each or so)."""
    by_row: dict[int, list[int]] = defaultdict(list)
    for iy, ix in counts:
        by_row[iy].append(ix)
    out: list[list] = []
    for iy in sorted(by_row):
        cols = sorted(by_row[iy])
        start, digits = cols[0], [_DIGITS[min(35, counts[(iy, cols[0])])]]
        prev = cols[0]
        for ix in cols[1:]:
            if ix - prev > RUN_GAP:
                out.append([iy, start, "".join(digits)])
                start, digits = ix, []
            else:
                digits += ["0"] * (ix - prev - 1)
            digits.append(_DIGITS[min(35, counts[(iy, ix)])])
            prev = ix
        out.append([iy, start, "".join(digits)])
    return out


def write_nearby(net: Network, site_dir: Path) -> int:
    """Write the data files under ``site_dir/nearby/``; returns their count.

    Files whose text is unchanged are left alone and each changed file is replaced at once,
    so that a page reading them during a live preview's update never finds one missing."""
    files = nearby_files(net)
    base = Path(site_dir) / FOLDER
    for sub in ("c", "t"):
        folder = base / sub
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if f"{sub}/{old.name}" not in files:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink()
    for rel, text in files.items():
        path = base / rel
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return len(files)
