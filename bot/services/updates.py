"""Updates: applying destination messages and tables, and undoing them.

Lines are resolved against the sender's scope; valid lines apply, the rest come back with reasons.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.grammar import LineError, ParsedLine, parse_message
from bot.metrics import GraduateState, PlacementCounts, tally
from bot.roster import read_update_table
from bot.services import policy
from bot.services.base import Clock, ServiceError
from bot.services.policy import Action, Actor
from bot.services.snapshots import SnapshotStore
from bot.settings import Settings
from bot.taxonomy import Destination
from storage import repo
from storage.db import Database
from storage.models import Batch


@dataclass(frozen=True)
class LineOutcome:
    line_no: int
    raw: str
    student_id: str | None = None
    name: str | None = None
    destination: Destination | None = None
    reason: str | None = None  # text key for rejections: grammar error codes or resolution failures
    value: str | None = None
    suggestion: str | None = None


@dataclass
class ApplyResult:
    applied: list[LineOutcome] = field(default_factory=list)
    unchanged: list[LineOutcome] = field(default_factory=list)
    rejected: list[LineOutcome] = field(default_factory=list)
    duplicate: bool = False
    scope_label: str = ""
    before: PlacementCounts | None = None
    after: PlacementCounts | None = None
    batch_id: int | None = None


@dataclass
class UndoResult:
    graduates: int
    entries: int
    created_at: datetime
    scope_label: str
    before: PlacementCounts
    after: PlacementCounts


class UpdateService:
    def __init__(self, db: Database, snapshots: SnapshotStore, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.snapshots = snapshots
        self.clock = clock
        self.settings = settings

    def apply_message(
        self,
        actor: Actor,
        text: str,
        *,
        chat_id: int | None,
        message_id: int | None,
        sent_at: datetime | None = None,
        source: str = "message",
    ) -> ApplyResult:
        """Apply every valid line of an update message; reject the rest with reasons."""
        policy.require(actor, Action.APPLY_UPDATES)
        today = self.clock.date_of(sent_at) if sent_at else self.clock.today()
        parsed = parse_message(text, today)
        with self.db.write() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            repo.lock_cohort(session, cohort_id)
            if chat_id is not None and message_id is not None:
                previous = repo.find_batch(session, chat_id, message_id)
                if previous is not None:
                    return ApplyResult(duplicate=True, batch_id=previous.id)
            return self.apply_parsed(session, actor, cohort_id, parsed, chat_id, message_id, source)

    def apply_parsed(
        self,
        session: Session,
        actor: Actor,
        cohort_id: int,
        parsed: Sequence[ParsedLine | LineError],
        chat_id: int | None,
        message_id: int | None,
        source: str,
    ) -> ApplyResult:
        """Apply parsed lines inside the caller's write transaction (messages, tables, roster imports)."""
        policy.require(actor, Action.APPLY_UPDATES)
        version = repo.lock_cohort(session, cohort_id)
        today = self.clock.today()
        snap = self.snapshots.snapshot(session, cohort_id, today)
        mine = self.snapshots.members(snap, actor.scope)
        result = ApplyResult(scope_label=actor.scope.label(actor.language or self.settings.bot_language))
        result.before = tally(mine)

        accepted = self._accepted(parsed, actor, snap.by_student_id, mine, result)
        latest = repo.latest_entries(session, [s.graduate_id for _, s in accepted])
        new_entries: list[dict[str, object]] = []
        for line, state in accepted:
            entry = _entry_of(line)
            outcome = LineOutcome(line.line_no, line.raw, state.student_id, state.name, line.destination)
            current = latest.get(state.graduate_id)
            if current is not None and _same_destination(current, entry):
                result.unchanged.append(outcome)
                continue
            latest[state.graduate_id] = entry
            result.applied.append(outcome)
            new_entries.append({**entry, "cohort_id": cohort_id, "graduate_id": state.graduate_id, "line_no": line.line_no})

        if new_entries:  # a message that changes nothing leaves no trace: nothing to undo, nothing stored
            batch = Batch(
                cohort_id=cohort_id,
                user_id=actor.user_id or None,
                source=source,
                chat_id=chat_id,
                message_id=message_id,
                applied=len(result.applied),
                unchanged=len(result.unchanged),
                rejected=len(result.rejected),
            )
            session.add(batch)
            try:
                session.flush()
            except IntegrityError as exc:  # the same message arrived twice at the same moment
                raise ServiceError("duplicate_message") from exc
            assert batch.id is not None
            result.batch_id = batch.id
            repo.insert_entries(session, [{**entry, "batch_id": batch.id} for entry in new_entries])
            repo.bump_data_version(session, cohort_id)
            snap = self.snapshots.record_write(snap, today, version, new_entries)
            result.after = tally(self.snapshots.members(snap, actor.scope))
        else:
            result.after = result.before
        return result

    @staticmethod
    def _accepted(
        parsed: Sequence[ParsedLine | LineError],
        actor: Actor,
        by_student_id: dict[str, GraduateState],
        mine: list[GraduateState],
        result: ApplyResult,
    ) -> list[tuple[ParsedLine, GraduateState]]:
        """The lines naming a graduate in the actor's scope; the others go to `result.rejected`."""
        by_name: dict[str, list[GraduateState]] = {}
        for state in mine:
            by_name.setdefault(state.name, []).append(state)
        accepted: list[tuple[ParsedLine, GraduateState]] = []
        for item in parsed:
            if isinstance(item, LineError):
                result.rejected.append(
                    LineOutcome(item.line_no, item.raw, reason=str(item.code), value=item.value, suggestion=item.suggestion)
                )
                continue
            state, rejection = _resolve(item, actor, by_student_id, by_name, mine)
            if rejection is not None:
                result.rejected.append(rejection)
                continue
            assert state is not None
            accepted.append((item, state))
        return accepted

    def apply_table(self, actor: Actor, data: bytes, file_name: str, *, chat_id: int, message_id: int) -> ApplyResult:
        """An uploaded .csv/.xlsx with 学号 and 去向 columns, applied like a message: good rows apply,
        bad rows are reported with their row numbers."""
        policy.require(actor, Action.APPLY_UPDATES)
        text, problems = read_update_table(data, file_name, self.clock.today())
        row_problems = [
            LineOutcome(p.row_no, "", reason="file_row", value=p.message_zh, suggestion=p.message_en) for p in problems
        ]
        if not text.strip("#\n "):
            result = ApplyResult()
            result.rejected = row_problems
            return result
        result = self.apply_message(actor, text, chat_id=chat_id, message_id=message_id, source="file")
        result.rejected = sorted([*result.rejected, *row_problems], key=lambda o: o.line_no)
        return result

    def undo(self, actor: Actor) -> UndoResult:
        """Revert the actor's most recent update message within the undo window."""
        policy.require(actor, Action.UNDO)
        since = datetime.now(UTC) - timedelta(hours=self.settings.undo_window_hours)
        today = self.clock.today()
        with self.db.write() as session:
            latest = repo.latest_cohort(session)
            if latest is not None and latest.id is not None:
                repo.lock_cohort(session, latest.id)  # before choosing: a double-tapped /undo undoes two
            batch = repo.last_undoable_batch(session, actor.user_id, since)
            if batch is None or batch.id is None:
                raise ServiceError("nothing_to_undo", hours=self.settings.undo_window_hours)
            repo.lock_cohort(session, batch.cohort_id)
            store = self.snapshots
            mine_before = tally(store.members(store.snapshot(session, batch.cohort_id, today), actor.scope))
            graduates = set(repo.batch_graduates(session, batch.id))
            entries = repo.undo_batch(session, batch)
            repo.bump_data_version(session, batch.cohort_id)
            session.flush()
            after = store.members(store.snapshot(session, batch.cohort_id, today), actor.scope)
            created_at = batch.created_at
        return UndoResult(
            graduates=len(graduates),
            entries=entries,
            created_at=created_at,
            scope_label=actor.scope.label(actor.language or self.settings.bot_language),
            before=mine_before,
            after=tally(after),
        )


def _resolve(
    line: ParsedLine,
    actor: Actor,
    by_student_id: dict[str, GraduateState],
    by_name: dict[str, list[GraduateState]],
    mine: list[GraduateState],
) -> tuple[GraduateState | None, LineOutcome | None]:
    """The graduate a line names, within the actor's scope, or the rejection with a suggestion."""
    who = line.who
    state = by_student_id.get(who)
    if state is not None:
        if not actor.scope.covers(state):
            return None, LineOutcome(line.line_no, line.raw, reason="out_of_scope", value=who)
        return state, None
    named = by_name.get(who, [])
    if len(named) == 1:
        return named[0], None
    if len(named) > 1:
        ids = "、".join(s.student_id for s in named[:8])
        return None, LineOutcome(line.line_no, line.raw, reason="ambiguous_name", value=who, suggestion=ids)
    if who.isdigit() or any(ch.isdigit() for ch in who):
        close = difflib.get_close_matches(who, [s.student_id for s in mine], n=1, cutoff=0.8)
        return None, LineOutcome(line.line_no, line.raw, reason="unknown_student", value=who, suggestion=close[0] if close else None)
    close = difflib.get_close_matches(who, list(by_name), n=1, cutoff=0.5)
    return None, LineOutcome(line.line_no, line.raw, reason="unknown_name", value=who, suggestion=close[0] if close else None)


def _entry_of(line: ParsedLine) -> dict[str, object]:
    """A destination entry's stored fields from a parsed line."""
    return {
        "code": line.destination.code,
        "substate": line.destination.substate,
        "employer": line.employer,
        "school": line.school,
        "province": line.province,
        "city": line.city,
        "unit_nature": line.unit_nature,
        "industry": line.industry,
        "related": line.related,
        "note": line.note,
        "effective_date": line.effective_date,
    }


def _same_destination(current: dict[str, object], new: dict[str, object]) -> bool:
    """Same values again → unchanged. A new date alone does not make a new destination."""
    return all(current[name] == new[name] for name in repo.ENTRY_FIELDS if name != "effective_date")
