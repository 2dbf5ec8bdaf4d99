"""§10 under PII_IN_CHAT=masked: every new message masks names and 学号 (cards, review, checks,
samples, materials, links' replies)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.e2e.test_core_loop import ADMIN, HEAD, WANG, setup_school
from tests.e2e.test_graduate_links import GRAD, START, Clock, School


@pytest.fixture
async def masked(sqlite_url: str) -> AsyncIterator[School]:
    clock = Clock(START)
    emu, service, application = await start_bot(sqlite_url, clock=clock, pii_in_chat="masked")
    h = BotHarness(emu, service, application)
    try:
        await setup_school(h)
        yield School(h, clock)
    finally:
        await stop_bot(emu, service, application)


async def test_masked_mode_covers_every_graduate_message(masked: School) -> None:
    s = masked
    await s.say(ADMIN, "2023010101 合同 甲医院")
    bound = await s.bind(GRAD, "2023010101")
    assert "张*同学（…0101）" in bound and "张伟" not in bound and "2023010101" not in bound, bound
    await s.say(GRAD, "升学 聊城大学")
    replies = await s.ask(WANG, "/review", count=2)
    card = replies[1]
    assert (card.text or "").startswith("张* …0101 · 护理2301班"), card.text
    since = s.h.emu.mark(WANG)
    s.h.emu.press_button(WANG, card, card.button_data("通过"))
    done = (await s.h.emu.wait_for(WANG, 1, since=since))[-1].text or ""
    assert done.endswith("已通过：张* …0101") and "2023010101" not in done
    assert await s.say(WANG, "/verify 2023010101 电话 属实") == "已记录核实：张* …0101 · 属实"
    sample = await s.say(HEAD, "/sample 1 护理2301班")
    assert "…0101 张*" in sample and "张伟" not in sample and "2023010101" not in sample, sample
    refused = await s.say(WANG, "/unbind 2099999999")
    assert refused == "在您的范围内找不到学号或姓名“…9999”。"
    assert await s.say(WANG, "/unbind 2023010101") == "已解除 张* 的绑定，可为其重新生成链接。"
