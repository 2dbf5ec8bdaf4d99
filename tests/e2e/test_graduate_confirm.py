"""§10 item 4 end to end: /confirm asks bound graduates about staff-recorded destinations; 正确
confirms that entry, a later change clears it; copied buttons confirm nothing."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Confirmation
from tests.e2e.test_core_loop import WANG
from tests.e2e.test_graduate_links import School, school  # noqa: F401  (fixture)
from tests.e2e.test_graduate_review import wait_callback_answer

G1, G2, G3, G4 = 5101, 5102, 5103, 5104


async def test_confirm_asks_only_unconfirmed_staff_records_and_a_change_clears_it(school: School) -> None:  # noqa: F811
    s = school
    await s.say(WANG, "2023010101 签劳动合同 甲医院\n2023010102 升学 聊城大学")
    for user, sid in ((G1, "2023010101"), (G2, "2023010102"), (G3, "2023010103"), (G4, "2023010104")):
        await s.bind(user, sid)
    await s.say(G4, "升学 山东大学")  # G4's own report, approved: confirmed already
    card = (await s.ask(WANG, "/review", count=2))[1]
    since = s.h.emu.mark(G4)
    s.h.emu.press_button(WANG, card, card.button_data("通过"))
    assert (await s.h.emu.wait_for(G4, 1, since=since))[-1].text.startswith("您上报的去向已通过审核")
    marks = {u: s.h.emu.mark(u) for u in (G1, G2, G3, G4)}
    summary = (await s.ask(WANG, "/confirm"))[-1]
    assert summary.text == "已向 2 名毕业生发送确认请求（2 人无需确认，0 人未能送达）。"
    asked = (await s.h.emu.wait_for(G1, 1, since=marks[G1]))[-1]
    assert asked.text == "辅导员为你登记的毕业去向：签劳动合同形式就业 · 甲医院（2026-11-25）\n是否正确？"
    assert [label for label, _ in asked.buttons] == ["正确", "有误，我来更新"]
    assert s.h.emu.mark(G3) == marks[G3] and s.h.emu.mark(G4) == marks[G4]  # nothing to confirm

    copied = asked.button_data("正确")
    g2_question = (await s.h.emu.wait_for(G2, 1, since=marks[G2]))[-1]
    since = s.h.emu.mark(G2)
    s.h.emu.press_button(G2, g2_question, copied)  # G1's button data, pressed in G2's chat: not their entry
    assert (await s.h.emu.wait_for(G2, 1, since=since))[-1].text.startswith("去向已变更，这个确认按钮已失效")
    answers = len(s.h.emu.callback_answers)
    wang_message = s.h.emu.messages_to(WANG)[-1]
    s.h.emu.press_button(WANG, wang_message, copied)  # staff: not theirs either
    assert await wait_callback_answer(s, answers) == "这个按钮已失效，请重新发送命令。"
    with s.h.service.db.read() as session:
        assert len(session.exec(select(Confirmation)).all()) == 1  # only G4's approved report

    since = s.h.emu.mark(G1)
    s.h.emu.press_button(G1, asked, copied)
    assert (await s.h.emu.wait_for(G1, 1, since=since))[-1].text == "已确认，谢谢！"
    me = (await s.ask(G1, "/me"))[-1]
    assert "核查状态：本人已确认" in (me.text or "") and "确认无误" not in [label for label, _ in me.buttons]
    assert "核查：本人确认 2 · 材料 0 · 核实 0 · 未核查 1" in await s.say(WANG, "/rate")

    await s.say(WANG, "2023010101 签劳动合同 乙医院")  # a change: the confirmation stays with the old entry
    me = (await s.ask(G1, "/me"))[-1]
    assert "核查状态：未核查" in (me.text or "") and "确认无误" in [label for label, _ in me.buttons]
    since = s.h.emu.mark(G1)
    s.h.emu.press_button(G1, asked, copied)  # the old question's button is stale now
    assert (await s.h.emu.wait_for(G1, 1, since=since))[-1].text.startswith("去向已变更")
    since = s.h.emu.mark(G2)
    s.h.emu.press_button(G2, g2_question, g2_question.button_data("有误"))
    assert (await s.h.emu.wait_for(G2, 1, since=since))[-1].text.startswith("请直接发送您的毕业去向")


async def test_confirm_counts_a_graduate_who_blocked_the_bot_and_waits_out_a_429(school: School) -> None:  # noqa: F811
    s = school
    await s.say(WANG, "2023010101 签劳动合同 甲医院\n2023010102 升学 聊城大学")
    await s.bind(G1, "2023010101")
    await s.bind(G2, "2023010102")
    s.h.emu.fail_next(G1, status=403)
    s.h.emu.fail_next(G2, status=429, retry_after=1)
    mark = s.h.emu.mark(G2)
    summary = (await s.ask(WANG, "/confirm", timeout=60))[-1]
    assert summary.text == "已向 1 名毕业生发送确认请求（0 人无需确认，1 人未能送达）。"
    assert (await s.h.emu.wait_for(G2, 1, since=mark))[-1].text.startswith("辅导员为你登记的毕业去向：升学")
