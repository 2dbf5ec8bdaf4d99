"""End to end: /chart arrives as a photo for every kind; charts render off the event loop, so a
/rate asked while charts render is answered before they arrive; /export and /report hold what was sent."""

from __future__ import annotations

import io
import struct
import threading

import pytest

from bot import charts
from bot.long_work import LONG_WORKERS
from bot.sandbox.cohort_gen import generate_cohort
from bot.services import SYSTEM
from tests.e2e.conftest import BotHarness, eventually
from tests.e2e.test_core_loop import ADMIN, HEAD, WANG, setup_school

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", data[16:24])


async def load_generated(h: BotHarness, size: int) -> None:
    cohort = generate_cohort(size, seed=11, departments=6, majors=20)
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    h.service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    admin = h.service.access.actor(ADMIN)
    assert admin is not None
    lines = [event.as_line() for event in cohort.events]
    for start in range(0, len(lines), 1000):
        h.service.updates.apply_message(admin, "\n".join(lines[start : start + 1000]), chat_id=None, message_id=None)


async def test_every_chart_kind_arrives_as_photo(harness: BotHarness) -> None:
    h = harness
    await load_generated(h, 1500)
    for kind in ("rates", "trend", "mix", "flow", "sector"):
        since = h.emu.mark(ADMIN)
        h.emu.send_text(ADMIN, f"/chart {kind}")
        sent = await h.emu.wait_for(ADMIN, 1, since=since, timeout=60)
        photo = sent[-1]
        assert photo.method == "sendPhoto", (kind, photo.text)
        width, height = png_size(photo.file_bytes or b"")
        assert 600 <= width <= 4000 and 300 <= height <= 6000, (kind, width, height)
        assert photo.text and "全校" in photo.text and len(photo.text) <= 1024
    usage = await h.say(ADMIN, "/chart pie")
    assert "用法" in usage


async def test_charts_speak_the_askers_language(harness: BotHarness) -> None:
    """An English client's charts carry English titles and captions; a Chinese one's Chinese."""
    h = harness
    await load_generated(h, 300)
    for kind, word in (("rates", "placement rate"), ("trend", "weekly placement rate"), ("mix", "destination mix"),
                       ("flow", "where the employed went"), ("sector", "unit nature and industry")):  # fmt: skip
        english = (await h.ask(ADMIN, f"/chart {kind}", language_code="en"))[-1]
        assert english.method == "sendPhoto", english.text
        assert "cohort" in (english.text or "") and "as of" in (english.text or "") and word in (english.text or ""), english.text
        assert "届" not in (english.text or "") and "截至" not in (english.text or ""), english.text
    chinese = (await h.ask(ADMIN, "/chart trend", language_code="zh"))[-1]
    assert "届" in (chinese.text or "") and "每周毕业去向落实率" in (chinese.text or ""), chinese.text


async def test_chart_for_small_scope_and_head(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await h.say(WANG, "2023010101 合同 甲医院 地区=山东聊城 性质=23 行业=Q")
    sent = await h.ask(HEAD, "/chart rates 护理")
    assert sent[-1].method == "sendPhoto"
    sent = await h.ask(HEAD, "/chart flow")
    assert sent[-1].method == "sendPhoto"
    refused = await h.say(HEAD, "/chart rates 软件技术")
    assert "不在您的权限范围内" in refused


async def test_rate_is_not_held_up_by_charts(harness: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts render off the event loop: with three renders held (they wait for the test's go), a
    /rate asked meanwhile is answered, and only then do the charts arrive — an ordering, not a speed.
    A render on the event loop would hold everything and /rate would never be answered."""
    h = harness
    await load_generated(h, 300)
    viewers = [7001, 7002, 7003]
    for viewer in viewers:
        h.service.access.grant(viewer, "admin", name=f"viewer{viewer}")
    go = threading.Event()
    entered: list[int] = []
    real_trend = charts.render_trend

    def held_trend(*args: object, **kwargs: object) -> bytes:
        entered.append(1)
        assert go.wait(120), "the test never let the render go (was the event loop blocked?)"
        return real_trend(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charts, "render_trend", held_trend)
    marks = {viewer: h.emu.mark(viewer) for viewer in viewers}
    try:
        for viewer in viewers:
            h.emu.send_text(viewer, "/chart trend")
        # as many as the long-work pool runs at once (bot.long_work); the others wait their turn
        await eventually(lambda: len(entered) == min(len(viewers), LONG_WORKERS), "the pool to be rendering")
        rate = await h.say(ADMIN, "/rate", timeout=120)
        assert rate.startswith("全校 · ") and "毕业去向落实率" in rate, rate
        assert all(h.emu.mark(v) == marks[v] for v in viewers)  # no chart sent yet: all still held
    finally:
        go.set()
    for viewer in viewers:
        sent = await h.emu.wait_for(viewer, 1, since=marks[viewer], timeout=120)
        assert sent[-1].method == "sendPhoto" and (sent[-1].file_bytes or b"").startswith(PNG_SIGNATURE)


# domain.md's tables, typed out here so the test does not lean on bot.taxonomy
REGIONS = {
    "东部": "北京 天津 河北 上海 江苏 浙江 福建 山东 广东 海南",
    "中部": "山西 安徽 江西 河南 湖北 湖南",
    "西部": "内蒙古 广西 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆",
    "东北": "辽宁 吉林 黑龙江",
}
AREAS = {
    "京津冀": "北京 天津 河北",
    "长三角": "上海 江苏 浙江 安徽",
    "粤港澳大湾区": "广东 香港 澳门",
    "长江经济带": "上海 江苏 浙江 安徽 江西 湖北 湖南 重庆 四川 贵州 云南",
    "一带一路": "内蒙古 辽宁 吉林 黑龙江 上海 浙江 福建 广东 广西 海南 重庆 云南 西藏 陕西 甘肃 青海 宁夏 新疆",
}
EMPLOYED = {10, 11, 12, 27, 46, 50, 51, 75, 76}
MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}


async def test_export_and_report_documents(harness: BotHarness) -> None:
    from collections import Counter

    import openpyxl

    h = harness
    cohort = generate_cohort(1200, seed=21, departments=6, majors=20)
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    h.service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    admin = h.service.access.actor(ADMIN)
    assert admin is not None
    final: dict[str, object] = {}
    lines = []
    for event in cohort.events:  # sent in this order; the latest date wins, sending order breaks ties
        lines.append(event.as_line())
        current = final.get(event.student_id)
        if current is None or event.effective_date >= current.effective_date:  # type: ignore[attr-defined]
            final[event.student_id] = event
    h.service.updates.apply_message(admin, "\n".join(lines), chat_id=None, message_id=None)

    exported = (await h.ask(ADMIN, "/export"))[-1]
    assert exported.method == "sendDocument" and exported.file_name and exported.file_name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(exported.file_bytes or b""))
    sheet = book.worksheets[0]
    assert sheet.max_row - 1 == len(cohort.graduates)

    draft, report = await h.ask(ADMIN, "/report", count=2, timeout=120)  # the Word draft, then the workbook
    assert draft.method == report.method == "sendDocument" and (draft.file_name or "").endswith(".docx")
    book = openpyxl.load_workbook(io.BytesIO(report.file_bytes or b""))
    for name in ("规模与结构", "毕业去向", "落实率", "就业地区", "单位性质", "行业", "升学", "未就业", "趋势"):
        assert name in book.sheetnames, name

    codes = Counter(final[g.student_id].code if g.student_id in final else 0 for g in cohort.graduates)  # type: ignore[attr-defined]
    by_code = {}
    for row in book["毕业去向"].iter_rows(min_row=3, values_only=True):
        if row[2] == "合计":
            break
        if row[5] is None:  # a code's row (its sub-states have 细分 set, and their own count column)
            by_code[row[1] or 0] = row[3]
    assert {code: n for code, n in by_code.items() if n} == dict(codes)

    employed = [final[g.student_id] for g in cohort.graduates if g.student_id in final and final[g.student_id].code in EMPLOYED]  # type: ignore[attr-defined]
    provinces = Counter(e.province or "未填写" for e in employed)  # type: ignore[attr-defined]
    region_of = {p: region for region, names in REGIONS.items() for p in names.split()}
    regions = Counter(region_of.get(e.province or "", "未知") for e in employed)  # type: ignore[attr-defined]
    areas: Counter[str] = Counter()
    for e in employed:
        areas.update(area for area, names in AREAS.items() if e.province in names.split())  # type: ignore[attr-defined]
    seen: dict[str, dict[str, int]] = {"省份": {}, "经济区域": {}, "战略区域": {}}
    for row in book["就业地区"].iter_rows(min_row=3, values_only=True):
        if row[0] in seen and row[1] != "合计":
            seen[row[0]][row[1]] = row[2]
    assert {k: v for k, v in seen["省份"].items() if v} == dict(provinces)
    assert {k: v for k, v in seen["经济区域"].items() if v} == dict(regions)
    assert {k: v for k, v in seen["战略区域"].items() if v} == dict(areas)
    refused = await h.say(ADMIN, "/export", chat_id=-100200, chat_type="supergroup")
    assert "私聊" in refused


def chunks(lines: list[str], limit: int = 4000) -> list[str]:
    """The lines as messages under Telegram's 4096 characters, in order."""
    messages: list[list[str]] = [[]]
    for line in lines:
        if messages[-1] and len("\n".join([*messages[-1], line])) > limit:
            messages.append([])
        messages[-1].append(line)
    return ["\n".join(m) for m in messages]


async def test_export_rows_hold_what_the_counsellors_sent(harness: BotHarness) -> None:
    """/export through the emulator: every graduate's row carries the destination (code and name),
    employer, school, province and city of the last update sent for them in chat — row by row."""
    import openpyxl

    from tests.bot.test_taxonomy import DOMAIN_CODES

    h = harness
    cohort = generate_cohort(160, seed=8, departments=3, majors=6)
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    h.service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    final = {}
    for event in cohort.events:  # sent in this order: the latest date wins, sending order breaks ties
        if event.student_id not in final or event.effective_date >= final[event.student_id].effective_date:
            final[event.student_id] = event
    for text in chunks([event.as_line() for event in cohort.events]):
        reply = await h.say(ADMIN, text)
        assert "未通过 0 条" in reply, reply

    exported = (await h.ask(ADMIN, "/export"))[-1]
    assert exported.method == "sendDocument", exported.text
    sheet = openpyxl.load_workbook(io.BytesIO(exported.file_bytes or b"")).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    column = {name: header.index(name) for name in ("学号", "去向代码", "毕业去向", "单位名称", "就业省份", "就业城市", "升学院校")}
    got = {row[column["学号"]]: {name: row[i] for name, i in column.items()} for row in rows[1:]}
    assert sorted(got) == sorted(g.student_id for g in cohort.graduates)  # one row per graduate, each once
    unreported = 0
    for sid, row in got.items():
        event = final.get(sid)
        if event is None:
            unreported += 1
            assert (row["去向代码"], row["毕业去向"], row["单位名称"], row["就业省份"]) == (None, "未上报", None, None), row
            continue
        name = DOMAIN_CODES[event.code][0]
        expected_name = f"{name}·{event.substate}" if event.substate else name
        assert (row["去向代码"], row["毕业去向"]) == (event.code, expected_name), (row, event)
        assert (row["单位名称"], row["升学院校"]) == (event.employer, event.school), (row, event)
        city = event.city or (event.province if event.province in MUNICIPALITIES else None)  # 地区=天津: the city too
        assert (row["就业省份"], row["就业城市"]) == (event.province, city), (row, event)
    assert 0 < unreported < len(got) // 2, unreported
