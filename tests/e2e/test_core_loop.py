"""End to end through the emulator: registration, updates by message, refusals, /undo, /rate.

Each refusal test asserts that nothing changed in the database afterwards.
"""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from storage.models import Batch, DestinationEntry, Graduate
from tests.e2e.conftest import BotHarness

ADMIN, HEAD, WANG, LI, STRANGER = 1001, 2001, 3001, 3002, 9999

ROSTER_CSV = """学号,姓名,院系,专业,班级,学历,性别,生源地,重点群体,辅导员,专业英文名
2023010101,张伟,护理学院,护理,护理2301班,专科,女,山东,困难家庭,王老师,Nursing
2023010102,李娜,护理学院,护理,护理2301班,专科,女,山东,,王老师,Nursing
2023010103,王芳,护理学院,护理,护理2301班,专科,女,河南,,王老师,Nursing
2023010104,张伟,护理学院,护理,护理2301班,专科,男,山东,,王老师,Nursing
2023010201,刘洋,护理学院,助产,助产2301班,专科,女,山东,残疾,王老师,Midwifery
2023010202,陈静,护理学院,助产,助产2301班,专科,女,江苏,,王老师,Midwifery
2023020101,杨磊,信息工程学院,软件技术,软件2301班,专科,男,山东,,李老师,Software Technology
2023020102,赵敏,信息工程学院,软件技术,软件2301班,专科,女,安徽,,李老师,Software Technology
2023020103,黄强,信息工程学院,软件技术,软件2301班,专科,男,山东,少数民族,李老师,Software Technology
2023020104,周杰,信息工程学院,软件技术,软件2301班,专科,男,四川,,李老师,Software Technology
"""


async def setup_school(h: BotHarness) -> None:
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    h.service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
    h.service.access.grant(WANG, "counsellor", name="王老师")
    h.service.access.grant(LI, "counsellor", name="李老师")
    reply = await h.upload(ADMIN, "roster.csv", ROSTER_CSV.encode("utf-8-sig"), caption="/import 2023")
    assert "新增 10" in reply, reply


def db_snapshot(h: BotHarness) -> tuple:
    with h.service.db.read() as session:
        entries = session.exec(select(func.count()).select_from(DestinationEntry)).one()
        batches = session.exec(select(func.count()).select_from(Batch)).one()
        graduates = session.exec(select(func.count()).select_from(Graduate)).one()
        states = tuple((s.student_id, s.code, s.substate) for s in h.service.snapshots.current(session))
    return entries, batches, graduates, states


def code_of(h: BotHarness, student_id: str) -> tuple[int, str | None]:
    with h.service.db.read() as session:
        state = next(s for s in h.service.snapshots.current(session) if s.student_id == student_id)
    return state.code, state.substate


async def test_counsellor_updates_and_rate(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    text = (
        "2023010101 签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生和社会工作 对口=是\n"
        "2023010102 升学 聊城大学\n"
        "# a comment line\n"
        "2023010103 求职中 备注=下周面试\n"
        "刘洋 应征义务兵 日期=2023-09-05\n"
    )
    reply = await h.say(WANG, text)
    assert "已更新 4 条" in reply and "未通过 0 条" in reply, reply
    assert "0.00% → 50.00%" in reply, reply  # 3 placed of 6 in 王老师's scope
    assert code_of(h, "2023010101") == (11, None)
    assert code_of(h, "2023010103") == (70, "求职中")
    assert code_of(h, "2023010201") == (46, None)

    rate = await h.say(HEAD, "/rate 护理")
    first_percent = rate.split("%")[0].split()[-1].split("：")[-1]
    assert first_percent == "50.00", rate  # 2 of 4 in 护理
    assert "2/4" in rate
    english = await h.say(HEAD, "/rate nursing")
    assert english.split("\n")[1:3] == rate.split("\n")[1:3]
    school = await h.say(ADMIN, "/rate")
    assert "毕业去向落实率：30.00%" in school and "3/10" in school, school
    as_of = await h.say(ADMIN, "/rate 2023-09-04")  # 刘洋's army date is 9-05
    assert "截至 2023-09-04" in as_of


async def test_same_values_unchanged_and_duplicate_delivery(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    first = await h.say(WANG, "2023010101 合同 聊城市人民医院")
    assert "已更新 1 条" in first
    again = await h.say(WANG, "2023010101 合同 聊城市人民医院")
    assert "已更新 0 条" in again and "未变化 1 条" in again, again

    before_dup = db_snapshot(h)
    since = h.emu.mark(WANG)
    update = h.emu.send_text(WANG, "2023010102 升学 聊城大学")
    await h.emu.wait_for(WANG, 1, since=since)
    applied = db_snapshot(h)
    assert applied[0] == before_dup[0] + 1
    since = h.emu.mark(WANG)
    h.emu.redeliver(update)
    replies = await h.emu.wait_for(WANG, 1, since=since)
    assert "已经处理过" in (replies[-1].text or "")
    assert db_snapshot(h) == applied


async def test_refusals_change_nothing(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await h.say(WANG, "2023010101 签约 某医院")
    baseline = db_snapshot(h)

    stranger = await h.say(STRANGER, "2023010102 升学 聊城大学")
    assert "邀请" in stranger
    assert db_snapshot(h) == baseline

    outside = await h.say(LI, "2023010102 升学 聊城大学")
    # out of scope answers exactly like "not found" (nobody learns which 学号 exist elsewhere)
    assert "在您的范围内找不到学号 2023010102" in outside and "未通过 1 条" in outside, outside
    assert db_snapshot(h) == baseline

    unknown_word = await h.say(WANG, "2023010102 签劳动和同 某公司")
    assert "无法识别的去向" in unknown_word and "签劳动合同" in unknown_word, unknown_word
    assert db_snapshot(h) == baseline

    unknown_id = await h.say(WANG, "2023010199 升学 聊城大学")
    assert "找不到学号 2023010199" in unknown_id, unknown_id
    assert db_snapshot(h) == baseline

    unknown_name = await h.say(WANG, "李妠 升学 聊城大学")
    assert "在您的范围内找不到“李妠”，是否想写“李娜”？" in unknown_name, unknown_name
    assert db_snapshot(h) == baseline

    tomorrow = (h.service.today() + timedelta(days=1)).isoformat()
    future = await h.say(WANG, f"2023010102 升学 聊城大学 日期={tomorrow}")
    assert "在未来" in future, future
    assert db_snapshot(h) == baseline

    bare = await h.say(WANG, "2023010102")
    assert "缺少去向" in bare, bare
    assert db_snapshot(h) == baseline

    ambiguous = await h.say(WANG, "张伟 升学 聊城大学")
    assert "重名" in ambiguous and "2023010101" in ambiguous and "2023010104" in ambiguous, ambiguous
    assert db_snapshot(h) == baseline

    hint = await h.say(WANG, "你好")
    assert "例如" in hint
    assert db_snapshot(h) == baseline


async def test_partial_application(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    reply = await h.say(WANG, "2023010101 合同 甲医院\n2023010102 火星 乙\n2023010103 升学 聊城大学")
    assert "已更新 2 条" in reply and "未通过 1 条" in reply and "第 2 行" in reply, reply
    assert code_of(h, "2023010101") == (11, None)
    assert code_of(h, "2023010102") == (0, None)
    assert code_of(h, "2023010103") == (80, None)


async def test_undo_restores_previous(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await h.say(WANG, "2023010101 求职中\n2023010102 面试中")
    await h.say(WANG, "2023010101 合同 甲医院\n2023010102 升学 聊城大学")
    assert code_of(h, "2023010101") == (11, None)
    undone = await h.say(WANG, "/undo")
    assert "已撤销" in undone, undone
    assert code_of(h, "2023010101") == (70, "求职中")
    assert code_of(h, "2023010102") == (70, "面试中")
    await h.say(WANG, "/undo")
    assert code_of(h, "2023010101") == (0, None)
    nothing = await h.say(WANG, "/undo")
    assert "没有可撤销" in nothing


async def test_roster_with_duplicate_id_imports_nothing(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    baseline = db_snapshot(h)
    bad = ROSTER_CSV + "2023010101,张三,护理学院,护理,护理2301班,专科,女,山东,,王老师,Nursing\n"
    bad = bad.replace("2023010105", "x")
    reply = await h.upload(ADMIN, "roster.csv", bad.encode(), caption="/import")
    assert "未导入" in reply and "2" in reply and "12" in reply, reply  # rows 2 and 12 share 学号 2023010101
    assert db_snapshot(h) == baseline
    refused = await h.upload(WANG, "roster.csv", ROSTER_CSV.encode(), caption="/import")
    assert "只有管理员" in refused


async def test_invite_and_registration(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    link = await h.say(HEAD, "/invite counsellor 赵老师 班级:助产2301班")
    token = link.rsplit("start=", 1)[1].strip()
    assert "placement_demo_bot" in link
    welcome = await h.say(4001, f"/start {token}")
    assert "欢迎" in welcome and "助产2301班" in welcome, welcome
    reply = await h.say(4001, "2023010201 升学 聊城大学")
    assert "已更新 1 条" in reply
    reused = await h.say(4002, f"/start {token}")
    assert "已被使用" in reused
    english = await h.say(4001, "/rate", language_code="en")
    assert english.split("\n")[1].startswith("Placement rate (毕业去向落实率): "), english


async def test_group_gets_aggregates_only(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    rate = await h.say(ADMIN, "/rate", chat_id=-100500, chat_type="supergroup")
    assert "毕业去向落实率" in rate
    refused = await h.say(ADMIN, "/unplaced", chat_id=-100500, chat_type="supergroup")
    assert "私聊" in refused


async def test_unplaced_pages_and_student(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await h.say(WANG, "2023010101 合同 甲医院\n2023010103 面试中 备注=周五二面")
    listing = await h.say(WANG, "/unplaced")
    assert "未落实 5 人" in listing and "面试中" in listing and "周五二面" in listing, listing
    assert "杨磊" not in listing  # 李老师's graduate
    record = await h.say(WANG, "/student 2023010101")
    assert "签劳动合同" in record and "甲医院" in record


async def test_xlsx_update_upload(harness: BotHarness) -> None:
    import openpyxl

    h = harness
    await setup_school(h)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["学号", "去向", "单位"])
    sheet.append(["2023020101", "签劳动合同", "济南软件园"])
    sheet.append(["2023020102", "升学", "山东大学"])
    buffer = io.BytesIO()
    book.save(buffer)
    reply = await h.upload(LI, "updates.xlsx", buffer.getvalue())
    assert "已更新 2 条" in reply, reply
    assert code_of(h, "2023020101") == (11, None)


async def test_corrupt_and_wrong_files_get_clear_answers(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    baseline = db_snapshot(h)
    corrupt = await h.upload(ADMIN, "roster.xlsx", b"PK\x03\x04 this is not really a workbook", caption="/import")
    assert "无法打开" in corrupt and "roster.xlsx" in corrupt, corrupt
    wrong = await h.upload(WANG, "photo.jpg", b"\xff\xd8\xff\xe0 jpeg")
    assert "只接受 .csv 或 .xlsx" in wrong
    garbage = await h.upload(WANG, "updates.csv", b"\x00\x01\x02")
    assert "不是文本格式的 CSV" in garbage, garbage
    assert db_snapshot(h) == baseline
    rate = await h.say(ADMIN, "/rate")  # still running
    assert "毕业去向落实率" in rate


async def test_display_name_never_widens_a_scope(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    link = await h.say(HEAD, "/invite counsellor 班级:护理2301班")  # no name given
    token = link.rsplit("start=", 1)[1].strip()
    await h.say(4100, f"/start {token}", first_name="李老师")  # Telegram display name = another counsellor's
    reply = await h.say(4100, "2023020101 签约 某公司")
    assert "在您的范围内找不到学号 2023020101" in reply, reply
    assert code_of(h, "2023020101") == (0, None)
    refused = await h.say(HEAD, "/invite counsellor 李老师")  # a name whose graduates lie outside the head's departments
    assert "不在您的范围内" in refused, refused
