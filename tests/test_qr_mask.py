"""The fast mask choice gives exactly the symbol the ``qrcode`` library makes."""

from __future__ import annotations

import random
import string

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from generator.render.qr import BORDER, make_symbol


def reference(url: str) -> tuple[int, list[list[bool]]]:
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, border=BORDER)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.version, qr.get_matrix()


def test_symbols_equal_qrcode_for_thousands_of_urls():
    rng = random.Random(2019)
    alphabet = string.ascii_lowercase + string.digits + "-"
    hosts = ["https://wm.example.cn", "https://wenming.jinan.example.org", "http://10.0.0.1:8000",
             "https://wenming.yuyang.gov.example.cn/site"]
    versions = set()
    for i in range(800):
        rid = "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 4, 8, 12, 16, 24, 40, 70, 110])))
        url = f"{rng.choice(hosts)}/s/{rid}/"
        version, matrix = reference(url)
        sym = make_symbol(url)
        versions.add(version)
        assert sym.version == version, url
        assert [list(row) for row in sym.matrix] == [[bool(c) for c in row] for row in matrix], url
    assert min(versions) <= 2 and max(versions) >= 7, versions  # small symbols and version info (7+)
