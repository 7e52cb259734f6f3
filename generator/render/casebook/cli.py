"""``wenming casebook YEAR``: the annual case book as a print-ready PDF or a Word draft."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ...errors import UsageError


def register(cli: click.Group) -> None:
    cli.add_command(casebook)


@click.command()
@click.argument("year")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="输出文件,默认 out/casebook-YEAR.pdf (output file)")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default=None,
              help="pdf(付印)或 docx(送审稿);默认按输出文件的扩展名 (pdf for print, docx for a review draft)")
@click.option("--draft", is_flag=True, help="每页标注「征求意见稿」 (mark every page as a draft for comments)")
@click.pass_context
def casebook(ctx: click.Context, year: str, output: str | None, fmt: str | None, draft: bool) -> int:
    """编排 content/casebooks/YEAR.yml 定义的案例选编 (typeset the case book of YEAR)."""
    from ...cli import get_config, load_network
    from .content import find_book, gather

    if fmt is None:
        fmt = "docx" if output and output.lower().endswith(".docx") else "pdf"
    if output and Path(output).suffix.lower() not in ("", f".{fmt}"):
        raise UsageError(f"输出文件 {output} 的扩展名与格式 {fmt} 不符;请改为 .{fmt}\n"
                         f"  (the output {output} does not match the format {fmt}; name it .{fmt})")
    net, _ = load_network(ctx)
    config = get_config(ctx)
    book = find_book(net, year)
    out = Path(output) if output else config.project_dir / "out" / f"casebook-{book.year}.{fmt}"
    content = gather(net, book, config)
    if not content.entries:
        raise UsageError(f"{book.path}: 选编没有选中任何案例,无法编排;请检查 select\n"
                         f"  (the selection matches no case; check select)")
    started = time.perf_counter()
    if fmt == "docx":
        from .word import render_docx

        render_docx(content, config, out, draft=draft)
        click.echo(f"已生成送审稿 {out}:{len(content.entries)} 个案例 "
                   f"(wrote the Word draft {out}: {len(content.entries)} cases)")
        return 0
    from .pdf import render_pdf

    report = render_pdf(content, config, out, draft=draft)
    secs = time.perf_counter() - started
    click.echo(f"已生成 {out}:{report.pages} 页、{len(content.entries)} 个案例、{report.photos} 张图片,"
               f"用时 {secs:.1f} 秒 (wrote {out}: {report.pages} pages, {len(content.entries)} cases, "
               f"{report.photos} photos in {secs:.1f} s)")
    click.echo(str(report.justified))
    return 0
