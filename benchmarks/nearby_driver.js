// Runs static/nearby.js's own search on data files on disk (for bench_nearby.py and the tests).
// stdin: {"dir": data folder, "points": [[wgs84 lat, lng], ...], "k": 10}
// stdout: [{"ids": [...], "metres": [...], "bytes": n, "cells": n, "ms": t}, ...]
"use strict";
const fs = require("fs");
const path = require("path");
const nearby = require(path.join(__dirname, "..", "generator", "theme", "static", "site", "nearby.js"));

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const dir = input.dir;

async function one(lat, lng) {
  let bytes = 0;
  const read = (rel) => {
    const buf = fs.readFileSync(path.join(dir, rel));
    bytes += buf.length;
    return JSON.parse(buf.toString("utf8"));
  };
  const t0 = process.hrtime.bigint();
  const index = read("index.json");
  const g = nearby.wgs84ToGcj02(lat, lng);
  const res = await nearby.nearest(index, g[0], g[1], input.k || 10,
    (iy, ix) => Promise.resolve(read("c/" + iy + "_" + ix + ".json")));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ids: res.items.map((r) => r.s[0]), metres: res.items.map((r) => r.m), bytes, cells: res.cells, ms };
}

(async () => {
  const out = [];
  for (const [lat, lng] of input.points) out.push(await one(lat, lng));
  process.stdout.write(JSON.stringify(out));
})();
