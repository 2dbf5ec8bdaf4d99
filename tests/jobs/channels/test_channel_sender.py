"""The sender: httpx's own request logs never show a robot's key; retries only where they may help."""

from __future__ import annotations

import logging

import httpx
import pytest

from jobs.channels.platforms import text_message
from jobs.channels.sender import RateLimiter, RetryPolicy, Robot, RobotSender
from tests.jobs.fake_robots import FakeRobots

KEY = "5d1e9f0a-1111-2222-3333-444455556666"
TOKEN = "d" * 64
HOOK = "hook-0123456789abcdef0123"
SECRET = "SEC-sender-test-secret"


async def test_httpx_request_logs_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")
    caplog.set_level(logging.DEBUG, logger="httpcore")
    fake = FakeRobots(secrets={KEY: None, TOKEN: SECRET, HOOK: SECRET}).start()
    try:
        async with httpx.AsyncClient() as client:
            sender = RobotSender(client, limiter=RateLimiter())
            robots = [
                Robot(1, "wecom", fake.wecom_url(KEY), None, allow_private=True),
                Robot(2, "dingtalk", fake.dingtalk_url(TOKEN), SECRET, allow_private=True),
                Robot(3, "feishu", fake.feishu_url(HOOK), SECRET, allow_private=True),
            ]
            for robot in robots:
                outcome = await sender.post(robot, text_message(robot.kind, "测试"))
                assert outcome.ok, outcome
        assert "HTTP Request: POST" in caplog.text  # httpx did log each request …
        for secret in (KEY, TOKEN, HOOK, SECRET):
            assert secret not in caplog.text  # … with the credentials masked
        assert KEY not in repr(robots[0]) and SECRET not in repr(robots[1])
    finally:
        fake.stop()


async def test_final_errors_are_not_retried_and_retryable_ones_are() -> None:
    fake = FakeRobots(secrets={TOKEN: "SEC-right"}).start()
    try:
        async with httpx.AsyncClient() as client:
            sender = RobotSender(client, policy=RetryPolicy(attempts=3, backoff=0.01, rate_limited_wait=0.01), limiter=RateLimiter())
            wrong = await sender.post(Robot(1, "dingtalk", fake.dingtalk_url(TOKEN), "SEC-wrong", allow_private=True), text_message("dingtalk", "x"))
            assert not wrong.ok and not wrong.retryable and wrong.text.startswith("errcode 310000")
            assert len(fake.rejected) == 1  # a wrong signature stays wrong: asked once
            fake.failures[TOKEN] = [(503, {}), (200, {"errcode": 130101, "errmsg": "send too fast"})]
            fine = await sender.post(Robot(1, "dingtalk", fake.dingtalk_url(TOKEN), "SEC-right", allow_private=True), text_message("dingtalk", "x"))
            assert fine.ok and len(fake.to(TOKEN)) == 1  # third attempt, after a 503 and a rate-limit answer
    finally:
        fake.stop()
