"""What a case book contains, gathered once for the PDF, the Word draft and the web edition."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown

from ...errors import UsageError

CN_NUMERALS = "〇一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十 (chapter ordinals)."""
    if n <= 10:
        return CN_NUMERALS[n] if n < 10 else "十"
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")


@dataclass
class Photo:
    path: Path
    caption: str


@dataclass
class Entry:
    """One case as the book prints it."""

    id: str
    title: str
    unit: str
    author: str
    source: str
    body: str  # Markdown
    body_line: int
    path: str
    photos: list[Photo] = field(default_factory=list)


@dataclass
class Part:
    """A chapter (篇)."""

    number: int
    title: str
    entries: list[Entry]


@dataclass
class Editorial:
    """The preface or the afterword: a Markdown file with an optional ``title`` in front matter."""

    title: str
    body: str
    path: str
    body_line: int


@dataclass
class BookContent:
    year: int
    title: str
    subtitle: str
    editor: str
    cover: Path | None
    preface: Editorial | None
    afterword: Editorial | None
    parts: list[Part]
    paper: str
    bleed_mm: float
    marks: bool
    path: str
    signature: int = 4  # 内文 pages padded to a multiple of this
    leaf_mm: float = 0.1  # paper thickness per leaf, for the spine
    edition: str = ""  # 版次
    printed: str = ""  # 印次
    format: str = ""  # 开本

    @property
    def entries(self) -> list[Entry]:
        return [e for p in self.parts for e in p.entries]


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def read_editorial(config, rel: str, default_title: str) -> Editorial | None:
    """Read ``preface`` / ``afterword`` (a path relative to content/)."""
    if not rel:
        return None
    import yaml

    from ...read.text import decode

    from ..site.deps import read_file

    path = config.content_path / rel
    read_file(path)  # a live preview notes it (the case book's page shows it)
    text = decode(path.read_bytes()).text or ""
    title = default_title
    line = 1
    m = _FRONT.match(text)
    if m:
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError:
            meta = {}
        if isinstance(meta, dict) and str(meta.get("title") or "").strip():
            title = str(meta["title"]).strip()
        line = text.count("\n", 0, m.end()) + 1
        text = text[m.end():]
    return Editorial(title=title, body=text, path=config.rel(path), body_line=line)


def find_book(net, year: int | str):
    """The Casebook for ``year``, or a UsageError naming the years there are."""
    try:
        key = int(str(year).strip())
    except ValueError:
        key = -1
    if key in net.casebooks:
        return net.casebooks[key]
    years = "、".join(str(y) for y in sorted(net.casebooks)) or "无"
    years_en = ", ".join(str(y) for y in sorted(net.casebooks)) or "none"
    raise UsageError(
        f"没有 {year} 年的案例选编(content/casebooks/{year}.yml);现有年份:{years}\n"
        f"  (there is no case book for {year} (content/casebooks/{year}.yml); available years: {years_en})"
    )


def gather(net, book, config) -> BookContent:
    """Everything the book prints, in reading order."""
    parts: list[Part] = []
    for i, (title, cases) in enumerate(net.chapters(book), start=1):
        entries = []
        for case in cases:
            photos = [Photo(config.content_path / p.src, p.caption) for p in case.photo_list()]
            entries.append(Entry(
                id=case.id, title=case.title, unit=net.case_unit(case), author=case.author,
                source=case.source, body=case.body, body_line=case.body_line, path=case.path,
                photos=photos))
        parts.append(Part(i, title, entries))
    bleed = float(book.print_.bleed[:-2]) if book.print_.bleed.endswith("mm") else 0.0
    cover = config.content_path / book.cover if book.cover else None
    return BookContent(
        year=book.year, title=book.title, subtitle=book.subtitle, editor=book.editor,
        cover=cover if cover and cover.is_file() else None,
        preface=read_editorial(config, book.preface, "序言"),
        afterword=read_editorial(config, book.afterword, "后记"),
        parts=parts, paper=book.paper, bleed_mm=bleed, marks=bool(book.print_.marks),
        path=book.path, signature=book.print_.signature,
        leaf_mm=float(book.print_.paper_thickness[:-2]), edition=book.edition, printed=book.printed,
        format=book.format,
    )


def markdown_html(text: str) -> str:
    """Markdown -> sanitised HTML for print (links are meaningless on paper, kept as text)."""
    from ..markdown import sanitize_html

    html = markdown.markdown(text or "", extensions=["tables", "sane_lists", "attr_list", "footnotes"],
                             output_format="html")
    return sanitize_html(html)
