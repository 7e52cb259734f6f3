// Runs Material for MkDocs' own search worker (search.*.min.js, with lunr and the lunr-languages
// scripts it loads) in node, as the browser runs it, on a built site's search/search_index.json.
// argv: <material assets/javascripts folder> <search_index.json>
// stdin: [{"q": query, "want": "stations/x/"}, ...]
// stdout: [{"pos": rank of the wanted page among the result pages or -1, "above": pages before it (at most 10)}, ...]
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [assets, indexFile] = process.argv.slice(2);
const workerDir = path.join(assets, "workers");
const workerFile = fs.readdirSync(workerDir).find((f) => /^search\..*\.min\.js$/.test(f));
let reply = null;
// A worker's globals only: no module/exports/require, so lunr.zh.min.js takes its browser path.
const sandbox = {
  console,
  postMessage: (m) => { reply = m; },
  addEventListener: (type, fn) => { sandbox.onmessage = fn; },
  importScripts: (...urls) => {
    for (const u of urls) {
      const file = path.join(workerDir, u);  // the worker asks for ../lunr/min/lunr.*.min.js
      vm.runInContext(fs.readFileSync(file, "utf8"), sandbox, { filename: file });
    }
  },
};
sandbox.self = sandbox;
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(path.join(workerDir, workerFile), "utf8"), sandbox);

async function send(message) {
  reply = null;
  sandbox.onmessage({ data: message });
  while (reply === null) await new Promise((r) => setImmediate(r));
  return reply;
}

(async () => {
  const index = JSON.parse(fs.readFileSync(indexFile, "utf8"));
  // What Material's page script posts (bundle.*.min.js): config, docs and options.
  await send({ type: 0, data: { config: index.config, docs: index.docs, options: { suggest: false } } });
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = [];
  for (const { q, want } of queries) {
    const res = await send({ type: 2, data: q });
    // One result group per page, best first; the group's page is its last item's parent or itself.
    const pages = res.data.items.map((group) => {
      const top = group[0];
      return (top.location || "").split("#")[0];
    });
    const pos = pages.indexOf(want);
    out.push({ pos, above: pages.slice(0, pos < 0 ? 10 : Math.min(pos, 10)) });
  }
  process.stdout.write(JSON.stringify(out));
})();
