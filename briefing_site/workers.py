"""Forked worker processes, as the build's stages share work out among cores.

Fork, because workers then start in milliseconds and inherit the loaded modules and
whatever the stage has in memory: only the results travel back, pickled.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1
# Below this many items, starting workers costs more than it saves.
PARALLEL_MINIMUM = 24


def can_fork(jobs: int, count: int) -> bool:
    """Whether ``count`` items are worth ``jobs`` forked workers, where fork exists."""
    return jobs > 1 and count >= PARALLEL_MINIMUM and \
        "fork" in multiprocessing.get_all_start_methods()


def die_with_parent() -> None:
    """Make this worker process end when the build that forked it ends, even by SIGKILL.

    Otherwise a killed build leaves its workers waiting for work forever (Linux only; other
    systems keep the default).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before prctl took hold
        os._exit(1)


def pool(jobs: int, start: Callable[..., None] = die_with_parent,
         arguments: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """``jobs`` forked workers, each first running ``start(*arguments)`` (which must call
    ``die_with_parent``)."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=start, initargs=arguments)
