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
    assert "在您的范围内找不到“李*”，是否想写“李*”？" in reply, reply  # 李妠: did you mean "李娜", both masked
    assert "已更新 1 条" in reply, reply
    assert_no_pii(reply)

    block = await h.say(WANG, "学号：2023010199\n去向：升学\n单位：聊城大学")
    assert "找不到学号 …0199，是否想写“…0201”" in block, block  # the unknown 学号 and the suggestion, both masked
    assert_no_pii(block)

    record = await h.say(WANG, "/student 2023010103")
    assert "王*" in record and "…0103" in record, record
    assert_no_pii(record)
    twins = await h.say(WANG, "/student 张伟")
    assert sum(line.startswith("张* …") for line in twins.splitlines()) == 2, twins  # under a header naming 张*
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


GROUP_ROSTER = """学号,姓名,院系,专业,班级,学历,性别,生源地,重点群体,辅导员
2024010101,孙悦,护理学院,护理,护理2401班,专科,女,山东,残疾,王老师
2024010102,周婷,护理学院,护理,护理2401班,专科,女,山东,困难家庭,王老师
2024010103,吴倩,护理学院,护理,护理2401班,专科,女,河南,,王老师
2024010104,郑爽,护理学院,护理,护理2401班,专科,男,山东,,王老师
2024010105,冯雪,护理学院,护理,护理2401班,专科,女,江苏,,王老师
2024010106,陈晨,护理学院,护理,护理2401班,专科,女,山东,,王老师
2024010201,韩梅,护理学院,护理,护理2402班,专科,女,山东,,王老师
"""
GROUP_CHAT = -4242


async def in_group(h: BotHarness, text: str, *, count: int = 1) -> list:
    return await h.ask(ADMIN, text, chat_id=GROUP_CHAT, chat_type="group", count=count)


async def test_group_gets_aggregates_only_no_priority_groups_and_nothing_under_five(harness: BotHarness) -> None:
    h = harness
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    reply = await h.upload(ADMIN, "roster.csv", GROUP_ROSTER.encode("utf-8-sig"), caption="/import 2024")
    assert "新增 7" in reply, reply
    applied = await h.say(ADMIN, "2024010101 升学 聊城大学\n2024010103 签约 某医院\n2024010105 签约 某公司\n2024010201 升学 山东大学")
    assert "已更新 4 条" in applied, applied

    # in private the admin sees everything, priority groups and the class of one included
    assert "100.00%" in await h.say(ADMIN, "/rate 群体:残疾")
    assert "100.00%" in await h.say(ADMIN, "/rate 班级:护理2402班")

    # in the group: never about a priority group, however it is asked
    for question in ("/rates 群体", "/rate 群体:残疾", "/rate 残疾", "/chart rates 群体:困难家庭", "/rates 班级 群体:残疾"):
        (answer,) = await in_group(h, question)
        assert "群聊中不提供重点群体" in (answer.text or ""), (question, answer.text)
        assert answer.method == "sendMessage"

    # a class of one: every figure is <5, in /rate and in /rates (listed after the others)
    (rate,) = await in_group(h, "/rate 班级:护理2402班")
    text = rate.text or ""
    assert "毕业去向落实率：<5" in text and "已落实 <5/<5" in text, text
    assert "%" not in text, text
    (rates,) = await in_group(h, "/rates 班级")
    lines = (rates.text or "").splitlines()
    # the class of one is <5, and the class of 6 is withheld with it: else 合计 minus 护理2401班
    # would be the one graduate of 护理2402班 (complementary suppression, bot/disclosure.py)
    assert lines[1] == "1. 护理2401班  —  (—/—)", lines
    assert lines[2] == "2. 护理2402班  <5  (<5/<5)", lines
    assert lines[3] == "合计  57.14%  (<5/7)", lines

    # charts: no bar for a unit under 5, and no chart at all of a scope under 5
    photo = await in_group(h, "/chart rates 护理")
    assert photo[-1].method == "sendPhoto" and "另有 2 个单位未显示" in (photo[-1].text or ""), photo[-1].text
    private_photo = await h.ask(ADMIN, "/chart rates 护理")
    assert "未显示" not in (private_photo[-1].text or "")
    refused = await in_group(h, "/chart mix 班级:护理2402班")
    assert "不足 5 人" in (refused[-1].text or "") and refused[-1].method == "sendMessage", refused[-1].text

    # names, lists, records, files and digests are for private chats only
    sent_before = len(h.emu.messages_to(GROUP_CHAT))
    for command in ("/unplaced", "/student 2024010102", "/export", "/report", "/digest", "/kpi", "/undo"):
        (answer,) = await in_group(h, command)
        assert "只在私聊中" in (answer.text or ""), (command, answer.text)
    group_messages = h.emu.messages_to(GROUP_CHAT)[sent_before:]
    assert all(m.method == "sendMessage" for m in group_messages)
    assert not any(name in (m.text or "") for m in group_messages for name in ("孙悦", "周婷", "韩梅"))


async def test_group_rates_do_not_reveal_a_hidden_unit_by_subtraction(harness: BotHarness) -> None:
    """§2: never a figure about fewer than 5 graduates in a group. /rates 班级 shows the class of one as
    `<5`, but the other row (50.00% of 6) and the total (57.14% of 7) give 3 and 4 placed: the single
    student of 护理2402班 is placed — a figure about one graduate, by subtraction."""
    h = harness
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    await h.upload(ADMIN, "roster.csv", GROUP_ROSTER.encode("utf-8-sig"), caption="/import 2024")
    await h.say(
        ADMIN,
        "2024010101 升学 聊城大学\n2024010103 签约 某医院\n2024010105 签约 某公司\n2024010201 升学 山东大学",
    )
    (rates,) = await in_group(h, "/rates 班级")
    shown = re.findall(r"(\d+\.\d\d)%\s+\((?:\d+|<5)/(\d+)\)", rates.text or "")
    # with the class of one hidden, the class of six is hidden too (its figure and the total's would
    # give the hidden one by subtraction): the total is the only figure shown
    assert shown == [("57.14", "7")], rates.text
    assert "护理2401班  —  (—/—)" in (rates.text or "") and "护理2402班  <5  (<5/<5)" in (rates.text or ""), rates.text


async def test_masked_mode_masks_names_and_ids_inside_notes_employers_and_schools(masked: BotHarness) -> None:
    """Free text carries other graduates' names and 学号 (issue 19, item 3): a note, an employer and
    a school in /student, a note in /unplaced and in /digest are masked like every name and 学号."""
    h = masked
    await setup_school(h)
    applied = await h.say(
        WANG,
        "2023010103 面试中 备注=与张伟2023010104同去面试\n"
        "2023010102 合同 单位=陈静2023010202设计工作室\n"
        "2023010201 升学 学校=王芳2023010103进修学校\n"
        "2023010199 合同 单位=李娜推荐的医院",  # no such 学号: the line is quoted back
    )
    assert "已更新 3 条" in applied and "李*推荐的医院" in applied, applied
    assert_no_pii(applied)
    note = await h.say(WANG, "/student 2023010103")
    assert "与张*…0104同去面试" in note, note
    employer = await h.say(WANG, "/student 2023010102")
    assert "陈*…0202设计工作室" in employer, employer
    school = await h.say(WANG, "/student 2023010201")
    assert "王*…0103进修学校" in school, school
    unplaced = await h.say(WANG, "/unplaced")
    assert "与张*…0104同去面试" in unplaced, unplaced
    digest = await h.say(WANG, "/digest")
    assert "与张*…0104同去面试" in digest, digest
    for reply in (note, employer, school, unplaced, digest):
        assert_no_pii(reply)
