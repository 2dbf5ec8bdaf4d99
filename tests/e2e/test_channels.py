"""Group robots end to end: the running bot sends each robot its scope's digest once per slot over
real HTTP to a fake of the three platforms; restarts send nothing again; a robot that answers an
error is marked failing while the others are served; nothing personal reaches a group; /channels."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot import texts
from bot.services import SYSTEM, Services
from jobs.channels.delivery import ChannelDeliverer, channel_deliverer
from jobs.channels.sender import RetryPolicy
from jobs.channels.service import ChannelService
from jobs.delivery import DigestService
from storage import repo
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings
from tests.e2e.conftest import BotHarness, stop_bot
from tests.e2e.test_core_loop import ADMIN, HEAD, ROSTER_CSV
from tests.e2e.test_digests import WEDNESDAY_10_00, Clock, school_at, setup_school_directly
from tests.jobs.fake_robots import FakeRobots

NURSING_KEY = "wk-nursing-7f3a9c1e-0001"
SCHOOL_TOKEN = "dt-school-" + "a" * 40
INFO_HOOK = "fs-info-2f3e4d5c-aaaa-bbbb"
UNKNOWN_KEY = "wk-unknown-5555-6666-7777"
WRONG_SECRET_TOKEN = "dt-wrong-" + "b" * 40
FLAKY_KEY = "wk-flaky-0000-1111-2222"
DING_SECRET = "SEC" + "c0ffee" * 10
FEISHU_SECRET = "feishu-secret-xyz"

ROSTER_ROWS = [line.split(",") for line in ROSTER_CSV.strip().splitlines()[1:]]
NAMES = {row[1] for row in ROSTER_ROWS}
STUDENT_IDS = {row[0] for row in ROSTER_ROWS}
GROUPS = {row[8] for row in ROSTER_ROWS if row[8]}


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    fake = FakeRobots(
        secrets={
            NURSING_KEY: None,
            SCHOOL_TOKEN: DING_SECRET,
            INFO_HOOK: FEISHU_SECRET,
            WRONG_SECRET_TOKEN: "SEC-the-right-one",
            FLAKY_KEY: None,
        }
    ).start()
    fake.failures[FLAKY_KEY] = [(502, {"error": "bad gateway"})]  # once: retried, then served
    yield fake
    fake.stop()


def add_robots(service: Services, fake: FakeRobots) -> dict[str, int]:
    channels = ChannelService(service)
    ids = {
        NURSING_KEY: channels.add(SYSTEM, "护理学院", "wecom", fake.wecom_url(NURSING_KEY)).id,
        SCHOOL_TOKEN: channels.add(SYSTEM, "全校", "dingtalk", fake.dingtalk_url(SCHOOL_TOKEN), DING_SECRET).id,
        INFO_HOOK: channels.add(SYSTEM, "信息工程学院", "feishu", fake.feishu_url(INFO_HOOK), FEISHU_SECRET).id,
        UNKNOWN_KEY: channels.add(SYSTEM, "软件技术", "wecom", fake.wecom_url(UNKNOWN_KEY)).id,
        WRONG_SECRET_TOKEN: channels.add(SYSTEM, "护理", "dingtalk", fake.dingtalk_url(WRONG_SECRET_TOKEN), "SEC-not-it").id,
        FLAKY_KEY: channels.add(SYSTEM, "护理学院", "wecom", fake.wecom_url(FLAKY_KEY)).id,
    }
    return ids


def finished(service: Services) -> dict[int, str]:
    with service.db.read() as session:
        return {row.channel_id: row.status for row in repo.channel_deliveries(session) if row.status != "claimed"}


async def wait_finished(service: Services, count: int, timeout: float = 60) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = await asyncio.to_thread(finished, service)
        if len(done) >= count:
            return done
        await asyncio.sleep(0.2)
    raise AssertionError(f"robot deliveries not finished: {await asyncio.to_thread(finished, service)}")


def assert_nothing_personal(fake: FakeRobots) -> None:
    for record in fake.received + fake.rejected:
        body = json.dumps(record.body, ensure_ascii=False)
        for text in (*NAMES, *STUDENT_IDS, *GROUPS, "重点群体"):
            assert text not in body, (text, record.robot)


async def test_each_robot_gets_its_scope_digest_once_across_a_restart(
    db_url: str, robots: FakeRobots, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx logs each request URL at INFO/DEBUG: the keys must not show
    clock = Clock(WEDNESDAY_10_00)
    upgrade_database(db_url)
    service = Services.build(Database.connect(db_url), make_settings(db_url, digest_schedule="wed 10:01"), clock=clock)
    setup_school_directly(service)
    ids = add_robots(service, robots)
    service.db.dispose()
    h = await school_at(db_url, clock, "wed 10:01")
    try:
        await asyncio.sleep(1.0)
        assert robots.received == [] and robots.rejected == []  # not due yet
        clock.moment = WEDNESDAY_10_00 + timedelta(minutes=1, seconds=5)
        done = await wait_finished(h.service, len(ids))
        assert done == {
            ids[NURSING_KEY]: "sent",
            ids[SCHOOL_TOKEN]: "sent",
            ids[INFO_HOOK]: "sent",
            ids[UNKNOWN_KEY]: "rejected",
            ids[WRONG_SECRET_TOKEN]: "rejected",
            ids[FLAKY_KEY]: "sent",  # a 502 first, retried with backoff
        }
        await asyncio.sleep(1.5)  # several more ticks: nothing more
        counts = {robot: len(robots.to(robot)) for robot in ids}

        nursing = robots.to(NURSING_KEY)
        kinds = [r.body["msgtype"] for r in nursing]
        assert kinds[-1] == "image" and kinds.count("image") == 1 and set(kinds[:-1]) == {"markdown"}
        nursing_text = nursing[0].body["markdown"]["content"]
        assert "护理学院" in nursing_text and "毕业去向落实率：16.67%" in nursing_text  # 1 of 6 placed
        assert "已落实 <5/6" in nursing_text and "护理：<5 人" in nursing_text
        school = robots.to(SCHOOL_TOKEN)
        assert len(school) == 1 and school[0].body["msgtype"] == "markdown"
        assert "全校" in school[0].body["markdown"]["title"] and "20.00%" in school[0].body["markdown"]["text"]  # 2 of 10
        info = robots.to(INFO_HOOK)
        assert len(info) == 1 and info[0].body["msg_type"] == "post"
        assert "不足 5 人" in json.dumps(info[0].body, ensure_ascii=False)  # 4 graduates: no figures
        assert len(robots.to(FLAKY_KEY)) == len(nursing)  # the same digest, once, after the retry
        assert [r.answer["errcode"] for r in robots.rejected if r.robot == WRONG_SECRET_TOKEN] == [310000]
        assert [r.answer["errcode"] for r in robots.rejected if r.robot == UNKNOWN_KEY] == [93000]
        assert_nothing_personal(robots)

        views = {v.id: v for v in ChannelService(h.service).views("zh")}
        assert views[ids[UNKNOWN_KEY]].status == "failing" and "93000" in views[ids[UNKNOWN_KEY]].outcome
        assert views[ids[WRONG_SECRET_TOKEN]].status == "failing" and "310000" in views[ids[WRONG_SECRET_TOKEN]].outcome
        assert views[ids[NURSING_KEY]].status == "ok"
        admin = h.service.access.actor(ADMIN)
        assert admin is not None
        digest, _ = DigestService(h.service).build(admin)
        assert "群机器人发送失败（2 个）" in "\n".join(digest.parts) and f"#{ids[UNKNOWN_KEY]}" in digest.parts[0]
        head = h.service.access.actor(HEAD)
        assert head is not None and "群机器人" not in "\n".join(DigestService(h.service).build(head)[0].parts)

        # restart: nothing is sent again
        await stop_bot(h.emu, h.service, h.application, keep_emulator=True)
        clock.moment += timedelta(minutes=10)
        h = await school_at(db_url, clock, "wed 10:01", emu=h.emu)
        await asyncio.sleep(1.5)
        assert {robot: len(robots.to(robot)) for robot in ids} == counts
    finally:
        await stop_bot(h.emu, h.service, h.application)
    for secret in (NURSING_KEY, SCHOOL_TOKEN, INFO_HOOK, UNKNOWN_KEY, WRONG_SECRET_TOKEN, DING_SECRET, FEISHU_SECRET):
        assert secret not in caplog.text


async def test_two_deliverers_race_for_one_slot(db_url: str, robots: FakeRobots) -> None:
    clock = Clock(WEDNESDAY_10_00)  # robots are added before the 10:01 slot
    upgrade_database(db_url)
    services = [
        Services.build(Database.connect(db_url), make_settings(db_url, digest_schedule="wed 10:01"), clock=clock) for _ in range(2)
    ]
    setup_school_directly(services[0])
    channels = ChannelService(services[0])
    ids = [
        channels.add(SYSTEM, "护理学院", "wecom", robots.wecom_url(NURSING_KEY)).id,
        channels.add(SYSTEM, "全校", "dingtalk", robots.dingtalk_url(SCHOOL_TOKEN), DING_SECRET).id,
        channels.add(SYSTEM, "信息工程学院", "feishu", robots.feishu_url(INFO_HOOK), FEISHU_SECRET).id,
    ]
    clock.moment += timedelta(minutes=6)
    try:
        deliverers = [channel_deliverer(ChannelService(s), DigestService(s)) for s in services]
        for d in deliverers:
            d.worker += f":{id(d)}"
        reports = await asyncio.gather(*(d.run() for d in deliverers))
        assert sorted(reports[0].sent + reports[1].sent) == sorted(ids)
        assert sorted(reports[0].skipped + reports[1].skipped) == sorted(ids)
        wecom = robots.to(NURSING_KEY)
        assert sum(1 for r in wecom if r.body["msgtype"] == "image") == 1
        assert len(robots.to(SCHOOL_TOKEN)) == 1 and len(robots.to(INFO_HOOK)) == 1
        with services[0].db.read() as session:
            rows = repo.channel_deliveries(session)
        assert sorted(r.channel_id for r in rows) == sorted(ids) and {r.status for r in rows} == {"sent"}
    finally:
        for s in services:
            s.db.dispose()


async def test_retryable_errors_end_failing_and_are_retried_next_round(sqlite_url: str, robots: FakeRobots) -> None:
    clock = Clock(WEDNESDAY_10_00)  # robots are added before the 10:01 slot
    upgrade_database(sqlite_url)
    service = Services.build(Database.connect(sqlite_url), make_settings(sqlite_url, digest_schedule="wed 10:01"), clock=clock)
    setup_school_directly(service)
    channels = ChannelService(service)
    busy = channels.add(SYSTEM, "护理学院", "wecom", robots.wecom_url(FLAKY_KEY)).id
    fine = channels.add(SYSTEM, "全校", "dingtalk", robots.dingtalk_url(SCHOOL_TOKEN), DING_SECRET).id
    robots.failures[FLAKY_KEY] = []
    robots.always_fail[FLAKY_KEY] = (200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    clock.moment += timedelta(minutes=6)
    digests = DigestService(service)
    policy = RetryPolicy(attempts=3, backoff=0.01, rate_limited_wait=0.01, timeout=5)
    deliverer = ChannelDeliverer(channels, digests.schedule, digests.due, policy=policy)
    try:
        report = await deliverer.run()
        assert report.failed == [busy] and report.sent == [fine]
        assert sum(1 for r in robots.rejected if r.robot == FLAKY_KEY) == 3  # every attempt
        view = {v.id: v for v in channels.views("en")}[busy]
        assert view.status == "failing" and "45009" in view.outcome
        del robots.always_fail[FLAKY_KEY]  # the robot recovers: the next round serves it, once
        report = await deliverer.run()
        assert report.sent == [busy] and report.skipped == [fine]
        assert {v.id: v.status for v in channels.views("en")} == {busy: "ok", fine: "ok"}
        report = await deliverer.run()
        assert report.sent == [] and sorted(report.skipped) == sorted([busy, fine])
    finally:
        service.db.dispose()


async def test_a_timeout_is_retried_then_marks_the_robot_failing(sqlite_url: str) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    port = listener.getsockname()[1]
    clock = Clock(WEDNESDAY_10_00)  # robots are added before the 10:01 slot
    upgrade_database(sqlite_url)
    service = Services.build(Database.connect(sqlite_url), make_settings(sqlite_url, digest_schedule="wed 10:01"), clock=clock)
    setup_school_directly(service)
    channels = ChannelService(service)
    silent = channels.add(SYSTEM, "护理学院", "feishu", f"http://127.0.0.1:{port}/open-apis/bot/v2/hook/never-answers-0000").id
    clock.moment += timedelta(minutes=6)
    digests = DigestService(service)
    deliverer = ChannelDeliverer(
        channels, digests.schedule, digests.due, policy=RetryPolicy(attempts=2, backoff=0.01, rate_limited_wait=0.01, timeout=0.3)
    )
    try:
        report = await deliverer.run()
        assert report.failed == [silent]
        view = channels.views("en")[0]
        assert view.status == "failing" and view.outcome == "timeout"
        with service.db.read() as session:
            assert [r.status for r in repo.channel_deliveries(session)] == ["failed"]  # retried by a later round
    finally:
        listener.close()
        service.db.dispose()


async def test_channels_command(db_url: str, robots: FakeRobots) -> None:
    clock = Clock(WEDNESDAY_10_00)
    upgrade_database(db_url)
    service = Services.build(Database.connect(db_url), make_settings(db_url), clock=clock)
    setup_school_directly(service)
    service.db.dispose()
    h: BotHarness = await school_at(db_url, clock, "mon 08:30")
    try:
        url = robots.dingtalk_url(SCHOOL_TOKEN)
        added = await h.say(ADMIN, f"/channels add 护理学院 dingtalk {url} {DING_SECRET}")
        assert "已添加群机器人 #1" in added and SCHOOL_TOKEN not in added and "****" in added
        listing = await h.say(ADMIN, "/channels")
        assert "#1 护理学院 · 钉钉 · 加签" in listing and SCHOOL_TOKEN not in listing and DING_SECRET not in listing
        assert "尚未发送" in listing
        tested = await h.say(ADMIN, "/channels test 1")
        assert "测试消息已送达" in tested
        assert robots.to(SCHOOL_TOKEN)[-1].body["msgtype"] == "text"
        robots.secrets[SCHOOL_TOKEN] = "SEC-rotated"  # the group changed the secret: the platform refuses
        assert "310000" in await h.say(ADMIN, "/channels test 1")
        assert "发送失败" in await h.say(ADMIN, "/channels list")
        assert "只接受 http" in await h.say(ADMIN, "/channels add 护理学院 wecom ftp://example.com/x")
        assert "没有“不存在学院”" in await h.say(ADMIN, "/channels add 不存在学院 wecom https://example.com/x")
        assert "重点群体" in await h.say(ADMIN, "/channels add 群体:困难家庭 wecom https://example.com/x")
        assert await h.say(HEAD, "/channels") == texts.t("zh", "not_allowed")  # the policy's refusal
        assert "私聊" in await h.say(ADMIN, "/channels", chat_type="group", chat_id=-500)
        # a URL pasted into a group is deleted there even though the group is refused
        assert "私聊" in await h.say(ADMIN, f"/channels add 护理学院 wecom {robots.wecom_url(NURSING_KEY)}", chat_type="group", chat_id=-500)
        assert any(chat == -500 for chat, _ in h.emu.deleted)
        assert "只接受 http" in await h.say(ADMIN, "/channels add 护理学院 wecom ftp://x/y")  # refused, and deleted too
        assert len(h.emu.deleted) >= 2
        assert "已删除群机器人 #1" in await h.say(ADMIN, "/channels remove 1")
        assert "没有编号为 1" in await h.say(ADMIN, "/channels test 1")
        assert "还没有群机器人" in await h.say(ADMIN, "/channels")
        for message in h.emu.messages_to(ADMIN):
            assert SCHOOL_TOKEN not in (message.text or "") and DING_SECRET not in (message.text or "")
    finally:
        await stop_bot(h.emu, h.service, h.application)
