"""Progress of long builds on a terminal: which stage, how far, how long (rich).

Silent when the output is not a terminal, in CI (``CI`` set), with
``WENMING_NO_PROGRESS`` set, or when the ``progress`` option is off: logs of a
build on a server stay clean.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

Update = Callable[[int, int], None]


def wanted(enabled: bool = True) -> bool:
    """Whether progress should be drawn here and now."""
    return bool(enabled and not os.environ.get("CI") and not os.environ.get("WENMING_NO_PROGRESS")
                and sys.stderr.isatty())


class Progress:
    """Bars for the stages of one build; use as a context manager, ask for one bar per stage.

    ``bar(label)`` returns an ``update(done, total)`` callable, or None when progress is off,
    so callers write ``if update: update(i, n)``. Bars may be updated from several threads.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = wanted(enabled)
        self._live: Any = None

    def __enter__(self):  # -> Self
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._live = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True), transient=False,
                                      redirect_stdout=False, redirect_stderr=False)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def bar(self, label: str) -> Update | None:
        if self._live is None:
            return None
        live = self._live
        task = live.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            live.update(task, completed=done, total=total)

        return update
