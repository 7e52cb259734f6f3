"""Search on generated cities: how often each way of typing a record's name finds it, and what
the first search costs.

    python benchmarks/bench_search.py --stations 1000 4637 [--work DIR] [--runs 10]

For each city (benchmarks/synth.py, the jinan preset scaled to N 站): builds the site, then

* runs the browser's own name matching (static/names.js, in node) for every station,
  project, person and case and every query form (full, short, the station's short_name,
  Traditional, quoted, 2/3/4-character parts, pinyin initials): top-1 and top-5 shares,
  and the same counting a tie between records that share the name or part as found;
* times the first search in headless Chromium through the real search box (median of
  ``--runs``, each in a fresh browser, a station's full name), with the bytes the search
  downloaded (everything requested after the page loaded).

With ``--province`` it writes the province preset (70,000 站) and builds its name index
only (no site): index time, peak memory, files and bytes, and the node figures over a sample
of records (``--sample``).

Plain Material + jieba on the same records is not run here (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import collections
import functools
import http.server
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def build(project: Path, stations: int, seed: int) -> Path:
    import synth

    if not (project / "mkdocs.yml").is_file():
        synth.synthesize(project, "jinan", seed=seed, stations=stations)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", WENMING_NO_PROGRESS="1")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env, check=True,
                   capture_output=True, timeout=3600)
    print(f"  built in {time.perf_counter() - start:.1f} s", flush=True)
    return project / "site"


def forms(project: Path, sample: int = 0) -> tuple[dict, dict]:
    from generator.config import load_config
    from generator.load import load
    from generator.render.search import names
    from generator.render.search.bench import judge, query_forms, run_names
    from generator.render.site import SiteBuilder

    cfg = load_config(project / "mkdocs.yml")
    net, _ = load(cfg)
    hubs = [(h.url, h.title) for h in SiteBuilder(net, cfg).hubs()]
    start = time.perf_counter()
    items = names.entries(net, hubs)
    figures = names.write_index(project / ".bench-names", items)
    figures["seconds"] = time.perf_counter() - start
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    records = [e for e in items if e.kind != 4]
    if sample and len(records) > sample:
        import random

        records = random.Random(5).sample(records, sample)
    queries = query_forms(records)
    answers = run_names(project / ".bench-names" / names.NAMES_DIR, queries)
    verdicts = judge(queries, answers, items)
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for q, a, v in zip(queries, answers, verdicts):
        t = table[q["form"]]
        t["n"] += 1
        t["top1"] += a["pos"] == 0
        t["top5"] += 0 <= a["pos"] < 5
        t["tie_ok"] += v != "miss"
        t["bytes"] += a["bytes"]
        t["max_bytes"] = max(t["max_bytes"], a["bytes"])
    return table, figures


def first_search(site: Path, queries: list[str], runs: int) -> tuple[float, float, list[int]]:
    from tests.browser import Browser

    sizes: list[tuple[str, int]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def end_headers(self):
            length = self._headers_buffer and next((h for h in self._headers_buffer if h.lower().startswith(b"content-length")), None)
            sizes.append((self.path, int(length.split(b":")[1]) if length else 0))
            super().end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    times, bytes_ = [], []
    try:
        for i in range(runs):
            query = queries[i % len(queries)]
            with Browser(360, 740) as b:
                b.open(base + "about/")
                del sizes[:]
                ms = b.eval("(async () => { const t = performance.now();"
                            f" await window.wenmingSearch({json.dumps(query)});"
                            " return performance.now() - t; })()", await_promise=True)
                found = b.eval("document.querySelectorAll('.wm-search .md-search-result__item').length")
                assert found, query
                times.append(ms)
                bytes_.append(sum(n for _, n in sizes))
                assert not b.external_requests()
    finally:
        server.shutdown()
    return statistics.median(times), statistics.median(bytes_), bytes_


def report(name: str, table: dict, figures: dict) -> None:
    print(f"  {name} name index: {figures['records']} records, {figures['files']} files, "
          f"{figures['bytes'] / 1e6:.1f} MB on disk, settings {figures['meta_bytes'] / 1000:.1f} KB, "
          f"built in {figures['seconds']:.2f} s, peak memory of this process {figures['peak_mb']:.0f} MB")
    print("  | form | queries | top-1 | top-5 | first or tied | first search KB (mean / max) |")
    for form, t in table.items():
        print(f"  | {form} | {t['n']} | {t['top1'] / t['n']:.1%} | {t['top5'] / t['n']:.1%} | "
              f"{t['tie_ok'] / t['n']:.1%} | {t['bytes'] / t['n'] / 1000:.0f} / {t['max_bytes'] / 1000:.0f} |",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stations", type=int, nargs="+", default=[1000, 4637])
    ap.add_argument("--work", type=Path, default=Path("/tmp/wenming-bench-search"))
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--province", action="store_true", help="the province's name index only")
    ap.add_argument("--sample", type=int, default=3000, help="records asked for on the province")
    args = ap.parse_args()
    if args.province:
        import synth

        project = args.work / "province"
        if not (project / "mkdocs.yml").is_file():
            synth.synthesize(project, "province", seed=args.seed)
        table, figures = forms(project, args.sample)
        report("province", table, figures)
        return
    for n in args.stations:
        project = args.work / f"city{n}"
        print(f"city of {n} 站 ({project})", flush=True)
        site = build(project, n, args.seed)
        table, figures = forms(project)
        report(f"city{n}", table, figures)
        from generator.config import load_config
        from generator.load import load

        net, _ = load(load_config(project / "mkdocs.yml"))
        names = [s.name for s in net.stations.values() if s.level.value == "站"][:: 97][: args.runs]
        ms, kb, all_bytes = first_search(site, names, args.runs)
        print(f"  first search in Chromium (median of {args.runs}): {ms:.0f} ms, {kb / 1000:.0f} KB "
              f"(max {max(all_bytes) / 1000:.0f} KB)", flush=True)


if __name__ == "__main__":
    main()
