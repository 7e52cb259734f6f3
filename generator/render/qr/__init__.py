"""Permanent QR URLs of stations and their images (SVG for print, PNG at print resolution).

Every station gets ``{site_url}s/{id}/``. The symbol is made with the ``qrcode``
library: error correction M, a 4-module quiet zone, black on white, no logo.
Images are cached under ``config.cache_path / "qr"`` by a hash of the URL, the
drawing options and :data:`CODE_VERSION`, so an unchanged station is not redrawn.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from ...config import Config
from ...errors import Problem
from . import fastmask

#: Bump when the drawing code changes: every cached image is then redrawn.
CODE_VERSION = "qr-3"
#: Quiet zone, in modules (the standard asks for 4).
BORDER = 4
#: Densest symbol we are happy to print small: version 3 at level M holds 42 bytes.
MAX_COMFORTABLE_VERSION = 3
#: PNG side in pixels at least: 1200 px is 100 mm at 300 dpi.
PNG_MIN_PIXELS = 1200
PNG_DPI = 300


def qr_url(config: Config, station_id: str) -> str:
    """The permanent QR URL of a station: ``{site_url}s/{id}/``; UsageError without site_url."""
    config.require_site_url("二维码")
    return config.url(f"s/{station_id}/")


def short_url(url: str) -> str:
    """The URL as printed under a code: without the scheme (phones add it back)."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme):]
    return url


@dataclass(frozen=True)
class Symbol:
    """A computed QR symbol: the module matrix (quiet zone included) and its version."""

    url: str
    version: int
    matrix: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules per side, quiet zone included."""
        return len(self.matrix)

    @property
    def modules(self) -> int:
        """Modules per side of the symbol itself (without the quiet zone)."""
        return self.size - 2 * BORDER


def make_symbol(url: str) -> Symbol:
    """The symbol ``qrcode`` makes for ``url`` (level M, 4-module quiet zone), its mask chosen
    by :mod:`.fastmask` (same choice, a fraction of the time)."""
    version, matrix = fastmask.make_matrix(url, BORDER)
    return Symbol(url=url, version=int(version), matrix=tuple(tuple(bool(c) for c in row) for row in matrix))


def symbol_version(url: str) -> int:
    """The smallest QR version (1-40) that holds ``url`` at error correction M (nothing drawn)."""
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, border=BORDER)
    qr.add_data(url)
    return int(qr.best_fit())


def svg_of(sym: Symbol) -> str:
    """A compact vector SVG: one path, horizontal runs of dark modules, white background.

    The viewBox is in modules; the size is set by whoever places it (``width`` in CSS or HTML).
    """
    n = sym.size
    parts: list[str] = []
    for y, row in enumerate(sym.matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                w = x - start
                parts.append(f"M{start} {y}h{w}v1h-{w}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{n * 4}" height="{n * 4}" '
        f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>\n'
    )


def png_of(sym: Symbol) -> bytes:
    """A 1-bit grayscale PNG, at least :data:`PNG_MIN_PIXELS` wide, tagged 300 dpi (about 100 mm printed).

    Written directly (rows of packed bits, zlib), which is several times faster than drawing
    and resizing a Pillow image and gives the same pixels in a smaller file.
    """
    n = sym.size
    box = max(1, -(-PNG_MIN_PIXELS // n))
    width = n * box
    row_bytes = (width + 7) // 8
    pad = "1" * (row_bytes * 8 - width)
    dark, light = "0" * box, "1" * box
    # Each module row is one pixel row repeated: filter "None" for the first, then "Up" (all
    # zero bytes), which zlib compresses in no time.
    repeat = (b"\2" + bytes(row_bytes)) * (box - 1)
    lines = []
    for row in sym.matrix:
        bits = "".join(dark if c else light for c in row) + pad
        lines.append(b"\0" + int(bits, 2).to_bytes(row_bytes, "big") + repeat)
    ppm = round(PNG_DPI / 0.0254)  # pixels per metre

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + chunk(b"IDAT", zlib.compress(b"".join(lines), 1))
            + chunk(b"IEND", b""))


@dataclass
class QrImages:
    """QR images for URLs, cached on disk. ``hits``/``misses`` count cache use."""

    config: Config
    hits: int = 0
    misses: int = 0
    _versions: dict[str, int] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.config.cache_path / "qr"

    @staticmethod
    def key(url: str) -> str:
        options = f"ec=M;border={BORDER};png={PNG_MIN_PIXELS}@{PNG_DPI};svg=path-runs"
        return hashlib.sha256(f"{url}\n{options}\n{CODE_VERSION}".encode()).hexdigest()[:32]

    def _paths(self, url: str) -> tuple[Path, Path, Path]:
        k = self.key(url)
        base = self.folder / k[:2]
        return base / f"{k}.svg", base / f"{k}.png", base / f"{k}.version"

    def get(self, url: str) -> tuple[str, bytes, int]:
        """(SVG text, PNG bytes, version) for ``url``; drawn once, then read from the cache."""
        svg_p, png_p, ver_p = self._paths(url)
        try:
            svg = svg_p.read_text(encoding="utf-8")
            png = png_p.read_bytes()
            version = int(ver_p.read_text(encoding="ascii"))
            self.hits += 1
        except (OSError, ValueError):
            sym = make_symbol(url)
            svg, png, version = svg_of(sym), png_of(sym), sym.version
            svg_p.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(svg_p, svg.encode("utf-8"))
            _atomic_write(png_p, png)
            _atomic_write(ver_p, str(version).encode("ascii"))
            self.misses += 1
        self._versions[url] = version
        return svg, png, version

    def place(self, url: str, svg_dest: Path, png_dest: Path) -> None:
        """Put the SVG and PNG of ``url`` at ``svg_dest`` and ``png_dest`` (hard links into the cache)."""
        svg_p, png_p, _ = self._paths(url)
        if not (svg_p.is_file() and png_p.is_file()):
            self.get(url)
        for src, dest in ((svg_p, svg_dest), (png_p, png_dest)):
            try:
                os.link(src, dest)
            except FileExistsError:
                dest.unlink()
                os.link(src, dest)
            except OSError:  # another file system, or no hard links: copy
                shutil.copyfile(src, dest)

    def svg(self, url: str) -> str:
        return self.get(url)[0]

    def png(self, url: str) -> bytes:
        return self.get(url)[1]

    def version(self, url: str) -> int:
        """The symbol's version; computed without drawing (the density check runs every build)."""
        if url not in self._versions:
            self._versions[url] = symbol_version(url)
        return self._versions[url]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def density_problem(config: Config, station, url: str, version: int, qr_id: str | None = None) -> Problem | None:
    """A warning when ``url`` needs a symbol denser than version 3-M (smaller modules when printed)."""
    if version <= MAX_COMFORTABLE_VERSION:
        return None
    qr_id = qr_id or station.id
    fld = "id" if qr_id == station.id else "former_ids"
    line = station.line_of("id") if fld == "id" else station.line_of("former_ids")
    budget = 42 - len(url) + len(qr_id)
    return Problem(
        station.path, line, fld,
        f"二维码地址 {url} 有 {len(url)} 个字符,需要 {version} 版二维码(比 3 版更密),印小了不易扫描;"
        f"新建阵地时请用更短的编号(在当前网址下编号最好不超过 {max(budget, 3)} 个字符)。"
        "已印出的编号不要再改",
        f"the QR URL {url} is {len(url)} characters long and needs a version-{version} symbol "
        f"(denser than 3-M), harder to scan when printed small; keep new ids short (at most "
        f"{max(budget, 3)} characters with this site_url). Never change an id that is already printed",
        "warning",
    )
