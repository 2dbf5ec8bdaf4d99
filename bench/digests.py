"""Digest build and send times: 1,000 recipients over a generated cohort, through the emulator.

    .venv/bin/python bench/digests.py [--graduates 20000] [--recipients 1000]

Recipients: 2 admins, one head per department, the rest counsellors (each the roster's counsellor
or a class). Build = every digest built once, as the delivery does (snapshots cached); send = a
real delivery round (claims in the database, the delivery throttle overall and 1/s per chat).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot

from bench.harness import quiet_logs
from bot.sandbox.cohort_gen import generate_cohort
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from bot.settings import Settings
from jobs.delivery import DigestDeliverer, DigestService, Throttle
from storage.db import Database
from storage.schema import upgrade_database

TOKEN = "123456:bench-digests"


async def main(graduates: int, recipients: int) -> None:
    quiet_logs()
    with tempfile.TemporaryDirectory() as tmp, BotApiEmulator(token=TOKEN) as emu:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            digest_schedule="mon 00:00",
            telegram_api_base_url=emu.base_url,
            telegram_file_base_url=emu.base_file_url,
        )
        service = Services.build(Database.connect(url), settings)
        cohort = generate_cohort(graduates, seed=3, departments=10, majors=40)
        roster = io.BytesIO()
        cohort.to_xlsx(roster)
        service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
        service.access.grant(1, "admin", name="admin-1")
        service.access.grant(2, "admin", name="admin-2")
        admin = service.access.actor(1)
        assert admin is not None
        lines = [e.as_line() for e in cohort.events]
        for start in range(0, len(lines), 2000):
            service.updates.apply_message(
                admin, "\n".join(lines[start : start + 2000]), chat_id=None, message_id=None
            )
        for i, department in enumerate(cohort.departments):
            service.access.grant(100 + i, "head", name=f"head-{i}", scopes=[department])
        counsellors = sorted({g.counsellor for g in cohort.graduates if g.counsellor})
        classes = sorted({g.class_name for g in cohort.graduates if g.class_name})
        made = 2 + len(cohort.departments)
        for i in range(recipients - made):
            if i < len(counsellors):
                service.access.grant(10_000 + i, "counsellor", name=counsellors[i])
            else:
                service.access.grant(
                    10_000 + i, "counsellor", name=f"extra-{i}", scopes=[f"班级:{classes[i % len(classes)]}"]
                )
        digests = DigestService(service)
        people = digests.recipients()
        started = time.perf_counter()
        built = [digests.build(actor) for actor in people]
        build_seconds = time.perf_counter() - started
        parts = sum(len(d.parts) + (c is not None) for d, c in built)
        print(
            f"{graduates} graduates, {len(people)} recipients: build all digests {build_seconds:.2f} s "
            f"({build_seconds / len(people) * 1000:.1f} ms each, incl. {sum(c is not None for _, c in built)} trend charts), "
            f"{parts} messages"
        )
        async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
            started = time.perf_counter()
            report = await DigestDeliverer(bot, digests).run()
            seconds = time.perf_counter() - started
        times = sorted(t for t, method, _ in emu.request_log if method.startswith("send"))
        busiest = max(sum(1 for u in times[i : i + 64] if u - t < 1.0) for i, t in enumerate(times))
        print(
            f"delivery round: {len(report.sent)} sent, {report.messages} messages in {seconds:.1f} s "
            f"({report.messages / seconds:.1f} messages/s; busiest second {busiest}); "
            f"floor at the throttle's {Throttle().per_second} messages/s: {report.messages / Throttle().per_second:.1f} s"
        )
        service.db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=20_000)
    parser.add_argument("--recipients", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.graduates, args.recipients))
