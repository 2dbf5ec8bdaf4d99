"""Two webhook workers on one PostgreSQL database behind a round-robin proxy (issue 11, item 1).

One chat's updates alternate between the workers and are applied in order, exactly once; one
worker is SIGKILLed mid-burst and the other finishes; an answer from either worker reflects the
other's latest update (the caches are keyed by data versions read from the database).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox.emulator import BotApiEmulator
from storage.db import Database
from storage.models import DestinationEntry, Graduate, InboxUpdate
from tests.conftest import POSTGRES_URL, _postgres_schema_url
from tests.e2e.workers import (
    LI,
    PER_COUNSELLOR,
    SECRET,
    TOKEN,
    WANG,
    BotProcess,
    RoundRobinProxy,
    WebhookPusher,
    bot_env,
    counts,
    free_port,
    seed,
    start_bot,
    student,
    wait_until,
)

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="several workers need PostgreSQL: TEST_DATABASE_URL is not set")

BURST = 60


@pytest.fixture
def pg_url() -> object:
    yield from _postgres_schema_url(POSTGRES_URL or "")


def employers_of(db_url: str, student_id: str) -> list[str]:
    database = Database.connect(db_url)
    try:
        with database.read() as session:
            graduate = session.exec(select(Graduate).where(Graduate.student_id == student_id)).one()
            rows = session.exec(
                select(DestinationEntry.employer).where(DestinationEntry.graduate_id == graduate.id).order_by(DestinationEntry.id)
            )
            return [r or "" for r in rows]
    finally:
        database.dispose()


def processed_by(db_url: str) -> dict[int, str]:
    """update_id → the worker that finished it."""
    database = Database.connect(db_url)
    try:
        with database.read() as session:
            return {u: w or "" for u, w in session.exec(select(InboxUpdate.update_id, InboxUpdate.claimed_by))}
    finally:
        database.dispose()


def test_two_workers_share_one_chat_in_order_and_survive_a_kill(pg_url: str, tmp_path: Path) -> None:
    seed(pg_url)
    proxy = RoundRobinProxy([free_port(), free_port()]).start()
    url = f"http://127.0.0.1:{proxy.port}/tg/hook"
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(pg_url, emu, WEBHOOK_SECRET=SECRET)

        def worker(port: int, name: str) -> BotProcess:
            process = start_bot(env, tmp_path, "--webhook-url", url, "--port", str(port), name=name)
            wait_until(lambda: "webhook: serving /tg/hook" in process.output(), 60, f"{name} to listen", process.output)
            return process

        first, second = worker(proxy.backends[0], "w1"), worker(proxy.backends[1], "w2")
        workers = [first, second]
        pusher = WebhookPusher(emu).start()
        try:
            # -- one chat's burst about one graduate, alternating between workers; a second chat alongside
            target = student(WANG, 0)
            for k in range(1, BURST + 1):
                emu.send_text(WANG, f"{target} 签劳动合同 单位{k}")
                emu.send_text(LI, f"{student(LI, k % PER_COUNSELLOR)} 签劳动合同 单位{k}")
            wait_until(lambda: counts(pg_url).batches >= BURST // 2, 60, "a third of the burst", first.output)
            first.kill()
            assert counts(pg_url).batches < 2 * BURST, "the burst ended before the kill: the test proves nothing"
            wait_until(
                lambda: counts(pg_url).batches == 2 * BURST and counts(pg_url).inbox.get("done") == 2 * BURST,
                120, "the surviving worker to finish", lambda: f"{counts(pg_url)}\n{second.output()[-3000:]}",
            )
            assert employers_of(pg_url, target) == [f"单位{k}" for k in range(1, BURST + 1)]  # in order, each once
            assert counts(pg_url).entries == 2 * BURST
            ports = {port for _, port in proxy.routed}
            assert ports == set(proxy.backends)  # the deliveries went to both workers
            assert len(set(processed_by(pg_url).values())) == 2  # and both processed updates
            replies = [m.text or "" for m in emu.messages_to(WANG)]
            assert sum("已更新 1 条" in r for r in replies) <= BURST
            assert sum("已更新 1 条" in r or "已经处理过" in r for r in replies) >= BURST

            # -- cross-process caches: an answer from one worker reflects the other's latest update
            first = worker(proxy.backends[0], "w1b")
            workers = [first, second]
            other = student(WANG, 1)
            seen: set[tuple[str, str]] = set()
            for k in range(1, 21):
                since = emu.mark(WANG)
                applied = emu.send_text(WANG, f"{other} 签劳动合同 新单位{k}")
                assert "已更新 1 条" in (emu.wait_for_sync(WANG, 1, timeout=30, since=since)[-1].text or "")
                for _ in range(1 + k % 2):  # shifts which worker receives the question
                    since = emu.mark(WANG)
                    asked = emu.send_text(WANG, f"/student {other}")
                    answer = emu.wait_for_sync(WANG, 1, timeout=30, since=since)[-1].text or ""
                    assert f"新单位{k}" in answer, answer
                    by = processed_by(pg_url)
                    pair = (by[applied["update_id"]], by[asked["update_id"]])
                    if pair[0] != pair[1]:
                        seen.add(pair)
                if len(seen) == 2:
                    break
            assert len(seen) == 2, seen  # A applied → B answered, and B applied → A answered
        finally:
            pusher.stop()
            for process in workers:
                process.stop()
            proxy.stop()
        assert "Traceback" not in second.output()
