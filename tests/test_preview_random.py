"""Random edits under the live preview (issue 17 item 3): after each edit, every page the preview
wrote equals the page a fresh preview build of the same content writes.

The preview is driven as ``mkdocs serve`` drives it (``WenmingPlugin.on_serve``): its quick rebuild
first, a MkDocs build when that declines, then the background refresh of the statistics and
home pages. Pages are compared byte for byte, except what a preview leaves for later:

* ``pagefind/`` — the search index is made by the first build only ("search is re-indexed on
  restart");
* ``.wenming-serve/`` — where the preview keeps the record folders between builds: the same
  files are compared through the links to it.

Everything else is compared: record pages, hubs (home, directories, indexes, 统计, case-book
pages), QR contact pages and images, the nearby data files, the sitemap, assets.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.config import load_config
from generator.load import load

ROOT = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:8000/"
#: What a preview legitimately leaves for later (see the module's doc).
EXCLUDED = ("pagefind/", ".wenming-serve/")
STEPS = 4


# ----------------------------------------------------------------------------- the preview


class Preview:
    """One ``mkdocs serve`` session without its HTTP server, building into ``site``."""

    def __init__(self, root: Path, site: Path):
        from mkdocs.config.defaults import MkDocsConfig

        self.root, self.site = root, site
        self.plugins = dict(MkDocsConfig._schema)["plugins"]
        self.cache: dict = {}  # this session's plugin instance (MkDocs keeps one per process)
        self.plugin = None

    def config(self):
        from mkdocs.config import load_config as mkdocs_config

        saved, self.plugins.plugin_cache = self.plugins.plugin_cache, self.cache
        try:
            config = mkdocs_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(self.site))
        finally:
            self.plugins.plugin_cache = saved
        config.site_url = URL
        return config

    def build(self, config=None) -> None:
        from mkdocs.commands.build import build

        build(config or self.config(), serve_url=URL)

    def start(self) -> Preview:
        config = self.config()
        config.plugins.on_startup(command="serve", dirty=False)
        self.plugin = config.plugins["wenming"]
        self.build(config)
        return self

    def rebuild(self) -> str:
        """What the preview did after an edit: "quick" or "mkdocs"."""
        core = self.plugin.core
        quick = core.preview.quick_rebuild(core)
        if not quick:
            self.build()
        self.settle()
        return "quick" if quick else "mkdocs"

    def settle(self) -> None:
        deferred = self.plugin.core.preview.deferred
        if deferred is not None:
            deferred.join(60)
            assert not deferred.is_alive()

    def stop(self) -> None:
        self.settle()
        self.plugin.on_shutdown()


def digest(site: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()
            and not (rel := p.relative_to(site).as_posix()).startswith(EXCLUDED)}


# ----------------------------------------------------------------------------- edits


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def _write(path: Path, meta: dict, body: str) -> None:
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{head}---\n{body}", encoding="utf-8")


def _set(path: Path, **fields) -> None:
    meta, body = _split(path)
    for k, v in fields.items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    _write(path, meta, body)


class Edits:
    """Random edits of a content folder; each returns what it did (the test's message)."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.content, self.rng = root, root / "content", rng
        self.n = 0

    def net(self):
        net, problems = load(load_config(self.root / "mkdocs.yml"))
        assert not problems.errors, problems.items
        return net

    def file(self, rec) -> Path:
        return self.root / rec.path

    def pick(self, items):
        items = sorted(items, key=lambda r: getattr(r, "id", r))
        return self.rng.choice(items) if items else None

    def stations(self, net, *levels):
        return [s for s in net.stations.values() if s.id != net.root_id and (not levels or s.level.value in levels)]

    def fresh_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-rand-{self.n}"

    # -- stations

    def rename_station(self, net):
        s = self.pick(self.stations(net))
        _set(self.file(s), name=s.name + "新", short_name=(s.short_name + "新") if s.short_name else None)
        return f"rename {s.id}"

    def phone(self, net):
        s = self.pick(self.stations(net))
        _set(self.file(s), phone=f"0531-{self.rng.randint(2000000, 8999999)}")
        return f"phone of {s.id}"

    def hours(self, net):
        s = self.pick(self.stations(net))
        _set(self.file(s), hours=f"周一至周五 {self.rng.randint(7, 9)}:00-17:00")
        return f"hours of {s.id}"

    def parent(self, net):
        s = self.pick([s for s in self.stations(net, "站") if s.status.value == "active"])
        parent = net.stations.get(s.parent or "")
        others = [p for p in self.stations(net, parent.level.value) if p.id != parent.id
                  and p.status.value == "active"] if parent else []
        if not others:
            return self.phone(net)
        new = self.pick(others)
        _set(self.file(s), parent=new.id)
        return f"{s.id} moves under {new.id}"

    def level(self, net):
        leaves = [s for s in self.stations(net, "站", "点") if not net.children_of(s.id)]
        s = self.pick(leaves)
        _set(self.file(s), level="点" if s.level.value == "站" else "站")
        return f"level of {s.id}"

    def status(self, net):
        s = self.pick([s for s in self.stations(net, "站") if s.status.value in ("active", "closed")
                       and not net.children_of(s.id)])
        _set(self.file(s), status="closed" if s.status.value == "active" else "active")
        return f"status of {s.id}"

    def merge(self, net):
        active = [s for s in self.stations(net, "站") if s.status.value == "active" and not net.children_of(s.id)]
        if len(active) < 2:
            return self.phone(net)
        s = self.pick(active)
        into = self.pick([o for o in active if o.id != s.id and o.parent == s.parent] or
                         [o for o in active if o.id != s.id])
        _set(self.file(s), status="merged", merged_into=into.id)
        return f"{s.id} merges into {into.id}"

    def add_station(self, net):
        parent = self.pick([s for s in self.stations(net, "所") if s.status.value == "active"])
        sid = self.fresh_id("zd")
        _write(self.content / "stations" / f"{sid}.md",
               {"name": f"新建{self.n}号村新时代文明实践站", "short_name": f"新建{self.n}号村实践站", "level": "站",
                "parent": parent.id, "phone": "0531-12345678", "hours": "周一至周五 9:00-17:00",
                "address": "山东省济南市(测试)", "summary": "测试新建的实践站。"}, "新站的介绍。\n")
        return f"add station {sid} under {parent.id}"

    def remove_station(self, net):
        used = {net.canonical(p.station) for p in net.projects.values()}
        used |= {net.canonical(p.station) for p in net.people.values() if p.station}
        used |= {net.canonical(x) for c in net.cases.values() for x in c.stations}
        used |= {net.canonical(a.station) for a in net.activities}
        used |= {s.merged_into for s in net.stations.values() if s.merged_into}
        free = [s for s in self.stations(net, "站", "点") if not net.children_of(s.id) and s.id not in used
                and not s.former_ids]
        s = self.pick(free)
        if s is None:
            return self.add_station(net)
        self.file(s).unlink()
        return f"remove station {s.id}"

    def body(self, net):
        rec = self.pick(list(net.stations.values()) + list(net.projects.values()) + list(net.people.values())
                        + list(net.cases.values()))
        path = self.file(rec)
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n补充说明第{self.n}段。\n",
                        encoding="utf-8")
        self.n += 1
        return f"body of {rec.kind} {rec.id}"

    # -- other records

    def add_project(self, net):
        s = self.pick([s for s in self.stations(net) if s.status.value == "active"])
        pid = self.fresh_id("xm")
        _write(self.content / "projects" / f"{pid}.md",
               {"name": f"测试品牌项目{self.n}", "station": s.id, "category": "文化惠民",
                "tags": ["文化惠民"], "summary": "随机测试新增的项目。"}, "项目介绍。\n")
        return f"add project {pid} at {s.id}"

    def add_person(self, net):
        s = self.pick([s for s in self.stations(net) if s.status.value == "active"])
        pid = self.fresh_id("rw")
        _write(self.content / "people" / f"{pid}.md",
               {"name": f"测试人物{self.n}", "station": s.id, "consent": True,
                "honors": [{"title": "优秀志愿者", "year": 2023, "by": "测试文明办"}],
                "summary": "随机测试新增的人物。"}, "人物介绍。\n")
        return f"add person {pid} at {s.id}"

    def add_case(self, net):
        s = self.pick([s for s in self.stations(net) if s.status.value == "active"])
        cid = self.fresh_id("al")
        _write(self.content / "cases" / "2021" / f"{cid}.md",
               {"title": f"测试案例{self.n}", "year": 2021, "category": self.rng.choice(["文化惠民", "医疗健身"]),
                "stations": [s.id], "summary": "随机测试新增的案例。", "tags": ["文化惠民"]},
               "## 做法\n\n案例正文。\n")
        return f"add case {cid} at {s.id}"

    def remove_record(self, net):
        recs = list(net.projects.values()) + list(net.people.values()) + list(net.cases.values())
        rec = self.pick(recs)
        if rec is None or (rec.kind == "case" and len(net.cases) < 2):
            return self.add_case(net)
        self.file(rec).unlink()
        return f"remove {rec.kind} {rec.id}"

    def ledger(self, net):
        s = self.pick([s for s in self.stations(net) if s.status.value == "active"])
        path = self.content / "activities" / "2023.csv"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"2023-12-{self.rng.randint(1, 28):02d},{s.id},随机测试活动{self.n},理论宣讲,"
                     f"{self.rng.randint(5, 90)},3,1.5\n")
        self.n += 1
        return f"ledger row for {s.id}"

    def casebook(self, net):
        path = self.content / "casebooks" / "2021.yml"
        book = yaml.safe_load(path.read_text(encoding="utf-8"))
        what = self.rng.choice(["subtitle", "chapter", "preface"])
        if what == "subtitle":
            book["subtitle"] = f"第{self.n}版"
        elif what == "chapter":
            book["chapters"] = list(reversed(book.get("chapters") or []))
        else:
            preface = self.content / book["preface"]
            preface.write_text(preface.read_text(encoding="utf-8") + f"\n新增前言段落{self.n}。\n", encoding="utf-8")
        self.n += 1
        path.write_text(yaml.safe_dump(book, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return f"case book: {what}"

    ALL = ("rename_station", "phone", "hours", "parent", "level", "status", "merge", "add_station",
           "remove_station", "body", "add_project", "add_person", "add_case", "remove_record", "ledger", "casebook")

    def apply(self, name: str) -> str:
        """Apply one edit; an edit that makes the content fail its check is undone and another tried."""
        for _ in range(5):
            saved = {p: p.read_bytes() for p in self.content.rglob("*") if p.is_file()}
            what = getattr(self, name)(self.net())
            _, problems = load(load_config(self.root / "mkdocs.yml"))
            if not problems.errors:
                return what
            for p in self.content.rglob("*"):
                if p.is_file() and p not in saved:
                    p.unlink()
            for p, data in saved.items():
                p.write_bytes(data)
            name = self.rng.choice(("phone", "body", "hours"))
        raise AssertionError("no valid edit found")


# ----------------------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "net"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synth.py"), str(root), "--stations", "12",
                    "--projects", "5", "--people", "5", "--cases", "6", "--seed", "7"], check=True,
                   capture_output=True)
    return root


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    from generator.build import preview

    from generator.render.site import builder

    # record pages of a first build are rendered by worker processes, which send back what each read
    monkeypatch.setattr(builder, "PARALLEL_MIN", 1)
    monkeypatch.setattr(builder, "CHUNK", 8)
    monkeypatch.setattr(preview, "GC_DELAY", 0.0)
    monkeypatch.setattr(preview, "HUB_REFRESH_DELAY", 0.0)
    monkeypatch.setenv("WENMING_NO_PROGRESS", "1")


def _copy(network: Path, into: Path) -> Path:
    shutil.copytree(network, into)
    return into


# Each kind of edit once, in an order set by a fixed seed, then a few seeds of random edits.
CASES = [("each kind", 1, list(Edits.ALL))] + [(f"seed {s}", s, None) for s in (11, 12)]


@pytest.mark.parametrize("label,seed,names", CASES, ids=[c[0] for c in CASES])
def test_random_edits_under_the_preview_equal_a_full_build(network, tmp_path, label, seed, names):
    rng = random.Random(seed)
    root = _copy(network, tmp_path / "live")
    edits = Edits(root, rng)
    names = names or [rng.choice(Edits.ALL) for _ in range(STEPS)]
    rng.shuffle(names)
    preview = Preview(root, tmp_path / "site").start()
    done = []
    try:
        for name in names:
            what = edits.apply(name)
            done.append(f"{what} ({preview.rebuild()})")
            # A fresh preview session of the same project (the same cache of rendered fragments,
            # whose keys hash all page data) builds everything once.
            full = Preview(root, tmp_path / "full").start()
            full.stop()
            got, want = digest(tmp_path / "site"), digest(tmp_path / "full")
            differ = sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))
            assert not differ, f"after {done}: pages differ from a full build: {differ[:12]}"
            shutil.rmtree(tmp_path / "full")
    finally:
        preview.stop()
    # No index page shows the text of a station, project or person: such an edit needs no MkDocs build.
    assert all(d.endswith("(quick)") for d in done if d.startswith(("body of station", "body of project",
                                                                      "body of person"))), done
    if label == "each kind":
        assert any(d.startswith("body of") for d in done)


def test_network_queries_read_only_the_fields_the_preview_expects(network):
    """The preview asks a query of the network again only when a field it reads changed
    (deps.READ_BY_QUERIES): run every query and derived map over records whose reads are noted."""
    import dataclasses

    import generator.render.report.site  # noqa: F401 - registers the ledger maps
    from generator.render.site import deps

    net, problems = load(load_config(network / "mkdocs.yml"))
    assert not problems.errors
    seen = {kind: {k: deps.Tracked(r) for k, r in getattr(net, table).items()} for kind, table in deps.TABLES.items()}
    probe = dataclasses.replace(net, **{table: seen[kind] for kind, table in deps.TABLES.items()})
    calls = {"case_unit": [(c,) for c in seen["case"].values()],
             "select_cases": [(b,) for b in seen["casebook"].values()],
             "chapters": [(b,) for b in seen["casebook"].values()],
             "stations_by_level": [()], "all_records": [()], "table": [(k,) for k in deps.TABLES]}
    asked = 0
    with deps.recording() as (tokens, _):
        for name in deps.QUERIES:
            for args in calls.get(name, [(sid,) for sid in [*net.stations, "no-such-id"]]):
                result = getattr(probe, name)(*args)
                list(result) if not isinstance(result, (str, type(None), deps.Tracked)) else result
                asked += 1
        for name, (make, _made_of) in deps.MAPS.items():
            make(probe, net.config)
            asked += 1
    read: dict[str, set] = {}
    for token in tokens:
        if token[0] == "r":
            read.setdefault(token[1], set()).add(token[3])
    assert asked > 3 * len(net.stations) and read["station"] and read["case"]
    for kind, fields in read.items():  # other kinds (case books) count on any change
        if kind in deps.READ_BY_QUERIES:
            assert "*" not in fields, f"a query calls a method of a {kind}: what it reads is not known"
            assert fields <= deps.READ_BY_QUERIES[kind], (kind, fields - deps.READ_BY_QUERIES[kind])
