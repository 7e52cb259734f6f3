"""Work spread over forked worker processes, for the big loops of a build.

The workers are forked, so they see the loaded network without pickling it: the
caller passes its state once, each worker gets only a chunk of small job keys and
sends back small results. Where ``fork`` is missing (Windows, macOS defaults) or
the job list is small, everything runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

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


def chunked_map(func: Callable[[Any, Sequence[T]], R], state: Any, jobs: Sequence[T], *,
                chunk: int = 200, workers: int = 0, min_parallel: int = 400,
                allow_processes: bool = True) -> Iterator[R]:
    """``func(state, chunk)`` for consecutive chunks of ``jobs``, results in order.

    Runs in forked workers when there are at least ``min_parallel`` jobs, more than one
    worker and ``fork`` is available; otherwise in this process. ``func`` must be a
    module-level function; ``state`` is inherited by the workers, never pickled.
    """
    chunks = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
    n = worker_count(workers)
    if not (allow_processes and n > 1 and len(jobs) >= min_parallel and can_fork()):
        for part in chunks:
            yield func(state, part)
        return
    token = id(state) ^ os.getpid()
    _STATE[token] = (func, state)
    # Objects that exist at fork time are moved out of the garbage collector's reach: its
    # passes would otherwise write to every object in every worker and copy the whole network
    # (hundreds of MB per worker on a province).
    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(n, len(chunks)), mp_context=ctx) as pool:
            yield from pool.map(_run_chunk, [(token, part) for part in chunks])
    finally:
        _STATE.pop(token, None)
        gc.unfreeze()
