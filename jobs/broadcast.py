"""Broadcasts to many chats at Telegram's ceiling (§10's /confirm): the digests' throttle and retry
rules (jobs.delivery.send_throttled), a few sends in flight, each outcome counted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from jobs.delivery import Throttle, send_throttled

log = logging.getLogger(__name__)

CONCURRENCY = 8  # sends in flight: enough to keep the throttle busy, few enough not to bunch up


@dataclass(frozen=True)
class Outgoing:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass
class BroadcastReport:
    sent: int = 0
    unreachable: list[int] = field(default_factory=list)  # blocked the bot, or never pressed Start
    failed: list[int] = field(default_factory=list)


async def broadcast(bot: Bot, throttle: Throttle, messages: Sequence[Outgoing]) -> BroadcastReport:
    report = BroadcastReport()
    queue: asyncio.Queue[Outgoing] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    async def worker() -> None:
        while not queue.empty():
            item = queue.get_nowait()
            try:
                await send_throttled(
                    throttle,
                    item.chat_id,
                    lambda item=item: bot.send_message(item.chat_id, item.text, reply_markup=item.markup),
                )
                report.sent += 1
            except Forbidden:
                report.unreachable.append(item.chat_id)
            except TelegramError as error:
                log.warning("broadcast to %s failed: %s", item.chat_id, error)
                report.failed.append(item.chat_id)

    await asyncio.gather(*(worker() for _ in range(min(CONCURRENCY, max(1, len(messages))))))
    return report
