"""Named queries: the only place that knows SQL. Functions take an open Session."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from bot.metrics import GraduateState
from storage.models import (
    Alias,
    AppSetting,
    AuditLog,
    Batch,
    BotUser,
    ChannelDelivery,
    CheckpointTarget,
    Cohort,
    DestinationEntry,
    DigestDelivery,
    Graduate,
    GroupChannel,
    Invite,
    UserScope,
)

# ---------------------------------------------------------------- cohorts


def get_cohort(session: Session, year: int) -> Cohort | None:
    return session.exec(select(Cohort).where(Cohort.year == year)).first()


def get_or_create_cohort(session: Session, year: int) -> Cohort:
    cohort = get_cohort(session, year)
    if cohort is None:
        cohort = Cohort(year=year)
        session.add(cohort)
        session.flush()
        session.info.pop("latest_cohort", None)
    return cohort


def latest_cohort(session: Session) -> Cohort | None:
    """The newest cohort, read once per session (every question asks for it)."""
    if "latest_cohort" not in session.info:
        session.info["latest_cohort"] = session.exec(select(Cohort).order_by(col(Cohort.year).desc())).first()
    return session.info["latest_cohort"]  # type: ignore[no-any-return]


def all_cohorts(session: Session) -> list[Cohort]:
    return list(session.exec(select(Cohort).order_by(col(Cohort.year))))


def cohort_years(session: Session) -> list[int]:
    return list(session.exec(select(Cohort.year).order_by(col(Cohort.year))))


def versions(session: Session, cohort_id: int) -> tuple[int, int]:
    """(data_version, roster_version) of a cohort, read once per session: one answer asks the
    snapshot store a dozen times, and within a session every read then agrees on one version.
    Taking the cohort's lock or bumping its version forgets it."""
    key = ("versions", cohort_id)
    found = session.info.get(key)
    if found is None:
        row = session.exec(select(Cohort.data_version, Cohort.roster_version).where(Cohort.id == cohort_id)).one()
        found = session.info[key] = (row[0], row[1])
    return found  # type: ignore[no-any-return]


def lock_cohort(session: Session, cohort_id: int) -> int:
    """Take the cohort's write lock (row lock on PostgreSQL; SQLite writers already hold the database
    lock from BEGIN IMMEDIATE) and return its data version, so writers of one cohort run one at a time."""
    session.info.pop(("versions", cohort_id), None)  # another writer may have committed before the lock
    return session.exec(select(Cohort.data_version).where(Cohort.id == cohort_id).with_for_update()).one()


def bump_data_version(session: Session, cohort_id: int, *, roster: bool = False) -> None:
    session.info.pop(("versions", cohort_id), None)
    values: dict[str, object] = {"data_version": Cohort.data_version + 1}
    if roster:
        values["roster_version"] = Cohort.roster_version + 1
    session.execute(update(Cohort).where(col(Cohort.id) == cohort_id).values(**values))


# ---------------------------------------------------------------- graduates and their states

# Latest entry per graduate = the last row per graduate in this order. Two plain scans beat a
# window function joined back to the graduates, which PostgreSQL plans as a nested loop.
_ENTRIES_SQL = text(
    """
    SELECT graduate_id, code, substate, related, employer, school, province, city, unit_nature,
           industry, note, effective_date
    FROM destinationentry
    WHERE cohort_id = :cohort_id AND undone_at IS NULL AND effective_date <= :as_of
    ORDER BY graduate_id, effective_date, id
    """
)


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


def graduate_states(
    session: Session, cohort_id: int, as_of: date, roster: Sequence[GraduateState] | None = None
) -> list[GraduateState]:
    """Every graduate of a cohort with their destination as of `as_of` (code 0 when none).
    `roster`: the cohort's `roster_states`, when the caller has them (they are shared, not copied)."""
    sql = _ENTRIES_SQL.text.replace(":cohort_id", "%(cohort_id)s").replace(":as_of", "%(as_of)s")
    sqlite = session.connection().dialect.name == "sqlite"  # dates are ISO text there
    latest: dict[int, tuple] = {}
    for chunk in _fetch_chunks(session, sql, {"cohort_id": cohort_id, "as_of": as_of.isoformat() if sqlite else as_of}):
        for row in chunk:
            latest[row[0]] = row
    states = list(roster) if roster is not None else roster_states(session, cohort_id)
    one: dict[object, object] = {}
    same = one.setdefault
    for i, state in enumerate(states):
        e = latest.get(state.graduate_id)
        if e is not None:
            states[i] = GraduateState(
                *_roster_fields(state), code=e[1], substate=same(e[2], e[2]), related=None if e[3] is None else bool(e[3]),  # type: ignore[arg-type]
                employer=same(e[4], e[4]), school=same(e[5], e[5]), province=same(e[6], e[6]), city=same(e[7], e[7]),  # type: ignore[arg-type]
                unit_nature=e[8], industry=same(e[9], e[9]), note=e[10], last_update=same(e[11], _as_date(e[11])),  # type: ignore[arg-type]
            )
    return states


def _roster_fields(state: GraduateState) -> tuple:
    return (
        state.graduate_id, state.student_id, state.name, state.department, state.major, state.category,
        state.class_name, state.degree, state.gender, state.origin, state.groups, state.counsellor,
    )


def _fetch_all(session: Session, sql: str, params: dict[str, object]) -> list[tuple]:
    """Rows of a bulk read on the session's connection through the bare DB-API cursor: loading a
    cohort fetches hundreds of thousands of rows, and the per-row result objects would dominate."""
    return [row for chunk in _fetch_chunks(session, sql, params) for row in chunk]


def _fetch_chunks(session: Session, sql: str, params: dict[str, object], size: int = 5000) -> Iterator[list[tuple]]:
    """`_fetch_all` a chunk at a time, so that a caller keeping only part of each row never holds
    every row at once (peak memory)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        sql = re.sub(r"%\((\w+)\)s", r":\1", sql)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(size):
            yield chunk
    finally:
        cursor.close()


def roster_states(session: Session, cohort_id: int) -> list[GraduateState]:
    """Every graduate of a cohort with roster attributes only (code 0), in student_id order — the
    same order as `graduate_states`. Repeated values (department, major, class …) share one string
    object: a 100,000-graduate roster holds a few thousand distinct ones."""
    chunks = _fetch_chunks(
        session,
        "SELECT id, student_id, name, department, major, category, class_name, degree, gender, origin, groups, "
        "counsellor FROM graduate WHERE cohort_id = %(cohort_id)s ORDER BY student_id",
        {"cohort_id": cohort_id},
    )
    one: dict[object, object] = {}
    same = one.setdefault
    return [
        GraduateState(
            g[0], g[1], g[2], same(g[3], g[3]), same(g[4], g[4]), same(g[5], g[5]), same(g[6], g[6]),  # type: ignore[arg-type]
            same(g[7], g[7]), same(g[8], g[8]), same(g[9], g[9]),  # type: ignore[arg-type]
            same(g[10], tuple(x for x in g[10].split(";") if x) if g[10] else ()), same(g[11], g[11]),  # type: ignore[arg-type]
        )
        for chunk in chunks
        for g in chunk
    ]


def roster_ids(session: Session, cohort_id: int) -> list[tuple[int, str, str | None]]:
    """(id, department, degree) of a cohort's graduates in `roster_states` order: what counting a
    scope's rate and its gap to the targets needs of the roster."""
    return _fetch_all(
        session,
        "SELECT id, department, degree FROM graduate WHERE cohort_id = %(cohort_id)s ORDER BY student_id",
        {"cohort_id": cohort_id},
    )


def roster_profiles(session: Session, cohort_id: int) -> list[GraduateState]:
    """One placeholder state per distinct combination of the attributes scopes are named by
    (department, major, category, class, degree, gender, counsellor, groups): enough to build the
    scope catalog without loading every graduate."""
    rows = _fetch_all(
        session,
        "SELECT DISTINCT department, major, category, class_name, degree, gender, counsellor, groups FROM graduate "
        "WHERE cohort_id = %(cohort_id)s",
        {"cohort_id": cohort_id},
    )
    return [
        GraduateState(
            0, "", "", r[0], r[1], r[2], r[3], r[4], r[5], None, tuple(x for x in (r[7] or "").split(";") if x), r[6]
        )
        for r in rows
    ]


def entry_keys(session: Session, cohort_id: int, after_id: int = 0) -> Iterator[list[tuple]]:
    """(id, graduate_id, day ordinal, code, related, substate) of every effective entry with
    id > `after_id`, in no particular order, a chunk of rows at a time (consume it in the session). Writers of a cohort hold its lock until commit, so a
    cohort's entry ids grow in commit order and "id > the last seen" finds what others added since."""
    if session.connection().dialect.name == "sqlite":
        day = "CAST(julianday(effective_date) - 1721424.5 AS INTEGER)"
    else:
        day = "(effective_date - DATE '0001-01-01' + 1)"
    # On catching up, "+cohort_id" keeps the planner off the cohort index: a range of the primary
    # key, O(new entries), not a scan of the cohort's whole history.
    where = (
        "id > %(after_id)s AND +cohort_id = %(cohort_id)s AND undone_at IS NULL"
        if after_id
        else "cohort_id = %(cohort_id)s AND undone_at IS NULL"
    )
    return _fetch_chunks(
        session,
        f"SELECT id, graduate_id, {day}, code, related, substate FROM destinationentry WHERE {where}",
        {"cohort_id": cohort_id, "after_id": after_id},
    )


def entries_by_id(session: Session, ids: Sequence[int]) -> dict[int, dict[str, object]]:
    """Full destination fields of the given entries, by id."""
    found: dict[int, dict[str, object]] = {}
    columns = [DestinationEntry.id, *(getattr(DestinationEntry, name) for name in ENTRY_FIELDS)]
    for start in range(0, len(ids), 500):
        for row in session.execute(select(*columns).where(col(DestinationEntry.id).in_(list(ids[start : start + 500])))):
            found[row[0]] = dict(zip(ENTRY_FIELDS, row[1:], strict=True))
    return found


def undone_batches(session: Session, cohort_id: int) -> frozenset[int]:
    """Ids of a cohort's undone batches (few: undo is rare), to notice undos made elsewhere."""
    return frozenset(
        session.exec(select(Batch.id).where(Batch.cohort_id == cohort_id, col(Batch.undone_at).is_not(None)))  # type: ignore[arg-type]
    )


def entry_ids_of_batches(session: Session, batch_ids: Sequence[int]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(batch_ids), 500):
        chunk = list(batch_ids[start : start + 500])
        ids.extend(session.exec(select(DestinationEntry.id).where(col(DestinationEntry.batch_id).in_(chunk))))  # type: ignore[arg-type]
    return ids


def graduates_by_student_id(session: Session, cohort_id: int) -> dict[str, Graduate]:
    return {g.student_id: g for g in session.exec(select(Graduate).where(Graduate.cohort_id == cohort_id))}


ENTRY_FIELDS = (
    "code", "substate", "employer", "school", "province", "city", "unit_nature", "industry", "related", "note",
    "effective_date",
)


def latest_entries(session: Session, graduate_ids: Iterable[int]) -> dict[int, dict[str, object]]:
    """Each graduate's latest effective, not undone entry (by effective date, then recording order)."""
    ids = list(set(graduate_ids))
    latest: dict[int, dict[str, object]] = {}
    columns = [DestinationEntry.graduate_id, *(getattr(DestinationEntry, name) for name in ENTRY_FIELDS)]
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(*columns)
            .where(col(DestinationEntry.graduate_id).in_(chunk), col(DestinationEntry.undone_at).is_(None))
            .order_by(col(DestinationEntry.effective_date), col(DestinationEntry.id))
        )
        for row in rows:
            latest[row[0]] = dict(zip(ENTRY_FIELDS, row[1:], strict=True))
    return latest


def insert_graduates(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Bulk insert of new roster rows (plain dicts), in chunks."""
    for start in range(0, len(rows), 2000):
        session.execute(insert(Graduate), rows[start : start + 2000])


def insert_entries(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Bulk insert of destination entries (plain dicts: far cheaper than ORM objects)."""
    now = datetime.now(UTC)
    # SQLite runs in-process: executemany of one cached statement is cheapest. A server gets one
    # multi-row INSERT per chunk — one round trip instead of one per row.
    multirow = session.connection().dialect.name != "sqlite"
    for start in range(0, len(rows), 500):
        chunk = [{"recorded_at": now, **row} for row in rows[start : start + 500]]  # a row may carry its own
        if multirow:
            session.execute(insert(DestinationEntry).values(chunk))
        else:
            session.execute(insert(DestinationEntry), chunk)


def history(session: Session, graduate_id: int) -> list[tuple[DestinationEntry, BotUser | None]]:
    rows = session.exec(
        select(DestinationEntry, Batch)
        .join(Batch, col(Batch.id) == DestinationEntry.batch_id)
        .where(DestinationEntry.graduate_id == graduate_id)
        .order_by(col(DestinationEntry.effective_date), col(DestinationEntry.id))
    ).all()
    users = {u.id: u for u in session.exec(select(BotUser))}
    return [(entry, users.get(batch.user_id)) for entry, batch in rows]


def delete_graduates(session: Session, graduate_ids: Sequence[int]) -> None:
    from storage.graduates import forget_graduates  # links, bindings, reports … of §10 go first

    forget_graduates(session, graduate_ids)
    for start in range(0, len(graduate_ids), 500):
        chunk = list(graduate_ids[start : start + 500])
        session.exec(delete(DestinationEntry).where(col(DestinationEntry.graduate_id).in_(chunk)))  # type: ignore[call-overload]
        session.exec(delete(Graduate).where(col(Graduate.id).in_(chunk)))  # type: ignore[call-overload]


# ---------------------------------------------------------------- batches


def find_batch(session: Session, chat_id: int, message_id: int, edit_version: int = 0) -> Batch | None:
    """A batch from this version of the message or a later one: then this version is applied or
    superseded (a redelivered original after its correction must not undo the correction)."""
    return session.exec(
        select(Batch).where(
            Batch.chat_id == chat_id, Batch.message_id == message_id, col(Batch.edit_version) >= edit_version
        )
    ).first()


def batch_undone_by(session: Session, chat_id: int, message_id: int) -> Batch | None:
    """The batch that the /undo message (chat_id, message_id) undid, if it undid one."""
    return session.exec(
        select(Batch).where(Batch.undone_by_chat_id == chat_id, Batch.undone_by_message_id == message_id)
    ).first()


def last_undoable_batch(session: Session, user_id: int, since: datetime) -> Batch | None:
    return session.exec(
        select(Batch)
        .where(
            Batch.user_id == user_id,
            col(Batch.undone_at).is_(None),
            Batch.applied > 0,
            col(Batch.created_at) >= since,
            col(Batch.source).in_(("message", "file")),
        )
        .order_by(col(Batch.created_at).desc(), col(Batch.id).desc())
    ).first()


def undo_batch(session: Session, batch: Batch) -> int:
    now = datetime.now(UTC)
    batch.undone_at = now
    session.add(batch)
    result = session.execute(
        update(DestinationEntry)
        .where(col(DestinationEntry.batch_id) == batch.id, col(DestinationEntry.undone_at).is_(None))
        .values(undone_at=now)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def batch_graduates(session: Session, batch_id: int) -> list[int]:
    return list(session.exec(select(DestinationEntry.graduate_id).where(DestinationEntry.batch_id == batch_id)))


# ---------------------------------------------------------------- users


def user_by_telegram_id(session: Session, telegram_id: int) -> BotUser | None:
    return session.exec(select(BotUser).where(BotUser.telegram_id == telegram_id)).first()


def user_scopes(session: Session, user_id: int) -> list[UserScope]:
    return list(session.exec(select(UserScope).where(UserScope.user_id == user_id).order_by(col(UserScope.id))))


def set_user_scopes(session: Session, user_id: int, scopes: Iterable[tuple[str, str]]) -> None:
    session.exec(delete(UserScope).where(UserScope.user_id == user_id))  # type: ignore[call-overload]
    for dimension, value in dict.fromkeys(scopes):
        session.add(UserScope(user_id=user_id, dimension=dimension, value=value))


def all_users(session: Session) -> list[BotUser]:
    return list(session.exec(select(BotUser).order_by(col(BotUser.role), col(BotUser.id))))


def audit(session: Session, actor_id: int | None, action: str, detail: str) -> None:
    session.add(AuditLog(actor_id=actor_id, action=action, detail=detail[:2048]))


# ---------------------------------------------------------------- invites


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_by_token(session: Session, token: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.token_hash == hash_token(token))).first()


def claim_invite(session: Session, invite_id: int, used_by: int | None, now: datetime) -> bool:
    """Mark an invite used if nobody has: one conditional UPDATE, so of two racing transactions
    exactly one sees a row changed (PostgreSQL re-checks `used_at IS NULL` after the other commits).
    `used_by` None with `used_at` set means cancelled."""
    result = session.execute(
        update(Invite).where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None)).values(used_at=now, used_by=used_by)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def set_invite_user(session: Session, invite_id: int, user_id: int) -> None:
    session.execute(update(Invite).where(col(Invite.id) == invite_id).values(used_by=user_id))


def cancel_invites_by(session: Session, user_id: int, now: datetime) -> int:
    """Cancel every unused invite a user made (when they are revoked)."""
    result = session.execute(
        update(Invite).where(col(Invite.created_by) == user_id, col(Invite.used_at).is_(None)).values(used_at=now)
    )
    return result.rowcount  # type: ignore[attr-defined]


def open_invites(session: Session, now: datetime) -> list[tuple[Invite, BotUser | None]]:
    """Unused, unexpired invites with their makers (None: made at the command line)."""
    rows = session.exec(
        select(Invite, BotUser)
        .join(BotUser, col(BotUser.id) == col(Invite.created_by), isouter=True)
        .where(col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
        .order_by(col(Invite.id))
    )
    return [(invite, user) for invite, user in rows]


# ---------------------------------------------------------------- aliases and settings


ALIAS_VERSION_KEY = "alias_version"


def alias_stamp(session: Session) -> int:
    """A counter bumped by every alias change (`put_alias`), whichever process made it: caches of
    the scope catalog compare it, so no process resolves an alias to its old target."""
    return int(get_setting(session, ALIAS_VERSION_KEY) or 0)


def put_alias(session: Session, alias: str, dimension: str, value: str, user_id: int | None) -> None:
    """Add or re-point an alias (normalised key) and bump the alias version, in one transaction."""
    row = session.exec(select(Alias).where(Alias.alias == alias)).first() or Alias(alias=alias, dimension=dimension, value=value)
    row.dimension, row.value, row.created_by, row.created_at = dimension, value, user_id, datetime.now(UTC)
    session.add(row)
    put_setting(session, ALIAS_VERSION_KEY, str(alias_stamp(session) + 1))


def aliases(session: Session) -> dict[str, tuple[str, str]]:
    return {a.alias: (a.dimension, a.value) for a in session.exec(select(Alias))}


def english_names(session: Session, cohort_id: int) -> dict[str, tuple[str, str]]:
    """English names carried by the roster (major_en, department_en) → (dimension, value)."""
    names: dict[str, tuple[str, str]] = {}
    rows = session.exec(
        select(Graduate.major, Graduate.major_en, Graduate.department, Graduate.department_en)
        .where(Graduate.cohort_id == cohort_id)
        .distinct()
    )
    for major, major_en, department, department_en in rows:
        if major_en:
            names[major_en] = ("major", major)
        if department_en:
            names[department_en] = ("department", department)
    return names


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(AppSetting, key)
    return row.value if row else None


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(AppSetting, key) or AppSetting(key=key, value=value)
    row.value = value
    row.updated_at = datetime.now(UTC)
    session.add(row)


def graduate_count(session: Session, cohort_id: int) -> int:
    return session.exec(select(func.count()).select_from(Graduate).where(Graduate.cohort_id == cohort_id)).one()


# ---------------------------------------------------------------- digest deliveries

DELIVERY_STALE_AFTER = timedelta(minutes=15)
MAX_DELIVERY_ATTEMPTS = 5


def digest_recipients(session: Session, registered_before: datetime | None = None) -> list[BotUser]:
    """Active users who take digests; with `registered_before`, only those registered before then
    (a slot belongs to the users who existed when it fell due)."""
    query = select(BotUser).where(
        col(BotUser.active).is_(True), col(BotUser.telegram_id).is_not(None), col(BotUser.digest_opt_out).is_(False)
    )
    if registered_before is not None:
        query = query.where(col(BotUser.created_at) <= registered_before)
    return list(session.exec(query.order_by(col(BotUser.id))))


def claim_delivery(
    session: Session,
    user_id: int,
    slot: datetime,
    week: str,
    worker: str,
    *,
    force: bool = False,
    week_slots: Iterable[datetime] = (),
) -> bool:
    """Claim a user's digest for a slot before sending it (see `_claim_slot`)."""
    return _claim_slot(session, DigestDelivery, "user_id", user_id, slot, week, worker, force=force, week_slots=week_slots)


def _claim_slot(
    session: Session,
    model: type[DigestDelivery] | type[ChannelDelivery],
    owner: str,
    owner_id: int,
    slot: datetime,
    week: str,
    worker: str,
    *,
    force: bool,
    week_slots: Iterable[datetime],
) -> bool:
    """The one claim rule for every recipient of a slot — a user or a group robot. True: this worker
    sends it. False: someone did or does.

    A new claim is an INSERT guarded by the unique (recipient, slot) constraint, so two processes
    racing for it cannot both win. An old claim is taken over only when forced, when it failed (with
    attempts left), or when its worker vanished mid-send (claimed long ago, never finished). A week
    whose digest went out under a schedule that has since changed gets no second one."""
    owner_column = getattr(model, owner)
    row = session.exec(select(model).where(owner_column == owner_id, model.slot == slot)).first()
    now = datetime.now(UTC)
    current_slots = {_aware(moment) for moment in week_slots}
    if row is None and not force and any(
        other.status in ("sent", "claimed", "partial") and _aware(other.slot) not in current_slots
        for other in session.exec(select(model).where(owner_column == owner_id, model.week == week))
    ):
        return False
    if row is None:
        try:
            with session.begin_nested():
                session.add(model(**{owner: owner_id}, slot=slot, week=week, status="claimed", worker=worker, attempts=1))
        except IntegrityError:
            return False
        return True
    stale = row.status == "claimed" and _aware(row.claimed_at) < now - DELIVERY_STALE_AFTER
    retry = row.status == "failed" and row.attempts < MAX_DELIVERY_ATTEMPTS
    if not (force or stale or retry):
        return False
    taken = session.execute(
        update(model)
        .where(col(model.id) == row.id, col(model.status) == row.status, col(model.attempts) == row.attempts)
        .values(status="claimed", worker=worker, attempts=row.attempts + 1, claimed_at=now, finished_at=None)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def finish_delivery(session: Session, user_id: int, slot: datetime, status: str, messages: int, detail: str) -> None:
    _finish_slot(session, DigestDelivery, "user_id", user_id, slot, status, messages, detail)


def _finish_slot(
    session: Session,
    model: type[DigestDelivery] | type[ChannelDelivery],
    owner: str,
    owner_id: int,
    slot: datetime,
    status: str,
    messages: int,
    detail: str,
) -> None:
    """Record how a claimed (recipient, slot) ended."""
    session.execute(
        update(model)
        .where(col(getattr(model, owner)) == owner_id, col(model.slot) == slot)
        .values(status=status, messages=messages, detail=detail[:512], finished_at=datetime.now(UTC))
    )


def deliveries(session: Session, slot: datetime | None = None) -> list[DigestDelivery]:
    query = select(DigestDelivery).order_by(col(DigestDelivery.id))
    if slot is not None:
        query = query.where(DigestDelivery.slot == slot)
    return list(session.exec(query))


def users_not_started(session: Session) -> set[int]:
    """Users whose latest digest Telegram refused because they never pressed Start."""
    latest = (
        select(DigestDelivery.user_id, func.max(DigestDelivery.id).label("last_id")).group_by(col(DigestDelivery.user_id)).subquery()
    )
    rows = session.exec(
        select(DigestDelivery.user_id)
        .join(latest, col(DigestDelivery.id) == latest.c.last_id)
        .where(DigestDelivery.status == "not_started")
    )
    return set(rows)


def deactivate_user(session: Session, user_id: int, reason: str) -> None:
    session.execute(update(BotUser).where(col(BotUser.id) == user_id).values(active=False))
    audit(session, None, "deactivate", f"user {user_id}: {reason}")


def counsellors_active_since(session: Session, cohort_id: int, since: datetime) -> set[str]:
    """Names of counsellors with at least one applied update since `since`."""
    rows = session.exec(
        select(BotUser.name)
        .join(Batch, col(Batch.user_id) == BotUser.id)
        .where(Batch.cohort_id == cohort_id, col(Batch.created_at) >= since, BotUser.role == "counsellor")
        .distinct()
    )
    return {name for name in rows if name}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------- checkpoint targets


def checkpoint_targets(session: Session, cohort_id: int) -> list[CheckpointTarget]:
    return list(
        session.exec(select(CheckpointTarget).where(CheckpointTarget.cohort_id == cohort_id).order_by(col(CheckpointTarget.id)))
    )


def replace_checkpoint_targets(session: Session, cohort_id: int, rows: Iterable[CheckpointTarget]) -> None:
    session.exec(delete(CheckpointTarget).where(CheckpointTarget.cohort_id == cohort_id))  # type: ignore[call-overload]
    session.add_all(list(rows))


# ---------------------------------------------------------------- group robot channels


def add_channel(session: Session, channel: GroupChannel) -> GroupChannel:
    session.add(channel)
    session.flush()
    return channel


def channels(session: Session) -> list[GroupChannel]:
    return list(session.exec(select(GroupChannel).order_by(col(GroupChannel.id))))


def get_channel(session: Session, channel_id: int) -> GroupChannel | None:
    return session.get(GroupChannel, channel_id)


def remove_channel(session: Session, channel_id: int) -> bool:
    session.exec(delete(ChannelDelivery).where(col(ChannelDelivery.channel_id) == channel_id))  # type: ignore[call-overload]
    result = session.execute(delete(GroupChannel).where(col(GroupChannel.id) == channel_id))  # type: ignore[arg-type]
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_channel_outcome(session: Session, channel_id: int, status: str, outcome: str) -> None:
    session.execute(
        update(GroupChannel)
        .where(col(GroupChannel.id) == channel_id)
        .values(last_status=status, last_outcome=outcome[:512], last_at=datetime.now(UTC))
    )


def claim_channel_delivery(
    session: Session,
    channel_id: int,
    slot: datetime,
    week: str,
    worker: str,
    *,
    force: bool = False,
    week_slots: Iterable[datetime] = (),
) -> bool:
    """Claim one robot's digest for a slot before sending it (the same rule as users', `_claim_slot`)."""
    return _claim_slot(
        session, ChannelDelivery, "channel_id", channel_id, slot, week, worker, force=force, week_slots=week_slots
    )


def finish_channel_delivery(
    session: Session, channel_id: int, slot: datetime, status: str, messages: int, detail: str
) -> None:
    _finish_slot(session, ChannelDelivery, "channel_id", channel_id, slot, status, messages, detail)


def channel_deliveries(session: Session, channel_id: int | None = None) -> list[ChannelDelivery]:
    query = select(ChannelDelivery).order_by(col(ChannelDelivery.id))
    if channel_id is not None:
        query = query.where(ChannelDelivery.channel_id == channel_id)
    return list(session.exec(query))
