"""The update inbox: raw Telegram updates stored before they are confirmed, claimed one chat at a time.

Only the oldest unfinished update of a chat (its *head*) can be claimed, so one chat's updates are
applied in order and never by two workers at once, while different chats run in parallel. A claim
carries a lease: a worker that dies (SIGKILL, OOM, power loss) leaves a claim that lapses and is
taken over. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so workers never wait on each other;
SQLite writers are serialised by `BEGIN IMMEDIATE` (one process).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, delete, exists, func, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage.db import Database
from storage.models import InboxUpdate

PENDING, CLAIMED, DONE = "pending", "claimed", "done"
# What a finished update's payload becomes. The payload and chat are kept only while the update may
# still be processed (pending or claimed): once done, only its update_id (to ignore a redelivery)
# and times remain (chat_key 0). So no message text — a stranger's, a robot URL and secret in
# `/channels add`, a `/start` invite token — outlives its processing in the database.
REDACTED = ""


def _unfinished(table: type[InboxUpdate]) -> ColumnElement[bool]:
    """`state != 'done'` with the literal written into the SQL: the partial indexes
    ix_inboxupdate_open(_chat) have exactly this predicate, and SQLite uses a partial index only
    when the query repeats it literally (a bound parameter does not match)."""
    return table.state != literal_column(f"'{DONE}'")  # type: ignore[return-value]


@dataclass(frozen=True)
class Incoming:
    update_id: int
    chat_key: int
    payload: str


@dataclass(frozen=True)
class Claimed:
    id: int
    update_id: int
    chat_key: int
    payload: str
    attempts: int


def _now() -> datetime:
    return datetime.now(UTC)


def store(db: Database, updates: Sequence[Incoming]) -> int:
    """Store a batch in one transaction; an update already stored (a redelivery) is left alone.
    Returns how many were new. When this returns, the batch survives a crash or power loss."""
    if not updates:
        return 0
    now = _now()
    rows = [
        {"update_id": u.update_id, "chat_key": u.chat_key, "payload": u.payload, "received_at": now,
         "state": PENDING, "attempts": 0}
        for u in updates
    ]
    table = InboxUpdate.__table__  # type: ignore[attr-defined]
    dialect = postgresql if db.writer.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["update_id"]).returning(table.c.update_id)
    with db.write() as session:
        new = session.execute(statement, rows).all()
    return len(new)


def heads_query(dialect: str, limit: int, now: datetime) -> Select[tuple[int]]:
    """Up to `limit` claimable chat heads, oldest first: unfinished, pending or with a lapsed
    lease, and no earlier unfinished update in the same chat. Both tests run over the partial
    indexes of unfinished rows, so the cost does not grow with the finished rows kept."""
    earlier = aliased(InboxUpdate)
    blocked = exists().where(
        earlier.chat_key == InboxUpdate.chat_key,
        _unfinished(earlier),
        earlier.update_id < InboxUpdate.update_id,
    )
    query = (
        select(InboxUpdate.id)
        .where(
            _unfinished(InboxUpdate),
            or_(InboxUpdate.state == PENDING, InboxUpdate.lease_until < now),  # type: ignore[operator]
            ~blocked,
        )
        .order_by(InboxUpdate.update_id)
        .limit(max(limit, 0))
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=InboxUpdate)  # type: ignore[arg-type]
    return query  # type: ignore[return-value]


def claim(db: Database, worker: str, limit: int, lease_seconds: float, finished: Sequence[int] = ()) -> list[Claimed]:
    """Mark `finished` (ids this worker processed) done, then claim up to `limit` chat heads: each
    the oldest unfinished update of its chat, pending or with a lapsed lease. One transaction (one
    commit, one fsync on SQLite) for both. Returns the claims oldest first."""
    if limit <= 0 and not finished:
        return []
    now = _now()
    query = heads_query(db.writer.dialect.name, limit, now)
    with db.write() as session:
        if finished:
            _mark_done(session, worker, finished, now)
        ids = list(session.execute(query).scalars()) if limit > 0 else []
        if not ids:
            return []
        session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id.in_(ids))  # type: ignore[union-attr]
            .values(state=CLAIMED, claimed_by=worker, lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=InboxUpdate.attempts + 1)
        )
        rows = session.execute(
            select(InboxUpdate.id, InboxUpdate.update_id, InboxUpdate.chat_key, InboxUpdate.payload,
                   InboxUpdate.attempts)
            .where(InboxUpdate.id.in_(ids))  # type: ignore[union-attr]
            .order_by(InboxUpdate.update_id)
        ).all()
    return [Claimed(*row) for row in rows]


def _mark_done(session: Session, worker: str, ids: Sequence[int], now: datetime) -> int:
    result = session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.id.in_(list(ids)), InboxUpdate.claimed_by == worker,  # type: ignore[union-attr]
               InboxUpdate.state == CLAIMED)
        .values(state=DONE, done_at=now, lease_until=None, chat_key=0, payload=REDACTED)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def renew(db: Database, worker: str, ids: Sequence[int], lease_seconds: float) -> None:
    """Extend this worker's leases on updates it is still working on."""
    if not ids:
        return
    with db.write() as session:
        session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id.in_(list(ids)), InboxUpdate.claimed_by == worker,  # type: ignore[union-attr]
                   InboxUpdate.state == CLAIMED)
            .values(lease_until=_now() + timedelta(seconds=lease_seconds))
        )


def finish(db: Database, worker: str, inbox_id: int) -> bool:
    """Mark one update done. False if another worker took it over (this one's lease lapsed)."""
    with db.write() as session:
        return bool(_mark_done(session, worker, [inbox_id], _now()))


def release_all(db: Database) -> int:
    """Make every claim pending again: for a single process starting up, whose earlier self died."""
    with db.write() as session:
        result = session.execute(
            update(InboxUpdate).where(InboxUpdate.state == CLAIMED).values(state=PENDING, claimed_by=None,
                                                                           lease_until=None)
        )
    return result.rowcount or 0  # type: ignore[attr-defined]


def claimants(db: Database) -> list[str]:
    """The workers holding claims now."""
    with db.read() as session:
        return [w for w in session.execute(select(InboxUpdate.claimed_by).where(InboxUpdate.state == CLAIMED).distinct()).scalars() if w]


def release(db: Database, workers: Sequence[str]) -> int:
    """Make the claims of these (dead) workers pending again, without waiting for their leases."""
    if not workers:
        return 0
    with db.write() as session:
        result = session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.state == CLAIMED, InboxUpdate.claimed_by.in_(list(workers)))  # type: ignore[union-attr]
            .values(state=PENDING, claimed_by=None, lease_until=None)
        )
    return result.rowcount or 0  # type: ignore[attr-defined]


def prune(db: Database, older_than: timedelta) -> int:
    """Forget finished updates. Telegram redelivers an unconfirmed update for at most 24 hours, and
    picks update ids afresh after a week without updates, so a few days of done rows are enough.
    Done rows still carrying a payload or chat (finished by a version that kept it) are redacted too."""
    with db.write() as session:
        session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.state == DONE, or_(InboxUpdate.payload != REDACTED, InboxUpdate.chat_key != 0))
            .values(chat_key=0, payload=REDACTED)
        )
        result = session.execute(
            delete(InboxUpdate).where(InboxUpdate.state == DONE, InboxUpdate.done_at < _now() - older_than)  # type: ignore[operator]
        )
    return result.rowcount or 0


def counts(db: Database) -> dict[str, int]:
    """How many updates are in each state."""
    with db.read() as session:
        rows = session.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)).all()
    return {state: n for state, n in rows}

