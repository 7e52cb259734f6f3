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
