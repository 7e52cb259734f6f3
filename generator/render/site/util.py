"""Small helpers for the site renderer: relative URLs, levels, map links, phone kinds."""

from __future__ import annotations

import math
import posixpath
import re
from urllib.parse import quote

from markupsafe import Markup, escape

from ...model import Level, tel_uri

#: URL slug of each station level (``directory/<slug>/``).
LEVEL_SLUGS: dict[Level, str] = {
    Level.center: "center", Level.institute: "institute", Level.station: "station",
    Level.point: "point", Level.base: "base",
}
#: Plural labels used in headings (实践中心, 实践所 ...).
LEVEL_LABELS: dict[Level, str] = {
    Level.center: "实践中心", Level.institute: "实践所", Level.station: "实践站",
    Level.point: "实践点", Level.base: "实践基地",
}
#: Record kind -> URL folder.
KIND_FOLDERS = {"station": "stations", "project": "projects", "person": "people", "case": "cases"}


def relurl(page_url: str, target: str) -> str:
    """Link from the page at directory URL ``page_url`` (``stations/a/``) to ``target`` (``stations/b/``)."""
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
    frag = ""
    if "#" in target:
        target, frag = target.split("#", 1)
        frag = "#" + frag
    if target == base:
        return "./" + frag
    if _PLAIN.match(base) and _PLAIN.match(target) and not (target and not target.endswith("/")
                                                              and base.startswith(target + "/")):
        # the usual case, without posixpath's normalising
        here = base.split("/")[:-1]
        there = target.split("/")
        common = 0
        while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
            common += 1
        return ("../" * (len(here) - common) + "/".join(there[common:]) or "./") + frag
    return relurl_normalised(base, target) + frag


def relurl_normalised(base: str, target: str) -> str:
    """:func:`relurl` for any pair of URLs (``..`` segments and all), through ``posixpath``."""
    if target == base:
        return "./"
    rel = posixpath.relpath("/" + (target or ""), "/" + (base or ""))
    if rel == ".":
        rel = "./"
    elif (target.endswith("/") or not target) and not rel.endswith("/"):
        rel += "/"
    return rel


#: A relative URL without ``.``/``..`` segments, empty segments or a leading slash.
_PLAIN = re.compile(r"^(?:[^/.][^/]*/|\.[^/.][^/]*/)*(?:[^/.][^/]*|\.[^/.][^/]*)?$")


def record_url(kind: str, rid: str) -> str:
    return f"{KIND_FOLDERS[kind]}/{rid}/"


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def phone_is_mobile(phone: str) -> bool:
    digits = re.sub(r"\D", "", re.split(r"转|ext\.?|#", phone)[0])
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return bool(_MOBILE.match(digits))


def sms_uri(phone: str, body: str) -> str:
    digits = re.sub(r"\D", "", re.split(r"转|ext\.?|#", phone)[0])
    return f"sms:{digits}?body={quote(body)}"


# ------------------------------------------------------------------ coordinates
# China's GCJ-02 datum is WGS-84 with a deliberate, smooth offset. Map apps in
# China (Amap, Baidu after conversion, Tencent) take GCJ-02; the ``geo:`` URI is
# WGS-84 by definition (RFC 5870). The usual public approximation converts both ways
# to within a few metres, which is enough to open a map app at the right door.

_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lat: float, lng: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _delta(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if _out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _delta(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """Inverse by iteration (error well under a metre)."""
    if _out_of_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(4):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        wlat, wlng = wlat - (glat - lat), wlng - (glng - lng)
    return wlat, wlng


def map_links(lat: float, lng: float, coords: str, name: str) -> dict[str, str]:
    """Links that open a map app: Amap (GCJ-02) and a ``geo:`` URI (WGS-84)."""
    if coords == "wgs84":
        wlat, wlng = lat, lng
        glat, glng = wgs84_to_gcj02(lat, lng)
    else:
        glat, glng = lat, lng
        wlat, wlng = gcj02_to_wgs84(lat, lng)
    return {
        "amap": (f"https://uri.amap.com/marker?position={glng:.6f},{glat:.6f}&name={quote(name)}"
                 "&coordinate=gaode&callnative=1"),
        "geo": f"geo:{wlat:.6f},{wlng:.6f}?q={wlat:.6f},{wlng:.6f}({quote(name)})",
    }


_TOGGLE_AUTOCOMPLETE = re.compile(r'(<input class="md-toggle"[^>]*type="checkbox"[^>]*?) autocomplete="off"')


def fix_theme_markup(page_html: str) -> str:
    """Material's own markup that the Nu HTML Checker rejects, made valid (every MkDocs page and the
    shells of the record pages pass through here; the fixes are plain text replacements).

    - ``autocomplete`` on the drawer and search checkboxes (only allowed on text-like inputs);
    - ``tabindex=""`` on section labels from ``navigation.indexes`` (not an integer);
    - ``<label for="__toc">`` on pages whose table-of-contents toggle is not rendered.
    """
    page_html = _TOGGLE_AUTOCOMPLETE.sub(r"\1", page_html)
    page_html = page_html.replace(' tabindex="">', ">")
    if 'id="__toc"' not in page_html:
        page_html = page_html.replace('<label class="md-nav__title" for="__toc">', '<label class="md-nav__title">')
    return page_html


def phone_html(phone: str) -> Markup:
    """A phone number as HTML that may wrap after its hyphens (``0912-<wbr>3862215``), and between the
    3-4-4 groups of a mobile number, but never inside a group of digits: at 200% zoom the number breaks
    where a reader expects it. The text itself is unchanged."""
    def groups(part: str) -> list[str]:
        if not (part.isdigit() and len(part) > 8):
            return [part]
        if len(part) == 10:  # 400 123 4567
            return [part[:3], part[3:6], part[6:]]
        head = 3 if len(part) == 11 else len(part) % 4 or 4  # 139 1234 5678
        return [part[:head], *(part[i:i + 4] for i in range(head, len(part), 4))]

    parts = str(phone).split("-")
    return Markup("-<wbr>").join(Markup("<wbr>").join(escape(g) for g in groups(p)) for p in parts)


#: Phone numbers as editors write them in running text (fixed lines with area code, mobiles, 400/800).
PHONE_IN_TEXT = re.compile(r"(?<![\d-])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9}|[48]00-?\d{3}-?\d{4})(?!\d)")


def phone_links(text: str) -> Markup:
    """Plain text (escaped) with every phone number in it made a ``tel:`` link."""
    out, at = [], 0
    for m in PHONE_IN_TEXT.finditer(text):
        out += [escape(text[at:m.start()]), Markup('<a href="{}">{}</a>').format(tel_uri(m.group(0)), phone_html(m.group(0)))]
        at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)
