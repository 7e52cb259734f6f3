"""The fast QR path: the same symbols as the ``qrcode`` library, the same pixels as a drawn PNG.

``make_symbol`` scores the eight masks with bit operations on whole-matrix integers, and
``png_of`` writes the PNG itself; both are compared here with the slow originals they replace.
"""

from __future__ import annotations

import io
import random
import string
import struct

import pytest
import qrcode
import qrcode.exceptions
import zxingcpp
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import lost_point

from generator.render import qr as qrmod
from generator.render.qr import BORDER, PNG_DPI, PNG_MIN_PIXELS, Symbol, make_symbol, png_of


def reference_symbol(url: str) -> Symbol:
    """What ``make_symbol`` did before: everything by ``qrcode``."""
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, border=BORDER)
    qr.add_data(url)
    qr.make(fit=True)
    return Symbol(url=url, version=int(qr.version),
                  matrix=tuple(tuple(bool(c) for c in row) for row in qr.get_matrix()))


def reference_png(sym: Symbol) -> bytes:
    """What ``png_of`` did before: a Pillow image of the matrix, enlarged with NEAREST, optimize=True."""
    n = sym.size
    box = max(1, -(-PNG_MIN_PIXELS // n))
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if c else 1 for row in sym.matrix for c in row])
    img = small.resize((n * box, n * box), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True, dpi=(PNG_DPI, PNG_DPI))
    return buf.getvalue()


def varied_urls(count: int, seed: int = 18004) -> list[str]:
    """Station URLs of every kind: short and long ids, hyphens, digits (long digit runs switch
    qrcode to numeric segments), capitals (alphanumeric segments), other hosts, a few non-ASCII."""
    rng = random.Random(seed)
    lower = string.ascii_lowercase + string.digits + "-"
    hosts = ["https://wm.example.cn", "https://wenming.jinan.example.org", "http://10.0.0.1:8000",
             "https://wenming.yuyang.gov.example.cn/site", "HTTPS://WM.EXAMPLE.CN"]
    lengths = [1, 2, 3, 5, 8, 12, 16, 20, 24, 30, 40, 55, 70, 90, 110, 150]
    urls = []
    for i in range(count):
        length = rng.choice(lengths)
        kind = i % 10
        if kind == 7:
            rid = "".join(rng.choice(string.digits) for _ in range(length))
        elif kind == 8:  # all capitals: alphanumeric mode, the only way into version 1
            rid = "".join(rng.choice(string.ascii_uppercase + string.digits + "-") for _ in range(length))
            if i % 20 == 8:
                urls.append(f"HTTP://WM.CN/S/{rid[:rng.randrange(1, 5)]}/")
                continue
        elif kind == 9 and i % 30 == 9:
            rid = "".join(rng.choice(lower + "文明实践站点") for _ in range(length))
        else:
            rid = "".join(rng.choice(lower) for _ in range(length))
        host = "https://wm.example.cn" if kind < 4 else rng.choice(hosts)
        urls.append(f"{host}/s/{rid}/")
    return urls


def test_symbols_equal_qrcode_for_thousands_of_urls():
    versions = set()
    for url in varied_urls(2000):
        want = reference_symbol(url)
        got = make_symbol(url)
        versions.add(want.version)
        assert got.version == want.version, url
        assert got.matrix == want.matrix, url
        assert all(type(c) is bool for row in got.matrix for c in row)
    assert set(range(1, 8)) <= versions, sorted(versions)  # 1-6, and version information (7+)


def test_symbol_version_equals_qrcode_best_fit():
    """The counted version is qrcode's, across the length-field steps (versions 9/10 and 26/27),
    digit and capital-letter runs that qrcode codes in denser modes, and past the largest symbol."""
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "-_/.%"
    urls = [f"https://wm.example.cn/s/{''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 700)))}/"
            for _ in range(1000)]
    urls += [f"https://wm.example.cn/s/{'x' * k}/" for k in range(0, 2400, 11)]
    urls += [f"https://wm.example.cn/s/{'7' * k}/" for k in range(0, 900, 13)]
    urls += [f"HTTPS://WM.EXAMPLE.CN/S/{'Q' * k}" for k in range(0, 3500, 23)]
    versions = set()
    for url in urls:
        qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M)
        qr.add_data(url)
        try:
            want = qr.best_fit()
        except (qrcode.exceptions.DataOverflowError, ValueError):  # qrcode: "Invalid version (was 41)"
            with pytest.raises(qrcode.exceptions.DataOverflowError):
                qrmod.symbol_version(url)
            continue
        assert qrmod.symbol_version(url) == want, url
        versions.add(want)
    assert {9, 10, 26, 27, 40} <= versions


def test_codewords_equal_qrcode_create_data_in_every_version():
    """The Reed-Solomon tables give qrcode's codewords, interleaved the same way, in every version
    (one block up to version 3, then up to 49 blocks of two sizes) and every segment mode."""
    rng = random.Random(18004)
    alphabets = [string.ascii_lowercase + "-/.:", string.digits, string.ascii_uppercase + string.digits + " $%*+-./:",
                 "文明实践站abc123"]
    seen = set()
    for i in range(800):
        length = rng.randint(1, 60) if i % 2 else rng.randint(60, 2400)
        text = "".join(rng.choice(rng.choice(alphabets)) for _ in range(length))
        qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M)
        qr.add_data(text)
        try:
            version = qrmod._fit(qr.data_list)
        except qrcode.exceptions.DataOverflowError:
            continue
        want = bytes(qrcode.util.create_data(version, ERROR_CORRECT_M, qr.data_list))
        assert qrmod._codewords(version, qr.data_list) == want, (version, text)
        seen.add(version)
    assert len(seen) >= 30 and {1, 2, 3, 10, 27} <= seen, sorted(seen)


def test_mask_scores_equal_qrcode_lost_point():
    """Not only the chosen mask: each of the eight scores is qrcode's own."""
    for url in varied_urls(160, seed=7):
        qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, border=BORDER)
        qr.add_data(url)
        qr.best_fit()
        version, base = qrmod._test_layout(url)
        lay = qrmod._layout(version)
        assert version == qr.version
        for mask in range(8):
            qr.makeImpl(True, mask)
            assert qrmod._penalty(base ^ lay.masks[mask], lay.valid, lay.n) == lost_point(qr.modules), \
                (url, mask)


def layout_int(grid: list[list[bool]]) -> int:
    """A matrix in the integer form of ``_Layout``: columns, a blank line, rows; a 0 after each line."""
    n = len(grid)
    cols = ["".join("1" if grid[r][c] else "0" for r in range(n)) + "0" for c in range(n)]
    rows = ["".join("1" if v else "0" for v in row) + "0" for row in grid]
    return int("".join(cols) + "0" * (n + 1) + "".join(rows), 2)


def test_penalty_equals_lost_point_on_arbitrary_matrices():
    """Runs, blocks and finder-like patterns anywhere, also touching the edges."""
    rng = random.Random(5)
    finder = [True, False, True, True, True, False, True, False, False, False, False]
    for trial in range(300):
        n = rng.choice([21, 25, 29, 45, 57])
        dark = rng.choice([0.2, 0.5, 0.8])
        grid = [[rng.random() < dark for _ in range(n)] for _ in range(n)]
        for _ in range(rng.randrange(6)):  # plant runs and finder-like patterns, both ways round
            r, c = rng.randrange(n), rng.randrange(n - 10)
            pattern = finder[::-1] if rng.random() < 0.5 else finder
            if rng.random() < 0.3:
                pattern = [rng.random() < 0.5] * rng.randrange(5, 11)
            c = rng.choice([0, n - len(pattern), c])
            for i, v in enumerate(pattern):
                if trial % 2:
                    grid[r][c + i] = v
                else:
                    grid[c + i][r] = v
        valid = layout_int([[True] * n] * n)
        assert qrmod._penalty(layout_int(grid), valid, n) == lost_point(grid), trial


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    out, pos = {}, 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        out.setdefault(data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return out


def test_png_has_the_pixels_and_dpi_of_the_drawn_image():
    urls = ["https://wm.example.cn/s/a/",  # version 2
            "https://wm.example.cn/s/guta-zhaojiamao/",  # 3
            "https://wenming.yuyang.example.cn/s/xinminglou-sanguanhui-dongfanghong/",  # 4
            "https://wm.example.cn/s/" + "x" * 120 + "/",  # 7: version information
            "https://wm.example.cn/s/" + "y" * 400 + "/"]  # 17: 7 pixels a module
    remainders = set()
    for url in urls:
        sym = make_symbol(url)
        new, old = png_of(sym), reference_png(sym)
        got, want = Image.open(io.BytesIO(new)), Image.open(io.BytesIO(old))
        assert got.mode == want.mode == "1"
        assert got.size == want.size and got.size[0] >= PNG_MIN_PIXELS
        assert got.tobytes() == want.tobytes(), url
        assert tuple(round(d) for d in got.info["dpi"]) == (300, 300)
        assert png_chunks(new)[b"pHYs"] == png_chunks(old)[b"pHYs"]
        # Compressed one module row at a time (png_of): up to 2.5 times Pillow's optimize=True
        # file, which is still a few kilobytes for a 1,200-pixel print image.
        assert len(new) <= len(old) * 2.5 and len(new) < 8_000, (url, len(new), len(old))
        assert [b.text for b in zxingcpp.read_barcodes(got)] == [url]
        remainders.add(got.size[0] % 8)
    assert remainders - {0}, "some widths are not whole bytes (the padding of each row is tested)"
