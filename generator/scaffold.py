"""``wenming new``: write a valid record file from command-line options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from .config import Config
from .errors import UsageError
from .kinds import KINDS
from .model.fields import ID_RE, LEVEL_ALIASES



def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def new_record(cfg: Config, kind: str, record_id: str, opts: dict[str, Any]) -> Path:
    if not ID_RE.match(record_id):
        raise UsageError(
            f"编号 \"{record_id}\" 不合规:应为 3 到 64 个小写字母、数字或连字符\n"
            f"  (the id \"{record_id}\" is not valid: use 3 to 64 characters of a-z 0-9 -)"
        )
    name = opts.get("name") or ""
    today = dt.date.today()
    body = ""
    if kind == "station":
        level = opts.get("level") or ("站" if opts.get("parent") else "中心")
        if str(level).lower() not in LEVEL_ALIASES:
            raise UsageError(f"--level 应为 中心/所/站/点/基地 (--level must be 中心/所/站/点/基地), found {level}")
        data: dict[str, Any] = {"name": name or "(请填写全称)", "level": LEVEL_ALIASES[str(level).lower()]}
        if opts.get("parent"):
            data["parent"] = opts["parent"]
        data.update({"phone": opts.get("phone") or "0000-0000000", "hours": "周一至周五 8:30-17:30",
                     "open_day": "", "address": "", "rooms": [], "teams": [], "services": []})
        if not opts.get("phone") and data["level"] in ("点", "基地"):
            data.pop("phone")
        body = "(在这里写阵地简介。)\n"
    elif kind == "project":
        if not opts.get("station"):
            raise UsageError("品牌项目需要 --station 所属阵地编号 (a project needs --station ID)")
        data = {"name": name or "(请填写项目名称)", "station": opts["station"],
                "category": opts.get("category") or "", "level": "县", "started": today.isoformat(),
                "summary": ""}
        body = "(在这里写项目介绍。)\n"
    elif kind == "person":
        data = {"name": name or "(请填写姓名)",
                "honors": [{"title": "身边好人", "year": today.year, "by": ""}],
                "station": opts.get("station") or "", "summary": "", "consent": False}
        if not data["station"]:
            data.pop("station")
        body = "(在这里写人物事迹。不要写身份证号、手机号或家庭住址。)\n"
    else:
        year = opts.get("year") or today.year
        data = {"title": name or "(请填写案例标题)", "year": year, "category": opts.get("category") or "",
                "stations": [opts["station"]] if opts.get("station") else [], "author": "", "summary": ""}
        body = "## 背景\n\n(正文。)\n\n## 做法\n\n(正文。)\n\n## 成效\n\n(正文。)\n"
    folder = cfg.content_path / KINDS[kind].folder
    if kind == "case":
        folder = folder / str(data["year"])
    path = folder / f"{record_id}.md"
    if path.exists() and not opts.get("force"):
        raise UsageError(f"{cfg.rel(path)} 已存在;如要覆盖请加 --force\n  ({cfg.rel(path)} exists; pass --force to overwrite)")
    if kind == "station" and data.get("phone") == "0000-0000000":
        data["phone"] = "0000-0000000"
    folder.mkdir(parents=True, exist_ok=True)
    text = "---\n" + _dump(data) + "---\n\n" + body
    if kind == "station" and not opts.get("phone") and "phone" in data:
        # A placeholder that fails the check until the editor fills in the real number.
        text = text.replace("phone: 0000-0000000", "phone: ''  # 请填写服务电话,如 0912-3851234")
    if kind == "person":
        text = text.replace("consent: false", "consent: false  # 取得本人书面同意后改为 true")
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------- wenming init

#: The site name ``wenming init`` writes when it is given none.
INIT_NAME = "示例县新时代文明实践中心"

INIT_MKDOCS = """\
# 网站设置 (site settings). 改成你们的名称和网站的正式地址 (name and the site's real address).
site_name: {name}
site_url: {site_url}
docs_dir: content
theme:
  name: material
  language: zh
  font: false
plugins:
  - search
  - wenming
"""

INIT_GITIGNORE = "site/\n.site.*\n.wenming-cache/\nout/\n"

INIT_INDEX = """\
# {name}

(在这里写首页的介绍。阵地、品牌项目等页面由 content/ 中的记录自动生成。)
"""

THEMES_README = """\
# themes/: 覆盖默认模板 (overriding the default templates)

这个文件夹里的文件优先于 wenming 自带的模板:放一个同名文件即可替换默认的那一个。
(A file here takes the place of wenming's default of the same name.)

    themes/
      site/station.html     阵地页面 (station page)
      site/project.html     品牌项目页面 (project page)
      site/person.html      典型人物页面 (person page)
      site/case.html        案例页面 (case page)
      site/home.html        首页的阵地与项目部分 (the home page's records)
      qr/contact.html       扫码后打开的联系页 (the QR contact page)
      signage/poster.html   标识牌 (posters)
      casebook/book.typ     案例选编 (the case book, Typst)
      main.html             Material 的页面框架 (Material's page frame, see its docs)

只改一部分时,继承默认模板并只覆盖其中一个 block,例如 themes/site/station.html:
(To change one part, extend the default and override one block:)

    {% extends "site/station.html" %}
    {% block contact %}
    <p>乘 3 路公交车到村委会站下车,向北 50 米。</p>
    {{ super() }}
    {% endblock %}

继承自己的同名模板即得到默认模板;"!default/site/station.html" 这样的名字总是指默认模板。
各模板的 block 列表见 README 的 "Changing the look"。默认模板在 wenming 安装目录的
generator/theme/templates/ 中,整个替换时先复制一份再修改。
一条记录也可以用 template: 字段另选一个模板,例如 template: station-wide 对应
themes/site/station-wide.html。空文件夹也可以留着:没有文件时全部使用默认模板。

(A template extending its own name gets the default; "!default/site/station.html" always names
the default. The README's "Changing the look" lists every template's blocks. The defaults are in
generator/theme/templates/ of the installed package: copy one to replace a whole file. A record's
template: field picks another template, e.g. template: station-wide for
themes/site/station-wide.html. An empty folder is fine: every page then uses the defaults.)
"""


def init_project(target: Path, name: str, site_url: str) -> list[Path]:
    """Write a minimal valid network under ``target`` (a 中心, a 所, mkdocs.yml, themes/); the files written."""
    from .config import Config

    if target.exists() and any(target.iterdir()):
        taken = [p for p in ("mkdocs.yml", "content") if (target / p).exists()]
        if taken:
            raise UsageError(
                f"{target} 中已有 {'、'.join(taken)};请换一个空文件夹\n"
                f"  ({target} already holds {', '.join(taken)}; choose an empty folder)")
    if not site_url.startswith(("https://", "http://")):
        raise UsageError(f"--site-url 应以 https:// 开头,实际为 \"{site_url}\"\n"
                         f"  (--site-url must start with https://, found \"{site_url}\")")
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    target.mkdir(parents=True, exist_ok=True)
    files = {
        "mkdocs.yml": INIT_MKDOCS.format(name=name, site_url=site_url),
        ".gitignore": INIT_GITIGNORE,
        "content/index.md": INIT_INDEX.format(name=name),
        "themes/README.md": THEMES_README,
    }
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    cfg = Config(project_dir=target.resolve())
    centre = name if name.endswith("中心") else INIT_NAME
    written.append(new_record(cfg, "station", "zhongxin", {
        "name": centre, "level": "中心", "phone": "0912-3850000"}))
    written.append(new_record(cfg, "station", "chengguan", {
        "name": "城关镇新时代文明实践所", "level": "所", "parent": "zhongxin", "phone": "0912-3850001"}))
    # Sample numbers and places: the pages say so until the editor replaces them.
    for path, place in zip(written[-2:], ("38.2852, lng: 109.7348", "38.2915, lng: 109.7402")):
        text = path.read_text(encoding="utf-8")
        head, sep, body = text.partition("\n---\n")
        path.write_text(head + f"\nlocation: {{lat: {place}}}  # GCJ-02,可在高德地图上点选地点得到"
                        + "\ntags: [示例]  # 填好真实信息后删除这一行" + sep + body, encoding="utf-8")
    return written
