"""Issue 20 ("the first hour"), items 1–5, 7 and 8, end to end through the emulator on a fixed
clock: a 2026 cohort on Thursday 2026-09-10, with domain.md's default targets (next: 12-15, 94 %)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.sandbox.emulator import SentMessage
from storage.models import DestinationEntry
from tests.e2e.conftest import BotHarness, start_bot, stop_bot

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2026, 9, 10, 10, 0, tzinfo=TZ)
ADMIN, HEAD, WANG, LI, OTHER = 1001, 2001, 3001, 3002, 3003

# 护理学院: 护理 7 (王老师), 助产 6 (王老师 3, 赵老师 3); 信息工程学院: 软件技术 7 (李老师). 20 graduates.
ROWS = (
    [("护理学院", "护理", "护理2601班", "王老师", "王")] * 7
    + [("护理学院", "助产", "助产2601班", "王老师", "陈")] * 3
    + [("护理学院", "助产", "助产2601班", "赵老师", "刘")] * 3
    + [("信息工程学院", "软件技术", "软件2601班", "李老师", "杨")] * 7
)
NAMES = "伟芳娜敏静强磊军洋勇艳杰娟涛明超秀霞平刚"


def roster_csv() -> bytes:
    lines = ["学号,姓名,院系,专业,班级,学历,性别,辅导员"]
    for i, (department, major, class_name, counsellor, surname) in enumerate(ROWS):
        lines.append(
            f"20260101{i + 1:02d},{surname}{NAMES[i]},{department},{major},{class_name},专科,女,{counsellor}"
        )
    return "\n".join(lines).encode("utf-8-sig")


def sid(i: int) -> str:
    return f"20260101{i:02d}"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class ClockedHarness(BotHarness):
    """Messages are sent at the service clock's time (a line's default date is its message's)."""

    clock: Clock = field(default_factory=lambda: Clock(THURSDAY))

    async def ask(
        self, user_id: int, text: str, *, count: int = 1, timeout: float = 30.0, **kwargs: object
    ) -> list[SentMessage]:
        kwargs.setdefault("date", int(self.clock.moment.timestamp()))
        return await super().ask(user_id, text, count=count, timeout=timeout, **kwargs)


async def open_school(db_url: str, clock: Clock, **settings: object) -> ClockedHarness:
    emu, service, application = await start_bot(db_url, clock=clock, **settings)
    h = ClockedHarness(emu, service, application, clock)
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    h.service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
    h.service.access.grant(WANG, "counsellor", name="王老师")
    h.service.access.grant(LI, "counsellor", name="李老师")
    h.service.access.grant(OTHER, "counsellor", name="赵老师")
    imported = await h.upload(ADMIN, "roster.csv", roster_csv(), caption="/import 2026")
    assert "新增 20" in imported, imported
    return h


@pytest.fixture
async def school(db_url: str) -> AsyncIterator[tuple[ClockedHarness, Clock]]:
    clock = Clock(THURSDAY)
    h = await open_school(db_url, clock)
    try:
        yield h, clock
    finally:
        await stop_bot(h.emu, h.service, h.application)


def entries(h: BotHarness) -> int:
    with h.service.db.read() as session:
        return session.exec(select(func.count()).select_from(DestinationEntry)).one()


def state_of(h: BotHarness, student_id: str) -> tuple[int, str | None]:
    with h.service.db.read() as session:
        state = next(s for s in h.service.snapshots.current(session) if s.student_id == student_id)
    return state.code, state.substate


# ---------------------------------------------------------------- 1. 考研 is asked, not guessed


async def test_kaoyan_is_asked_with_buttons_and_applied_once(school: tuple[BotHarness, Clock]) -> None:
    h, _ = school
    replies = await h.ask(WANG, f"{sid(3)} 考研\n{sid(1)} 合同 甲医院", count=2)
    summary, question = replies[0].text or "", replies[1]
    assert "已更新 1 条" in summary and "待确认 1 条" in summary, summary
    assert state_of(h, sid(3)) == (0, None)  # nothing applied for the 考研 line
    assert state_of(h, sid(1)) == (11, None)  # the rest of the message is applied as usual
    assert [label for label, _ in question.buttons] == ["升学 80", "不就业拟升学 71"], question.buttons
    assert "考研" in (question.text or "") and "选择之前不记录任何内容" in (question.text or "")
    before = entries(h)

    # another user pressing the same button (forged: the data is the asker's) gets nothing
    h.emu.press_button(OTHER, question, question.button_data("升学 80"))
    assert "毕业去向落实率" in await h.say(OTHER, "/rate")
    assert entries(h) == before and state_of(h, sid(3)) == (0, None)

    since = h.emu.mark(WANG)
    h.emu.press_button(WANG, question, question.button_data("不就业拟升学 71"))
    done = await h.emu.wait_for(WANG, 2, since=since)
    assert done[0].method == "editMessageText" and "已选择：不就业拟升学 71" in (done[0].text or ""), done
    assert "已更新 1 条" in (done[1].text or ""), done[1].text
    assert state_of(h, sid(3)) == (71, None)
    assert entries(h) == before + 1

    # a double press, and a press on the other button afterwards, record nothing more
    h.emu.press_button(WANG, question, question.button_data("不就业拟升学 71"))
    h.emu.press_button(WANG, question, question.button_data("升学 80"))
    assert "毕业去向落实率" in await h.say(WANG, "/rate")
    assert entries(h) == before + 1 and state_of(h, sid(3)) == (71, None)
    answers = [a.get("text") or "" for a in h.emu.callback_answers]
    assert sum("已经回答过" in a for a in answers) == 2, answers


async def test_kaoyan_stale_question_applies_nothing(school: tuple[BotHarness, Clock]) -> None:
    h, _ = school
    question = (await h.ask(WANG, f"{sid(4)} 考研", count=2))[1]
    await h.say(WANG, f"{sid(4)} 升学 聊城大学")  # answered by a new line meanwhile
    before = entries(h)
    since = h.emu.mark(WANG)
    h.emu.press_button(WANG, question, question.button_data("不就业拟升学 71"))
    done = await h.emu.wait_for(WANG, 2, since=since)
    assert "已有新的记录" in (done[-1].text or ""), done[-1].text
    assert entries(h) == before and state_of(h, sid(4)) == (80, None)


async def test_kaoyan_in_a_file_is_rejected_with_the_readings(school: tuple[BotHarness, Clock]) -> None:
    h, _ = school
    reply = await h.upload(WANG, "updates.csv", f"学号,去向\n{sid(5)},考研\n{sid(6)},升学\n".encode())
    assert "升学 / 不就业拟升学" in reply and "已更新 1 条" in reply, reply
    assert state_of(h, sid(5)) == (0, None)


# ---------------------------------------------------------------- 2. graduates still needed, one rule


def gap_figures(reply: str) -> tuple[int, int, int, int]:
    """(placed, total, target %, needed) as the reply prints them."""
    counts = re.search(r"已落实 (\d+)/(\d+)", reply)
    gap = re.search(r"目标 (\d+)%）：还差 (\d+) 人", reply)
    assert counts and gap, reply
    return int(counts.group(1)), int(counts.group(2)), int(gap.group(1)), int(gap.group(2))


async def test_graduates_needed_agrees_with_its_own_line(school: tuple[BotHarness, Clock]) -> None:
    h, _ = school
    await h.say(LI, f"{sid(14)} 合同 甲公司\n{sid(15)} 合同 乙公司")
    school_rate = await h.say(ADMIN, "/rate")
    placed, total, target, needed = gap_figures(school_rate)
    assert (placed, total, target) == (2, 20, 94), school_rate
    # ceil(0.94 × 20) − 2 = 17 (the sum of the departments' own gaps would be 13 + 5 = 18)
    assert needed == -(-total * target // 100) - placed == 17, school_rate
    head = await h.say(HEAD, "/rate")
    assert gap_figures(head) == (0, 13, 94, 13), head  # ceil(12.22) − 0
    digest = (await h.ask(ADMIN, "/digest", count=2))[0].text or ""
    assert "下一节点 12-15（目标 94%）：还差 17 人" in digest, digest
    software = await h.say(LI, "/rate")
    assert gap_figures(software) == (2, 7, 94, 5), software


# ---------------------------------------------------------------- 8. a bare date is the effective date


async def test_bare_date_in_a_line_is_its_date_not_its_note(school: tuple[BotHarness, Clock]) -> None:
    h, _ = school
    reply = await h.say(WANG, f'{sid(2)} 求职中 9月1日\n{sid(3)} 求职中 9月31日\n{sid(4)} 求职中 "9月1日"')
    assert "已更新 2 条" in reply and "未通过 1 条" in reply, reply
    assert "第 2 行" in reply and "无法识别的日期“9月31日”" in reply, reply
    record = await h.say(WANG, f"/student {sid(2)}")
    assert "2026-09-01 待就业·求职中" in record and "9月1日" not in record, record
    quoted = await h.say(WANG, f"/student {sid(4)}")
    assert "2026-09-10 待就业·求职中 · 9月1日" in quoted, quoted  # quoted: kept as the note


# ---------------------------------------------------------------- 7. words that go nowhere


async def test_school_scope_suggestions_and_bad_dates(school: tuple[ClockedHarness, Clock]) -> None:
    h, _ = school
    whole = await h.say(ADMIN, "/rate 全校")
    assert whole.startswith("全校 · 2026届") and "已落实 0/20" in whole, whole
    english = await h.say(ADMIN, "/rate school", language_code="en")
    assert english.startswith("whole school · cohort 2026") and "placed 0/20" in english, english
    assert (await h.say(ADMIN, "/rate all")).startswith("全校 · 2026届")
    typo = await h.say(ADMIN, "/rate 助铲")
    assert typo == "找不到“助铲”。您是不是要找：助产？", typo
    for bad in ("2023-13-01", "9月31日"):
        reply = await h.say(ADMIN, f"/rate {bad}")
        assert reply == f"“{bad}”不是有效的日期（例如 2026-09-01、9-01、9月1日）。", reply
    usage = await h.say(ADMIN, "/rates")
    assert "院系、专业、大类、班级、学历、性别、群体、辅导员" in usage, usage


async def test_unplaced_page_number_and_student_by_surname(db_url: str) -> None:
    clock = Clock(THURSDAY)
    h = await open_school(db_url, clock, pii_in_chat="masked")
    try:
        lines = ["学号,姓名,院系,专业,班级,辅导员"] + [
            f"20269{i:05d},学生{i},护理学院,护理,护理2699班,王老师" for i in range(60)
        ]
        assert "新增 60" in await h.upload(
            ADMIN, "more.csv", "\n".join(lines).encode(), caption="/import 2026"
        )
        page_two = await h.say(WANG, "/unplaced 2")
        assert "第 2/2 页" in page_two, page_two
        surname = await h.say(WANG, "/student 王")
        assert surname.startswith("“王”：您的范围内有 7 人"), surname
        assert "王*" in surname and "…0101" in surname and "王伟" not in surname, surname  # masked mode
        assert len(surname.splitlines()) == 8
        outside = await h.say(LI, "/student 王")  # 李老师's scope holds no 王
        assert "找不到" in outside, outside
    finally:
        await stop_bot(h.emu, h.service, h.application)


# ---------------------------------------------------------------- 5. backdated entries show this week


async def test_backdated_entry_shows_as_recorded_this_week(school: tuple[ClockedHarness, Clock]) -> None:
    h, clock = school
    await h.say(WANG, f"{sid(1)} 合同 甲医院 日期=2026-09-01\n{sid(2)} 升学 聊城大学")
    rate = await h.say(WANG, "/rate")
    assert "已落实 2/10" in rate, rate
    # by destination date the 9-01 placement lies before the window: only 聊城大学 (today) moves it
    assert "近 7 天（按去向日期）：+10.00 个百分点（7 天前 10.00%）" in rate, rate
    recorded = "近 7 天录入：2 条（2 人），其中补录 1 条（日期早于 9-04）；按录入时间 0.00% → 20.00%（+20.00 个百分点）"
    assert recorded in rate, rate
    digest = (await h.ask(WANG, "/digest"))[0].text or ""
    assert recorded in digest, digest
    english = await h.say(WANG, "/rate", language_code="en")
    assert "by recording time 0.00% → 20.00% (+20.00 pts)" in english and "1 dated before 9-04" in english, (
        english
    )

    clock.moment = datetime(2026, 9, 18, 10, 0, tzinfo=TZ)  # a week later: nothing new recorded
    later = await h.say(WANG, "/rate")
    assert "近 7 天无新录入。" in later, later


# ---------------------------------------------------------------- 4. /kpi labels and ranking


async def test_kpi_is_labelled_with_the_counsellors_scope_and_ranks_properly(
    school: tuple[ClockedHarness, Clock],
) -> None:
    h, _ = school
    await h.say(
        ADMIN,
        f"{sid(1)} 合同 甲 日期=2026-06-01\n{sid(2)} 合同 乙 日期=2026-06-01\n{sid(8)} 升学 丙 日期=2026-06-01",
    )
    wang = await h.say(WANG, "/kpi")
    assert wang.startswith("王老师 · 2026届 · KPI\n【王老师】\n"), wang  # her 10, not 【护理学院】
    assert "【护理学院】" not in wang and "(3/10)" in wang, wang
    part = await h.say(WANG, "/kpi 助产")
    assert part.startswith("助产（仅您范围内的部分） · 2026届 · KPI"), part
    head = await h.say(HEAD, "/kpi")
    # 6-15 and 8-15 are scored (0 points each: far below); 12-15 is not reached on 9-10
    assert "12-15 专科 28.57% (2/7) 目标 94% · 差5 · 得分 —（截至 9-10，节点未到）" in head, head
    ranking = head.split("排名")[1].splitlines()
    assert ranking[0] == "（得分相同时依次按 8-15、9-10 的落实率）：", head
    assert ranking[1:3] == [
        "1. 护理 0/20 · 8-15 28.57% · 9-10 28.57%",
        "2. 助产 0/20 · 8-15 16.67% · 9-10 16.67%",
    ], head


# ---------------------------------------------------------------- 3. /targets replaces only what is sent


async def test_targets_line_replaces_only_its_own_row_and_full_replacement_asks(
    school: tuple[ClockedHarness, Clock],
) -> None:
    h, _ = school
    saved = await h.say(ADMIN, "/targets\ncheckpoint,degree,target\n12-15,专科,90")
    assert saved.startswith(
        "已保存 2026届 的目标：新增 0 条、修改 1 条、未变 0 条；未发送的 11 条保持不变。"
    ), saved
    assert "06-15,专科,80" in saved and "12-15,专科,90" in saved and "12-15,本科,94" in saved, saved
    assert "下一节点 12-15（目标 90%）：还差 18 人" in await h.say(ADMIN, "/rate")

    ask = (await h.ask(ADMIN, "/targets replace\ncheckpoint,degree,target\n06-15,专科,80"))[-1]
    assert ask.text == "将用这 1 条替换 2026届 的全部 12 条目标（未列出的节点将被删除）。确认吗？", ask.text
    assert "12-15,专科,90" in await h.say(ADMIN, "/targets")  # nothing replaced before the press
    h.emu.press_button(HEAD, ask, ask.button_data("确认全部替换"))  # not hers to press
    assert "12-15,专科,90" in await h.say(ADMIN, "/targets")
    since = h.emu.mark(ADMIN)
    h.emu.press_button(ADMIN, ask, ask.button_data("确认全部替换"))
    done = await h.emu.wait_for(ADMIN, 1, since=since)
    assert "已保存 2026届 的 1 条目标" in (done[-1].text or ""), done
    h.emu.press_button(ADMIN, ask, ask.button_data("确认全部替换"))  # a second press: expired
    shown = await h.say(ADMIN, "/targets")
    assert "06-15,专科,80" in shown and "12-15" not in shown, shown
    assert "失效" in (h.emu.callback_answers[-1].get("text") or "")


async def test_cards_show_the_rate_and_day_they_were_judged_on(school: tuple[ClockedHarness, Clock]) -> None:
    h, _ = school
    await h.say(ADMIN, f"{sid(1)} 合同 甲 日期=2026-07-01\n{sid(2)} 合同 乙 日期=2026-07-01")
    # the only checkpoint is 6-15: every major is judged on its 6-15 rate (0.00 %), not today's
    ask = (await h.ask(ADMIN, "/targets replace\ncheckpoint,degree,target\n06-15,专科,80"))[-1]
    since = h.emu.mark(ADMIN)
    h.emu.press_button(ADMIN, ask, ask.button_data("确认全部替换"))
    await h.emu.wait_for(ADMIN, 1, since=since)
    table = await h.say(ADMIN, "/rates 专业")
    nursing = next(line for line in table.splitlines() if " 护理 " in f" {line} ")
    assert nursing.endswith("28.57%  (2/7) 🟥红牌（6-15 0.00%）"), table
    digest = (await h.ask(HEAD, "/digest", count=2))[0].text or ""
    assert "红黄牌预警：助产（红牌，6-15 0.00%）、护理（红牌，6-15 0.00%）" in digest, digest
