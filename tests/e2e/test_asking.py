"""End to end: /rates, ambiguity buttons, forged callbacks, /alias, /settings, /users, /help, paging."""

from __future__ import annotations

from tests.e2e.conftest import BotHarness, eventually
from tests.e2e.test_core_loop import ADMIN, HEAD, LI, WANG, setup_school


async def test_rates_table_sorted_with_counts(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await h.say(ADMIN, "2023010101 合同 甲\n2023010102 合同 乙\n2023020101 升学 山东大学")
    table = await h.say(ADMIN, "/rates 院系")
    lines = table.splitlines()
    assert "护理学院" in lines[1] and "33.33%" in lines[1] and "(2/6)" in lines[1], table
    assert "信息工程学院" in lines[2] and "25.00%" in lines[2] and "(1/4)" in lines[2], table
    assert "合计" in lines[3] and "30.00%" in lines[3]
    majors = await h.say(HEAD, "/rates 专业")
    assert "软件技术" not in majors and "护理" in majors and "助产" in majors  # head sees their department only
    unknown = await h.say(ADMIN, "/rates 星座")
    assert "无法按" in unknown


async def test_ambiguous_scope_offers_buttons(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    reply = await h.ask(ADMIN, "/rate 护")
    message = reply[-1]
    assert message.reply_markup and message.buttons, message.text
    labels = [label for label, _ in message.buttons]
    assert any("护理学院" in label for label in labels) and any(label.endswith("护理") for label in labels)
    data = message.button_data(next(label for label in labels if label.endswith(": 护理")))
    since = h.emu.mark(ADMIN)
    h.emu.press_button(ADMIN, message, data)
    answer = await h.emu.wait_for(ADMIN, 1, since=since)
    assert answer[-1].text and answer[-1].text.startswith("护理 ·"), answer[-1].text


async def test_forged_callback_gets_a_clear_answer(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    reply = (await h.ask(ADMIN, "/help"))[-1]
    h.emu.press_button(ADMIN, reply, "pick:999999")
    h.emu.press_button(ADMIN, reply, "rm -rf /")
    rate = await h.say(ADMIN, "/rate")  # the bot is still answering
    assert "毕业去向落实率" in rate
    answers = h.emu.callback_answers
    assert len(answers) >= 2 and all("失效" in (a.get("text") or "") for a in answers[-2:]), answers


async def test_alias_then_rate(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    refused = await h.say(WANG, "/alias ruanjian = 软件技术")
    assert "无权" in refused
    done = await h.say(ADMIN, "/alias sw = 软件技术")
    assert "sw → 软件技术" in done
    rate = await h.say(ADMIN, "/rate sw")
    assert rate.startswith("软件技术 ·"), rate
    listing = await h.say(ADMIN, "/alias")
    assert "sw → 软件技术" in listing


async def test_settings_language_and_digest(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    assert "Saved" in await h.say(WANG, "/settings lang en")  # answered in the new language
    rate = await h.say(WANG, "/rate")
    assert "Placement rate" in rate
    assert "Saved" in await h.say(WANG, "/settings digest off")
    assert "weekly digest off" in await h.say(WANG, "/settings")
    assert "已保存" in await h.say(WANG, "/settings lang zh")


async def test_users_and_help(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    users = await h.say(ADMIN, "/users")
    assert "王老师" in users and "护理主任" in users and "管理员" in users
    assert "无权" in await h.say(LI, "/users")
    help_text = await h.say(WANG, "/help")
    assert "辅导员" in help_text and "/rate" in help_text


async def test_long_unplaced_list_pages(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    rows = ["学号,姓名,院系,专业,班级,辅导员"] + [
        f"20239{i:05d},学生{i},护理学院,护理,护理2399班,王老师" for i in range(130)
    ]
    reply = await h.upload(ADMIN, "more.csv", "\n".join(rows).encode(), caption="/import 2023")
    assert "新增 130" in reply
    first = (await h.ask(WANG, "/unplaced"))[-1]
    assert "第 1/4 页" in (first.text or ""), first.text
    since = h.emu.mark(WANG)
    h.emu.press_button(WANG, first, first.button_data("▶"))
    await h.emu.wait_for(WANG, 1, since=since)
    edited = h.emu.messages_to(WANG)[-1]
    assert edited.method == "editMessageText" and "第 2/4 页" in (edited.text or ""), edited


async def test_masked_names_when_pii_masked(db_url: str) -> None:
    from tests.e2e.conftest import start_bot, stop_bot

    emu, service, application = await start_bot(db_url, pii_in_chat="masked")
    h = BotHarness(emu, service, application)
    try:
        await setup_school(h)
        listing = await h.say(WANG, "/unplaced")
        assert "张*" in listing and "…0101" in listing, listing
        assert "2023010101" not in listing and "李娜" not in listing
    finally:
        await stop_bot(emu, service, application)


async def test_cancel_forgets_the_pending_choices_and_pages(harness: BotHarness) -> None:
    """/cancel drops what the user's open buttons stand for (scope choices, list pages): pressed after
    it, they do nothing but say they expired. Before it, the same kind of button works."""
    h = harness
    await setup_school(h)
    offered = (await h.ask(ADMIN, "/rate 护"))[-1]
    label = next(label for label, _ in offered.buttons if label.endswith(": 护理"))
    since = h.emu.mark(ADMIN)
    h.emu.press_button(ADMIN, offered, offered.button_data(label))
    assert (await h.emu.wait_for(ADMIN, 1, since=since))[-1].text.startswith("护理 ·")  # type: ignore[union-attr]

    offered = (await h.ask(ADMIN, "/rate 护"))[-1]
    assert await h.say(ADMIN, "/cancel") == "已取消。"
    answered = len(h.emu.callback_answers)
    since = h.emu.mark(ADMIN)
    h.emu.press_button(ADMIN, offered, offered.button_data(label))
    await eventually(lambda: len(h.emu.callback_answers) > answered, "the press to be answered")
    assert "失效" in (h.emu.callback_answers[-1].get("text") or ""), h.emu.callback_answers[-1]
    assert await h.say(ADMIN, "/help") and h.emu.mark(ADMIN) - since == 1  # nothing but the /help answer

    rows = ["学号,姓名,院系,专业,班级,辅导员"] + [f"20239{i:05d},学生{i},护理学院,护理,护理2399班,王老师" for i in range(130)]
    assert "新增 130" in await h.upload(ADMIN, "more.csv", "\n".join(rows).encode(), caption="/import 2023")
    first = (await h.ask(WANG, "/unplaced"))[-1]
    assert "第 1/4 页" in (first.text or ""), first.text
    assert await h.say(WANG, "/cancel", language_code="en") == "Cancelled."  # in the client's language
    answered = len(h.emu.callback_answers)
    since = h.emu.mark(WANG)
    h.emu.press_button(WANG, first, first.button_data("▶"))
    await eventually(lambda: len(h.emu.callback_answers) > answered, "the page press to be answered")
    assert "失效" in (h.emu.callback_answers[-1].get("text") or ""), h.emu.callback_answers[-1]
    assert h.emu.mark(WANG) == since  # the list was not turned to page 2
