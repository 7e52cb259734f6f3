# ruff: noqa: F811 - the fixtures `site`, `served` and `shots` are imported, then taken as parameters

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
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests import browser
from tests.browser import Browser
from tests.test_site import site  # noqa: F401 - the demo built once per session
from tests.test_site_browser import served, shots  # noqa: F401 - it served; where screenshots go

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
def tab():
    with Browser(360, 740) as b:
        yield b


def test_every_page_kind_exists(site):
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
def test_nu_checker_finds_no_error_on_any_page(site):
    files = sorted(site.rglob("*.html"))
    assert len(files) > 40
    found = nu_errors(files)
    listing = "\n".join(f"{Path(f).relative_to(site)}: {e}" for f, errs in sorted(found.items()) for e in errs)
    assert not found, f"Nu HTML Checker: {sum(map(len, found.values()))} errors\n{listing}"


# ------------------------------------------------------------------------ axe-core


def axe_violations(b: Browser) -> list[str]:
    if not b.eval("typeof window.axe === 'object'"):
        b.eval(AXE.read_text(encoding="utf-8"))
    tags = json.dumps(WCAG21_AA)
    return b.eval(f"axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}, resultTypes: ['violations']}})"
                  ".then(r => r.violations.map(v => v.id + ' (' + v.nodes.length + '): ' + v.help + ' — '"
                  " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))", await_promise=True)


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


@pytest.mark.parametrize("mode", ["320px", "200% zoom on 360px", "24px default font", "长辈版 at 200% zoom"])
def test_no_page_scrolls_sideways(mode, served):
    width, scale = {"320px": (320, 1), "200% zoom on 360px": (180, 2), "24px default font": (360, 1),
                    "长辈版 at 200% zoom": (180, 2)}[mode]
    with Browser(width, 740 // scale, scale=scale, mobile=False) as b:
        if mode == "24px default font":
            b.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}}, session=True)
        b.open(served, settle=0.1)
        if mode.startswith("长辈版"):
            b.eval("localStorage.setItem('wenming-reader', 'elder')")
            b.open(served, settle=0.1)
            assert b.eval("document.documentElement.classList.contains('wm-elder')")
        assert b.eval("document.documentElement.clientWidth") == width
        if mode == "24px default font":
            assert b.eval("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 24
        wide = {kind: o for kind in PAGES if (o := overflow(b, served + PAGES[kind]))}
    assert not wide, f"{mode}: pages scroll sideways:\n" + "\n".join(f"{k}: {v}" for k, v in wide.items())


def broken_digit_groups(b: Browser, selector: str) -> list[str]:
    """Text pieces of the phone number in ``selector`` that the browser broke across lines."""
    return b.eval("""(box => [box, ...box.querySelectorAll('*')].flatMap(e => [...e.childNodes])
      .filter(n => n.nodeType === 3 && /\\d/.test(n.textContent))
      .filter(n => { const r = document.createRange(); r.selectNodeContents(n);
                     return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; })
      .map(n => n.textContent))(document.querySelector(SELECTOR))""".replace("SELECTOR", json.dumps(selector)))


def test_call_button_number_wraps_at_its_hyphen_at_200_percent(served):
    with Browser(180, 370, scale=2, mobile=False) as b:
        for elder in (False, True):
            b.open(served + PAGES["qr"], settle=0.1)
            b.eval("localStorage.setItem('wenming-reader', 'elder')" if elder else "localStorage.clear()")
            for kind in ("station", "center", "qr"):
                b.open(served + PAGES[kind], settle=0.1)
                selector = ".call" if kind == "qr" else ".wm-call__number"
                assert broken_digit_groups(b, selector) == [], f"{kind}: phone digits broken across lines"


# ------------------------------------------------------------------------ 长辈版

ELDER_MEASURES = """(() => {
  const px = v => parseFloat(v) || 0;
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
                                                                && getComputedStyle(e).visibility !== 'hidden'; };
  const main = [...document.querySelectorAll(%(text)s)].filter(visible);
  const text = main.map(e => { const s = getComputedStyle(e);
    return [e.tagName, px(s.fontSize), px(s.lineHeight) / px(s.fontSize)]; });
  const gaps = [];
  for (const p of document.querySelectorAll(%(paras)s)) {
    const next = p.nextElementSibling;
    if (next && next.tagName === 'P' && visible(p) && visible(next))
      gaps.push((next.getBoundingClientRect().top - p.getBoundingClientRect().bottom) / px(getComputedStyle(p).lineHeight));
  }
  const controls = [...document.querySelectorAll(%(controls)s)].filter(visible).map(e => {
    const r = e.getBoundingClientRect(); return [e.className || e.tagName, Math.round(r.width), Math.round(r.height)]; });
  const moving = [...document.querySelectorAll('body *')].filter(e => { const s = getComputedStyle(e);
    return s.animationName !== 'none' || s.transitionDuration.split(',').some(d => parseFloat(d) > 0); }).length;
  return {text, gaps, controls, moving, wide: document.documentElement.scrollWidth};
})()"""

SITE_TEXT = "'.md-typeset p, .md-typeset dd, .md-typeset li'"
SITE_PARAS = "'.md-typeset > p, .md-typeset section > p, .wm-body p, .wm-notice p'"  # text, not card labels
SITE_CONTROLS = ("'.wm-mode, .md-header__button:not(.md-logo), .md-typeset .wm-button, .wm-speak button, "
                 ".md-typeset .wm-services__ask a'")


def elder_measures(b: Browser, text: str, paras: str, controls: str) -> dict:
    return b.eval(ELDER_MEASURES % {"text": text, "paras": paras, "controls": controls})


def assert_elder_rules(m: dict, where: str, *, min_text: float = 22) -> None:
    small = [t for t in m["text"] if t[1] < min_text - 0.01]
    assert m["text"] and not small, f"{where}: main text under {min_text}px: {small[:5]}"
    tight = [t for t in m["text"] if t[2] < 1.3]
    assert not tight, f"{where}: line height under 1.3: {tight[:5]}"
    assert all(g >= 1.3 - 0.01 for g in m["gaps"]), f"{where}: paragraph spacing {m['gaps']}"
    little = [c for c in m["controls"] if c[1] < 60 or c[2] < 60]
    assert m["controls"] and not little, f"{where}: controls under 60x60 px: {little}"
    assert m["moving"] == 0, f"{where}: {m['moving']} elements animate"


def axe_enhanced_contrast(b: Browser) -> list[str]:
    """axe-core's 7:1 text contrast rule (WCAG AAA 1.4.6), the MIIT rule for 长辈版."""
    if not b.eval("typeof window.axe === 'object'"):
        b.eval(AXE.read_text(encoding="utf-8"))
    return b.eval("axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast-enhanced']}})"
                  ".then(r => r.violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ': '"
                  " + (n.any[0] && n.any[0].message))))", await_promise=True)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (bash scripts/install.sh)")
def test_elder_switch_is_remembered_and_meets_the_miit_rules(served, shots):
    with Browser(360, 740) as b:
        b.open(served + PAGES["home"])
        switch = b.wait_for("(() => { const s = document.querySelector('.md-header .wm-mode');"
                            " const r = s && s.getBoundingClientRect(); return s && r.width > 0 && s.textContent; })()")
        assert switch == "长辈版"
        b.screenshot(shots / "home-360-standard.png")
        b.eval("document.querySelector('.wm-mode').click()")
        assert b.eval("document.documentElement.classList.contains('wm-elder')")
        assert b.eval("document.querySelector('.wm-mode').textContent") == "标准版"
        # remembered on the next page, applied before the first paint by the inline script in <head>:
        # it works with reader.js (deferred, so it may run after the first paint) never arriving
        b.send("Network.setBlockedURLs", {"urls": ["*/reader.js"]}, session=True)
        b.open(served + PAGES["station"])
        assert b.eval("document.documentElement.classList.contains('wm-elder')")
        assert b.eval("document.querySelector('.wm-mode')") is None, "reader.js was blocked"
        b.send("Network.setBlockedURLs", {"urls": []}, session=True)
        b.open(served + PAGES["station"])
        assert b.eval("document.documentElement.classList.contains('wm-elder')")
        # nothing in <head> but style sheets holds the first paint back: scripts there are inline or deferred
        blocking = b.eval("[...document.head.querySelectorAll('script[src]:not([defer]):not([async])')]"
                          ".map(s => s.getAttribute('src'))")
        assert blocking == []
        assert b.eval("[...document.querySelectorAll('script[src*=\"/bundle.\"]')].map(s => s.defer)") == [True]
        m = elder_measures(b, SITE_TEXT, SITE_PARAS, SITE_CONTROLS)
        assert_elder_rules(m, "station page")
        assert m["wide"] <= 360
        assert axe_enhanced_contrast(b) == []
        # one column, and the phone, hours and the way there come first
        order = b.eval("""(() => {
          const top = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top : null; };
          const lefts = [...document.querySelectorAll('.wm-services > li')].map(e => e.getBoundingClientRect().left);
          return {contact: top('.wm-contact'), call: top('.wm-call a'), hours: top('.wm-facts'),
                  way: top('.wm-maplinks'), body: top('.wm-body'), services: top('.wm-services'),
                  columns: new Set(lefts).size};
        })()""")
        assert order["columns"] == 1
        assert order["contact"] < min(v for k, v in order.items() if k in ("body", "services") and v is not None)
        assert order["call"] < order["hours"] <= order["way"]
        b.screenshot(shots / "station-360-elder.png")
        b.open(served)
        assert b.eval("document.documentElement.classList.contains('wm-elder')")
        b.screenshot(shots / "home-360-elder.png")
        b.eval("document.querySelector('.wm-mode').click()")
        b.open(served + PAGES["station"])
        assert not b.eval("document.documentElement.classList.contains('wm-elder')"), "标准版 is remembered too"


def test_elder_pages_reflow_when_the_reader_enlarges_text_to_30px(served, shots):
    with Browser(360, 740) as b:
        b.send("Page.setFontSizes", {"fontSizes": {"standard": 22, "fixed": 18}}, session=True)
        b.open(served + PAGES["station"])
        b.eval("localStorage.setItem('wenming-reader', 'elder')")
        wide = {}
        for kind in ("home", "station", "center", "qr", "project", "person", "case", "stats", "stations-index"):
            b.open(served + PAGES[kind], settle=0.1)
            size = b.eval("parseFloat(getComputedStyle(document.querySelector('main p, .md-typeset p')).fontSize)")
            assert size >= 30, f"{kind}: main text {size}px with a 22px default font in 长辈版"
            scroll = b.eval("document.documentElement.scrollWidth")
            if scroll > 360:
                wide[kind] = scroll
            if kind in ("station", "qr"):
                b.screenshot(shots / f"{kind}-360-elder-30px.png")
        assert not wide, f"长辈版 at 30px text scrolls sideways: {wide}"


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not installed (bash scripts/install.sh)")
def test_qr_page_is_large_print_by_default(served, shots):
    """The contact page behind a printed QR code is read by elderly residents: it meets the 长辈版 rules
    as it is (one request, no script), and follows the reader's font setting (rem sizes)."""
    qr_text = "'main p, main dd, main li, .call'"
    qr_controls = "'.call, .maps a, .more a'"
    with Browser(360, 740) as b:
        b.open(served + PAGES["qr"])
        m = elder_measures(b, qr_text, "'main p'", qr_controls)
        assert_elder_rules(m, "QR page")
        assert axe_enhanced_contrast(b) == []
        assert b.eval("[...document.querySelectorAll('a[href^=\"tel:\"]')].length") >= 1
        b.screenshot(shots / "qr-360.png")
    with Browser(360, 740) as b:
        b.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}}, session=True)
        b.open(served + PAGES["qr"])
        size = b.eval("parseFloat(getComputedStyle(document.querySelector('main dd')).fontSize)")
        assert size >= 24 * 1.375 - 0.1, "the QR page follows the reader's default font size"
        assert b.eval("document.documentElement.scrollWidth") <= 360
    with Browser(180, 370, scale=2, mobile=False) as b:
        b.open(served + PAGES["qr"])
        assert b.eval("document.documentElement.scrollWidth") <= 180
        assert broken_digit_groups(b, ".call") == [], "the number wraps after its hyphen, not inside digits"
        b.screenshot(shots / "qr-200pct.png")


# ------------------------------------------------------------------------ phones and tap targets

PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9}|400-\d{3}-\d{4})(?![\d])")


def test_every_phone_number_on_every_page_is_a_tel_link(site):
    plain: list[str] = []
    pages = 0
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        body = soup.body
        if body is None:
            continue
        pages += 1
        for node in body.find_all(string=PHONE):
            if node.find_parent(["script", "style", "title", "svg"]) is not None:
                continue
            link = node.find_parent("a")
            if link is None or not str(link.get("href", "")).startswith("tel:"):
                plain.append(f"{path.relative_to(site)}: {PHONE.search(node).group(0)}")
    assert pages > 40
    assert not plain, f"{len(plain)} phone numbers are not tel: links:\n" + "\n".join(plain[:20])


TAP_TARGETS = ("'.wm-call a, .wm-contact a, .wm-crumbs a, .wm-maplinks a, .wm-services__ask a, .wm-more a, "
               "ul.wm-list a, a.wm-phone, .wm-mode, .md-header__button:not(.md-logo)'")


@pytest.mark.parametrize("kind", ["home", "station", "center", "stations-index", "directory-region", "project",
                                  "person", "qr"])
def test_tap_targets_are_at_least_44px(kind, served, tab):
    tab.open(served + PAGES[kind], settle=0.2)
    small = tab.eval("""(() => [...document.querySelectorAll(%s)].filter(e => {
        const r = e.getBoundingClientRect(); return r.width > 0 && (r.width < 44 || r.height < 44); })
      .map(e => e.textContent.trim().slice(0, 20) + ' ' + Math.round(e.getBoundingClientRect().width) + 'x'
                + Math.round(e.getBoundingClientRect().height)))()""" % (
        "'.call, .maps a, .more a'" if kind == "qr" else TAP_TARGETS))
    assert small == [], f"{kind}: tap targets under 44x44 px: {small}"


# ------------------------------------------------------------------------ 朗读

SPEECH_STUB = """(() => {
  const voices = %s;
  const log = window.__speech = {spoken: [], calls: [], voice: null};
  const synth = {
    paused: false, speaking: false,
    getVoices() { return voices; },
    speak(u) { log.spoken.push(u.text); log.voice = u.voice && u.voice.lang; this.speaking = true; },
    pause() { log.calls.push('pause'); this.paused = true; },
    resume() { log.calls.push('resume'); this.paused = false; },
    cancel() { log.calls.push('cancel'); this.speaking = false; },
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})()"""


def speech_browser(voices: list[dict]) -> Browser:
    b = Browser(360, 740)
    b.send("Page.addScriptToEvaluateOnNewDocument", {"source": SPEECH_STUB % json.dumps(voices)}, session=True)
    return b


def test_read_aloud_reads_the_content_with_a_chinese_voice(served):
    with speech_browser([{"lang": "en-US", "name": "English"}, {"lang": "zh-CN", "name": "普通话"}]) as b:
        b.open(served + PAGES["station"])
        b.wait_for("!!document.querySelector('.wm-speak__play')")
        assert b.eval("document.querySelector('.wm-speak__pause').hidden")
        b.eval("document.querySelector('.wm-speak__play').click()")
        spoken = b.eval("window.__speech.spoken.join('')")
        assert "鼓楼街道大街社区新时代文明实践站" in spoken and "0912-3326782" in spoken and "开放时间" in spoken
        assert "首页" not in spoken[:10], "the breadcrumbs are not read"
        assert b.eval("window.__speech.voice") == "zh-CN"
        assert max(b.eval("window.__speech.spoken.map(t => t.length)")) <= 200, "read in short pieces"
        assert not b.eval("document.querySelector('.wm-speak__pause').hidden")
        b.eval("document.querySelector('.wm-speak__pause').click()")
        assert b.eval("document.querySelector('.wm-speak__pause').textContent") == "继续"
        b.eval("document.querySelector('.wm-speak__pause').click()")
        b.eval("document.querySelector('.wm-speak__stop').click()")
        assert b.eval("window.__speech.calls.slice(-3)") == ["pause", "resume", "cancel"]
        assert not b.eval("document.querySelector('.wm-speak__play').hidden")


def test_read_aloud_reads_a_traditional_page_once(served):
    with speech_browser([{"lang": "zh-CN", "name": "普通话"}]) as b:
        b.open(served + "cases/chenghua-shijiandian/")
        b.wait_for("!!document.querySelector('.wm-speak__play')")
        b.eval("document.querySelector('.wm-speak__play').click()")
        spoken = b.eval("window.__speech.spoken.join('')")
        assert "把文明實踐延伸到院落和家門口" in spoken
        assert "把文明实践延伸到院落和家门口" not in spoken, "the hidden Simplified copy for search is not read"


def test_read_aloud_is_hidden_without_a_chinese_voice(served):
    with speech_browser([{"lang": "en-US", "name": "English"}]) as b:
        b.open(served + PAGES["station"])
        assert b.eval("document.querySelector('.wm-speak')") is None
        assert b.eval("document.querySelector('.wm-mode')") is not None, "the 长辈版 switch is there regardless"


LAYOUT_SHIFT = """window.__shift = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
  .observe({type: 'layout-shift', buffered: true});"""


@pytest.mark.parametrize("elder", [False, True])
def test_nothing_moves_while_a_page_loads(served, elder):
    """Lighthouse's CLS in a real browser: the remembered 长辈版, the switch and 朗读 (with a Chinese
    voice) and the nearby page's script may not shift what the reader already sees."""
    with speech_browser([{"lang": "zh-CN", "name": "普通话"}]) as b:
        b.open(served)
        b.eval("localStorage.setItem('wenming-reader', 'elder')" if elder else "localStorage.clear()")
        b.send("Page.addScriptToEvaluateOnNewDocument", {"source": LAYOUT_SHIFT}, session=True)
        # a phone on a slow network, as Lighthouse has it: the page paints before its scripts run
        b.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150, "downloadThroughput": 200_000,
                                                    "uploadThroughput": 90_000}, session=True)
        b.send("Emulation.setCPUThrottlingRate", {"rate": 4}, session=True)
        for kind in ("home", "station", "qr", "stats", "nearby"):
            b.open(served + (PAGES[kind] if kind != "nearby" else "nearby/"), settle=0.5)
            if kind != "qr":  # large print as it is, one request with no script
                assert b.eval("document.documentElement.classList.contains('wm-elder')") is elder, kind
            b.pump(0.5)
            assert b.eval("Math.round(window.__shift * 1000) / 1000") == 0, f"{kind}: layout shift while loading"
            if kind == "station":  # 暂停 and 停止 wait until reading starts, in 长辈版 too
                assert b.eval("[...document.querySelectorAll('.wm-speak button')].filter(e => e.getClientRects().length)"
                              ".map(e => e.textContent)") == ["朗读本页"]


# ------------------------------------------------------------------------ keyboard


def press_tab(b: Browser, shift: bool = False) -> None:
    for kind in ("rawKeyDown", "keyUp"):
        b.send("Input.dispatchKeyEvent", {"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9,
                                          "modifiers": 8 if shift else 0}, session=True)


FOCUSED = """(() => { const e = document.activeElement; const s = getComputedStyle(e); const r = e.getBoundingClientRect();
  return {tag: e.tagName, text: (e.textContent || '').trim().slice(0, 20), href: e.getAttribute('href'),
          outline: s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth), shown: parseFloat(s.opacity) > 0,
          top: r.top + scrollY}; })()"""


def test_keyboard_skip_link_focus_ring_and_order(served):
    with Browser(360, 740) as b:
        b.open(served + PAGES["station"])
        press_tab(b)
        b.pump(0.5)  # Material fades the skip link in
        first = b.eval(FOCUSED)
        assert first["href"] == "#wm-main" and first["text"] == "跳到正文" and first["shown"], first
        assert first["outline"] >= 2 or b.eval("getComputedStyle(document.activeElement).backgroundColor") != "rgba(0, 0, 0, 0)"
        b.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Enter", "code": "Enter",
                                          "windowsVirtualKeyCode": 13}, session=True)
        b.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter",
                                          "windowsVirtualKeyCode": 13}, session=True)
        b.pump(0.2)
        assert b.eval("location.hash") == "#wm-main"
        press_tab(b)
        after = b.eval(FOCUSED)
        assert b.eval("!!document.activeElement.closest('.md-content')"), f"skip link leads into the content: {after}"
        # Every stop in the content shows a ring; the order follows the page from top to bottom.
        stops = [after]
        for _ in range(12):
            press_tab(b)
            stops.append(b.eval(FOCUSED))
        rings = [s for s in stops if s["outline"] < 2]
        assert not rings, f"focus without a visible ring: {rings}"
        tops = [s["top"] for s in stops]
        assert tops == sorted(tops), f"tab order jumps around: {[(s['text'], round(s['top'])) for s in stops]}"
        # the call button, the switch and the services can all be reached
        b.open(served + PAGES["station"])
        reached = set()
        for _ in range(60):
            press_tab(b)
            reached.add(b.eval("(document.activeElement.getAttribute('href') || '') + ' ' + document.activeElement.className"))
        joined = " ".join(reached)
        assert "wm-mode" in joined and "wm-button--call" in joined and "tel:" in joined
