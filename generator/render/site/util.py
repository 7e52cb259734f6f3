"""Small helpers for the site renderer: relative URLs, levels, map links, phone kinds."""

from __future__ import annotations

import re
from urllib.parse import quote

from ...kinds import KINDS, PAGE_KINDS
from ...model import Level
from ...urls import record_url, relurl, relurl_normalised  # noqa: F401 - the site's URL helpers

#: URL slug of each station level (``directory/<slug>/``).
LEVEL_SLUGS: dict[Level, str] = {
    Level.center: "center", Level.institute: "institute", Level.station: "station",
    Level.point: "point", Level.base: "base",
}
#: Plural labels used in headings (实践中心, 实践所 ...).
LEVEL_LABELS: dict[Level, str] = {lv: lv.label for lv in Level}
#: Record kind -> URL folder.
KIND_FOLDERS = {k: KINDS[k].folder for k in PAGE_KINDS}


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def phone_is_mobile(phone: str) -> bool:
    digits = re.sub(r"\D", "", re.split(r"转|ext\.?|#", phone)[0])
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return bool(_MOBILE.match(digits))


def sms_uri(phone: str, body: str) -> str:
    digits = re.sub(r"\D", "", re.split(r"转|ext\.?|#", phone)[0])
    return f"sms:{digits}?body={quote(body)}"
