"""Bar charts as inline SVG, drawn at build time: no scripts, no fonts, no third-party hosts.

Horizontal bars suit Chinese labels (no rotated text). Each chart carries a
``<title>`` and a ``<desc>`` listing every value, and each bar its own
``<title>``, so a screen reader or a hover gives the exact figure. Text inherits
the page's font and colour.
"""

from __future__ import annotations

import re
from html import escape

from rich.cells import cell_len

LABEL_H = 22  # label line
BAR = 16
GAP = 12
ROW = LABEL_H + BAR + GAP
FONT = 16
PAD = 4
WIDTH = 360  # user units; the chart scales to its column, at most 26em wide (report/site.py's style)
MAX_LABEL_CELLS = 46


def _clip(label: str) -> str:
    if cell_len(label) <= MAX_LABEL_CELLS:
        return label
    out = ""
    for ch in label:
        if cell_len(out + ch) > MAX_LABEL_CELLS - 1:
            break
        out += ch
    return out + "…"


def _fmt(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}"


def bar_chart(key: str, title: str, data: list[tuple[str, float]], *, unit: str = "",
              color: str = "#b3261e") -> str:
    """An accessible horizontal bar chart; ``key`` makes its element ids unique on the page.

    Each row is a label line with the bar under it, so long Chinese labels need no
    clipping and the chart stays legible in a 360-pixel phone column.
    """
    key = re.sub(r"[^a-z0-9-]", "-", key.lower())
    cid = f"wm-chart-{key}"
    value_w = max((len(_fmt(v)) for _, v in data), default=1) * FONT * 0.6 + 8
    plot_w = WIDTH - PAD * 2 - value_w
    top = max((v for _, v in data), default=0) or 1
    height = PAD * 2 + ROW * max(len(data), 1) - GAP
    desc = "；".join(f"{lbl}：{_fmt(v)}{unit.strip()}" for lbl, v in data) or "无数据"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="wm-chart" id="{cid}" role="img" '
            f'viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'aria-labelledby="{cid}-title {cid}-desc" font-size="{FONT}">')
    parts = [
        head,
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    if not data:
        parts.append(f'<text x="{PAD}" y="{PAD + FONT}" fill="currentColor">无数据</text>')
    for i, (label, value) in enumerate(data):
        y = PAD + i * ROW
        w = max(plot_w * value / top, 2 if value else 0)
        bar_y = y + LABEL_H
        parts.append(
            f'<g class="wm-bar"><title>{escape(label)}：{_fmt(value)}{escape(unit.strip())}</title>'
            f'<text x="{PAD}" y="{y + FONT:.1f}" fill="currentColor">{escape(_clip(label))}</text>'
            f'<rect x="{PAD}" y="{bar_y}" width="{plot_w:.1f}" height="{BAR}" fill="currentColor" '
            f'fill-opacity="0.08"/>'
            f'<rect x="{PAD}" y="{bar_y}" width="{w:.1f}" height="{BAR}" fill="{color}"/>'
            f'<text x="{PAD + w + 6:.1f}" y="{bar_y + BAR - 3:.1f}" fill="currentColor" class="wm-value" '
            f'font-weight="bold">{_fmt(value)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
