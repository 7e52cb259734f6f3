"""JSON Schema per record kind, for editors' YAML extensions (completion, red underlines)."""

from __future__ import annotations

from typing import Any

from .kinds import KINDS

TITLES = {
    "station": "阵地 station (content/stations/<id>.md)",
    "project": "品牌项目 brand project (content/projects/<id>.md)",
    "person": "典型人物 model figure (content/people/<id>.md)",
    "case": "案例 case (content/cases/<year>/<id>.md)",
    "casebook": "案例选编 case book (content/casebooks/<year>.yml)",
    "activity": "活动台账一行 one activity-ledger row",
}


def schemas() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for kind, info in KINDS.items():
        sch = info.model.model_json_schema(by_alias=True)
        props = sch.get("properties", {})
        for internal in ("path", "row", "year") if kind in ("activity", "casebook") else ():
            if kind == "casebook" and internal == "year":
                props.pop("year", None)
                if "year" in sch.get("required", []):
                    sch["required"].remove("year")
            elif kind == "activity" and internal in ("path", "row"):
                props.pop(internal, None)
        if kind != "activity":
            # id defaults to the file name
            sch["required"] = [r for r in sch.get("required", []) if r != "id"]
        sch["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        sch["title"] = TITLES[kind]
        sch["additionalProperties"] = True
        out[kind] = sch
    return out
