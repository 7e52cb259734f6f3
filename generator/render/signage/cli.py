"""``wenming signage``: print-ready posters, a combined PDF for the print shop, previews and labels."""

from __future__ import annotations

from pathlib import Path

import click

from ...errors import report
from ...preflight import FIELDS as PREFLIGHT_FIELDS


def register(cli: click.Group) -> None:
    cli.add_command(signage)


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--level", help="只做该级别的阵地:中心/所/站/点/基地 (only this level)")
@click.option("--under", metavar="ID", help="只做该阵地及其下级 (only this station and those under it)")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True,
              help="纸张 (paper size)")
@click.option("--labels", is_flag=True, help="另出一份二维码贴纸页 (also a sheet of QR stickers)")
@click.option("--labels-only", is_flag=True, help="只出贴纸页,不出标识牌 (only the sticker sheet)")
@click.option("--pdf", "variant", type=click.Choice(["x4", "x1a", "plain"]), default="x4", show_default=True,
              help="印刷文件格式:PDF/X-4、PDF/X-1a(无透明、全 CMYK)或普通 PDF "
                   "(print file: PDF/X-4, PDF/X-1a (no transparency, CMYK only) or plain PDF)")
@click.option("--no-preview", is_flag=True, help="不生成 300 dpi PNG 预览图 (skip the PNG previews)")
@click.option("-o", "--output", type=click.Path(file_okay=False), default="out/signage", show_default=True,
              help="输出目录 (output folder)")
@click.pass_context
def signage(ctx: click.Context, ids: tuple[str, ...], level: str | None, under: str | None, paper: str,
            labels: bool, labels_only: bool, variant: str, no_preview: bool, output: str) -> int:
    """制作可直接交付印刷的阵地标识牌(每站一个 PDF、一个合并 PDF、PNG 预览)和二维码贴纸。

    (Make print-ready signs: one PDF per station, one combined PDF, PNG previews, and QR stickers.)
    Without ID, every active station is made. The PDFs are PDF/X-4 with a 3 mm bleed and crop
    marks, and are preflighted as `wenming preflight` does (exit 1 when the check finds an error).
    """
    from ...cli import load_network
    from . import select_stations, write_signage

    net, _ = load_network(ctx)
    cfg = net.config
    cfg.require_site_url("二维码标识牌")
    stations, notes = select_stations(net, ids, level, under)
    lang = ctx.obj["lang"]
    for note in notes:
        click.echo(note, err=True)
    out = Path(output)
    res = write_signage(net, cfg, stations, out, paper=paper.upper(), labels=labels or labels_only,
                        previews=not no_preview, posters=not labels_only, variant=variant)
    if res.problems:
        click.echo(report(res.problems, lang), err=True)
    for note in res.notes:
        click.echo(note, err=True)
    n = len(stations)
    if res.combined is not None:
        click.echo(f"已生成 {n} 张标识牌 ({n} poster(s)): {out / 'posters'}")
        click.echo(f"合并文件,交印刷厂 (combined PDF for the print shop): {res.combined}")
    if res.previews:
        click.echo(f"300 dpi 预览图 (previews): {out / 'previews'}")
    if res.labels is not None:
        click.echo(f"二维码贴纸 (QR sticker sheet): {res.labels}")
    label = {"x4": "PDF/X-4", "x1a": "PDF/X-1a", "plain": "普通 PDF (plain PDF)"}[variant]
    click.echo(f"印刷文件 (print files): {label},出血 3 mm,带裁切标记 (3 mm bleed, crop marks)")
    if any(p.is_error and p.field in PREFLIGHT_FIELDS for p in res.problems):
        click.echo("印刷预检发现错误,见上 (the preflight found errors, see above)", err=True)
        return 1
    click.echo("印刷预检通过 (preflight passed)")
    return 0
