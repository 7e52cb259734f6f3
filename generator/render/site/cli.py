"""``wenming build`` and ``wenming serve``: the site for editors who never type ``mkdocs``."""

from __future__ import annotations

from pathlib import Path

import click

from ...config import config_not_found


def register(cli: click.Group) -> None:
    cli.add_command(build)
    cli.add_command(serve)


def _config_file(ctx: click.Context) -> str:
    path = Path(ctx.obj["config_file"])
    if not path.is_file():
        raise config_not_found(path)
    return str(path)


@click.command()
@click.option("-d", "--site-dir", type=click.Path(file_okay=False), help="输出目录,默认为 mkdocs.yml 中的 site_dir (output folder)")
@click.option("--clean/--dirty", default=True, show_default=True, help="先清空输出目录 (start from an empty folder)")
@click.option("--strict", is_flag=True, help="有警告即失败 (fail on warnings)")
@click.pass_context
def build(ctx: click.Context, site_dir: str | None, clean: bool, strict: bool) -> int:
    """生成网站;失败时保留上一次的网站不变 (build the site; a failed build keeps the previous one)."""
    from ...mkdocs_plugin import build_command  # the build runs under MkDocs

    return build_command(_config_file(ctx), site_dir=site_dir, clean=clean, strict=strict)


@click.command()
@click.option("-a", "--dev-addr", metavar="IP:PORT", help="预览地址,默认 127.0.0.1:8000 (address to serve on)")
@click.option("--open", "open_browser", is_flag=True, help="打开浏览器 (open a browser)")
@click.pass_context
def serve(ctx: click.Context, dev_addr: str | None, open_browser: bool) -> int:
    """本地预览网站,修改 content/ 后自动刷新 (live preview that reloads when content/ changes)."""
    from ...mkdocs_plugin import serve_site  # the preview runs under MkDocs

    serve_site(_config_file(ctx), dev_addr=dev_addr, open_browser=open_browser)
    return 0
