"""Long work on its own bounded thread pool, so quick answers always find a thread.

Everything blocking runs off the event loop. Quick work — a `/rate`, `/student`, an update message,
the inbox's claims and lease renewals — uses asyncio's default executor (`asyncio.to_thread`:
min(32, CPUs + 4) threads, 6 on a 2-core server). Long work — charts, workbooks (/export,
/report), digests (each draws a chart), file imports, KPI — runs here instead, on at most
`LONG_WORKERS` threads: six /report in six chats used to take all six default threads, and every
other user's /rate (and the inbox's lease renewals) waited behind them. Long jobs now wait for each
other, never for, nor in front of, the quick ones.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

LONG_WORKERS = min(4, max(2, os.cpu_count() or 2))

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def executor() -> ThreadPoolExecutor:
    """The process's long-work pool (one for every event loop and every job)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=LONG_WORKERS, thread_name_prefix="long-work")
        return _pool


async def long_work(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`asyncio.to_thread`, on the long-work pool."""
    call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor(), call)  # type: ignore[arg-type]
