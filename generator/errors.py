"""Problems found in content: one type, produced by the model and the graph, printed in one place.

Every message is bilingual: Chinese first (what editors read), English after.
A problem names the file, the line (where the YAML has one), the field, what was
expected, what was found and, where one exists, a way out ("did you mean ...").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .kinds import KINDS

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content.

    ``path`` is relative to the project (e.g. ``content/stations/x.md``) so that the
    message is the same on every machine.
    """

    path: str
    line: int | None
    field: str
    zh: str
    en: str
    level: Level = "error"

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self, lang: str = "zh") -> str:
        """The text printed by ``wenming check`` and by ``mkdocs build``."""
        tag = "" if self.is_error else ("警告 warning: " if lang != "en" else "warning: ")
        fld = f"{self.field}: " if self.field else ""
        if lang == "en":
            return f"{self.location()}: {tag}{fld}{self.en}"
        return f"{self.location()}: {tag}{fld}{self.zh}\n  ({self.en})"


def sort_key(p: Problem) -> tuple:
    return (p.path, p.line or 0, p.field, p.zh)


@dataclass
class Problems:
    """A collector that the readers, models and the graph append to."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        path: str | Path,
        line: int | None,
        field_: str,
        zh: str,
        en: str,
        level: Level = "error",
    ) -> None:
        self.items.append(Problem(str(path), line, field_, zh, en, level))

    def warn(self, path: str | Path, line: int | None, field_: str, zh: str, en: str) -> None:
        self.add(path, line, field_, zh, en, "warning")

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def sorted(self) -> list[Problem]:
        # The same problem may be found twice (e.g. by a reader and a model); keep one.
        return sorted(set(self.items), key=sort_key)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


def report(problems: Sequence[Problem], lang: str = "zh") -> str:
    """All problems, sorted by file and line, and a closing count line."""
    ordered = sorted(set(problems), key=sort_key)
    lines = [p.format(lang) for p in ordered]
    n_err = sum(1 for p in ordered if p.is_error)
    n_warn = len(ordered) - n_err
    if lang == "en":
        lines.append(f"{n_err} error(s), {n_warn} warning(s)")
    else:
        lines.append(f"共 {n_err} 个错误、{n_warn} 个警告 ({n_err} error(s), {n_warn} warning(s))")
    return "\n".join(lines)


def did_you_mean(word: str, candidates: Iterable[str], n: int = 1) -> str | None:
    """The closest candidate to ``word``, as Click and MkDocs suggest, or None."""
    found = difflib.get_close_matches(str(word), list(candidates), n=n, cutoff=0.6)
    if not found:
        # Ids are often a suffix of the intended one ("guta" for "yuyang-guta").
        candidates = list(candidates)
        for test in (lambda c: c.endswith("-" + str(word)), lambda c: c.startswith(str(word) + "-")):
            hits = [c for c in candidates if test(c)]
            if len(hits) == 1:
                return hits[0]
        return None
    return found[0]


def hint_zh(suggestion: str | None) -> str:
    return f";是否应为 \"{suggestion}\"?" if suggestion else ""


def hint_en(suggestion: str | None) -> str:
    return f"; did you mean \"{suggestion}\"?" if suggestion else ""


def unknown_id(value: str, known: Iterable[str], kind: str = "station") -> tuple[str, str]:
    """(zh, en) of the one message for an id that names nothing, with the closest known id."""
    suggestion = did_you_mean(str(value), known)
    zh, en = KINDS[kind].label, KINDS[kind].label_en
    return (f"找不到编号为 \"{value}\" 的{zh}{hint_zh(suggestion)}",
            f"no {en} has the id \"{value}\"{hint_en(suggestion)}")


class ContentError(Exception):
    """Raised at a boundary (CLI, plugin) when content has errors; carries the problems."""

    def __init__(self, problems: Sequence[Problem], lang: str = "zh"):
        self.problems = list(problems)
        super().__init__(report(self.problems, lang))


class UsageError(Exception):
    """Misuse of a command or a setting (exit code 2). Message is bilingual already."""
