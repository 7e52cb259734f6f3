"""Accessibility of every page kind: axe-core (WCAG 2.1 A/AA), the Nu HTML Checker, reflow, 长辈版, 朗读.

The demo site is built once per session (``site`` from test_site.py, into a temporary folder) and
served on 127.0.0.1. axe-core is injected through the DevTools connection of tests/browser.py; the
Nu checker (npm ``vnu-jar``, run by a JRE) checks every HTML file of the site in one Java run.
Reflow is measured as ``scrollWidth <= innerWidth``:

- at 320 CSS px (WCAG 1.4.10);
- at 200% zoom on a 360 px phone: the layout viewport is then 180 CSS px (rendered at device scale 2);
- with the browser's default font at 24 px (DevTools ``Page.setFontSizes``, what the reader's font
  setting changes).

Screenshots go to $WENMING_SCREENSHOTS when set (else a temporary folder), for people to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import browser
from tests.browser import Browser, serve_dir
from tests.test_site import site  # noqa: F401 - the demo built once per session

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not browser.available(), reason="chromium not installed")]

# One page of every kind (path under the site root).
PAGES = {
    "home": "",
    "center": "stations/yuyang/",
    "institute": "stations/yuyang-gulou/",
    "station": "stations/gulou-dajie/",
    "point": "stations/yuhe-jishi/",
    "base": "stations/shaanbei-minge/",
    "merged": "stations/guta-qianwa/",
    "closed": "stations/gulou-nanguan/",
    "qr": "s/gulou-dajie/",
    "project": "projects/shuanzheng-yinhang/",
    "person": "people/wang-chunmei/",
    "case": "cases/yuhe-jishi-pufa/",
    "stations-index": "stations/",
    "projects-index": "projects/",
    "people-index": "people/",
    "cases-index": "cases/",
    "casebooks-index": "casebooks/",
    "directory": "directory/",
    "directory-level": "directory/station/",
    "directory-region": "directory/regions/yuyang-gulou/",
    "stats": "stats/",
    "casebook-web": "casebooks/2023/",
    "editorial": "about/",
    "404": "404.html",
}


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


@pytest.fixture(scope="module")
def tab():
    with Browser(360, 740) as b:
        yield b


def test_every_page_kind_exists(site):  # noqa: F811
    for kind, path in PAGES.items():
        target = site / path if path.endswith(".html") else site / path / "index.html"
        assert target.is_file(), f"{kind}: {target} missing from the demo site"


# ------------------------------------------------------------------------ Nu HTML Checker


def nu_errors(files: list[Path]) -> dict[str, list[str]]:
    """Errors of the Nu HTML Checker per file (one Java run for all files)."""
    proc = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
                          capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(proc.stderr or proc.stdout or '{"messages": []}')
    found: dict[str, list[str]] = {}
    for m in report["messages"]:
        if m.get("type") == "error" or m.get("subType") == "fatal":
            found.setdefault(m.get("url", "?").removeprefix("file:"), []).append(
                f"{m.get('lastLine', '?')}: {m['message']} «{m.get('extract', '').strip()[:80]}»")
    return found


@pytest.mark.skipif(not (VNU.is_file() and shutil.which("java")),
                    reason="vnu-jar or java not installed (bash scripts/install.sh)")
def test_nu_checker_finds_no_error_on_any_page(site):  # noqa: F811
    files = sorted(site.rglob("*.html"))
    assert len(files) > 40
    found = nu_errors(files)
    listing = "\n".join(f"{Path(f).relative_to(site)}: {e}" for f, errs in sorted(found.items()) for e in errs)
    assert not found, f"Nu HTML Checker: {sum(map(len, found.values()))} errors\n{listing}"


# ------------------------------------------------------------------------ axe-core


def axe_violations(b: Browser) -> list[str]:
    if not b.eval("typeof window.axe === 'object'"):
        b.eval(AXE.read_text(encoding="utf-8"))
    result = b.eval("axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})"
                    ".then(r => r.violations.map(v => v.id + ' (' + v.nodes.length + '): ' + v.help + ' — '"
                    " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))" % json.dumps(WCAG21_AA),
                    await_promise=True)
    return result


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (bash scripts/install.sh)")
@pytest.mark.parametrize("kind", PAGES)
def test_axe_finds_no_wcag21_aa_violation(kind, served, tab):
    tab.open(served + PAGES[kind], settle=0.1)
    violations = axe_violations(tab)
    assert violations == [], f"{kind}: " + "\n".join(violations)


# ------------------------------------------------------------------------ reflow

OVERFLOW = """(() => {
  const w = window.innerWidth, out = [];
  const fixed = e => { for (; e; e = e.parentElement) if (getComputedStyle(e).position === 'fixed') return true; };
  const wide = e => e && e.getBoundingClientRect().right > w + 1;
  for (const e of document.querySelectorAll('body *'))
    if (wide(e) && !wide(e.parentElement) && !fixed(e)) out.push(
      (e.tagName + '.' + [...e.classList].join('.')).slice(0, 60) + ' ' + Math.round(e.getBoundingClientRect().right));
  return [document.documentElement.scrollWidth, w, out.slice(0, 6)];
})()"""


def overflow(b: Browser, url: str) -> str | None:
    """None, or how far the page at ``url`` sticks out of the browser's width (a phone browser widens
    its layout viewport to the page, so the width set is the measure, not ``innerWidth``)."""
    b.open(url, settle=0.1)
    scroll, _inner, culprits = b.eval(OVERFLOW.replace("window.innerWidth", str(b.width)))
    return None if scroll <= b.width else f"{scroll} px wide in {b.width}: {culprits}"


@pytest.mark.parametrize("mode", ["320px", "200% zoom on 360px", "24px default font"])
def test_no_page_scrolls_sideways(mode, served):
    width, scale = {"320px": (320, 1), "200% zoom on 360px": (180, 2), "24px default font": (360, 1)}[mode]
    with Browser(width, 740 // scale, scale=scale, mobile=False) as b:
        if mode == "24px default font":
            b.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}}, session=True)
        b.open(served, settle=0.1)
        assert b.eval("document.documentElement.clientWidth") == width
        if mode == "24px default font":
            assert b.eval("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 24
        wide = {kind: o for kind in PAGES if (o := overflow(b, served + PAGES[kind]))}
    assert not wide, f"{mode}: pages scroll sideways:\n" + "\n".join(f"{k}: {v}" for k, v in wide.items())
