"""``wenming signage``: print-ready posters, a combined PDF for the print shop, previews and labels."""

from __future__ import annotations

from pathlib import Path

import click

from ...errors import report


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
@click.option("--no-preview", is_flag=True, help="不生成 300 dpi PNG 预览图 (skip the PNG previews)")
@click.option("-o", "--output", type=click.Path(file_okay=False), default="out/signage", show_default=True,
              help="输出目录 (output folder)")
@click.pass_context
def signage(ctx: click.Context, ids: tuple[str, ...], level: str | None, under: str | None, paper: str,
            labels: bool, labels_only: bool, no_preview: bool, output: str) -> int:
    """制作可直接交付印刷的阵地标识牌(每站一个 PDF、一个合并 PDF、PNG 预览)和二维码贴纸。

    (Make print-ready signs: one PDF per station, one combined PDF, PNG previews, and QR stickers.)
    Without ID, every active station is made.
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
                        previews=not no_preview, posters=not labels_only)
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
    return 0
