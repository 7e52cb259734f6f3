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
@click.option("--pdf", "variant", type=click.Choice(["x4", "x1a", "plain"]), default="x4", show_default=True,
              help="印刷文件(内文、封面)格式:PDF/X-4、PDF/X-1a 或普通 PDF "
                   "(print files: PDF/X-4, PDF/X-1a or plain PDF)")
@click.pass_context
def casebook(ctx: click.Context, year: str, output: str | None, fmt: str | None, draft: bool,
             variant: str) -> int:
    """编排 content/casebooks/YEAR.yml 定义的案例选编 (typeset the case book of YEAR).

    PDF: the reading copy (-o, cover as page 1) and beside it FILE-内文.pdf (text block) and
    FILE-封面.pdf (cover spread) for the print shop, preflighted as `wenming preflight` does
    (exit 1 when the check finds an error).
    """
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
    from ...errors import report as format_problems
    from .typeset import render_book

    report = render_book(content, config, out, draft=draft, variant=variant)
    secs = time.perf_counter() - started
    click.echo(f"已生成阅读版 {out}:{report.pages} 页、{len(content.entries)} 个案例、{report.photos} 张图片,"
               f"用时 {secs:.1f} 秒 (wrote the reading copy {out}: {report.pages} pages, "
               f"{len(content.entries)} cases, {report.photos} photos in {secs:.1f} s)")
    click.echo(f"交印刷厂 (for the print shop): 内文 {report.text_block}({report.block_pages} 页,"
               f"{content.signature} 页一帖 / {report.block_pages} pages in signatures of {content.signature}),"
               f"封面 {report.cover}(书脊 {report.spine_mm} mm / spine {report.spine_mm} mm)")
    problems = []
    from ...preflight import preflight

    for path, print_file in ((report.text_block, variant != "plain"), (report.cover, variant != "plain"),
                             (out, False)):
        problems += preflight(path, display=config.rel(path), print_file=print_file)
    if problems:
        click.echo(format_problems(problems, ctx.obj.get("lang", "zh")), err=True)
    if any(p.is_error for p in problems):
        return 1
    click.echo("预检通过 (preflight passed)")
    return 0
