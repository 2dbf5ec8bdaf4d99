"""End-to-end fixtures: the real PTB Application polling the project's Bot API emulator over HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.application import build_application
from bot.sandbox.emulator import BotApiEmulator, SentMessage
from bot.services import Services
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings

logging.getLogger("httpx").setLevel(logging.WARNING)

TOKEN = "123456:TEST-TOKEN"


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


@pytest.fixture
async def harness(db_url: str) -> AsyncIterator[BotHarness]:
    emu, service, application = await start_bot(db_url)
    try:
        yield BotHarness(emu, service, application)
    finally:
        await stop_bot(emu, service, application)
