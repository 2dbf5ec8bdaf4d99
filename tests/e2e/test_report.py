"""End to end through the emulator: /report answers with the Word draft and the workbook, whose
tables agree cell by cell; the draft states the school rate, follows the asker's language and
scope, and says so when there is nothing to report."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest

from bot.metrics import format_percent
from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from bot.services import SYSTEM
from tests.bot.test_report_document import captioned_tables, compare_with_workbook
from tests.bot.test_workbooks import check_print_settings, no_text_percentages
from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.e2e.test_checkpoints import Clock
from tests.e2e.test_core_loop import ADMIN, HEAD, STRANGER

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2023, 9, 5, 10, 0, tzinfo=TZ)


@pytest.fixture
async def school(db_url: str) -> AsyncIterator[tuple[BotHarness, GenCohort]]:
    emu, service, application = await start_bot(db_url, clock=Clock(NOW))
    h = BotHarness(emu, service, application)
    try:
        cohort = generate_cohort(400, seed=17, cohort=2023, departments=3, majors=8, today=date(2023, 9, 4))
        roster = io.BytesIO()
        cohort.to_xlsx(roster)
        service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
        service.access.grant(ADMIN, "admin", name="就业中心")
        service.access.grant(HEAD, "head", name="院系负责人", scopes=[cohort.departments[0]])
        admin = service.access.actor(ADMIN)
        assert admin is not None
        lines = [event.as_line() for event in cohort.events]
        for start in range(0, len(lines), 1000):
            service.updates.apply_message(admin, "\n".join(lines[start : start + 1000]), chat_id=None, message_id=None)
        yield h, cohort
    finally:
        await stop_bot(emu, service, application)


async def report_files(h: BotHarness, user: int, text: str = "/report", **kwargs: object) -> tuple[bytes, bytes, str]:
    """The .docx and .xlsx /report sends (in that order), and the draft's caption."""
    sent = await h.ask(user, text, count=2, timeout=120, **kwargs)
    assert [m.method for m in sent] == ["sendDocument", "sendDocument"], [(m.method, m.text) for m in sent]
    draft, book = sent
    assert draft.file_name == "就业质量年度报告-2023.docx", draft.file_name
    assert book.file_name and book.file_name.endswith(".xlsx"), book.file_name
    return draft.file_bytes or b"", book.file_bytes or b"", draft.text or ""


def paragraphs(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


async def test_report_sends_the_draft_beside_the_workbook_with_equal_tables(
    school: tuple[BotHarness, GenCohort],
) -> None:
    h, cohort = school
    draft, book, caption = await report_files(h, ADMIN)
    workbook = openpyxl.load_workbook(io.BytesIO(book))
    assert compare_with_workbook(draft, workbook) > 300
    # issue 20 item 12: percentages are numbers formatted 0.00% (never text), every sheet prints
    # landscape, one page wide, header row repeated, with the title and as-of date in the file
    assert no_text_percentages(workbook) > 150
    check_print_settings(workbook, 2023, date(2023, 9, 5))
    with h.service.db.read() as session:
        states = h.service.snapshots.states(session, h.service.snapshots.cohort(session, 2023)[0], date(2023, 9, 5))
    placed = sum(1 for s in states if s.placed)
    assert len(states) == len(cohort.graduates) == 400
    text = paragraphs(draft)
    assert f"截至 9 月 5 日，我校 2023 届毕业生毕业去向落实率为 {format_percent(placed, 400)}（{placed}/400）。" in text
    assert "一、毕业生规模和结构 二、毕业去向落实情况 三、就业流向 四、升学 五、说明" in caption
    assert "表 23 个，图 5 个" in caption and len(docx.Document(io.BytesIO(draft)).inline_shapes) == 5

    dated = await report_files(h, ADMIN, "/report 2023-08-31")
    assert "截至 8 月 31 日，我校 2023 届毕业生毕业去向落实率为 " in paragraphs(dated[0])
    assert compare_with_workbook(dated[0], openpyxl.load_workbook(io.BytesIO(dated[1]))) > 300


async def test_a_head_gets_her_departments_report_and_not_anothers(school: tuple[BotHarness, GenCohort]) -> None:
    h, cohort = school
    department = cohort.departments[0]
    size = sum(1 for g in cohort.graduates if g.department == department)
    draft, book, caption = await report_files(h, HEAD)
    document = docx.Document(io.BytesIO(draft))
    assert document.paragraphs[0].text == f"{department}2023届毕业生就业质量年度报告"
    assert f"· {department} · 2023届" in caption
    scale = dict(captioned_tables(document))["表 1  毕业生规模（按院系）"]
    assert scale[1:] == [[department, str(size), "100.00%"], ["合计", str(size), "100.00%"]]
    assert "我校" not in paragraphs(draft)
    assert compare_with_workbook(draft, openpyxl.load_workbook(io.BytesIO(book))) > 200

    other = cohort.departments[1]
    refused = await h.ask(HEAD, f"/report {other}")
    assert [m.method for m in refused] == ["sendMessage"] and other in (refused[0].text or ""), refused[0].text
    stranger = await h.ask(STRANGER, "/report")
    assert [m.method for m in stranger] == ["sendMessage"]


async def test_an_english_user_gets_the_english_draft(school: tuple[BotHarness, GenCohort]) -> None:
    h, _ = school
    draft, _, caption = await report_files(h, ADMIN, language_code="en")
    text = paragraphs(draft)
    assert "As of 9/5, the placement rate of our 2023 cohort is " in text
    assert "Annual report (draft)" in caption and "1 Size and structure of the cohort" in caption
    assert "截至" not in text


async def test_a_date_before_the_first_update_gives_a_short_draft(school: tuple[BotHarness, GenCohort]) -> None:
    h, _ = school
    with h.service.db.read() as session:
        first = h.service.snapshots.first_day(session, h.service.snapshots.cohort(session, 2023)[0])
    assert first is not None and first > date(2022, 9, 1)
    draft, book, caption = await report_files(h, ADMIN, "/report 2022-09-01")
    document = docx.Document(io.BytesIO(draft))
    assert f"截至 2022-09-01，全校2023届毕业生尚无任何去向更新（首次更新日期为 {first.isoformat()}）" in paragraphs(draft)
    assert document.tables == [] and "无可统计的数字" in caption
    assert openpyxl.load_workbook(io.BytesIO(book)).sheetnames[0] == "规模与结构"


async def test_a_rate_asked_while_the_report_is_built_is_not_held_up(school: tuple[BotHarness, GenCohort]) -> None:
    """The draft (tables, five print-resolution charts, .docx) is built off the event loop."""
    h, _ = school
    report_mark = h.emu.mark(ADMIN)
    h.emu.send_text(ADMIN, "/report")
    await asyncio.sleep(0.05)
    rate_mark = h.emu.mark(HEAD)
    h.emu.send_text(HEAD, "/rate")
    rate = (await h.emu.wait_for(HEAD, 1, since=rate_mark, timeout=60))[-1]
    files = await h.emu.wait_for(ADMIN, 2, since=report_mark, timeout=120)
    assert "毕业去向落实率" in (rate.text or "")
    assert [f.method for f in files] == ["sendDocument", "sendDocument"]
    assert rate.time < files[0].time, "the /rate answer waited behind the report"
