"""The demo's follow-up survey (product.md §11): graduates of one department bind by their personal
links, the admin opens the survey, one graduate's answers are shown screen by screen, the others
answer quietly, then `/survey` and `/chart survey` show the figures (and the report that follows
carries the 自主评价 sheet)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.emulator import SentMessage
from bot.services import SYSTEM

GRADUATES = 30  # bound and invited: enough for figures of five or more
GRADUATE_BASE = 5_000_000
SHOWN = 1  # graduates whose every screen goes into the transcript


def _buttons(message: SentMessage) -> str:
    return " | ".join(label for label, _ in message.buttons)


async def _press(world: Any, chat: int, message: SentMessage, label: str) -> SentMessage:
    data = next(d for text, d in message.buttons if d is not None and text.removeprefix("✓ ") == label)
    since = world.emu.mark(chat)
    world.emu.press_button(chat, message, data)
    return (await world.emu.wait_for(chat, 1, timeout=60, since=since))[-1]


async def _answer(world: Any, chat: int, rng: random.Random, log: list[str] | None) -> None:
    """Answer every question with the buttons, as a graduate would; `log` receives the exchange."""
    screen = world.emu.messages_to(chat)[-1]
    label = "开始"
    while True:
        if log is not None:
            log.append(f"毕业生 ▶ [{label}]")
        screen = await _press(world, chat, screen, label)
        if log is not None:
            log.append("bot ◀ " + (screen.text or "").replace("\n", "\n      ") + (f"\n      [{_buttons(screen)}]" if screen.buttons else ""))
        labels = [text.removeprefix("✓ ") for text, _ in screen.buttons]
        if not labels:
            return
        if "提交" in labels:
            label = "提交"
            continue
        options = [x for x in labels if x not in ("上一题", "完成")]
        if "完成" in labels:
            if any(text.startswith("✓ ") for text, _ in screen.buttons):
                label = "完成"
            else:
                label = rng.choice(options)
            continue
        label = options[min(int(rng.triangular(0, len(options), 1)), len(options) - 1)]


async def run_survey(world: Any, run: Any, exchange: Callable[..., Awaitable[None]], step: Callable[..., Any]) -> None:
    """The survey's part of the demo script (`exchange`/`step`: the demo's own, to keep one transcript)."""
    service = world.service
    # Another department than the demo counsellor's: their graduate binds by a link later in the script.
    department = world.cohort.departments[-1]
    counsellor = world.users["counsellor"][1]
    theirs = {g.student_id for g in world.cohort.graduates if g.counsellor == counsellor}
    book = await asyncio.to_thread(service.graduates.issue_links, SYSTEM, [f"院系:{department}"], "placement_demo_bot")
    rows = [row for row in book.rows if row.link and row.student_id not in theirs]
    tokens = [(row.student_id, row.name, row.link.rsplit("start=", 1)[1]) for row in rows][:GRADUATES]  # type: ignore[union-attr]
    chats = []
    for i, (_sid, name, token) in enumerate(tokens):
        chat = GRADUATE_BASE + i
        await asyncio.to_thread(service.graduates.redeem, token, chat, "zh")
        chats.append(chat)
        if i == 0:
            world.users["survey_graduate"] = (chat, name)
    run.transcript.append(f"# 跟踪调查 / follow-up survey: {len(chats)} graduates of {department} bound by their personal links\n")
    await exchange(world, run, step("admin", f"/survey open {department}", ("sendMessage", "sendMessage")))
    log: list[str] = []
    await _answer(world, chats[0], random.Random(0), log)
    name = world.users["survey_graduate"][1]
    run.transcript += [f"[{name}（毕业生）收到邀请后的作答过程 / what a graduate sees]", *log, ""]
    await asyncio.gather(*(_answer(world, chat, random.Random(chat), None) for chat in chats[SHOWN:]))
    await exchange(world, run, step("admin", f"/survey {department}"))
    await exchange(world, run, step("admin", f"/chart survey {department}", ("sendPhoto",)))
    await exchange(world, run, step("admin", f"/chart survey school {department}", ("sendPhoto",)))
