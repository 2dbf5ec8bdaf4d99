"""Invites end to end (#8 items 4 and 5): /invites lists and cancels, a revoked head's invite is
dead, a head cannot invite for a class of another department in a past cohort; a button made for
one user does nothing for another."""

from __future__ import annotations

from bot.services import SYSTEM
from tests.e2e.conftest import BotHarness, eventually
from tests.e2e.test_core_loop import ADMIN, HEAD, WANG, setup_school

ROSTER_2022 = """学号,姓名,院系,专业,班级,学历,辅导员
2022020101,杨磊,信息工程学院,软件技术,软件2201班,专科,李老师
2022010101,张伟,护理学院,护理,护理2201班,专科,王老师
"""


def token_of(link: str) -> str:
    return link.rsplit("start=", 1)[1].strip()


async def test_admin_lists_and_cancels_invites(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    link = await h.say(HEAD, "/invite counsellor 赵老师 班级:助产2301班")
    token = token_of(link)
    listing = await h.say(ADMIN, "/invites")
    assert "赵老师" in listing and "护理主任" in listing and "到期" in listing, listing
    assert token not in listing
    invite_id = listing.split("#", 1)[1].split()[0]
    assert "赵老师" in await h.say(HEAD, "/invites")  # a head lists the invites she made (issue 20)
    assert "无权" in await h.say(3001, "/invites")  # a counsellor lists none
    assert f"邀请 {invite_id} 已作废" in await h.say(ADMIN, f"/invites cancel {invite_id}")
    assert "没有未使用的邀请" in await h.say(ADMIN, "/invites")
    refused = await h.say(4001, f"/start {token}")
    assert "无效" in refused, refused
    assert "没有编号" in await h.say(ADMIN, f"/invites cancel {invite_id}")
    assert "用法" in await h.say(ADMIN, "/invites cancel ²")


async def test_revoked_heads_invite_is_dead(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    token = token_of(await h.say(HEAD, "/invite counsellor 赵老师 班级:助产2301班"))
    assert h.service.access.revoke(HEAD)
    refused = await h.say(4001, f"/start {token}")
    assert "无效" in refused, refused
    assert h.service.access.actor(4001) is None


async def test_head_cannot_invite_for_another_departments_past_class(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    result = h.service.roster.import_roster(ROSTER_2022.encode(), "roster.csv", actor=SYSTEM, cohort=2022)
    assert result.ok
    refused = await h.say(HEAD, "/invite counsellor 新老师 班级:软件2201班")
    assert "不在您的范围内" in refused and "start=" not in refused, refused
    own = await h.say(HEAD, "/invite counsellor 新老师 班级:护理2201班")
    assert "start=" in own, own


async def test_a_button_made_for_one_user_does_nothing_for_another(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    message = (await h.ask(ADMIN, "/rate 护"))[-1]
    data = message.button_data(next(label for label, _ in message.buttons if label.endswith(": 护理")))
    since = h.emu.mark(WANG)
    h.emu.press_button(WANG, message, data)  # WANG never got these buttons
    # the press (in ADMIN's chat) and WANG's /rate run concurrently: wait for the press's answer
    await eventually(lambda: bool(h.emu.callback_answers), "the press to be answered")
    assert "失效" in (h.emu.callback_answers[-1].get("text") or "")
    rate = await h.say(WANG, "/rate")
    assert rate.startswith("王老师 · 2023届"), rate  # WANG's own scope: the press did not answer for ADMIN's
    assert h.emu.mark(WANG) - since == 1  # only the /rate answer; the foreign press answered nothing
