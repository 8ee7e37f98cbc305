"""Both cores where it pays: work done item by item (reading returns, writing packs) shared
between worker processes, with the results handed back in the order of the items, so that
what is written is exactly what one process writes.

The workers are forked from the running process, so they start with everything it already
holds (the instrument, the settings, the analysis): nothing is sent to them but an item's
position. Where forking is not available or not safe (Windows, macOS), where the round's
settings ask for one process, or where a worker cannot be started or dies, the work is done
in this process instead: the result is the same, only slower.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("collate")

# Fewer items than this are done in this process: starting a worker costs more than they do.
MIN_ITEMS = 8
# The job the forked workers run (set just before they are forked, read only by them).
_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_workers() -> int:
    """Two processes where the computer has two cores or more (the gain from more is small
    beside the cost of the rest of a run), else one."""
    return max(1, min(2, os.cpu_count() or 1))


def worker_count(settings: Any = None) -> int:
    """The processes to use: the round's `workers` setting if given, else `default_workers`."""
    chosen = getattr(settings, "workers", None)
    return chosen if chosen else default_workers()


def _die_with_parent(parent: int) -> None:
    """A worker ends when the process that forked it ends, however it ends. Killed (the laptop
    shut down, the window closed), a run must not leave workers behind that still hold its
    copy of the outputs folder's lock (collate.outputs.folder.locked), so that the next run
    would be refused."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util
        import signal

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it had already ended before the line above
        os._exit(1)


def _run(index: int) -> Any:
    fn, items = _JOB  # type: ignore[misc]
    return fn(items[index])


def _can_fork() -> bool:
    # Linux only: macOS offers fork, but system libraries there are not safe in a forked child.
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def ordered_map(
    fn: Callable[[T], R], items: Sequence[T], workers: int = 1, min_items: int = MIN_ITEMS
) -> Iterator[R]:
    """`fn` applied to each item, in the items' order, in up to `workers` processes.

    `fn` must not depend on what an earlier call changed in this process (each worker has its
    own copy of the process as it was when the work began). Fewer than `min_items` items are
    done in this process."""
    global _JOB
    items = list(items)
    if workers <= 1 or len(items) < min_items or not _can_fork() or _JOB is not None:
        yield from map(fn, items)
        return
    done = 0
    _JOB = (fn, items)
    try:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
    except (OSError, ValueError) as exc:
        _JOB = None
        log.info("working in one process (a second could not be started: %s)", exc)
        yield from map(fn, items)
        return
    try:
        # A few items at a time: fewer round trips, and still an even share of the work.
        chunk = max(1, min(8, len(items) // (4 * workers)))
        for result in pool.map(_run, range(len(items)), chunksize=chunk):
            done += 1
            yield result
    except (BrokenProcessPool, OSError) as exc:
        # A worker that died, or a failure of the item itself (done again here, so that it is
        # raised from this process exactly as with one process).
        log.info("work shared between processes stopped (%s): the rest is done in one", exc)
    finally:
        _JOB = None
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True, cancel_futures=True)
    yield from map(fn, items[done:])


def _map_all(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(item) for item in items]


def background(fn: Callable[[T], R], items: Sequence[T], workers: int = 1) -> Callable[[], list[R]]:
    """Start `fn` over the items in another process while this one goes on; returns a
    function that waits for the results (in the items' order).

    `fn` must be a module's own function, and the items and results plain values (they are
    sent between the processes). With one worker, where forking is not available, inside a
    worker, or should the other process fail in any way, the work is done in this process
    when the results are wanted: the same results (or the same error), only later."""
    items = list(items)
    future, pool = None, None
    if workers > 1 and items and _can_fork() and _JOB is None:
        try:
            pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
            future = pool.submit(_map_all, fn, items)
        except Exception as exc:  # noqa: BLE001 - then done here, when wanted
            log.info("working in one process (a second could not be started: %s)", exc)
            future = None

    def results() -> list[R]:
        if future is not None:
            try:
                return future.result()
            except Exception as exc:  # noqa: BLE001 - done again here, to raise it from here
                log.info("work in another process stopped (%s): it is done in this one", exc)
            finally:
                with contextlib.suppress(Exception):
                    pool.shutdown(wait=True, cancel_futures=True)
        return _map_all(fn, items)

    return results
