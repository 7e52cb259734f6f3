"""``wenming nginx-conf``: an nginx ``server { }`` block that serves the built site as it should be.

The block goes inside ``http { }`` (``/etc/nginx/conf.d/*.conf`` on Debian). What it does:
the path prefix of ``site_url``; the build's ``.gz`` (and ``.br``) copies sent to browsers
that accept them; a year of caching for files whose names change with their content, five
minutes for pages; ``s/<id>`` redirected to ``s/<id>/`` (nginx does that for every folder);
the site's own 404 page; and security headers with a Content-Security-Policy that allows
nothing but the site itself.
"""

from __future__ import annotations

import glob
import ipaddress
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from ...config import Config
from ...errors import UsageError
from . import read_csp

#: Seconds pages may be reused without asking (a release switch shows everywhere within them).
HTML_MAX_AGE = 300
#: Files whose name changes with their content: Material's fingerprinted bundles, the
#: published photos (named by their digest) and Pagefind's chunks.
IMMUTABLE = r"\.[0-9a-f]{8}\.min\.(?:css|js)$|/images/[0-9a-f]+-\d+\.\w+$|/pagefind/(?:fragment|index)/|\.pf_meta$"
PERMISSIONS = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
BROTLI_MODULE = "libnginx-mod-http-brotli-static"


def site_prefix(site_url: str) -> str:
    """The URL path the site lives under, with slashes at both ends (``/`` or ``/wmsj/``)."""
    path = urlsplit(site_url).path or "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def content_security_policy(csp: dict, search: bool) -> str:
    """Only this site: its files, the hashes of the inline code its pages carry, data: images
    (Material's icons in its style sheet). Pagefind compiles its WebAssembly (``wasm-unsafe-eval``
    allows that and nothing else: no eval of text)."""
    script = ["'self'"] + (["'wasm-unsafe-eval'"] if search else []) + list(csp.get("script-src", []))
    style = ["'self'"] + list(csp.get("style-src", []))
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(script),
        "style-src " + " ".join(style),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def brotli_available() -> bool:
    """Whether this machine's nginx loads the brotli_static module."""
    if glob.glob("/etc/nginx/modules-enabled/*brotli*"):
        return True
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        return False
    try:
        out = subprocess.run([nginx, "-V"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "brotli" in (out.stderr + out.stdout)


def parse_listen(listen: str) -> tuple[str, list[str]]:
    """``--listen`` (``PORT``, ``ADDR:PORT`` or ``[V6]:PORT``) -> (IPv4/IPv6 line, IPv6 lines)."""
    listen = listen.strip()
    m = re.fullmatch(r"(?:(\[[0-9a-fA-F:.]+\]|[^:\[\]]+):)?(\d{1,5})", listen)
    if not m or not 0 < int(m.group(2)) < 65536:
        raise UsageError(f"--listen 的格式不对:“{listen}”;应为 端口 或 地址:端口,例如 80 或 127.0.0.1:8080\n"
                         f"  (--listen must be PORT or ADDR:PORT, e.g. 80 or 127.0.0.1:8080)")
    addr, port = m.group(1), m.group(2)
    if addr and addr.startswith("["):
        return f"{addr}:{port}", []
    if addr in (None, "", "*", "0.0.0.0"):
        return port, [f"[::]:{port}"]
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        if addr != "localhost":
            raise UsageError(f"--listen 的地址不对:“{addr}” (not an IP address)") from None
    return f"{addr}:{port}", []


def nginx_conf(config: Config, *, root: str | Path | None = None, listen: str = "80",
               brotli: bool | None = None) -> str:
    """The ``server { }`` block for the site built in ``config.site_path``, served from ``root``."""
    site = config.site_path
    csp = read_csp(site)
    if not (site / "index.html").is_file() or csp is None:
        raise UsageError(
            f"网站还没有生成(找不到 {config.rel(site)}/index.html 或其安全策略记录);请先运行 wenming build,"
            f"再运行 wenming nginx-conf\n"
            f"  (the site has not been built yet: run `wenming build` first, then `wenming nginx-conf`)")
    config.require_site_url("nginx 配置")
    prefix = site_prefix(config.site_url)
    host = urlsplit(config.site_url).hostname or "_"
    # not resolved: a release symlink (/srv/wenming/current) must stay a link that nginx follows
    root_dir = Path(root).absolute() if root else site.absolute()
    brotli = brotli_available() if brotli is None else brotli
    main, v6 = parse_listen(listen)
    policy = content_security_policy(csp, search=(site / "pagefind").is_dir())

    def headers(cache: str, indent: str) -> list[str]:
        lines = [f'add_header Cache-Control "{cache}" always;',
                 f'add_header Content-Security-Policy "{policy}" always;',
                 'add_header X-Content-Type-Options "nosniff" always;',
                 'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
                 f'add_header Permissions-Policy "{PERMISSIONS}" always;',
                 'add_header X-Frame-Options "SAMEORIGIN" always;',
                 '# add_header Strict-Transport-Security "max-age=31536000" always;  # HTTPS only']
        return [indent + line for line in lines]

    short = f"public, max-age={HTML_MAX_AGE}"
    year = "public, max-age=31536000, immutable"
    inner = "        "
    body = [f"{inner}index index.html;"] + headers(short, inner) + [
        "",
        f"{inner}# hidden files (the build's own records) are never served",
        f"{inner}location ~ /\\. {{",
        f"{inner}    return 404;",
        f"{inner}}}",
        f"{inner}# names that change with the content: cached for a year",
        f'{inner}location ~ "{IMMUTABLE}" {{',
        *headers(year, inner + "    "),
        f"{inner}}}",
    ]
    out = [
        f"# nginx: {config.site_name} — {config.site_url}",
        "# Written by `wenming nginx-conf`. Include it inside http { } (on Debian: copy it to",
        "# /etc/nginx/conf.d/wenming.conf), then run: nginx -t && systemctl reload nginx",
        "# Write it again after upgrading wenming or changing templates: the Content-Security-Policy",
        "# lists the hashes of the inline scripts and styles of the pages as built.",
        "server {",
        f"    listen {main};",
        *(f"    listen {line};" for line in v6),
        *([] if v6 or main.startswith("[") else [f"    # listen [::]:{main.rsplit(':', 1)[-1]};  # IPv6"]),
        "    # HTTPS, once a certificate exists: uncomment these and the Strict-Transport-Security",
        "    # lines below, and send port 80 here (return 301 https://$host$request_uri;).",
        "    # listen 443 ssl;",
        "    # listen [::]:443 ssl;",
        f"    # ssl_certificate     /etc/nginx/ssl/{host}.crt;",
        f"    # ssl_certificate_key /etc/nginx/ssl/{host}.key;",
        f"    server_name {host};",
        "    server_tokens off;",
        "    charset utf-8;",
        "    charset_types text/css text/plain text/xml application/javascript application/json image/svg+xml;",
        "    absolute_redirect off;  # s/<id> -> s/<id>/ keeps the scheme, host and port the visitor used",
        "    # the build writes a .gz copy beside every text file that compresses",
        "    gzip_static on;",
        "    gzip_vary on;",
        ("    brotli_static on;  # " + BROTLI_MODULE if brotli else
         f"    # brotli_static on;  # with the nginx module {BROTLI_MODULE} (the build writes .br copies)"),
        f"    error_page 404 {prefix}404.html;",
        "",
    ]
    if prefix == "/":
        out += [f"    root {root_dir};", "    location / {", *body, "    }"]
    else:
        out += [
            f"    location = {prefix.rstrip('/')} {{",
            f"        return 301 {prefix};",
            "    }",
            f"    location ^~ {prefix} {{",
            f"        alias {root_dir}/;",
            *body,
            "    }",
            "    # the rest of the host is not this site's",
            "    location / {",
            "        return 404;",
            "    }",
        ]
    out.append("}")
    return "\n".join(out) + "\n"
