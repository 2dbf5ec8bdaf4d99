"""Checks (核实), samples (抽查) and the 核查 table (§10): /verify, /sample, /check, and the rows the
report's 核查 sheet and Word draft use (`report_rows`) — one computation, drawn several ways."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from bot.graduate_sheets import write_check_sheet
from bot.sanitize import clean_text
from bot.services import check_counts, policy
from bot.services.base import Clock, ServiceError
from bot.services.graduates import GraduateService
from bot.services.policy import Action, Actor
from bot.services.questions import Ambiguous, Scoping, scope_label
from bot.services.snapshots import Selection, SnapshotStore
from bot.verification import METHOD_WORDS, OUTCOME_WORDS, CheckTally, Outcome, draw, sample_size, tally
from storage import graduates as store
from storage.db import Database
from storage.models import CheckSample, Verification

SUB_DIMENSION = {"admin": "department", "head": "major", "counsellor": "class_name"}
MAX_NOTE = 512
STALE_REVIEW_DAYS = 7  # heads' digests count reports pending longer than this


@dataclass(frozen=True)
class CheckRow:
    """One unit of the 核查 table: the placed and how they were checked, pending reviews, 不属实
    flags and bound graduates (the share bound is bound / total)."""

    unit: str
    total: int
    placed: int
    confirmed: int
    materials: int
    checked: int
    unchecked: int
    pending: int
    flagged: int
    bound: int


@dataclass(frozen=True)
class CheckTable:
    scope_label: str
    as_of: date
    dimension: str
    rows: list[CheckRow]
    total: CheckRow


@dataclass(frozen=True)
class Verified:
    student_id: str
    name: str
    outcome: Outcome


@dataclass(frozen=True)
class SampleMemberView:
    graduate_id: int
    student_id: str
    name: str
    code: int
    substate: str | None
    employer: str | None
    outcome: Outcome | None  # the latest check of the drawn destination; None: not yet checked


@dataclass(frozen=True)
class SampleView:
    sample_id: int
    scope: str
    seed: int
    requested: str
    population: int
    members: list[SampleMemberView]


def _row(unit: str, total: int, t: CheckTally, pending: int, bound: int) -> CheckRow:
    return CheckRow(
        unit, total, t.placed, t.confirmed, t.materials, t.checked, t.none, pending, t.flagged, bound
    )


class CheckService:
    def __init__(
        self,
        db: Database,
        snapshots: SnapshotStore,
        scoping: Scoping,
        clock: Clock,
        graduates: GraduateService,
    ) -> None:
        self.db = db
        self.snapshots = snapshots
        self.scoping = scoping
        self.clock = clock
        self.graduates = graduates

    # ------------------------------------------------------------ /verify

    def verify(self, actor: Actor, student_id: str, method: str, outcome: str, note: str = "") -> Verified:
        method_ = METHOD_WORDS.get(method.strip().lower())
        outcome_ = OUTCOME_WORDS.get(outcome.strip().lower())
        if method_ is None or outcome_ is None:
            raise ServiceError("verify_usage")
        state = self.graduates.graduate_in_scope(actor, student_id, Action.VERIFY)
        self._record(actor, state.graduate_id, method_.value, outcome_, note, who=state.student_id)
        return Verified(state.student_id, state.name, outcome_)

    def verify_member(self, actor: Actor, sample_id: int, graduate_id: int, outcome: str) -> Verified:
        """A phone-check button under a sample's list."""
        policy.require(actor, Action.VERIFY)
        outcome_ = OUTCOME_WORDS.get(outcome)
        with self.db.read() as session:
            member = next(
                (m for m in store.sample_members(session, sample_id) if m.graduate_id == graduate_id), None
            )
            sample = session.get(CheckSample, sample_id)
            if member is None or sample is None or outcome_ is None:
                raise ServiceError("button_expired")
            state = next(
                (
                    s
                    for s in self.snapshots.by_student_id(session, sample.cohort_id).values()
                    if s.graduate_id == graduate_id
                ),
                None,
            )
        if state is None or not policy.visible(actor, [state]):
            raise ServiceError("button_expired")
        self._record(actor, graduate_id, "phone", outcome_, "", sample_id, who=state.student_id)
        return Verified(state.student_id, state.name, outcome_)

    def _record(
        self,
        actor: Actor,
        graduate_id: int,
        method: str,
        outcome: Outcome,
        note: str,
        sample_id: int | None = None,
        *,
        who: str,
    ) -> None:
        text = clean_text(note).strip()[:MAX_NOTE] or None
        with self.db.write() as session:
            entry = store.current_entries(session, [graduate_id]).get(graduate_id)
            if entry is None:
                raise ServiceError("verify_no_destination", who=who)
            store.add_verification(
                session,
                Verification(
                    graduate_id=graduate_id, entry_id=entry.id, method=method, outcome=outcome.value, note=text,
                    user_id=actor.user_id or None, sample_id=sample_id, created_at=self.clock.now(),
                ),
            )  # fmt: skip

    # ------------------------------------------------------------ /sample

    def draw_sample(self, actor: Actor, requested: str, args: Sequence[str] = ()) -> SampleView:
        """A recorded, reproducible random sample of the placed graduates in scope."""
        label, states = self.graduates.in_scope(actor, args, Action.SAMPLE)
        placed = [s for s in states if s.placed]
        size = sample_size(requested, len(placed))
        if size is None:
            raise ServiceError("sample_usage")
        if not placed:
            raise ServiceError("sample_empty", scope=label)
        seed = secrets.randbits(62)
        chosen = draw([s.graduate_id for s in placed], seed, size)
        with self.db.write() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            entries = store.current_entries(session, chosen)
            sample_id = store.add_sample(
                session,
                CheckSample(
                    cohort_id=cohort_id, scope=label[:200], seed=seed, requested=requested.strip()[:16], population=len(placed),
                    created_by=actor.user_id or None, created_at=self.clock.now(),
                ),
                [(g, entries[g].id if g in entries else None) for g in chosen],
            )  # fmt: skip
        return next(v for v in self.samples(actor) if v.sample_id == sample_id)

    def samples(self, actor: Actor) -> list[SampleView]:
        """The cohort's samples with each member's outcome (members outside the actor's scope left out)."""
        policy.require(actor, Action.SAMPLE)
        with self.db.read() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            by_id = {s.graduate_id: s for s in self.snapshots.states(session, cohort_id, self.clock.today())}
            out = []
            for sample in store.samples(session, cohort_id):
                assert sample.id is not None
                members = store.sample_members(session, sample.id)
                outcomes = store.verifications_of_entries(
                    session, [m.entry_id for m in members if m.entry_id is not None]
                )
                views = []
                for m in members:
                    state = by_id.get(m.graduate_id)
                    if state is None or not policy.visible(actor, [state]):
                        continue
                    check = outcomes.get(m.entry_id) if m.entry_id is not None else None
                    views.append(
                        SampleMemberView(
                            m.graduate_id,
                            state.student_id,
                            state.name,
                            state.code,
                            state.substate,
                            state.employer or state.school,
                            Outcome(check.outcome) if check else None,
                        )
                    )
                if views:
                    out.append(
                        SampleView(
                            sample.id, sample.scope, sample.seed, sample.requested, sample.population, views
                        )
                    )
        return out

    # ------------------------------------------------------------ /check and the report

    def table(self, actor: Actor, args: Sequence[str] = ()) -> CheckTable | Ambiguous:
        """/check [scope] [date]: the 核查 figures per sub-unit of the scope."""
        policy.require(actor, Action.CHECK)
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            selection, _ = self.scoping.selection(session, actor, asked.cohort_id, asked.scope)
            dimension = SUB_DIMENSION.get(actor.role, "major")
            if asked.scope.dimension == "class_name":
                dimension = "class_name"
            label = scope_label(actor, asked.scope, actor.language or "zh")
            return self._table(session, asked.cohort_id, selection, asked.as_of, dimension, label)

    def _table(
        self, session: Session, cohort_id: int, selection: Selection, as_of: date, dimension: str, label: str
    ) -> CheckTable:
        flags = check_counts.flags_in(session, self.snapshots, cohort_id, selection, as_of)
        pending = store.pending_graduates(session)
        bound = store.bound_graduate_ids(session, list(flags))
        rows = []
        for unit, members in sorted(self.snapshots.units(session, cohort_id, selection, dimension).items()):
            ids, _, _ = self.snapshots.deciding_entries(session, cohort_id, as_of, members)
            gids = ids.tolist()
            rows.append(
                _row(
                    unit,
                    len(gids),
                    tally(flags[g] for g in gids),
                    sum(g in pending for g in gids),
                    sum(g in bound for g in gids),
                )
            )
        total = _row("合计", len(flags), tally(flags.values()), sum(g in pending for g in flags), len(bound))
        return CheckTable(label, as_of, dimension, rows, total)

    def report_rows(self, actor: Actor, year: int | None = None, as_of: date | None = None) -> CheckTable:
        """The 核查 table per department of the actor's scope, for the report workbook's 核查 sheet
        and the Word draft's 六、就业信息核查 (the same figures as /check)."""
        policy.require(actor, Action.REPORT)
        with self.db.read() as session:
            cohort_id, _ = self.snapshots.cohort(session, year)
            selection, _ = self.snapshots.select(session, cohort_id, actor.scope)
            return self._table(
                session,
                cohort_id,
                selection,
                as_of or self.clock.today(),
                "department",
                actor.scope.label("zh"),
            )

    def report_sheet(self, actor: Actor, year: int, as_of: date) -> Callable[[Any], None] | None:
        """The writer of the report workbook's 核查 sheet, or None while nobody has checked or bound
        anything in the actor's scope."""
        table = self.report_rows(actor, year, as_of)
        t = table.total
        if not (t.bound or t.confirmed or t.materials or t.checked or t.flagged or t.pending):
            return None
        samples = []
        for view in self.samples(actor) if policy.allows(actor, Action.SAMPLE) else []:
            outcomes = [m.outcome for m in view.members]
            samples.append((
                f"#{view.sample_id}", view.scope, view.requested, view.population, len(view.members),
                *(sum(o == kind for o in outcomes) for kind in Outcome), sum(o is None for o in outcomes), view.seed,
            ))  # fmt: skip
        rows = [*table.rows, table.total]
        return lambda book: write_check_sheet(book, rows, samples, cohort=year, as_of=as_of)

    def digest_lines(
        self, actor: Actor, session: Session, cohort_id: int, selection: Selection
    ) -> dict[str, int]:
        """What a digest says about §10: pending reviews (counsellors: all of theirs; heads and admins:
        pending over 7 days), 不属实 flags, confirmed and placed."""
        today = self.clock.today()
        older = None
        if actor.role != "counsellor":
            older = self.clock.now() - timedelta(days=STALE_REVIEW_DAYS)
        pending = check_counts.pending_in(session, self.snapshots, cohort_id, selection, older)
        t = check_counts.tally_in(session, self.snapshots, cohort_id, selection, today)
        return {"pending": pending, "flagged": t.flagged, "confirmed": t.confirmed, "placed": t.placed}
