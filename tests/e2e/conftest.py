"""End-to-end fixtures: the real PTB Application polling the project's Bot API emulator over HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.application import build_application
from bot.sandbox.emulator import BotApiEmulator, SentMessage
from bot.services import Services
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings

logging.getLogger("httpx").setLevel(logging.WARNING)

TOKEN = "123456:TEST-TOKEN"
SCHOOL_TZ = ZoneInfo("Asia/Shanghai")


class FixedClock:
    """The service clock a test sets: `moment` is "now" until the test moves it — a test that
    depends on the date never reads today's."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def school_time(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in the school's time zone (the tests' BOT_TIMEZONE)."""
    return datetime(year, month, day, hour, tzinfo=SCHOOL_TZ)


@dataclass
class BotHarness:
    emu: BotApiEmulator
    service: Services
    application: object

    async def ask(self, user_id: int, text: str, *, count: int = 1, timeout: float = 30.0, **kwargs: object) -> list[SentMessage]:
        """Send `text` as `user_id` in their private chat and wait for `count` replies."""
        chat_id = int(kwargs.get("chat_id") or user_id)  # type: ignore[arg-type]
        since = self.emu.mark(chat_id)
        self.emu.send_text(user_id, text, **kwargs)  # type: ignore[arg-type]
        return await self.emu.wait_for(chat_id, count, timeout=timeout, since=since)

    async def say(self, user_id: int, text: str, **kwargs: object) -> str:
        """Send `text` and return the text of the single reply."""
        replies = await self.ask(user_id, text, **kwargs)
        return replies[-1].text or ""

    async def upload(
        self, user_id: int, file_name: str, content: bytes, *, caption: str | None = None, timeout: float = 60.0
    ) -> str:
        since = self.emu.mark(user_id)
        self.emu.send_document(user_id, file_name, content, caption=caption)
        replies = await self.emu.wait_for(user_id, 1, timeout=timeout, since=since)
        return replies[-1].text or ""


async def start_bot(
    db_url: str,
    *,
    emu: BotApiEmulator | None = None,
    clock: object = None,
    rate_limit: bool = True,
    **settings_overrides: object,
) -> tuple[BotApiEmulator, Services, object]:
    upgrade_database(db_url)
    emu = emu or BotApiEmulator(token=TOKEN).start()
    settings = make_settings(
        db_url,
        telegram_api_base_url=emu.base_url,
        telegram_file_base_url=emu.base_file_url,
        **settings_overrides,
    )
    service = Services.build(Database.connect(db_url), settings, clock=clock)  # type: ignore[arg-type]
    application = build_application(settings, service, rate_limit=rate_limit)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    return emu, service, application


async def stop_bot(emu: BotApiEmulator, service: Services, application: object, *, keep_emulator: bool = False) -> None:
    await application.updater.stop()  # type: ignore[attr-defined]
    await application.stop()  # type: ignore[attr-defined]
    await application.shutdown()  # type: ignore[attr-defined]
    service.db.dispose()
    if not keep_emulator:
        emu.stop()


async def eventually(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Wait until `condition()` holds (for events the emulator has no waiter for); the timeout is
    generous, since only a failing test ever waits it out."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def harness_at(db_url: str, clock: FixedClock, **settings_overrides: object) -> AsyncIterator[BotHarness]:
    """A harness whose service clock is `clock` (for tests that depend on the date)."""
    emu, service, application = await start_bot(db_url, clock=clock, **settings_overrides)
    try:
        yield BotHarness(emu, service, application)
    finally:
        await stop_bot(emu, service, application)


@pytest.fixture
async def harness(db_url: str) -> AsyncIterator[BotHarness]:
    emu, service, application = await start_bot(db_url)
    try:
        yield BotHarness(emu, service, application)
    finally:
        await stop_bot(emu, service, application)
