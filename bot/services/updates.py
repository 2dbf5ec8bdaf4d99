"""Updates: applying destination messages and tables, and undoing them.

Lines are resolved against the sender's scope; valid lines apply, the rest come back with reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.grammar import AmbiguousLine, LineError, ParsedLine, parse_message
from bot.metrics import GraduateState, PlacementCounts
from bot.roster import read_update_table
from bot.sanitize import clean_text
from bot.services import policy
from bot.services.base import Clock, ServiceError
from bot.services.policy import Action, Actor
from bot.services.snapshots import SnapshotStore
from bot.settings import Settings
from bot.taxonomy import Destination
from storage import entries, repo
from storage import graduates as graduate_store
from storage.db import Database
from storage.models import Batch

REVIEW_SOURCE = "review"  # a batch that applies an approved self-report (§10)


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


@dataclass(frozen=True)
class AskedLine:
    """A line with an ambiguous destination word (考研), held back until the sender chooses."""

    line_no: int
    raw: str
    student_id: str
    name: str
    word: str
    readings: tuple[ParsedLine, ...]  # the line read with each meaning, the placed one first
    mark: int  # the graduate's newest entry id when asked: any later entry makes the question stale


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
    edit_version: int = 0  # not 0: an edited message, applied as a correction
    asked: list[AskedLine] = field(default_factory=list)  # ambiguous lines: nothing applied until chosen
    stale: bool = False  # a choice whose graduate has had another entry since the question
    names: frozenset[str] = frozenset()  # the cohort's roster names, masked inside quoted lines (texts.Privacy)
    # §10: bound graduates whose pending self-report this update closed, to be told: (chat, language)
    superseded: list[tuple[int, str | None]] = field(default_factory=list)


@dataclass
class UndoResult:
    graduates: int
    entries: int
    created_at: datetime
    scope_label: str
    before: PlacementCounts
    after: PlacementCounts
    first_line: str | None = None  # the reverted message's first applied line


@dataclass(frozen=True)
class UndoPending:
    """An undo that reverts more graduates than `CONFIRM_UNDO_ABOVE`: nothing is undone until the
    sender confirms with the button (`undo_confirmed`, carrying `batch_id`)."""

    batch_id: int
    graduates: int
    entries: int
    created_at: datetime
    first_line: str | None


CONFIRM_UNDO_ABOVE = 20  # graduates: reverting more asks for a confirmation first
FIRST_LINE_CHARS = 60


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
        edit_version: int = 0,
    ) -> ApplyResult:
        """Apply every valid line of an update message; reject the rest with reasons.

        An edited message is a correction: `edit_version` (its edit_date) keys it, so that each
        distinct edit applies once and a redelivered one is a duplicate."""
        policy.require(actor, Action.APPLY_UPDATES)
        today = self.clock.date_of(sent_at) if sent_at else self.clock.today()
        parsed = parse_message(text, today, ask=source == "message")  # a file's rows cannot be asked about
        with self.db.read() as session:  # load the roster indexes and timeline before taking the write lock
            cohort_id, _ = self.snapshots.cohort(session)
            self.snapshots.by_student_id(session, cohort_id)
            self.snapshots.names(session, cohort_id, actor.scope)
            self.snapshots.suggester(session, cohort_id, actor.scope)  # built once per roster version
            self.snapshots.counts(session, cohort_id, today, self.snapshots.select(session, cohort_id, actor.scope)[0])
        with self.db.write() as session:  # the store reads committed rows only: a rollback leaves it valid
            cohort_id, _ = self.snapshots.cohort(session)
            repo.lock_cohort(session, cohort_id)
            if chat_id is not None and message_id is not None:
                previous = repo.find_batch(session, chat_id, message_id, edit_version)
                if previous is not None:
                    return ApplyResult(duplicate=True, batch_id=previous.id, edit_version=edit_version)
            result = self.apply_parsed(
                session, actor, cohort_id, parsed, chat_id, message_id, source, edit_version=edit_version, suggest=False
            )
            result.edit_version = edit_version
        if any(o.reason in ("unknown_student", "unknown_name") for o in result.rejected):
            with self.db.read() as session:  # the fuzzy search runs after the write lock is released
                self.suggest(session, actor, cohort_id, result)
        return result

    def suggest(self, session: Session, actor: Actor, cohort_id: int, result: ApplyResult) -> None:
        """"Did you mean" for unknown 学号 and names: the closest in the actor's scope (bot/suggestions.py:
        difflib's closest, found through indexes built once per roster and scope, not per line)."""
        wanted = [
            i
            for i, o in enumerate(result.rejected)
            if o.reason in ("unknown_student", "unknown_name") and o.value is not None
        ]
        if not wanted:
            return
        suggester = self.snapshots.suggester(session, cohort_id, actor.scope)
        by_id = [i for i in wanted if result.rejected[i].reason == "unknown_student"]
        close: dict[int, str | None] = dict(
            zip(by_id, suggester.student_ids([result.rejected[i].value or "" for i in by_id]), strict=True)
        )
        for i in wanted:
            if i not in close:
                close[i] = suggester.name(result.rejected[i].value or "")
        for i, suggestion in close.items():
            if suggestion is not None:
                result.rejected[i] = replace(result.rejected[i], suggestion=suggestion)

    def apply_parsed(
        self,
        session: Session,
        actor: Actor,
        cohort_id: int,
        parsed: Sequence[ParsedLine | LineError | AmbiguousLine],
        chat_id: int | None,
        message_id: int | None,
        source: str,
        *,
        edit_version: int = 0,
        suggest: bool = True,
    ) -> ApplyResult:
        """Apply parsed lines inside the caller's write transaction (messages, tables, roster imports).

        Work is O(lines) plus one count over the actor's scope: graduates are found in the roster's
        indexes and the after-figures move only the touched graduates. With `suggest` False the
        caller looks up "did you mean" itself, after releasing the write lock (`suggest`)."""
        policy.require(actor, Action.APPLY_UPDATES)
        repo.lock_cohort(session, cohort_id)
        today = self.clock.today()
        store = self.snapshots
        by_student_id = store.by_student_id(session, cohort_id)
        selection, _ = store.select(session, cohort_id, actor.scope)
        by_name = store.names(session, cohort_id, actor.scope)
        result = ApplyResult(scope_label=actor.scope.label(actor.language or self.settings.bot_language))
        result.names = store.roster_names(session, cohort_id)
        result.before = store.counts(session, cohort_id, today, selection)

        accepted: list[tuple[ParsedLine, GraduateState]] = []
        held: list[tuple[AmbiguousLine, GraduateState]] = []
        for item in parsed:
            if isinstance(item, LineError):
                result.rejected.append(
                    LineOutcome(item.line_no, item.raw, reason=str(item.code), value=item.value, suggestion=item.suggestion)
                )
                continue
            if isinstance(item, AmbiguousLine):  # asked, never guessed: nothing from it is stored now
                state, rejection = _resolve(item.readings[0], actor, by_student_id, by_name)
                if rejection is not None:
                    result.rejected.append(rejection)
                else:
                    assert state is not None
                    held.append((item, state))
                continue
            state, rejection = _resolve(item, actor, by_student_id, by_name)
            if rejection is not None:
                result.rejected.append(rejection)
                continue
            assert state is not None
            accepted.append((item, state))

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

        # before anything is written: the store must never read this transaction's uncommitted rows
        result.after = store.counts_after(session, cohort_id, today, selection, new_entries) if new_entries else result.before
        if new_entries:  # a message that changes nothing leaves no trace: nothing to undo, nothing stored
            batch = Batch(
                cohort_id=cohort_id,
                user_id=actor.user_id or None,
                source=source,
                chat_id=chat_id,
                message_id=message_id,
                edit_version=edit_version,
                applied=len(result.applied),
                unchanged=len(result.unchanged),
                rejected=len(result.rejected),
                first_line=_first_line(result.applied),
            )
            session.add(batch)
            try:
                session.flush()
            except IntegrityError as exc:  # the same message arrived twice at the same moment
                raise ServiceError("duplicate_message") from exc
            assert batch.id is not None
            result.batch_id = batch.id
            recorded_at = self.clock.now()  # the service clock: "recorded this week" reads it
            repo.insert_entries(session, [{**entry, "batch_id": batch.id, "recorded_at": recorded_at} for entry in new_entries])
            repo.bump_data_version(session, cohort_id)
            if source != REVIEW_SOURCE:  # a staff update closes the graduate's pending report (§10)
                result.superseded = self._supersede(session, [int(e["graduate_id"]) for e in new_entries])  # type: ignore[call-overload]
        if held:  # marked after this message's own entries: a later line about the same graduate counts
            marks = entries.last_entry_ids(session, [state.graduate_id for _, state in held])
            result.asked = [
                AskedLine(item.line_no, item.raw, state.student_id, state.name, item.word, item.readings, marks[state.graduate_id])
                for item, state in held
            ]
        if suggest:
            self.suggest(session, actor, cohort_id, result)
        return result

    def apply_choice(
        self, actor: Actor, question: AskedLine, choice: int, *, chat_id: int, message_id: int
    ) -> ApplyResult:
        """Apply the reading the sender chose for an ambiguous line, once: the question's own message
        (`chat_id`, `message_id`) keys the batch, so a second press finds it and applies nothing. A
        question whose graduate has had any entry since it was asked is stale: nothing is applied."""
        policy.require(actor, Action.APPLY_UPDATES)
        if not 0 <= choice < len(question.readings):
            raise ServiceError("button_expired")
        reading = question.readings[choice]
        with self.db.read() as session:  # warm the indexes before the write lock
            cohort_id, _ = self.snapshots.cohort(session)
            self.snapshots.by_student_id(session, cohort_id)
        with self.db.write() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            repo.lock_cohort(session, cohort_id)
            previous = repo.find_batch(session, chat_id, message_id)
            if previous is not None:
                return ApplyResult(duplicate=True, batch_id=previous.id)
            state = self.snapshots.by_student_id(session, cohort_id).get(question.student_id)
            if state is None or entries.last_entry_ids(session, [state.graduate_id])[state.graduate_id] != question.mark:
                return ApplyResult(stale=True)
            return self.apply_parsed(session, actor, cohort_id, [reading], chat_id, message_id, "message")

    def _supersede(self, session: Session, graduate_ids: list[int]) -> list[tuple[int, str | None]]:
        closed = graduate_store.supersede_reports(session, graduate_ids, self.clock.now())
        if not closed:
            return []
        accounts = graduate_store.bound_accounts(session, [r.graduate_id for r in closed])
        return [(u.telegram_id, u.language) for u in accounts.values() if u.telegram_id is not None]

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

    def undo(
        self, actor: Actor, *, chat_id: int | None = None, message_id: int | None = None, confirm_above: int | None = None
    ) -> UndoResult | UndoPending:
        """Revert the actor's most recent update message within the undo window.

        A /undo message (chat_id, message_id) undoes at most one batch, however often it arrives
        (redelivered, edited): the batch records which message undid it. With `confirm_above`, a
        message that changed more graduates than that is not undone but returned as `UndoPending`."""
        return self._undo(actor, chat_id, message_id, batch_id=None, confirm_above=confirm_above)

    def undo_confirmed(self, actor: Actor, batch_id: int, *, chat_id: int, message_id: int) -> UndoResult:
        """The confirmation button of an `UndoPending` (chat_id, message_id: the message with the
        button). It works once, for its sender only, and only while that message is still the
        sender's latest undoable one: after another update or undo it is stale (`button_expired`)."""
        result = self._undo(actor, chat_id, message_id, batch_id=batch_id, confirm_above=None)
        assert isinstance(result, UndoResult)
        return result

    def _undo(
        self, actor: Actor, chat_id: int | None, message_id: int | None, *, batch_id: int | None, confirm_above: int | None
    ) -> UndoResult | UndoPending:
        policy.require(actor, Action.UNDO)
        since = datetime.now(UTC) - timedelta(hours=self.settings.undo_window_hours)
        today = self.clock.today()
        with self.db.write() as session:
            latest = repo.latest_cohort(session)
            if latest is not None and latest.id is not None:
                repo.lock_cohort(session, latest.id)  # before choosing: a double-tapped /undo undoes two
            if chat_id is not None and message_id is not None:
                done = repo.batch_undone_by(session, chat_id, message_id)
                if done is not None:
                    raise ServiceError("undo_repeated" if batch_id is None else "button_expired")
            batch = repo.last_undoable_batch(session, actor.user_id, since)
            if batch_id is not None and (batch is None or batch.id != batch_id):
                raise ServiceError("button_expired")  # another's, already undone, or no longer the latest
            if batch is None or batch.id is None:
                raise ServiceError("nothing_to_undo", hours=self.settings.undo_window_hours)
            graduates = set(repo.batch_graduates(session, batch.id))
            if confirm_above is not None and len(graduates) > confirm_above:
                return UndoPending(batch.id, len(graduates), batch.applied, batch.created_at, batch.first_line)
            repo.lock_cohort(session, batch.cohort_id)
            store = self.snapshots
            cohort_id = batch.cohort_id
            selection, _ = store.select(session, cohort_id, actor.scope)
            mine_before = store.counts(session, cohort_id, today, selection)
            batch.undone_by_chat_id, batch.undone_by_message_id = chat_id, message_id
            entries = repo.undo_batch(session, batch)
            repo.bump_data_version(session, cohort_id)
            created_at, first_line = batch.created_at, batch.first_line
        with self.db.read() as session:  # after commit: the store reads only committed rows
            after = store.counts(session, cohort_id, today, store.select(session, cohort_id, actor.scope)[0])
        return UndoResult(
            graduates=len(graduates),
            entries=entries,
            created_at=created_at,
            scope_label=actor.scope.label(actor.language or self.settings.bot_language),
            before=mine_before,
            after=after,
            first_line=first_line,
        )


def _first_line(applied: Sequence[LineOutcome]) -> str | None:
    """The message's first applied line, on one line and short: what /undo will name."""
    if not applied:
        return None
    text = " ".join(clean_text(min(applied, key=lambda o: o.line_no).raw).split())
    return text if len(text) <= FIRST_LINE_CHARS else text[: FIRST_LINE_CHARS - 1] + "…"


def _resolve(
    line: ParsedLine,
    actor: Actor,
    by_student_id: Mapping[str, GraduateState],
    by_name: Mapping[str, list[GraduateState]],
) -> tuple[GraduateState | None, LineOutcome | None]:
    """The graduate a line names, within the actor's scope, or the rejection (suggestions later)."""
    who = line.who
    state = by_student_id.get(who)
    if state is not None and actor.scope.covers(state):
        return state, None
    # A 学号 outside the sender's scope gets exactly the answer of one that does not exist, and
    # suggestions come only from the scope: nobody learns which 学号 and names exist elsewhere.
    named = by_name.get(who, [])
    if len(named) == 1:
        return named[0], None
    if len(named) > 1:
        ids = "、".join(s.student_id for s in named[:8])
        return None, LineOutcome(line.line_no, line.raw, reason="ambiguous_name", value=who, suggestion=ids)
    if who.isdigit() or any(ch.isdigit() for ch in who):
        return None, LineOutcome(line.line_no, line.raw, reason="unknown_student", value=who)
    return None, LineOutcome(line.line_no, line.raw, reason="unknown_name", value=who)


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
