"""Markdown bodies -> safe HTML, with internal links and images checked and rewritten.

Content is written by many people in many units, so a body is untrusted input:

1. Python-Markdown renders it (tables, footnotes, attribute lists, headings with
   ids that keep Chinese characters);
2. nh3 (the Rust *ammonia* sanitiser) keeps only an allow-list of tags and
   attributes: no script, style, form, object, embed, SVG/MathML, no ``on*``
   handlers, no ``style`` attribute, URLs limited to http, https, mailto, tel,
   sms, geo and relative ones. A folder listed in the site option
   ``trusted_html`` skips this step;
3. links and images are rewritten for the page's URL: ``x.md`` links become page
   URLs, photos are published through :class:`~generator.render.images.ImagePublisher`
   with ``srcset``; iframes and images from other hosts are removed (the site
   never makes a request to a third party); external links get
   ``rel="noopener"``;
4. every broken internal link or image becomes a :class:`~generator.errors.Problem`
   naming the file and line of the reference, with a did-you-mean.

:func:`check_links` runs steps 1-4 over every body and editorial page without
writing anything, for ``wenming check``.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

from ..errors import ContentError, Problem, Problems, did_you_mean, hint_en, hint_zh
from ..kinds import KIND_OF_FOLDER
from ..read.images import IMAGE_SUFFIXES
from ..read.records import RECORD_SUFFIXES
from ..urls import casebook_url, hub_url, qr_page_url, record_url, url_of

BODY_FIELD = "正文 body"
RECORD_FOLDERS = tuple(KIND_OF_FOLDER)
#: Index pages the site generates (no Markdown file behind them).
GENERATED_PAGES = {"", "search/", *(hub_url(h) for h in ("stations", "projects", "people", "cases", "casebooks",
                                                           "stats", "regions", "nearby"))}

# ----------------------------------------------------------------------------- allow-list

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
}
#: Removed together with everything inside them.
REMOVED_WITH_CONTENT = {"script", "style", "svg", "math", "object", "embed", "applet", "template",
                        "noscript", "title", "textarea", "select", "frameset", "noembed",
                        "noframes", "xmp", "plaintext", "head", "canvas", "audio", "video"}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "iframe": {"src", "width", "height", "allowfullscreen", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "time": {"datetime"}, "details": {"open"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms", "geo"}


def sanitize_html(fragment: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes (nh3/ammonia)."""
    clean = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # An iframe's content is raw text that ammonia writes back unescaped ("<iframe src=<script>…"
    # keeps a literal <script> inside it); a browser never shows it, so it goes.
    return _IFRAME_TEXT.sub(r"\1\2", clean) if "<iframe" in clean else clean


_IFRAME_TEXT = re.compile(r"(<iframe\b[^>]*>).*?(</iframe>)", re.DOTALL | re.IGNORECASE)


def is_trusted(source: str | Path, config) -> bool:
    """Whether ``source`` lies in a folder of the ``trusted_html`` site option."""
    folders = [str(f).strip("/") for f in (getattr(config, "trusted_html", None) or []) if str(f).strip("/")]
    if not folders:
        return False
    rel = _content_rel(source, config)
    if rel is None:
        return False
    return any(rel == f or rel.startswith(f + "/") for f in folders)


# ----------------------------------------------------------------------------- Markdown

_local = threading.local()


def _md() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=["tables", "footnotes", "attr_list", "def_list", "fenced_code", "sane_lists",
                        "toc", "md_in_html"],
            extension_configs={
                "toc": {"slugify": slugify_unicode, "permalink": False},
                "tables": {"use_align_attribute": True},
                "footnotes": {"BACKLINK_TITLE": "返回正文"},
            },
            output_format="html",
        )
        _local.md = md
    md.reset()
    return md


# ----------------------------------------------------------------------------- URLs


def relative_url(target: str, page_url: str) -> str:
    """Site path ``target`` (e.g. ``stations/x/``) as seen from the page at ``page_url``."""
    page_url = page_url.lstrip("/")
    base = page_url if (page_url == "" or page_url.endswith("/")) else posixpath.dirname(page_url) + "/"
    rel = posixpath.relpath("/" + target, "/" + base)
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            return "./"
    return rel


def _content_rel(source: str | Path, config) -> str | None:
    """``source`` relative to content/, or None when outside it."""
    return _content_rel_of(str(source), str(config.content_path), str(config.project_dir))


@lru_cache(maxsize=1 << 17)
def _content_rel_of(source: str, content_path: str, project_dir: str) -> str | None:
    # Resolving walks every folder of the path (a system call each): folders are resolved once,
    # and only a file that is itself a link is resolved as a whole.
    content = Path(_resolved(content_path))
    path = os.path.join(project_dir, source)
    real = os.path.realpath(path) if os.path.islink(path) else \
        os.path.join(_resolved(os.path.dirname(path)), os.path.basename(path))
    try:
        return Path(real).relative_to(content).as_posix()
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _resolved(path: str) -> str:
    return os.path.realpath(path)


def _is_external(url: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url)) or url.startswith("//")


def _same_site(url: str, config) -> bool:
    site = getattr(config, "site_url", "") or ""
    if not site:
        return False
    a, b = urlsplit(url if not url.startswith("//") else "https:" + url), urlsplit(site)
    return a.scheme in ("http", "https") and a.hostname == b.hostname and a.hostname is not None


class SiteIndex:
    """Which files exist under content/ and which page URL each one becomes."""

    def __init__(self, config, net=None):
        self.config = config
        self.content = Path(config.content_path).resolve()
        self.net = net
        self._files: list[str] | None = None
        self._ids: dict[str, str] = {}
        self._pages: set[str] | None = None

    def files(self) -> list[str]:
        if self._files is None:
            out = []
            if self.content.is_dir():
                for p in self.content.rglob("*"):
                    rel = p.relative_to(self.content)
                    if p.is_file() and not any(part.startswith((".", "~$")) for part in rel.parts):
                        out.append(rel.as_posix())
            self._files = sorted(out)
        return self._files

    def record_id(self, rel: str) -> str:
        """The id of the record in content file ``rel`` (the ``id:`` field, else the file stem)."""
        if rel in self._ids:
            return self._ids[rel]
        rid = Path(rel).stem
        if self.net is not None:
            for table in (self.net.stations, self.net.projects, self.net.people, self.net.cases):
                for rec in table.values():
                    if _content_rel(rec.path, self.config) == rel:
                        rid = rec.id
                        break
        else:
            try:
                head = (self.content / rel).read_text(encoding="utf-8-sig", errors="replace")[:4000]
                m = re.search(r"^id:\s*[\"']?([a-z0-9-]{3,64})[\"']?\s*$", head, re.MULTILINE)
                if m:
                    rid = m.group(1)
            except OSError:
                pass
        self._ids[rel] = rid
        return rid

    def page_of(self, rel: str) -> str | None:
        """Site URL of content file ``rel``; None when it has no page (a static file keeps its path)."""
        parts = rel.split("/")
        suffix = Path(rel).suffix.lower()
        if parts[0] in RECORD_FOLDERS and suffix in RECORD_SUFFIXES and len(parts) >= 2:
            return record_url(KIND_OF_FOLDER[parts[0]], self.record_id(rel))
        if parts[0] == "casebooks" and len(parts) == 2 and re.fullmatch(r"\d{4}", Path(rel).stem) \
                and suffix in (".yml", ".yaml"):
            return casebook_url(Path(rel).stem)
        if suffix == ".md":
            stem = rel[: -len(".md")]
            if Path(rel).name.lower() in ("index.md", "readme.md"):
                parent = posixpath.dirname(rel)
                return parent + "/" if parent else ""
            return stem + "/"
        return None

    def known_pages(self) -> set[str]:
        if self._pages is None:
            self._pages = self._known_pages()
        return self._pages

    def _known_pages(self) -> set[str]:
        pages = set(GENERATED_PAGES)
        for rel in self.files():
            url = self.page_of(rel)
            if url is not None:
                pages.add(url)
                if rel.startswith("stations/"):
                    pages.add(qr_page_url(url.split('/')[1]))
            if rel.startswith("casebooks/") and re.fullmatch(r"casebooks/\d{4}\.ya?ml", rel):
                pages.add(casebook_url(Path(rel).stem))
        if self.net is not None:
            for old in getattr(self.net, "aliases", {}):
                pages.add(qr_page_url(old))
        return pages

    def resolve_file(self, target: str, source_rel: str | None, page_url: str | None = None) -> str | None:
        """Content-relative path of the file ``target`` names: relative to the source file, to
        content/, or (as MkDocs writes them into its HTML) to the page's URL."""
        bases = [""]
        if source_rel is not None:
            bases.insert(0, posixpath.dirname(source_rel))
        if page_url:
            page_dir = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
            bases.append(page_dir.rstrip("/"))
        for base in bases:
            joined = posixpath.normpath(posixpath.join(base, target)) if base else posixpath.normpath(target)
            if joined.startswith("../") or joined == "..":
                continue
            p = self.content / joined
            if p.is_file():
                return joined
            if p.is_dir():
                for index in ("index.md", "README.md"):
                    if (p / index).is_file():
                        return posixpath.join(joined, index)
        return None


_INDEX_CACHE: dict[tuple, SiteIndex] = {}


def _index_for(config, net) -> SiteIndex:
    key = (_resolved(str(config.content_path)), id(net))
    idx = _INDEX_CACHE.get(key)
    if idx is None or idx.net is not net:
        idx = SiteIndex(config, net)
        if len(_INDEX_CACHE) > 8:
            _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = idx
    return idx


def reset_cache() -> None:
    """Forget the file listings (call when content changed, e.g. between serve rebuilds)."""
    _INDEX_CACHE.clear()
    _content_rel_of.cache_clear()
    _resolved.cache_clear()


# ----------------------------------------------------------------------------- tag rewriting

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.DOTALL)


class _AttrParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.attrs = attrs

    handle_startendtag = handle_starttag


def _parse_attrs(tag_text: str) -> list[tuple[str, str | None]]:
    p = _AttrParser()
    p.feed(tag_text)
    p.close()
    return p.attrs


def _serialize(name: str, attrs: Iterable[tuple[str, str | None]]) -> str:
    parts = [name]
    for k, v in attrs:
        parts.append(k if v is None else f'{k}="{html.escape(v, quote=True)}"')
    return "<" + " ".join(parts) + ">"


class _Rewriter:
    def __init__(self, text: str, source: str, line: int, config, page_url: str, problems,
                 images, net, check_only: bool):
        self.text = text
        self.source = source
        self.line = line
        self.config = config
        self.page_url = page_url.lstrip("/")
        self.problems = problems
        self.images = images
        self.index = _index_for(config, net)
        self.source_rel = _content_rel(source, config)
        self.check_only = check_only
        self._cursor: dict[str, int] = {}
        self.ids: set[str] = set()
        self.anchors: list[tuple[str, int]] = []

    # -- locating a reference in the source text
    def line_of(self, raw: str) -> int:
        """Line of the source where ``raw`` (a URL as written) occurs; successive calls move on."""
        candidates = [raw]
        unq = unquote(raw)
        if unq != raw:
            candidates.append(unq)
        escaped = html.escape(raw, quote=False)
        if escaped != raw:
            candidates.append(escaped)
        for cand in candidates:
            if not cand:
                continue
            # Prefer the URL as a whole token: after ( " ' = < or a space, before ) " ' > or a space.
            delimited = re.compile(r"(?<=[(\"'=<\s])" + re.escape(cand) + r"(?=[)\"'>\s]|$)")
            start = self._cursor.get(cand, 0)
            m = delimited.search(self.text, start) or (delimited.search(self.text) if start else None)
            pos = m.start() if m else self.text.find(cand, start)
            if pos < 0 and start:
                pos = self.text.find(cand)
            if pos >= 0:
                self._cursor[cand] = pos + len(cand)
                return self.line + self.text.count("\n", 0, pos)
        name = posixpath.basename(unquote(urlsplit(raw).path))
        if len(name) >= 4 and name != raw:
            return self.line_of(name)
        return self.line

    def problem(self, line: int, zh: str, en: str, level: str = "error") -> None:
        if self.problems is None:
            return
        p = Problem(self.source, line, BODY_FIELD, zh, en, level)  # type: ignore[arg-type]
        if isinstance(self.problems, Problems):
            self.problems.items.append(p)
        else:
            self.problems.append(p)

    def suggest(self, target: str, want_images: bool) -> str | None:
        files = self.index.files()
        if want_images:
            pool = [f for f in files if Path(f).suffix.lower() in IMAGE_SUFFIXES]
        else:
            pool = [f for f in files if Path(f).suffix.lower() in (".md", ".yml", ".yaml")
                    or Path(f).suffix.lower() not in IMAGE_SUFFIXES]
        base = posixpath.dirname(self.source_rel or "")
        # Offer the path in the form the author used: relative to the file when it starts with ../
        forms = {}
        for f in pool:
            forms[f] = f
            if base and target.startswith(("../", "./")):
                forms[posixpath.relpath(f, base)] = f
        found = did_you_mean(target, list(forms))
        if found is None:
            name = posixpath.basename(target)
            by_name = did_you_mean(name, [posixpath.basename(f) for f in pool])
            if by_name:
                match = [f for f in pool if posixpath.basename(f) == by_name]
                if match:
                    found = posixpath.relpath(match[0], base) if base and target.startswith(("../", "./")) \
                        else match[0]
        return found

    # -- links
    def link(self, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        d = dict(attrs)
        href = d.get("href")
        if href is None:
            return attrs
        href = href.strip()
        if href.startswith("#"):
            if len(href) > 1:
                self.anchors.append((unquote(href[1:]), self.line_of(href)))
            return attrs
        if _is_external(href):
            if _same_site(href, self.config) or not re.match(r"^(https?:)?//", href, re.IGNORECASE):
                return attrs  # mailto:, tel:, or our own site
            out = [(k, v) for k, v in attrs if k != "rel"]
            out.append(("rel", "noopener"))
            return out
        new = self.internal(href, image=False)
        if new is None:
            return attrs
        return [(k, new if k == "href" else v) for k, v in attrs]

    def internal(self, url: str, image: bool) -> str | None:
        """Rewrite an internal URL for the page; report it when broken. None = unchanged."""
        split = urlsplit(url)
        path, query, frag = unquote(split.path), split.query, split.fragment
        tail = ("?" + query if query else "") + ("#" + frag if frag else "")
        if path == "":
            return None
        if path.startswith("/"):
            site_path = path.lstrip("/")
            if self._page_exists(site_path):
                return None
            self._broken(url, path, image)
            return None
        rel = self.index.resolve_file(path, self.source_rel, self.page_url)
        if rel is not None:
            page = self.index.page_of(rel)
            if page is not None and not image:
                return relative_url(page, self.page_url) + tail
            if Path(rel).suffix.lower() in IMAGE_SUFFIXES and self.images is not None and not self.check_only:
                return None  # images are handled by image()
            return relative_url(rel, self.page_url) + tail
        # Not a file: maybe the author wrote a site URL (../../stations/x/) relative to this page.
        base = self.page_url if self.page_url.endswith("/") or not self.page_url else \
            posixpath.dirname(self.page_url) + "/"
        site_path = posixpath.normpath(posixpath.join(base, path))
        if site_path == ".":
            site_path = ""
        if path.endswith("/") and site_path:
            site_path += "/"
        if not site_path.startswith("..") and self._page_exists(site_path):
            return None
        self._broken(url, path, image)
        return None

    def _page_exists(self, site_path: str) -> bool:
        pages = self.index.known_pages()
        if site_path in pages or site_path + "/" in pages:
            return True
        if site_path.startswith(("directory/", "assets/")):
            return True
        return site_path.endswith("index.html") and site_path[: -len("index.html")] in pages

    def _broken(self, url: str, path: str, image: bool) -> None:
        line = self.line_of(url)
        hint = self.suggest(path, image)
        if image:
            self.problem(line, f"找不到图片 \"{path}\"(路径相对于 content/ 或本文件){hint_zh(hint)}",
                         f"image \"{path}\" does not exist (paths are relative to content/ or to this "
                         f"file){hint_en(hint)}")
        else:
            self.problem(line, f"链接 \"{path}\" 指向的页面或文件不存在{hint_zh(hint)}",
                         f"the link \"{path}\" points to a page or file that does not exist"
                         f"{hint_en(hint)}")

    # -- images
    def image(self, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]] | None:
        d = dict(attrs)
        src = (d.get("src") or "").strip()
        if not src:
            return None  # an image without a source (removed by the sanitiser, e.g. javascript:)
        if src.startswith("data:"):
            return attrs  # only reachable in trusted folders: no request is made
        if _is_external(src):
            if _same_site(src, self.config):
                return attrs
            line = self.line_of(src)
            self.problem(line,
                         f"不能引用外部网站的图片 \"{src}\"(网站不向第三方发出请求);请把图片下载后放进 content/images/ 并写 images/文件名",
                         f"images from other sites are not allowed (\"{src}\"; the site makes no "
                         "third-party requests); save the photo under content/images/ and write "
                         "images/<name>")
            return None
        split = urlsplit(src)
        path = unquote(split.path)
        rel = self.index.resolve_file(path, self.source_rel, self.page_url) if not path.startswith("/") else None
        if rel is not None and Path(rel).suffix.lower() in (".svg", ".svgz"):
            from ..read.safety import svg_problem

            self.problem(self.line_of(src), *svg_problem())
            return None
        if rel is None or Path(rel).suffix.lower() not in IMAGE_SUFFIXES:
            if rel is None and path.startswith("/") and self._page_exists(path.lstrip("/")):
                return attrs
            self._broken(src, path, image=True)
            return None
        file = self.index.content / rel
        if self.check_only or self.images is None:

            verdict = _image_verdict(str(file), file.stat().st_mtime_ns)
            if verdict:
                self.problem(self.line_of(src), verdict[0], verdict[1])
                return None
            if self.check_only:
                return attrs
            out = [(k, v) for k, v in attrs if k not in ("src", "loading")]
            return [("src", relative_url(rel, self.page_url))] + out + [("loading", "lazy")]
        try:
            pub = self.images.publish(file)
        except ContentError as exc:
            line = self.line_of(src)
            for p in exc.problems:
                self.problem(line, f"图片 \"{path}\":{p.zh}", f"image \"{path}\": {p.en}")
            return None
        prefix = relative_url("", self.page_url)
        prefix = "" if prefix == "./" else prefix
        keep = [(k, v) for k, v in attrs if k not in ("src", "srcset", "sizes", "width", "height",
                                                      "loading", "decoding")]
        if "alt" not in d:
            keep.append(("alt", ""))
        return [("src", prefix + pub.url)] + keep + [
            ("srcset", ", ".join(f"{prefix}{u} {w}w" for u, w in pub.variants) if pub.variants else
             ", ".join(prefix + s.strip() for s in pub.srcset.split(",")) if pub.srcset else ""),
            ("sizes", "(max-width: 800px) 100vw, 800px"),
            ("width", str(pub.width)), ("height", str(pub.height)),
            ("loading", "lazy"), ("decoding", "async"),
        ]

    # -- iframes
    def iframe_ok(self, attrs: list[tuple[str, str | None]]) -> bool:
        src = (dict(attrs).get("src") or "").strip()
        if not src:
            return False
        if re.search(r"[<>\s\\]", src):  # not a URL: markup swallowed by an unquoted attribute
            self.problem(self.line_of(src), f"iframe 的地址 \"{src}\" 不是网址(iframe 已删除)",
                         f"the iframe's address \"{src}\" is not a URL (the iframe was removed)")
            return False
        if _is_external(src) and not _same_site(src, self.config):
            self.problem(self.line_of(src),
                         f"不能嵌入其他网站的内容 \"{src}\"(iframe 已删除;网站不向第三方发出请求)",
                         f"content from other sites cannot be embedded (\"{src}\"; the iframe was "
                         "removed: the site makes no third-party requests)")
            return False
        return True

    def run(self, fragment: str) -> str:
        out: list[str] = []
        pos = 0
        skip_until_close: str | None = None
        for m in _TAG.finditer(fragment):
            closing, name, rest = m.group(1), m.group(2).lower(), m.group(3)
            if skip_until_close:
                if closing and name == skip_until_close:
                    skip_until_close = None
                    pos = m.end()
                continue
            out.append(fragment[pos:m.start()])
            pos = m.end()
            if closing or name not in ("a", "img", "iframe") and "id" not in rest.lower():
                out.append(m.group(0))
                continue
            attrs = _parse_attrs(m.group(0))
            for k, v in attrs:
                if k == "id" and v:
                    self.ids.add(v)
            if name == "a":
                new = self.link(attrs)
                out.append(m.group(0) if new is attrs else _serialize("a", new))
            elif name == "img":
                new_img = self.image(attrs)
                if new_img is not None:
                    out.append(m.group(0) if new_img is attrs else _serialize("img", new_img))
            elif name == "iframe":
                if self.iframe_ok(attrs):
                    out.append(m.group(0))
                else:
                    skip_until_close = "iframe"
            else:
                out.append(m.group(0))
        if not skip_until_close:
            out.append(fragment[pos:])
        for anchor, line in self.anchors:
            if anchor not in self.ids:
                hint = did_you_mean(anchor, sorted(self.ids))
                self.problem(line, f"页内链接 \"#{anchor}\" 找不到对应的标题或位置{hint_zh(hint)}",
                             f"the in-page link \"#{anchor}\" has no matching heading or anchor"
                             f"{hint_en(hint)}", "warning")
        return "".join(out)


@lru_cache(maxsize=4096)
def _image_verdict(path: str, _mtime: int) -> tuple[str, str] | None:
    from ..read.images import image_problem

    return image_problem(Path(path))


# ----------------------------------------------------------------------------- entry points


def render_markdown(text: str, *, source: str, line: int, config, page_url: str,
                    problems: Problems | list | None = None, trusted: bool = False,
                    images: Any = None, net: Any = None, check_only: bool = False) -> str:
    """Safe HTML for a record body or an editorial page.

    ``source`` is the file (project-relative like ``content/stations/x.md``, or absolute);
    ``line`` the line of the file where ``text`` starts; ``page_url`` the site path
    of the page that shows it (``stations/x/``). Problems (broken links, missing or
    external images) are appended to ``problems`` with their own line numbers.
    ``images`` (an ImagePublisher) publishes photos; without it, images keep their
    content path. ``net`` (optional) lets ids come from the loaded records.
    """
    source = source if not Path(source).is_absolute() else config.rel(source)
    if not text or not text.strip():
        return ""
    from ..read.safety import strip_deceptive

    text = strip_deceptive(text, line, source, problems)
    md = _md()
    try:
        fragment = md.convert(text)
    except RecursionError:  # pathological nesting: the instance's state is half-built, drop it
        _local.md = None
        fragment = "<p>" + html.escape(text) + "</p>"
    if not trusted:
        fragment = sanitize_html(fragment)
    rewriter = _Rewriter(text, source, line, config, page_url, problems, images, net, check_only)
    return rewriter.run(fragment)


def _split_front_matter(text: str) -> tuple[str, int]:
    """(body, line of the body's first line) of an editorial Markdown page."""
    m = re.match(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not m:
        return text, 1
    return text[m.end():], text.count("\n", 0, m.end()) + 1


def check_links(net, config) -> list[Problem]:
    """Every broken internal link or image in every body and editorial page (nothing written)."""
    from ..read.text import decode

    found: list[Problem] = []
    reset_cache()
    for table in (net.stations, net.projects, net.people, net.cases):
        for rec in table.values():
            if not rec.body or not rec.body.strip():
                continue
            render_markdown(rec.body, source=rec.path, line=rec.body_line, config=config,
                            page_url=url_of(rec), problems=found,
                            trusted=is_trusted(rec.path, config), net=net, check_only=True)
    content = Path(config.content_path)
    pages: list[tuple[str, str]] = []
    index = _index_for(config, net)
    for rel in getattr(net, "pages", []) or []:
        url = index.page_of(rel)
        pages.append((rel, url if url is not None else rel))
    for year, book in sorted(getattr(net, "casebooks", {}).items()):
        for field in ("preface", "afterword"):
            value = getattr(book, field, "")
            if value and (content / value).is_file():
                pages.append((posixpath.normpath(value), casebook_url(year)))
    for rel, url in pages:
        path = content / rel
        try:
            decoded = decode(path.read_bytes())
        except OSError:
            continue
        if decoded.text is None:
            continue
        body, first = _split_front_matter(decoded.text)
        render_markdown(body, source=config.rel(path), line=first, config=config, page_url=url,
                        problems=found, trusted=is_trusted(path, config), net=net, check_only=True)
    return sorted(set(found), key=lambda p: (p.path, p.line or 0, p.zh))
