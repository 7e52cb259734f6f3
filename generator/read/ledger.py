"""Activity ledgers (content/activities/*.csv): one validated :class:`~generator.model.Activity` per row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import Config
from ..errors import Problems
from ..model import Activity
from ..model.validate import row_errors
from ..sheets.columns import LEDGER_COLUMNS, ledger_key
from .records import read_csv


def load_ledger(path: Path, config: Config, problems: Problems) -> list[Activity]:
    rel = config.rel(path)
    table = read_csv(path, rel, problems)
    if table is None:
        return []
    keys = {h: ledger_key(h) for h in table.header}
    header = list(keys.values())
    missing = [c for c in ("date", "station", "title") if c not in header]
    if missing:
        problems.add(rel, 1, ", ".join(missing),
                     f"活动台账缺少列:{', '.join(missing)};表头应为 {','.join(LEDGER_COLUMNS)}",
                     f"the ledger lacks the column(s) {', '.join(missing)}; the header is "
                     f"{','.join(LEDGER_COLUMNS)}")
        return []
    out = []
    for row_number, values in table.rows:
        row = {keys.get(k) or ledger_key(k): v for k, v in values.items()}
        data: dict[str, Any] = {k: v for k, v in row.items() if v != "" and k in LEDGER_COLUMNS}
        try:
            act = Activity.model_validate({**data, "path": rel, "row": row_number})
        except ValidationError as exc:
            for col, zh, en in row_errors(exc):
                problems.add(rel, row_number, col, f"第 {row_number} 行:{zh}", f"row {row_number}: {en}")
            continue
        out.append(act)
    return out
