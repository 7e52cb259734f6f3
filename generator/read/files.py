"""Finding files: the record and page files of a content tree, and their project-relative names."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..config import Config


def list_files(folder: Path, suffixes: Iterable[str], skip_top: Iterable[str] = ()) -> list[Path]:
    """Files under ``folder`` ending in ``suffixes``, sorted; hidden, ``_`` and ``~$`` names are skipped
    at every depth, and so are the top-level folders named in ``skip_top``."""
    if not folder.is_dir():
        return []
    suffixes = tuple(suffixes)
    skip = set(skip_top)
    hidden = (".", "_", "~$")
    out: list[tuple[tuple[str, ...], str]] = []
    for root, dirs, files in os.walk(folder):
        top = root == str(folder)
        dirs[:] = [d for d in dirs if not d.startswith(hidden) and not (top and d in skip)]
        parts = tuple(Path(root).relative_to(folder).parts)
        out.extend(((*parts, f), os.path.join(root, f)) for f in files
                   if not f.startswith(hidden) and f.lower().endswith(suffixes))
    out.sort()  # the order of Path objects, without comparing Path objects
    return [Path(path) for _, path in out]


class RelPaths:
    """``config.rel`` for many files: each folder is resolved once, not every file's full path."""

    def __init__(self, config: Config):
        self.config = config
        self.project = config.project_dir.resolve()
        self.dirs: dict[Path, Path] = {}

    def __call__(self, path: Path) -> str:
        if path.name in ("", ".", "..") or path.is_symlink():
            return self.config.rel(path)
        parent = self.dirs.get(path.parent)
        if parent is None:
            parent = self.dirs[path.parent] = path.parent.resolve()
        try:
            return (parent / path.name).relative_to(self.project).as_posix()
        except ValueError:
            return path.as_posix()
