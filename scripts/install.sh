#!/usr/bin/env bash
# Install what wenming needs on a fresh Debian/Ubuntu machine:
# system packages (CJK fonts, Chromium for tests, poppler for PDF checks) and the Python package.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  need=""
  # nginx, rsync: the deploy tests serve the built site through a real nginx (with and without the
  # brotli_static module) and publish it as the README says; a JRE runs the Nu HTML Checker.
  for pkg in fonts-noto-cjk chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 nginx \
             libnginx-mod-http-brotli-static rsync; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
  done
  command -v java >/dev/null 2>&1 || need="$need default-jre-headless"
  # node runs the nearby page's script (tests/test_nearby.py, benchmarks/bench_nearby.py) and the
  # search box's name matching (static/names.js) outside the browser.
  command -v node >/dev/null 2>&1 || need="$need nodejs"
  if [ -n "$need" ]; then
    echo "安装系统软件包 (installing system packages):$need"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
  fi
else
  echo "没有 apt-get:请自行安装 Noto CJK 字体、Chromium 和 poppler-utils (no apt-get: install Noto CJK fonts, Chromium and poppler-utils yourself)" >&2
fi

# Test tools from npm (axe-core, the Nu HTML Checker's vnu-jar), pinned in package-lock.json.
if command -v npm >/dev/null 2>&1; then
  npm ci --silent --no-audit --no-fund >/dev/null 2>&1 || npm install --silent --no-audit --no-fund >/dev/null
else
  echo "没有 npm:无障碍测试将跳过 (no npm: the accessibility tests will be skipped)" >&2
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
