"""Coordinates and the links that open a station's place in a phone's map app (no map is
loaded by our pages): the one GCJ-02 converter and the one map-link builder of the project.

China's GCJ-02 datum is WGS-84 with a deliberate, smooth offset. Coordinates in content are
GCJ-02 (what Chinese map apps use) unless the station says ``coords: wgs84``. Amap (高德)
takes either; a ``geo:`` URI is WGS-84 by definition (RFC 5870), so GCJ-02 is converted back
with the usual inverse of the published offset (accurate to a few metres).
"""

from __future__ import annotations

import math
from urllib.parse import quote

_A = 6378245.0
_EE = 0.00669342162296594323


def _outside_china(lat: float, lng: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _t_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _t_lng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if _outside_china(lat, lng):
        return lat, lng
    d_lat = _t_lat(lng - 105.0, lat - 35.0)
    d_lng = _t_lng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """Inverse of :func:`wgs84_to_gcj02` by fixed-point iteration."""
    w_lat, w_lng = lat, lng
    for _ in range(6):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        e_lat, e_lng = g_lat - lat, g_lng - lng
        w_lat, w_lng = w_lat - e_lat, w_lng - e_lng
        if abs(e_lat) < 1e-9 and abs(e_lng) < 1e-9:  # far below the 6 decimals shown (0.1 m)
            break
    return w_lat, w_lng


def map_links(station) -> dict[str, str]:
    """Links that open ``station`` in a map app: ``amap`` (高德) and ``geo`` (any map app) at its
    coordinates, or, without coordinates, ``search`` (高德 searching its address); {} for neither."""
    name = station.name
    loc = station.location
    if loc is None:
        place = f"{station.region}{station.address}".strip()
        if not place:
            return {}
        return {"search": "https://uri.amap.com/search?keyword=" + quote(place) + "&src=wenming"}
    wgs = station.coords == "wgs84"
    w_lat, w_lng = (loc.lat, loc.lng) if wgs else gcj02_to_wgs84(loc.lat, loc.lng)
    amap = (f"https://uri.amap.com/marker?position={loc.lng:.6f},{loc.lat:.6f}&name={quote(name)}"
            f"&src=wenming&coordinate={'wgs84' if wgs else 'gaode'}&callnative=1")
    geo = f"geo:{w_lat:.6f},{w_lng:.6f}?q={w_lat:.6f},{w_lng:.6f}({quote(name)})"
    return {"amap": amap, "geo": geo}
