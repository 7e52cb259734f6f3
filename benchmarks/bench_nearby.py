"""What one answer of the 找身边的实践站 page costs: bytes fetched and time, on real data files.

Writes the page's data files for a project (``nearby_files``), then runs the page's own script
(``static/nearby.js`` under node, through ``nearby_driver.js``) from positions next to stations
and between them, and checks every answer against a brute-force ranking by great-circle
distance. Prints the largest and the 95th-percentile bytes per answer against the budgets
(≤ 40 KB on a 1,000-station city, ≤ 60 KB on 4,637, ≤ 150 KB on a province)::

    python benchmarks/bench_nearby.py PROJECT_DIR [--points 300] [--budget 60000]

``PROJECT_DIR`` is a folder with mkdocs.yml (e.g. one written by ``benchmarks/synth.py``).
Exit 1 when an answer is wrong or over ``--budget`` bytes. The time is the script's own work
with the files on disk (no network); the browser test measures it in Chromium.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import load_config
from generator.load import load
from generator.geo import gcj02_to_wgs84, wgs84_to_gcj02
from generator.render.site.nearby import gcj_position, nearby_files

DRIVER = Path(__file__).with_name("nearby_driver.js")
R = 6371008.8


def great_circle(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(a)))


def brute_force(placed: list[tuple[str, float, float]], lat: float, lng: float, k: int = 10) -> list[tuple[float, str]]:
    """The k nearest (metres, id) to a GCJ-02 position, by great-circle distance over every station."""
    return sorted((great_circle(lat, lng, a, b), sid) for sid, a, b in placed)[:k]


def sample_points(placed: list[tuple[str, float, float]], n: int, seed: int = 1) -> list[tuple[float, float]]:
    """WGS-84 positions: half a few metres from a station, half anywhere between the stations."""
    r = random.Random(seed)
    lats = [p[1] for p in placed]
    lngs = [p[2] for p in placed]
    out = []
    for i in range(n):
        if i % 2 == 0:
            _sid, lat, lng = r.choice(placed)
            lat, lng = lat + r.uniform(-2e-4, 2e-4), lng + r.uniform(-2e-4, 2e-4)
        else:
            lat, lng = r.uniform(min(lats), max(lats)), r.uniform(min(lngs), max(lngs))
        out.append(gcj02_to_wgs84(lat, lng))
    return out


def run_driver(data_dir: Path, points: list[tuple[float, float]], k: int = 10) -> list[dict]:
    proc = subprocess.run(["node", str(DRIVER)], input=json.dumps({"dir": str(data_dir), "points": points, "k": k}),
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def write_files(files: dict[str, str], out: Path) -> None:
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def measure(project: Path, n_points: int) -> dict:
    cfg = load_config(project / "mkdocs.yml")
    t0 = time.monotonic()
    net, _problems = load(cfg)
    t_load = time.monotonic() - t0
    t0 = time.monotonic()
    files = nearby_files(net)
    t_files = time.monotonic() - t0
    placed = [(s.id, *p) for s in net.stations.values() if s.is_active and (p := gcj_position(s)) is not None]
    points = sample_points(placed, n_points)
    tmp = Path(tempfile.mkdtemp(prefix="wenming-nearby-"))
    try:
        write_files(files, tmp)
        answers = run_driver(tmp, points)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wrong = 0
    for (wlat, wlng), ans in zip(points, answers):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        truth = brute_force(placed, glat, glng)
        if len(ans["metres"]) != len(truth) or any(abs(a - t[0]) > 0.01 * max(t[0], 1.0)
                                                   for a, t in zip(ans["metres"], truth)):
            wrong += 1
    sizes = sorted(a["bytes"] for a in answers)
    times = sorted(a["ms"] for a in answers)
    cells = [k for k in files if k.startswith("c/")]
    return {"stations": len(net.stations), "placed": len(placed), "cell_deg": json.loads(files["index.json"])["d"],
            "cells": len(cells), "index_bytes": len(files["index.json"].encode()),
            "bytes_max": sizes[-1], "bytes_p95": sizes[int(0.95 * (len(sizes) - 1))],
            "bytes_median": sizes[len(sizes) // 2], "ms_max": round(times[-1], 2),
            "ms_p95": round(times[int(0.95 * (len(times) - 1))], 2), "answers": len(answers), "wrong": wrong,
            "load_s": round(t_load, 1), "files_s": round(t_files, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--points", type=int, default=300)
    ap.add_argument("--budget", type=int, default=0, help="bytes one answer may fetch (0: no check)")
    args = ap.parse_args()
    r = measure(args.project, args.points)
    print(f"{r['stations']:,} stations ({r['placed']:,} placed), cells of {r['cell_deg']}°: {r['cells']:,} files, "
          f"index {r['index_bytes']:,} B; data files written in {r['files_s']} s")
    print(f"per answer: max {r['bytes_max']:,} B, p95 {r['bytes_p95']:,} B, median {r['bytes_median']:,} B; "
          f"script time max {r['ms_max']} ms, p95 {r['ms_p95']} ms; {r['wrong']} of {r['answers']} answers "
          "differ from the brute-force ranking by more than 1%")
    over = args.budget and r["bytes_max"] > args.budget
    if over:
        print(f"over budget: {r['bytes_max']:,} B > {args.budget:,} B")
    return 1 if r["wrong"] or over else 0


if __name__ == "__main__":
    sys.exit(main())
