"""``wenming import``: plan the changes a sheet asks for, validate them like ``wenming check``, write.

1. Every row becomes the field values it holds (:mod:`.cells` undoes Excel's
   habits). A blank cell clears that field; a column the sheet does not have is
   never touched.
2. The changes are applied in memory: updated records are edited in place
   (:mod:`.yamledit`), new records get a new file, activity rows go into
   ``activities/<year>.csv``.
3. Each changed file is validated with the record models, then the whole network
   (current content with the changes) goes through :func:`generator.graph.check_graph`.
   Problems that the change introduces are reported against the sheet's row and
   column; problems the content already had are left to ``wenming check``.
4. Only when there is no error is anything written, and only files whose bytes
   change; importing the same sheet twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from ..check import check_network, check_project
from ..config import Config
from ..errors import Problem, Problems, did_you_mean, hint_en, hint_zh, unknown_id
from ..graph import Network, check_graph
from ..kinds import KINDS as REGISTRY
from ..model import KINDS, Activity, Record
from ..model.fields import Team, _date, check_id
from ..model.privacy import PRIVATE_FIELDS
from ..model.validate import row_errors, validate_record
from ..read.images import ImageIndex
from ..read.records import parse_record
from .cells import CellError, parse_cell
from .columns import LEDGER_COLUMNS, SHEET_KINDS, SheetKind, ledger_key, normalize_header
from .read import Table
from .yamledit import DELETE, TextFile, as_date, edit_record_text, new_record_text

DATE_FIELDS = {"established", "started"}


@dataclass(frozen=True, order=True)
class SheetProblem(Problem):
    """A problem located in a sheet: ``stations.xlsx[阵地] 第 5 行 电话 列``."""

    column: str = ""

    def location(self) -> str:
        return f"{self.path} 第 {self.line} 行" + (f" {self.column} 列" if self.column else "")

    def location_en(self) -> str:
        where = f"{self.path} row {self.line}"
        if self.column:
            where += f", column {self.column}" + (f" ({self.field})" if self.field and self.field != self.column else "")
        return where

    def format(self, lang: str = "zh") -> str:
        if lang == "en":
            tag = "" if self.is_error else "warning: "
            return f"{self.location_en()}: {tag}{self.en}"
        tag = "" if self.is_error else "警告 warning: "
        return f"{self.location()}: {tag}{self.zh}\n  ({self.location_en()}: {self.en})"


@dataclass
class Origin:
    row: int
    team_rows: dict[int, int] = field(default_factory=dict)


@dataclass
class Planned:
    path: Path
    rel: str
    file: TextFile
    record_kind: str  # station/project/person or "ledger"
    action: str  # create / update
    rows: list[int]
    fields: list[str]
    before: bytes | None = None


_FAILED = object()


@cache
def _adapter(kind: str, key: str) -> TypeAdapter:
    info = KINDS[kind].model_fields[key]
    return TypeAdapter(Annotated[info.annotation, *info.metadata]) if info.metadata else TypeAdapter(info.annotation)


def _canon(kind: str, key: str, value: Any) -> Any:
    if key not in KINDS[kind].model_fields:
        return _FAILED
    try:
        return _adapter(kind, key).validate_python(value)
    except (ValidationError, ValueError, TypeError):
        return _FAILED


def _empty(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    return isinstance(value, BaseModel) and not value.model_fields_set and not value.model_extra


def yaml_value(value: Any, key: str = "") -> Any:
    """A validated value as plain YAML data: enums as text, parts as mappings, full dates unquoted."""
    from enum import Enum

    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return {k: yaml_value(v) for k, v in value.model_dump(exclude_unset=True, by_alias=True).items()}
    if isinstance(value, list):
        return [yaml_value(v) for v in value]
    if isinstance(value, dict):
        return {k: yaml_value(v) for k, v in value.items()}
    if key in DATE_FIELDS:
        return as_date(value)
    return value


def _custom(exc: PydanticCustomError) -> tuple[str, str]:
    ctx = exc.context or {}
    return ctx.get("zh", str(exc)), ctx.get("en", str(exc))


class Importer:
    """One sheet -> planned file changes, problems, and (after :meth:`write`) files."""

    def __init__(self, config: Config, table: Table):
        self.config = config
        self.table = table
        self.kind: SheetKind = table.kind
        self.net, self.base = check_project(config, links=False)  # a sheet touches no body text
        self.problems: list[Problem] = []
        self.planned: dict[Path, Planned] = {}
        self.origin: dict[str, Origin] = {}
        self.unchanged = 0
        self.validated = False
        self.failed_ids: set[str] = set()  # rows not planned because a cell could not be read

    # -------------------------------------------------------------- problems

    def column_header(self, key: str, kind: SheetKind | None = None) -> str:
        kind = kind or self.kind
        col = kind.column(key)
        if col is None:
            return key
        return self.table.header_of(key) or col.zh

    def add(self, row: int, key: str, zh: str, en: str, warning: bool = False, kind: SheetKind | None = None) -> None:
        column = self.column_header(key, kind) if key else ""
        self.problems.append(SheetProblem(self.table.label, row, key, zh, en,
                                          "warning" if warning else "error", column))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    # -------------------------------------------------------------- reading rows

    def parsed_rows(self) -> list[tuple[int, dict[str, Any]]]:
        out = []
        for row, cells in self.table.rows:
            values: dict[str, Any] = {}
            for key, raw in cells.items():
                if raw is None:
                    values[key] = None
                    continue
                col = self.kind.column(key)
                assert col is not None
                try:
                    value, warning = parse_cell(col, raw)
                except CellError as exc:
                    self.add(row, key, exc.zh, exc.en)
                    values[key] = _FAILED
                    continue
                if warning is not None:
                    self.add(row, key, warning.zh, warning.en, warning=True)
                values[key] = value
            out.append((row, values))
        return out

    def header_notes(self) -> None:
        row = self.table.header_row
        for _, header in self.table.unknown:
            if self.kind.name == "people" and normalize_header(header).lower() in PRIVATE_FIELDS:
                zh = f"\"{header}\" 列不会导入:典型人物页面不得公开身份证号、个人电话或住址"
                en = f"the column \"{header}\" is not imported: a person's page never publishes an ID number, " \
                     "a personal phone or a home address"
            else:
                suggestion = did_you_mean(header, self.kind.known_headers())
                zh = f"未识别的列 \"{header}\",已忽略{hint_zh(suggestion)}"
                en = f"unknown column \"{header}\" is ignored{hint_en(suggestion)}"
            self.problems.append(SheetProblem(self.table.label, row, "", zh, en, "warning", header))
        for _, header, first in self.table.duplicate:
            self.problems.append(SheetProblem(
                self.table.label, row, "", f"\"{header}\" 与 \"{first}\" 是同一字段,只读取 \"{first}\" 列",
                f"\"{header}\" is the same field as \"{first}\"; only \"{first}\" is read", "warning", header))

    # -------------------------------------------------------------- references

    def _name_index(self, extra: dict[str, str]) -> dict[str, set[str]]:
        idx: dict[str, set[str]] = {}
        for s in self.net.stations.values():
            for n in (s.name, s.short_name):
                if n:
                    idx.setdefault(n, set()).add(s.id)
        for n, sid in extra.items():
            idx.setdefault(n, set()).add(sid)
        return idx

    def resolve_ref(self, value: Any, names: dict[str, set[str]], ids: set[str]) -> Any:
        """A station reference written as an id, or as a station's full or short name."""
        if not isinstance(value, str):
            return value
        if value in ids or value in self.net.stations or value in self.net.aliases:
            return value
        hits = names.get(value, set())
        if len(hits) == 1:
            return next(iter(hits))
        return value

    # -------------------------------------------------------------- planning

    def plan(self) -> None:
        self.header_notes()
        rows = self.parsed_rows()
        if self.kind.name == "teams":
            self._plan_teams(rows)
        elif self.kind.name == "activities":
            self._plan_activities(rows)
        else:
            self._plan_records(rows)

    def _file(self, path: Path) -> TextFile:
        planned = self.planned.get(path)
        return planned.file if planned else TextFile.read(path)

    def _plan_records(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        kind = self.kind.record_kind
        cls = KINDS[kind]
        table = self.net.table(kind)
        if "id" not in self.table.keys:
            self.problems.append(SheetProblem(
                self.table.label, self.table.header_row, "id",
                "表中没有「编号」列;每条记录都要有永久编号(3 到 64 个小写字母、数字或连字符),请加上这一列",
                "the sheet has no 编号 (id) column; every record needs its permanent id (3 to 64 characters "
                "of a-z 0-9 -): add the column", "error", "编号"))
            return
        seen: dict[str, int] = {}
        sheet_names: dict[str, str] = {}
        sheet_ids: set[str] = set()
        for row, values in rows:
            rid = values.get("id")
            if isinstance(rid, str):
                sheet_ids.add(rid)
                if kind == "station" and isinstance(values.get("name"), str):
                    sheet_names[values["name"]] = rid
        names = self._name_index(sheet_names)
        for row, values in rows:
            rid = values.get("id")
            if rid is _FAILED:
                continue
            if rid is None:
                self.add(row, "id", "编号不能为空;请填写 3 到 64 个小写字母、数字或连字符,如 guta-zhaojiamao",
                         "the id must not be empty; use 3 to 64 characters of a-z 0-9 -, e.g. guta-zhaojiamao")
                continue
            try:
                rid = check_id(rid)
            except PydanticCustomError as exc:
                self.add(row, "id", *_custom(exc))
                continue
            if rid in seen:
                self.add(row, "id", f"编号 \"{rid}\" 与第 {seen[rid]} 行重复;每行一个{self.kind.what_zh},编号不能重复",
                         f"the id \"{rid}\" repeats row {seen[rid]}; one row per record, ids are unique")
                continue
            seen[rid] = row
            for key in ("parent", "merged_into", "station"):
                if key in values and values[key] not in (None, _FAILED):
                    values[key] = self.resolve_ref(values[key], names, sheet_ids)
            if any(v is _FAILED for v in values.values()):
                self.failed_ids.add(rid)
                continue
            rec = table.get(rid)
            desired = self._desired(row, values, rec)
            if desired is None:
                continue
            if rec is not None:
                self._plan_update(row, rec, desired)
            else:
                self._plan_create(row, rid, cls, desired)

    def _desired(self, row: int, values: dict[str, Any], rec: Record | None) -> dict[str, Any] | None:
        desired: dict[str, Any] = {}
        keys = [c.key for c in self.table.columns.values()]
        for key in keys:
            if key != "id" and "." not in key:
                desired[key] = values.get(key)
        for part, subkeys in (("location", ("lat", "lng")), ("manager", ("role", "name"))):
            present = [s for s in subkeys if f"{part}.{s}" in keys]
            if not present:
                continue
            old = getattr(rec, part, None) if rec is not None and part in rec.model_fields_set else None
            current = yaml_value(old) if old is not None else {}
            for s in present:
                v = values.get(f"{part}.{s}")
                if v is None:
                    current.pop(s, None)
                else:
                    current[s] = v
            if part == "location" and current and not {"lat", "lng"} <= set(current):
                missing = "location.lng" if "lat" in current else "location.lat"
                self.add(row, missing, "纬度和经度要同时填写(或同时留空)",
                         "latitude and longitude go together: fill in both or leave both empty")
                return None
            desired[part] = {k: current[k] for k in sorted(current, key=lambda k: (k not in subkeys, subkeys.index(k) if k in subkeys else 0))} or None
        return desired

    def _plan_update(self, row: int, rec: Record, desired: dict[str, Any]) -> None:
        kind = rec.kind
        changes: dict[str, Any] = {}
        for key, new in desired.items():
            old_set = key in rec.model_fields_set
            old = getattr(rec, key, None) if old_set else None
            if _empty(new):
                if old_set and not _empty(old):
                    changes[key] = DELETE
                continue
            canon = _canon(kind, key, new)
            if old_set and canon is not _FAILED and canon == old:
                continue
            changes[key] = yaml_value(new if canon is _FAILED else canon, key)
        order = list(self.kind.order)
        changes = dict(sorted(changes.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
        path = self.config.project_dir / rec.path
        self.origin[rec.path] = Origin(row)
        if not changes:
            self.unchanged += 1
            return
        tf = self._file(path)
        text = edit_record_text(tf.text, path.suffix, changes, self.kind.order)
        if text is None or text == tf.text:
            self.unchanged += 1
            return
        new_file = TextFile(text, tf.encoding, tf.bom, tf.newline)
        self._put(path, new_file, kind, "update", row, list(changes))

    def _plan_create(self, row: int, rid: str, cls: type[Record], desired: dict[str, Any]) -> None:
        folder = self.config.content_path / REGISTRY[cls.kind].folder
        for suffix in (".md", ".yml", ".yaml", ".markdown"):
            existing = folder / f"{rid}{suffix}"
            if existing.exists():
                rel = self.config.rel(existing)
                self.add(row, "id", f"{rel} 已存在但没有通过检查,不能导入;请先运行 wenming check 修正该文件",
                         f"{rel} exists but does not pass the check, so it cannot be imported; run wenming "
                         "check and fix that file first")
                return
        fields: dict[str, Any] = {}
        for key, new in desired.items():
            if _empty(new):
                continue
            canon = _canon(cls.kind, key, new)
            fields[key] = yaml_value(new if canon is _FAILED else canon, key)
        path = folder / f"{rid}.md"
        self.origin[self.config.rel(path)] = Origin(row)
        self._put(path, TextFile(new_record_text(fields, self.kind.order)), cls.kind, "create", row, list(fields))

    def _put(self, path: Path, tf: TextFile, kind: str, action: str, row: int, fields: list[str]) -> None:
        prev = self.planned.get(path)
        if prev is not None:
            prev.file = tf
            prev.rows.append(row)
            prev.fields.extend(f for f in fields if f not in prev.fields)
            return
        before = path.read_bytes() if path.exists() else None
        self.planned[path] = Planned(path, self.config.rel(path), tf, kind, action, [row], fields, before)

    # -------------------------------------------------------------- teams

    def _plan_teams(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        names = self._name_index({})
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for row, values in rows:
            if any(v is _FAILED for v in values.values()):
                continue
            sid = self.resolve_ref(values.get("station"), names, set())
            if sid is None:
                self.add(row, "station", "阵地编号不能为空", "the station id must not be empty")
                continue
            sid = self.net.aliases.get(sid, sid)
            if sid not in self.net.stations:
                self.add(row, "station", *unknown_id(sid, self.net.stations))
                continue
            if not values.get("name"):
                self.add(row, "name", "队伍名称不能为空", "the team's name must not be empty")
                continue
            groups.setdefault(sid, []).append((row, values))
        keys = [k for k in ("category", "members", "link") if k in self.table.keys]
        for sid, group in groups.items():
            rec = self.net.stations[sid]
            old = [yaml_value(t) for t in rec.teams] if "teams" in rec.model_fields_set else []
            teams = [dict(t) for t in old]
            origin = Origin(group[0][0])
            seen: dict[str, int] = {}
            for row, values in group:
                name = str(values["name"])
                if name in seen:
                    self.add(row, "name", f"队伍 \"{name}\" 在第 {seen[name]} 行已出现;同一阵地的队伍名称不能重复",
                             f"the team \"{name}\" is already on row {seen[name]}; team names are unique per station")
                    continue
                seen[name] = row
                idx = next((i for i, t in enumerate(teams) if str(t.get("name", "")).strip() == name), None)
                if idx is None:
                    teams.append({"name": name})
                    idx = len(teams) - 1
                item = teams[idx]
                for k in keys:
                    v = values.get(k)
                    if v is None or v == "":
                        item.pop(k, None)
                        continue
                    try:
                        v = TypeAdapter(Team).validate_python({"name": name, k: v}).model_dump()[k]
                    except ValidationError:
                        pass
                    item[k] = v
                teams[idx] = {k: item[k] for k in sorted(item, key=lambda k: ["name", "category", "members", "link"].index(k)
                                                         if k in ("name", "category", "members", "link") else 9)}
                origin.team_rows[idx] = row
            self.origin[rec.path] = origin
            if teams == old:
                self.unchanged += 1
                continue
            path = self.config.project_dir / rec.path
            tf = self._file(path)
            text = edit_record_text(tf.text, path.suffix, {"teams": teams}, SHEET_KINDS["stations"].order)
            if text is None or text == tf.text:
                self.unchanged += 1
                continue
            self._put(path, TextFile(text, tf.encoding, tf.bom, tf.newline), "station", "update",
                      group[0][0], ["teams"])
            self.planned[path].rows = [r for r, _ in group]

    # -------------------------------------------------------------- activities

    def _plan_activities(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        names = self._name_index({})
        by_year: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        seen: dict[tuple, int] = {}
        for row, values in rows:
            if any(v is _FAILED for v in values.values()):
                continue
            if values.get("station") is not None:
                sid = self.resolve_ref(values["station"], names, set())
                values["station"] = self.net.aliases.get(sid, sid)
            data = {k: v for k, v in values.items() if v is not None}
            try:
                act = Activity.model_validate(data)
            except ValidationError as exc:
                for key, zh, en in row_errors(exc):
                    self.add(row, key, zh, en)
                continue
            if act.station not in self.net.stations:
                self.add(row, "station", *unknown_id(act.station, self.net.stations))
                continue
            same = (act.date, act.station, act.title)
            if same in seen:
                self.add(row, "title", f"与第 {seen[same]} 行的日期、阵地、活动名称都相同;同一活动只写一行",
                         f"the date, station and title repeat row {seen[same]}; one row per activity")
                continue
            seen[same] = row
            by_year.setdefault(act.date[:4], []).append((row, {k: getattr(act, k) for k in LEDGER_COLUMNS
                                                               if k in self.table.keys}))
        for year, items in sorted(by_year.items()):
            self._plan_ledger(year, items)

    def _plan_ledger(self, year: str, items: list[tuple[int, dict[str, Any]]]) -> None:
        path = self.config.content_path / REGISTRY["activity"].folder / f"{year}.csv"
        if path.exists():
            tf = TextFile.read(path)
            ledger = _Ledger.parse(tf.text)
        else:
            tf = TextFile("")
            ledger = _Ledger.new()
        added = updated = 0
        for row, values in items:
            i = ledger.find(values["date"], values["station"], values["title"])
            if i is None:
                ledger.append(values)
                added += 1
            elif ledger.update(i, values):
                updated += 1
            else:
                self.unchanged += 1
        if not (added or updated):
            return
        text = ledger.text(tf.text, only_appended=not updated)
        rel = self.config.rel(path)
        before = path.read_bytes() if path.exists() else None
        self.planned[path] = Planned(path, rel, TextFile(text, tf.encoding, tf.bom, tf.newline), "ledger",
                                     "update" if before is not None else "create", [r for r, _ in items],
                                     [f"+{added}", f"~{updated}"], before)

    # -------------------------------------------------------------- validation

    def validate(self) -> None:
        """Model-check every changed record, graph-check the network with the changes."""
        problems = Problems()
        images = ImageIndex(self.config.content_path, self.config)
        replaced: dict[str, Record | None] = {}
        for path, planned in self.planned.items():
            if planned.record_kind == "ledger":
                continue
            replaced[planned.rel] = self._validate_text(path, planned.rel, planned.file.text,
                                                        planned.record_kind, images, problems)
        net = Network(config=self.config)
        for kind in ("station", "project", "person", "case", "casebook"):
            for rec in self.net.table(kind).values():
                if rec.path in replaced:
                    new = replaced.pop(rec.path)
                    # a record the sheet broke keeps its old self in the graph: no cascade of
                    # "no station has the id" messages for its children
                    net.add(new if new is not None else rec, problems)
                else:
                    net.add(rec, problems)
        failed: set[str] = set(self.failed_ids)
        for rel, new in replaced.items():
            if new is not None:
                net.add(new, problems)
            else:
                failed.add(Path(rel).stem)
        net.activities = list(self.net.activities)
        net.pages = list(self.net.pages)
        check_graph(net, problems)
        problems.extend(check_network(net, self.config))
        known = {(p.path, p.field, p.zh) for p in self.base.items}
        for p in problems.sorted():
            if (p.path, p.field, p.zh) in known:
                continue
            if any(f'"{sid}"' in p.zh for sid in failed) and re.match(r"(parent|merged_into|station)", p.field):
                continue  # follows from a new record that is already reported
            self.problems.append(self._locate(p))
        self.validated = True

    def _validate_text(self, path: Path, rel: str, text: str, kind: str, images: ImageIndex,
                       problems: Problems) -> Record | None:
        """The record a planned file would hold, checked exactly as ``wenming check`` checks files."""
        raw = parse_record(path, rel, text, problems)
        if raw is None:
            return None
        return validate_record(raw, path, kind, self.config, problems, images)

    def _locate(self, p: Problem) -> Problem:
        origin = self.origin.get(p.path)
        if origin is None:
            return p
        m = re.match(r"teams\[(\d+)\](?:\.(\w+))?", p.field)
        if self.kind.name == "teams" and m:
            row = origin.team_rows.get(int(m.group(1)), origin.row)
            key = m.group(2) or "name"
            return SheetProblem(self.table.label, row, key, p.zh, p.en, p.level, self.column_header(key))
        flat = re.sub(r"\[\d+\]", "", p.field)
        cols = [c for c in self.kind.columns if c.key == flat]
        if not cols:
            cols = [c for c in self.kind.columns if c.top == flat.split(".")[0]]
        if not cols and flat.startswith(("正文", "body")) or (not cols and not flat):
            return SheetProblem(self.table.label, origin.row, p.field, p.zh, f"{p.en} [{p.path}]", p.level, "")
        column = "/".join(self.column_header(c.key) for c in cols) if cols else flat
        key = cols[0].key if len(cols) == 1 else flat
        return SheetProblem(self.table.label, origin.row, key, p.zh, p.en, p.level, column)

    # -------------------------------------------------------------- writing

    def changes(self) -> list[Planned]:
        return [p for p in sorted(self.planned.values(), key=lambda p: p.rel) if p.file.encode() != p.before]

    def write(self) -> list[Planned]:
        assert self.validated and not self.errors
        done = []
        for p in self.changes():
            p.path.parent.mkdir(parents=True, exist_ok=True)
            p.path.write_bytes(p.file.encode())
            done.append(p)
        return done


# ------------------------------------------------------------------ ledger files


@dataclass
class _Ledger:
    header: list[str]
    rows: list[list[str]]
    original_count: int
    delimiter: str = ","

    @classmethod
    def new(cls) -> _Ledger:
        return cls(list(LEDGER_COLUMNS), [], 0)

    @classmethod
    def parse(cls, text: str) -> _Ledger:
        first = next((line for line in text.split("\n") if line.strip()), "")
        delimiter = max([",", "\t", ";"], key=first.count) if first else ","
        if first.count(delimiter) == 0:
            delimiter = ","
        table = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
        if not table:
            return cls(list(LEDGER_COLUMNS), [], 0, delimiter)
        return cls(table[0], table[1:], len(table) - 1, delimiter)

    def _index(self, key: str) -> int | None:
        for i, h in enumerate(self.header):
            h = h.strip().lower()
            if ledger_key(h) == key:
                return i
        return None

    def _cell(self, row: list[str], key: str) -> str:
        i = self._index(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def find(self, date: str, station: str, title: str) -> int | None:
        for n, row in enumerate(self.rows):
            try:
                d = _date(self._cell(row, "date"))
            except (PydanticCustomError, ValueError):
                d = self._cell(row, "date")
            if d == date and self._cell(row, "station") == station and self._cell(row, "title") == title:
                return n
        return None

    @staticmethod
    def _format(key: str, value: Any) -> str:
        if key == "hours":
            return repr(float(value))
        return str(value)

    @staticmethod
    def _same(key: str, cell: str, value: Any) -> bool:
        try:
            if key in ("participants", "volunteers"):
                return int(float(cell or 0)) == int(value)
            if key == "hours":
                return float(cell or 0) == float(value)
        except ValueError:
            return False
        return cell == str(value)

    def _set(self, row: list[str], key: str, value: Any) -> None:
        i = self._index(key)
        if i is None:
            self.header.append(key)
            for r in self.rows:
                r.append("")
            i = len(self.header) - 1
            self.original_count = -1  # the header changed: rewrite everything
        while len(row) < len(self.header):
            row.append("")
        row[i] = self._format(key, value)

    def append(self, values: dict[str, Any]) -> None:
        row = [""] * len(self.header)
        self.rows.append(row)
        for key, value in values.items():
            self._set(row, key, value)

    def update(self, n: int, values: dict[str, Any]) -> bool:
        row = self.rows[n]
        changed = False
        for key, value in values.items():
            if key in ("date", "station", "title"):
                continue
            if not self._same(key, self._cell(row, key), value):
                self._set(row, key, value)
                changed = True
        return changed

    def text(self, original: str, only_appended: bool) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator="\n")
        if only_appended and self.original_count >= 0 and original.strip():
            for row in self.rows[self.original_count:]:
                writer.writerow(row)
            base = original if original.endswith("\n") else original + "\n"
            return base + buf.getvalue()
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow(row)
        return buf.getvalue()
