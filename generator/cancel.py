"""Cooperative cancellation of background work, such as the live preview's page refreshes.

Long loops call :func:`checkpoint`; a thread that runs them inside ``cancellable(test)``
stops with :class:`Cancelled` at the next checkpoint once ``test()`` is true. Elsewhere a
checkpoint costs one attribute lookup and never raises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Cancelled(Exception):
    """The work is no longer wanted (a newer edit supersedes it)."""


_local = threading.local()


def checkpoint() -> None:
    test = getattr(_local, "test", None)
    if test is not None and test():
        raise Cancelled


@contextmanager
def cancellable(test: Callable[[], bool]) -> Iterator[None]:
    """Run the block so that its checkpoints raise :class:`Cancelled` once ``test()`` is true."""
    previous = getattr(_local, "test", None)
    _local.test = test
    try:
        yield
    finally:
        _local.test = previous
