"""Every URL of the site, relative to its root (``stations/x/``), and links between them.

Record pages follow the patterns of :mod:`generator.kinds`; a station's permanent QR
address is ``s/{id}/``; the index ("hub") pages are listed in :data:`HUBS`.
"""

from __future__ import annotations

import posixpath
import re

from .kinds import KINDS


def record_url(kind: str, rid: str) -> str:
    """The page of record ``rid`` of ``kind`` (one of :data:`generator.kinds.PAGE_KINDS`)."""
    return KINDS[kind].url.format(id=rid)


def casebook_url(year: int | str) -> str:
    return KINDS["casebook"].url.format(year=year)


def url_of(rec) -> str:
    """The page of any record that has one (a case book's is by its year)."""
    if rec.kind == "casebook":
        return casebook_url(rec.year)
    return record_url(rec.kind, rec.id)


def qr_page_url(station_id: str) -> str:
    """The permanent contact page a station's QR code points at."""
    return f"s/{station_id}/"


#: The index ("hub") pages: kind of hub -> (URL pattern, title pattern). ``{slug}`` is a level's
#: (:data:`generator.render.site.util.LEVEL_SLUGS`), ``{label}`` its name; ``{id}``/``{name}`` a
#: station's; ``{year}`` a case book's. The kinds' own index pages are their folders.
HUBS: dict[str, tuple[str, str]] = {
    "stations": (KINDS["station"].folder + "/", KINDS["station"].label),
    "regions": ("directory/", "按地区浏览"),
    "nearby": ("nearby/", "找身边的实践站"),
    "level": ("directory/{slug}/", "{label}"),
    "region": ("directory/regions/{id}/", "{name}"),
    "projects": (KINDS["project"].folder + "/", KINDS["project"].label),
    "people": (KINDS["person"].folder + "/", KINDS["person"].label),
    "cases": (KINDS["case"].folder + "/", KINDS["case"].label),
    "casebooks": (KINDS["casebook"].folder + "/", KINDS["casebook"].label),
    "casebook": (KINDS["casebook"].url, "{year}年" + KINDS["casebook"].label),
    "stats": ("stats/", "数据统计"),
}


def hub_url(hub: str, **fields: object) -> str:
    """The URL of a hub page of :data:`HUBS` (``hub_url("level", slug="zhan")``)."""
    return HUBS[hub][0].format(**fields)


def hub_title(hub: str, **fields: object) -> str:
    """The title of a hub page of :data:`HUBS`."""
    return HUBS[hub][1].format(**fields)


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
