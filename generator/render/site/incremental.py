"""What an edit changed, for the live preview (``mkdocs serve``) to rewrite only those pages.

Records of unchanged files are the very same objects in both networks (the loader reuses
them), so a changed record is one whose object differs (:class:`Diff`, whose photos are
published again). Which pages show what changed is not listed here: every page noted what it
read while it was rendered (:mod:`.deps`), and :func:`stale_pages` names those whose reads the
edit touched. The answer only has to hold every page that changed: the builder still compares
each page's key and rewrites only what differs.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ...graph import Network
from ...kinds import KINDS, PAGE_KINDS
from .deps import Stale, stamp

_TABLES = tuple((k, KINDS[k].folder) for k in PAGE_KINDS)


class Diff:
    """What differs between two loads of a network (which records, whether the case books): the
    photos of those records are published again."""

    def __init__(self, old: Network, new: Network):
        self.old, self.new = old, new

    @cached_property
    def ids(self) -> dict[str, set[str]]:
        """Ids per record kind whose record was added, removed or edited."""
        out: dict[str, set[str]] = {}
        for kind, attr in _TABLES:
            a, b = getattr(self.old, attr), getattr(self.new, attr)
            out[kind] = {i for i in a.keys() | b.keys() if a.get(i) is not b.get(i)}
        return out

    @cached_property
    def casebooks(self) -> bool:
        """Whether a case book, or a file beside one, changed."""
        return _casebooks_key(self.old) != _casebooks_key(self.new)


_LAST: list[Diff] = []


def diff(old: Network, new: Network) -> Diff:
    """The :class:`Diff` of ``old`` and ``new``; the last one is kept for the next question."""
    if _LAST and _LAST[0].old is old and _LAST[0].new is new:
        return _LAST[0]
    _LAST[:] = [Diff(old, new)]
    return _LAST[0]


def changed_records(old: Network, new: Network) -> list:
    """The records of ``new`` that were added or edited since ``old`` (case books if they changed)."""
    d = diff(old, new)
    tables = {kind: getattr(new, attr) for kind, attr in _TABLES}
    out = [tables[kind][i] for kind, ids in d.ids.items() for i in sorted(ids) if i in tables[kind]]
    if d.casebooks:
        out.extend(new.casebooks.values())
    return out


def stale_pages(before: Any, new: Network, *, nav: bool = True) -> Stale | None:
    """The pages of the build ``before`` (a :class:`.builder.Snapshot`) that an edit leading to
    ``new`` may change: record jobs ``(kind, id)``, hub keys, ``nearby-data``. None when
    anything may have changed (the configuration), or with ``nav`` when the list of hubs did
    (their titles and the navigation: the engine renders every page again)."""
    todo = before.deps.stale(before.net, new, new.config)
    if todo.everything or nav and "nav" in todo:
        return None
    return todo


def _casebooks_key(net: Network) -> tuple:
    """Case books by value, and the files beside them: case books are read again on every load."""
    books = tuple((year, book.model_dump_json()) for year, book in sorted(net.casebooks.items()))
    folder = net.config.content_path / "casebooks"
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return books, tuple((p.as_posix(), stamp(p)) for p in files)
