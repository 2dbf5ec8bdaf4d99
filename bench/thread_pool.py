"""Do long commands in several chats hold up everyone's /rate? (issue 19)

In-process, through the real application and the Bot API emulator: a generated cohort, then N
admins each send /report at once, and a counsellor's /rate is sent right after. Measured: how long
/rate takes to be answered, alone and behind the N reports. `python -m bench.thread_pool [SIZE] [N]`.
The /report jobs run on bot/long_work.py's pool (LONG_WORKERS threads); with `--default-pool` they
run on asyncio's default executor, as before issue 19.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path

from bot.sandbox.cohort_gen import generate_cohort
from bot.services import SYSTEM
from tests.e2e.conftest import start_bot, stop_bot


async def main(size: int, reports: int, default_pool: bool) -> None:
    if default_pool:
        import handlers.common as common

        common.long_work = lambda func, *a, **k: asyncio.to_thread(func, *a, **k)  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pool.db'}"
        emu, service, application = await start_bot(url)
        try:
            cohort = generate_cohort(size, seed=5)
            buffer = io.BytesIO()
            cohort.to_csv(buffer)
            service.roster.import_roster(buffer.getvalue(), "r.csv", cohort=2023, actor=SYSTEM)
            admins = [9000 + i for i in range(reports)]
            for admin in admins:
                service.access.grant(admin, "admin", name=f"a{admin}")
            service.access.grant(8000, "admin", name="asker")

            async def rate() -> float:
                since = emu.mark(8000)
                started = time.monotonic()
                emu.send_text(8000, "/rate")
                await emu.wait_for(8000, 1, timeout=600, since=since)
                return time.monotonic() - started

            alone = [await rate() for _ in range(3)]
            marks = {admin: emu.mark(admin) for admin in admins}
            started = time.monotonic()
            for admin in admins:
                emu.send_text(admin, "/report")
            await asyncio.sleep(1.5)  # the reports are past their chat action and building
            behind = await rate()
            for admin in admins:
                await emu.wait_for(admin, 1, timeout=900, since=marks[admin])
            total = time.monotonic() - started
            pool = "default executor" if default_pool else "long-work pool"
            print(f"{size} graduates, {reports} /report on the {pool}: /rate alone "
                  f"{min(alone) * 1000:.0f}-{max(alone) * 1000:.0f} ms, behind the reports {behind * 1000:.0f} ms; "
                  f"all reports sent after {total:.1f} s")
        finally:
            await stop_bot(emu, service, application)


if __name__ == "__main__":
    words = [w for w in sys.argv[1:] if not w.startswith("--")]
    asyncio.run(main(int(words[0]) if words else 20000, int(words[1]) if len(words) > 1 else 6, "--default-pool" in sys.argv))
