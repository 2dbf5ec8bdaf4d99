"""Self-reports and their review (审核, §10): a graduate's own destination line waits as one pending
report; staff in scope approve it (applied through `UpdateService`, so history, /undo and the
snapshot store stay one path) or return it with a reason. Nothing a graduate sends changes a figure
before approval; a report is decided once, however many presses or reviewers race for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.grammar import LineError, ParsedLine, parse_message
from bot.sanitize import clean_text
from bot.services import policy
from bot.services.base import Clock, ServiceError
from bot.services.graduates import REVIEW_SOURCE, Destination, GraduateIdentity, GraduateService
from bot.services.policy import Action, Actor
from bot.services.snapshots import SnapshotStore
from bot.services.updates import UpdateService
from storage import graduates as store
from storage import repo
from storage.db import Database
from storage.models import Graduate, SelfReport

MAX_REPORT = 1024  # characters of one reported line
REASONS = ("incomplete", "mismatch", "other")  # 信息不完整 / 与材料不符 / 其他
MAX_REASON = 200


@dataclass(frozen=True)
class Reported:
    """What the bot understood of a graduate's line (pending review), or why it was rejected."""

    line: ParsedLine | None
    error: LineError | None = None


@dataclass(frozen=True)
class ReviewItem:
    report_id: int
    graduate_id: int
    student_id: str
    name: str
    class_name: str | None
    raw: str
    sent_on: date
    created_at: datetime
    current: Destination | None


@dataclass(frozen=True)
class ReviewList:
    scope_label: str
    items: list[ReviewItem]
    flagged: list[tuple[str, str]]  # (学号, 姓名) whose current destination a check found untrue


@dataclass(frozen=True)
class Decision:
    """A decided report, and whom to tell: the graduate's chat (None when no longer bound)."""

    report_id: int
    student_id: str
    name: str
    approved: bool
    raw: str
    reason: str | None
    graduate_chat: int | None
    graduate_language: str | None


class ReviewService:
    def __init__(
        self,
        db: Database,
        snapshots: SnapshotStore,
        clock: Clock,
        graduates: GraduateService,
        updates: UpdateService,
    ) -> None:
        self.db = db
        self.snapshots = snapshots
        self.clock = clock
        self.graduates = graduates
        self.updates = updates

    # ------------------------------------------------------------ the graduate's side

    def report(
        self, actor: Actor, identity: GraduateIdentity, text: str, sent_at: datetime | None = None
    ) -> Reported:
        """Store a graduate's destination line as their one pending report (replacing an older one)."""
        policy.require(actor, Action.OWN_RECORD)
        sent_on = self.clock.date_of(sent_at) if sent_at else self.clock.today()
        parsed = self.parse(identity, text, sent_on)
        if parsed.line is None:
            return parsed
        line = parsed.line
        summary = (line.employer or line.school or line.note or "")[:512]
        with self.db.write() as session:
            store.add_report(
                session,
                SelfReport(
                    graduate_id=identity.graduate_id, user_id=identity.user_id, raw=_own_line(identity, text)[:MAX_REPORT],
                    code=line.destination.code, substate=line.destination.substate, summary=summary, sent_on=sent_on,
                    created_at=self.clock.now(),
                ),
            )  # fmt: skip
        return parsed

    @staticmethod
    def parse(identity: GraduateIdentity, text: str, sent_on: date) -> Reported:
        """The §4 grammar without the 学号: the graduate's own 学号 is put first; a line naming anyone
        else (another 学号 first, or a 学号/姓名 key) is refused."""
        lines = [
            ln.strip()
            for ln in clean_text(text).splitlines()
            if ln.strip() and not ln.strip().startswith(("#", "//"))
        ]
        if len(lines) != 1:
            raise ServiceError("report_one_line")
        if len(lines[0]) > MAX_REPORT:
            raise ServiceError("report_too_long", limit=MAX_REPORT)
        own = _own_line(identity, lines[0])
        first = own.split(maxsplit=1)[0] if own.split() else ""
        if sum(ch.isdigit() for ch in first) >= 6 and not first.replace("-", "").replace("/", "").isdigit():
            raise ServiceError("report_names_other")
        if first.isascii() and first.isdigit() and len(first) >= 6 and len(first) != 8:
            raise ServiceError("report_names_other")  # a 学号 (an 8-digit run may be a date: 20230512)
        items = parse_message(f"{identity.student_id} {own}", sent_on)
        if len(items) != 1:
            raise ServiceError("report_one_line")
        item = items[0]
        if isinstance(item, LineError):
            return Reported(None, item)
        if item.who != identity.student_id:
            raise ServiceError("report_names_other")
        return Reported(item)

    # ------------------------------------------------------------ the reviewer's side

    def pending(self, actor: Actor, args: Sequence[str] = ()) -> ReviewList:
        """Pending reports of the graduates in scope, oldest first."""
        label, states = self.graduates.in_scope(actor, args, Action.REVIEW)
        by_id = {s.graduate_id: s for s in states}
        with self.db.read() as session:
            _, _, outcomes = store.check_tables(session)
            current = store.current_entries(session, list(by_id)) if outcomes else {}
            flagged = [
                (by_id[g].student_id, by_id[g].name)
                for g, e in sorted(current.items())
                if outcomes.get(e.id or 0) == "false"
            ]
            reports = store.pending_reports(session, list(by_id))
            entries = store.current_entries(session, [r.graduate_id for r in reports])
            items = []
            for r in reports:
                state = by_id[r.graduate_id]
                entry = entries.get(r.graduate_id)
                current = (
                    Destination.of(entry, *store.entry_recorder(session, entry))
                    if entry is not None
                    else None
                )
                assert r.id is not None
                items.append(
                    ReviewItem(
                        r.id,
                        r.graduate_id,
                        state.student_id,
                        state.name,
                        state.class_name,
                        r.raw,
                        r.sent_on,
                        r.created_at,
                        current,
                    )
                )
        return ReviewList(label, items, flagged)

    def _reviewable(self, session: Session, actor: Actor, report_id: int) -> tuple[SelfReport, Graduate]:
        """The report, if it exists and its graduate is in the actor's scope; else "expired"
        (a forged or copied button learns nothing about who it was for)."""
        policy.require(actor, Action.REVIEW)
        report = session.get(SelfReport, report_id)
        graduate = session.get(Graduate, report.graduate_id) if report is not None else None
        if report is None or graduate is None:
            raise ServiceError("button_expired")
        state = self.snapshots.by_student_id(session, graduate.cohort_id).get(graduate.student_id)
        if state is None or not policy.visible(actor, [state]):
            raise ServiceError("button_expired")
        return report, graduate

    def check_reviewable(self, actor: Actor, report_id: int) -> None:
        """Refuse, as `approve` would, before asking the reviewer for a reason."""
        with self.db.read() as session:
            report, _ = self._reviewable(session, actor, report_id)
            if report.status != "pending":
                raise ServiceError("review_closed")

    def approve(self, actor: Actor, report_id: int) -> Decision:
        """Apply the report as an update recorded with the reviewer (the batch) and the graduate (the
        report, linked to the batch); the new destination counts as confirmed by the graduate."""
        with self.db.read() as session:  # warm the store outside the write lock
            self._reviewable(session, actor, report_id)
        with self.db.write() as session:
            report, graduate = self._reviewable(session, actor, report_id)
            assert report.id is not None and graduate.id is not None
            repo.lock_cohort(session, graduate.cohort_id)  # two reviewers: one after the other
            if not store.decide_report(
                session, report.id, "approved", actor.user_id or None, self.clock.now()
            ):
                raise ServiceError("review_closed")
            items = parse_message(f"{graduate.student_id} {report.raw}", report.sent_on)
            line = items[0] if len(items) == 1 and isinstance(items[0], ParsedLine) else None
            if line is None:  # the grammar changed since it was accepted: nothing is applied
                raise ServiceError("review_closed")
            result = self.updates.apply_parsed(
                session, actor, graduate.cohort_id, [line], None, None, REVIEW_SOURCE, suggest=False
            )
            if result.rejected:  # no longer in the reviewer's scope (a roster change): nothing applied
                raise ServiceError("button_expired")
            store.set_report_batch(session, report.id, result.batch_id)
            entry = store.current_entries(session, [graduate.id]).get(graduate.id)
            if entry is not None and entry.id is not None:
                store.confirm_entry(session, graduate.id, entry.id, report.user_id, "review")
            return self._decision(session, report, graduate, approved=True, reason=None)

    def give_back(self, actor: Actor, report_id: int, reason: str) -> Decision:
        """Return the report with a one-line reason for the graduate."""
        reason = clean_text(reason).strip().splitlines()[0][:MAX_REASON] if reason.strip() else ""
        if not reason:
            raise ServiceError("review_ask_reason")
        with self.db.write() as session:
            report, graduate = self._reviewable(session, actor, report_id)
            assert report.id is not None
            if not store.decide_report(
                session, report.id, "returned", actor.user_id or None, self.clock.now(), reason
            ):
                raise ServiceError("review_closed")
            return self._decision(session, report, graduate, approved=False, reason=reason)

    @staticmethod
    def _decision(
        session: Session, report: SelfReport, graduate: Graduate, *, approved: bool, reason: str | None
    ) -> Decision:
        assert report.id is not None and graduate.id is not None
        account = store.bound_accounts(session, [graduate.id]).get(graduate.id)
        return Decision(
            report.id, graduate.student_id, graduate.name, approved, report.raw, reason,
            account.telegram_id if account else None, account.language if account else None,
        )  # fmt: skip


def _own_line(identity: GraduateIdentity, text: str) -> str:
    """The line without the graduate's own 学号 or name in front (they may write it anyway)."""
    line = clean_text(text).strip()
    head, _, rest = line.partition(" ")
    return rest.strip() if head in (identity.student_id, identity.name) and rest.strip() else line
