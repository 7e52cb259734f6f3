/* Runs static/names.js in node over many queries against a built name index.
 *   node generator/render/search/names_runner.js NAMES_JS INDEX_DIR < queries.json > results.json
 * queries.json: [{"q": query, "want": url}, ...]. Every query starts from an empty cache (a
 * first search); its answer gives where `want` came (pos, -1: not found), the URLs above it,
 * the first five URLs with their match classes, and the bytes and files it read. */
"use strict";
const fs = require("fs");
const path = require("path");
const Names = require(path.resolve(process.argv[2]));
const dir = process.argv[3];
const queries = JSON.parse(fs.readFileSync(0, "utf8"));

(async () => {
  const out = [];
  const cache = new Map();  // url -> [bytes, parsed]: names.js never changes what it is given
  for (const { q, want } of queries) {
    let bytes = 0;
    let files = 0;
    const get = async (url) => {
      let got = cache.get(url);
      if (got === undefined) {
        const data = fs.readFileSync(path.join(dir, url));
        got = [data.length, JSON.parse(data.toString("utf8"))];
        cache.set(url, got);
      }
      bytes += got[0];
      files += 1;
      return got[1];
    };
    const names = new Names("", get);
    const t0 = process.hrtime.bigint();
    const found = await names.search(q);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const urls = found.map((r) => r.url);
    const pos = want === undefined ? -1 : urls.indexOf(want);
    out.push({ q, want, pos, above: urls.slice(0, pos < 0 ? 10 : Math.min(pos, 10)),
               top: urls.slice(0, 5), cls: found.slice(0, 5).map((r) => r.cls),
               kinds: found.slice(0, 5).map((r) => r.label), bytes, files, ms });
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
