"""Work spread over forked worker processes, for the big loops of a build.

The workers are forked, so they see the loaded network without pickling it: the
caller passes its state once, each worker gets only a chunk of small job keys and
sends back small results. Where ``fork`` is missing (Windows, macOS defaults) or
the job list is small, everything runs in this process.

Work that needs none of the network (drawing QR codes from URLs) asks for ``fresh``
workers instead: new interpreters that import only the function's module and are given
a small state once. A forked worker shares the whole network with this process and
slowly copies it as Python touches the pages it sits on (0.8 GB per worker on a
province); a fresh one stays at a few tens of MB.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from .guard import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[int, Any] = {}


def worker_count(requested: int = 0) -> int:
    """Workers to use: ``requested`` when set, else the CPUs this process may run on."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_chunk(args: tuple[int, Sequence[Any]]) -> Any:
    token, chunk = args
    func, state = _STATE[token]
    return func(state, chunk)


def _init_fresh(token: int, func: Callable, state: Any) -> None:
    die_with_parent()
    _STATE[token] = (func, state)


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Fresh workers need nothing from ``__main__``: without this, ``spawn`` runs the calling
    script again in every worker (and fails on a script without an ``if __name__`` guard)."""
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        for k in saved:
            if k == "__spec__":
                main.__spec__ = None
            else:
                del main.__dict__[k]
        yield
    finally:
        main.__dict__.update(saved)


def chunked_map(func: Callable[[Any, Sequence[T]], R], state: Any, jobs: Sequence[T], *,
                chunk: int = 200, workers: int = 0, min_parallel: int = 400,
                allow_processes: bool = True, fresh: bool = False, share: bool = False) -> Iterator[R]:
    """``func(state, chunk)`` for consecutive chunks of ``jobs``, results in order.

    Runs in forked workers when there are at least ``min_parallel`` jobs, more than one
    worker and ``fork`` is available; otherwise in this process. ``func`` must be a
    module-level function; ``state`` is inherited by the workers, never pickled.
    With ``share``, this process is one of the workers (for a caller with nothing else to do
    meanwhile): one fork fewer, and a forked worker copies most of what it touches (1.3 GB
    each on a province).
    With ``fresh``, the workers are new interpreters (``spawn``) and ``state`` is pickled
    once per worker: for work that needs little of what this process holds.
    """
    chunks = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
    n = worker_count(workers)
    if not (allow_processes and n > 1 and len(jobs) >= min_parallel and can_fork()):
        for part in chunks:
            yield func(state, part)
        return
    if fresh:
        yield from FreshPool(func, state, chunks, workers=n).results()
        return
    token = id(state) ^ os.getpid()
    _STATE[token] = (func, state)
    # Objects that exist at fork time are moved out of the garbage collector's reach: its
    # passes would otherwise write to every object in every worker and copy the whole network
    # (hundreds of MB per worker on a province).
    # A caller that froze them already (a whole build, see :func:`freeze_loaded`) keeps them so.
    frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        if share:
            yield from _shared_map(func, state, chunks, token, n - 1, ctx)
            return
        with ProcessPoolExecutor(max_workers=min(n, len(chunks)), mp_context=ctx,
                                 initializer=die_with_parent) as pool:
            yield from pool.map(_run_chunk, [(token, part) for part in chunks])
    finally:
        _STATE.pop(token, None)
        if not frozen:
            gc.unfreeze()


def _shared_map(func: Callable, state: Any, chunks: list, token: int, workers: int, ctx: Any) -> Iterator[Any]:
    """The chunks' results in order, from ``workers`` forked workers and this process: the
    workers are kept two chunks ahead each, and this process takes the next chunk whenever
    the one due next is not ready yet."""
    ahead = 2 * workers
    pending: dict[int, Any] = {}
    mine: dict[int, Any] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent) as pool:
        try:
            todo = emit = 0
            while emit < len(chunks):
                while todo < len(chunks) and len(pending) < ahead:
                    pending[todo] = pool.submit(_run_chunk, (token, chunks[todo]))
                    todo += 1
                if emit in mine:
                    yield mine.pop(emit)
                elif emit in pending and (pending[emit].done() or todo == len(chunks)):
                    yield pending.pop(emit).result()
                else:
                    mine[todo] = func(state, chunks[todo])
                    todo += 1
                    continue
                emit += 1
        finally:
            for future in pending.values():
                future.cancel()


class FreshPool:
    """``func(state, chunk)`` for each of ``chunks`` in new interpreters, started now, collected later.

    The workers import only ``func``'s module and get ``state`` pickled once each, so they hold
    none of this process's memory; they work while this process goes on with something else.
    """

    def __init__(self, func: Callable[[Any, Sequence[T]], R], state: Any, chunks: Sequence[Sequence[T]], *,
                 workers: int = 1):
        token = os.getpid()
        self.pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(chunks))),
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_fresh, initargs=(token, func, state))
        with _main_hidden():  # the workers start while the tasks are submitted
            self.futures = [self.pool.submit(_run_chunk, (token, part)) for part in chunks]

    def results(self) -> Iterator[Any]:
        """The chunks' results in order, as they finish; the workers end after the last."""
        try:
            for future in self.futures:
                yield future.result()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Drop the chunks not started yet; the workers end after their current chunk."""
        self.pool.shutdown(wait=False, cancel_futures=True)


def freeze_loaded() -> None:
    """Move every object alive now (the loaded network above all) out of the garbage collector's
    reach, for the rest of a one-off build.

    They live until the build ends anyway, and each full collection would walk all of them: on a
    province (1.2 GB of records) the 典型人物 index took twice as long with the collector
    walking the network. Not for a live preview, whose old networks must be collected.
    """
    gc.freeze()
