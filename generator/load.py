"""Read all, check all: the content tree -> a validated :class:`~generator.graph.Network`.

``load(config)`` never raises for bad content: it returns the network built from
whatever was valid plus every problem found, so one run reports everything.

The work is done by its peers: finding and reading files in :mod:`generator.read`
(``files``, ``records``, ``images``, ``ledger``, and ``cache``, which reads many files in
workers and keeps unchanged records), one record's validation in
:mod:`generator.model.validate`, the rules between records in :mod:`generator.graph`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .config import Config, check_options
from .errors import Problems, did_you_mean, hint_en, hint_zh
from .graph import Network, check_graph
from .kinds import KIND_OF_FOLDER, KINDS
from .model import Record
from .model.records import Casebook
from .model.validate import validate_record
from .read.cache import RecordCache, changed_since_last_load
from .read.files import RelPaths, list_files
from .read.images import ImageIndex
from .read.ledger import load_ledger
from .read.records import RECORD_SUFFIXES, read_record

__all__ = ["changed_since_last_load", "load"]


def load(config: Config, problems: Problems | None = None,
         progress: Callable[[int, int], None] | None = None, processes: bool = True) -> tuple[Network, Problems]:
    """Read and validate every record under ``config.content_path``."""
    problems = problems if problems is not None else Problems()
    problems.extend(check_options(config))
    content = config.content_path
    net = Network(config=config)
    if not content.is_dir():
        problems.add(config.rel(content), None, "docs_dir",
                     "内容目录不存在;请检查 mkdocs.yml 中的 docs_dir",
                     "the content folder does not exist; check docs_dir in mkdocs.yml")
        return net, problems
    _scan_content(content, config, problems)
    images = ImageIndex(content, config)
    rel = RelPaths(config)
    cache = RecordCache.begin(config)
    jobs = [(path, kind) for folder, kind in KIND_OF_FOLDER.items()
            for path in list_files(content / folder, RECORD_SUFFIXES)]
    for _, rec, found, _ in cache.load_all(jobs, config, images, rel, progress, processes):
        problems.extend(found)
        if rec is not None:
            net.add(rec, problems)
    cache.finish()
    for path in list_files(content / KINDS["casebook"].folder, (".yml", ".yaml")):
        if not re.fullmatch(r"\d{4}", path.stem):
            continue
        rec = _load_record(path, "casebook", config, problems, images)
        if rec is not None:
            assert isinstance(rec, Casebook)
            _check_casebook_files(rec, config, problems)
            net.add(rec, problems)
    for path in list_files(content / KINDS["activity"].folder, (".csv",)):
        net.activities.extend(load_ledger(path, config, problems))
    net.pages = sorted(p.relative_to(content).as_posix()
                       for p in list_files(content, (".md",), skip_top={*KIND_OF_FOLDER, KINDS["casebook"].folder}))
    _check_page_titles(content, net.pages, config, problems)
    check_graph(net, problems)
    return net, problems


def _check_page_titles(content: Path, pages: list[str], config: Config, problems: Problems) -> None:
    """Editorial pages: invisible and direction control characters in titles and front matter."""
    from .read.safety import DECEPTIVE, deceptive_in_page

    shown = config.rel(content)
    for page in pages:
        try:
            text = (content / page).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if DECEPTIVE.search(text):
            deceptive_in_page(text, f"{shown}/{page}", problems)


def _scan_content(content: Path, config: Config, problems: Problems) -> None:
    """Symbolic links leaving content/ and raw HTML/SVG/XML files (see :func:`read.safety.scan_content`)."""
    from .read.safety import scan_content

    def trusted(path: Path) -> bool:
        from .render.markdown import is_trusted

        return is_trusted(path, config)

    scan_content(content, config.rel(content), trusted, problems)


def _load_record(path: Path, kind: str, config: Config, problems: Problems,
                 images: ImageIndex, rel_of: RelPaths | None = None) -> Record | None:
    rel = rel_of(path) if rel_of is not None else config.rel(path)
    raw = read_record(path, rel, problems)
    if raw is None:
        return None
    return validate_record(raw, path, kind, config, problems, images)


def _check_casebook_files(book: Casebook, config: Config, problems: Problems) -> None:
    content = config.content_path.resolve()
    for field in ("preface", "afterword"):
        value = getattr(book, field)
        if not value:
            continue
        target = (content / value).resolve()
        names = [p.relative_to(content).as_posix() for p in list_files(content / KINDS["casebook"].folder, (".md",))]
        if not target.is_relative_to(content):
            problems.add(book.path, book.line_of(field), field,
                         f"\"{value}\" 指向了 content/ 以外", f"\"{value}\" leaves content/")
        elif not target.is_file():
            suggestion = did_you_mean(value, names)
            problems.add(book.path, book.line_of(field), field,
                         f"找不到文件 \"{value}\"(路径相对于 content/){hint_zh(suggestion)}",
                         f"file \"{value}\" does not exist (paths are relative to content/)"
                         f"{hint_en(suggestion)}")
