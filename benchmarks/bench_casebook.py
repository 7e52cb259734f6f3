"""Benchmark: a 300-page case book (Typst: about 310 pages) with 110 cases and 150 photos.

    python benchmarks/bench_casebook.py [--cases 110] [--photos 150] [--keep DIR]

Builds a synthetic content tree (valid under SPEC v1) in a temporary folder,
typesets it with Typst (the engine ``wenming casebook`` uses) and with WeasyPrint
(the former engine), each in a process of its own, and prints for each the CPU
time, wall time, peak memory, PDF size and page count.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "村里把一间旧仓库改成兑换室，货架上摆着米面油、洗衣粉和学习用品。",
    "每月5日是兑换日，村民凭积分自选物品，{n}户人家参加了第一次兑换。",
    "宣讲员不限身份，退休教师、老党员、大学生村官、返乡青年都可以报名。",
    "“我们天天在做，就是不会写。”一位站长这样说。",
    "志愿者通过“志愿汇”App接单，平均响应时间缩短到{n}分钟左右（示例数字）。",
    "区中心在调研中发现，群众并不是不愿意听，而是不爱听“大道理”：一样的内容，换成本村本乡的人和事，大家就愿意多坐一会儿。",
    "服务队每周二、周五上午入户，为{n}位独居老人测血压、送药品。",
    "规则每年修订一次，修订稿先在广场公示十天，再提交村民代表会表决。",
    "项目纳入2023年度区级重点项目，经费{n}万元，由实践所统一管理。",
    "他们把课堂搬到田间地头，用陕北方言讲政策、讲法律、讲健康知识。",
    "群众的评价不仅是打分，更是下一轮服务调整的依据；评价结果每季度公开一次。",
    "在外务工的村民为村里介绍销路、捐赠图书，同样可以记分（即“远程积分”）。",
]
HEADINGS = ["问题：需求从哪里来", "做法：一本账、一间屋、一张榜", "成效与体会", "下一步打算"]
CATEGORIES = ["理论宣讲", "文化惠民", "助学支教", "医疗健身", "科学普及", "法律服务", "卫生环保", "扶贫帮困"]


def _photo(path: Path, seed: int) -> None:
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    im = Image.new("RGB", (1800, 1200), tuple(rnd.randrange(60, 220) for _ in range(3)))
    draw = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = rnd.randrange(1800), rnd.randrange(1200)
        draw.rectangle([x, y, x + rnd.randrange(50, 600), y + rnd.randrange(50, 400)],
                       fill=tuple(rnd.randrange(256) for _ in range(3)))
    im.save(path, "JPEG", quality=88)


def make_tree(base: Path, cases: int, photos: int, seed: int = 7) -> Path:
    rnd = random.Random(seed)
    (base / "content/stations").mkdir(parents=True)
    (base / "content/cases/2024").mkdir(parents=True)
    (base / "content/casebooks").mkdir(parents=True)
    (base / "content/images").mkdir(parents=True)
    (base / "mkdocs.yml").write_text(
        "site_name: 基准\nsite_url: https://wm.example.org/\ndocs_dir: content\nplugins: [wenming]\n",
        encoding="utf-8")
    (base / "content/index.md").write_text("# 首页\n", encoding="utf-8")
    (base / "content/stations/bench.md").write_text(
        "---\nname: 基准区新时代文明实践中心\nlevel: 中心\nphone: 0912-3850000\n---\n简介。\n", encoding="utf-8")
    for i in range(photos):
        _photo(base / f"content/images/p{i:03d}.jpg", seed + i)
    photo_ids = list(range(photos))
    for i in range(cases):
        body = ["> 基准测试用的合成案例。", ""]
        for h in HEADINGS:
            body += [f"## {h}", ""]
            for _ in range(rnd.randint(2, 4)):
                para = "".join(rnd.choice(SENTENCES).format(n=rnd.randint(3, 980))
                               for _ in range(rnd.randint(3, 6)))
                body += [para, ""]
        mine = [photo_ids.pop() for _ in range(2 if i % 2 == 0 and len(photo_ids) >= 2 else 1)
                if photo_ids]
        photos_yaml = "".join(f"  - {{src: images/p{p:03d}.jpg, caption: 合成图片 {p}}}\n" for p in mine)
        (base / f"content/cases/2024/case-{i:03d}.md").write_text(
            f"---\ntitle: 第{i + 1}个案例——合成的新时代文明实践案例标题\nyear: 2024\n"
            f"category: {CATEGORIES[i % len(CATEGORIES)]}\nstations: [bench]\nauthor: 编辑组\n"
            f"source: 合成数据\norder: {i}\n" + (f"photos:\n{photos_yaml}" if mine else "") + "---\n\n"
            + "\n".join(body) + "\n", encoding="utf-8")
    chapters = "".join(f"  - {{title: {c}篇, categories: [{c}]}}\n" for c in CATEGORIES)
    (base / "content/casebooks/2024-preface.md").write_text("---\ntitle: 序言\n---\n\n这是序言。\n", encoding="utf-8")
    (base / "content/casebooks/2024-afterword.md").write_text("这是后记。\n", encoding="utf-8")
    (base / "content/casebooks/2024.yml").write_text(
        "title: 基准案例选编\nsubtitle: 2024\neditor: 基准编辑组 编\npreface: casebooks/2024-preface.md\n"
        "afterword: casebooks/2024-afterword.md\nselect: {year: 2024}\npaper: A4\n"
        f"print: {{bleed: 3mm, marks: true}}\nchapters:\n{chapters}", encoding="utf-8")
    return base


def run_engine(base: Path, engine: str) -> dict:
    """Load the tree and typeset the book with one engine (in this process); figures as a dict."""
    from generator.config import load_config
    from generator.load import load
    from generator.render.casebook.content import find_book, gather

    t0 = time.perf_counter()
    c0 = _cpu()
    config = load_config(base / "mkdocs.yml")
    net, problems = load(config)
    if problems.errors:
        raise SystemExit("\n".join(p.format() for p in problems.errors))
    content = gather(net, find_book(net, 2024), config)
    out = base / "out" / engine / "casebook-2024.pdf"
    if engine == "typst":
        from generator.render.casebook.typeset import render_book

        report = render_book(content, config, out)
        extra = {"text_block_pages": report.block_pages, "spine_mm": report.spine_mm}
    else:
        from generator.render.casebook.pdf import render_pdf

        report = render_pdf(content, config, out)
        extra = {}
    return {"engine": engine, "pages": report.pages, "wall": time.perf_counter() - t0,
            "cpu": _cpu() - c0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "size_mb": out.stat().st_size / 1e6, "pdf": str(out), **extra}


def _cpu() -> float:
    """CPU seconds of this process, all threads (Typst lays out on several), and of its children."""
    return sum(r.ru_utime + r.ru_stime
               for r in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    import json
    import subprocess

    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=110)
    ap.add_argument("--photos", type=int, default=150)
    ap.add_argument("--keep", help="build in this folder and keep it")
    ap.add_argument("--engines", default="typst,weasyprint",
                    help="comma-separated: typst (what wenming uses), weasyprint (the former engine)")
    ap.add_argument("--clreq", action="store_true",
                    help="also read each PDF back and count 孤字, line-start spaces, split units, half-empty pages")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one engine on --keep, print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_engine(Path(args.keep), args.one)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        t0 = time.perf_counter()
        if not (base / "mkdocs.yml").is_file():
            make_tree(base, args.cases, args.photos)
        made = time.perf_counter() - t0
        print(f"content tree: {args.cases} cases, {args.photos} photos (made in {made:.1f} s)")
        print("each engine runs in its own process: load + print copies + layout + PDF "
              "(CPU = user + system of all its threads; memory = its max RSS)")
        for engine in args.engines.split(","):
            # a fresh process per engine, so that each one's peak memory is its own
            res = subprocess.run([sys.executable, __file__, "--keep", str(base), "--one", engine],
                                 capture_output=True, text=True, check=False)
            if res.returncode:
                raise SystemExit(res.stderr)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            line = (f"{engine:<11} {r['pages']:>4} pages  {r['cpu']:6.1f} s CPU  {r['wall']:6.1f} s wall  "
                    f"{r['peak_mb']:6.0f} MB peak  PDF {r['size_mb']:.1f} MB")
            if "text_block_pages" in r:
                line += f"  (内文 {r['text_block_pages']} pages, spine {r['spine_mm']} mm)"
            print(line, flush=True)
            if args.clreq:
                from generator.render.casebook.pdf import geometry
                from generator.render.casebook.readback import check_book

                print(f"{'':<11} {check_book(Path(r['pdf']), geometry('A4'), 3.0)}", flush=True)


if __name__ == "__main__":
    main()
