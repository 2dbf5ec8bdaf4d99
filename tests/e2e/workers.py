"""Helpers for tests that run `placement-bot run` as a subprocess (as installed) against the emulator.

Also a webhook pusher that plays Telegram (POST each update with the secret token, retry until
HTTP 200) and a round-robin HTTP proxy on loopback, for several webhook workers.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlmodel import select

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def stop(self) -> None:
        if self.process.poll() is None:
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


def wait_until(condition: Callable[[], bool], timeout: float, what: str, on_timeout: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{on_timeout()}")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> int:
    """POST and return the HTTP status (0 when the connection failed)."""
    parts = urlsplit(url)
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        conn.request("POST", parts.path or "/", body=body, headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


@dataclass
class WebhookPusher:
    """Plays Telegram in webhook mode: takes queued updates from the emulator and POSTs each to the
    registered URL with the registered secret, retrying the same update until it gets HTTP 200."""

    emu: BotApiEmulator
    delivered: list[int] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> WebhookPusher:
        self._thread = threading.Thread(target=self._run, daemon=True, name="webhook-pusher")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            update = self.emu.pop_update(0.2)
            if update is None:
                continue
            body = json.dumps(update).encode()
            while not self._stop.is_set():
                headers = {"Content-Type": "application/json"}
                if self.emu.webhook_secret:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.emu.webhook_secret
                if self.emu.webhook_url and post(self.emu.webhook_url, body, headers) == 200:
                    self.delivered.append(update["update_id"])
                    break
                self.failures += 1
                time.sleep(0.1)


class RoundRobinProxy:
    """An HTTP proxy on loopback that sends each POST to the next backend in turn (a load balancer).
    A backend that does not answer gets 502 back to the client, as nginx would."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.routed: list[tuple[int, int]] = []  # (update_id, backend port) of each request answered 200
        self._next = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._lock:
                    port = proxy.backends[proxy._next % len(proxy.backends)]
                    proxy._next += 1
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                status = post(f"http://127.0.0.1:{port}{self.path}", body, headers)
                if status == 200:
                    with proxy._lock:
                        proxy.routed.append((json.loads(body).get("update_id", -1), port))
                self.send_response(status or 502)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="rr-proxy")

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
