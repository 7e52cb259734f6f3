"""``wenming report``: counts, coverage and standards, as a table, CSV, XLSX or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...errors import UsageError
from .output import FORMATS


def register(cli: click.Group) -> None:
    cli.add_command(report)


@click.command()
@click.option("--profile", "profile_spec", metavar="NAME|FILE",
              help="标准配置:内置名称(shandong-2022、basic、yuyang-8)或 YAML 文件路径;缺省取 mkdocs.yml "
                   "中的 profile (standards profile: a shipped name or a YAML file; default from mkdocs.yml)")
@click.option("--under", metavar="ID", help="只统计某个阵地及其下级 (only this station and those under it)")
@click.option("--year", type=int, help="统计年度;缺省为活动台账中最近的年份 (year; default: latest in the ledger)")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="输出格式;缺省按 -o 的扩展名,否则为 table (output format; default from -o, else table)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="写入文件而不是屏幕 (write to a file instead of the terminal)")
@click.pass_context
def report(ctx: click.Context, profile_spec: str | None, under: str | None, year: int | None,
           fmt: str | None, output: str | None) -> int:
    """统计报告:阵地数量、覆盖率、队伍与活动,以及哪些阵地未达标、缺什么。

    (Report: counts, coverage, teams and activities, and which stations fall short of the
    standards and why.)
    """
    from ...cli import load_network
    from ...report.compute import build_report
    from ...report.profile import load_profile
    from .output import print_rich, to_csv, to_json, to_text, write_xlsx

    net, _ = load_network(ctx)
    cfg = net.config
    if year is not None and not 1949 <= year <= 2100:
        raise UsageError(f"--year 应为 4 位年份(如 2023),实际为 {year}\n  (--year is a 4-digit year such as "
                         f"2023, found {year})")
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output else ""
        fmt = {"json": "json", "csv": "csv", "xlsx": "xlsx", "txt": "table"}.get(suffix, "table")
    if fmt == "xlsx" and not output:
        raise UsageError("xlsx 格式需要用 -o 指定输出文件,例如 -o 报告.xlsx\n"
                         "  (the xlsx format needs an output file: -o report.xlsx)")
    profile = load_profile(profile_spec or cfg.profile, cfg.project_dir)
    data = build_report(net, cfg, profile, under=under, year=year)

    if output:
        out = Path(output)
        if out.parent and not out.parent.exists():
            raise UsageError(f"输出目录 {out.parent} 不存在\n  (the output folder {out.parent} does not exist)")
        if fmt == "xlsx":
            write_xlsx(data, out)
        else:
            text = {"json": to_json, "csv": to_csv, "table": to_text}[fmt](data)
            out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        st = data["standards"]
        click.echo(f"已写入 {out}:{st['assessed']} 个阵地中 {st['failing_count']} 个未达标"
                   f" (wrote {out}: {st['failing_count']} of {st['assessed']} stations fall short)")
        return 0
    if fmt == "json":
        click.echo(to_json(data), nl=False)
    elif fmt == "csv":
        click.echo(to_csv(data), nl=False)
    elif sys.stdout.isatty():
        from rich.console import Console

        print_rich(data, Console())
    else:
        click.echo(to_text(data), nl=False)
    return 0
