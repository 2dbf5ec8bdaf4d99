"""`placement-bot console`: type as a demo user and read the real bot's replies (offline, emulator)."""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from bot.sandbox.demo import demo_world


def run_console(role: str, size: int = 3000) -> int:
    """Type as a demo user; each line is sent to the bot and its replies are printed."""
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="placement-console-") as tmp:

        async def main() -> None:
            async with demo_world(Path(tmp), size) as world:
                user_id, name = world.users[role]
                print(f"You are {name} ({role}). Type messages or commands; an empty line or Ctrl-D quits.")
                while True:
                    try:
                        line = await asyncio.to_thread(input, f"{name} ▶ ")
                    except EOFError:
                        break
                    if not line.strip():
                        break
                    since = world.emu.mark(user_id)
                    world.emu.send_text(user_id, line.replace("\\n", "\n"), first_name=name)
                    try:
                        answers = await world.emu.wait_for(user_id, 1, timeout=30, since=since)
                        await asyncio.sleep(0.2)  # a reply may come in several parts
                        answers = world.emu.messages_to(user_id)[since:]
                    except TimeoutError:
                        answers = []
                    for answer in answers:
                        print("bot ◀ " + (answer.text or f"[{answer.method}]").replace("\n", "\n      "))

        asyncio.run(main())
    sys.stdout.flush()
    return 0
