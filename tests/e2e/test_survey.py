"""End to end through the emulator: /survey open invites several hundred bound graduates, they
answer with the buttons (ticks, 上一题, changed answers), and the report's 自主评价 sheet holds
exactly what they pressed — every count, share and mean, for the school and each department."""

from __future__ import annotations

import asyncio
import io
import random
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.sandbox.emulator import SentMessage
from bot.services import SYSTEM
from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.survey_helpers import ADMIN, bind_all

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GRADUATES = 300
BASE = 800_000
DEPARTMENTS = ("护理学院", "药学院", "信息工程学院")
NOT_STARTED = {BASE + 7, BASE + 77, BASE + 177}  # never pressed Start: Telegram refuses the invitation
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"

# The default questionnaire as §11 prints it (test data, not read from the bot).
QUESTIONS: dict[str, tuple[str, str, tuple[str, ...], int | None]] = {
    "你觉得当前的就业机会多吗？": ("opportunity", "one", ("非常多", "较多", "一般", "较少", "非常少"), None),
    "从开始求职至今，你累计获得过几个录用通知？": ("offers", "one", ("0个", "1个", "2个", "3个", "4个及以上"), None),
    "影响你求职择业的主要因素（可多选，最多 3 项）": (
        "factors", "many", ("薪资待遇", "个人发展空间", "工作地点", "工作稳定性", "专业对口", "单位性质和规模", "家庭因素", "其他"), 3),
    "你当前的工作与所学专业对口吗？": ("related", "scale", ("很对口", "较对口", "基本对口", "不太对口", "很不对口"), None),
    "你选择与专业不相关工作的原因（可多选）": (
        "unrelated_why", "many", ("个人兴趣", "薪资待遇", "专业相关岗位少", "工作地点", "家庭因素", "其他"), None),
    "你对当前工作岗位的适应情况": ("adapt", "scale", ("很适应", "较适应", "基本适应", "不太适应", "很不适应"), None),
    "你的职业能力对当前工作的满足情况": ("ability", "scale", ("很满足", "较满足", "基本满足", "不太满足", "很不满足"), None),
    "当前工作与你的职业期待吻合吗？": ("expectation", "scale", ("很吻合", "较吻合", "基本吻合", "不太吻合", "很不吻合"), None),
    "你对当前就业情况的总体满意度": ("satisfaction", "scale", ("很满意", "较满意", "基本满意", "不太满意", "很不满意"), None),
    "你目前的税前月收入": ("income", "one", ("3000元以下", "3000–4999元", "5000–6999元", "7000–9999元", "10000元及以上"), None),
    "你对母校的总体满意度": ("school", "scale", ("很满意", "较满意", "基本满意", "不太满意", "很不满意"), None),
}  # fmt: skip
ORDER = [spec[0] for spec in QUESTIONS.values()]
BY_ID = {spec[0]: (text, *spec[1:]) for text, spec in QUESTIONS.items()}


def roster() -> str:
    rows = ["学号,姓名,院系,专业,班级,学历,性别"]
    for i in range(GRADUATES):
        dept = DEPARTMENTS[i % 3]
        rows.append(f"2026{i:06d},毕业生{i},{dept},{dept[:2]},{dept[:2]}2601班,本科,{'女' if i % 5 else '男'}")
    return "\n".join(rows) + "\n"


def destinations() -> str:
    words = ["签劳动合同 某单位", "签就业协议 某医院", "求职中", "升学 某大学", "自由职业", "暂不就业"]
    return "\n".join(f"2026{i:06d} {words[(i * 7) % len(words)]}" for i in range(GRADUATES))


@pytest.fixture
async def survey_bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    # Telegram's ceiling on sending is the invitations' own throttle here; PTB's limiter would pace
    # the graduates' few thousand button answers at 30 requests a second and only slow the test.
    emu, service, application = await start_bot(sqlite_url, clock=lambda: NOW, rate_limit=False)
    h = BotHarness(emu, service, application)
    result = service.roster.import_roster(roster().encode(), "roster.csv", actor=SYSTEM, cohort=2026)
    assert result.ok, result.problems
    service.access.grant(ADMIN, "admin", name="就业中心")
    admin = service.access.actor(ADMIN)
    assert admin is not None
    assert not service.updates.apply_message(admin, destinations(), chat_id=None, message_id=None).rejected
    bind_all(service, {f"2026{i:06d}": 0 for i in range(GRADUATES)}, base=BASE)  # through personal links (§10)
    try:
        yield h
    finally:
        await stop_bot(emu, service, application)


def _press_label(message: SentMessage, label: str) -> str:
    for text, data in message.buttons:
        if data is not None and text.removeprefix("✓ ") == label:
            return data
    raise KeyError(f"{label!r} not in {message.buttons!r}")


async def _press(h: BotHarness, chat: int, message: SentMessage, data: str) -> SentMessage:
    since = h.emu.mark(chat)
    h.emu.press_button(chat, message, data)
    return (await h.emu.wait_for(chat, 1, timeout=60, since=since))[-1]


async def answer(h: BotHarness, chat: int, rng: random.Random) -> dict[str, tuple[int, ...]]:
    """Answer as a person would — sometimes going back and changing an answer — and return what was
    submitted: the last choice at each question on the final path, as pressed."""
    invitation = h.emu.messages_to(chat)[-1]
    screen = await _press(h, chat, invitation, _press_label(invitation, "开始"))
    pressed: dict[str, set[int]] = {}
    path: list[str] = []
    went_back = False
    while True:
        text = screen.text or ""
        if text.startswith("请核对你的回答"):
            if not went_back and len(path) > 1 and rng.random() < 0.3:
                went_back = True
                path.pop()
                screen = await _press(h, chat, screen, _press_label(screen, "上一题"))
                continue
            done = await _press(h, chat, screen, _press_label(screen, "提交"))
            assert done.text == "问卷已提交，谢谢你的参与！", done.text
            return {q: tuple(sorted(pressed[q])) for q in path}
        wording = text.split(" · ", 1)[1].split("\n", 1)[0]
        qid, kind, labels, limit = QUESTIONS[wording]
        if not path or path[-1] != qid:
            path.append(qid)
        if not went_back and len(path) > 2 and rng.random() < 0.08:
            went_back = True
            path.pop()
            screen = await _press(h, chat, screen, _press_label(screen, "上一题"))
            continue
        if kind != "many":
            choice = rng.choices(range(5), weights=(5, 4, 3, 2, 1))[0]
            pressed[qid] = {choice}
            screen = await _press(h, chat, screen, _press_label(screen, labels[choice]))
            continue
        current = pressed.setdefault(qid, set())  # ticks left from an earlier visit (after 上一题)
        wanted = set(rng.sample(range(len(labels)), rng.randint(1, limit or 3)))
        if rng.random() < 0.2 and (limit is None or len(current) < limit):  # tick one more, then untick it
            extra = next(i for i in range(len(labels)) if i not in wanted and i not in current)
            screen = await _press(h, chat, screen, _press_label(screen, labels[extra]))
            screen = await _press(h, chat, screen, _press_label(screen, labels[extra]))
        for option in [*sorted(current - wanted), *sorted(wanted - current)]:  # untick the old, tick the new
            screen = await _press(h, chat, screen, _press_label(screen, labels[option]))
        pressed[qid] = wanted
        screen = await _press(h, chat, screen, _press_label(screen, "完成"))


def _percent(count: int, n: int) -> str:
    return f"{(Decimal(count) * 100 / Decimal(n)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def expected_rows(answers: Mapping[int, dict[str, tuple[int, ...]]], department: Mapping[int, str]) -> list[tuple]:
    """The sheet's rows computed here, independently: (unit, question, item, count, share)."""
    units = [("全校", list(answers))] + [(d, [c for c in answers if department[c] == d]) for d in sorted(DEPARTMENTS)]
    rows: list[tuple] = []
    for unit, chats in units:
        for qid in ORDER:
            text, kind, labels, _ = BY_ID[qid]
            given = [answers[c][qid] for c in chats if qid in answers[c]]
            n = len(given)
            hide = 0 < n < 5
            rows.append((unit, text, "有效回答（N）", "<5" if hide else n, None))
            if hide:
                continue
            counts = [sum(1 for g in given if i in g) for i in range(len(labels))]
            for label, c in zip(labels, counts, strict=True):
                small = 0 < c < 5
                rows.append((unit, text, label, "<5" if small else c, "<5" if small else _percent(c, n) if n else "—"))
            if kind == "scale":
                satisfied = sum(counts[:3])
                small = 0 < satisfied < 5
                rows.append((unit, text, "满意度（前三项）", "<5" if small else satisfied, "<5" if small else _percent(satisfied, n) if n else "—"))
                mean = (Decimal(sum(c * (5 - i) for i, c in enumerate(counts))) / Decimal(n)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if n else "—"
                rows.append((unit, text, "均值（1–5，首项为5）", None, str(mean)))
    return rows


@pytest.mark.timeout(900)
async def test_several_hundred_graduates_answer_and_the_sheet_equals_what_they_pressed(survey_bot: BotHarness) -> None:
    h = survey_bot
    for chat in NOT_STARTED:
        h.emu.fail_next(chat, status=403, description=CANT_INITIATE)
    since = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/survey open")
    replies = await h.emu.wait_for(ADMIN, 2, timeout=240, since=since)
    assert replies[0].text == f"正在向 {GRADUATES} 名毕业生发送调查邀请（全校）…"
    assert replies[1].text is not None and replies[1].text.startswith(
        f"调查邀请已发送 {GRADUATES - 3} 份；3 人尚未在 Telegram 中启动机器人（未按 Start），0 人已停用，0 份发送失败。"
    )
    # opened twice: nobody gets a second invitation
    assert await h.say(ADMIN, "/survey open") == (
        "全校：没有需要发送的毕业生（范围内 300 人，未绑定 0，已完成 0，已邀请过 300）。"
    )
    chats = [BASE + i for i in range(GRADUATES) if BASE + i not in NOT_STARTED]
    assert all(len(h.emu.messages_to(c)) == 1 for c in chats)
    rng = random.Random(2026)
    seeds = {chat: rng.random() for chat in chats}
    answers: dict[int, dict[str, tuple[int, ...]]] = {}

    async def one(chat: int) -> None:
        answers[chat] = await answer(h, chat, random.Random(seeds[chat]))

    for start in range(0, len(chats), 40):
        await asyncio.gather(*(one(c) for c in chats[start : start + 40]))
    assert len(answers) == GRADUATES - 3

    department = {BASE + i: DEPARTMENTS[i % 3] for i in range(GRADUATES)}
    since = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/report")
    sent = await h.emu.wait_for(ADMIN, 2, timeout=120, since=since)  # the Word draft, then the workbook
    document = next(m for m in sent if m.file_name and m.file_name.endswith(".xlsx"))
    assert document.file_bytes is not None
    sheet = load_workbook(io.BytesIO(document.file_bytes))["自主评价"]
    got = [
        tuple(None if v in (None, "") else v for v in row)
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if any(v not in (None, "") for v in row)
    ]
    assert got == expected_rows(answers, department)
    # the draft's chapter 五、毕业生自主评价 prints the same rows (bot.services.report_chapters)
    import docx

    from tests.bot.test_report_document import captioned_tables

    draft = next(m for m in sent if m.file_name and m.file_name.endswith(".docx"))
    document_tables = captioned_tables(docx.Document(io.BytesIO(draft.file_bytes or b"")))
    chapter = [cells for caption, cells in document_tables if caption.endswith("毕业生自主评价（跟踪调查）")]
    assert len(chapter) == 1
    assert chapter[0][0] == ["范围", "题目", "项目", "人数", "占比"]
    assert chapter[0][1:] == [["" if v is None else str(v) for v in row] for row in expected_rows(answers, department)]

    figures = await h.say(ADMIN, "/survey")
    total = GRADUATES - 3
    assert f"共发出调查问卷 {GRADUATES} 份，回收 {total} 份，回收率 {_percent(total, GRADUATES)}（已开始 {total}；未按 Start <5）" in figures  # 3: a figure about fewer than five
    school = [r for r in expected_rows(answers, department) if r[0] == "全校" and r[1] == "你对母校的总体满意度"]
    assert f"满意度（前三项）{school[6][4]} · 均值 {school[7][4]}" in figures


async def test_strangers_and_staff_pressing_a_survey_button_record_nothing(survey_bot: BotHarness) -> None:
    h = survey_bot
    since = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/survey open 护理学院")
    await h.emu.wait_for(ADMIN, 2, timeout=120, since=since)
    chat = BASE + 0  # 护理学院
    invitation = h.emu.messages_to(chat)[-1]
    first = await _press(h, chat, invitation, _press_label(invitation, "开始"))
    data = _press_label(first, "非常多")
    for presser in (ADMIN, 555_555, BASE + 3):  # staff, a stranger, another graduate (not started)
        h.emu.press_button(presser, first, data)
    await asyncio.sleep(1.0)
    refused = "问卷只供已绑定的毕业生本人填写，这次点击没有记录任何内容。"
    assert [a.get("text") for a in h.emu.callback_answers].count(refused) == 2  # the admin's and the stranger's
    assert h.emu.messages_to(555_555) == []
    assert [m.text for m in h.emu.messages_to(BASE + 3)][1:] == []  # the invitation only
    assert [a.get("text") for a in h.emu.callback_answers].count("你还没有开始作答，请按「开始」。") == 1
    assert h.emu.messages_to(chat)[-1].message_id == first.message_id and h.emu.mark(chat) == 2  # untouched
    with h.service.db.read() as session:
        from storage import survey as store

        rows = store.status_rows(session, 1)
    assert sorted((g, s, c) for g, _i, s, c, _st in rows if s) == [(1, True, False)]
    # the graduate's own press still works, once; the same press again is stale
    second = await _press(h, chat, first, data)
    assert second.text is not None and second.text.startswith("第 2 题")
    again = await _press(h, chat, first, data)
    assert again.text is not None and again.text.startswith("这个按钮已过期")


async def test_chart_survey_arrives_as_a_photo(survey_bot: BotHarness) -> None:
    h = survey_bot
    since = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/survey open")
    await h.emu.wait_for(ADMIN, 2, timeout=240, since=since)
    for chat in [BASE + i for i in range(12)]:
        await answer(h, chat, random.Random(chat))
    for args, name in (("", "chart-survey-scales.png"), (" school", "chart-survey-school.png")):
        since = h.emu.mark(ADMIN)
        h.emu.send_text(ADMIN, "/chart survey" + args)
        photo = (await h.emu.wait_for(ADMIN, 1, timeout=60, since=since))[-1]
        assert photo.method == "sendPhoto" and photo.file_name == name
        assert photo.file_bytes is not None and photo.file_bytes.startswith(b"\x89PNG")
    assert await h.say(ADMIN, "/chart survey nosuch") == (
        "没有题目“nosuch”。可选：opportunity offers factors related unrelated_why adapt ability expectation satisfaction income school"
    )


async def test_me_offers_the_survey_while_it_is_open_and_not_submitted(survey_bot: BotHarness) -> None:
    h = survey_bot
    chat = BASE + 1
    card = (await h.ask(chat, "/me"))[-1]
    assert "填写问卷" not in [label for label, _ in card.buttons]  # no survey open yet
    since = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/survey open 药学院")
    await h.emu.wait_for(ADMIN, 2, timeout=120, since=since)
    card = (await h.ask(chat, "/me"))[-1]
    first = await _press(h, chat, card, _press_label(card, "填写问卷"))
    assert first.text == "第 1 题 · 你觉得当前的就业机会多吗？"  # 药学院's graduate 1 is in a job
    invitation = next(m for m in h.emu.messages_to(chat) if (m.text or "").startswith("2026届毕业生跟踪调查"))
    resumed = await _press(h, chat, invitation, _press_label(invitation, "开始"))  # the invitation resumes
    assert resumed.text == first.text
    await answer(h, BASE + 4, random.Random(4))
    card = (await h.ask(BASE + 4, "/me"))[-1]
    assert "填写问卷" not in [label for label, _ in card.buttons]  # submitted: no button


async def test_a_group_gets_aggregates_only_and_cannot_run_the_survey(survey_bot: BotHarness) -> None:
    h = survey_bot
    group = -4242
    refused = await h.ask(ADMIN, "/survey open", chat_id=group, chat_type="group")
    assert refused[-1].text == "名单、个人记录、文件和管理操作只在私聊中进行；群聊中只提供汇总数据。"
    since = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/survey open 信息工程学院")
    await h.emu.wait_for(ADMIN, 2, timeout=120, since=since)
    for chat in [BASE + 2 + 3 * i for i in range(4)]:  # four respondents: every figure about them is <5
        await answer(h, chat, random.Random(chat))
    text = (await h.ask(ADMIN, "/survey", chat_id=group, chat_type="group"))[-1].text or ""
    assert "共发出调查问卷 100 份，回收 <5 份，回收率 <5" in text
    assert "样本结构（<5 份）" in text and "毕业生" not in text.split("\n", 1)[1]  # no name, no answer list
    ns = [line.rsplit("N=", 1)[1] for line in text.splitlines() if " N=" in line]
    assert len(ns) == 11 and set(ns) <= {"<5", "0"} and "<5" in ns
