"""The multi-worker phase of the bench: W webhook workers on one PostgreSQL database behind a
round-robin proxy on loopback, Telegram's limiter off, the same ingest burst as the one-worker phase.

Each worker count runs on its own copy of the database as setup left it (``CREATE DATABASE …
TEMPLATE``), so one worker and W workers ingest the same held-back final updates (real changes,
60-line messages, every counsellor at once). Each worker is ``python -m bench.bot_unlimited
--webhook-url … --listen 127.0.0.1 --port N`` (``placement-bot run`` with the limiter off) with
``WEBHOOK_SECRET`` set and ``WORKER_ROLE=all``; ``bench.loopback.WebhookPusher`` plays Telegram
(concurrent deliveries, one chat's updates in order) and ``RoundRobinProxy`` balances.

Measured: lines/s from the first update queued at the emulator to the last reply received there;
peak RSS (VmHWM) of each worker. Checked: history entries and message batches counted before and
after, so every line is applied exactly once.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import data
from bench.harness import measure_burst
from bench.loopback import RoundRobinProxy, WebhookPusher, free_port
from bench.procs import Proc, bot_env, start
from bot.sandbox.emulator import BotApiEmulator

SECRET = "bench-webhook-Secret_token"
HOOK_PATH = "/tg/hook"
LANES = 16  # concurrent deliveries, as Telegram's max_connections (its default is 40)


def _admin_engine(url: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def clone_database(url: str, suffix: str) -> str:
    """A copy of the database at ``url`` named ``<its name>_<suffix>`` (dropped first if it exists).
    No session may be connected to the source meanwhile."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    source = make_url(url)
    name = f"{source.database}_{suffix}"
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop and create database {name!r}: its name must start with 'bench'")
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
    finally:
        admin.dispose()
    return source.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop database {name!r}: its name must start with 'bench'")
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def stored(url: str) -> dict[str, int]:
    """History entries, batches made from messages, inbox rows by state and done ones by worker."""
    from sqlalchemy import func
    from sqlmodel import select

    from storage.db import Database
    from storage.models import Batch, DestinationEntry, InboxUpdate

    db = Database.connect(url)
    try:
        with db.read() as session:
            out = {
                "entries": session.exec(select(func.count()).select_from(DestinationEntry)).one(),
                "message_batches": session.exec(
                    select(func.count()).select_from(Batch).where(Batch.source == "message")
                ).one(),
            }
            for state, n in session.exec(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)):
                out[f"inbox_{state}"] = n
            done = select(InboxUpdate.claimed_by, func.count()).where(InboxUpdate.state == "done")
            for worker, n in session.exec(done.group_by(InboxUpdate.claimed_by)):
                out[f"done_by_{worker}"] = n
            return out
    finally:
        db.dispose()


def worker_env(token: str, url: str, emu: BotApiEmulator, root: Path) -> dict[str, str]:
    env = bot_env(token=token, database_url=url, api_base=emu.base_url, file_base=emu.base_file_url)
    env = {k: v for k, v in env.items() if not k.startswith(("WEBHOOK_", "WORKER_", "INBOX_"))}
    env.update(WEBHOOK_SECRET=SECRET, WORKER_ROLE="all", PYTHONPATH=str(root))
    return env


async def _listening(proc: Proc, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.label} exited:\n{proc.log_tail()}")
        try:
            if "webhook: serving" in proc.log_path.read_text(errors="replace"):
                return
        except OSError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{proc.label} did not listen within {timeout:.0f} s:\n{proc.log_tail()}")


async def ingest(
    tmp: Path,
    url: str,
    messages: data.Messages,
    workers: int,
    *,
    token: str,
    admin: int,
    root: Path,
    log: Callable[[str], None],
    timeout: float = 3600.0,
) -> dict[str, Any]:
    """One limiter-off ingest burst through ``workers`` webhook workers on the database at ``url``."""
    out: dict[str, Any] = {"workers": workers, "lanes": LANES}
    with BotApiEmulator(token=token) as emu:
        ports = [free_port() for _ in range(workers)]
        proxy = RoundRobinProxy(ports).start()
        pusher = WebhookPusher(emu, lanes=LANES).start()
        env = worker_env(token, url, emu, root)
        hook = f"http://127.0.0.1:{proxy.port}{HOOK_PATH}"
        procs: list[Proc] = []
        peaks: list[int | None] = []
        try:
            for i, port in enumerate(ports):
                command = [sys.executable, "-m", "bench.bot_unlimited", "--webhook-url", hook,
                           "--listen", "127.0.0.1", "--port", str(port)]  # fmt: skip
                procs.append(start(f"worker{workers}-{i + 1}", command, env, tmp))
            for proc in procs:
                await _listening(proc)
            # warm-up: each worker receives a question before the measured burst
            for _ in range(2 * workers):
                since = emu.mark(admin)
                emu.send_text(admin, "/rate")
                await emu.wait_for(admin, count=1, timeout=300, since=since)
            out["before"] = await asyncio.to_thread(stored, url)

            def send_all() -> None:
                for chat, text in messages.items:
                    emu.send_text(chat, text)

            seconds = await measure_burst(emu, messages.per_chat(), send_all, timeout=timeout)
            out["seconds"] = seconds
            out["lines_per_s"] = messages.lines / seconds
            out["peaks_now_kb"] = [p.peak_now_kb() for p in procs]
        finally:
            pusher.stop()
            peaks = [proc.stop() for proc in procs]
            proxy.stop()
        out["peak_kb"] = [
            max(a or 0, b or 0) for a, b in zip(peaks, out.pop("peaks_now_kb", peaks), strict=True)
        ]
        out["after"] = await asyncio.to_thread(stored, url)
        counsellors = set(messages.per_chat())
        out["applied_lines"] = sum(data.applied_lines(m.text) for m in emu.sent if m.chat_id in counsellors)
        out["sent_lines"] = messages.lines
        out["sent_messages"] = len(messages.items)
        out["error_replies"] = sum(
            1 for m in emu.sent if m.text and ("出错" in m.text or "went wrong" in m.text)
        )
        out["routed"] = {port: sum(1 for _, p in proxy.routed if p == port) for port in ports}
        out["push_failures"] = pusher.failures
    out["new_entries"] = out["after"]["entries"] - out["before"]["entries"]
    log(
        f"{workers} worker(s): {out['lines_per_s']:,.0f} lines/s, {out['new_entries']:,} entries for "
        f"{out['sent_lines']:,} lines, peak RSS {', '.join(f'{kb / 1024:,.0f}' for kb in out['peak_kb'])} MB"
    )
    return out
