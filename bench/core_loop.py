"""The core loop at scale: ingest rate and /rate latency on a generated cohort, next to the floor.

    .venv/bin/python bench/core_loop.py [--graduates 20000] [--db URL] [--rate-queries 200]

Prints, for one run on one machine:
- floor: a bare PTB echo bot through the same emulator, answering the same counsellor messages
  (update lines/s) and the same number of sequential messages (round trip);
- the placement bot: every generated destination sent by its counsellor in messages of 60 lines,
  all counsellors at once (update lines/s end to end: injected → every reply received), with
  Telegram's rate limits off (the bot's own cost) and on (AIORateLimiter, 30 messages/s);
- /rate latency: sequential /rate questions over the school, departments and majors, from the
  update being queued at the emulator to the reply arriving there.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bench.harness import builder, describe_ms, measure_burst, measure_roundtrip, quiet_logs, running
from bot.application import build_application
from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from bot.settings import Settings
from storage.db import Database
from storage.schema import upgrade_database

TOKEN = "123456:bench-core-loop"
ADMIN = 1001
FIRST_COUNSELLOR = 50_000


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text[:4000])


def plan(cohort: GenCohort) -> tuple[dict[int, list[str]], int]:
    chats: dict[int, list[str]] = {}
    names = sorted(cohort.messages_by_counsellor(lines_per_message=60))
    by_counsellor = cohort.messages_by_counsellor(lines_per_message=60)
    for i, name in enumerate(names):
        chats[FIRST_COUNSELLOR + i] = by_counsellor[name]
    lines = sum(text.count("\n") + 1 for texts in chats.values() for text in texts)
    return chats, lines


def send_all(emu: BotApiEmulator, chats: dict[int, list[str]]) -> None:
    longest = max(len(texts) for texts in chats.values())
    for round_no in range(longest):  # interleave chats the way counsellors would type at once
        for chat, texts in chats.items():
            if round_no < len(texts):
                emu.send_text(chat, texts[round_no])


async def floor(chats: dict[int, list[str]], lines: int, queries: int) -> None:
    with BotApiEmulator(token=TOKEN) as emu:
        app = builder(emu, TOKEN).concurrent_updates(16).connection_pool_size(20).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with running(app):
            seconds = await measure_burst(
                emu, {c: len(t) for c, t in chats.items()}, lambda: send_all(emu, chats)
            )
            print(
                f"floor  (echo bot)  ingest: {lines / seconds:,.0f} update lines/s ({lines} lines in {seconds:.2f} s)"
            )
            rtts = await measure_roundtrip(emu, lambda i: emu.send_text(ADMIN, f"/rate {i}"), ADMIN, queries)
            print(f"floor  (echo bot)  round trip: {describe_ms(rtts)}")


async def placement_bot(
    url: str, cohort: GenCohort, chats: dict[int, list[str]], lines: int, queries: int, *, rate_limit: bool
) -> None:
    upgrade_database(url)
    with BotApiEmulator(token=TOKEN) as emu:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=TOKEN,  # type: ignore[arg-type]
            database_url=url,
            telegram_api_base_url=emu.base_url,
            telegram_file_base_url=emu.base_file_url,
            digests_enabled=False,  # measure the core loop alone, not a digest round that falls due
        )
        service = Services.build(Database.connect(url), settings)
        roster = io.BytesIO()
        cohort.to_xlsx(roster)
        started = time.perf_counter()
        service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
        import_seconds = time.perf_counter() - started
        service.access.grant(ADMIN, "admin", name="bench")
        names = sorted(cohort.messages_by_counsellor(lines_per_message=60))
        for i, name in enumerate(names):
            service.access.grant(FIRST_COUNSELLOR + i, "counsellor", name=name)
        app = build_application(settings, service, rate_limit=rate_limit)
        label = "placement bot, rate limiter " + ("on " if rate_limit else "off")
        async with running(app):
            seconds = await measure_burst(
                emu, {c: len(t) for c, t in chats.items()}, lambda: send_all(emu, chats), timeout=1800
            )
            print(
                f"{label}  ingest: {lines / seconds:,.0f} update lines/s ({lines} lines, {sum(map(len, chats.values()))} messages, {seconds:.2f} s; roster import {import_seconds:.2f} s)"
            )
            scopes = ["", *cohort.departments, *cohort.majors]
            # With the limiter on, 30 messages/s is the sustained ceiling: ask at a human pace.
            pause = 0.05 if rate_limit else 0.0
            rtts = await measure_roundtrip(
                emu,
                lambda i: emu.send_text(ADMIN, f"/rate {scopes[i % len(scopes)]}"),
                ADMIN,
                queries,
                timeout=30,
                pause=pause,
            )
            print(f"{label}  /rate round trip: {describe_ms(rtts)}")
            dated = await measure_roundtrip(
                emu,
                lambda i: emu.send_text(
                    ADMIN, f"/rate {scopes[i % len(scopes)]} {cohort.cohort}-0{6 + i % 3}-15"
                ),
                ADMIN,
                max(20, queries // 4),
                timeout=30,
                pause=pause,
            )
            print(f"{label}  /rate <scope> <date> round trip: {describe_ms(dated)}")
        service.db.dispose()


async def main(graduates: int, url: str | None, queries: int) -> None:
    quiet_logs()
    started = time.perf_counter()
    cohort = generate_cohort(graduates, seed=3, departments=10, majors=40)
    chats, lines = plan(cohort)
    print(
        f"cohort: {graduates} graduates, {len(cohort.departments)} departments, {len(cohort.majors)} majors, "
        f"{len(chats)} counsellors, {lines} update lines (generated in {time.perf_counter() - started:.2f} s)"
    )
    sizes = [len(t.split("\n")) for texts in chats.values() for t in texts]
    print(f"messages: {len(sizes)}, lines per message median {statistics.median(sizes):.0f}")
    await floor(chats, lines, queries)
    with tempfile.TemporaryDirectory() as tmp:
        for rate_limit in (False, True):
            db = url or f"sqlite:///{tmp}/bench-{rate_limit}.db"
            if url and url.startswith("postgresql"):
                print("(PostgreSQL: reusing one database; run against an empty one)")
            await placement_bot(db, cohort, chats, lines, queries, rate_limit=rate_limit)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=20_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--rate-queries", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.graduates, args.db, args.rate_queries))
