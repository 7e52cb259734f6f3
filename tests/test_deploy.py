"""Going live: the demo built under a sub-path (https://wm.example.org/wmsj/), served by a real
nginx started here with the block `wenming nginx-conf` writes, read over HTTP and in headless
Chromium under the site's Content-Security-Policy; filing numbers and their checks."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
BROTLI_SO = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
PREFIX = "/wmsj/"
SITE_URL = "https://wm.example.org/wmsj/"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1", "WENMING_NO_PROGRESS": "1"}


def wenming(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=600, check=False)


# ------------------------------------------------------------------ filing numbers and their checks


def _problems(tmp_path: Path, **options: str) -> list:
    from generator.config import Config, check_options

    cfg = Config(project_dir=tmp_path, site_url=options.pop("site_url", "https://wm.example.org/"))
    for key, value in options.items():
        setattr(cfg, key, value)
    return check_options(cfg)


@pytest.mark.parametrize("field,value", [
    ("icp_record", "陕ICP备12345678号-1"), ("icp_record", "京ICP备2021012345号"),
    ("police_record", "陕公网安备61080202000123号"), ("site_code", "6108020001"), ("site_code", "bm05000001"),
])
def test_well_formed_filing_numbers_pass(tmp_path, field, value):
    assert _problems(tmp_path, **{field: value}) == []


@pytest.mark.parametrize("field,value,hint", [
    ("icp_record", "ICP备12345678号", "省简称"),          # no province
    ("icp_record", "陕ICP备12345678", "号"),               # no 号
    ("icp_record", "陕ICP备12-345678号", "6 至 10 位数字"),
    ("icp_record", "陕icp备12345678号", "ICP备"),
    ("police_record", "陕公网安备6108020200012号", "14 位数字"),  # 13 digits
    ("police_record", "陕ICP备61080202000123号", "公网安备"),
    ("site_code", "61080200", "10 位数字"),
])
def test_malformed_filing_numbers_are_named_with_the_expected_form(tmp_path, field, value, hint):
    (tmp_path / "mkdocs.yml").write_text(f"site_url: https://wm.example.org/\nplugins:\n  - wenming:\n"
                                         f"      {field}: {value}\n", encoding="utf-8")
    found = _problems(tmp_path, **{field: value})
    assert len(found) == 1 and found[0].is_error and found[0].field == field
    p = found[0]
    assert p.path == "mkdocs.yml" and p.line == 4, p
    assert value in p.zh and hint in p.zh and "例如" in p.zh and "e.g." in p.en


@pytest.mark.parametrize("url,warned", [
    ("https://wmsj.yuyang.gov.cn/", True), ("http://203.0.113.9/", False), ("http://8.8.8.8/", True),
    ("https://wm.example.org/wmsj/", False), ("http://localhost:8000/", False), ("http://127.0.0.1/", False),
    ("http://192.168.1.20/", False), ("https://wm.test/", False), ("", False),
])
def test_a_public_site_without_icp_record_is_warned(tmp_path, url, warned):
    found = _problems(tmp_path, site_url=url)
    assert [(p.field, p.level) for p in found] == ([("icp_record", "warning")] if warned else [])
    assert _problems(tmp_path, site_url=url, icp_record="陕ICP备12345678号") == []


def test_wenming_check_reports_a_malformed_number_with_file_and_line(tree):
    root = tree({"mkdocs.yml": "site_name: 测试\nsite_url: https://wmsj.yuyang.gov.cn/\ndocs_dir: content\n"
                               "theme: material\nplugins:\n  - search\n  - wenming:\n"
                               "      police_record: 陕公网安备123号\n"})
    proc = wenming(root, "check")
    assert proc.returncode == 1
    assert "mkdocs.yml:8: police_record: 公安联网备案号格式不对" in proc.stderr
    assert "mkdocs.yml: 警告 warning: icp_record:" in proc.stderr  # public site_url, no ICP number
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ the demo under /wmsj/, built once


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The demo project with site_url under a sub-path, built with `wenming build`."""
    root = tmp_path_factory.mktemp("wmsj")
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "themes", root / "themes")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^site_url: .*$", f"site_url: {SITE_URL}", text)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    proc = wenming(root, "build")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def test_nginx_conf_refuses_a_malformed_listen_address(project, tmp_path):
    for bad in ("80a", "127.0.0.1:99999", "host name:80"):
        proc = wenming(project, "nginx-conf", "-o", str(tmp_path / "x.conf"), "--listen", bad)
        assert proc.returncode == 2 and "--listen" in proc.stderr and "Traceback" not in proc.stderr, bad
    assert not (tmp_path / "x.conf").exists()


def test_nginx_conf_for_a_site_not_built_says_to_build_first(tree, tmp_path):
    root = tree()
    proc = wenming(root, "nginx-conf", "-o", str(tmp_path / "x.conf"))
    assert proc.returncode == 2 and not (tmp_path / "x.conf").exists()
    assert "请先运行 wenming build" in proc.stderr and "run `wenming build` first" in proc.stderr


def test_every_page_shows_the_filing_numbers_linked(project):
    site = project / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 80
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        box = soup.select_one(".wm-filing") or soup.select_one("footer .filing")
        assert box is not None, page
        links = {a.get_text(strip=True): a["href"] for a in box.select("a")}
        assert links["陕ICP备00000000号-1"] == "https://beian.miit.gov.cn/", page
        assert links["陕公网安备61080200000000号"] == \
            "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=61080200000000", page
        if box.name == "div":  # the full footer (the QR pages carry one compact line)
            text = box.get_text(" ", strip=True)
            for part in ("主办单位：榆阳区新时代文明实践中心", "承办单位：", "网站标识码：6108020000", "联系电话"):
                assert part in text, (page, part)


def test_sub_path_reaches_sitemap_robots_qr_codes_and_lock_file(project):
    import zxingcpp
    from PIL import Image

    site = project / "site"
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    assert locs and all(u.startswith(SITE_URL) for u in locs)
    assert f"Sitemap: {SITE_URL}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    lock = (project / "qr-lock.txt").read_text(encoding="utf-8")
    urls = re.findall(r"\t(\S+)", lock)
    assert urls and all(u.startswith(SITE_URL + "s/") for u in urls)
    decoded = zxingcpp.read_barcodes(Image.open(site / "s" / "gulou-dajie" / "qr.png"))
    assert [d.text for d in decoded] == [SITE_URL + "s/gulou-dajie/"]
    # Root-relative references (the 404 page's) carry the prefix; nothing points at the host's root.
    for page in (site / "404.html", site / "index.html", site / "stations" / "yuyang" / "index.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        refs = [t.get("href") or t.get("src") for t in soup.select("[href],[src]")]
        rooted = [r for r in refs if r.startswith("/") and not r.startswith("//")]
        assert all(r.startswith(PREFIX) for r in rooted), (page, rooted[:5])


def test_text_files_have_gzip_copies_and_page_scripts_brotli(project):
    site = project / "site"
    page = site / "stations" / "yuyang" / "index.html"
    assert gzip.decompress((page.parent / "index.html.gz").read_bytes()) == page.read_bytes()
    css = next((site / "assets" / "stylesheets").glob("main.*.min.css"))
    import brotli

    assert brotli.decompress(Path(str(css) + ".br").read_bytes()) == css.read_bytes()
    for rel in ("sitemap.xml", "s/gulou-dajie/index.html", "robots.txt", "pagefind/pagefind.js"):
        assert (site / (rel + ".gz")).is_file() or (site / rel).stat().st_size < 256, rel
    assert not list(site.rglob("*.pf_fragment.gz"))  # Pagefind's chunks are compressed already
    assert not list(site.rglob("*.jpg.gz")) and not list(site.rglob("*.png.gz"))
    assert not list(site.rglob("qr.svg.gz"))  # print downloads, shown by no page


def test_unchanged_files_take_the_published_gzip_copy_only_when_it_holds_their_bytes(tmp_path):
    from generator.config import Config
    from generator.render.deploy import finish_site

    cfg = Config(project_dir=tmp_path, site_url="https://wm.example.org/")
    page = "<!doctype html><title>页</title>" + "<p>新时代文明实践站,服务电话 0912-3850000。</p>" * 40
    published, staging = tmp_path / "site", tmp_path / ".site.staging"
    for site in (published, staging):
        for name in ("a", "b", "c"):
            (site / name).mkdir(parents=True)
            (site / name / "index.html").write_text(page + name, encoding="utf-8")
    finish_site(published, cfg)
    (published / "b" / "index.html.gz").write_bytes(gzip.compress(b"something else", mtime=0))  # damaged
    (staging / "c" / "index.html").write_text(page + "changed", encoding="utf-8")
    done = finish_site(staging, cfg, previous=published)
    assert done.gz == 3
    for name in ("a", "b", "c"):
        copy = staging / name / "index.html.gz"
        assert gzip.decompress(copy.read_bytes()) == (staging / name / "index.html").read_bytes(), name
    assert (staging / "a" / "index.html.gz").stat().st_ino == (published / "a" / "index.html.gz").stat().st_ino
    assert (staging / "b" / "index.html.gz").stat().st_nlink == 1  # written afresh
    assert (staging / "c" / "index.html.gz").stat().st_nlink == 1


# ------------------------------------------------------------------ a real nginx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _main_conf(work: Path, server_conf: Path, *, brotli: bool) -> Path:
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / d).mkdir(exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(
        (f"load_module {BROTLI_SO};\n" if brotli else "") + user +
        f"worker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log off;\n  client_body_temp_path {work}/body;\n  proxy_temp_path {work}/proxy;\n"
        f"  fastcgi_temp_path {work}/fastcgi;\n  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n"
        f"  include {server_conf};\n}}\n", encoding="utf-8")
    return conf


def _nginx_test(work: Path, conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")],
                          capture_output=True, text=True, timeout=30, check=False)


@contextlib.contextmanager
def running_nginx(project: Path, work: Path, *extra: str):
    """An nginx (own prefix, pid, temp folders and error log under ``work``) serving the block
    `wenming nginx-conf` writes for ``project``; yields (port, the block's file). Stopped after."""
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/install.sh installs it)")
    port = _free_port()
    brotli = BROTLI_SO.is_file()
    server = work / "wenming.conf"
    proc = wenming(project, "nginx-conf", "-o", str(server), "--listen", f"127.0.0.1:{port}",
                   "--brotli" if brotli else "--no-brotli", *extra)
    assert proc.returncode == 0, proc.stderr
    conf = _main_conf(work, server, brotli=brotli)
    checked = _nginx_test(work, conf)
    assert checked.returncode == 0, checked.stderr
    daemon = subprocess.Popen([NGINX, "-p", str(work), "-c", str(conf), "-e", str(work / "error.log"),
                               "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {daemon.stderr.read().decode() if daemon.stderr else ''}")
            time.sleep(0.05)
        yield port, server
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(5)


@pytest.fixture(scope="module")
def nginx(project, tmp_path_factory):
    """nginx serving the built site with the generated block; yields (port, site folder, block)."""
    with running_nginx(project, tmp_path_factory.mktemp("nginx")) as (port, server):
        yield port, project / "site", server


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy", "permissions-policy")


def _check_headers(headers: dict[str, str], path: str) -> None:
    for name in SECURITY:
        assert name in headers, (path, name)
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval'" not in csp.replace(
        "wasm-unsafe-eval'", ""), csp
    assert not re.search(r"https?://", csp)  # nothing but the site itself
    assert headers["x-content-type-options"] == "nosniff"
    assert "geolocation=(self)" in headers["permissions-policy"]


PAGES = {
    "": "text/html", "stations/yuyang/": "text/html", "stations/gulou-dajie/": "text/html",
    "directory/": "text/html", "projects/": "text/html", "people/": "text/html", "cases/": "text/html",
    "casebooks/": "text/html", "stats/": "text/html", "about/": "text/html", "s/gulou-dajie/": "text/html",
    "s/gulou-dajie/qr.svg": "image/svg+xml", "s/gulou-dajie/qr.png": "image/png",
    "sitemap.xml": "text/xml", "robots.txt": "text/plain", "pagefind/pagefind.js": "application/javascript",
    "assets/wenming/site/site.css": "text/css", "assets/wenming/site/md-scope.js": "application/javascript",
    "pagefind/pagefind-entry.json": "application/json",
}


def test_every_page_kind_answers_200_with_type_headers_and_gzip(nginx):
    port, site, _ = nginx
    for sub in ("projects", "people", "cases"):  # one record page of each kind too
        first = next(p for p in sorted((site / sub).rglob("index.html")) if p.parent != site / sub)
        PAGES[first.parent.relative_to(site).as_posix() + "/"] = "text/html"
    for rel, ctype in PAGES.items():
        path = PREFIX + rel
        status, headers, body = get(port, path)
        assert status == 200, path
        assert headers["content-type"].split(";")[0] == ctype, (path, headers["content-type"])
        if ctype.startswith("text/"):
            assert "charset=utf-8" in headers["content-type"], path
        _check_headers(headers, path)
        assert "content-encoding" not in headers  # not asked for
        file = site / (rel + "index.html" if rel.endswith("/") or rel == "" else rel)
        assert body == file.read_bytes(), path
        if Path(str(file) + ".gz").exists():
            status, zh, zbody = get(port, path, **{"Accept-Encoding": "gzip, deflate"})
            assert status == 200 and zh["content-encoding"] == "gzip", path
            assert gzip.decompress(zbody) == body and len(zbody) < len(body), path
            assert "accept-encoding" in zh.get("vary", "").lower(), path
        elif ctype.startswith("text/"):
            assert len(body) < 256, path  # only files too small to be worth it go uncompressed
    cache = get(port, PREFIX + "stations/yuyang/")[1]["cache-control"]
    assert "max-age=300" in cache
    css = next((site / "assets" / "stylesheets").glob("main.*.min.css")).name
    status, headers, _ = get(port, PREFIX + "assets/stylesheets/" + css, **{"Accept-Encoding": "gzip, br"})
    assert status == 200 and "max-age=31536000" in headers["cache-control"] and "immutable" in headers["cache-control"]
    _check_headers(headers, css)
    if BROTLI_SO.is_file():
        assert headers["content-encoding"] == "br"
    frag = next((site / "pagefind" / "fragment").iterdir()).name
    assert "immutable" in get(port, PREFIX + "pagefind/fragment/" + frag)[1]["cache-control"]


def test_unknown_paths_get_the_site_404_page_with_status_404(nginx):
    port, site, _ = nginx
    page = (site / "404.html").read_bytes()
    for path in (PREFIX + "no/such/page/", PREFIX + "stations/nobody/", "/elsewhere.html", PREFIX + ".wenming/csp.json"):
        status, headers, body = get(port, path)
        assert status == 404, path
        assert body == page, path
        _check_headers(headers, path)


def test_qr_addresses_without_slash_redirect_and_former_ids_resolve(nginx):
    port, _, _ = nginx
    status, headers, _ = get(port, PREFIX + "s/gulou-dajie")
    assert status == 301 and headers["location"] == PREFIX + "s/gulou-dajie/"
    status, headers, _ = get(port, PREFIX.rstrip("/"))
    assert status == 301 and headers["location"] == PREFIX
    # gulou-laojie is a former id of gulou-dajie: its printed code still opens a contact page.
    status, headers, body = get(port, PREFIX + "s/gulou-laojie")
    assert status == 301 and headers["location"] == PREFIX + "s/gulou-laojie/"
    status, _, body = get(port, PREFIX + "s/gulou-laojie/")
    text = body.decode()
    assert status == 200 and "本站编号已更新" in text and "tel:" in text


def test_every_link_and_asset_resolves_through_nginx_under_the_sub_path(nginx):
    port, _, _ = nginx
    seen: set[str] = set()
    todo = [PREFIX]
    pages = 0
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = get(port, path)
        assert status == 200, f"{path}: {status}"
        if headers["content-type"].startswith("text/html"):
            pages += 1
            soup = BeautifulSoup(body, "lxml")
            for tag in soup.select("a[href], link[href], script[src], img[src], source[srcset]"):
                ref = tag.get("href") or tag.get("src") or tag.get("srcset", "").split()[0]
                url = urljoin(f"http://127.0.0.1:{port}{path}", ref)
                parts = urlsplit(url)
                if parts.netloc != f"127.0.0.1:{port}" or parts.scheme != "http":
                    continue
                assert parts.path.startswith(PREFIX), (path, ref)
                todo.append(parts.path)
    assert pages > 80


def test_the_generated_block_loads_without_the_brotli_module_and_at_the_root(nginx, tmp_path):
    _, site, server = nginx
    text = server.read_text(encoding="utf-8")
    assert f"location ^~ {PREFIX} {{" in text and "listen [::]" in text and "# listen 443 ssl;" in text
    assert "# add_header Strict-Transport-Security" in text
    project = site.parent
    plain = tmp_path / "plain.conf"
    assert wenming(project, "nginx-conf", "-o", str(plain), "--no-brotli", "--listen", "8089").returncode == 0
    assert "# brotli_static on;" in plain.read_text(encoding="utf-8")
    conf = _main_conf(tmp_path, plain, brotli=False)
    checked = _nginx_test(tmp_path, conf)
    assert checked.returncode == 0, checked.stderr
    assert "listen 8089;" in plain.read_text() and "listen [::]:8089;" in plain.read_text()
    # A site at the host's root is served from `root` with the same rules.
    from generator.config import Config
    from generator.render.deploy.nginx import nginx_conf

    cfg = Config(project_dir=project, site_url="https://wm.example.org/")
    at_root = nginx_conf(cfg, listen="127.0.0.1:8090", brotli=False)
    assert f"root {site};" in at_root and "error_page 404 /404.html;" in at_root
    (tmp_path / "root.conf").write_text(at_root, encoding="utf-8")
    assert _nginx_test(tmp_path, _main_conf(tmp_path, tmp_path / "root.conf", brotli=False)).returncode == 0


# ------------------------------------------------------------------ the browser, under the CSP


def test_chromium_reports_no_csp_violation_nor_console_error(nginx, tmp_path):
    from tests.browser import Browser, available

    if not available():
        pytest.skip("headless Chromium is not installed")
    port, _, _ = nginx
    base = f"http://127.0.0.1:{port}{PREFIX}"
    with Browser(360, 740) as b:
        for path in ("", "stations/gulou-dajie/", "s/gulou-dajie/", "stats/", "stations/yuyang/", "directory/",
                     "projects/", "people/", "cases/", "casebooks/", "casebooks/2023/", "about/", "s/gulou-laojie/"):
            b.open(base + path, settle=0.3)
            assert "陕ICP备00000000号-1" in b.text(), path
        b.screenshot(tmp_path / "station.png")
        # search: open the box, type a name, get results linking under the prefix
        b.open(base, settle=0.3)
        b.eval("document.getElementById('__search').click()")
        b.type(".md-search__input", "鼓楼")
        hrefs = b.wait_for("Array.from(document.querySelectorAll('.md-search-result__list a.md-search-result__link')).map(a => a.pathname)",
                           timeout=15)
        assert hrefs and all(h.startswith(PREFIX) for h in hrefs), hrefs
        b.pump(0.5)
        assert b.errors == [], b.errors
        # the site's 404 page: its own status is the only error
        b.open(base + "no/such/page/", settle=0.3)
        assert "陕ICP备00000000号-1" in b.text()
        assert [e for e in b.errors if "404 (Not Found) (" + base + "no/such/page/)" not in e] == [], b.errors
        assert not b.external_requests()
        csp = b.eval("fetch(location.href).then(r => r.headers.get('content-security-policy'))", await_promise=True)
        assert "default-src 'self'" in csp  # the pages above were loaded under the policy


def test_the_browser_capture_sees_a_csp_violation(nginx, tmp_path):
    """The check above can fail: a page with an inline script nobody hashed is reported."""
    from tests.browser import Browser, available

    if not available():
        pytest.skip("headless Chromium is not installed")
    port, site, _ = nginx
    (site / "bad").mkdir(exist_ok=True)
    (site / "bad" / "index.html").write_text("<!doctype html><title>x</title><script>console.log(1)</script>"
                                             "<p style='color:red'>x</p>", encoding="utf-8")
    try:
        with Browser(360, 740) as b:
            b.open(f"http://127.0.0.1:{port}{PREFIX}bad/", settle=0.5)
            assert len(b.csp_violations()) >= 2, b.errors
    finally:
        shutil.rmtree(site / "bad")


# ------------------------------------------------------------------ the README's deploy steps, as written


def _readme_block(marker: str) -> str:
    """The indented code block of README.md's "Deploying" section that contains ``marker``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    for block in re.findall(r"(?:\n\n)((?: {8}.*\n?)+)", section):
        if marker in block:
            return "\n".join(line[8:] for line in block.splitlines())
    raise AssertionError(f"README has no deploy block with {marker!r}")


def test_readme_example_nginx_file_is_whole_and_loads(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/install.sh installs it)")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\n\n((?:    # nginx: .*\n)(?:(?:    .*)?\n)+?    \}\n)", text)
    assert block, "README has no example nginx file"
    example = "\n".join(line[4:] for line in block.group(1).splitlines())
    assert example.count("Content-Security-Policy \"") == 2 and "location ^~ /wmsj/" in example
    (tmp_path / "example.conf").write_text(example, encoding="utf-8")
    checked = _nginx_test(tmp_path, _main_conf(tmp_path, tmp_path / "example.conf", brotli=False))
    assert checked.returncode == 0, checked.stderr


def test_readme_release_switch_and_rollback_behind_nginx(project, tmp_path):
    """Release folders, the atomic symlink switch and the rollback, run as the README writes them
    (with /srv/wenming moved into a scratch folder), served by nginx from the symlink."""
    if shutil.which("rsync") is None:
        pytest.skip("rsync is not installed (scripts/install.sh installs it)")
    srv = tmp_path / "srv"
    publish = _readme_block("rsync -a --delete").replace("/srv/wenming", str(srv))
    rollback = _readme_block("ln -sfn /srv/wenming/releases/<previous>").replace("/srv/wenming", str(srv))

    def run(script: str, cwd: Path) -> None:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr

    run(publish.replace("$(date +%Y%m%d-%H%M%S)", "r1"), project)
    with running_nginx(project, tmp_path, "--root", str(srv / "current")) as (port, server):
        assert f"alias {srv / 'current'}/;" in server.read_text(encoding="utf-8")  # the link, not its target
        status, _, body = get(port, PREFIX + "stations/yuyang/")
        assert status == 200 and "陕ICP备00000000号-1" in body.decode()
        # a second release with a changed page: switched to at once, unchanged files hard-linked
        second = tmp_path / "site2"
        shutil.copytree(project / "site", second, symlinks=True)
        page = second / "about" / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace("</h1>", "</h1><p>第二版</p>", 1), encoding="utf-8")
        (second / "about" / "index.html.gz").write_bytes(gzip.compress(page.read_bytes(), mtime=0))
        run(publish.replace("$(date +%Y%m%d-%H%M%S)", "r2").replace(" site/ ", f" {second}/ "), project)
        assert (srv / "current").resolve() == srv / "releases" / "r2"
        assert (srv / "releases" / "r2" / "index.html").stat().st_nlink == 2
        assert "第二版" in get(port, PREFIX + "about/")[2].decode()
        assert "第二版" in gzip.decompress(get(port, PREFIX + "about/", **{"Accept-Encoding": "gzip"})[2]).decode()
        run(rollback.replace("<previous>", "r1"), project)
        assert "第二版" not in get(port, PREFIX + "about/")[2].decode()
        assert get(port, PREFIX + "about/")[0] == 200
