"""Timing helpers for benchmarks that drive the real PTB ``Application`` through the Bot API emulator.

Import from a script in ``bench/`` (``from harness import ...``; the script's folder is on
``sys.path``) or, with the repository root on the path, as ``bench.harness``::

    with BotApiEmulator(token=TOKEN) as emu:
        app = builder(emu, TOKEN).concurrent_updates(True).build()
        app.add_handler(...)
        async with running(app):
            rtts = await measure_roundtrip(emu, lambda i: emu.send_text(1, f"ping {i}"), chat_id=1, n=200)
            print(describe_ms(rtts))

All times come from ``time.monotonic()``, the clock of ``SentMessage.time``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from telegram.ext import Application, ApplicationBuilder

from bot.sandbox.emulator import BotApiEmulator

__all__ = [
    "builder",
    "describe_ms",
    "measure_burst",
    "measure_roundtrip",
    "percentile",
    "quiet_logs",
    "running",
    "sample_update_lines",
]


def quiet_logs() -> None:
    """httpx logs every request URL (with the bot token) at INFO: keep it and httpcore quiet."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def builder(emu: BotApiEmulator, token: str) -> ApplicationBuilder:
    """An ``ApplicationBuilder`` pointed at the emulator; add options, then ``.build()``."""
    return ApplicationBuilder().token(token).base_url(emu.base_url).base_file_url(emu.base_file_url)


@asynccontextmanager
async def running(app: Application, *, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """Initialize, start and poll; stop and shut down in reverse order on exit."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def measure_roundtrip(
    emu: BotApiEmulator,
    send: Callable[[int], object],
    chat_id: int,
    n: int,
    *,
    timeout: float = 10.0,
    pause: float = 0.0,
) -> list[float]:
    """Round trips in milliseconds: ``send(i)`` injects message ``i``, then wait for the bot's reply.

    Sequential: message ``i + 1`` is sent only after the reply to ``i`` arrived in ``chat_id`` (and
    ``pause`` seconds more, e.g. to stay under a rate limiter's sustained rate). The
    time is taken from just before ``send(i)`` to the arrival of the reply at the emulator.
    """
    results: list[float] = []
    for i in range(n):
        since = emu.mark(chat_id)
        started = time.monotonic()
        send(i)
        replies = await emu.wait_for(chat_id, count=1, timeout=timeout, since=since)
        results.append((replies[0].time - started) * 1000)
        if pause:
            await asyncio.sleep(pause)
    return results


async def measure_burst(
    emu: BotApiEmulator,
    expected: Mapping[int, int],
    send_all: Callable[[], object],
    *,
    timeout: float = 300.0,
) -> float:
    """Seconds from just before ``send_all()`` until every chat got its ``expected`` number of replies.

    ``expected`` maps chat_id → replies to wait for (counted from now). The end is the arrival time
    of the last of those replies at the emulator.
    """
    marks = {chat_id: emu.mark(chat_id) for chat_id in expected}
    started = time.monotonic()
    send_all()
    deadline = started + timeout
    last = started
    for chat_id, count in expected.items():
        remaining = max(0.001, deadline - time.monotonic())
        replies = await emu.wait_for(chat_id, count=count, timeout=remaining, since=marks[chat_id])
        last = max(last, replies[count - 1].time)
    return last - started


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by the nearest-rank method."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def describe_ms(values: Sequence[float]) -> str:
    """``median 3.1 ms, p95 4.0 ms, max 6.2 ms (n=200)``."""
    return (
        f"median {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
        f"max {max(values):.1f} ms (n={len(values)})"
    )


_WORDS = (
    "签劳动合同 聊城市人民医院 地区=山东聊城",
    "升学 聊城大学",
    "求职中 备注=下周面试",
    "签约 青岛海尔 行业=C",
)


def sample_update_lines(first_student: int, count: int) -> str:
    """``count`` destination-update lines (product.md §4 grammar), one graduate each, newline-joined."""
    return "\n".join(f"{first_student + i} {_WORDS[i % len(_WORDS)]}" for i in range(count))
