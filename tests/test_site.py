"""The public site: build the demo once, then read the HTML like a visitor (and a crawler) would."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.model import Status, tel_uri

ROOT = Path(__file__).resolve().parent.parent
RESOURCE_ATTRS = {"img": "src", "script": "src", "iframe": "src", "source": "src", "video": "src",
                  "audio": "src", "embed": "src", "track": "src", "object": "data"}


@pytest.fixture(scope="session")
def site(demo_site) -> Path:
    """The demo, built once per session (conftest's ``demo_site``)."""
    return demo_site


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def page(site: Path, url: str) -> BeautifulSoup:
    return soup(site / url / "index.html")


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ------------------------------------------------------------------------ pages exist


def test_every_record_has_its_page(site, demo_network):
    net = demo_network
    for kind, folder, table in (("station", "stations", net.stations), ("project", "projects", net.projects),
                                ("person", "people", net.people), ("case", "cases", net.cases)):
        for rid, rec in table.items():
            path = site / folder / rid / "index.html"
            assert path.is_file(), f"no page for {kind} {rid}"
            doc = soup(path)
            assert doc.find("h1").get_text(strip=True) == rec.title
            assert rec.title in doc.title.get_text()
            canonical = doc.find("link", rel="canonical")
            assert canonical["href"].endswith(f"/{folder}/{rid}/")
    assert not list(site.glob("*/_shell")), "the hidden shell pages must not be published"


def test_hub_pages_exist_and_list_everything(site, demo_network):
    net = demo_network
    for url in ("", "stations/", "directory/", "projects/", "people/", "cases/", "casebooks/", "stats/"):
        assert (site / url / "index.html").is_file(), url
    for year in net.casebooks:
        assert (site / "casebooks" / str(year) / "index.html").is_file()
    listed: set[str] = set()
    for level_page in (site / "directory").glob("*/index.html"):
        for a in soup(level_page).select("article a[href]"):
            m = re.search(r"stations/([a-z0-9-]+)/$", a["href"])
            if m:
                listed.add(m.group(1))
    assert listed == set(net.stations), "the directories by level list every station once"
    projects = page(site, "projects")
    linked = {(site / "projects" / a["href"]).resolve().name for a in projects.select("article a[href]")}
    assert linked >= set(net.projects)
    cases = page(site, "cases").get_text()
    for c in net.cases.values():
        assert c.title in cases


def test_home_page_shows_headline_figures(site, demo_network):
    net = demo_network
    home = page(site, "")
    figures = {li.select_one(".wm-figures__label").get_text(): li.select_one(".wm-figures__value").get_text()
               for li in home.select(".wm-figures__list li")}
    active = [s for s in net.stations.values() if s.status == Status.active]
    teams = [t for s in active for t in s.teams]
    assert figures["实践站"] == f"{sum(1 for s in active if s.level.value == '站'):,}"
    assert figures["志愿服务队伍"] == f"{len(teams):,}"
    assert figures["志愿者"] == f"{sum(t.members or 0 for t in teams):,}"
    assert figures["品牌项目"] == f"{len(net.projects):,}"
    text = home.get_text()
    assert net.root.name in text
    assert "示例" in text


# ------------------------------------------------------------------------ station pages


def test_station_contact_card(site, demo_network):
    s = next(s for s in demo_network.stations.values()
             if s.status == Status.active and s.phone and s.location and s.services and s.parent)
    doc = page(site, f"stations/{s.id}")
    calls = [a["href"] for a in doc.select("a[href^='tel:']")]
    assert tel_uri(s.phone) in calls
    assert s.phone in doc.select_one(".wm-contact").get_text()
    amap = doc.select_one("a[href^='https://uri.amap.com/marker']")["href"]
    assert f"position={s.location.lng:.6f},{s.location.lat:.6f}" in amap
    geo = doc.select_one("a[href^='geo:']")["href"]
    lat, lng = map(float, re.match(r"geo:([-\d.]+),([-\d.]+)", geo).groups())
    assert abs(lat - s.location.lat) < 0.01 and abs(lng - s.location.lng) < 0.01  # WGS-84, metres away
    assert (lat, lng) != (round(s.location.lat, 6), round(s.location.lng, 6))
    if s.hours:
        assert s.hours in doc.get_text()
    services = doc.select(".wm-services > li")
    assert [li.select_one(".wm-services__name").contents[0].strip() for li in services] == [x.name for x in s.services]
    for li in services:
        assert li.select_one("a[href^='tel:']") is not None
    assert not doc.find("iframe") and not doc.find("script", src=re.compile("amap|baidu|qq"))


def test_breadcrumbs_follow_the_hierarchy(site, demo_network):
    net = demo_network
    deepest = max(net.stations.values(), key=lambda s: len(net.ancestors(s.id)))
    assert len(net.ancestors(deepest.id)) >= 2
    doc = page(site, f"stations/{deepest.id}")
    crumbs = doc.select(".wm-crumbs a")
    assert crumbs[0].get_text() == "首页"
    assert [a.get_text() for a in crumbs[1:]] == [a.display_name for a in net.ancestors(deepest.id)]
    for a, anc in zip(crumbs[1:], net.ancestors(deepest.id)):
        target = (site / "stations" / deepest.id / a["href"]).resolve()
        assert target == (site / "stations" / anc.id).resolve()



def test_case_pages_lead_through_their_year_in_book_order(site, demo_network):
    cases = sorted(demo_network.cases.values(), key=lambda c: (c.year, c.order if c.order is not None else 10**6, c.id))
    years = sorted({c.year for c in cases})
    assert any(sum(c.year == y for c in cases) >= 3 for y in years), "the demo has a year with several cases"
    for year in years:
        expected = [c.id for c in cases if c.year == year]
        walked, here = [], expected[0]
        assert page(site, f"cases/{here}").select_one(".wm-prevnext a:not(.wm-prevnext__next)") is None
        while here:
            walked.append(here)
            nxt = page(site, f"cases/{here}").select_one(".wm-prevnext__next")
            here = (site / "cases" / here / nxt["href"]).resolve().name if nxt else None
        assert walked == expected, year


def test_project_pages_list_the_newest_related_cases(site, demo_network):
    net = demo_network
    newest = lambda c: (-c.year, c.order or 0, c.id)  # noqa: E731
    listed_some = False
    for p in net.projects.values():
        owner = net.resolve(p.station)
        pool = [c for c in net.cases.values() if (owner and owner.id in c.stations)
                or set(c.tags) & (set(p.tags) - {"示例", "demo", "sample", "品牌项目"})]
        expected = [c.title for c in sorted(pool, key=newest)][:12]
        shown = [a.get_text() for a in page(site, f"projects/{p.id}").select("#cases + ul a")]
        assert shown == expected, p.id
        listed_some = listed_some or len(shown) > 1
    assert listed_some, "the demo has a project with several related cases"

def test_merged_and_closed_stations_keep_a_page(site, demo_network):
    net = demo_network
    merged = [s for s in net.stations.values() if s.status == Status.merged]
    closed = [s for s in net.stations.values() if s.status == Status.closed]
    assert merged and closed, "the demo has a merged and a closed station"
    for s in merged:
        doc = page(site, f"stations/{s.id}")
        notice = doc.select_one(".wm-notice")
        assert "已合并" in notice.get_text()
        succ = net.successor(s.id)
        link = notice.select_one("a[href]")
        assert link.get_text() == succ.name
        assert (site / "stations" / s.id / link["href"]).resolve() == (site / "stations" / succ.id).resolve()
        assert not doc.select(".wm-services__ask"), "no ordering from a merged station"
    for s in closed:
        assert "已停止运行" in page(site, f"stations/{s.id}").select_one(".wm-notice").get_text()


def test_former_ids_redirect(site, demo_network):
    net = demo_network
    olds = [old for old in net.aliases if old not in net.stations]
    assert olds, "the demo has a renamed station"
    for old in olds:
        doc = page(site, f"stations/{old}")
        refresh = doc.find("meta", attrs={"http-equiv": "refresh"})
        assert refresh and refresh["content"].endswith(f"url=../{net.aliases[old]}/")


def test_stations_stay_out_of_the_navigation(site, demo_network):
    for url in ("", f"stations/{demo_network.root_id}", "projects"):
        doc = page(site, url)
        nav = doc.select_one("nav.md-nav--primary")
        hrefs = [a["href"] for a in nav.select("a[href]")]
        assert not [h for h in hrefs if re.search(r"stations/[a-z0-9-]+/$", h)]


def test_record_pages_are_light(site):
    sizes = [p.stat().st_size for p in (site / "stations").glob("*/index.html")]
    assert sum(sizes) / len(sizes) <= 25 * 1024


# ------------------------------------------------------------------------ links and hosts


def _local_target(site: Path, page_path: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = site if parts.path.startswith("/") else page_path.parent
    target = (base / unquote(parts.path.lstrip("/"))).resolve()
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def test_every_internal_link_and_asset_resolves(site):
    broken = []
    for path in html_files(site):
        doc = soup(path)
        refs = [a["href"] for a in doc.find_all(["a", "link"], href=True)]
        refs += [t["src"] for t in doc.find_all(src=True)]
        for t in doc.find_all(srcset=True):
            refs += [part.strip().split(" ")[0] for part in t["srcset"].split(",") if part.strip()]
        for ref in refs:
            target = _local_target(site, path, ref)
            if target is not None and not target.exists():
                broken.append(f"{path.relative_to(site)} -> {ref}")
    assert not broken, "\n".join(broken[:20])


def test_nothing_is_loaded_from_another_host(site):
    offenders = []
    for path in html_files(site):
        doc = soup(path)
        for tag, attr in RESOURCE_ATTRS.items():
            for t in doc.find_all(tag):
                if t.get(attr) and urlsplit(t[attr]).netloc:
                    offenders.append(f"{path.relative_to(site)}: <{tag} {attr}={t[attr]}>")
        for t in doc.find_all("link", href=True):
            rel = set(t.get("rel") or [])
            if rel & {"stylesheet", "icon", "preload", "preconnect", "dns-prefetch", "modulepreload"} and \
                    urlsplit(t["href"]).netloc:
                offenders.append(f"{path.relative_to(site)}: <link {t['href']}>")
        for t in doc.find_all(style=True):
            if re.search(r"url\(\s*['\"]?(https?:)?//", t["style"]):
                offenders.append(f"{path.relative_to(site)}: style url()")
        if doc.find("iframe"):
            offenders.append(f"{path.relative_to(site)}: iframe")
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        if re.search(r"@import\s+(url\()?['\"]?(https?:)?//|url\(\s*['\"]?(https?:)?//", text):
            offenders.append(f"{css.relative_to(site)}: remote url()")
    assert not offenders, "\n".join(offenders[:20])


def test_photos_are_published_copies(site, demo_network):
    originals = {p.name for p in (ROOT / "content" / "images").iterdir()}
    published = {p.name for p in site.rglob("*") if p.is_file() and p.suffix.lower() in {".jpg", ".jpeg", ".png"}}
    assert not originals & published, "original photos (with their metadata) must never be copied"
    s = next(s for s in demo_network.stations.values() if s.photos)
    figs = page(site, f"stations/{s.id}").select("figure.wm-photo")
    assert [f.figcaption.get_text() for f in figs] == [p.caption for p in s.photos]


def test_material_search_index_is_not_shipped(site):
    index = site / "search" / "search_index.json"
    assert not index.exists() or index.stat().st_size < 200_000


def test_sitemap_lists_record_pages(site, demo_network):
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    for sid in demo_network.stations:
        assert f"https://wm.example.org/stations/{sid}/</loc>" in text
    assert "_shell" not in text
