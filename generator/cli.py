"""The ``wenming`` command: thin, one function per verb.

Exit codes: 0 success, 1 content errors (or warnings with --strict), 2 misuse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .config import Config, load_config
from .errors import ContentError, UsageError, report
from .scaffold import INIT_NAME


class _Group(click.Group):
    """Turns misuse and content errors into clean messages and exit codes, never tracebacks."""

    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("standalone_mode", False)
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(2)
        except click.UsageError as exc:
            exc.show()
            sys.exit(2)
        except click.exceptions.Abort:
            click.echo("已取消 (aborted)", err=True)
            sys.exit(1)
        except UsageError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
        except ContentError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug of ours: say so plainly, full trace only on request
            import os
            import traceback

            if os.environ.get("WENMING_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"内部错误:{type(exc).__name__}: {exc}\n  请设置环境变量 WENMING_DEBUG=1 重新运行并把输出报告给维护者"
                f"\n  (internal error: {type(exc).__name__}: {exc}; rerun with WENMING_DEBUG=1 and report "
                "the output)",
                err=True,
            )
            sys.exit(3)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-f", "--config-file", default="mkdocs.yml", show_default=True,
              help="mkdocs.yml 的路径 (path to mkdocs.yml)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="消息语言 (message language)")
@click.pass_context
def cli(ctx: click.Context, config_file: str, lang: str) -> None:
    """新时代文明实践网络:检查内容、生成网站、二维码标识和案例选编。

    (Check content and build the site, QR signage and case books of a civilization-practice network.)
    """
    ctx.ensure_object(dict)
    ctx.obj["config_file"] = config_file
    ctx.obj["lang"] = lang


def get_config(ctx: click.Context) -> Config:
    return load_config(ctx.obj["config_file"])


def load_network(ctx: click.Context, strict: bool = False, quiet_ok: bool = True):
    """Load and validate; print problems; raise ContentError when the content cannot be used."""
    from .load import load

    cfg = get_config(ctx)
    net, problems = load(cfg)
    lang = ctx.obj["lang"]
    if problems.errors or (strict and problems.warnings):
        raise ContentError(problems.sorted(), lang)
    if problems.warnings and not quiet_ok:
        click.echo(report(problems.sorted(), lang), err=True)
    return net, problems


@cli.command()
@click.option("--strict", is_flag=True, help="警告也视为错误 (treat warnings as errors)")
@click.pass_context
def check(ctx: click.Context, strict: bool) -> int:
    """检查 content/ 中的全部记录 (validate every record under content/)."""
    from .check import check_project

    net, problems = check_project(get_config(ctx))
    lang = ctx.obj["lang"]
    failed = bool(problems.errors) or (strict and bool(problems.warnings))
    if problems.items:
        click.echo(report(problems.sorted(), lang), err=failed)
    counts = (f"{len(net.stations)} 个阵地、{len(net.projects)} 个品牌项目、{len(net.people)} 位典型人物、"
              f"{len(net.cases)} 个案例、{len(net.casebooks)} 本选编、{len(net.activities)} 条活动记录")
    counts_en = (f"{len(net.stations)} stations, {len(net.projects)} projects, {len(net.people)} people, "
                 f"{len(net.cases)} cases, {len(net.casebooks)} case books, {len(net.activities)} activities")
    if failed:
        return 1
    click.echo(f"检查通过:{counts} (check passed: {counts_en})" if lang == "zh"
               else f"check passed: {counts_en}")
    return 0


@cli.command()
@click.argument("kind", type=click.Choice(["station", "project", "person", "case"]))
@click.argument("record_id")
@click.option("--name", "name", help="名称或标题 (name or title)")
@click.option("--level", help="阵地级别:中心/所/站/点/基地 (station level)")
@click.option("--parent", help="上级阵地编号 (parent station id)")
@click.option("--phone", help="服务电话 (service phone)")
@click.option("--station", help="所属阵地编号 (owning station id)")
@click.option("--year", type=int, help="案例年份 (case year)")
@click.option("--category", help="类别 (category)")
@click.option("--force", is_flag=True, help="覆盖已有文件 (overwrite an existing file)")
@click.pass_context
def new(ctx: click.Context, kind: str, record_id: str, **opts) -> int:
    """新建一条记录文件 (create a valid record file from options)."""
    from .scaffold import new_record

    cfg = get_config(ctx)
    path = new_record(cfg, kind, record_id, opts)
    click.echo(f"已创建 {cfg.rel(path)} (created)")
    return 0


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=INIT_NAME, show_default=True,
              help="网站名称,通常是中心的全称 (site name, usually the centre's full name)")
@click.option("--site-url", default="https://wmsj.example.cn/", show_default=True,
              help="网站的正式地址,印在二维码里 (the site's address, printed in QR codes)")
def init(directory: Path, name: str, site_url: str) -> int:
    """新建一个最小的实践网络:一个中心、一个所、mkdocs.yml 和 themes/ (start a new network)."""
    from .scaffold import init_project

    written = init_project(directory, name, site_url)
    for path in written:
        click.echo(f"已创建 {path.resolve().relative_to(directory.resolve()).as_posix()} (created)")
    click.echo(f"下一步:cd {directory} && wenming check && mkdocs serve\n"
               f"  (next: cd {directory}, run wenming check, then mkdocs serve to preview)")
    return 0


@cli.command()
@click.argument("kind", required=False,
                type=click.Choice(["station", "project", "person", "case", "casebook", "activity"]))
@click.option("-o", "--output", type=click.Path(file_okay=False), help="写入目录,每类一个 .json (write one file per kind)")
def schema(kind: str | None, output: str | None) -> int:
    """输出记录的 JSON Schema,供 VS Code 的 YAML 插件使用 (JSON Schema per record kind)."""
    import json

    from .schema import schemas

    all_schemas = schemas()
    if output:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        for name, sch in all_schemas.items():
            (out / f"{name}.schema.json").write_text(json.dumps(sch, ensure_ascii=False, indent=2) + "\n",
                                                     encoding="utf-8")
        click.echo(f"已写入 {len(all_schemas)} 个 schema 到 {out} (wrote {len(all_schemas)} schemas)")
        return 0
    chosen = {kind: all_schemas[kind]} if kind else all_schemas
    click.echo(json.dumps(chosen[kind] if kind else chosen, ensure_ascii=False, indent=2))
    return 0


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--reading-copy", is_flag=True,
              help="阅读版(屏幕用):只查字体和图片分辨率 (a screen copy: check fonts and image resolution only)")
@click.pass_context
def preflight(ctx: click.Context, files: tuple[str, ...], reading_copy: bool) -> int:
    """像印刷厂一样检查 PDF:页面框、出血、字体、图片分辨率、颜色、输出意图。

    (Check PDFs as a print shop does: page boxes, bleed, fonts, image resolution, colour, output intent.)
    Exit 1 when a file has a problem.
    """
    from .preflight import preflight as check_pdf

    lang = ctx.obj["lang"]
    failed = False
    for name in files:
        if not Path(name).is_file():
            raise UsageError(f"找不到文件 {name} (no such file: {name})")
        problems = check_pdf(Path(name), display=name, print_file=not reading_copy)
        if problems:
            click.echo(report(problems, lang), err=True)
        if any(p.is_error for p in problems):
            failed = True
        elif lang == "zh":
            click.echo(f"{name}:预检通过 (preflight passed)")
        else:
            click.echo(f"{name}: preflight passed")
    return 1 if failed else 0


def _register_verbs() -> None:
    """Verbs implemented next to what they drive (render/ packages, sheets/) register themselves."""
    import importlib

    for mod in ("generator.render.signage.cli", "generator.render.casebook.cli",
                "generator.render.report.cli", "generator.sheets.cli", "generator.render.site.cli",
                "generator.render.deploy.cli"):
        importlib.import_module(mod).register(cli)


_register_verbs()


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="wenming")


if __name__ == "__main__":
    main()
