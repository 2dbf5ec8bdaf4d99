"""Long commands in many chats do not hold up anyone's quick answers (issue 19): /report, /export,
/chart, /digest, file imports and KPI run on their own bounded pool (bot/long_work.py), so while
more of them than asyncio's default executor has threads are stuck, /rate is still answered.

No timing: the long jobs are held on an Event until /rate has been answered."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.long_work import LONG_WORKERS
from bot.services.outputs import Document, OutputService
from tests.e2e.conftest import BotHarness
from tests.e2e.test_core_loop import WANG, setup_school

ADMINS = [2101 + i for i in range(8)]  # more /report in flight than the default executor's 6 threads


async def test_rate_is_answered_while_long_jobs_in_every_chat_are_stuck(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await setup_school(h)
    for admin in ADMINS:
        h.service.access.grant(admin, "admin", name=f"管理员{admin}")
    gate = threading.Event()
    started: list[int] = []

    def stuck_report(self: OutputService, actor: object, args: object, lang: str = "zh") -> Document:
        started.append(1)
        gate.wait(120)  # released below, once /rate has been answered
        return Document(b"PK-report", "report.xlsx", "report")

    monkeypatch.setattr(OutputService, "report_files", stuck_report)  # /report's workbook and draft
    marks = {admin: h.emu.mark(admin) for admin in ADMINS}
    try:
        for admin in ADMINS:
            h.emu.send_text(admin, "/report")
        for _ in range(2400):  # the long-work pool fills (within 120 s); the other reports wait for it
            if len(started) >= LONG_WORKERS:
                break
            await asyncio.sleep(0.05)
        assert len(started) == LONG_WORKERS
        assert "毕业去向落实率" in await h.say(WANG, "/rate", timeout=60)
        assert not gate.is_set() and len(started) <= LONG_WORKERS  # answered while every long job was stuck
        assert all(h.emu.mark(admin) == marks[admin] for admin in ADMINS)  # no report was sent yet
    finally:
        gate.set()
    for admin in ADMINS:  # and every report is still sent, in turn
        sent = await h.emu.wait_for(admin, 1, timeout=60, since=marks[admin])
        assert sent[-1].file_name == "report.xlsx"
    assert len(started) == len(ADMINS)
