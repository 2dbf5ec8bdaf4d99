"""Helpers for tests that run `placement-bot run` as a subprocess (as installed) against the emulator.

The webhook pusher that plays Telegram and the round-robin proxy live in bench/loopback.py (the
bench runner uses them too); they are re-exported here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from bench.loopback import RoundRobinProxy as RoundRobinProxy
from bench.loopback import WebhookPusher as WebhookPusher
from bench.loopback import free_port as free_port
from bench.loopback import post as post
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from storage.db import Database
from storage.models import Batch, DestinationEntry, InboxUpdate
from storage.schema import upgrade_database
from tests.conftest import make_settings

TOKEN = "123456:TEST-TOKEN"
SECRET = "s3cret-Webhook_token"
BOT_BIN = Path(sys.executable).parent / "placement-bot"  # the console script of the installed package
WANG, LI, ADMIN = 3001, 3002, 1001
PER_COUNSELLOR = 75


def student(counsellor: int, i: int) -> str:
    return f"20230{1 if counsellor == WANG else 2}{i:04d}"


def roster_csv() -> bytes:
    rows = ["学号,姓名,院系,专业,班级,学历,性别,生源地,重点群体,辅导员"]
    for counsellor, teacher, dept, major in ((WANG, "王老师", "护理学院", "护理"), (LI, "李老师", "信息工程学院", "软件技术")):
        for i in range(PER_COUNSELLOR):
            rows.append(f"{student(counsellor, i)},学生{teacher[0]}{i},{dept},{major},{major}2301班,专科,女,山东,,{teacher}")
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


def seed(db_url: str) -> None:
    """A cohort of 150 graduates, two counsellors (75 each) and an admin."""
    upgrade_database(db_url)
    database = Database.connect(db_url)
    service = Services.build(database, make_settings(db_url))
    result = service.roster.import_roster(roster_csv(), "roster.csv", actor=SYSTEM, cohort=2023)
    assert result.ok, result
    service.access.grant(ADMIN, "admin", name="就业中心")
    service.access.grant(WANG, "counsellor", name="王老师")
    service.access.grant(LI, "counsellor", name="李老师")
    database.dispose()


@dataclass
class Counts:
    entries: int
    batches: int
    batch_keys: list[tuple[int, int]]
    inbox: dict[str, int]


def counts(db_url: str) -> Counts:
    database = Database.connect(db_url)
    try:
        with database.read() as session:
            entries = session.exec(select(func.count()).select_from(DestinationEntry)).one()
            keys = [(c, m) for c, m in session.exec(select(Batch.chat_id, Batch.message_id).where(Batch.source == "message"))]
            inbox: dict[str, int] = {}
            for state, n in session.exec(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)):
                inbox[state] = n
        return Counts(entries, len(keys), keys, inbox)  # type: ignore[arg-type]
    finally:
        database.dispose()


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: the process does nothing (claims nothing) until `resume`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused process must run to act on SIGTERM
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def bot_env(db_url: str, emu: BotApiEmulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "WORKER_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=db_url,
        TELEGRAM_API_BASE_URL=emu.base_url,
        TELEGRAM_FILE_BASE_URL=emu.base_file_url,
        DIGESTS_ENABLED="false",
        INBOX_LEASE_SECONDS="3",
        INBOX_POLL_SECONDS="0.2",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_bot(env: dict[str, str], cwd: Path, *args: str, name: str = "bot") -> BotProcess:
    log = cwd / f"{name}-{time.monotonic_ns()}.log"
    handle = log.open("wb")
    process = subprocess.Popen([str(BOT_BIN), "run", *args], env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return BotProcess(process, log)


def refused_once(emu: BotApiEmulator, chat: int) -> bool:
    """The emulator refused a message to `chat` with 429 (the fault a test set with `fail_next`): the
    bot that sent it now sleeps out the retry-after, holding that chat's update."""
    return any(status == 429 and to == chat for _, _, to, status, _ in emu.errors)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, on_timeout: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{on_timeout()}")
