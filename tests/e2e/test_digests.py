"""Weekly digests end to end: on schedule, exactly once — across restarts, catch-up after downtime,
429 and 403 answers, two processes at once, and Telegram's 30 messages/s."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from jobs.delivery import DigestDeliverer, DigestService
from storage import repo
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings
from tests.e2e.conftest import TOKEN, BotHarness, start_bot, stop_bot
from tests.e2e.test_core_loop import ADMIN, HEAD, LI, ROSTER_CSV, WANG, setup_school

TZ = ZoneInfo("Asia/Shanghai")
WEDNESDAY_10_00 = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
SUNDAY_10_00 = datetime(2026, 11, 22, 10, 0, tzinfo=TZ)
EVERYONE = (ADMIN, HEAD, WANG, LI)
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def percent(placed: int, total: int) -> str:
    return str((Decimal(placed) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


async def quiet_for(emu: BotApiEmulator, chats: tuple[int, ...], seconds: float) -> dict[int, int]:
    marks = {chat: emu.mark(chat) for chat in chats}
    await asyncio.sleep(seconds)
    return {chat: emu.mark(chat) - marks[chat] for chat in chats}


async def wait_digests(emu: BotApiEmulator, marks: dict[int, int], counts: dict[int, int], timeout: float = 30) -> None:
    await asyncio.gather(*(emu.wait_for(chat, counts[chat], timeout=timeout, since=marks[chat]) for chat in counts))


def expected_messages(h: BotHarness) -> dict[int, int]:
    return expected_counts(h.service)


def expected_counts(service: Services) -> dict[int, int]:
    """Parts of each user's digest as the bot would build it now (+1 for the heads' and admins' chart)."""
    digests = DigestService(service)
    counts = {}
    for actor in digests.recipients():
        digest, chart = digests.build(actor)
        counts[actor.telegram_id] = len(digest.parts) + (chart is not None)
    return counts


def setup_school_directly(service: Services) -> None:
    service.access.grant(ADMIN, "admin", name="就业中心")
    service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
    service.access.grant(WANG, "counsellor", name="王老师")
    service.access.grant(LI, "counsellor", name="李老师")
    service.roster.import_roster(ROSTER_CSV.encode("utf-8-sig"), "roster.csv", actor=SYSTEM, cohort=2023)
    admin = service.access.actor(ADMIN)
    assert admin is not None
    service.updates.apply_message(admin, "2023010101 合同 甲医院\n2023020101 升学 山东大学", chat_id=None, message_id=None)


async def school_at(db_url: str, clock: Clock, schedule: str, emu: BotApiEmulator | None = None) -> BotHarness:
    emu_, service, application = await start_bot(
        db_url, emu=emu, clock=clock, digest_schedule=schedule, digest_tick_seconds=0.2, digests_enabled=True
    )
    return BotHarness(emu_, service, application)


async def test_scheduled_digest_once_with_right_figures_and_restart(db_url: str) -> None:
    clock = Clock(WEDNESDAY_10_00)
    h = await school_at(db_url, clock, "wed 10:01")
    try:
        await setup_school(h)
        await h.say(WANG, "2023010101 合同 甲医院\n2023010102 升学 聊城大学\n2023010103 面试中 备注=周五二面")
        await h.say(LI, "2023020101 合同 乙公司")
        assert sum((await quiet_for(h.emu, EVERYONE, 1.0)).values()) == 0  # not due yet
        counts = expected_messages(h)
        assert set(counts) == set(EVERYONE)
        marks = {chat: h.emu.mark(chat) for chat in EVERYONE}
        clock.moment = WEDNESDAY_10_00 + timedelta(minutes=1, seconds=5)
        await wait_digests(h.emu, marks, counts)
        await asyncio.sleep(1.0)  # several more ticks: nothing more
        for chat in EVERYONE:
            assert h.emu.mark(chat) - marks[chat] == counts[chat], chat

        head = "\n".join(m.text or "" for m in h.emu.messages_to(HEAD)[marks[HEAD] :])
        first = re.search(r"(\d+\.\d\d)%", head)
        assert first and first.group(1) == percent(2, 6), head  # 护理学院: 2 of 6 placed
        wang = "\n".join(m.text or "" for m in h.emu.messages_to(WANG)[marks[WANG] :])
        for student_id in ("2023010103", "2023010104", "2023010201", "2023010202"):
            assert student_id in wang, wang  # his unplaced graduates
        for student_id in ("2023010101", "2023010102", "2023020102", "2023020103"):
            assert student_id not in wang  # placed, or 李老师's
        assert "★" in wang and "困难家庭" not in wang and "残疾" not in wang
        with h.service.db.read() as session:
            rows = repo.deliveries(session)
        assert sorted(r.status for r in rows) == ["sent"] * 4

        # restart after delivery: nothing is sent again
        await stop_bot(h.emu, h.service, h.application, keep_emulator=True)
        clock.moment += timedelta(minutes=10)
        h = await school_at(db_url, clock, "wed 10:01", emu=h.emu)
        assert sum((await quiet_for(h.emu, EVERYONE, 1.5)).values()) == 0
    finally:
        await stop_bot(h.emu, h.service, h.application)


async def test_missed_digest_is_caught_up_once(db_url: str) -> None:
    clock = Clock(SUNDAY_10_00)  # registered before Monday's slot …
    upgrade_database(db_url)
    service = Services.build(Database.connect(db_url), make_settings(db_url, digest_schedule="mon 08:30"), clock=clock)
    setup_school_directly(service)
    clock.moment = WEDNESDAY_10_00  # … which passed while the bot was down
    counts = expected_counts(service)
    service.db.dispose()
    emu = BotApiEmulator(token=TOKEN).start()
    marks = {chat: emu.mark(chat) for chat in EVERYONE}
    h = await school_at(db_url, clock, "mon 08:30", emu=emu)
    try:
        await wait_digests(h.emu, marks, counts)
        await asyncio.sleep(1.0)
        for chat in EVERYONE:
            assert h.emu.mark(chat) - marks[chat] == counts[chat], chat
        with h.service.db.read() as session:
            rows = repo.deliveries(session)
        assert len(rows) == 4 and {r.status for r in rows} == {"sent"}
        assert {r.slot.astimezone(TZ) for r in rows} == {datetime(2026, 11, 23, 8, 30, tzinfo=TZ)}
    finally:
        await stop_bot(h.emu, h.service, h.application)


async def test_429_waited_out_and_403_marks_inactive(db_url: str) -> None:
    clock = Clock(WEDNESDAY_10_00)
    h = await school_at(db_url, clock, "wed 10:30")
    try:
        await setup_school(h)
        counts = expected_messages(h)
        h.emu.fail_next(WANG, status=429, retry_after=1)
        h.emu.fail_next(LI, status=403, description="Forbidden: bot was blocked by the user")
        marks = {chat: h.emu.mark(chat) for chat in EVERYONE}
        clock.moment = WEDNESDAY_10_00 + timedelta(minutes=31)
        await wait_digests(h.emu, marks, {c: counts[c] for c in (ADMIN, HEAD, WANG)}, timeout=30)
        await asyncio.sleep(0.5)
        assert h.emu.mark(LI) == marks[LI]
        with h.service.db.read() as session:
            users = {u.id: u for u in repo.all_users(session)}
            statuses = {users[r.user_id].telegram_id: r.status for r in repo.deliveries(session)}
        assert statuses == {ADMIN: "sent", HEAD: "sent", WANG: "sent", LI: "blocked"}
        assert next(u for u in users.values() if u.telegram_id == LI).active is False
        assert sorted((chat, status) for _, _, chat, status, _ in h.emu.errors) == sorted([(WANG, 429), (LI, 403)]), h.emu.errors
    finally:
        await stop_bot(h.emu, h.service, h.application)


def _run_cli_digest(db_url: str, emu: BotApiEmulator) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "TELEGRAM_FILE_BASE_URL": emu.base_file_url,
        "DIGEST_SCHEDULE": "mon 00:00",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "digest"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


async def test_two_digest_processes_deliver_each_once(db_url: str) -> None:
    upgrade_database(db_url)
    last_week = Clock(datetime.now(TZ) - timedelta(days=8))  # registered before this week's slot
    service = Services.build(Database.connect(db_url), make_settings(db_url, digest_schedule="mon 00:00"), clock=last_week)
    setup_school_directly(service)
    last_week.moment = datetime.now(TZ)
    counts = expected_counts(service)
    service.db.dispose()
    with BotApiEmulator(token=TOKEN) as emu:
        marks = {chat: emu.mark(chat) for chat in EVERYONE}
        first, second = _run_cli_digest(db_url, emu), _run_cli_digest(db_url, emu)
        outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in (first, second)]
        assert first.returncode == 0 and second.returncode == 0, outputs
        await asyncio.sleep(0.3)
        for chat in EVERYONE:
            assert emu.mark(chat) - marks[chat] == counts[chat], (chat, outputs)
    sent = sum(int(re.search(r"sent (\d+)", out).group(1)) for out, _ in outputs)  # type: ignore[union-attr]
    assert sent == 4, outputs


@pytest.mark.slow
async def test_no_second_with_more_than_30_messages(sqlite_url: str) -> None:
    clock = Clock(WEDNESDAY_10_00)
    h = await school_at(sqlite_url, clock, "wed 10:30")
    try:
        await setup_school(h)
        recipients = list(range(600_000, 600_320))
        for i, telegram_id in enumerate(recipients):
            h.service.access.grant(telegram_id, "counsellor", name=f"辅导员{i}", scopes=["班级:护理2301班"])
        marks = {chat: h.emu.mark(chat) for chat in recipients}
        clock.moment = WEDNESDAY_10_00 + timedelta(minutes=31)
        await wait_digests(h.emu, marks, dict.fromkeys(recipients, 1), timeout=120)
        times = sorted(t for t, method, _ in h.emu.request_log if method.startswith("send"))
        assert len(times) >= 320
        busiest = max(sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times))
        assert busiest <= 30, busiest
    finally:
        await stop_bot(h.emu, h.service, h.application)


async def test_digest_command_does_not_count_as_delivery(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    replies = await h.ask(HEAD, "/digest", count=2)  # text part(s) and the trend chart
    assert replies[0].text and replies[0].text.startswith("每周汇总") and "护理学院" in replies[0].text
    assert any(m.method == "sendPhoto" for m in replies)
    english = await h.say(WANG, "/digest", language_code="en")
    assert english.startswith("Weekly digest · 王老师") and "\nPlacement rate (毕业去向落实率): " in english, english
    with h.service.db.read() as session:
        assert repo.deliveries(session) == []
    assert "已保存" in await h.say(WANG, "/settings digest off")
    assert WANG not in {a.telegram_id for a in DigestService(h.service).recipients()}
    refused = await h.say(WANG, "/settings schedule mon 09:00")
    assert "无权" in refused
    saved = await h.say(ADMIN, "/settings schedule mon,thu 09:15")
    assert "mon 09:15; thu 09:15" in saved
    assert [s.text() for s in DigestService(h.service).schedule()] == ["mon 09:15", "thu 09:15"]
    bad = await h.say(ADMIN, "/settings schedule someday")
    assert "格式不对" in bad


def test_cli_digest_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade_database(url)
    service = Services.build(Database.connect(url), make_settings(url))
    setup_school_directly(service)
    service.db.dispose()
    assert main(["digest", "--dry-run", "--to", str(WANG), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "王老师" in out and "每周汇总" in out and "2023010103" in out
    with Database.connect(url).read() as session:
        assert repo.deliveries(session) == []


def test_schedule_changed_mid_week_sends_no_second_digest(sqlite_url: str) -> None:
    upgrade_database(sqlite_url)
    service = Services.build(Database.connect(sqlite_url), make_settings(sqlite_url, digest_schedule="mon 08:30"))
    setup_school_directly(service)
    digests = DigestService(service)
    deliverer = DigestDeliverer(None, digests)  # type: ignore[arg-type]
    admin = service.access.actor(ADMIN)
    assert admin is not None
    monday = datetime(2026, 11, 23, 8, 30, tzinfo=TZ)
    assert deliverer._claim(admin.user_id, monday, False)
    deliverer._finish(admin.user_id, monday, "sent", 1, "")
    digests.set_schedule("mon 09:00", SYSTEM)
    assert not deliverer._claim(admin.user_id, monday.replace(hour=9, minute=0), False)
    digests.set_schedule("mon 08:30; thu 08:30", SYSTEM)  # a second slot in the week is a second digest
    assert deliverer._claim(admin.user_id, datetime(2026, 11, 26, 8, 30, tzinfo=TZ), False)
    service.db.dispose()


async def test_fresh_install_after_the_slot_sends_nothing_until_the_next_slot(db_url: str) -> None:
    """Installed on a Tuesday: Monday's slot passed before anyone was registered, so nobody gets
    it; everyone gets the next Monday's, once."""
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    clock = Clock(tuesday)
    h = await school_at(db_url, clock, "mon 08:30")
    try:
        await setup_school(h)
        await h.say(WANG, "2023010101 合同 甲医院")
        assert await quiet_for(h.emu, EVERYONE, 1.5) == dict.fromkeys(EVERYONE, 0)
        with h.service.db.read() as session:
            assert repo.deliveries(session) == []
        counts = expected_messages(h)
        marks = {chat: h.emu.mark(chat) for chat in EVERYONE}
        clock.moment = datetime(2026, 11, 30, 8, 30, 5, tzinfo=TZ)
        await wait_digests(h.emu, marks, counts)
        await asyncio.sleep(1.0)
        for chat in EVERYONE:
            assert h.emu.mark(chat) - marks[chat] == counts[chat], chat
        with h.service.db.read() as session:
            rows = repo.deliveries(session)
        assert len(rows) == 4 and {r.slot.astimezone(TZ) for r in rows} == {datetime(2026, 11, 30, 8, 30, tzinfo=TZ)}
    finally:
        await stop_bot(h.emu, h.service, h.application)


async def test_user_registered_between_two_slots_gets_the_second(db_url: str) -> None:
    """`mon,thu 08:30` is two digests a week, per (user, slot); 李老师, registered on Tuesday, gets
    Thursday's only."""
    clock = Clock(SUNDAY_10_00)
    h = await school_at(db_url, clock, "mon,thu 08:30")
    try:
        h.service.access.grant(ADMIN, "admin", name="就业中心")
        h.service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
        h.service.access.grant(WANG, "counsellor", name="王老师")
        reply = await h.upload(ADMIN, "roster.csv", ROSTER_CSV.encode("utf-8-sig"), caption="/import 2023")
        assert "新增 10" in reply, reply
        early = (ADMIN, HEAD, WANG)
        counts = expected_messages(h)
        marks = {chat: h.emu.mark(chat) for chat in EVERYONE}
        clock.moment = datetime(2026, 11, 23, 8, 30, 5, tzinfo=TZ)  # Monday's slot
        await wait_digests(h.emu, marks, {chat: counts[chat] for chat in early})
        clock.moment = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)  # Tuesday: 李老师 joins
        h.service.access.grant(LI, "counsellor", name="李老师")
        await asyncio.sleep(1.0)
        assert h.emu.mark(LI) == marks[LI]  # Monday's slot is not his
        counts = expected_messages(h)
        marks = {chat: h.emu.mark(chat) for chat in EVERYONE}
        clock.moment = datetime(2026, 11, 26, 8, 30, 5, tzinfo=TZ)  # Thursday's slot
        await wait_digests(h.emu, marks, counts)
        await asyncio.sleep(1.0)
        for chat in EVERYONE:
            assert h.emu.mark(chat) - marks[chat] == counts[chat], chat
        with h.service.db.read() as session:
            users = {u.id: u.telegram_id for u in repo.all_users(session)}
            slots: dict[int, list[datetime]] = {}
            for row in repo.deliveries(session):
                slots.setdefault(users[row.user_id], []).append(row.slot.astimezone(TZ))
        monday, thursday = datetime(2026, 11, 23, 8, 30, tzinfo=TZ), datetime(2026, 11, 26, 8, 30, tzinfo=TZ)
        assert {chat: sorted(s) for chat, s in slots.items()} == {
            ADMIN: [monday, thursday], HEAD: [monday, thursday], WANG: [monday, thursday], LI: [thursday]
        }
    finally:
        await stop_bot(h.emu, h.service, h.application)


async def test_user_who_never_pressed_start_stays_active(db_url: str) -> None:
    """Telegram's 403 "bot can't initiate conversation" is not "blocked": the counsellor granted
    from the CLI keeps their account and their next /rate is answered."""
    clock = Clock(WEDNESDAY_10_00)
    h = await school_at(db_url, clock, "wed 10:30")
    try:
        await setup_school(h)
        counts = expected_messages(h)
        h.emu.fail_next(WANG, status=403, description="Forbidden: bot can't initiate conversation with a user")
        marks = {chat: h.emu.mark(chat) for chat in EVERYONE}
        clock.moment = WEDNESDAY_10_00 + timedelta(minutes=31)
        await wait_digests(h.emu, marks, {c: counts[c] for c in (ADMIN, HEAD, LI)})
        await asyncio.sleep(0.5)
        assert h.emu.mark(WANG) == marks[WANG]
        with h.service.db.read() as session:
            users = {u.id: u for u in repo.all_users(session)}
            statuses = {users[r.user_id].telegram_id: r.status for r in repo.deliveries(session)}
        assert statuses == {ADMIN: "sent", HEAD: "sent", WANG: "not_started", LI: "sent"}
        assert next(u for u in users.values() if u.telegram_id == WANG).active is True
        listing = await h.say(ADMIN, "/users")
        wang_line = next(line for line in listing.splitlines() if str(WANG) in line)
        assert "尚未点击 Start" in wang_line and "已停用" not in wang_line, listing
        assert all("尚未点击" not in line for line in listing.splitlines() if str(WANG) not in line), listing
        answer = await h.say(WANG, "/rate")
        assert re.search(r"\d+\.\d\d%", answer) and answer != texts.t("zh", "stranger"), answer
    finally:
        await stop_bot(h.emu, h.service, h.application)
