"""The symbol ``qrcode`` makes, with its mask chosen several times faster.

``qrcode`` picks the mask by laying the data out eight times (once per mask) and scoring
each layout in pure Python. A mask only flips data modules, so here the data is laid out
once, each mask is applied to whole rows and columns held as integers, and the four
penalty rules are counted with bit operations and regular expressions. The scores are
those of ``qrcode.util.lost_point`` on the same test layouts (format information light),
so the chosen mask, and the symbol, are the ones ``qrcode`` itself would make; the tests
compare both on thousands of URLs.
"""

from __future__ import annotations

import functools
import itertools
import re

import qrcode
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M

_RUNS = re.compile(r"0{5,}|1{5,}")
_FINDER = re.compile(r"(?=10111010000|00001011101)")


@functools.lru_cache(maxsize=64)
def _layout(version: int) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """For a version: each mask's flips of data modules, per row and per column."""
    n = version * 4 + 17
    probe = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M)
    probe.modules_count = n
    probe.add_data("")
    probe.makeImpl(True, 0)  # fills qrcode's blank cache for this version
    blank = qrcode.main.copy_2d_array(qrcode.main.precomputed_qr_blanks[version])
    probe.modules = blank
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    data = [[blank[r][c] is None for c in range(n)] for r in range(n)]
    rows, cols = [], []
    for pattern in range(8):
        flip = qr_util.mask_func(pattern)
        grid = [[data[r][c] and bool(flip(r, c)) for c in range(n)] for r in range(n)]
        rows.append(tuple(_bits(row) for row in grid))
        cols.append(tuple(_bits([grid[r][c] for r in range(n)]) for c in range(n)))
    return tuple(rows), tuple(cols)


def _bits(cells) -> int:
    """A line of modules as an integer, first module in the highest bit."""
    out = 0
    for cell in cells:
        out = (out << 1) | bool(cell)
    return out


def _penalty(rows: list[int], cols: list[int], n: int) -> int:
    """``qrcode.util.lost_point`` of the layout whose rows and columns these are."""
    width = f"0{n}b"
    # every row and column, apart by a "2" that no rule matches across
    text = "2".join([format(x, width) for x in rows] + [format(x, width) for x in cols])
    runs = _RUNS.findall(text)
    score = sum(map(len, runs)) - 2 * len(runs)  # N1: runs of five or more, 3 + (length - 5) each
    score += 40 * len(_FINDER.findall(text))  # N3: finder-like patterns
    full = (1 << (n - 1)) - 1
    for a, b in itertools.pairwise(rows):  # N2: 2x2 blocks of one colour
        same = ~(a ^ b)
        score += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & full).bit_count()
    dark = sum(x.bit_count() for x in rows)  # N4: balance of dark and light
    return score + int(abs(float(dark) / (n ** 2) * 100 - 50) / 5) * 10


def make_matrix(url: str, border: int = 4) -> tuple[int, list[list[bool]]]:
    """(version, module matrix with a ``border``-module quiet zone) of ``url`` at level M."""
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, border=border)
    qr.add_data(url)
    qr.best_fit()
    version, n = qr.version, qr.version * 4 + 17
    qr.makeImpl(True, 0)  # the data laid out once, under mask 0
    mask_rows, mask_cols = _layout(version)
    base_rows = [_bits(row) for row in qr.modules]
    base_cols = [_bits([qr.modules[r][c] for r in range(n)]) for c in range(n)]
    best, best_score, best_rows = 0, None, base_rows
    for pattern in range(8):
        rows = [x ^ m0 ^ mp for x, m0, mp in zip(base_rows, mask_rows[0], mask_rows[pattern])]
        cols = [x ^ m0 ^ mp for x, m0, mp in zip(base_cols, mask_cols[0], mask_cols[pattern])]
        score = _penalty(rows, cols, n)
        if best_score is None or score < best_score:
            best, best_score, best_rows = pattern, score, rows
    # The final symbol: the chosen layout, with its real format (and version) information.
    qr.modules = [[bool(x >> (n - 1 - c) & 1) for c in range(n)] for x in best_rows]
    qr.setup_type_info(False, best)
    if version >= 7:
        qr.setup_type_number(False)
    return version, qr.get_matrix()
