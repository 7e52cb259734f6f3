"""Facts kept once: what two outputs share comes from one place, so they cannot drift apart."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

from click.testing import CliRunner

from generator.cli import cli

STATION = """\
---
name: 古塔镇新时代文明实践所
level: 所
parent: ceshi
phone: 0912-3851000
address: 古塔镇政府院内
location: {{lat: 38.3724, lng: 109.8517}}
coords: {coords}
---
正文。
"""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and (href.startswith("https://uri.amap.com/") or href.startswith("geo:")):
            self.hrefs.append(href)


def map_hrefs(path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.hrefs


def test_station_page_and_contact_page_open_the_same_place(tree, tmp_path):
    """The site's station page and the QR contact page share one map-link builder and one
    GCJ-02 converter: the same Amap and geo: links, for GCJ-02 and for WGS-84 coordinates."""
    for coords in ("gcj02", "wgs84"):
        root = tree({"content/stations/guta.md": STATION.format(coords=coords)})
        site = tmp_path / f"site-{coords}"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
                              cwd=root, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
        page = map_hrefs(site / "stations" / "guta" / "index.html")
        contact = map_hrefs(site / "s" / "guta" / "index.html")
        assert len(page) == 2 and sorted(page) == sorted(contact), (page, contact)
        amap = next(h for h in page if h.startswith("https://"))
        assert f"coordinate={'wgs84' if coords == 'wgs84' else 'gaode'}" in amap
        lat, lng = map(float, re.match(r"geo:([\d.]+),([\d.]+)", next(h for h in page if h.startswith("geo:")))
                       .groups())
        if coords == "wgs84":
            assert (lat, lng) == (38.3724, 109.8517)
        else:  # GCJ-02 is shifted from WGS-84 by a few hundred metres here
            assert 0.0005 < abs(lat - 38.3724) + abs(lng - 109.8517) < 0.01


def test_ledger_file_takes_the_headers_an_imported_sheet_takes(tree):
    """content/activities/*.csv and an imported activity sheet read headers through one table."""
    root = tree({
        "content/stations/guta.md": STATION.format(coords="gcj02"),
        "content/activities/2023.csv": "活动日期,举办阵地,活动主题,活动类别,受益人数,志愿者数,时长（小时）\n"
                                        "2023-03-05,guta,学雷锋志愿服务,卫生环保,30,8,2\n",
    })
    result = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), "check"])
    assert result.exit_code == 0, result.output
    assert "1 条活动记录" in result.output
    from generator.config import load_config
    from generator.load import load

    net, _ = load(load_config(root / "mkdocs.yml"))
    act = net.activities[0]
    assert (act.date, act.station, act.title, act.participants, act.volunteers, act.hours) == \
        ("2023-03-05", "guta", "学雷锋志愿服务", 30, 8, 2.0)
