"""A map of a 中心's or 所's stations, drawn at build time as SVG data (no tiles, nothing loaded).

Dots are placed by an equirectangular projection of the stations' GCJ-02 positions, longitude
scaled by cos(mean latitude), north up; a scale bar gives the distance. The projection is
written on the SVG (``data-lat0``, ``data-lng0``, ``data-scale``, ``data-coslat``, ``data-pad``)
so a reader of the markup can turn a dot back into a position:
``lat = lat0 - (y - pad) / scale``, ``lng = lng0 + (x - pad) / (scale * coslat)``.
"""

from __future__ import annotations

import math
from typing import Any

from ...graph import Network
from ...model import Level, Station
from .nearby import gcj_position
from .util import record_url, relurl

#: Levels whose pages carry a map.
MAP_LEVELS = (Level.center, Level.institute)
#: More stations than this below a station: the map shows its direct children only (a district
#: 中心 of 300 站 would add 70 KB to its page).
MAP_MAX = 150
WIDTH = 640.0
PAD = 32.0
#: Height of the band under the map that holds the scale bar and the north arrow.
BAND = 64.0
#: Metres in one degree of latitude (mean Earth radius 6,371,008.8 m).
M_PER_DEG = 6371008.8 * math.pi / 180
#: Lengths a scale bar may show, in metres.
BAR_STEPS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000)
LEVEL_CLASS = {"中心": "c", "所": "i", "站": "s", "点": "p", "基地": "b"}


def _bar_label(metres: int) -> str:
    return f"{metres // 1000} 公里" if metres >= 1000 else f"{metres} 米"


def station_map(net: Network, s: Station, page: str, below_count: int) -> dict[str, Any] | None:
    """The data of ``s``'s map for the page at ``page``, or None (no map for this level, or
    fewer than two stations with a location). ``below_count``: the stations under ``s``."""
    if Level(s.level) not in MAP_LEVELS:
        return None
    if below_count > MAP_MAX:
        below = [x for x in net.children_of(s.id) if x.is_active]
        shown = "children"
    else:
        below = [x for x in net.descendants(s.id) if x.is_active]
        shown = "all"
    placed = [(x, p) for x in [s, *below] if (p := gcj_position(x)) is not None]
    if len(placed) < 2:
        return None
    lats = [p[0] for _x, p in placed]
    lngs = [p[1] for _x, p in placed]
    lat0, lat1, lng0, lng1 = max(lats), min(lats), min(lngs), max(lngs)
    coslat = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = (lng1 - lng0) * coslat
    span_y = lat0 - lat1
    if span_x <= 0 and span_y <= 0:
        return None
    inner = WIDTH - 2 * PAD
    # units per degree of latitude: fill the width, but keep the map no taller than wide
    scale = min(inner / span_x if span_x > 0 else math.inf, inner / span_y if span_y > 0 else math.inf)
    height = round(max(span_y * scale, WIDTH * 0.4) + 2 * PAD + BAND, 1)
    dots = []
    for x, (lat, lng) in placed:
        dots.append({"x": round(PAD + (lng - lng0) * coslat * scale, 1), "y": round(PAD + (lat0 - lat) * scale, 1),
                     "url": relurl(page, record_url("station", x.id)) if x.id != s.id else "#",
                     "name": x.name, "level": x.level.value, "cls": LEVEL_CLASS.get(x.level.value, "s"),
                     "self": x.id == s.id, "id": x.id})
    dots.sort(key=lambda d: (not d["self"], d["y"]))  # the station itself first, then north to south
    per_m = scale / M_PER_DEG
    metres = next((m for m in reversed(BAR_STEPS) if m * per_m <= inner / 3), BAR_STEPS[0])
    levels = sorted({d["level"] for d in dots if not d["self"]}, key=list(LEVEL_CLASS).index)
    return {"w": WIDTH, "h": height, "pad": PAD, "lat0": lat0, "lng0": lng0, "coslat": round(coslat, 9),
            "scale": round(scale, 6), "dots": dots, "count": len(dots) - 1, "shown": shown,
            "missing": len(below) + 1 - len(placed), "levels": levels,
            "bar": {"x": PAD, "y": height - 24, "len": round(metres * per_m, 1), "label": _bar_label(metres)},
            "north": {"x": WIDTH - PAD - 14, "y": height - BAND + 4}}
