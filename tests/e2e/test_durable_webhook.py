"""Webhook mode from the installed package: only the URL's path, only with the secret token, 200 only
once stored; a crash mid-burst loses nothing; the token never shows in the output."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from bot.sandbox.emulator import BotApiEmulator
from storage.db import normalize_url
from tests.e2e.workers import (
    ADMIN,
    BOT_BIN,
    LI,
    PER_COUNSELLOR,
    SECRET,
    TOKEN,
    WANG,
    WebhookPusher,
    bot_env,
    counts,
    free_port,
    post,
    refused_once,
    seed,
    start_bot,
    student,
    wait_until,
)

ATTACKER_CHAT = 666666


def forged_export() -> bytes:
    """A made-up update: the admin's numeric id (not a secret) asking /export in the attacker's chat."""
    update = {
        "update_id": 424242,
        "message": {
            "message_id": 7,
            "date": int(time.time()),
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Admin"},
            "chat": {"id": ATTACKER_CHAT, "type": "private", "first_name": "Admin"},
            "text": "/export",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    return json.dumps(update).encode()


def test_webhook_refuses_forged_updates_and_answers_real_ones(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook-7f3a"
    with BotApiEmulator(token=TOKEN) as emu:
        bot = start_bot(bot_env(db_url, emu, WEBHOOK_SECRET=SECRET), tmp_path, "--webhook-url", url, "--port", str(port))
        pusher = WebhookPusher(emu)
        try:
            wait_until(lambda: emu.webhook_url == url, 60, "setWebhook", bot.output)
            assert emu.webhook_secret == SECRET  # registered as Telegram's secret_token
            json_type = {"Content-Type": "application/json"}
            assert post(url, forged_export(), json_type) == 403
            assert post(url, forged_export(), {**json_type, "X-Telegram-Bot-Api-Secret-Token": "guess"}) == 403
            assert post(url, forged_export(), {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}) == 403
            # only the URL's path is served, whatever the secret
            assert post(f"http://127.0.0.1:{port}/", forged_export(), {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}) == 404

            pusher.start()
            since = emu.mark(WANG)
            emu.send_text(WANG, f"{student(WANG, 0)} 签劳动合同 聊城市人民医院")
            reply = emu.wait_for_sync(WANG, 1, timeout=30, since=since)
            assert "已更新 1 条" in (reply[-1].text or "")
            time.sleep(0.5)
            assert emu.messages_to(ATTACKER_CHAT) == []  # nothing sent for the forged requests
            assert counts(db_url).inbox == {"done": 1}  # and nothing of them stored
        finally:
            pusher.stop()
            bot.stop()
        assert "refused a request without the right secret token" in bot.output()


def test_webhook_crash_mid_burst_loses_nothing(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(db_url, emu, WEBHOOK_SECRET=SECRET)
        args = ("--webhook-url", url, "--port", str(port))
        bot = start_bot(env, tmp_path, *args)
        pusher = WebhookPusher(emu)
        restarted = None
        try:
            wait_until(lambda: emu.webhook_url == url, 60, "setWebhook", bot.output)
            pusher.start()
            emu.fail_next(WANG, status=429, retry_after=600)  # the bot sleeps on WANG's first answer: killed mid-burst
            for i in range(PER_COUNSELLOR):
                for counsellor in (WANG, LI):
                    emu.send_text(counsellor, f"{student(counsellor, i)} 签劳动合同 单位{i}")
            wait_until(lambda: refused_once(emu, WANG), 300, "the answer to WANG's first message to be refused", bot.output)
            bot.kill()
            assert emu.messages_to(WANG) == [] and counts(db_url).batches < 2 * PER_COUNSELLOR, "the burst ended before the kill"
            restarted = start_bot(env, tmp_path, *args)
            wait_until(
                lambda: counts(db_url).batches == 2 * PER_COUNSELLOR
                and sum(len(emu.messages_to(c)) for c in (WANG, LI)) >= 2 * PER_COUNSELLOR,
                300, "every message applied and answered", lambda: f"{counts(db_url)}\n{restarted.output()[-3000:]}",  # type: ignore[union-attr]
            )
        finally:
            pusher.stop()
            if restarted is not None:
                restarted.stop()
        after = counts(db_url)
        assert after.entries == 2 * PER_COUNSELLOR
        assert after.inbox == {"done": 2 * PER_COUNSELLOR}
        for counsellor in (WANG, LI):
            replies = [m.text or "" for m in emu.messages_to(counsellor)]
            applied, duplicates = sum("已更新 1 条" in r for r in replies), sum("已经处理过" in r for r in replies)
            assert applied + duplicates == len(replies), replies  # every answer is one of these two
            assert applied <= PER_COUNSELLOR
        wang = [m.text or "" for m in emu.messages_to(WANG)]  # its first message applied before the kill, answered on replay
        assert (sum("已更新 1 条" in r for r in wang), sum("已经处理过" in r for r in wang)) == (PER_COUNSELLOR - 1, 1), wang


def test_webhook_mode_refuses_to_start_without_a_secret(sqlite_url: str, tmp_path: Path) -> None:
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(sqlite_url, emu)
        done = subprocess.run([str(BOT_BIN), "run", "--webhook-url", "https://example.org/hook"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: WEBHOOK_SECRET is not set: webhook mode refuses to start without it"
    assert emu.webhook_url == ""


def test_rejected_token_is_never_printed(sqlite_url: str, tmp_path: Path) -> None:
    wrong = "987654:AAH-wrong-secret-part-x1y2z3"
    with BotApiEmulator(token=TOKEN) as emu:
        for args, extra in (((), {}), (("--webhook-url", "https://example.org/hook"), {"WEBHOOK_SECRET": SECRET})):
            env = bot_env(sqlite_url, emu, TELEGRAM_BOT_TOKEN=wrong, **extra)
            done = subprocess.run([str(BOT_BIN), "run", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
            output = done.stdout + done.stderr
            assert done.returncode == 2, output
            assert "Telegram rejected TELEGRAM_BOT_TOKEN" in done.stderr
            assert wrong not in output and "AAH-wrong-secret-part-x1y2z3" not in output, output
    # Telegram unreachable: the error carries the request URL (with the token) in some layers
    env = bot_env(sqlite_url, emu, TELEGRAM_BOT_TOKEN=wrong)
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}/bot"
    done = subprocess.run([str(BOT_BIN), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot reach the Bot API at http://127.0.0.1:"), done.stderr
    assert "AAH-wrong-secret-part-x1y2z3" not in done.stdout + done.stderr, done.stderr


def test_webhook_answers_200_only_once_the_update_is_stored(db_url: str, tmp_path: Path) -> None:
    """While the inbox cannot be written, Telegram gets no 200 (so it would retry); then it does."""
    seed(db_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with BotApiEmulator(token=TOKEN) as emu:
        bot = start_bot(bot_env(db_url, emu, WEBHOOK_SECRET=SECRET), tmp_path, "--webhook-url", url, "--port", str(port))
        try:
            wait_until(lambda: emu.webhook_url == url, 60, "setWebhook", bot.output)
            headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
            assert post(url, b"x" * (2 << 20), headers) != 200  # oversized: the connection is closed before parsing
            emu.send_text(WANG, f"{student(WANG, 3)} 签劳动合同 单位3")
            update = emu.pop_update(1.0)
            assert update is not None
            statuses: list[int] = []
            engine = create_engine(normalize_url(db_url), poolclass=NullPool)
            with engine.connect() as blocker:
                if engine.dialect.name == "sqlite":
                    blocker.exec_driver_sql("BEGIN IMMEDIATE")  # holds the write lock
                else:
                    blocker.exec_driver_sql("BEGIN")
                    blocker.exec_driver_sql("LOCK TABLE inboxupdate IN EXCLUSIVE MODE")
                sender = threading.Thread(target=lambda: statuses.append(post(url, json.dumps(update).encode(), headers, timeout=60)))
                sender.start()
                time.sleep(1.5)
                assert statuses == []  # no answer while the update cannot be stored
                assert emu.messages_to(WANG) == []
                blocker.exec_driver_sql("ROLLBACK")
            engine.dispose()
            sender.join(60)
            assert statuses == [200]
            replies = emu.wait_for_sync(WANG, 1, timeout=30)
            assert "已更新 1 条" in (replies[-1].text or "")
        finally:
            bot.stop()
