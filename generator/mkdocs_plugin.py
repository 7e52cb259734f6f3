"""The only module that imports MkDocs: a thin adapter from MkDocs events to the core."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from .config import DEFAULT_CATEGORIES, from_options
from .errors import report

log = get_plugin_logger(__name__)


class WenmingOptions(MkConfig):
    root = c.Type(str, default="")
    categories = c.ListOfItems(c.Type(str), default=list(DEFAULT_CATEGORIES))
    profile = c.Type(str, default="shandong-2022")
    trusted_html = c.ListOfItems(c.Type(str), default=[])
    qr_lock = c.Type(str, default="qr-lock.txt")
    search = c.Type(bool, default=True)
    progress = c.Type(bool, default=True)
    workers = c.Type(int, default=0)
    cache_dir = c.Type(str, default=".wenming-cache")
    lang = c.Choice(["zh", "en"], default="zh")


class WenmingPlugin(BasePlugin[WenmingOptions]):
    def on_config(self, config):
        from .load import load

        project_dir = Path(config.config_file_path or ".").resolve().parent
        self.cfg = from_options(project_dir, {"docs_dir": config.docs_dir, "site_dir": config.site_dir,
                                              "site_url": config.site_url, "site_name": config.site_name},
                                dict(self.config))
        self.net, problems = load(self.cfg)
        if problems.items:
            text = report(problems.sorted(), self.config.lang)
            if problems.errors:
                raise PluginError("内容检查未通过 (content check failed):\n" + text)
            for line in text.splitlines()[:-1]:
                log.warning(line)
        return config
