"""Crawl a built site: third-party resources, mixed content, broken links and anchors, photo metadata.

The promise to a resident on a weak network is that a page makes no request to
another host (no CDN, no web font service, no tracker) and that every link on it
works. This module checks the built output, whatever produced it::

    python -m generator.render.linkcheck site/ [--site-url https://wm.example.org/]

Every HTML page is parsed; resources are the ``src``/``href``/``srcset``/``data``/
``poster`` of script, link, img, source, iframe, video, audio, track, embed,
object, input, SVG use/image, plus ``url()`` and ``@import`` in style attributes,
``<style>`` elements and every ``.css`` file. A resource on another host is
reported, an ``http:`` resource is mixed content, an internal link or resource
that leads nowhere is broken, a ``#fragment`` with no matching id on its page is
a broken anchor, and a published JPEG/PNG/WebP that still carries EXIF GPS (or any
EXIF) is reported too. Ordinary links (``<a href>``) to other sites are fine.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: (tag, attribute) pairs that make the browser fetch something.
RESOURCE_ATTRS = {
    ("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("source", "src"),
    ("source", "srcset"), ("iframe", "src"), ("frame", "src"), ("video", "src"),
    ("video", "poster"), ("audio", "src"), ("track", "src"), ("embed", "src"), ("object", "data"),
    ("input", "src"), ("image", "href"), ("image", "xlink:href"), ("use", "href"),
    ("use", "xlink:href"), ("body", "background"), ("table", "background"), ("td", "background"),
    ("form", "action"), ("button", "formaction"),
}
#: ``<link rel=...>`` values that are not fetched (a canonical URL is only a name).
LINK_NOT_FETCHED = {"canonical", "alternate", "author", "license", "me", "bookmark", "help",
                    "next", "prev", "search", "shortlink", "external", "nofollow", "noopener",
                    "noreferrer", "sitemap"}
NAVIGATION_ATTRS = {("a", "href"), ("area", "href")}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*?))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""",
                     re.IGNORECASE)
#: The formats of the photos a build publishes (re-encoded copies): the images the check opens.
PUBLISHED_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
#: A third-party URL that is a web font or a font service's style sheet (named as such in the finding).
WEB_FONT = re.compile(r"\.(?:woff2?|ttf|otf|eot)(?:[?#]|$)|//fonts\.|fonts\.(?:googleapis|gstatic)\.|/webfonts?/")

KINDS = {
    "third-party": ("第三方资源", "resource from another host"),
    "mixed-content": ("混合内容(http 资源)", "mixed content (http: resource)"),
    "broken-link": ("链接失效", "broken link"),
    "broken-resource": ("资源不存在", "missing resource"),
    "broken-anchor": ("页内锚点不存在", "broken anchor"),
    "script-url": ("javascript: 链接", "javascript: URL"),
    "image-metadata": ("图片带有元数据", "image carries metadata"),
}


@dataclass(frozen=True, order=True)
class Finding:
    page: str  # site-relative path of the HTML/CSS/image file
    kind: str
    url: str
    detail: str = ""

    def format(self, lang: str = "zh") -> str:
        zh, en = KINDS[self.kind]
        extra = f" ({self.detail})" if self.detail else ""
        if lang == "en":
            return f"{self.page}: {en}: {self.url}{extra}"
        return f"{self.page}: {zh}: {self.url}{extra}\n  ({en})"


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.resources: list[tuple[str, str]] = []  # (url, tag)
        self.links: list[str] = []
        self.styles: list[str] = []
        self.base: str | None = None
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = {k.lower(): (v or "") for k, v in attrs}
        if d.get("id"):
            self.ids.add(d["id"])
        if tag == "a" and d.get("name"):
            self.ids.add(d["name"])
        if tag == "base" and d.get("href"):
            self.base = d["href"]
        if tag == "style":
            self._in_style = True
        if d.get("style"):
            self.styles.append(d["style"])
        for attr, value in d.items():
            if not value.strip():
                continue
            if (tag, attr) in NAVIGATION_ATTRS:
                self.links.append(value.strip())
            elif (tag, attr) in RESOURCE_ATTRS:
                if tag == "link":
                    rels = set(d.get("rel", "").lower().split())
                    if rels and rels <= LINK_NOT_FETCHED:
                        self.links.append(value.strip())
                        continue
                if attr == "srcset":
                    for part in value.split(","):
                        url = part.strip().split()[0] if part.strip() else ""
                        if url:
                            self.resources.append((url, tag))
                else:
                    self.resources.append((value.strip(), tag))
        if tag == "meta" and d.get("http-equiv", "").lower() == "refresh":
            m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", d.get("content", ""), re.IGNORECASE)
            if m:
                self.links.append(m.group(1).strip())

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def css_urls(text: str) -> list[str]:
    out = []
    for m in CSS_URL.finditer(text):
        url = next((g for g in m.groups() if g is not None), "").strip()
        if url:
            out.append(url)
    return out


class SiteCrawler:
    """Checks one built site directory; :meth:`run` returns the findings, sorted."""

    def __init__(self, site_dir: Path | str, site_url: str = "", check_anchors: bool = True,
                 check_images: bool = True):
        self.site = Path(site_dir).resolve()
        self.site_url = site_url
        split = urlsplit(site_url) if site_url else None
        self.host = split.hostname if split else None
        self.prefix = (split.path if split else "/") or "/"
        if not self.prefix.endswith("/"):
            self.prefix += "/"
        self.check_anchors = check_anchors
        self.check_images = check_images
        self._pages: dict[str, _PageParser | None] = {}
        self.findings: set[Finding] = set()

    # ------------------------------------------------------------------ helpers

    def _parse(self, rel: str) -> _PageParser | None:
        if rel not in self._pages:
            path = self.site / rel
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._pages[rel] = None
                return None
            parser = _PageParser()
            parser.feed(text)
            parser.close()
            self._pages[rel] = parser
        return self._pages[rel]

    def _add(self, page: str, kind: str, url: str, detail: str = "") -> None:
        self.findings.add(Finding(page, kind, url, detail))

    def _target(self, base_rel: str, url: str) -> tuple[str | None, str]:
        """(site-relative target path or None when external, fragment) of ``url`` seen from ``base_rel``."""
        split = urlsplit(url)
        frag = unquote(split.fragment)
        if split.scheme or url.startswith("//"):
            host = split.hostname
            if self.host and host == self.host and split.scheme in ("http", "https", ""):
                path = unquote(split.path) or "/"
                if path + "/" == self.prefix:
                    path += "/"
                if not path.startswith(self.prefix):
                    return None, frag
                joined = posixpath.normpath(path[len(self.prefix):] or ".")
                if path.endswith("/") and joined != ".":
                    joined += "/"
                return joined, frag
            return None, frag
        path = unquote(split.path)
        if path == "":
            return base_rel, frag
        if path.startswith("/"):
            inner = path[len(self.prefix):] if path.startswith(self.prefix) else path.lstrip("/")
            joined = posixpath.normpath(inner or ".")
        else:
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_rel), path))
        if path.endswith("/") and joined != ".":
            joined += "/"
        return joined, frag

    def _file_for(self, target: str) -> str | None:
        """The file a site path is served from (``a/`` -> ``a/index.html``), or None."""
        if target.startswith("../") or target == "..":
            return None
        clean = target.rstrip("/")
        if clean in ("", "."):
            return "index.html" if (self.site / "index.html").is_file() else None
        p = self.site / clean
        if p.is_dir():
            return posixpath.join(clean, "index.html") if (p / "index.html").is_file() else None
        if target.endswith("/"):
            return None
        if p.is_file():
            return clean
        return None

    def _is_external(self, url: str) -> bool:
        split = urlsplit(url)
        if not (split.scheme or url.startswith("//")):
            return False
        return not (self.host and split.hostname == self.host)

    # ------------------------------------------------------------------ checks

    def check_resource(self, page: str, url: str) -> None:
        low = url.strip().lower()
        if low.startswith(("data:", "blob:", "about:", "#")):
            return
        if low.startswith("javascript:"):
            self._add(page, "script-url", url)
            return
        if low.startswith("http://"):
            self._add(page, "mixed-content", url)
        if self._is_external(url):
            if low.startswith(("http:", "https:", "//", "ftp:")):
                self._add(page, "third-party", url, "网络字体 web font" if WEB_FONT.search(low) else "")
            return
        target, _frag = self._target(page, url)
        if target is None:
            self._add(page, "third-party", url)
            return
        if self._file_for(target) is None:
            self._add(page, "broken-resource", url)

    def check_link(self, page: str, url: str) -> None:
        low = url.lower()
        if low.startswith("javascript:"):
            self._add(page, "script-url", url)
            return
        if self._is_external(url) or low.startswith(("mailto:", "tel:", "sms:", "geo:", "data:")):
            return
        target, frag = self._target(page, url)
        if target is None:  # own host but outside the site's path
            return
        file = self._file_for(target)
        if file is None:
            self._add(page, "broken-link", url)
            return
        if frag and self.check_anchors and file.endswith((".html", ".htm")) and frag != "top":
            parsed = self._parse(file)
            if parsed is not None and frag not in parsed.ids:
                self._add(page, "broken-anchor", url)

    def check_page(self, rel: str) -> None:
        parsed = self._parse(rel)
        if parsed is None:
            return
        base = rel
        if parsed.base:
            target, _ = self._target(rel, parsed.base)
            if target is None:
                self._add(rel, "third-party", parsed.base, "<base href>")
            else:
                base = target + ("index.html" if target.endswith("/") else "")
        for url, _tag in parsed.resources:
            self.check_resource(base, url)
        for style in parsed.styles:
            for url in css_urls(style):
                self.check_resource(base, url)
        for url in parsed.links:
            self.check_link(base, url)

    def check_css(self, rel: str) -> None:
        try:
            text = (self.site / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for url in css_urls(text):
            self.check_resource(rel, url)

    def check_image(self, rel: str) -> None:
        from PIL import Image

        try:
            with Image.open(self.site / rel) as im:
                exif = im.getexif()
                gps = exif.get_ifd(0x8825) if exif else {}
                if gps:
                    self._add(rel, "image-metadata", rel, "EXIF GPS 拍摄位置 (location)")
                elif len(exif) and any(tag not in (0x0112, 0x011A, 0x011B, 0x0128, 0x0213, 0x8769)
                                       for tag in exif):
                    self._add(rel, "image-metadata", rel, "EXIF")
        except Exception:  # not our business here: the build reports corrupt photos  # noqa: BLE001
            return

    def run(self) -> list[Finding]:
        for path in sorted(self.site.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(self.site).as_posix()
            suffix = path.suffix.lower()
            if suffix in (".html", ".htm"):
                self.check_page(rel)
            elif suffix == ".css":
                self.check_css(rel)
            elif suffix in PUBLISHED_IMAGE_SUFFIXES and self.check_images:
                self.check_image(rel)
        return sorted(self.findings)


def crawl(site_dir: Path | str, site_url: str = "", *, check_anchors: bool = True,
          check_images: bool = True, kinds: Iterable[str] | None = None) -> list[Finding]:
    """All findings for the built site in ``site_dir`` (optionally only some ``kinds``)."""
    found = SiteCrawler(site_dir, site_url, check_anchors, check_images).run()
    if kinds is not None:
        wanted = set(kinds)
        found = [f for f in found if f.kind in wanted]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.render.linkcheck",
        description="检查生成的网站:第三方资源、混合内容、失效链接与锚点、图片元数据 "
                    "(check a built site: third-party resources, mixed content, broken links "
                    "and anchors, photo metadata)")
    parser.add_argument("site_dir", help="生成的网站目录 (the built site folder), e.g. site/")
    parser.add_argument("--site-url", default="", help="网站地址,本站的绝对链接视为内部链接 "
                        "(the site's URL: absolute links to it count as internal)")
    parser.add_argument("--no-anchors", action="store_true", help="不检查 #锚点 (skip anchors)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    args = parser.parse_args(argv)
    site = Path(args.site_dir)
    if not (site / "index.html").is_file() and not any(site.glob("**/*.html")):
        print(f"{site}: 不是生成的网站目录(找不到 HTML 页面)\n  ({site} is not a built site: no HTML "
              "pages found)", file=sys.stderr)
        return 2
    site_url = args.site_url
    if not site_url:
        site_url = _guess_site_url(site)
    found = crawl(site, site_url, check_anchors=not args.no_anchors)
    for f in found:
        print(f.format(args.lang))
    pages = sum(1 for _ in site.rglob("*.html"))
    if args.lang == "en":
        print(f"{pages} page(s) checked, {len(found)} problem(s)")
    else:
        print(f"检查了 {pages} 个页面,发现 {len(found)} 个问题 ({pages} page(s) checked, "
              f"{len(found)} problem(s))")
    return 1 if found else 0


def _guess_site_url(site: Path) -> str:
    """The site URL from the canonical link of the home page, when MkDocs wrote one."""
    try:
        text = (site / "index.html").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    m = re.search(r"<link[^>]+rel=\"?canonical\"?[^>]*href=\"([^\"]+)\"", text)
    return m.group(1) if m else ""


if __name__ == "__main__":
    sys.exit(main())
