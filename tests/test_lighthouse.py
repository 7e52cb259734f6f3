"""Lighthouse (mobile) accessibility, best practices and SEO: 100 on every page kind of the demo.

Lighthouse is an npm dev dependency (package.json; ``npm ci`` in scripts/install.sh) and runs the
system Chromium through benchmarks/lighthouse_driver.mjs, all pages in one browser. Performance
is left to benchmarks/bench_lighthouse.py: on a shared CI machine its simulated timings follow the
machine's load (see the README's figures).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests import browser
from tests.browser import serve_dir
from tests.test_site import site  # noqa: F401 - the demo built once per session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_lighthouse import DEMO_PAGES, LIGHTHOUSE, lighthouse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not browser.available(), reason="chromium not installed"),
    pytest.mark.skipif(not ((LIGHTHOUSE / "package.json").is_file() and shutil.which("node")),
                       reason="lighthouse not installed (bash scripts/install.sh)"),
]


#: One page of each template (a 所, 点 and 基地 share the station page's; the indexes the
#: projects index's): all 25 kinds took 5.7 min on a 2-core machine at load average 14-18, so the
#: test takes these 15; benchmarks/bench_lighthouse.py runs every kind.
KINDS = ("home", "center", "station", "merged", "qr", "project", "person", "case", "projects-index",
         "directory", "directory-level", "stats", "casebook-web", "404", "nearby")


def test_every_page_kind_scores_100_in_accessibility_best_practices_and_seo(site):  # noqa: F811
    pages = {kind: DEMO_PAGES[kind] for kind in KINDS}
    with serve_dir(site) as base:
        results = lighthouse([base + path for path in pages.values()], ("accessibility", "best-practices", "seo"))
    below = {}
    for kind, r in zip(pages, results):
        assert r["url"].endswith(pages[kind]), r["url"]
        scores = r["scores"]
        if r.get("error") or sorted(scores) != ["accessibility", "best-practices", "seo"] \
                or any(v != 100 for v in scores.values()):
            below[kind] = {**scores, "error": r.get("error"), "audits": r["failed"]}
    assert not below, f"Lighthouse below 100 on {len(below)} of {len(pages)} pages: {below}"
