"""Benchmark: QR images and signage posters for a synthetic network of N stations.

    python benchmarks/bench_signage.py [--n 5000] [--sample 200] [--combined 500]

Builds N valid Station records in memory (one 中心, a 所 per 40 stations, the rest 站),
then times: QR images cold (empty cache) and cached; posters for a sample of stations
(layout, then the PDF/X-4 combined file and one PDF per station split from it), extrapolated
to N; the combined PDF for a smaller set.
Work files go to benchmarks/work/ (ignored by git).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.config import Config
from generator.graph import Network
from generator.model import Station
from generator.render.qr import QrImages, qr_url
from generator.render.signage import render_posters, write_posters

TOWNS = "古塔鱼河镇川牛家梁金鸡滩麻黄梁大河塔小纪汗芹河孟家湾上盐湾青云刘千河岔河则红石桥补浪河马合"
VILLAGES = "赵家峁刘家湾东窑前洼王家沟柳树沟三官会南门大街凯歌楼新明楼高家堡李家畔张家塔白家湾"
SERVICES = ["四点半课堂", "健康驿站测量与咨询", "法律咨询", "政策解读", "农家书屋借阅", "秧歌排练",
            "老人助餐与探访", "垃圾分类积分兑换"]


def synth(n: int, config: Config, seed: int = 7) -> Network:
    rnd = random.Random(seed)
    net = Network(config=config)

    def add(data: dict) -> Station:
        st = Station.model_validate(data)
        net.stations[st.id] = st
        return st

    add({"id": "zxx", "name": "示例区新时代文明实践中心", "level": "中心", "phone": "0912-3850000",
         "hours": "周一至周五 8:30-17:30", "open_day": "每月5日", "services": [{"name": s} for s in SERVICES[:4]]})
    net.root_id = "zxx"
    suo = None
    for i in range(1, n):
        if i % 40 == 1:
            town = "".join(rnd.sample(TOWNS, 2))
            suo = add({"id": f"s{i:04d}", "name": f"{town}镇新时代文明实践所", "level": "所", "parent": "zxx",
                       "phone": f"0912-38{i % 100000:05d}", "hours": "周一至周五 8:30-17:30"})
            continue
        village = "".join(rnd.sample(VILLAGES, rnd.choice([2, 3, 3, 4, 8])))
        add({"id": f"z{i:04d}", "name": f"{suo.name[:-7]}{village}村新时代文明实践站", "level": "站",
             "parent": suo.id, "phone": f"0912-3{i % 1000000:06d}",
             "hours": "周一至周五 8:30-12:00, 14:30-18:00", "open_day": f"每月{rnd.randint(1, 28)}日",
             "address": f"{village}村党群服务中心",
             "services": [{"name": s} for s in rnd.sample(SERVICES, rnd.randint(1, 4))]})
    return net


def fmt_bytes(b: float) -> str:
    return f"{b / 1024:.1f} KB" if b < 1024 * 1024 else f"{b / 1024 / 1024:.2f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="stations to synthesize (default 5000)")
    ap.add_argument("--sample", type=int, default=200, help="posters actually rendered (default 200)")
    ap.add_argument("--combined", type=int, default=500, help="stations in the combined-PDF run (default 500)")
    ap.add_argument("--work", default=str(Path(__file__).resolve().parent / "work"))
    args = ap.parse_args()

    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config = Config(project_dir=work, site_url="https://wm.example.org/", cache_dir=str(work / "cache"))
    t = time.perf_counter()
    net = synth(args.n, config)
    stations = list(net.stations.values())
    rows: list[tuple[str, int, float, str]] = []
    print(f"synthesized {len(stations)} stations in {time.perf_counter() - t:.2f}s", flush=True)

    urls = [qr_url(config, s.id) for s in stations]
    qr = QrImages(config)
    t = time.perf_counter()
    size = sum(len(svg.encode()) + len(png) for svg, png, _ in (qr.get(u) for u in urls))
    rows.append(("QR images, cold (SVG+PNG)", len(urls), time.perf_counter() - t, fmt_bytes(size / len(urls))))
    qr2 = QrImages(config)
    t = time.perf_counter()
    for u in urls:
        qr2.get(u)
    rows.append(("QR images, cached", len(urls), time.perf_counter() - t, f"{qr2.hits} hits"))
    assert qr2.misses == 0

    sample = stations[: min(args.sample, len(stations))]
    out = work / "sample"
    out.mkdir()
    t = time.perf_counter()
    doc = render_posters(net, config, sample, "A4", qr2)
    t_layout = time.perf_counter() - t
    t = time.perf_counter()
    _, posters = write_posters(doc, config, sample, out, "A4")
    t_write = time.perf_counter() - t
    size = sum(p.stat().st_size for p in posters)
    rows.append(("posters: layout", len(sample), t_layout, ""))
    rows.append(("posters: PDF/X-4, one each", len(sample), t_write, fmt_bytes(size / len(sample))))

    subset = stations[: min(args.combined, len(stations))]
    whole = work / "whole"
    whole.mkdir()
    t = time.perf_counter()
    doc = render_posters(net, config, subset, "A4", qr2)
    target, _ = write_posters(doc, config, subset, whole, "A4")
    rows.append(("combined PDF + split (layout+write)", len(subset), time.perf_counter() - t,
                 fmt_bytes(target.stat().st_size / len(subset))))

    print()
    print(f"{'step':32} {'items':>6} {'total s':>9} {'ms/item':>9} {'size/item':>12}")
    for name, count, secs, note in rows:
        print(f"{name:32} {count:6d} {secs:9.2f} {secs / count * 1000:9.2f} {note:>12}")
    per_poster = (t_layout + t_write) / len(sample)
    combined_per = rows[-1][2] / len(subset)
    est = args.n * (per_poster + combined_per)
    print(f"\nestimated full signage run for {args.n} stations (one PDF each + combined, no previews): "
          f"{est / 60:.1f} min")


if __name__ == "__main__":
    main()
