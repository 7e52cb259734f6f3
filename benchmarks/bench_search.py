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

With ``--baseline`` it also measures what a site without this project would get: plain
Material for MkDocs with its search plugin (``lang: zh``, jieba installed) over one page per
record of the same city (title the record's name, a line of text), asked the same queries by
Material's own search worker (lunr) in node (benchmarks/material_driver.js) over a sample of
records (``--baseline-sample``), printed beside the name index's figures on the same queries.
``--runs 0`` skips the site build and the Chromium timing.
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


def tally(queries: list[dict], answers: list[dict], verdicts: list[str]) -> dict[str, collections.Counter]:
    """Per query form: queries, top-1, top-5, first or tied, first-search bytes."""
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for q, a, v in zip(queries, answers, verdicts):
        t = table[q["form"]]
        t["n"] += 1
        t["top1"] += a["pos"] == 0
        t["top5"] += 0 <= a["pos"] < 5
        t["tie_ok"] += v != "miss"
        t["bytes"] += a.get("bytes", 0)
        t["max_bytes"] = max(t["max_bytes"], a.get("bytes", 0))
    return table


def forms(project: Path, sample: int = 0) -> tuple[dict, dict, tuple]:
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
    return tally(queries, answers, verdicts), figures, (items, queries, answers, verdicts)


KIND_LABELS = ("阵地", "品牌项目", "典型人物", "案例")


def material_pages(items: list) -> dict[str, str]:
    """Markdown pages of a plain MkDocs site, one per record (pages of kind 4 left out), at the
    record's URL in this project's site: the record's name as title, a line of its facts."""
    pages = {"index.md": "# 新时代文明实践\n\n各阵地、品牌项目、典型人物和案例。\n"}
    for e in items:
        if e.kind == 4:
            continue
        facts = [KIND_LABELS[e.kind], *e.written[1:], e.where, f"电话 {e.phone}" if e.phone else ""]
        line = "。".join(f for f in facts if f)
        pages[f"{('stations', 'projects', 'people', 'cases')[e.kind]}/{e.ref}.md"] = f"# {e.title}\n\n{line}。\n"
    return pages


def material_baseline(work: Path, items: list, queries: list[dict]) -> tuple[list[dict], dict]:
    """Build plain Material + jieba over ``items`` in ``work`` and ask its search worker
    ``queries``: the answers (``pos``, ``above``) and the first search's bytes."""
    import shutil

    import jieba  # noqa: F401  (Material's search plugin segments Chinese only when jieba imports)

    if work.exists():
        shutil.rmtree(work)
    for rel, text in material_pages(items).items():
        (work / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / "docs" / rel).write_text(text, encoding="utf-8")
    # A one-entry nav: without it every page carries a sidebar of every page (quadratic: the
    # 7,500-page site of a 4,637 city did not finish in 22 min); the search index is the same.
    (work / "mkdocs.yml").write_text("site_name: 新时代文明实践\ntheme:\n  name: material\n  language: zh\n"
                                     "nav:\n  - index.md\n"
                                     "plugins:\n  - search:\n      lang: zh\n", encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=work, env=env, check=True,
                   capture_output=True, timeout=3600)
    seconds = time.perf_counter() - start
    assets = work / "site" / "assets" / "javascripts"
    index = work / "site" / "search" / "search_index.json"
    proc = subprocess.run(["node", str(ROOT / "benchmarks" / "material_driver.js"), str(assets), str(index)],
                          input=json.dumps([{"q": q["q"], "want": q["want"]} for q in queries]),
                          capture_output=True, text=True, check=False, timeout=7200)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    answers = json.loads(proc.stdout)
    # The first search fetches the index, the worker and the two lunr scripts it imports for zh.
    scripts = [*assets.glob("workers/search.*.min.js"),
               *(assets / "lunr" / "min" / f for f in ("lunr.stemmer.support.min.js", "lunr.zh.min.js"))]
    figures = {"index_bytes": index.stat().st_size, "bytes": index.stat().st_size + sum(
        f.stat().st_size for f in scripts if f.suffix == ".js"), "seconds": seconds,
        "docs": len(json.loads(index.read_text(encoding="utf-8"))["docs"])}
    return answers, figures


def compare(work: Path, run: tuple, sample: int) -> None:
    """Print top-1/top-5 per form of the name index and of plain Material + jieba, same queries."""
    import random

    from generator.render.search.bench import judge

    items, queries, answers, verdicts = run
    wanted = sorted({q["want"] for q in queries})
    if sample and len(wanted) > sample:
        wanted = set(random.Random(7).sample(wanted, sample))
    picked = [i for i, q in enumerate(queries) if q["want"] in wanted]
    qs = [queries[i] for i in picked]
    mine = tally(qs, [answers[i] for i in picked], [verdicts[i] for i in picked])
    theirs_answers, figures = material_baseline(work, items, qs)
    # Material lists every match (no capped list): a record it leaves out is missed.
    theirs_verdicts = ["miss" if a["pos"] < 0 else v for a, v in zip(theirs_answers, judge(qs, theirs_answers, items))]
    theirs = tally(qs, theirs_answers, theirs_verdicts)
    print(f"  plain Material + jieba: {figures['docs']} documents, built in {figures['seconds']:.1f} s; first search "
          f"downloads {figures['bytes'] / 1000:.0f} KB (search_index.json {figures['index_bytes'] / 1000:.0f} KB)")
    print(f"  {len(wanted)} records, {len(qs)} queries")
    print("  | form | queries | name index top-1 / top-5 | Material + jieba top-1 / top-5 |")
    for form, t in mine.items():
        o = theirs[form]
        print(f"  | {form} | {t['n']} | {t['top1'] / t['n']:.1%} / {t['top5'] / t['n']:.1%} | "
              f"{o['top1'] / o['n']:.1%} / {o['top5'] / o['n']:.1%} |", flush=True)


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
    ap.add_argument("--baseline", action="store_true", help="also plain Material + jieba on the same records")
    ap.add_argument("--baseline-sample", type=int, default=1000,
                    help="records whose queries the baseline is asked (0: all); its index holds every record")
    args = ap.parse_args()
    if args.province:
        import synth

        project = args.work / "province"
        if not (project / "mkdocs.yml").is_file():
            synth.synthesize(project, "province", seed=args.seed)
        table, figures, _ = forms(project, args.sample)
        report("province", table, figures)
        return
    for n in args.stations:
        project = args.work / f"city{n}"
        print(f"city of {n} 站 ({project})", flush=True)
        if args.runs:
            site = build(project, n, args.seed)
        elif not (project / "mkdocs.yml").is_file():
            import synth

            synth.synthesize(project, "jinan", seed=args.seed, stations=n)
        table, figures, run = forms(project)
        report(f"city{n}", table, figures)
        if args.baseline:
            compare(args.work / f"material{n}", run, args.baseline_sample)
        if not args.runs:
            continue
        from generator.config import load_config
        from generator.load import load

        net, _ = load(load_config(project / "mkdocs.yml"))
        names = [s.name for s in net.stations.values() if s.level.value == "站"][:: 97][: args.runs]
        ms, kb, all_bytes = first_search(site, names, args.runs)
        print(f"  first search in Chromium (median of {args.runs}): {ms:.0f} ms, {kb / 1000:.0f} KB "
              f"(max {max(all_bytes) / 1000:.0f} KB)", flush=True)


if __name__ == "__main__":
    main()
