"""Site settings: the ``wenming`` plugin's options in ``mkdocs.yml``, engine-neutral.

The CLI reads ``mkdocs.yml`` itself (without importing MkDocs) so that
``wenming check`` and ``mkdocs build`` see the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError

DEFAULT_CATEGORIES = ["理论宣讲", "文化惠民", "助学支教", "医疗健身", "科学普及", "法律服务", "卫生环保", "扶贫帮困"]


@dataclass
class Config:
    """Options of the ``wenming`` plugin (``plugins: - wenming: {...}`` in mkdocs.yml)."""

    #: Project root: paths in messages are relative to it.
    project_dir: Path = field(default_factory=Path.cwd)
    #: The content folder (MkDocs' ``docs_dir``).
    content_dir: Path = field(default_factory=lambda: Path("content"))
    #: Where the site is built (MkDocs' ``site_dir``).
    site_dir: Path = field(default_factory=lambda: Path("site"))
    #: Absolute site URL, e.g. https://wmsj.example.cn/ ; required for QR codes.
    site_url: str = ""
    #: Site name shown in headers, signage and books.
    site_name: str = "新时代文明实践"
    #: Id of the root station; when empty, the one 中心 without a parent.
    root: str = ""
    #: Category list for projects, cases, teams and services.
    categories: list[str] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    #: Standards profile for the report: a shipped name (shandong-2022, basic) or a file path.
    profile: str = "shandong-2022"
    #: Folders under content/ whose Markdown may contain raw HTML unsanitised.
    trusted_html: list[str] = field(default_factory=list)
    #: Lock file of published QR URLs, relative to the project root.
    qr_lock: str = "qr-lock.txt"
    #: Build the search index with Pagefind.
    search: bool = True
    #: Show progress bars on a terminal (never in CI).
    progress: bool = True
    #: Worker processes for page rendering (0 = number of cores).
    workers: int = 0
    #: Cache folder for rendered fragments and QR images, relative to the project root.
    cache_dir: str = ".wenming-cache"
    #: Set by the live preview (``mkdocs serve``): nothing it makes is published, so the QR
    #: lock file is never written.
    preview: bool = False
    #: ``theme.custom_dir`` of mkdocs.yml when that folder does not exist (it is then left out).
    missing_custom_dir: str = ""

    @property
    def content_path(self) -> Path:
        return self.content_dir if self.content_dir.is_absolute() else self.project_dir / self.content_dir

    @property
    def site_path(self) -> Path:
        return self.site_dir if self.site_dir.is_absolute() else self.project_dir / self.site_dir

    @property
    def cache_path(self) -> Path:
        p = Path(self.cache_dir)
        return p if p.is_absolute() else self.project_dir / p

    @property
    def lock_path(self) -> Path:
        p = Path(self.qr_lock)
        return p if p.is_absolute() else self.project_dir / p

    def rel(self, path: Path | str) -> str:
        """``path`` relative to the project, with forward slashes, for messages."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.project_dir.resolve()).as_posix()
        except ValueError:
            return p.as_posix()

    def url(self, path: str = "") -> str:
        """Absolute URL of a site path; needs ``site_url``."""
        base = self.site_url if self.site_url.endswith("/") else self.site_url + "/"
        return base + path.lstrip("/")

    def require_site_url(self, what: str = "二维码") -> str:
        if not self.site_url:
            zh, en = missing_site_url(what)
            raise UsageError(f"mkdocs.yml {zh}\n  (mkdocs.yml has {en})")
        return self.url()

    @classmethod
    def option_names(cls) -> list[str]:
        return [f.name for f in fields(cls)
                if f.name not in ("project_dir", "content_dir", "site_dir", "site_url", "site_name", "preview",
                                  "missing_custom_dir")]


def missing_site_url(what: str) -> tuple[str, str]:
    """(zh, en) of the message for a mkdocs.yml without ``site_url``; ``what`` needs it."""
    return (f"缺少 site_url:生成{what}需要网站的完整地址,例如 site_url: https://wmsj.example.cn/",
            "no site_url: QR codes hold an absolute URL; add e.g. site_url: https://wmsj.example.cn/")


#: The project's template folder: files in it take the place of the defaults of the same name.
THEMES_DIR = "themes"


def custom_dir_missing(folder: str) -> tuple[str, str]:
    """(zh, en) of the warning for a ``theme.custom_dir`` that names no folder."""
    return (f"custom_dir 指定的文件夹 \"{folder}\" 不存在,已忽略,页面使用默认模板;"
            f"请建立该文件夹(可以是空的),或删除 custom_dir 这一行(wenming 自动使用 {THEMES_DIR}/)",
            f"the custom_dir folder \"{folder}\" does not exist and is left out, so pages use the default "
            f"templates; create the folder (it may be empty) or delete the custom_dir line (wenming uses "
            f"{THEMES_DIR}/ by itself)")


def theme_settings(raw: dict[str, Any], config_dir: Path) -> tuple[dict[str, Any] | None, str]:
    """mkdocs.yml's ``theme`` without a ``custom_dir`` whose folder is missing, and that folder;
    (None, "") when there is nothing to leave out."""
    theme = raw.get("theme")
    if not isinstance(theme, dict) or not theme.get("custom_dir"):
        return None, ""
    folder = str(theme["custom_dir"])
    if (config_dir / folder).is_dir():
        return None, ""
    return {k: v for k, v in theme.items() if k != "custom_dir"}, folder


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data (without MkDocs; ``!ENV`` and Python tags read as values)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_TolerantLoader) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: YAML 语法错误 (YAML syntax error): {exc}") from None


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold !ENV and !!python/name tags; read them as plain values."""


def _unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        seq = loader.construct_sequence(node)
        return seq[-1] if suffix == "ENV" and seq else seq
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _unknown)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown)


def from_options(project_dir: Path, mkdocs_cfg: dict[str, Any], options: dict[str, Any]) -> Config:
    """Build a Config from MkDocs-level settings and the plugin's own options."""
    cfg = Config(project_dir=project_dir.resolve())
    cfg.content_dir = Path(mkdocs_cfg.get("docs_dir") or "content")
    cfg.site_dir = Path(mkdocs_cfg.get("site_dir") or "site")
    cfg.site_url = str(mkdocs_cfg.get("site_url") or "")
    cfg.site_name = str(mkdocs_cfg.get("site_name") or cfg.site_name)
    for name in Config.option_names():
        if name in options and options[name] is not None:
            setattr(cfg, name, options[name])
    if os_ci():
        cfg.progress = False
    return cfg


def os_ci() -> bool:
    import os

    return bool(os.environ.get("CI"))


def config_not_found(path: Path) -> UsageError:
    return UsageError(f"找不到配置文件 {path};请在项目根目录运行,或用 -f 指定 mkdocs.yml\n"
                      f"  (config file {path} not found; run in the project root or pass -f mkdocs.yml)")


def load_config(config_file: str | Path = "mkdocs.yml") -> Config:
    """Read ``mkdocs.yml`` (without MkDocs) and return the wenming settings."""
    path = Path(config_file)
    if not path.exists():
        if Path(config_file).name == "mkdocs.yml" and Path("content").is_dir():
            return from_options(Path.cwd(), {}, {})
        raise config_not_found(path)
    raw = read_mkdocs_yml(path)
    options: dict[str, Any] = {}
    for entry in raw.get("plugins") or []:
        if isinstance(entry, dict) and "wenming" in entry:
            options = entry["wenming"] or {}
    cfg = from_options(path.resolve().parent, raw, options)
    cfg.missing_custom_dir = theme_settings(raw, cfg.project_dir)[1]
    return cfg
