"""Small helpers for the site renderer: relative URLs, levels, map links, phone kinds."""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup, escape

from ...kinds import KINDS, PAGE_KINDS
from ...model import Level, tel_uri
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
