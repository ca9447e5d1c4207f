"""Work on every core: chunks of input prepared by worker processes, results taken in order.

`run_chunks(chunks, work, workers)` yields `work(chunk)` for each chunk, in the chunks'
order. With one worker, or when the input is a single chunk (a small import pays no
process start-up), it runs here. Otherwise a pool of `workers` processes (all cores by
default) works ahead while the caller stores each result: at most AHEAD chunks per
worker are in flight, so memory stays flat however long the input is. Workers are forked
(they share the loaded model's pages), ignore Ctrl-C (the caller handles it and stops
them), and never touch the database.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

AHEAD = 2  # chunks in flight per worker


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_chunks(chunks: Iterable[T], work: Callable[[T], R], workers: int | None = None) -> Iterator[R]:
    workers = workers or default_workers()
    pending = iter(chunks)
    first = next(pending, None)
    if first is None:
        return
    second = next(pending, None)
    if workers <= 1 or second is None:
        yield work(first)
        if second is not None:
            yield work(second)
            for chunk in pending:
                yield work(chunk)
        return
    yield from _pooled([first, second], pending, work, workers)


def _pooled(head: list[T], rest: Iterator[T], work: Callable[[T], R], workers: int) -> Iterator[R]:
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = multiprocessing.get_context(method).Pool(workers, initializer=_quiet_worker)
    try:
        in_flight: deque[Any] = deque()
        for chunk in _chain(head, rest):
            in_flight.append(pool.apply_async(work, (chunk,)))
            if len(in_flight) >= workers * AHEAD:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _chain(head: list[T], rest: Iterator[T]) -> Iterator[T]:
    yield from head
    yield from rest


def _quiet_worker() -> None:
    """Ctrl-C reaches the main process only, which stops the pool; a worker never prints a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
