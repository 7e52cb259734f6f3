"""Permanent QR URLs of stations and their images (SVG for print, PNG at print resolution).

Every station gets ``{site_url}s/{id}/``. The symbol is made with the ``qrcode``
library: error correction M, a 4-module quiet zone, black on white, no logo.
Images are cached under ``config.cache_path / "qr"`` by a hash of the URL, the
drawing options and :data:`CODE_VERSION`, so an unchanged station is not redrawn.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import operator
import os
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
import qrcode.exceptions
from qrcode import LUT as qr_lut
from qrcode import base as qr_base
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M

from ...config import Config
from ...errors import Problem
from ...guard import checksum, damaged
from ...urls import qr_page_url

#: Bump when the drawing code changes: every cached image is then redrawn.
CODE_VERSION = "qr-4"
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
    return config.url(qr_page_url(station_id))


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
    """The symbol ``qrcode`` makes for ``url`` (level M, 4-module quiet zone).

    ``qrcode`` encodes the data (version, segments, error correction codewords); the data is then
    laid out once and all eight masks are scored on whole-matrix integers (see :func:`_penalty`),
    which picks the same mask as ``qrcode.QRCode.make`` in a fraction of the time.
    """
    version, base = _test_layout(url)
    lay = _layout(version)
    # min() keeps the first of equal scores, as qrcode does
    best = min(range(8), key=lambda mask: _penalty(base ^ lay.masks[mask], lay.valid, lay.n))
    # The rows half of the chosen layout, with the real format (and version) information.
    final = ((base ^ lay.masks[best]) & lay.rows_part) | lay.info[best]
    return Symbol(url=url, version=int(version), matrix=_matrix(final, lay.n))


def _test_layout(url: str) -> tuple[int, int]:
    """(version, layout integer) of ``url`` as qrcode lays it out to choose the mask: data
    unmasked, format and version information light (see :class:`_Layout`)."""
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, border=BORDER)
    qr.add_data(url)
    version = _fit(qr.data_list)
    lay = _layout(version)
    codewords = _codewords(version, qr.data_list)
    bits = format(int.from_bytes(codewords, "big"), f"0{8 * len(codewords)}b")
    if len(bits) != lay.data_bits:  # pragma: no cover - qrcode always fills the symbol
        raise ValueError(f"unexpected codeword count for version {version}")
    return version, int("".join(lay.pick(bits + "01")), 2)


class _Bits:
    """qrcode's ``BitBuffer`` held as one integer (``QRData.write`` calls ``put``)."""

    __slots__ = ("value", "length")

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | num
        self.length += length

    def __len__(self) -> int:
        return self.length


def _codewords(version: int, segments: list[qr_util.QRData]) -> bytes:
    """``qrcode.util.create_data`` at level M: the data codewords, padded, then each block's error
    correction codewords, interleaved. The same bytes; the Reed-Solomon remainders come from a
    table of whole-remainder integers (:func:`_rs_table`) instead of qrcode's polynomial objects,
    which took most of the time of a symbol."""
    bits = _Bits()
    for seg in segments:
        bits.put(seg.mode, 4)
        bits.put(len(seg), qr_util.length_in_bits(seg.mode, version))
        if seg.mode == qr_util.MODE_8BIT_BYTE:
            bits.put(int.from_bytes(seg.data, "big"), 8 * len(seg.data))
        else:
            seg.write(bits)
    blocks = qr_base.rs_blocks(version, ERROR_CORRECT_M)
    limit = 8 * sum(b.data_count for b in blocks)
    if bits.length > limit:
        raise qrcode.exceptions.DataOverflowError(f"{bits.length} bits do not fit in version {version}")
    bits.put(0, min(limit - bits.length, 4))  # terminator
    bits.put(0, -bits.length % 8)  # to a whole byte
    data = bits.value.to_bytes(bits.length // 8, "big")
    data += bytes((qr_util.PAD0, qr_util.PAD1)) * ((limit // 8 - len(data)) // 2 + 1)
    dc: list[bytes] = []
    ec: list[bytes] = []
    for b in blocks:
        chunk = data[:b.data_count]
        data = data[b.data_count:]
        dc.append(chunk)
        ec.append(_rs_remainder(chunk, b.total_count - b.data_count))
    return _interleave(dc) + _interleave(ec)


def _interleave(parts: list[bytes]) -> bytes:
    longest = max(len(p) for p in parts)
    return bytes(p[i] for i in range(longest) for p in parts if i < len(p))


def _rs_remainder(data: bytes, n: int) -> bytes:
    """The ``n`` error correction codewords of ``data``: its remainder modulo the generator."""
    table = _rs_table(n)
    shift, mask = 8 * (n - 1), (1 << 8 * n) - 1
    rem = 0
    for byte in data:
        rem = ((rem << 8) & mask) ^ table[(rem >> shift) ^ byte]
    return rem.to_bytes(n, "big")


@functools.cache
def _rs_table(n: int) -> tuple[int, ...]:
    """For each byte f, f times the generator of degree ``n`` (without its leading 1), as an integer
    of ``n`` bytes: one step of the remainder's shift register."""
    if n in qr_lut.rsPoly_LUT:
        gen = list(qr_lut.rsPoly_LUT[n])
    else:
        poly = qr_base.Polynomial([1], 0)
        for i in range(n):
            poly = poly * qr_base.Polynomial([1, qr_base.gexp(i)], 0)
        gen = [poly[i] for i in range(len(poly))]
    tail = gen[1:]
    table = [0]
    for f in range(1, 256):
        lf = qr_base.glog(f)
        table.append(int.from_bytes(bytes(qr_base.gexp(lf + qr_base.glog(g)) if g else 0 for g in tail), "big"))
    return tuple(table)


@dataclass(frozen=True)
class _Layout:
    """Where everything goes in a symbol of one version.

    A symbol is held as one integer: its columns (each followed by a guard bit), a blank line
    of guard bits, then its rows (each followed by a guard bit), first module in the highest
    bit. Guard bits are 0 in both the dark and the light modules, so no run or pattern crosses
    from one line into the next. ``pick`` maps the data bits (followed by "0" and "1") to that
    integer's binary digits, as qrcode's test layout for the mask choice: function patterns,
    light format and version information, data bits unmasked.
    """

    n: int  # modules per side, without quiet zone
    data_bits: int  # 8 x codewords; later modules are remainder bits (0)
    pick: operator.itemgetter
    masks: tuple[int, ...]  # per mask pattern: the data modules it flips
    valid: int  # every module (no guard bit)
    rows_part: int  # the rows half of the integer
    info: tuple[int, ...]  # per mask pattern: the dark format and version modules


@functools.cache
def _layout(version: int) -> _Layout:
    """The :class:`_Layout` of a version, from qrcode's own drawing methods."""
    n = version * 4 + 17
    probe = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M)
    probe.modules_count = n

    def draw(test: bool, mask: int, patterns: bool) -> list[list[bool | None]]:
        """A fresh grid with format (and version) information, and the function patterns if asked
        (as in ``QRCode.makeImpl``); None where data goes."""
        probe.modules = [[None] * n for _ in range(n)]
        if patterns:
            probe.setup_position_probe_pattern(0, 0)
            probe.setup_position_probe_pattern(n - 7, 0)
            probe.setup_position_probe_pattern(0, n - 7)
            probe.setup_position_adjust_pattern()
            probe.setup_timing_pattern()
        probe.setup_type_info(test, mask)
        if version >= 7:
            probe.setup_type_number(test)
        return probe.modules

    grid = draw(test=True, mask=0, patterns=True)  # the test layout: information modules light
    is_data = [[cell is None for cell in row] for row in grid]
    data_bits = 8 * sum(b.total_count for b in qr_base.rs_blocks(version, ERROR_CORRECT_M))
    zero, one = data_bits, data_bits + 1  # where "0" and "1" follow the data bits
    source = [[one if cell else zero for cell in row] for row in grid]
    # Data bit k goes to the k-th free module of qrcode's zigzag (QRCode.map_data).
    k, row, step = 0, n - 1, -1
    for col in range(n - 1, 0, -2):
        if col <= 6:
            col -= 1
        while True:
            for c in (col, col - 1):
                if is_data[row][c]:
                    source[row][c] = k if k < data_bits else zero
                    k += 1
            row += step
            if not 0 <= row < n:
                row -= step
                step = -step
                break

    def order(grid: list[list]) -> list:
        """The cells of ``grid`` in the integer's order (columns, blank line, rows); None for guards."""
        out = []
        for c in range(n):
            out += [grid[r][c] for r in range(n)] + [None]
        out += [None] * (n + 1)
        for r in range(n):
            out += grid[r] + [None]
        return out

    def number(grid: list[list]) -> int:
        return int("".join("1" if v else "0" for v in order(grid)), 2)

    rows_part = (1 << n * (n + 1)) - 1
    masks, info = [], []
    for mask in range(8):
        flip = qr_util.mask_func(mask)
        masks.append(number([[is_data[r][c] and flip(r, c) for c in range(n)] for r in range(n)]))
        info.append(number(draw(test=False, mask=mask, patterns=False)) & rows_part)
    pick = operator.itemgetter(*(zero if v is None else v for v in order(source)))
    return _Layout(n=n, data_bits=data_bits, pick=pick, masks=tuple(masks),
                   valid=number([[True] * n] * n), rows_part=rows_part, info=tuple(info))


def _penalty(dark: int, valid: int, n: int) -> int:
    """``qrcode.util.lost_point`` of a layout held as in :class:`_Layout` (ISO/IEC 18004 N1-N4).

    Bit j of a shifted copy ``x >> k`` is module j + k of ``x``, so ANDing shifted copies finds
    runs and patterns everywhere at once; each is counted by ``int.bit_count``. Rows and columns
    are both in the integer, so rules 2 and 4 (which need only one of them) count everything twice.
    """
    light = dark ^ valid
    score = 0
    pairs = []
    for z in (dark, light):
        pair = z & (z >> 1)
        pairs.append(pair)
        five = pair & (pair >> 2) & (z >> 4)  # modules j..j+4 alike: L - 4 per run of L >= 5
        score += five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()  # N1: L - 2 per run
    stride = n + 1
    blocks = sum((pair & (pair >> stride)).bit_count() for pair in pairs)
    score += 3 * (blocks // 2)  # N2: 3 per 2x2 block of one colour
    d_pair = pairs[0]
    core = dark & (light >> 1) & (d_pair >> 2) & (dark >> 4) & (light >> 5) & (dark >> 6)  # 1011101
    four = pairs[1] & (pairs[1] >> 2)  # 0000
    score += 40 * ((core & (four >> 7)).bit_count() + (four & (core >> 4)).bit_count())  # N3
    percent = float(dark.bit_count() // 2) / (n * n)  # N4, in qrcode's own arithmetic
    return score + int(abs(percent * 100 - 50) / 5) * 10


_BOOLS = {"0": False, "1": True}


def _matrix(rows: int, n: int) -> tuple[tuple[bool, ...], ...]:
    """The module matrix, quiet zone included, of the rows half of a layout integer."""
    text = format(rows, f"0{n * (n + 1)}b")
    pad = "0" * BORDER
    blank = (False,) * (n + 2 * BORDER)
    lines = [tuple(map(_BOOLS.__getitem__, pad + text[i:i + n] + pad)) for i in range(0, n * (n + 1), n + 1)]
    return (blank,) * BORDER + tuple(lines) + (blank,) * BORDER


def symbol_version(url: str) -> int:
    """The smallest QR version (1-40) that holds ``url`` at error correction M (nothing drawn).

    The version ``qrcode.QRCode.best_fit`` picks, from the same segments (``add_data``'s
    default optimisation) and capacity table, counted rather than written bit by bit.
    """
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M)
    qr.add_data(url)  # the segments qrcode would make
    return _fit(qr.data_list)


def _fit(segments: list[qr_util.QRData]) -> int:
    """The version ``QRCode.best_fit`` gives ``segments`` at level M."""
    limits = qr_util.BIT_LIMIT_TABLE[ERROR_CORRECT_M]
    start = 1
    while True:
        sizes = qr_util.mode_sizes_for_version(start)
        needed = sum(4 + sizes[c.mode] + _payload_bits(c.mode, len(c.data)) for c in segments)
        version = bisect.bisect_left(limits, needed, start)
        if version > 40:
            raise qrcode.exceptions.DataOverflowError(f"{needed} bits do not fit in a QR symbol")
        if sizes is qr_util.mode_sizes_for_version(version):
            return version
        start = version  # a longer length field: count again from there, as best_fit does


def _payload_bits(mode: int, n: int) -> int:
    if mode == qr_util.MODE_NUMBER:
        return 10 * (n // 3) + (0, 4, 7)[n % 3]
    if mode == qr_util.MODE_ALPHA_NUM:
        return 11 * (n // 2) + 6 * (n % 2)
    return 8 * n


_DARK_RUN = re.compile(b"\x01+")


def svg_of(sym: Symbol) -> str:
    """A compact vector SVG: one path, horizontal runs of dark modules, white background.

    The viewBox is in modules; the size is set by whoever places it (``width`` in CSS or HTML).
    """
    n = sym.size
    parts = [f"M{m.start()} {y}h{m.end() - m.start()}v1h-{m.end() - m.start()}z"
             for y, row in enumerate(sym.matrix) for m in _DARK_RUN.finditer(bytes(row))]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{n * 4}" height="{n * 4}" '
        f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>\n'
    )


def png_of(sym: Symbol) -> bytes:
    """A 1-bit grayscale PNG, at least :data:`PNG_MIN_PIXELS` wide, tagged 300 dpi (about 100 mm printed).

    Written directly: the pixels a Pillow image of the matrix enlarged with NEAREST would have.
    Each module row is ``box`` pixel rows: the first is stored as it is (filter "None"), the
    others as "Up" (a copy of the row above), which are all-zero bytes. Their compressed form
    is the same for every row of every symbol of this width, so it is compressed once
    (:func:`_zero_rows`) and spliced in: zlib only ever sees the first pixel row of each module
    row (three times faster; the file is about 1.7 times the size of a whole-stream one, 2-3 KB).
    Every piece ends with a full flush, so none refers back into another.
    """
    n = sym.size
    box = max(1, -(-PNG_MIN_PIXELS // n))
    width = n * box
    row_bytes = (width + 7) // 8
    pad = "1" * (row_bytes * 8 - width)  # white
    pixels = {0: "1" * box, 1: "0" * box}  # a module (False/True) to its pixels: white 1, black 0
    if box < _SPLICE_MIN_BOX:  # big symbols: few pixel rows per module row, one plain stream
        packer = zlib.compressobj(_PNG_ZLIB_LEVEL)
        deflated, prev, block = [], None, b""
        for row in sym.matrix:
            if row != prev:
                block = (b"\0" + _pixel_row(row, pixels, pad, row_bytes)) * box
                prev = row
            deflated.append(packer.compress(block))
        deflated.append(packer.flush())
    else:
        same_rows, same_raw = _zero_rows(row_bytes, box - 1)
        all_rows, all_raw = _zero_rows(row_bytes, box)
        packer = zlib.compressobj(_PNG_ZLIB_LEVEL, zlib.DEFLATED, -15)
        deflated = [b"\x78\x9c"]  # zlib header: deflate, 32 KB window, default level
        adler, prev = 1, None
        for row in sym.matrix:
            if row == prev:  # the quiet zone's rows, and any module row like the one above
                deflated.append(all_rows)
                adler = zlib.adler32(all_raw, adler)
                continue
            line = b"\0" + _pixel_row(row, pixels, pad, row_bytes)
            deflated.append(packer.compress(line) + packer.flush(zlib.Z_FULL_FLUSH))
            deflated.append(same_rows)
            adler = zlib.adler32(same_raw, zlib.adler32(line, adler))
            prev = row
        deflated.append(packer.flush(zlib.Z_FINISH))
        deflated.append(struct.pack(">I", adler))
    ppm = round(PNG_DPI / 0.0254)  # pixels per metre

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + chunk(b"IDAT", b"".join(deflated))
            + chunk(b"IEND", b""))


def _pixel_row(row: tuple[bool, ...], pixels: dict[int, str], pad: str, row_bytes: int) -> bytes:
    return int(bytes(row).decode("latin-1").translate(pixels) + pad, 2).to_bytes(row_bytes, "big")


@functools.lru_cache(maxsize=64)
def _zero_rows(row_bytes: int, count: int) -> tuple[bytes, bytes]:
    """(raw deflate of ``count`` pixel rows filtered "Up" from an equal row, those raw bytes)."""
    raw = (b"\2" + bytes(row_bytes)) * count
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush(zlib.Z_FULL_FLUSH), raw


#: zlib level of the pixel data that zlib sees (see png_of): below 6 zlib rarely finds the copy
#: of the row above (1: twice the size), above 6 it is much slower for a few per cent.
_PNG_ZLIB_LEVEL = 6
#: Pixels per module from which repeated pixel rows are spliced in rather than compressed
#: (every symbol up to version 7 at 1,200 pixels; below, the splices' overhead outweighs them).
_SPLICE_MIN_BOX = 16


@dataclass
class QrImages:
    """QR images for URLs, cached on disk. ``hits``/``misses`` count cache use."""

    config: Config
    hits: int = 0
    misses: int = 0
    _versions: dict[str, int] = field(default_factory=dict)
    _sums: dict[str, str] | None = None

    @property
    def folder(self) -> Path:
        return self.config.cache_path / "qr"

    @staticmethod
    def key(url: str) -> str:
        options = f"ec=M;border={BORDER};png={PNG_MIN_PIXELS}@{PNG_DPI};svg=path-runs"
        return hashlib.sha256(f"{url}\n{options}\n{CODE_VERSION}".encode()).hexdigest()[:32]

    def _index(self) -> dict[str, str]:
        """Cache key -> checksum, read off the file names ``{key}.{checksum}.svg|png`` (one listing
        per cache folder, once per process)."""
        if self._sums is None:
            sums: dict[str, str] = {}
            names: set[str] = set()
            if self.folder.is_dir():
                for sub in os.scandir(self.folder):
                    if sub.is_dir():
                        names.update(os.listdir(sub.path))
            for name in names:
                parts = name.split(".")
                if len(parts) == 3 and parts[2] == "svg" and f"{parts[0]}.{parts[1]}.png" in names:
                    sums[parts[0]] = parts[1]
            self._sums = sums
        return self._sums

    def _named(self, k: str, sum_: str) -> tuple[Path, Path]:
        base = self.folder / k[:2]
        return base / f"{k}.{sum_}.svg", base / f"{k}.{sum_}.png"

    def _cached(self, url: str) -> tuple[Path, Path, str, bytes] | None:
        """The cached images of ``url`` whose bytes match the checksum in their name, or None
        (a damaged pair is deleted, with one warning)."""
        k = self.key(url)
        sum_ = self._index().get(k)
        if sum_ is None:
            return None
        svg_p, png_p = self._named(k, sum_)
        try:
            svg_b, png = svg_p.read_bytes(), png_p.read_bytes()
        except OSError:
            self._index().pop(k, None)
            return None
        if checksum(k, svg_b, png)[:20] != sum_:
            damaged("二维码图片", "QR image", png_p)
            self._index().pop(k, None)
            for path in (svg_p, png_p):
                path.unlink(missing_ok=True)
            return None
        return svg_p, png_p, svg_b.decode("utf-8"), png

    def get(self, url: str) -> tuple[str, bytes, int]:
        """(SVG text, PNG bytes, version) for ``url``; drawn once, then read from the cache."""
        hit = self._cached(url)
        try:
            if hit is None:
                raise ValueError
            svg, png = hit[2], hit[3]
            version = _svg_version(svg)
            self.hits += 1
        except (UnicodeDecodeError, ValueError):
            svg, png, version, _paths = self._draw(url)
        self._versions[url] = version
        return svg, png, version

    def _draw(self, url: str) -> tuple[str, bytes, int, tuple[Path, Path]]:
        sym = make_symbol(url)
        svg, png = svg_of(sym), png_of(sym)
        k = self.key(url)
        sum_ = checksum(k, svg.encode("utf-8"), png)[:20]
        svg_p, png_p = self._named(k, sum_)
        svg_p.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(png_p, png)
        _atomic_write(svg_p, svg.encode("utf-8"))  # last: an SVG in the cache means both are there
        self._index()[k] = sum_
        self.misses += 1
        return svg, png, sym.version, (svg_p, png_p)

    def missing(self, urls: list[str]) -> list[str]:
        """Those of ``urls`` whose images are not both in the cache (one listing per cache folder)."""
        sums = self._index()
        return [url for url in urls if self.key(url) not in sums]

    def fill(self, url: str) -> tuple[Path, Path]:
        """Draw ``url`` into the cache unless both images are there already (with the bytes their
        checksum names); their paths."""
        hit = self._cached(url)
        if hit is not None:
            return hit[0], hit[1]
        return self._draw(url)[3]

    def place(self, url: str, svg_dest: Path, png_dest: Path) -> None:
        """Put the SVG and PNG of ``url`` at ``svg_dest`` and ``png_dest`` (hard links into the cache)."""
        svg_p, png_p = self.fill(url)
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


def _svg_version(svg: str) -> int:
    """The version of the symbol drawn in ``svg`` (by :func:`svg_of`), read off its viewBox."""
    start = svg.index('viewBox="0 0 ') + len('viewBox="0 0 ')
    side = int(svg[start:svg.index(" ", start)])
    version, rest = divmod(side - 2 * BORDER - 17, 4)
    if rest or not 1 <= version <= 40:
        raise ValueError(f"not a QR symbol of {side} modules")
    return version


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
    return density_warning(station.path, station.line_of(fld), fld, url, version, qr_id)


@functools.lru_cache(maxsize=200_000)
def density_warning(path: str, line: int | None, fld: str, url: str, version: int, qr_id: str) -> Problem:
    """The warning for one dense URL (made once while it stays the same, e.g. under serve)."""
    budget = 42 - len(url) + len(qr_id)
    return Problem(
        path, line, fld,
        f"二维码地址 {url} 有 {len(url)} 个字符,需要 {version} 版二维码(比 3 版更密),印小了不易扫描;"
        f"新建阵地时请用更短的编号(在当前网址下编号最好不超过 {max(budget, 3)} 个字符)。"
        "已印出的编号不要再改",
        f"the QR URL {url} is {len(url)} characters long and needs a version-{version} symbol "
        f"(denser than 3-M), harder to scan when printed small; keep new ids short (at most "
        f"{max(budget, 3)} characters with this site_url). Never change an id that is already printed",
        "warning",
    )


def fill_chunk(config: Config, urls: list[str]) -> int:
    """In a worker: draw into the cache each of ``urls`` not there yet (see ``start_drawing``)."""
    qr = QrImages(config)
    for url in urls:
        qr.fill(url)
    return len(urls)


def draw_chunk(config: Config, jobs: list[tuple[str, str]]) -> int:
    """In a worker: the SVG and PNG of each ``(url, folder)`` into the folder (drawn once, then
    from the cache). Lives here so that a fresh worker imports this module only."""
    qr = QrImages(config)
    for url, folder in jobs:
        qr.place(url, Path(folder) / "qr.svg", Path(folder) / "qr.png")
    return len(jobs)
