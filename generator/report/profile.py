"""Standards profiles: YAML data files that say what a station is judged on.

A profile is a list of rules. Each rule names a *check* from a fixed vocabulary
(:data:`CHECKS`), the levels it applies to, and a minimum. The checks are code;
the numbers and labels are data, so an editor can copy a shipped profile, change
the numbers and pass the file to ``wenming report --profile my.yml``.

Shipped profiles live in ``generator/profiles/`` (see its README.md for every key).
A bad profile is refused with every problem listed at once, each naming the file,
the line, the key and a way out, Chinese first, English after.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import Problem, UsageError, did_you_mean, hint_en, hint_zh
from ..model.fields import LEVEL_ALIASES
from ..read.yamlload import dotted
from ..read.yamlload import load as yaml_load

#: Check kinds a rule may use, with the keys each accepts besides id/name/check/levels.
CHECKS: dict[str, set[str]] = {
    "rooms": {"min"},
    "teams": {"min"},
    "members": {"min"},
    "team_activities": {"min"},
    "activities": {"min"},
    "category_activities": {"min", "category"},
    "phone": set(),
    "qr": set(),
    "projects": {"min"},
    "has": {"all", "any"},
    "coverage": {"min"},
}

#: Facts about a station that a ``has`` rule can require, with their Chinese names.
FACTS: dict[str, str] = {
    "address": "地址",
    "rooms": "功能室",
    "teams": "志愿服务队",
    "activities": "本年度活动记录",
    "projects": "品牌项目",
    "services": "服务菜单（点单项目）",
    "manager": "负责人",
    "hours": "开放时间",
    "open_day": "固定活动日",
    "phone": "服务电话",
    "location": "地图坐标",
    "photos": "照片",
    "summary": "简介摘要",
    "body": "介绍正文",
    "people": "典型人物",
    "cases": "案例",
}

#: Level keys a profile may use: the SPEC levels, their aliases, and 市级中心
#: (a 中心 that has another 中心 under it: a city centre over district centres).
CITY_CENTRE = "市级中心"
LEVEL_KEYS = {**LEVEL_ALIASES, CITY_CENTRE: CITY_CENTRE, "city": CITY_CENTRE}
DEFAULT_LEVELS = ["中心", "所", "站"]
TOP_KEYS = {"id", "name", "source", "description", "levels", "honours", "rules"}
RULE_KEYS = {"id", "name", "check", "levels"}


class ProfileError(UsageError):
    """A profile file that cannot be used; the message lists every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [p.format() for p in problems]
        super().__init__("标准配置文件有误 (the standards profile has errors):\n" + "\n".join(lines))


@dataclass(frozen=True)
class Step:
    """One rung of a population ladder: applies when population >= ``at_least``."""

    min: int
    at_least: int | None = None
    per_population: int | None = None

    def required(self, population: int) -> int:
        if self.per_population:
            return math.ceil(population * self.min / self.per_population)
        return self.min


@dataclass(frozen=True)
class Minimum:
    """A rule's minimum: one number, or one per level, or a population ladder per level."""

    by_level: dict[str, tuple[Step, ...]]
    default: tuple[Step, ...] | None = None

    def for_station(self, level_key: str, plain_level: str, population: int | None) -> tuple[float, str]:
        """(required value, note) for a station; the note explains a population rung."""
        steps = self.by_level.get(level_key) or self.by_level.get(plain_level) or self.default
        if not steps:
            return 0, ""
        needs_pop = any(s.at_least is not None or s.per_population for s in steps)
        if not needs_pop:
            return steps[0].min, ""
        if population is None:
            fallback = [s for s in steps if s.at_least is None and not s.per_population]
            step = fallback[-1] if fallback else min(steps, key=lambda s: s.min)
            return step.min, "未填写 population（服务人口），按最低要求计"
        for s in steps:
            if s.per_population:
                per = s.per_population
                return s.required(population), f"按人口 {population:,} 计，每 {per:,} 人不少于 {s.min} 个"
            if s.at_least is None or population >= s.at_least:
                cond = f"人口 {population:,} ≥ {s.at_least:,}" if s.at_least else f"人口 {population:,}"
                return s.min, cond
        return steps[-1].min, ""


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    levels: tuple[str, ...]
    name: str = ""
    minimum: Minimum | None = None
    share: float | None = None  # coverage rules
    category: str = ""
    facts_all: tuple[str, ...] = ()
    facts_any: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    source: str = ""
    description: str = ""
    path: str = ""
    levels: tuple[str, ...] = tuple(DEFAULT_LEVELS)
    honours: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def rules_for(self, level_keys: set[str]) -> list[Rule]:
        return [r for r in self.rules if level_keys & set(r.levels)]


# ---------------------------------------------------------------------------- loading


def shipped_dir() -> Path:
    return Path(str(resources.files("generator") / "profiles"))


def shipped_names() -> list[str]:
    return sorted(p.stem for p in shipped_dir().glob("*.yml"))


def resolve_profile_path(spec: str, project_dir: Path | None = None) -> Path:
    """A shipped name (``shandong-2022``) or a file path (absolute, or relative to the
    current folder or the project)."""
    spec = str(spec).strip() or "shandong-2022"
    looks_like_file = spec.endswith((".yml", ".yaml")) or "/" in spec or "\\" in spec
    candidates = [Path(spec)]
    if project_dir is not None and not Path(spec).is_absolute():
        candidates.append(project_dir / spec)
    for c in candidates:
        if c.is_file():
            return c
    if not looks_like_file and (shipped_dir() / f"{spec}.yml").is_file():
        return shipped_dir() / f"{spec}.yml"
    names = shipped_names()
    if looks_like_file:
        raise UsageError(
            f"找不到标准配置文件 \"{spec}\";请检查路径,或使用内置配置:{'、'.join(names)}\n"
            f"  (profile file \"{spec}\" not found; check the path or use a shipped profile: "
            f"{', '.join(names)})"
        )
    suggestion = did_you_mean(spec, names)
    raise UsageError(
        f"没有名为 \"{spec}\" 的标准配置{hint_zh(suggestion)};内置配置有:{'、'.join(names)},"
        f"也可以写自己的 YAML 文件路径\n"
        f"  (there is no profile named \"{spec}\"{hint_en(suggestion)}; shipped profiles: "
        f"{', '.join(names)}; or give the path of your own YAML file)"
    )


def load_profile(spec: str, project_dir: Path | None = None) -> Profile:
    path = resolve_profile_path(spec, project_dir)
    stat = path.stat()
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, _display(path, project_dir))


def _display(path: Path, project_dir: Path | None) -> str:
    try:
        if project_dir is not None:
            return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        pass
    try:
        return "generator/profiles/" + path.resolve().relative_to(shipped_dir().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@lru_cache(maxsize=16)
def _load_cached(path: str, _mtime: int, shown: str) -> Profile:
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    return parse_profile(text, shown, default_id=Path(path).stem)


class _Checker:
    def __init__(self, shown: str, loaded: Any):
        self.shown = shown
        self.loaded = loaded
        self.problems: list[Problem] = []

    def line(self, path: tuple) -> int | None:
        return self.loaded.line_of(path)

    def add(self, path: tuple, zh: str, en: str) -> None:
        self.problems.append(Problem(self.shown, self.line(path), dotted(path), zh, en))

    def unknown_keys(self, data: dict, allowed: set[str], path: tuple) -> None:
        for key in data:
            if str(key) not in allowed:
                s = did_you_mean(str(key), sorted(allowed))
                self.add(path + (key,), f"未知的键 \"{key}\"{hint_zh(s)};可用的键:{'、'.join(sorted(allowed))}",
                         f"unknown key \"{key}\"{hint_en(s)}; known keys: {', '.join(sorted(allowed))}")

    def count(self, value: Any, path: tuple) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.add(path, f"应为不小于 0 的整数,实际为 {value!r}",
                     f"expected a whole number of 0 or more, found {value!r}")
            return None
        return value

    def level(self, value: Any, path: tuple) -> str | None:
        key = str(value).strip().lower()
        if key in LEVEL_KEYS:
            return LEVEL_KEYS[key]
        s = did_you_mean(str(value), ["中心", "所", "站", "点", "基地", CITY_CENTRE])
        self.add(path, f"未知的级别 \"{value}\"{hint_zh(s)};应为 中心、所、站、点、基地 或 {CITY_CENTRE}",
                 f"unknown level \"{value}\"{hint_en(s)}; use 中心, 所, 站, 点, 基地 or {CITY_CENTRE}")
        return None

    def steps(self, value: Any, path: tuple) -> tuple[Step, ...] | None:
        if not isinstance(value, list):
            n = self.count(value, path)
            return None if n is None else (Step(n),)
        out = []
        for i, item in enumerate(value):
            p = path + (i,)
            if not isinstance(item, dict) or "min" not in item:
                self.add(p, "人口阶梯的每一项应写成 {population_at_least: 500000, min: 10} 或 {min: 5}",
                         "each rung of a population ladder is {population_at_least: 500000, min: 10} "
                         "or {min: 5}")
                continue
            self.unknown_keys(item, {"min", "population_at_least", "per_population"}, p)
            n = self.count(item["min"], p + ("min",))
            at = self.count(item["population_at_least"], p + ("population_at_least",)) \
                if "population_at_least" in item else None
            per = self.count(item["per_population"], p + ("per_population",)) \
                if "per_population" in item else None
            if n is not None:
                out.append(Step(n, at, per or None))
        return tuple(out) if out else None

    def minimum(self, value: Any, path: tuple) -> tuple[Minimum | None, tuple[str, ...]]:
        """The minimum and, when it is given per level, the levels it names."""
        if isinstance(value, dict):
            by_level: dict[str, tuple[Step, ...]] = {}
            for key, v in value.items():
                lv = self.level(key, path + (key,))
                st = self.steps(v, path + (key,))
                if lv and st:
                    by_level[lv] = st
            return Minimum(by_level), tuple(by_level)
        st = self.steps(value, path)
        return (Minimum({}, st), ()) if st else (None, ())


def parse_profile(text: str, shown: str, default_id: str = "profile") -> Profile:
    """Validate a profile's YAML text; raise :class:`ProfileError` listing every problem."""
    loaded = yaml_load(text)
    ck = _Checker(shown, loaded)
    for yp in loaded.problems:
        ck.problems.append(Problem(shown, yp.line, yp.field, yp.zh, yp.en))
    if ck.problems:
        raise ProfileError(ck.problems)
    data = loaded.data
    if not isinstance(data, dict):
        ck.add((), "标准配置应是「键: 值」的映射,至少包含 name 和 rules",
               "a profile is a mapping of key: value with at least name and rules")
        raise ProfileError(ck.problems)
    ck.unknown_keys(data, TOP_KEYS, ())
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        ck.add(("name",), "缺少 name(标准名称,如 山东省“五有”标准)",
               "name is missing (the standard's title, e.g. 山东省“五有”标准)")
    levels: tuple[str, ...] = tuple(DEFAULT_LEVELS)
    if "levels" in data:
        raw_levels = data["levels"] if isinstance(data["levels"], list) else [data["levels"]]
        levels = tuple(lv for i, x in enumerate(raw_levels) if (lv := ck.level(x, ("levels", i))))
    honours = data.get("honours") or []
    if not isinstance(honours, list) or not all(isinstance(h, str) for h in honours):
        ck.add(("honours",), "honours 应为荣誉关键词的列表,如 [时代楷模, 道德模范, 好人]",
               "honours is a list of honour keywords, e.g. [时代楷模, 道德模范, 好人]")
        honours = []
    rules_raw = data.get("rules")
    rules: list[Rule] = []
    if not isinstance(rules_raw, list) or not rules_raw:
        ck.add(("rules",), "缺少 rules(规则列表),或列表为空", "rules (the list of rules) is missing or empty")
        rules_raw = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(rules_raw):
        rule = _parse_rule(ck, raw, ("rules", i), levels, i)
        if rule is None:
            continue
        if rule.id in seen:
            ck.add(("rules", i, "id"), f"规则编号 \"{rule.id}\" 重复(第 {seen[rule.id] + 1} 条已使用)",
                   f"rule id \"{rule.id}\" is used twice (already by rule {seen[rule.id] + 1})")
            continue
        seen[rule.id] = i
        rules.append(rule)
    if ck.problems:
        raise ProfileError(ck.problems)
    return Profile(id=str(data.get("id") or default_id), name=str(name).strip(),
                   source=str(data.get("source") or ""), description=str(data.get("description") or ""),
                   path=shown, levels=levels, honours=tuple(honours), rules=tuple(rules))


def _parse_rule(ck: _Checker, raw: Any, path: tuple, default_levels: tuple[str, ...], index: int) -> Rule | None:
    if not isinstance(raw, dict):
        ck.add(path, "每条规则应是「键: 值」的映射,至少包含 check", "each rule is a mapping with at least check")
        return None
    check = raw.get("check")
    if check not in CHECKS:
        s = did_you_mean(str(check), sorted(CHECKS))
        if check is None:
            ck.add(path, f"规则缺少 check;可用的检查:{'、'.join(sorted(CHECKS))}",
                   f"the rule has no check; known checks: {', '.join(sorted(CHECKS))}")
        else:
            ck.add(path + ("check",), f"未知的检查 \"{check}\"{hint_zh(s)};可用的检查:{'、'.join(sorted(CHECKS))}",
                   f"unknown check \"{check}\"{hint_en(s)}; known checks: {', '.join(sorted(CHECKS))}")
        return None
    ck.unknown_keys(raw, RULE_KEYS | CHECKS[check], path)
    rid = str(raw.get("id") or check)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", rid):
        ck.add(path + ("id",), f"规则编号应为英文字母、数字、- _ .,实际为 \"{rid}\"",
               f"a rule id is letters, digits, - _ . only, found \"{rid}\"")
    name = raw.get("name", "")
    if not isinstance(name, str):
        ck.add(path + ("name",), "name 应为文字", "name must be text")
        name = ""
    levels = default_levels
    minimum: Minimum | None = None
    share: float | None = None
    if "min" in CHECKS[check]:
        if "min" not in raw:
            ck.add(path, f"规则 \"{rid}\" 缺少 min(最低要求)", f"rule \"{rid}\" has no min (the minimum)")
        elif check == "coverage":
            share = _share(ck, raw["min"], path + ("min",))
        else:
            minimum, named = ck.minimum(raw["min"], path + ("min",))
            if named:
                levels = named
    if "levels" in raw:
        lv_raw = raw["levels"] if isinstance(raw["levels"], list) else [raw["levels"]]
        levels = tuple(lv for j, x in enumerate(lv_raw) if (lv := ck.level(x, path + ("levels", j))))
    category = ""
    if check == "category_activities":
        category = str(raw.get("category") or "").strip()
        if not category:
            ck.add(path, f"规则 \"{rid}\" 缺少 category(活动类别,如 理论宣讲)",
                   f"rule \"{rid}\" has no category (an activity category such as 理论宣讲)")
    facts: dict[str, tuple[str, ...]] = {"all": (), "any": ()}
    if check == "has":
        if "all" not in raw and "any" not in raw:
            ck.add(path, f"规则 \"{rid}\" 需要 all: [...] 或 any: [...](要求具备的内容)",
                   f"rule \"{rid}\" needs all: [...] or any: [...] (the facts it requires)")
        for key in ("all", "any"):
            if key not in raw:
                continue
            items = raw[key] if isinstance(raw[key], list) else [raw[key]]
            good = []
            for j, fact in enumerate(items):
                if fact in FACTS:
                    good.append(fact)
                else:
                    s = did_you_mean(str(fact), sorted(FACTS))
                    ck.add(path + (key, j), f"未知的内容项 \"{fact}\"{hint_zh(s)};可用:{'、'.join(FACTS)}",
                           f"unknown fact \"{fact}\"{hint_en(s)}; known facts: {', '.join(FACTS)}")
            facts[key] = tuple(good)
    return Rule(id=rid, check=check, levels=levels, name=name.strip(), minimum=minimum, share=share,
                category=category, facts_all=facts["all"], facts_any=facts["any"])


def _share(ck: _Checker, value: Any, path: tuple) -> float | None:
    text = str(value).strip()
    try:
        if text.endswith("%"):
            share = float(text[:-1]) / 100
        else:
            share = float(text)
            if share > 1:
                share /= 100
    except ValueError:
        share = -1.0
    if isinstance(value, bool) or not 0 <= share <= 1:
        ck.add(path, f"覆盖率应写成 0 到 1 的小数或百分数(如 0.9 或 90%),实际为 {value!r}",
               f"a coverage share is a fraction 0 to 1 or a percentage (0.9 or 90%), found {value!r}")
        return None
    return share
