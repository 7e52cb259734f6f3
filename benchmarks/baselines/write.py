"""The same records as ordinary pages, for the baselines of the benchmark.

    python benchmarks/baselines/write.py PROJECT_DIR OUT_DIR [--engine mkdocs|hugo|both] [--limit N]

reads a wenming project (its ``mkdocs.yml`` and ``content/``) with the wenming loader
and writes

* ``OUT_DIR/mkdocs/``: plain MkDocs + Material: one Markdown page per station,
  project, figure and case, each with the record's fields as a table and lists
  (teams, services, sub-stations, projects, figures, cases) and its body; a
  ``mkdocs.yml`` with the Material theme, the built-in search plugin and no
  ``nav`` (MkDocs then lists every page in the sidebar, which is what a user
  who writes pages by hand gets);
* ``OUT_DIR/hugo/``: the same pages as Hugo content with front matter, and a
  minimal layout theme (``hugo_theme/``, no downloads).

``--limit N`` keeps the first N stations only (and the records that belong to
them); the benchmark uses it to run plain MkDocs on a subset and says so.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LEVEL_WORD = {"中心": "新时代文明实践中心", "所": "新时代文明实践所", "站": "新时代文明实践站",
              "点": "新时代文明实践点", "基地": "新时代文明实践基地"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class Pages:
    """Markdown for each record; ``link(kind, id)`` differs between MkDocs and Hugo."""

    def __init__(self, net, engine: str):
        self.net = net
        self.engine = engine

    def link(self, folder: str, rid: str) -> str:
        # pages live one folder deep: stations/x.md (MkDocs) or stations/x/ (Hugo)
        if self.engine == "mkdocs":
            return f"../{folder}/{rid}.md"
        return f"../../{folder}/{rid}/"

    def image(self, src: str) -> str:
        return f"../{src}" if self.engine == "mkdocs" else f"../../{src}"

    def table(self, rows: list[tuple[str, object]]) -> str:
        out = ["| 项目 | 内容 |", "| --- | --- |"]
        out += [f"| {k} | {_cell(v)} |" for k, v in rows if v not in (None, "", [])]
        return "\n".join(out)

    def photos(self, rec) -> str:
        return "\n\n".join(f"![{_cell(p.caption)}]({self.image(p.src)})" for p in rec.photo_list())

    def station(self, s) -> str:
        net = self.net
        parent = net.stations.get(s.parent or "")
        rows = [("级别", s.level.value),
                ("上级阵地", f"[{parent.name}]({self.link('stations', parent.id)})" if parent else ""),
                ("所在地区", s.region), ("地址", s.address),
                ("志愿服务电话", f"[{s.phone}](tel:{s.phone.replace('-', '')})" if s.phone else ""),
                ("开放时间", s.hours), ("固定活动日", s.open_day),
                ("负责人", f"{s.manager.role} {s.manager.name}" if s.manager else ""),
                ("服务人口", s.population), ("成立时间", s.established),
                ("功能室", "、".join(s.rooms)),
                ("状态", {"merged": "已合并", "closed": "已撤销"}.get(s.status.value, ""))]
        parts = [self.table(rows)]
        if s.summary:
            parts.insert(0, f"> {s.summary}")
        if s.teams:
            parts.append("## 志愿服务队伍\n\n" + "\n".join(
                f"- {t.name}({t.category},{t.members or '-'} 人)" for t in s.teams))
        if s.services:
            parts.append("## 服务菜单\n\n" + "\n".join(
                f"- **{v.name}**({v.category}):{v.note}" for v in s.services))
        kids = net.children_of(s.id)
        if kids:
            parts.append("## 下级阵地\n\n" + "\n".join(
                f"- [{k.name}]({self.link('stations', k.id)})" for k in kids))
        for title, items, folder in (("品牌项目", net.projects_of(s.id), "projects"),
                                     ("典型人物", net.people_of(s.id), "people"),
                                     ("案例", net.cases_of(s.id), "cases")):
            if items:
                parts.append(f"## {title}\n\n" + "\n".join(
                    f"- [{r.title}]({self.link(folder, r.id)})" for r in items))
        if s.body.strip():
            parts.append("## 简介\n\n" + s.body.strip())
        if s.photo_list():
            parts.append(self.photos(s))
        return "\n\n".join(parts) + "\n"

    def project(self, p) -> str:
        owner = self.net.stations.get(p.station)
        rows = [("所属阵地", f"[{owner.name}]({self.link('stations', owner.id)})" if owner else p.station),
                ("类别", p.category), ("品牌级别", p.level), ("启动时间", p.started),
                ("所获荣誉", ";".join(f"{a.title}({a.year or ''} {a.by})" for a in p.awards))]
        parts = ([f"> {p.summary}"] if p.summary else []) + [self.table(rows), p.body.strip()]
        if p.photo_list():
            parts.append(self.photos(p))
        return "\n\n".join(x for x in parts if x) + "\n"

    def person(self, p) -> str:
        st = self.net.stations.get(p.station or "")
        rows = [("所属阵地", f"[{st.name}]({self.link('stations', st.id)})" if st else ""),
                ("荣誉", ";".join(f"{h.title}({h.year},{h.by})" for h in p.honors))]
        parts = ([f"> {p.summary}"] if p.summary else []) + [self.table(rows)]
        if p.photo_list():
            parts.append(self.photos(p))
        parts.append(p.body.strip())
        return "\n\n".join(x for x in parts if x) + "\n"

    def case(self, c) -> str:
        links = [f"[{self.net.stations[s].name}]({self.link('stations', s)})" for s in c.stations
                 if s in self.net.stations]
        rows = [("年份", c.year), ("类别", c.category), ("单位", "、".join(links) or c.unit),
                ("作者", c.author), ("来源", c.source)]
        parts = ([f"> {c.summary}"] if c.summary else []) + [self.table(rows)]
        if c.photo_list():
            parts.append(self.photos(c))
        parts.append(c.body.strip())
        return "\n\n".join(x for x in parts if x) + "\n"


def load_network(project: Path):
    from generator.config import load_config
    from generator.load import load

    net, problems = load(load_config(project / "mkdocs.yml"))
    if problems.errors:
        raise SystemExit(f"{project}: content has errors; run wenming check")
    return net


def selected(net, limit: int | None):
    """Records to write: every record, or those of the first ``limit`` stations."""
    if not limit or limit >= len(net.stations):
        return (list(net.stations.values()), list(net.projects.values()), list(net.people.values()),
                list(net.cases.values()))
    stations = list(net.stations.values())[:limit]
    keep = {s.id for s in stations}
    return (stations, [p for p in net.projects.values() if p.station in keep],
            [p for p in net.people.values() if p.station in keep],
            [c for c in net.cases.values() if set(c.stations) & keep])


def write_mkdocs(net, project: Path, out: Path, limit: int | None = None) -> int:
    """Plain MkDocs + Material project under ``out``; returns the number of pages."""
    if out.exists():
        shutil.rmtree(out)
    docs = out / "docs"
    pages = Pages(net, "mkdocs")
    count = 0
    stations, projects, people, cases = selected(net, limit)
    for folder, records, render in (("stations", stations, pages.station), ("projects", projects, pages.project),
                                    ("people", people, pages.person), ("cases", cases, pages.case)):
        (docs / folder).mkdir(parents=True, exist_ok=True)
        for rec in records:
            text = f"# {rec.title}\n\n" + render(rec)
            (docs / folder / f"{rec.id}.md").write_text(text, encoding="utf-8")
            count += 1
    shutil.copytree(project / "content" / "images", docs / "images")
    for name in ("index.md", "about.md"):
        src = project / "content" / name
        if src.is_file():
            shutil.copy2(src, docs / name)
            count += 1
    site_name = net.config.site_name
    (out / "mkdocs.yml").write_text(
        f"site_name: {site_name}\nsite_url: {net.config.site_url or 'https://example.org/'}\n"
        "docs_dir: docs\nsite_dir: site\ntheme:\n  name: material\n  language: zh\n  font: false\n"
        "plugins:\n  - search\n", encoding="utf-8")
    return count


def write_hugo(net, project: Path, out: Path, limit: int | None = None) -> int:
    """Hugo project under ``out`` with a minimal theme; returns the number of record pages."""
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    pages = Pages(net, "hugo")
    count = 0
    stations, projects, people, cases = selected(net, limit)
    sections = {"stations": "阵地", "projects": "品牌项目", "people": "典型人物", "cases": "案例"}
    for folder, records, render in (("stations", stations, pages.station), ("projects", projects, pages.project),
                                    ("people", people, pages.person), ("cases", cases, pages.case)):
        (content / folder).mkdir(parents=True, exist_ok=True)
        (content / folder / "_index.md").write_text(f"---\ntitle: \"{sections[folder]}\"\n---\n", encoding="utf-8")
        for rec in records:
            title = rec.title.replace('"', '\\"')
            text = f"---\ntitle: \"{title}\"\n---\n\n" + render(rec)
            (content / folder / f"{rec.id}.md").write_text(text, encoding="utf-8")
            count += 1
    (content / "_index.md").write_text(f"---\ntitle: \"{net.config.site_name}\"\n---\n\n合成数据。\n",
                                       encoding="utf-8")
    shutil.copytree(project / "content" / "images", out / "static" / "images")
    shutil.copytree(HERE / "hugo_theme", out / "themes" / "minimal")
    (out / "hugo.toml").write_text(
        f"baseURL = \"{net.config.site_url or 'https://example.org/'}\"\nlanguageCode = \"zh-cn\"\n"
        f"title = \"{net.config.site_name}\"\ntheme = \"minimal\"\n"
        "disableKinds = [\"taxonomy\", \"term\", \"rss\"]\n", encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write plain MkDocs and Hugo versions of a wenming project.")
    ap.add_argument("project", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--engine", choices=["mkdocs", "hugo", "both"], default="both")
    ap.add_argument("--limit", type=int, help="only the first N stations and their records")
    a = ap.parse_args(argv)
    net = load_network(a.project)
    if a.engine in ("mkdocs", "both"):
        print("mkdocs pages:", write_mkdocs(net, a.project, a.out / "mkdocs", a.limit), file=sys.stderr)
    if a.engine in ("hugo", "both"):
        print("hugo pages:", write_hugo(net, a.project, a.out / "hugo", a.limit), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
