"""Site settings: the ``wenming`` plugin's options in ``mkdocs.yml``, engine-neutral.

The CLI reads ``mkdocs.yml`` itself (without importing MkDocs) so that
``wenming check`` and ``mkdocs build`` see the same settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, UsageError

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
    #: 主办单位 shown in the footer of every page.
    organizer: str = ""
    #: 承办单位 shown in the footer of every page.
    undertaker: str = ""
    #: ICP 备案号, e.g. 陕ICP备12345678号-1 (linked to the MIIT filing system).
    icp_record: str = ""
    #: 公安联网备案号, e.g. 陕公网安备61080202000123号 (linked to its record at beian.gov.cn).
    police_record: str = ""
    #: 网站标识码 of a government site, e.g. 6108020001.
    site_code: str = ""
    #: One contact line for the footer, e.g. 联系电话:0912-3456789.
    contact: str = ""
    #: Set by the live preview (``mkdocs serve``): nothing it makes is published, so the QR
    #: lock file is never written.
    preview: bool = False
    #: ``theme.custom_dir`` of mkdocs.yml when that folder does not exist (it is then left out).
    missing_custom_dir: str = ""
    #: The project's template folder that ``theme.custom_dir`` of mkdocs.yml names, when it exists
    #: (otherwise ``themes/`` is the project's template folder).
    custom_dir: str = ""

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
                                  "missing_custom_dir", "custom_dir")]


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


def theme_without_missing_dir(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """:func:`theme_settings` of the mkdocs.yml at ``path`` and the warning lines for the missing
    folder ``wenming check`` prints; (None, []) when all is well."""
    if not path.is_file():
        return None, []
    theme, folder = theme_settings(read_mkdocs_yml(path), path.resolve().parent)
    if theme is None:
        return None, []
    zh, en = custom_dir_missing(folder)
    return theme, Problem("mkdocs.yml", None, "theme.custom_dir", zh, en, "warning").format().splitlines()


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data (without MkDocs; ``!ENV`` and Python tags read as values)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_TolerantLoader) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: YAML 语法错误 (YAML syntax error): {exc}") from None


#: 省、自治区、直辖市的简称 that open ICP and 公安 filing numbers.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
ICP_RE = re.compile(rf"[{PROVINCES}]ICP备\d{{6,10}}号(?:-\d{{1,3}})?")
POLICE_RE = re.compile(rf"[{PROVINCES}]公网安备(\d{{14}})号")
SITE_CODE_RE = re.compile(r"\d{10}|bm\d{8}")
MIIT_URL = "https://beian.miit.gov.cn/"
POLICE_SITE = "http://www.beian.gov.cn/"
POLICE_URL = POLICE_SITE + "portal/registerSystemInfo?recordcode="
#: Hosts that are never a public site: nothing needs to be filed for them.
_PRIVATE_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal", ".lan")
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net", "example.cn", "example.gov.cn")


@dataclass(frozen=True)
class Filing:
    """What the foot of every page shows: sponsors, filing numbers and a contact line."""

    organizer: str = ""
    undertaker: str = ""
    site_code: str = ""
    icp: tuple[str, str] | None = None  # (number, link)
    police: tuple[str, str] | None = None  # (number, link)
    contact: str = ""

    def __bool__(self) -> bool:
        return any((self.organizer, self.undertaker, self.site_code, self.icp, self.police, self.contact))


def filing(cfg: Config) -> Filing:
    """The footer's filing information, links included (the numbers as the editor wrote them)."""
    icp = cfg.icp_record.strip()
    police = cfg.police_record.strip()
    m = POLICE_RE.fullmatch(police)
    return Filing(organizer=cfg.organizer.strip(), undertaker=cfg.undertaker.strip(),
                  site_code=cfg.site_code.strip(), icp=(icp, MIIT_URL) if icp else None,
                  police=(police, POLICE_URL + m.group(1) if m else POLICE_SITE) if police else None,
                  contact=cfg.contact.strip())


def is_public_url(url: str) -> bool:
    """Whether ``url`` names a host the public reaches (not localhost, a private address or example.*)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES) or "." not in host and ":" not in host:
        return False
    if any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS):
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return True
    return ip.is_global


#: (option, pattern, name and form in Chinese, name and form in English, example) of each number.
_FILING_FORMATS = (
    ("icp_record", ICP_RE, "ICP 备案号", "省简称 + ICP备 + 6 至 10 位数字 + 号,可带 -序号", "ICP filing number",
     "province abbreviation + ICP备 + 6-10 digits + 号, optionally -n", "陕ICP备12345678号-1"),
    ("police_record", POLICE_RE, "公安联网备案号", "省简称 + 公网安备 + 14 位数字 + 号", "public-security filing number",
     "province abbreviation + 公网安备 + 14 digits + 号", "陕公网安备61080202000123号"),
    ("site_code", SITE_CODE_RE, "网站标识码", "10 位数字或 bm 加 8 位数字", "site code", "10 digits or bm + 8 digits",
     "6108020001"),
)


def check_options(cfg: Config, config_file: str = "mkdocs.yml") -> list[Problem]:
    """Problems of the plugin options in mkdocs.yml: malformed filing numbers, a public site unfiled."""
    path = cfg.rel(cfg.project_dir / config_file)
    out: list[Problem] = []

    def bad(name: str, zh: str, en: str, level: str = "error") -> None:
        line = _option_lines(cfg.project_dir / config_file).get(name)
        out.append(Problem(path, line, name, zh, en, level))  # type: ignore[arg-type]

    for name, pattern, what_zh, form_zh, what_en, form_en, example in _FILING_FORMATS:
        value = str(getattr(cfg, name)).strip()
        if value and not pattern.fullmatch(value):
            bad(name, f"{what_zh}格式不对:“{value}”;应为 {form_zh},例如 {example}",
                f"malformed {what_en} {value!r}: expected {form_en}, e.g. {example}")
    if not cfg.icp_record.strip() and cfg.site_url and is_public_url(cfg.site_url):
        bad("icp_record", f"网站地址 {cfg.site_url} 是公开网址,但没有填写 ICP 备案号;在中国大陆上线前请备案,"
                          f"并在 mkdocs.yml 的 wenming 插件下填写 icp_record: 陕ICP备12345678号-1",
            f"site_url {cfg.site_url} is public but icp_record is empty: a site hosted in mainland China "
            f"must show its ICP filing number; add icp_record under the wenming plugin", "warning")
    return out


def _option_lines(path: Path) -> dict[str, int]:
    """Line of each ``key:`` in mkdocs.yml (the last one wins), for messages."""
    lines: dict[str, int] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return lines
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*-?\s*([A-Za-z_]+)\s*:", line)
        if m:
            lines[m.group(1)] = no
    return lines


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
    theme = mkdocs_cfg.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else getattr(theme, "custom_dir", None)
    if custom and (cfg.project_dir / str(custom)).is_dir():
        cfg.custom_dir = str(cfg.project_dir / str(custom))
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
