"""Print-ready signage: one poster per station (A4 or A3), a combined PDF and a QR label sheet.

Posters are HTML + CSS (the theme's ``signage/poster.html``, ``poster.css``) laid out by
WeasyPrint: the QR code stays vector (SVG) and the Noto CJK fonts are embedded as
subsets. Pages are laid out at the paper size plus a 3 mm bleed on every side (the red
bands run into it); :func:`..pdfx.finalize` makes the combined document PDF/X-4 (or X-1a,
or plain) with page boxes and crop marks, and each station's PDF is a one-page copy of it.
"""

from __future__ import annotations

import base64
import functools
import math
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ... import theme
from ...config import Config
from ...errors import Problem, UsageError, unknown_id
from ...model import Level, Station
from .. import pdfx
from ..qr import QrImages, density_problem, qr_url, short_url

#: Paper sizes in mm (portrait). The design is drawn for A4 and scaled for A3.
PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
#: QR image side on an A4 poster, quiet zone included: the symbol itself is >= 100 mm
#: (versions 2-6), readable from a metre and more (symbol width ~ 1/10 of the distance).
QR_MM_A4 = 134.0
#: Bleed on every side of a poster or label sheet, in mm (what print shops ask for).
BLEED_MM = 3.0
MAX_SERVICES = 4


def text_width(text: str) -> float:
    """Width of ``text`` in em: full-width characters count 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text)


def fit_text(text: str, width: float, height: float, max_size: float, min_size: float,
             line_height: float = 1.25, max_lines: int = 8) -> tuple[float, int]:
    """The largest font size (same unit as width/height) at which ``text`` fits the box.

    Lines break between any two characters (Chinese rules), so a line holds
    ``width / size`` em; a small safety margin covers kinsoku (punctuation kept off a line start).
    """
    w = max(text_width(text), 1.0)
    best_size, best_lines = 0.0, max_lines
    for lines in range(1, max_lines + 1):
        size = min(max_size, width * 0.94 / (w / lines + 1.0))
        if lines * size * line_height <= height and size > best_size:
            best_size, best_lines = size, lines
    if best_size < min_size:
        return min_size, max_lines
    return math.floor(best_size * 100) / 100, best_lines


#: Characters that must not start a line (Chinese line-break rules, 避头点).
NO_LINE_START = set("、。，,.．：:；;！!？?）)」』】》〉’”…—-~～·%％")
#: Characters that must not end a line (避尾点).
NO_LINE_END = set("（(「『【《〈‘“")


def balanced_lines(text: str, size: float, width: float) -> list[str]:
    """Split ``text`` into the fewest lines that fit ``width`` at ``size``, evenly long.

    Breaks fall between any two characters except before closing punctuation and after
    opening punctuation. Each line is still allowed to wrap again in the layout engine.
    """
    per_line = max(width * 0.94 / size - 1.0, 1.0)
    total = text_width(text)
    n = max(1, math.ceil(total / per_line - 1e-9))
    if n == 1:
        return [text]
    target = total / n
    lines: list[str] = []
    cur, cur_w = "", 0.0
    for ch in text:
        cw = text_width(ch)
        if (cur and len(lines) < n - 1 and cur_w + cw / 2 > target
                and ch not in NO_LINE_START and cur[-1] not in NO_LINE_END):
            lines.append(cur)
            cur, cur_w = "", 0.0
        cur += ch
        cur_w += cw
    lines.append(cur)
    return lines


#: Where a long name breaks best: before the generic suffix (…村 / 新时代文明实践站).
NAME_BREAK_BEFORE = "新时代文明实践"


def name_layout(name: str, width: float, height: float, max_size: float, min_size: float,
                line_height: float = 1.25) -> tuple[float, list[str]]:
    """Font size and lines for a station name: one line when it is nearly as big, else a break
    before 新时代文明实践 when that keeps the size, else evenly balanced lines."""
    size, _ = fit_text(name, width, height, max_size, min_size, line_height)
    lines = balanced_lines(name, size, width)
    i = name.find(NAME_BREAK_BEFORE)
    if i > 0:
        a, b = name[:i], name[i:]
        size2 = min(max_size, width * 0.94 / (max(text_width(a), text_width(b)) + 1.0))
        size2 = math.floor(size2 * 100) / 100
        fits = 2 * size2 * line_height <= height and size2 >= size * 0.8
        if fits and not (len(lines) == 1 and size >= size2 * 0.85):
            return size2, [a, b]
    return size, lines


@dataclass
class SignageResult:
    posters: list[Path] = field(default_factory=list)
    previews: list[Path] = field(default_factory=list)
    combined: Path | None = None
    labels: Path | None = None
    variant: str = "x4"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    qr: QrImages | None = None


# ----------------------------------------------------------------------------- selection


def parse_level(value: str | None) -> Level | None:
    if not value:
        return None
    from ...model.fields import LEVEL_ALIASES

    key = value.strip().lower()
    if key not in LEVEL_ALIASES:
        raise UsageError(
            f"--level 应为 中心、所、站、点 或 基地,实际为 \"{value}\"\n"
            f"  (--level must be 中心, 所, 站, 点 or 基地 (center, institute, station, point, base), "
            f"found \"{value}\")"
        )
    return Level(LEVEL_ALIASES[key])


def _lookup(net, sid: str, option: str) -> Station:
    st = net.resolve(sid)
    if st is None:
        zh, en = unknown_id(sid, net.stations)
        raise UsageError(f"{option}{zh}\n  ({option}{en})")
    return st


def select_stations(net, ids: tuple[str, ...] | list[str] = (), level: str | None = None,
                    under: str | None = None) -> tuple[list[Station], list[str]]:
    """Active stations to print, in tree order; (stations, notes for the editor)."""
    notes: list[str] = []
    lv = parse_level(level)
    order = {s.id: i for i, s in enumerate(net.subtree(net.root_id or ""))}
    if ids:
        chosen: list[Station] = []
        for sid in ids:
            st = _lookup(net, sid, "")
            if st.id != sid:
                notes.append(f"\"{sid}\" 是旧编号,已按现编号 \"{st.id}\" 制作 (\"{sid}\" is a former id; "
                             f"made the sign of \"{st.id}\")")
            if st not in chosen:
                chosen.append(st)
    else:
        chosen = list(net.stations.values())
    if under:
        top = _lookup(net, under, "--under: ")
        inside = {s.id for s in net.subtree(top.id)}
        chosen = [s for s in chosen if s.id in inside]
    if lv is not None:
        chosen = [s for s in chosen if s.level == lv]
    out = []
    for s in chosen:
        if not s.is_active:
            if ids:
                notes.append(f"\"{s.id}\" 已{'合并' if s.status.value == 'merged' else '撤销'},不再制作标识牌;"
                             f"旧二维码仍可扫码 (\"{s.id}\" is {s.status.value}: no new sign; its old code "
                             "still works)")
            continue
        out.append(s)
    out.sort(key=lambda s: (order.get(s.id, len(order)), s.id))
    return out, notes


# ----------------------------------------------------------------------------- HTML


@functools.lru_cache(maxsize=4)
def _theme_env(dirs: tuple[str, ...]) -> jinja2.Environment:
    return theme.environment(dirs, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _env(config: Config) -> jinja2.Environment:
    return _theme_env(tuple(str(d) for d in theme.project_dirs(config)))


def _svg_src(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def footer_text(net, config: Config, st: Station) -> str:
    root = net.root
    if root is not None and root.id != st.id:
        return root.name
    return config.site_name


def poster_data(net, config: Config, st: Station, qr: QrImages) -> dict:
    url = qr_url(config, st.id)
    short = short_url(url)
    name_size, name_lines = name_layout(st.name, 180, 34, 13.0, 4.0)
    rows: list[tuple[str, str, str]] = []
    if st.phone:
        rows.append(("服务电话", st.phone, "phone"))
    if st.hours:
        rows.append(("开放时间", st.hours, ""))
    if st.open_day:
        rows.append(("活动日", st.open_day, ""))
    services = [s.name for s in st.services[:MAX_SERVICES]]
    if services:
        more = " 等" if len(st.services) > MAX_SERVICES else ""
        rows.append(("服务项目", "、".join(services) + more, ""))
    if not st.phone and st.address:
        rows.append(("地址", st.address, ""))
    return {
        "id": st.id,
        "name": st.name,
        "name_size": name_size,
        "name_lines": name_lines,
        "level_label": Level(st.level).full_name,
        "url": url,
        "short": short,
        "url_size": round(min(6.0, 176 / (len(short) * 0.6 + 1)), 2),
        "qr_src": _svg_src(qr.svg(url)),
        "rows": rows,
        "info_size": info_size(rows),
        "footer": footer_text(net, config, st),
    }


def info_size(rows: list[tuple[str, str, str]], width: float = 170, height: float = 60) -> float:
    """Largest font size (A4 mm) at which the info table fits its box."""
    size = 6.4
    while size > 3.0:
        label_w = size * 4.6 + 5
        total = 0.0
        for _, value, cls in rows:
            s = size * 1.5 if cls == "phone" else size
            per_line = max((width - label_w) / s - 0.5, 1)
            total += math.ceil(text_width(value) / per_line) * size * 1.45
        if total + 3 <= height:
            return round(size, 2)
        size -= 0.1
    return 3.0


def poster_html(net, config: Config, stations: list[Station], paper: str, qr: QrImages) -> str:
    pw, ph = PAPERS[paper]
    scale = pw / 210.0

    def u(mm: float) -> str:
        return f"{mm * scale:.2f}mm"

    posters = [poster_data(net, config, st, qr) for st in stations]
    title = posters[0]["name"] if len(posters) == 1 else f"{config.site_name} 标识牌"
    return _env(config).get_template("signage/poster.html").render(
        posters=posters, paper={"w": pw, "h": ph}, u=u, qr_mm=QR_MM_A4, title=title, bleed=BLEED_MM)


def labels_html(net, config: Config, stations: list[Station], paper: str, qr: QrImages) -> str:
    pw, ph = PAPERS[paper]
    margin = 8.0
    cols = max(1, int((pw - 2 * margin) // 64))
    rows = max(1, int((ph - 2 * margin) // 70))
    cw, ch = (pw - 2 * margin) / cols, (ph - 2 * margin) / rows
    cell = {"w": round(cw, 2), "h": round(ch, 2), "pad": 2.5, "qr": 44.0}
    per_page = cols * rows
    pages: list[list[dict]] = []
    for i, st in enumerate(stations):
        if i % per_page == 0:
            pages.append([])
        k = i % per_page
        url = qr_url(config, st.id)
        short = short_url(url)
        size, lines = name_layout(st.name, cw - 2 * cell["pad"], 3.4 * 1.25 * 2, 3.4, 1.6)
        pages[-1].append({
            "id": st.id, "name": st.name, "name_lines": lines, "short": short, "name_size": size,
            "url_size": round(min(2.8, (cw - 4) / (len(short) * 0.6 + 0.5)), 2),
            "x": round(margin + (k % cols) * cw, 2), "y": round(margin + (k // cols) * ch, 2),
            "qr_src": _svg_src(qr.svg(url)),
        })
    return _env(config).get_template("signage/labels.html").render(
        pages=pages, cell=cell, paper={"w": pw, "h": ph}, title=f"{config.site_name} 二维码贴纸",
        bleed=BLEED_MM)


# ----------------------------------------------------------------------------- PDF


def _html(text: str, config: Config):
    """A WeasyPrint document; ``poster.css`` is the project's (themes/signage/) or the default."""
    from weasyprint import HTML

    css = _env(config).loader.filename("signage/poster.css")
    return HTML(string=text, base_url=str(css.parent) + "/")


def render_posters(net, config: Config, stations: list[Station], paper: str = "A4", qr: QrImages | None = None):
    """A laid-out WeasyPrint document, one page per station."""
    qr = qr or QrImages(config)
    return _html(poster_html(net, config, stations, paper, qr), config).render()


def write_posters(doc, config: Config, stations: list[Station], out_dir: Path, paper: str,
                  variant: str = "x4") -> tuple[Path, list[Path]]:
    """The combined print file of the laid-out ``doc`` and one single-page copy per station
    (``posters/<id>.pdf``); (combined, per-station paths)."""
    folder = out_dir / "posters"
    folder.mkdir(exist_ok=True)
    combined = out_dir / f"all-posters-{paper}.pdf"
    _print_file(doc, combined, f"{config.site_name} 标识牌", variant)
    posters = [folder / f"{st.id}.pdf" for st in stations]
    pdfx.split_pages(combined, [(t, st.name) for t, st in zip(posters, stations)])
    return combined, posters


def preview_png(pdf: Path, target: Path, dpi: int = 300) -> bool:
    """Rasterise the first page of ``pdf``, cut at its TrimBox (what the sign looks like once
    trimmed), with poppler's pdftoppm; False when it is not installed."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        return False
    box = pdfx.page_boxes(pdf)[0]
    scale = dpi / 72
    x = round((box.trim[0] - box.media[0]) * scale)
    y = round((box.media[3] - box.trim[3]) * scale)
    w = round((box.trim[2] - box.trim[0]) * scale)
    h = round((box.trim[3] - box.trim[1]) * scale)
    prefix = target.with_suffix("")
    subprocess.run([exe, "-r", str(dpi), "-png", "-singlefile", "-f", "1", "-l", "1", "-x", str(x), "-y", str(y),
                    "-W", str(w), "-H", str(h), str(pdf), str(prefix)], check=True, capture_output=True)
    return True


def _print_file(doc_or_html, target: Path, title: str, variant: str) -> None:
    """Write a laid-out document (or HTML) to ``target`` as the print shop's file."""
    raw = target.with_name(f".{target.name}.{os.getpid()}.raw.pdf")
    try:
        doc_or_html.write_pdf(raw)
        pdfx.finalize(raw, target, pdfx.PrintSpec(variant=variant, bleed_mm=BLEED_MM, marks=True, title=title))
    finally:
        raw.unlink(missing_ok=True)


def write_signage(net, config: Config, stations: list[Station], out_dir: Path, paper: str = "A4",
                  labels: bool = False, previews: bool = True, posters: bool = True,
                  variant: str = "x4", preflight: bool = True) -> SignageResult:
    """Posters (one PDF each + a combined PDF + 300 dpi previews) and optionally a label sheet,
    as PDF/X-4 (``variant``: x4, x1a or plain) with a 3 mm bleed and crop marks; the combined
    PDF and the label sheet are preflighted (problems in ``res.problems``)."""
    config.require_site_url("二维码标识牌")
    if variant not in pdfx.VARIANTS:
        raise UsageError(f"--pdf 应为 x4、x1a 或 plain,实际为 \"{variant}\"\n"
                         f"  (--pdf must be x4, x1a or plain, found \"{variant}\")")
    paper = paper.upper()
    if paper not in PAPERS:
        raise UsageError(f"纸张应为 A4 或 A3,实际为 \"{paper}\"\n  (paper must be A4 or A3, found \"{paper}\")")
    if not stations:
        raise UsageError("没有选中任何正常运行的阵地,没有可制作的标识牌;请检查编号、--level 和 --under\n"
                         "  (no active station matches: nothing to print; check the ids, --level and --under)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    qr = QrImages(config)
    res = SignageResult(qr=qr, variant=variant)
    for st in stations:
        url = qr_url(config, st.id)
        p = density_problem(config, st, url, qr.version(url))
        if p is not None:
            res.problems.append(p)
    if posters:
        doc = render_posters(net, config, stations, paper, qr)
        res.combined, res.posters = write_posters(doc, config, stations, out_dir, paper, variant)
        if previews:
            pv = out_dir / "previews"
            pv.mkdir(exist_ok=True)
            if shutil.which("pdftoppm") is None:
                res.notes.append("未安装 pdftoppm(poppler-utils),跳过 PNG 预览图 "
                                 "(pdftoppm from poppler-utils is not installed: no PNG previews)")
            else:
                from concurrent.futures import ThreadPoolExecutor

                targets = [pv / f"{st.id}.png" for st in stations]
                with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                    list(pool.map(preview_png, res.posters, targets))
                res.previews.extend(targets)
    if labels:
        res.labels = out_dir / f"labels-{paper}.pdf"
        _print_file(_html(labels_html(net, config, stations, paper, qr), config), res.labels,
                    f"{config.site_name} 二维码贴纸", variant)
    if preflight:
        from ...preflight import preflight as check_pdf

        for pdf in (res.combined, res.labels):
            if pdf is not None:
                res.problems.extend(check_pdf(pdf, display=config.rel(pdf), require_pdfx=variant != "plain"))
    return res
