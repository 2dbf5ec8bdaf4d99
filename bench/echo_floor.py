"""The floor: a bare PTB echo bot through the Bot API emulator, no database, no parsing.

Whatever the real bot achieves can only be slower than this, so it tells how much of a benchmark's
time is PTB + HTTP + the emulator rather than the bot's own work.

    .venv/bin/python bench/echo_floor.py [--messages N] [--lines L]

(1) throughput: N messages of L update lines each, from 20 users, injected at once; time until every
    reply arrived. Once per ``--concurrency`` value: 256 is ``concurrent_updates(True)``, 1 is
    sequential processing. (On this 2-CPU machine more concurrency is *slower*: with hundreds of
    requests in flight, httpcore's connection pool scans every connection for every request.)
(2) round trip: 200 sequential messages, each sent only after the previous reply arrived.
"""

from __future__ import annotations

import argparse
import asyncio

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.sandbox.emulator import BotApiEmulator

if __package__:  # python -m bench.echo_floor
    from bench.harness import (
        builder,
        describe_ms,
        measure_burst,
        measure_roundtrip,
        quiet_logs,
        running,
        sample_update_lines,
    )
else:  # python bench/echo_floor.py
    from harness import (  # type: ignore[no-redef]
        builder,
        describe_ms,
        measure_burst,
        measure_roundtrip,
        quiet_logs,
        running,
        sample_update_lines,
    )

TOKEN = "123456:echo-floor"
USERS = 20
FIRST_USER = 10_001
ROUNDTRIPS = 200


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def run(messages: int, lines: int, concurrency: list[int], pool: int) -> None:
    quiet_logs()
    for index, concurrent in enumerate(concurrency):
        await run_one(messages, lines, concurrent, pool, roundtrip=index == 0)


async def run_one(messages: int, lines: int, concurrent: int, pool: int, *, roundtrip: bool) -> None:
    with BotApiEmulator(token=TOKEN) as emu:
        app = builder(emu, TOKEN).concurrent_updates(concurrent).connection_pool_size(pool).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with running(app):
            await measure_roundtrip(emu, lambda i: emu.send_text(FIRST_USER, f"warm-up {i}"), FIRST_USER, 20)

            users = [FIRST_USER + u for u in range(USERS)]
            texts = [sample_update_lines(2023_000_000 + m * lines, lines) for m in range(messages)]
            expected = {user: len(range(u, messages, USERS)) for u, user in enumerate(users)}

            def send_all() -> None:
                for m, text in enumerate(texts):
                    emu.send_text(users[m % USERS], text)

            seconds = await measure_burst(emu, {u: n for u, n in expected.items() if n}, send_all)
            print(
                f"echo floor: {messages * lines / seconds:,.0f} update lines/s "
                f"({messages / seconds:,.0f} messages/s; {messages} messages × {lines} lines in {seconds:.2f} s; "
                f"concurrent_updates({concurrent}), connection pool {pool})"
            )
            if not roundtrip:
                return

            rtts = await measure_roundtrip(
                emu,
                lambda i: emu.send_text(FIRST_USER, sample_update_lines(2024_000_000 + i, 1)),
                FIRST_USER,
                ROUNDTRIPS,
            )
            print(f"round trip: {describe_ms(rtts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000, help="messages in the throughput burst (2000)")
    parser.add_argument("--lines", type=int, default=50, help="update lines per message (50)")
    parser.add_argument(
        "--concurrency",
        default="256,1",
        help="comma-separated concurrent_updates values to run the burst with; 256 = True (256,1)",
    )
    parser.add_argument("--pool", type=int, default=256, help="connection_pool_size (PTB's default: 256)")
    args = parser.parse_args()
    concurrency = [int(value) for value in args.concurrency.split(",") if value.strip()]
    asyncio.run(run(args.messages, args.lines, concurrency, args.pool))


if __name__ == "__main__":
    main()
