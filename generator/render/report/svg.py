"""Bar charts as inline SVG, drawn at build time: no scripts, no fonts, no third-party hosts.
The geometry is computed here; the markup is the theme's ``site/chart.svg``.

Horizontal bars suit Chinese labels (no rotated text). Each chart carries a
``<title>`` and a ``<desc>`` listing every value, and each bar its own
``<title>``, so a screen reader or a hover gives the exact figure. Text inherits
the page's font and colour.
"""

from __future__ import annotations

import re

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
              color: str = "#b3261e") -> dict:
    """An accessible horizontal bar chart's geometry; ``site/chart.svg`` of the theme draws it.
    ``key`` makes its element ids unique on the page.

    Each row is a label line with the bar under it, so long Chinese labels need no
    clipping and the chart stays legible in a 360-pixel phone column.
    """
    key = re.sub(r"[^a-z0-9-]", "-", key.lower())
    value_w = max((len(_fmt(v)) for _, v in data), default=1) * FONT * 0.6 + 8
    plot_w = WIDTH - PAD * 2 - value_w
    top = max((v for _, v in data), default=0) or 1
    rows = []
    for i, (label, value) in enumerate(data):
        y = PAD + i * ROW
        w = max(plot_w * value / top, 2 if value else 0)
        bar_y = y + LABEL_H
        rows.append({"title": f"{label}：{_fmt(value)}{unit.strip()}", "label": _clip(label),
                     "label_y": f"{y + FONT:.1f}", "bar_y": bar_y, "w": f"{w:.1f}",
                     "value_x": f"{PAD + w + 6:.1f}", "value_y": f"{bar_y + BAR - 3:.1f}", "value": _fmt(value)})
    return {"id": f"wm-chart-{key}", "title": title, "width": WIDTH, "height": PAD * 2 + ROW * max(len(data), 1) - GAP,
            "font": FONT, "pad": PAD, "bar": BAR, "plot_w": f"{plot_w:.1f}", "color": color, "rows": rows,
            "desc": "；".join(f"{lbl}：{_fmt(v)}{unit.strip()}" for lbl, v in data) or "无数据"}
