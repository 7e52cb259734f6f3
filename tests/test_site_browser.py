"""The demo site in headless Chromium at phone size: pages render, nothing leaves localhost, search works.

Screenshots go to $WENMING_SCREENSHOTS when set (else a temporary folder), for people to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import browser
from tests.browser import Browser, serve_dir

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not browser.available(), reason="chromium not installed")]

# `site` (the demo built once per session) comes from test_site.py's fixture.
from tests.test_site import site  # noqa: F401


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = os.environ.get("WENMING_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        return Path(out)
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="module")
def served(site):  # noqa: F811
    with serve_dir(site) as base:
        yield base


def _pick(demo_network):
    station = next(s for s in demo_network.stations.values() if s.phone and s.services and s.parent
                   and s.status.value == "active")
    case = min(demo_network.cases.values(), key=lambda c: (-c.year, c.id))
    return station, case


def test_phone_pages_render_locally(served, demo_network, shots):
    station, case = _pick(demo_network)
    with Browser(360, 740) as b:
        b.open(served)
        text = b.text()
        assert demo_network.root.name in text and "实践站" in text
        b.screenshot(shots / "home-360.png")

        b.open(served + f"stations/{station.id}/")
        assert station.name in b.text()
        call = b.eval("(() => { const a = document.querySelector('.wm-contact a[href^=\"tel:\"]');"
                      " const r = a.getBoundingClientRect(); return [a.getAttribute('href'), r.width, r.height,"
                      " parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)]; })()")
        assert call[0].startswith("tel:")
        assert call[1] >= 280 and call[2] >= 44, "the call button is a big touch target on a phone"
        assert call[3] >= 17, "body text is at least 17px on a phone"
        overflow = b.eval("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, "nothing sticks out sideways on a 360px screen"
        b.screenshot(shots / "station-360.png")

        b.open(served + f"cases/{case.id}/")
        assert case.title in b.text()
        b.screenshot(shots / "case-360.png")
        broken_imgs = b.eval("[...document.images].filter(i => i.complete && i.naturalWidth === 0).length")
        assert broken_imgs == 0
        assert b.external_requests() == [], "no request may leave localhost"


def test_pages_work_without_javascript(served, demo_network):
    station, _case = _pick(demo_network)
    with Browser(360, 740) as b:
        b.send("Emulation.setScriptExecutionDisabled", {"value": True}, session=True)
        b.open(served + f"stations/{station.id}/", settle=0)
        text = b.text()
        assert station.phone in text and station.services[0].name in text
        assert b.eval("document.querySelectorAll('.wm-services a[href^=\"tel:\"]').length") == len(station.services)


def test_desktop_screenshots(served, demo_network, shots):
    station, case = _pick(demo_network)
    with Browser(1280, 900) as b:
        for name, url in (("home", ""), ("station", f"stations/{station.id}/"), ("directory", "directory/station/"),
                          ("case", f"cases/{case.id}/")):
            b.open(served + url)
            assert b.eval("document.querySelector('h1') !== null")
            b.screenshot(shots / f"{name}-1280.png")
        b.set_viewport(360, 740)
        b.open(served + "directory/station/")
        b.screenshot(shots / "directory-360.png")
        assert b.external_requests() == []


@pytest.mark.parametrize("query, expect", [
    ("赵家峁", "趙家峁"),      # Simplified query finds a case written in Traditional
    ("拴正銀行", "拴正银行"),  # Traditional query finds pages written in Simplified
])
def test_search_simplified_and_traditional(site, served, query, expect):  # noqa: F811
    assert "pagefind" in (site / "index.html").read_text(encoding="utf-8"), "the search is wired into the pages"
    with Browser(360, 740) as b:
        b.open(served)
        b.eval("document.getElementById('__search').checked = true")  # what tapping the magnifier does
        b.type("input.md-search__input", query)
        found = b.wait_for(
            "(() => { const box = document.querySelector('.md-search-result');"
            " return box && box.innerText.includes(" + repr(expect) + ") ? box.innerText : ''; })()",
            timeout=15)
        assert expect in found
        assert b.external_requests() == []
