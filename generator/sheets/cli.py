"""``wenming import`` and ``wenming export``: the 台账 (ledgers) in Excel or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ContentError, UsageError, report
from . import KINDS

KIND_HELP = "stations 阵地、projects 品牌项目、people 典型人物、teams 志愿服务队、activities 活动台账"


def _config(ctx: click.Context, required: bool = True):
    from ..cli import get_config
    from ..config import Config

    try:
        return get_config(ctx)
    except UsageError:
        if required:
            raise
        return Config()


def _echo_problems(problems, lang: str, err: bool) -> None:
    if problems:
        click.echo(report(problems, lang), err=err)


def register(cli: click.Group) -> None:
    @cli.command("import")
    @click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--kind", type=click.Choice(KINDS), help=f"表格的种类 (kind of sheet): {KIND_HELP}")
    @click.option("--sheet", help="工作表名称;缺省时按名称或表头自动选择 (sheet name; guessed by default)")
    @click.option("--dry-run", is_flag=True, help="只显示将要新建和更新的文件,不写入 (show what would change, write nothing)")
    @click.option("--template", is_flag=True, help="生成空白模板 (write an empty template workbook)")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="模板的输出文件 (output file for --template)")
    @click.pass_context
    def import_(ctx: click.Context, file: Path | None, kind: str | None, sheet: str | None, dry_run: bool,
                template: bool, output: Path | None) -> int:
        """从 Excel 或 CSV 台账导入阵地、品牌项目、典型人物、队伍或活动 (import records from a sheet).

        \b
        wenming import 阵地.xlsx --kind stations --dry-run
        wenming import 活动.csv --kind activities
        wenming import --template -o 台账模板.xlsx
        """
        lang = ctx.obj["lang"]
        if template:
            if output is None:
                raise UsageError("--template 需要用 -o 指定输出文件,如 -o 台账模板.xlsx\n"
                                 "  (--template needs -o FILE.xlsx)")
            if output.suffix.lower() != ".xlsx":
                raise UsageError(f"模板只能是 .xlsx 文件,实际为 {output.name} (the template is an .xlsx file)")
            from .export import export

            cfg = _config(ctx, required=False)
            kinds = [kind] if kind else list(KINDS)
            export(cfg, None, kinds, output)
            click.echo(f"已写入模板 {output}({len(kinds)} 个工作表) (wrote the template {output}: "
                       f"{len(kinds)} sheet(s))")
            return 0
        if file is None:
            raise UsageError("请指定要导入的文件,如 wenming import 阵地.xlsx --kind stations\n"
                             "  (name the file to import, e.g. wenming import stations.xlsx --kind stations)")
        if kind is None:
            kind = _guess_kind(file, sheet)
        from .importer import Importer
        from .read import read_table

        cfg = _config(ctx)
        if not cfg.content_path.is_dir():
            raise UsageError(f"内容目录 {cfg.rel(cfg.content_path)} 不存在;请在项目根目录运行\n"
                             f"  (the content folder {cfg.rel(cfg.content_path)} does not exist; run in the "
                             "project root)")
        table = read_table(file, kind, sheet)
        imp = Importer(cfg, table)
        imp.plan()
        imp.validate()
        if imp.errors:
            raise ContentError(imp.problems, lang)
        _echo_problems([p for p in imp.problems if not p.is_error], lang, err=True)
        changes = imp.changes()
        verb_zh, verb_en = ("将", "would ") if dry_run else ("已", "")
        for p in changes:
            rows = "、".join(str(r) for r in p.rows[:8]) + ("…" if len(p.rows) > 8 else "")
            if p.record_kind == "ledger":
                added, updated = p.fields[0][1:], p.fields[1][1:]
                click.echo(f"{verb_zh}更新 {p.rel}:新增 {added} 行、修改 {updated} 行(表中第 {rows} 行)"
                           f" ({verb_en}update {p.rel}: {added} added, {updated} changed)")
            elif p.action == "create":
                click.echo(f"{verb_zh}新建 {p.rel}(第 {rows} 行) ({verb_en}create {p.rel})")
            else:
                click.echo(f"{verb_zh}更新 {p.rel}(第 {rows} 行):{', '.join(p.fields)} "
                           f"({verb_en}update {p.rel}: {', '.join(p.fields)})")
        n_new = sum(1 for p in changes if p.action == "create")
        n_upd = len(changes) - n_new
        if not dry_run:
            imp.write()
        summary_zh = f"新建 {n_new} 个文件、更新 {n_upd} 个文件、{imp.unchanged} 条记录没有变化"
        summary_en = f"{n_new} file(s) created, {n_upd} updated, {imp.unchanged} record(s) unchanged"
        if dry_run:
            click.echo(f"预览(未写入任何文件):{summary_zh} (dry run, nothing written: {summary_en})")
        else:
            click.echo(f"导入完成:{summary_zh} (imported: {summary_en})")
        stale = len(imp.base.errors)
        if stale:
            click.echo(f"注意:现有内容中另有 {stale} 个与本次导入无关的错误,请运行 wenming check 查看"
                       f" (note: the content already has {stale} error(s) unrelated to this import; run "
                       "wenming check)", err=True)
        return 0

    @cli.command("export")
    @click.option("--kind", type=click.Choice(KINDS), help=f"导出的种类,缺省为全部 (kind; all by default): {KIND_HELP}")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="输出文件 .xlsx 或 .csv (output file)")
    @click.option("--encoding", type=click.Choice(["utf-8-sig", "utf-8", "gbk"]), default="utf-8-sig",
                  show_default=True, help="CSV 的编码 (CSV encoding)")
    @click.pass_context
    def export_(ctx: click.Context, kind: str | None, output: Path, encoding: str) -> int:
        """把记录导出为 Excel 或 CSV 台账,格式与导入相同 (export records in the import layout)."""
        from ..load import load
        from .export import export

        lang = ctx.obj["lang"]
        suffix = output.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise UsageError(f"只能导出为 .xlsx 或 .csv,实际为 {output.name} (export to .xlsx or .csv)")
        if suffix == ".csv" and kind is None:
            raise UsageError("导出 CSV 时请用 --kind 指定种类 (a CSV holds one kind: pass --kind)")
        cfg = _config(ctx)
        net, problems = load(cfg)
        if problems.errors:
            click.echo(report(problems.errors, lang), err=True)
            click.echo("注意:有错误的记录没有导出,请先运行 wenming check 修正 "
                       "(records with errors were left out; run wenming check)", err=True)
        kinds = [kind] if kind else list(KINDS)
        n = export(cfg, net, kinds, output, "gb18030" if encoding == "gbk" else encoding)
        click.echo(f"已导出 {n} 行到 {output} (exported {n} row(s) to {output})")
        return 1 if problems.errors else 0


def _guess_kind(file: Path, sheet: str | None) -> str:
    from .columns import SHEET_KINDS, normalize_header

    names = [normalize_header(file.stem)]
    if sheet:
        names.append(normalize_header(sheet))
    for kind in SHEET_KINDS.values():
        for alias in (kind.sheet, *kind.sheet_aliases):
            if any(normalize_header(alias) in n for n in names if n):
                return kind.name
    raise UsageError(
        f"请用 --kind 说明 {file.name} 是哪一种表:{KIND_HELP}\n"
        f"  (pass --kind to say what {file.name} holds: stations, projects, people, teams or activities)"
    )
