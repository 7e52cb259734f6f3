"""``wenming nginx-conf``: the nginx server block for the built site."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    cli.add_command(nginx_conf_cmd)


@click.command("nginx-conf")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="写入的配置文件,- 为标准输出 (file to write; - for standard output)")
@click.option("--root", type=click.Path(file_okay=False),
              help="服务器上网站文件所在目录,默认为本机的 site_dir (folder the server serves the site from)")
@click.option("--listen", default="80", show_default=True, metavar="[ADDR:]PORT",
              help="监听地址 (address to listen on)")
@click.option("--brotli/--no-brotli", default=None,
              help="启用 brotli_static;默认在本机 nginx 装有该模块时启用 (default: when this machine's nginx has it)")
@click.pass_context
def nginx_conf_cmd(ctx: click.Context, output: str, root: str | None, listen: str, brotli: bool | None) -> int:
    """写出发布网站用的 nginx server 配置 (write an nginx server block for the built site)."""
    from ...cli import get_config
    from . import read_csp
    from .nginx import nginx_conf

    cfg = get_config(ctx)
    text = nginx_conf(cfg, root=root, listen=listen, brotli=brotli)
    pages = (read_csp(cfg.site_path) or {}).get("inline-attributes") or []
    if pages:
        click.echo(f"警告:{len(pages)} 个页面含 style= 或 on*= 属性,本配置的内容安全策略会拦截它们,例如 {pages[0]}"
                   f"(请把样式和脚本移到文件中)\n  (warning: pages carry style= or on*= attributes that this "
                   f"Content-Security-Policy blocks, e.g. {pages[0]}; move them to files)", err=True)
    if output == "-":
        click.echo(text, nl=False)
        return 0
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"已写入 {out} (wrote {out});检查并生效:nginx -t && systemctl reload nginx", err=True)
    return 0
