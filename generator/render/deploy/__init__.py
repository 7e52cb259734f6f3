"""Going live: precompressed copies of the built site's text files, the inline code its
Content-Security-Policy must allow, robots.txt, and an nginx ``server { }`` block (``nginx.py``).

The build calls :func:`finish_site` on the staging folder just before it is swapped in, so the
``.gz``/``.br`` files are part of the atomic switch and, like every other file, byte-identical
from one build of the same content to the next (no time stamps, no file names in the headers).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import brotli as _brotli
from isal import igzip as _igzip

from ...config import Config
from ...parallel import worker_count

#: Files worth compressing; Pagefind's own chunks (.pf_*) and wasm are gzip already and are
#: caught by the size test below.
TEXT_SUFFIXES = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".pagefind", ".pf_meta",
                 ".pf_index", ".pf_fragment")
#: The QR images are downloads for printing that no page shows: sent as they are (a city has
#: thousands; skipping them saves a quarter of the files to write). The sitemap's .gz is written
#: with it (render/site/builder.py).
SKIP_NAMES = ("qr.svg", "sitemap.xml")
#: Smaller files are sent as they are (a gzip header and one packet cost more than they save).
MIN_SIZE = 256
#: A compressed copy is kept only when it is at most this fraction of the original.
MAX_RATIO = 0.9
#: The scripts and style sheets pages load get Brotli's best (and slowest) quality, kept in the
#: cache between builds; pages get gzip only: Brotli at any quality worth having costs seconds on a city.
BROTLI_FILES = re.compile(r"assets/(javascripts/bundle\.[^/]*|stylesheets/[^/]*|wenming/.*)\.(js|css)"
                          r"|pagefind/(pagefind|pagefind-worker)\.js|pagefind/wenming-search\.json")
#: Where the build records the hashes of the inline scripts and styles its pages carry.
CSP_FILE = ".wenming/csp.json"

_SRC = re.compile(rb"\bsrc\s*=", re.IGNORECASE)
_TYPE = re.compile(rb"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_JS_TYPES = {b"", b"text/javascript", b"application/javascript", b"module"}
_HANDLER = re.compile(rb"""[a-z]+=["']""")

# Intel ISA-L (pyproject: isal): gzip 4-5 times as fast as zlib, in the same format.


def gzip_bytes(data: bytes) -> bytes:
    return _igzip.compress(data, 2, mtime=0)


gunzip_bytes = _igzip.decompress


@dataclass
class Finished:
    """What :func:`finish_site` did."""

    files: int = 0
    gz: int = 0
    br: int = 0
    bytes_in: int = 0
    bytes_gz: int = 0
    scripts: set[str] = field(default_factory=set)  # CSP source expressions ('sha256-...')
    styles: set[str] = field(default_factory=set)
    inline_attrs: list[str] = field(default_factory=list)  # pages with style=/on*= attributes


def csp_hash(code: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code).digest()).decode() + "'"


def _one(site: str, cache: str, previous: str | None, rel: str) -> tuple[int, int, int, set[str], set[str], bool]:
    """Compress one file (and collect the inline code of a page); runs in a thread."""
    path = os.path.join(site, rel)
    with open(path, "rb") as fh:
        data = fh.read()
    scripts: set[str] = set()
    styles: set[str] = set()
    attrs = False
    if rel.endswith(".html"):
        for tag, attrs_, code in _inline(data):
            if tag == b"script":
                t = _TYPE.search(attrs_)
                if _SRC.search(attrs_) or (t and t.group(1).lower() not in _JS_TYPES):
                    continue  # a file, or data (application/json) that is never run
                scripts.add(csp_hash(code))
            else:
                styles.add(csp_hash(code))
        attrs = _has_inline_attributes(data)
    if len(data) < MIN_SIZE:
        return 0, 0, 0, scripts, styles, attrs
    n_gz = n_br = 0
    reused = _reuse(previous, rel, path, data) if previous else 0
    gz = b"" if reused else gzip_bytes(data)
    if reused or len(gz) <= len(data) * MAX_RATIO:
        if not reused:
            _write(path + ".gz", gz)
        n_gz = reused or len(gz)
        if BROTLI_FILES.fullmatch(rel):
            br = _cached_brotli(cache, data)
            if len(br) < n_gz:
                _write(path + ".br", br)
                n_br = 1
    return len(data), n_gz, n_br, scripts, styles, attrs


def _reuse(previous: str, rel: str, path: str, data: bytes) -> int:
    """Hard-link the published site's .gz of a file whose bytes did not change; its size, or 0.

    A link costs a tenth of writing a new file. The old copy is decompressed and compared, so
    only a .gz that holds exactly these bytes is taken (the result is the file a fresh
    compression would give: the same compressor wrote it)."""
    old = os.path.join(previous, rel)
    try:
        if os.path.getsize(old) != len(data):
            return 0
        with open(old + ".gz", "rb") as fh:
            packed = fh.read()
        if gunzip_bytes(packed) != data:
            return 0
        os.link(old + ".gz", path + ".gz")
    except Exception:  # noqa: BLE001 - a missing, damaged or unlinkable copy: compress afresh
        return 0
    return len(packed)


def _inline(data: bytes):
    """(tag, attributes, content) of every <script> and <style> element of a page (found with
    bytes.find, many times as fast as a regular expression over the whole page)."""
    for tag in (b"script", b"style"):
        pos = data.find(b"<" + tag)
        while pos >= 0:
            start = data.find(b">", pos)
            end = data.find(b"</" + tag, start)
            if start < 0 or end < 0:
                break
            if data[pos + 1 + len(tag):pos + 2 + len(tag)] in (b" ", b">", b"\t", b"\n"):
                yield tag, data[pos + 1 + len(tag):start], data[start + 1:end]
            pos = data.find(b"<" + tag, end)


def _has_inline_attributes(data: bytes) -> bool:
    """Whether a page has a style= or on*= attribute (as templates write them: ` name="`);
    bytes.find does the scanning, a regular expression only looks at each ` on`."""
    if data.find(b' style="') >= 0 or data.find(b" style='") >= 0:
        return True
    pos = data.find(b" on")
    while pos >= 0:
        if _HANDLER.match(data, pos + 3):
            return True
        pos = data.find(b" on", pos + 3)
    return False


def _cached_brotli(cache: str, data: bytes) -> bytes:
    path = os.path.join(cache, hashlib.sha256(data).hexdigest()[:40] + ".br")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        pass
    br = _brotli.compress(data, quality=11)
    try:
        os.makedirs(cache, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.{id(data)}.tmp"
        _write(tmp, br)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
    return br


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def text_files(site_dir: Path) -> list[str]:
    """Paths (relative, sorted) of the files :func:`finish_site` compresses."""
    out = []
    root = str(site_dir)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = os.path.relpath(dirpath, root)
        for name in filenames:
            if name.endswith(TEXT_SUFFIXES) and name not in SKIP_NAMES:
                out.append(name if base == "." else f"{base}/{name}".replace(os.sep, "/"))
    return sorted(out)


def finish_site(site_dir: Path, config: Config, previous: Path | None = None) -> Finished:
    """Write robots.txt, ``.gz`` (and for fixed assets ``.br``) copies of every text file that
    compresses, and the CSP hashes of the pages' inline scripts and styles. ``previous``: the
    site published now, whose .gz copies of unchanged files are hard-linked instead of written.

    Threads do the work: zlib/ISA-L, Brotli and file I/O release the interpreter lock.
    """
    site_dir = Path(site_dir)
    write_robots(site_dir, config)
    rels = text_files(site_dir)
    cache = str(config.cache_path / "brotli")
    old = str(previous) if previous is not None and previous.is_dir() else None
    done = Finished()
    with ThreadPoolExecutor(max_workers=worker_count(config.workers)) as pool:
        for rel, (size, gz, br, scripts, styles, attrs) in zip(
                rels, pool.map(lambda r: _one(str(site_dir), cache, old, r), rels)):
            done.files += 1
            done.bytes_in += size if gz else 0
            done.bytes_gz += gz
            done.gz += bool(gz)
            done.br += br
            done.scripts |= scripts
            done.styles |= styles
            if attrs:
                done.inline_attrs.append(rel)
    out = site_dir / CSP_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"script-src": sorted(done.scripts), "style-src": sorted(done.styles),
                               "inline-attributes": done.inline_attrs[:20]}, indent=1) + "\n", encoding="utf-8")
    return done


def read_csp(site_dir: Path) -> dict | None:
    """The hashes :func:`finish_site` recorded for a built site; ``None`` when there are none."""
    try:
        return json.loads((Path(site_dir) / CSP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_robots(site_dir: Path, config: Config) -> None:
    """robots.txt: everything may be indexed; where the sitemap is. Crawlers read it only at the
    root of a host: under a sub-path the host's own robots.txt should name the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    if config.site_url:
        lines.append(f"Sitemap: {config.url('sitemap.xml')}")
    (Path(site_dir) / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


__all__ = ["CSP_FILE", "Finished", "csp_hash", "finish_site", "gzip_bytes", "read_csp", "text_files", "write_robots"]
