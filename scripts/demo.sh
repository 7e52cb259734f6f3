#!/usr/bin/env bash
# Quick start, command 1: install everything, then build the demo network's
# site (site/), signage (out/signage/) and case books (out/casebook-*.pdf).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
wenming check
mkdocs build
wenming signage -o out/signage
for book in content/casebooks/[0-9][0-9][0-9][0-9].yml; do
  year=$(basename "$book" .yml)
  wenming casebook "$year" -o "out/casebook-$year.pdf"
done
echo
echo "完成 (done): 网站 site/index.html,标识 out/signage/,案例选编 out/casebook-*.pdf"
echo "预览 (preview): mkdocs serve  ->  http://127.0.0.1:8000/"
