"""The record kinds, in one place: content folder, site URL, labels and model of each.

A kind's records live in ``content/<folder>/`` and its pages at the URL pattern below
(:mod:`generator.urls` builds every URL from it). The model (the pydantic class that
validates a record) is ``Kind.model``. A new record kind starts here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  #: e.g. "station": the ``kind`` of its records
    folder: str  #: under content/ (and in the site, for kinds with pages)
    label: str  #: what editors and readers call it
    label_en: str
    url: str = ""  #: site URL of one record's page, ``{id}``/``{year}`` filled in; "" for none

    @property
    def model(self) -> type:
        """The pydantic class that validates one record (one ledger row for activities)."""
        from .model import KINDS as MODELS
        from .model import Activity

        return Activity if self.name == "activity" else MODELS[self.name]


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("station", "stations", "阵地", "station", "stations/{id}/"),
    Kind("project", "projects", "品牌项目", "project", "projects/{id}/"),
    Kind("person", "people", "典型人物", "person", "people/{id}/"),
    Kind("case", "cases", "案例", "case", "cases/{id}/"),
    Kind("casebook", "casebooks", "案例选编", "case book", "casebooks/{year}/"),
    Kind("activity", "activities", "活动", "activity"),
)}

#: Kinds with one Markdown/YAML file and one page per record, rendered by the site builder.
PAGE_KINDS = ("station", "project", "person", "case")
#: content folder -> kind, for the kinds of :data:`PAGE_KINDS`.
KIND_OF_FOLDER = {KINDS[k].folder: k for k in PAGE_KINDS}
#: Every folder under content/ that holds records (never editorial pages).
RECORD_DIRS = tuple(k.folder for k in KINDS.values())
