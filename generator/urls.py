"""Every URL of the site, relative to its root (``stations/x/``), and links between them.

Record pages follow the patterns of :mod:`generator.kinds`; a station's permanent QR
address is ``s/{id}/``.
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
