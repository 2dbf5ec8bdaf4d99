"""Privacy through the emulator (product.md §2): PII_IN_CHAT=masked on every message, "not in your
scope" indistinguishable from "not found", and the group rules (aggregates only, no priority
groups, no figure about fewer than 5 graduates)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.e2e.test_core_loop import ADMIN, LI, ROSTER_CSV, WANG, setup_school

FULL_ID = re.compile(r"\d{10}")
ROSTER_NAMES = sorted({line.split(",")[1] for line in ROSTER_CSV.strip().splitlines()[1:]})


@pytest.fixture
async def masked(db_url: str) -> AsyncIterator[BotHarness]:
    emu, service, application = await start_bot(db_url, pii_in_chat="masked")
    try:
        yield BotHarness(emu, service, application)
    finally:
        await stop_bot(emu, service, application)


def assert_no_pii(text: str) -> None:
    assert not FULL_ID.search(text), text
    leaked = [name for name in ROSTER_NAMES if name in text]
    assert not leaked, (leaked, text)


async def test_masked_mode_covers_update_replies_candidates_and_suggestions(masked: BotHarness) -> None:
    h = masked
    await setup_school(h)
    reply = await h.say(WANG, "张伟 升学 聊城大学\n李妠 升学 山东大学\n2023010109 升学 青岛大学\n2023010103 签约")
    assert "张*" in reply and "…0101" in reply and "…0104" in reply, reply  # the ambiguous name's candidates
    assert "李*" in reply, reply  # did you mean "李娜"
    assert "已更新 1 条" in reply, reply
    assert_no_pii(reply)

    block = await h.say(WANG, "学号：2023010199\n去向：升学\n单位：聊城大学")
    assert "…0199" in block or "…0101" in block, block
    assert_no_pii(block)

    record = await h.say(WANG, "/student 2023010103")
    assert "王*" in record and "…0103" in record, record
    assert_no_pii(record)
    twins = await h.say(WANG, "/student 张伟")
    assert twins.count("张*") == 2, twins
    assert_no_pii(twins)
    refusal = await h.say(WANG, "/student 2023020101")
    assert "…0101" in refusal, refusal
    assert_no_pii(refusal)
    unplaced = await h.say(WANG, "/unplaced")
    assert "…0104" in unplaced, unplaced
    assert_no_pii(unplaced)


def _without(text: str, *values: str) -> str:
    for value in values:
        text = text.replace(value, "<who>")
    return FULL_ID.sub("<id>", text)


async def test_out_of_scope_is_indistinguishable_from_not_found(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    li_ids = [line.split(",")[0] for line in ROSTER_CSV.strip().splitlines()[1:] if "李老师" in line]

    # 2023020101 is 李老师's graduate; 2023020199 does not exist. 杨磊 is 李老师's; 杨蕾 nobody's.
    for real, made_up in (("2023020101", "2023020199"), ("杨磊", "杨蕾")):
        seen = await h.say(WANG, f"{real} 升学 聊城大学")
        unseen = await h.say(WANG, f"{made_up} 升学 聊城大学")
        assert _without(seen, real) == _without(unseen, made_up), (seen, unseen)
        suggested = seen.replace(real, "") + unseen  # what the bot offered, not what was typed
        assert not any(i in suggested for i in li_ids), (seen, unseen)  # no suggestion from outside

        seen = await h.say(WANG, f"/student {real}")
        unseen = await h.say(WANG, f"/student {made_up}")
        assert _without(seen, real) == _without(unseen, made_up), (seen, unseen)

    # a typo next to an out-of-scope 学号 suggests nothing from that scope
    typo = await h.say(WANG, "2023020105 升学 聊城大学")
    assert "2023010" in typo and not any(i in typo for i in li_ids), typo
    # the owner still sees their own graduate
    assert "已更新 1 条" in await h.say(LI, "2023020101 升学 聊城大学")
    assert "杨磊" in await h.say(ADMIN, "/student 2023020101")
