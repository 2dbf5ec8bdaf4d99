"""The inbox's claims: one chat in order, never two claims on one chat, leases lapse, redeliveries ignored."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from storage import inbox
from storage.db import Database
from storage.inbox import Incoming
from storage.schema import upgrade_database


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade_database(db_url)
    database = Database.connect(db_url)
    yield database
    database.dispose()


def rows(*pairs: tuple[int, int]) -> list[Incoming]:
    return [Incoming(update_id, chat, f'{{"update_id": {update_id}}}') for update_id, chat in pairs]


def test_redelivered_updates_are_stored_once(db: Database) -> None:
    assert inbox.store(db, rows((1, 10), (2, 10))) == 2
    assert inbox.store(db, rows((2, 10), (3, 11))) == 1  # update 2 came again
    assert inbox.counts(db) == {"pending": 3}


def test_only_the_head_of_each_chat_is_claimed(db: Database) -> None:
    inbox.store(db, rows((1, 10), (2, 10), (3, 11), (4, 10), (5, 12)))
    first = inbox.claim(db, "a", 10, 30)
    assert [(c.update_id, c.chat_key) for c in first] == [(1, 10), (3, 11), (5, 12)]
    assert inbox.claim(db, "b", 10, 30) == []  # every chat is busy
    assert inbox.finish(db, "a", first[0].id)
    assert [c.update_id for c in inbox.claim(db, "b", 10, 30)] == [2]  # chat 10's next, only after 1 is done
    assert not inbox.finish(db, "a", first[0].id)  # finishing twice does nothing


class MovedClock:
    """storage.inbox's clock (`_now`), moved by the test: leases lapse when the test says, not after
    a sleep that a busy machine may stretch past them."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> MovedClock:
    moved = MovedClock()
    monkeypatch.setattr(inbox, "_now", moved)
    return moved


def test_a_lapsed_lease_is_taken_over_and_the_late_worker_cannot_finish(db: Database, clock: MovedClock) -> None:
    inbox.store(db, rows((1, 10), (2, 10)))
    (claimed,) = inbox.claim(db, "dead", 10, 30)
    clock.advance(29)
    assert inbox.claim(db, "alive", 10, 30) == []  # the lease still holds
    clock.advance(2)
    (again,) = inbox.claim(db, "alive", 10, 30)
    assert again.update_id == 1 and again.attempts == 2
    assert not inbox.finish(db, "dead", claimed.id)  # it lost its claim
    assert inbox.finish(db, "alive", again.id)
    assert [c.update_id for c in inbox.claim(db, "alive", 10, 30)] == [2]


def test_renewed_leases_do_not_lapse(db: Database, clock: MovedClock) -> None:
    inbox.store(db, rows((1, 10)))
    (claimed,) = inbox.claim(db, "a", 10, 30)
    for _ in range(3):
        clock.advance(20)
        inbox.renew(db, "a", [claimed.id], 30)
    assert inbox.claim(db, "b", 10, 30) == []  # 60 s after a 30 s claim: renewed, still held
    clock.advance(31)
    assert [c.update_id for c in inbox.claim(db, "b", 10, 30)] == [1]  # not renewed: lapsed


def test_release_all_makes_claims_pending(db: Database) -> None:
    inbox.store(db, rows((1, 10), (2, 11)))
    inbox.claim(db, "a", 10, 30)
    assert inbox.release_all(db) == 2
    assert len(inbox.claim(db, "b", 10, 30)) == 2


def test_concurrent_claimers_never_share_a_chat_and_keep_its_order(db: Database) -> None:
    """Four threads (separate connections) race to process 6 chats × 20 updates."""
    chats, per_chat = 6, 20
    inbox.store(db, rows(*[(n * chats + c + 1, 100 + c) for n in range(per_chat) for c in range(chats)]))
    seen: dict[int, list[int]] = {}
    busy: set[int] = set()
    problems: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        idle = 0
        while idle < 20:
            try:
                claimed = inbox.claim(db, name, 3, 30)
            except Exception as error:  # SQLite's busy timeout is long; anything here is a failure
                problems.append(repr(error))
                return
            if not claimed:
                idle += 1
                time.sleep(0.01)
                continue
            idle = 0
            for row in claimed:
                with lock:
                    if row.chat_key in busy:
                        problems.append(f"chat {row.chat_key} claimed twice at once")
                    busy.add(row.chat_key)
                    seen.setdefault(row.chat_key, []).append(row.update_id)
                time.sleep(0.001)
                with lock:
                    busy.discard(row.chat_key)
                assert inbox.finish(db, name, row.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert problems == []
    assert sorted(seen) == [100 + c for c in range(chats)]
    for chat, updates in seen.items():
        assert updates == sorted(updates) and len(updates) == per_chat, (chat, updates)
    assert inbox.counts(db) == {"done": chats * per_chat}


def test_release_frees_only_the_named_workers(db: Database) -> None:
    inbox.store(db, rows((1, 10), (2, 11)))
    inbox.claim(db, "dead", 1, 600)
    inbox.claim(db, "alive", 1, 600)
    assert sorted(inbox.claimants(db)) == ["alive", "dead"]
    assert inbox.release(db, ["dead"]) == 1
    (again,) = inbox.claim(db, "new", 10, 600)
    assert again.update_id == 1


def _plan(db: Database, limit: int) -> str:
    """The database's plan for the claim's head query, as text."""
    dialect = db.writer.dialect
    compiled = inbox.heads_query(dialect.name, limit, inbox._now()).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    prefix = "EXPLAIN " if dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with db.write() as session:
        if dialect.name == "postgresql":
            session.execute(text("ANALYZE inboxupdate"))
        return "\n".join(str(row[-1]) for row in session.execute(text(prefix + str(compiled))).all())


def test_a_claim_reads_only_unfinished_rows(db: Database) -> None:
    """Issue 18: finished updates are kept for days; the claim must not walk them. Both the head
    scan and the "earlier unfinished update of this chat" test use the partial indexes over
    unfinished rows, whatever number of finished rows is kept."""
    inbox.store(db, rows(*((i, i % 50) for i in range(1, 3001))))
    finished: list[int] = []
    while claimed := inbox.claim(db, "a", 200, 30, finished):
        finished = [c.id for c in claimed]
    inbox.claim(db, "a", 0, 30, finished)
    inbox.store(db, rows((5001, 7), (5002, 7), (5003, 8)))
    assert inbox.counts(db) == {"done": 3000, "pending": 3}

    plan = _plan(db, 16)
    if db.writer.dialect.name == "postgresql":
        assert "Index Scan using ix_inboxupdate_open on inboxupdate " in plan
        assert "Seq Scan" not in plan
    else:
        assert "SCAN inboxupdate USING INDEX ix_inboxupdate_open" in plan.splitlines()[0]
        assert "USING INDEX ix_inboxupdate_open_chat" in plan
    assert [(c.update_id, c.chat_key) for c in inbox.claim(db, "b", 16, 30)] == [(5001, 7), (5003, 8)]


def _stored(db: Database) -> list[tuple[int, int, str, str]]:
    from sqlmodel import select

    from storage.models import InboxUpdate

    with db.read() as session:
        return [(r.update_id, r.chat_key, r.payload, r.state) for r in session.exec(select(InboxUpdate).order_by(InboxUpdate.update_id))]


def test_a_processed_update_keeps_neither_its_payload_nor_its_chat(db: Database) -> None:
    inbox.store(db, [Incoming(1, 10, '{"update_id": 1, "text": "secret-1"}'), Incoming(2, 11, '{"update_id": 2}')])
    first, second = inbox.claim(db, "a", 10, 30)
    assert first.payload == '{"update_id": 1, "text": "secret-1"}'  # kept while it may still be processed
    assert inbox.finish(db, "a", first.id)
    inbox.claim(db, "a", 0, 30, finished=[second.id])  # marked done with the next claim
    assert _stored(db) == [(1, 0, "", "done"), (2, 0, "", "done")]
    assert inbox.store(db, [Incoming(1, 10, '{"update_id": 1, "text": "secret-1"}')]) == 0  # a redelivery is still ignored


def test_prune_redacts_done_rows_an_older_version_left_with_their_payload(db: Database) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from storage.models import InboxUpdate

    inbox.store(db, rows((1, 10), (2, 11)))
    with db.write() as session:  # as an earlier version marked it done: payload and chat kept
        session.execute(update(InboxUpdate).where(InboxUpdate.update_id == 1).values(state="done", done_at=InboxUpdate.received_at))
    inbox.prune(db, timedelta(days=2))
    assert _stored(db) == [(1, 0, "", "done"), (2, 11, '{"update_id": 2}', "pending")]
