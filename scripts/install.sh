#!/usr/bin/env bash
# Install what wenming needs on a fresh Debian/Ubuntu machine:
# system packages (CJK fonts, Chromium for tests, poppler for PDF checks) and the Python package.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  need=""
  for pkg in fonts-noto-cjk chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
  done
  if [ -n "$need" ]; then
    echo "安装系统软件包 (installing system packages):$need"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
  fi
else
  echo "没有 apt-get:请自行安装 Noto CJK 字体、Chromium 和 poppler-utils (no apt-get: install Noto CJK fonts, Chromium and poppler-utils yourself)" >&2
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
