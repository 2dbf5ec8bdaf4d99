"""§10 items 1–2 end to end: personal links (workbook with QR codes, single use, expiry, re-issue,
/unbind), binding, and the graduate's side (/me; every staff command refused in one line)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlmodel import select

from storage.models import GraduateBinding, GraduateLink
from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.e2e.test_core_loop import ADMIN, HEAD, LI, WANG, setup_school

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
GRAD, GRAD2, OTHER = 5001, 5002, 5003  # Telegram accounts of graduates


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


class School:
    """A harness whose messages carry the fixed clock's time."""

    def __init__(self, h: BotHarness, clock: Clock) -> None:
        self.h = h
        self.clock = clock

    def stamp(self) -> int:
        return int(self.clock.moment.timestamp())

    async def say(self, user_id: int, text: str, **kwargs: object) -> str:
        return await self.h.say(user_id, text, date=self.stamp(), **kwargs)

    async def ask(self, user_id: int, text: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return await self.h.ask(user_id, text, date=self.stamp(), **kwargs)

    async def links(self, user_id: int, scope: str = "") -> dict[str, str | None]:
        """/invite graduates → {学号: link or None (bound)} read from the workbook."""
        sent = (await self.ask(user_id, f"/invite graduates {scope}".strip()))[-1]
        assert sent.method == "sendDocument", sent.text
        book = openpyxl.load_workbook(io.BytesIO(sent.file_bytes or b""))
        rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
        return {str(r[0]): (None if r[3] == "已绑定" else str(r[3])) for r in rows}

    async def bind(self, user_id: int, student_id: str, by: int = WANG) -> str:
        link = (await self.links(by))[student_id]
        assert link is not None
        replies = await self.ask(user_id, f"/start {token_of(link)}", count=2)
        return "\n".join(r.text or "" for r in replies)


def token_of(link: str) -> str:
    return link.rsplit("start=", 1)[1]


@pytest.fixture
async def school(db_url: str) -> AsyncIterator[School]:
    clock = Clock(START)
    emu, service, application = await start_bot(db_url, clock=clock)
    h = BotHarness(emu, service, application)
    try:
        await setup_school(h)
        yield School(h, clock)
    finally:
        await stop_bot(emu, service, application)


async def test_counsellor_gets_a_workbook_of_links_and_qr_codes(school: School) -> None:
    s = school
    sent = (await s.ask(WANG, "/invite graduates"))[-1]
    assert sent.method == "sendDocument" and "已生成 6 个个人链接" in (sent.text or ""), sent.text
    book = openpyxl.load_workbook(io.BytesIO(sent.file_bytes or b""))
    links, codes = book.worksheets
    rows = list(links.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == [
        "2023010101",
        "2023010102",
        "2023010103",
        "2023010104",
        "2023010201",
        "2023010202",
    ]
    assert all(str(r[3]).startswith("https://t.me/placement_demo_bot?start=") for r in rows)
    assert len(codes._images) == 6  # one QR code per graduate
    labels = {c.value for row in codes.iter_rows() for c in row if c.value}
    assert "张伟 2023010101" in labels and "刘洋 2023010201" in labels
    with s.h.service.db.read() as session:
        stored = session.exec(select(GraduateLink)).all()
    tokens = {token_of(str(r[3])) for r in rows}
    assert len(stored) == 6 and not {link.token_hash for link in stored} & tokens  # only hashes are kept


async def test_a_link_binds_once_and_the_graduate_sees_only_their_record(school: School) -> None:
    s = school
    links = await s.links(WANG)
    link = links["2023010102"]
    assert link is not None
    await s.say(WANG, "2023010102 升学 聊城大学")
    greeting = "\n".join(r.text or "" for r in await s.ask(GRAD, f"/start {token_of(link)}", count=2))
    assert "绑定成功" in greeting and "李娜同学（2023010102）" in greeting, greeting
    assert "升学" in greeting and "聊城大学" in greeting and "王老师登记" in greeting and "未核查" in greeting
    card = (await s.ask(GRAD, "/me"))[-1]
    assert [label for label, _ in card.buttons] == ["确认无误", "更新去向", "上传材料"]
    again = await s.say(OTHER, f"/start {token_of(link)}")
    assert again == "该链接已被使用。如需重新绑定，请联系辅导员。"
    assert "无效" in await s.say(OTHER, "/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")  # guessed
    assert s.h.service.access.actor(OTHER) is None
    relisted = await s.links(WANG)
    assert relisted["2023010102"] is None  # bound: listed as bound, no link


@pytest.mark.parametrize(
    "command",
    [
        "/rate",
        "/rates 专业",
        "/unplaced",
        "/student 2023010101",
        "/export",
        "/undo",
        "/invite graduates",
        "/review",
        "/settings",
        "/digest",
        "/kpi",
        "/users",
        "/unbind 2023010101",
    ],
)
async def test_every_staff_command_answers_a_graduate_in_one_line(school: School, command: str) -> None:
    s = school
    await s.bind(GRAD, "2023010101")
    replies = await s.ask(GRAD, command)
    assert [r.text for r in replies] == ["该命令仅供就业工作人员使用。发送 /me 查看您本人的记录。"]


async def test_graduate_in_a_group_gets_the_staff_line_and_no_figures(school: School) -> None:
    s = school
    await s.bind(GRAD, "2023010101")
    reply = await s.say(GRAD, "/rate", chat_type="group", chat_id=-777)
    assert reply == "该命令仅供就业工作人员使用。发送 /me 查看您本人的记录。"


async def test_reissue_cancels_the_old_link_and_expiry_and_unbind(school: School) -> None:
    s = school
    old = (await s.links(WANG))["2023010103"]
    new = (await s.links(WANG))["2023010103"]
    assert old and new and old != new
    assert "已作废" in await s.say(GRAD, f"/start {token_of(old)}")
    s.clock.moment = START + timedelta(days=31)
    assert "已过期（有效期 30 天）" in await s.say(GRAD, f"/start {token_of(new)}")
    fresh = (await s.links(HEAD, "护理2301班"))["2023010103"]
    assert fresh is not None
    assert "绑定成功" in (await s.ask(GRAD, f"/start {token_of(fresh)}", count=2))[0].text
    assert await s.say(LI, "/unbind 2023010103") == "在您的范围内找不到学号或姓名“2023010103”。"
    assert "已解除 王芳 的绑定" in await s.say(WANG, "/unbind 2023010103")
    assert s.h.service.access.actor(GRAD) is None
    assert "仅供本校就业工作人员使用" in await s.say(GRAD, "/me")
    again = (await s.links(WANG))["2023010103"]
    assert again is not None
    assert "绑定成功" in (await s.ask(GRAD, f"/start {token_of(again)}", count=2))[0].text


async def test_staff_account_cannot_bind_and_graduate_cannot_take_staff_invite(school: School) -> None:
    s = school
    link = (await s.links(WANG))["2023010104"]
    assert link is not None
    assert "工作人员账号" in await s.say(LI, f"/start {token_of(link)}")
    await s.bind(GRAD, "2023010101")
    invite = await s.say(ADMIN, "/invite counsellor 新老师 班级:护理2301班")
    refused = await s.ask(GRAD, f"/start {token_of(invite)}", count=2)
    assert refused[0].text == "您的账号已绑定一名毕业生。"
    assert s.h.service.access.actor(GRAD).role == "graduate"  # type: ignore[union-attr]
    assert (
        "新老师" in (await s.ask(OTHER, f"/start {token_of(invite)}"))[0].text
    )  # the invite was not used up
    with s.h.service.db.read() as session:
        assert len(session.exec(select(GraduateBinding)).all()) == 1


async def test_counsellor_links_cover_only_their_scope(school: School) -> None:
    s = school
    assert set(await s.links(LI)) == {"2023020101", "2023020102", "2023020103", "2023020104"}
    refused = await s.say(LI, "/invite graduates 护理2301班")
    assert "不在您的权限范围内" in refused, refused


async def test_a_graduate_sending_something_else_gets_the_hint(school: School) -> None:
    s = school
    await s.bind(GRAD, "2023010101")
    since = s.h.emu.mark(GRAD)
    s.h.emu.inject({"message": {
        "message_id": 777001, "from": {"id": GRAD, "is_bot": False, "first_name": "张"},
        "chat": {"id": GRAD, "type": "private"}, "date": s.stamp(),
        "location": {"latitude": 36.45, "longitude": 115.98},
    }})  # fmt: skip
    hint = (await s.h.emu.wait_for(GRAD, 1, since=since))[-1].text or ""
    assert hint.startswith("发送您的毕业去向（不写学号）")
