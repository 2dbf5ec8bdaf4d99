"""§10 item 3 end to end: a graduate's self-report waits for review and changes no figure; /review
with 通过 / 退回 (buttons or a replied reason); staff updates supersede; forged or copied buttons
change nothing."""

from __future__ import annotations

from tests.e2e.test_core_loop import LI, STRANGER, WANG, code_of, db_snapshot
from tests.e2e.test_graduate_links import GRAD, GRAD2, School, school  # noqa: F401  (fixture)

LINE = "签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生和社会工作"


async def wait_callback_answer(s: School, before: int) -> str:
    import asyncio

    for _ in range(200):
        if len(s.h.emu.callback_answers) > before:
            return s.h.emu.callback_answers[-1].get("text") or ""
        await asyncio.sleep(0.05)
    raise AssertionError("no callback answer")


async def test_a_report_waits_for_review_and_changes_no_figure(school: School) -> None:  # noqa: F811
    s = school
    await s.bind(GRAD, "2023010101")
    before = db_snapshot(s.h)
    reply = await s.say(GRAD, LINE)
    assert reply.startswith(
        "已收到，等待辅导员审核：\n签劳动合同形式就业 · 聊城市人民医院 · 山东聊城 · 2026-11-25"
    ), reply
    assert db_snapshot(s.h) == before  # nothing a graduate sends before review changes a figure
    rate = await s.say(WANG, "/rate")
    assert "0.00%" in rate.split("\n")[1] and "待审核 1" in rate, rate
    card = await s.say(GRAD, "/me")
    assert "待审核的上报：" + LINE in card


async def test_a_line_naming_someone_else_is_refused(school: School) -> None:  # noqa: F811
    s = school
    await s.bind(GRAD, "2023010101")
    before = db_snapshot(s.h)
    assert await s.say(GRAD, "2023010102 升学 聊城大学") == "请只填写您本人的去向，不要写学号或他人姓名。"
    assert (await s.say(GRAD, "升学 聊城大学 学号=2023010102")).startswith("未能识别")
    bad = await s.say(GRAD, "签约了 某公司")
    assert bad.startswith("未能识别：无法识别的去向“签约了”"), bad
    assert await s.say(GRAD, "升学 聊城大学\n升学 山东大学") == "请一次只发送一条去向。"
    assert db_snapshot(s.h) == before
    assert "没有待审核" in await s.say(WANG, "/review")


async def test_review_approves_once_and_tells_the_graduate(school: School) -> None:  # noqa: F811
    s = school
    await s.bind(GRAD, "2023010101")
    await s.say(GRAD, "升学 聊城大学")
    await s.say(GRAD, LINE)  # replaces the older report
    replies = await s.ask(WANG, "/review", count=2)
    assert replies[0].text == "王老师：待审核 1 条（最早的在前）"
    card = replies[1]
    assert "张伟 2023010101" in (card.text or "") and "上报：" + LINE in (card.text or "")
    assert [label for label, _ in card.buttons] == ["通过", "退回"]
    since = s.h.emu.mark(GRAD)
    s.h.emu.press_button(WANG, card, card.button_data("通过"))
    done = await s.h.emu.wait_for(WANG, 1, since=s.h.emu.mark(WANG))
    assert done[-1].method == "editMessageText" and (done[-1].text or "").endswith(
        "\n已通过：张伟 2023010101"
    )
    told = await s.h.emu.wait_for(GRAD, 1, since=since)
    assert told[-1].text == "您上报的去向已通过审核：\n" + LINE
    assert code_of(s.h, "2023010101") == (11, None)
    entries = db_snapshot(s.h)[0]
    answers = len(s.h.emu.callback_answers)
    s.h.emu.press_button(WANG, card, card.button_data("通过"))  # pressed twice
    assert await wait_callback_answer(s, answers) == "这条上报已处理过，未重复记录。"
    assert db_snapshot(s.h)[0] == entries
    me = await s.say(GRAD, "/me")
    assert "本人上报，王老师审核通过" in me and "核查状态：本人已确认" in me, me
    history = await s.say(WANG, "/student 2023010101")
    assert "聊城市人民医院" in history and "王老师" in history
    rate = await s.say(WANG, "/rate")
    assert "核查：本人确认 1 · 材料 0 · 核实 0 · 未核查 0" in rate and "待审核" not in rate, rate


async def test_return_with_a_button_reason_and_with_a_replied_reason(school: School) -> None:  # noqa: F811
    s = school
    await s.bind(GRAD, "2023010101")
    await s.bind(GRAD2, "2023010102")
    await s.say(GRAD, LINE)
    await s.say(GRAD2, "升学 聊城大学")
    cards = (await s.ask(WANG, "/review", count=3))[1:]
    first = cards[0]
    prompt = (await s.h.emu.wait_for(WANG, 1, since=_press(s, WANG, first, "退回")))[-1]
    assert prompt.text == f"请选择退回原因，或直接回复一句原因： #{first.button_data('退回').split(':')[2]}"
    since = s.h.emu.mark(GRAD)
    s.h.emu.press_button(WANG, prompt, prompt.button_data("信息不完整"))
    told = await s.h.emu.wait_for(GRAD, 1, since=since)
    assert told[-1].text == "您上报的去向被退回：信息不完整\n请修改后重新发送。"
    assert code_of(s.h, "2023010101") == (0, None)
    second = cards[1]
    prompt2 = (await s.h.emu.wait_for(WANG, 1, since=_press(s, WANG, second, "退回")))[-1]
    since = s.h.emu.mark(GRAD2)
    s.h.emu.inject({"message": {
        "message_id": 90001, "from": {"id": WANG, "is_bot": False, "first_name": "王"}, "chat": {"id": WANG, "type": "private"},
        "date": s.stamp(), "text": "学校名称请写全称",
        "reply_to_message": prompt2.message,
    }})  # fmt: skip
    told2 = await s.h.emu.wait_for(GRAD2, 1, since=since)
    assert told2[-1].text == "您上报的去向被退回：学校名称请写全称\n请修改后重新发送。"
    me = await s.say(GRAD2, "/me")
    assert "你上次的上报被退回：学校名称请写全称" in me


def _press(s: School, user: int, message, label: str) -> int:  # type: ignore[no-untyped-def]
    since = s.h.emu.mark(user)
    s.h.emu.press_button(user, message, message.button_data(label))
    return since


async def test_a_staff_update_supersedes_the_pending_report(school: School) -> None:  # noqa: F811
    s = school
    await s.bind(GRAD, "2023010101")
    await s.say(GRAD, LINE)
    since = s.h.emu.mark(GRAD)
    await s.say(WANG, "2023010101 升学 聊城大学")
    told = await s.h.emu.wait_for(GRAD, 1, since=since)
    assert told[-1].text.startswith("辅导员已为您更新了去向")
    assert "没有待审核" in await s.say(WANG, "/review")
    assert code_of(s.h, "2023010101") == (80, None)


async def test_forged_and_copied_review_buttons_change_nothing(school: School) -> None:  # noqa: F811
    s = school
    await s.bind(GRAD, "2023010101")
    await s.bind(GRAD2, "2023010102")
    await s.say(GRAD, LINE)
    card = (await s.ask(WANG, "/review", count=2))[1]
    before = db_snapshot(s.h)
    data = card.button_data("通过")
    for presser, expected in (
        (LI, "这个按钮已失效，请重新发送命令。"),
        (GRAD2, "这个按钮不是给您的。"),
        (GRAD, "这个按钮不是给您的。"),
    ):
        answers = len(s.h.emu.callback_answers)
        s.h.emu.press_button(presser, card, data)
        assert await wait_callback_answer(s, answers) == expected
    answers = len(s.h.emu.callback_answers)
    s.h.emu.press_button(STRANGER, card, data)
    await wait_callback_answer(s, answers)
    for forged in ("rv:ok:999999", "rv:ok:-1", "rv:why:999999:../../", "rv:ok", "rv:ok:1e9"):
        answers = len(s.h.emu.callback_answers)
        s.h.emu.press_button(WANG, card, forged)
        assert await wait_callback_answer(s, answers) == "这个按钮已失效，请重新发送命令。"
    assert db_snapshot(s.h) == before
    assert "待审核 1" in await s.say(WANG, "/rate")
