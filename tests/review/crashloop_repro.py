"""Manual reproduction (not collected by pytest): a crafted .xlsx upload SIGABRTs the bot, and the
durable inbox replays it at every restart, so the bot never answers anyone again.

Run from the worktree: (ulimit -v 6000000; .venv/bin/python tests/review/crashloop_repro.py)
Seen on 4be5d71: first run exit -6, restart 0 exit -6, restart 1 exit -6, LI answered 0.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.sandbox.emulator import BotApiEmulator
from tests.e2e import workers as w
from tests.review.test_review_findings import _xlsx_with_backslash_sheet


def wait_exit(bot: w.BotProcess, seconds: int = 60) -> int | None:
    for _ in range(seconds):
        if bot.process.poll() is not None:
            break
        time.sleep(1)
    return bot.process.poll()


def main() -> None:
    d = Path(tempfile.mkdtemp())
    url = f"sqlite:///{d / 'b.db'}"
    w.seed(url)
    emu = BotApiEmulator(token=w.TOKEN).start()
    env = w.bot_env(url, emu)
    bot = w.start_bot(env, d)
    since = emu.mark(w.LI)
    emu.send_text(w.LI, "/rate")
    print("LI answered before:", bool(asyncio.run(emu.wait_for(w.LI, 1, timeout=30, since=since))))
    emu.send_document(w.WANG, "u.xlsx", _xlsx_with_backslash_sheet(199000))
    print("first run exit:", wait_exit(bot))
    for n in range(2):
        bot = w.start_bot(env, d, name=f"restart{n}")
        since = emu.mark(w.LI)
        emu.send_text(w.LI, "/rate")
        print(f"restart {n} exit:", wait_exit(bot), "LI answered:", len(emu.messages_to(w.LI)) - since)
        bot.kill()
    print("inbox:", w.counts(url).inbox)
    emu.stop()


if __name__ == "__main__":
    main()
