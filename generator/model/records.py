"""One typed class per record kind (SPEC v1). Validated one record at a time.

Cross-record rules (references, duplicates, levels, cycles) live in
:mod:`generator.graph`; filesystem rules (photo paths) in :mod:`generator.read.images`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from .fields import (
    Award,
    Count,
    DateText,
    DivisionCode,
    Honor,
    Id,
    IdList,
    Level,
    LevelField,
    Location,
    Manager,
    NonEmpty,
    Phone,
    Photo,
    ProjectLevel,
    Service,
    Status,
    StatusField,
    Team,
    Text,
    TextList,
    Year,
    fail,
)


class Record(BaseModel):
    """Fields every record has; ``path``, ``body`` and line numbers are set by the reader."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    kind: ClassVar[str] = "record"

    id: Id = Field(description="永久编号;缺省为文件名 (permanent id; defaults to the file name)")
    tags: TextList = Field(default_factory=list)
    summary: Text = ""
    template: Text = Field("", description="另选页面模板 (another page template)")

    _path: str = PrivateAttr("")
    _body: str = PrivateAttr("")
    _body_line: int = PrivateAttr(1)
    # A plain default, copied for each record: a default_factory would make pydantic inspect
    # its signature twice for every record it validates (a quarter of the validation time).
    _lines: dict = PrivateAttr({})

    # Private attributes are read from pydantic's own dict: ``self._path`` goes through
    # ``BaseModel.__getattr__`` (a few microseconds, for every record on every rebuild).
    @property
    def path(self) -> str:
        return self.__pydantic_private__["_path"]

    @property
    def body(self) -> str:
        return self.__pydantic_private__["_body"]

    @property
    def body_line(self) -> int:
        return self.__pydantic_private__["_body_line"]

    def line_of(self, *path: Any) -> int | None:
        lines = self.__pydantic_private__["_lines"]
        p = tuple(path)
        while p:
            if p in lines:
                return lines[p]
            p = p[:-1]
        return lines.get((), None)

    @property
    def title(self) -> str:
        return getattr(self, "name", "") or self.id

    def photo_list(self) -> list:
        photos = list(getattr(self, "photos", []) or [])
        single = getattr(self, "photo", None)
        if single is not None:
            photos.insert(0, single)
        return photos


class Station(Record):
    """阵地: 中心 / 所 / 站 / 点 / 基地."""

    kind: ClassVar[str] = "station"

    name: NonEmpty = Field(description="全称 full name, e.g. 古塔镇赵家峁村新时代文明实践站")
    short_name: Text = ""
    level: LevelField
    parent: Id | None = None
    region: Text = ""
    division_code: DivisionCode | None = None
    address: Text = ""
    location: Location | None = None
    coords: Text = Field("gcj02", description="gcj02 (default) or wgs84")
    phone: Phone | None = None
    hours: Text = ""
    open_day: Text = ""
    manager: Manager | None = None
    rooms: TextList = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    population: Count | None = None
    expected_units: Count | None = Field(
        None, description="辖区内应建下一级阵地的单位数(如行政村数),用于覆盖率 "
        "(units in this area that should each have a station one level down; for coverage)")
    established: DateText | None = None
    photos: list[Photo] = Field(default_factory=list)
    status: StatusField = Status.active
    merged_into: Id | None = None
    former_ids: IdList = Field(default_factory=list)

    @field_validator("coords", mode="before")
    @classmethod
    def _coords(cls, value: Any) -> str:
        key = str(value).strip().lower().replace("-", "")
        if key in ("gcj02", "wgs84"):
            return key
        raise fail(
            f"坐标系应为 gcj02(默认)或 wgs84,实际为 \"{value}\"",
            f"coords must be gcj02 (default) or wgs84, found \"{value}\"",
        )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_active(self) -> bool:
        return self.status == Status.active

    @property
    def level_rank(self) -> int:
        return Level(self.level).rank


class Project(Record):
    """品牌项目."""

    kind: ClassVar[str] = "project"

    name: NonEmpty
    station: Id = Field(description="所属阵地编号 owner station id")
    category: Text = ""
    level: ProjectLevel | None = None
    started: DateText | None = None
    awards: list[Award] = Field(default_factory=list)
    photos: list[Photo] = Field(default_factory=list)


class Person(Record):
    """典型人物. Publication consent is required; private data is refused by the loader."""

    kind: ClassVar[str] = "person"

    name: NonEmpty
    honors: list[Honor] = Field(min_length=1)
    station: Id | None = None
    photo: Photo | None = None
    consent: bool = Field(description="必须为 true:已取得本人同意公开 (must be true: consent on file)")

    @field_validator("consent", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> bool:
        if value is True:
            return True
        raise fail(
            f"consent 必须为 true(已取得本人书面同意公开),实际为 {value!r};取得同意前不能发布",
            f"consent must be true (publication consent is on file), found {value!r}; "
            "do not publish before consent",
        )


class Case(Record):
    """案例."""

    kind: ClassVar[str] = "case"

    title_: NonEmpty = Field(alias="title")
    year: Year
    category: Text = ""
    stations: IdList = Field(default_factory=list)
    unit: Text = ""
    author: Text = ""
    source: Text = ""
    photos: list[Photo] = Field(default_factory=list)
    order: int | None = None

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, populate_by_name=True)

    @property
    def title(self) -> str:
        return self.title_


class Chapter(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    title: NonEmpty
    categories: TextList = Field(default_factory=list)
    cases: IdList = Field(default_factory=list)
    tags: TextList = Field(default_factory=list)


class Selection(BaseModel):
    model_config = ConfigDict(extra="allow")
    year: Year | None = None
    tags: TextList = Field(default_factory=list)
    categories: TextList = Field(default_factory=list)
    cases: IdList = Field(default_factory=list)


class PrintOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    bleed: Text = "0mm"
    marks: bool = False
    signature: int = Field(default=4, ge=1, le=64,
                           description="每帖页数,内文补空白页到其倍数 (pages per signature; the text block is padded to a multiple)")
    paper_thickness: Text = Field("0.1mm", description="每张(两页)纸厚,书脊宽 = 张数 × 纸厚 "
                                                        "(thickness of one leaf; spine = leaves × this)")

    @field_validator("paper_thickness", mode="before")
    @classmethod
    def _thickness(cls, value: Any) -> str:
        return _millimetres(value, 0.02, 1, "纸张厚度应写成每张(两页)的毫米数,如 0.1mm",
                            "paper_thickness is the thickness of one leaf in mm such as 0.1mm")

    @field_validator("bleed", mode="before")
    @classmethod
    def _bleed(cls, value: Any) -> str:
        return _millimetres(value, 0, 10, "出血应写成毫米数,如 3mm", "bleed is a length in mm such as 3mm")


def _millimetres(value: Any, low: float, high: float, zh: str, en: str) -> str:
    """``3``, ``3mm`` or ``3 MM`` -> ``3mm`` when between ``low`` and ``high``, else a failure."""
    import re

    text = str(value).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        text += "mm"
    if not re.fullmatch(r"\d+(\.\d+)?mm", text) or not low <= float(text[:-2]) <= high:
        raise fail(f"{zh}({low:g} 到 {high:g}mm),实际为 \"{value}\"",
                   f"{en} ({low:g} to {high:g}mm), found \"{value}\"")
    return text


PAPERS = {"A4": "A4", "a4": "A4", "B5": "B5", "b5": "B5", "16开": "16开", "16k": "16开", "16K": "16开"}


class Casebook(Record):
    """案例选编 definition, ``casebooks/<year>.yml``."""

    kind: ClassVar[str] = "casebook"

    title_: NonEmpty = Field(alias="title")
    subtitle: Text = ""
    editor: Text = ""
    preface: Text = ""
    afterword: Text = ""
    select: Selection = Field(default_factory=Selection)
    chapters: list[Chapter] = Field(default_factory=list)
    paper: Text = "A4"
    print_: PrintOptions = Field(default_factory=PrintOptions, alias="print")
    cover: Text = ""
    edition: Text = Field("", description="版权页的版次,如 2023 年 3 月第 1 版 (edition)")
    printed: Text = Field("", description="版权页的印次,如 2023 年 3 月第 1 次印刷 (printing)")
    format: Text = Field("", description="开本,缺省按纸张,如 880 mm × 1230 mm 1/16 (trim format; default from paper)")
    year: Year

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, populate_by_name=True)

    @field_validator("paper", mode="before")
    @classmethod
    def _paper(cls, value: Any) -> str:
        key = str(value).strip()
        if key in PAPERS:
            return PAPERS[key]
        raise fail(
            f"纸张应为 A4、B5 或 16开(185×260 毫米),实际为 \"{value}\"",
            f"paper must be A4, B5 or 16开 (185x260 mm), found \"{value}\"",
        )

    @property
    def title(self) -> str:
        return self.title_


class Activity(BaseModel):
    """One row of an activity ledger ``activities/<year>.csv``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    date: DateText
    station: Id
    title: NonEmpty
    category: Text = ""
    participants: Count = 0
    volunteers: Count = 0
    hours: float = Field(0.0, ge=0)

    path: str = ""
    row: int = 0


KINDS: dict[str, type[Record]] = {
    "station": Station,
    "project": Project,
    "person": Person,
    "case": Case,
    "casebook": Casebook,
}
