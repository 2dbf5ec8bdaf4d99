"""Questions: parsing what a user asks (scope, date, cohort) and answering /rate, /rates,
/unplaced and /student within the user's scope; aliases name scopes for everyone.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.disclosure import PRIORITY_DIMENSION, Audience
from bot.grammar import looks_like_date, parse_date
from bot.kpi import Card
from bot.metrics import GraduateState, PlacementCounts, UnitRow, sort_rows
from bot.recorded import RecordedWeek
from bot.scopes import WHOLE_SCHOOL, Scope, dimension_from_word, norm, split_query
from bot.services import check_counts, policy
from bot.services.base import Clock, ServiceError
from bot.services.policy import Action, Actor
from bot.services.progress import recorded_this_week
from bot.services.snapshots import Selection, SnapshotStore
from bot.targets import Gap
from bot.verification import CheckTally
from storage import repo
from storage.db import Database
from storage.models import DestinationEntry

if TYPE_CHECKING:  # targets imports Scoping from here
    from bot.services.targets import TargetService

MAX_ALIAS = 64  # characters: a name people type, not a place to store text


@dataclass
class Ambiguous:
    """Several scopes match what the user typed; the handler offers them as buttons."""

    text: str
    candidates: list[Scope]


@dataclass(frozen=True)
class Asked:
    """What a question's arguments name: the cohort, the as-of date and one scope."""

    cohort_id: int
    year: int
    as_of: date
    scope: Scope


@dataclass
class RateAnswer:
    scope_label: str
    as_of: date
    cohort: int
    counts: PlacementCounts
    week_ago: PlacementCounts
    partial: bool = False  # the asked scope reaches beyond the user's scope; only their part is counted
    gap: Gap | None = None
    audience: Audience = Audience.PRIVATE  # who reads it: a group sees no figure about fewer than 5
    recorded: RecordedWeek | None = None  # this week's recordings (asked about today only)
    pending: int = 0  # §10: self-reports awaiting review in the scope
    checks: CheckTally | None = None  # §10: the 核查 figures, once 核查 has begun in the scope


@dataclass
class RatesAnswer:
    dimension: str
    scope_label: str
    as_of: date
    cohort: int
    rows: list[UnitRow]
    total: PlacementCounts
    cards: dict[str, Card] = field(default_factory=dict)  # major → 红牌/黄牌, with the rate and day judged on
    below: dict[str, Gap] = field(default_factory=dict)  # units short of the next checkpoint's targets
    audience: Audience = Audience.PRIVATE


@dataclass
class UnplacedAnswer:
    scope_label: str
    as_of: date
    cohort: int
    graduates: list[GraduateState]
    names: frozenset[str] = frozenset()  # the cohort's roster names, masked inside notes (texts.Privacy)


@dataclass
class StudentAnswer:
    state: GraduateState
    cohort: int
    history: list[tuple[DestinationEntry, str | None]]
    names: frozenset[str] = frozenset()  # the cohort's roster names, masked inside free text (texts.Privacy)


def scope_label(actor: Actor, scope: Scope, lang: str) -> str:
    return actor.scope.label(lang) if scope == WHOLE_SCHOOL else scope.label(lang)


class Scoping:
    """Turns a question's words into a cohort, a date and a scope, and a scope into the graduates
    the actor may see. Shared by questions, outputs and KPI."""

    def __init__(self, snapshots: SnapshotStore, clock: Clock) -> None:
        self.snapshots = snapshots
        self.clock = clock

    def ask(self, session: Session, actor: Actor, args: Sequence[str]) -> Asked | Ambiguous:
        policy.require(actor, Action.READ_RATES)
        today = self.clock.today()
        probe = split_query(args, parse_date, today)
        cohort_id, year = self.snapshots.cohort(session, probe.cohort)
        # A month-day without a year means the cohort's own year for a past cohort.
        default_year = year if year < today.year else None
        query = split_query(args, lambda text, t: parse_date(text, t, default_year=default_year), today)
        as_of = query.as_of or today
        if as_of > today:
            raise ServiceError("future_as_of", date=as_of.isoformat())
        bad_date = next((word for word in query.scope_text.split() if looks_like_date(word)), None)
        if bad_date is not None:  # 2023-13-01, 9月31日: a date that names no day, not a scope
            raise ServiceError("bad_as_of", date=bad_date)
        catalog = self.snapshots.catalog(session, cohort_id)
        scopes = [s for s in catalog.resolve(query.scope_text) if s.dimension != "cohort"]
        if actor.audience == Audience.GROUP and scopes:  # a group is offered no priority group, not even as a button
            shareable = [s for s in scopes if s.dimension != PRIORITY_DIMENSION]
            if not shareable:
                policy.require_shareable(actor, PRIORITY_DIMENSION)
            scopes = shareable
        if not scopes:
            near = [s for s in catalog.suggest(query.scope_text) if actor.audience != Audience.GROUP or s.dimension != PRIORITY_DIMENSION]
            if near:
                raise ServiceError("unknown_scope_near", scope=query.scope_text, near="、".join(s.value for s in near))
            raise ServiceError("unknown_scope", scope=query.scope_text)
        if len(scopes) > 1:
            return Ambiguous(query.scope_text, scopes[:12])
        return Asked(cohort_id, year, as_of, scopes[0])

    def visible(self, session: Session, actor: Actor, cohort_id: int, as_of: date, scope: Scope) -> tuple[list[GraduateState], bool]:
        """Graduates in `scope` that the actor may see; `partial` when the scope reaches beyond them."""
        snap = self.snapshots.snapshot(session, cohort_id, as_of)
        if scope == WHOLE_SCHOOL:
            return self.snapshots.members(snap, actor.scope), False
        asked = self.snapshots.members(snap, scope)
        shown = policy.visible(actor, asked)
        if asked and not shown:
            raise ServiceError("scope_forbidden", scope=scope.value)
        return shown, len(shown) < len(asked)


    def selection(self, session: Session, actor: Actor, cohort_id: int, scope: Scope) -> tuple[Selection, bool]:
        """`visible` as roster positions, for counting without building states."""
        if scope == WHOLE_SCHOOL:
            return self.snapshots.select(session, cohort_id, actor.scope)[0], False
        shown, asked = self.snapshots.select(session, cohort_id, scope, within=actor.scope)
        if asked and not len(shown):
            raise ServiceError("scope_forbidden", scope=scope.value)
        return shown, len(shown) < asked


MIN_ID_TAIL = 4  # digits: the end of a 学号 people read off a list (…0123)


def _partly(state: GraduateState, who: str) -> bool:
    """`who` begins the graduate's name, or ends their 学号 (at least `MIN_ID_TAIL` digits)."""
    if who.isdigit():
        return len(who) >= MIN_ID_TAIL and state.student_id.endswith(who)
    return state.name.startswith(who)


class QuestionService:
    def __init__(self, db: Database, snapshots: SnapshotStore, scoping: Scoping, targets: TargetService, clock: Clock) -> None:
        self.db = db
        self.snapshots = snapshots
        self.scoping = scoping
        self.targets = targets
        self.clock = clock

    def example_ids(self, actor: Actor, count: int = 3) -> list[str]:
        """学号 for /help's update examples: the first of the actor's own graduates in the latest
        cohort (so a 2026 cohort's help shows 2026 学号). None for those who may not record updates,
        in a group, or before any roster."""
        if not policy.allows(actor, Action.APPLY_UPDATES) or actor.audience == Audience.GROUP:
            return []
        with self.db.read() as session:
            try:
                cohort_id, _ = self.snapshots.cohort(session)
            except ServiceError:
                return []
            selection, _ = self.snapshots.select(session, cohort_id, actor.scope)
            return heapq.nsmallest(count, (s.student_id for s in self.snapshots.roster(session, cohort_id, selection)))

    def rate(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> RateAnswer | Ambiguous:
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            store, cohort_id = self.snapshots, asked.cohort_id
            selection, partial = self.scoping.selection(session, actor, cohort_id, asked.scope)
            counts = store.counts(session, cohort_id, asked.as_of, selection)
            week_ago = store.counts(session, cohort_id, asked.as_of - timedelta(days=7), selection)
            gap = self.targets.gap(session, cohort_id, asked.year, selection, asked.as_of)
            recorded = None
            if asked.as_of == self.clock.today():
                members = (s.graduate_id for s in store.roster(session, cohort_id, selection))
                recorded = recorded_this_week(session, self.clock, cohort_id, members)
            pending = check_counts.pending_in(session, store, cohort_id, selection)
            checks = check_counts.tally_in(session, store, cohort_id, selection, asked.as_of)
            begun = pending or checks.confirmed or checks.materials or checks.checked or checks.flagged
            return RateAnswer(
                scope_label(actor, asked.scope, lang), asked.as_of, asked.year, counts, week_ago, partial, gap, actor.audience,
                recorded=recorded, pending=pending, checks=checks if begun else None,
            )  # fmt: skip

    def rates(self, actor: Actor, dimension_word: str, args: Sequence[str], lang: str = "zh") -> RatesAnswer | Ambiguous:
        dimension = dimension_from_word(dimension_word)
        if dimension is None or dimension == "cohort":
            raise ServiceError("unknown_dimension", dimension=dimension_word)
        policy.require(actor, Action.READ_RATES)
        policy.require_shareable(actor, dimension)
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            cohort_id, year, as_of = asked.cohort_id, asked.year, asked.as_of
            store = self.snapshots
            selection, _ = self.scoping.selection(session, actor, cohort_id, asked.scope)
            by_unit = store.units(session, cohort_id, selection, dimension)
            rows = sort_rows([UnitRow(unit, store.counts(session, cohort_id, as_of, members)) for unit, members in by_unit.items()])
            cards = self.targets.card_details(session, year, [row.unit for row in rows]) if dimension == "major" else {}
            below: dict[str, Gap] = {}
            for unit, members in by_unit.items():
                unit_gap = self.targets.gap(session, cohort_id, year, members, as_of, projection=False)
                if unit_gap is not None and unit_gap.needed > 0:
                    below[unit] = unit_gap
            total = store.counts(session, cohort_id, as_of, selection)
            return RatesAnswer(
                dimension, scope_label(actor, asked.scope, lang), as_of, year, rows, total, cards, below, actor.audience
            )

    def unplaced(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> UnplacedAnswer | Ambiguous:
        policy.require(actor, Action.READ_NAMES)
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            states, _ = self.scoping.visible(session, actor, asked.cohort_id, asked.as_of, asked.scope)
            unplaced = [s for s in states if not s.placed]
            unplaced.sort(key=lambda s: (s.code != 0, s.substate or "", s.class_name or "", s.student_id))
            names = self.snapshots.roster_names(session, asked.cohort_id)
            return UnplacedAnswer(scope_label(actor, asked.scope, lang), asked.as_of, asked.year, unplaced, names)

    def student(self, actor: Actor, who: str) -> StudentAnswer | list[GraduateState]:
        policy.require(actor, Action.READ_NAMES)
        who = who.strip()
        if not who:
            raise ServiceError("student_usage")
        with self.db.read() as session:
            cohort_id, year = self.snapshots.cohort(session)
            states = self.snapshots.states(session, cohort_id, self.clock.today())
            # Only graduates in the actor's scope are looked at: "not in your scope" and "not found"
            # are the same answer, so nobody learns which names and 学号 exist elsewhere.
            shown = policy.visible(actor, [s for s in states if s.student_id == who]) or policy.visible(
                actor, [s for s in states if s.name == who]
            )
            if not shown:  # a surname or the start of a name (王), or the end of a 学号: the matches in scope
                shown = policy.visible(actor, [s for s in states if _partly(s, who)])
                shown.sort(key=lambda s: (s.name, s.student_id))
            if not shown:
                raise ServiceError("unknown_student", who=who)
            if len(shown) > 1:
                return shown
            state = shown[0]
            rows = repo.history(session, state.graduate_id)
            history = [(entry, user.name if user else None) for entry, user in rows]
            return StudentAnswer(state, year, history, self.snapshots.roster_names(session, cohort_id))

    # ------------------------------------------------------------ aliases

    def add_alias(self, actor: Actor, alias: str, target: str) -> Scope:
        policy.require(actor, Action.ALIAS)
        with self.db.write() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            scopes = [s for s in self.snapshots.catalog(session, cohort_id).resolve(target) if s != WHOLE_SCHOOL]
            if len(scopes) != 1:
                raise ServiceError("alias_target", target=target)
            key = norm(alias)
            if not key or len(key) > MAX_ALIAS:
                raise ServiceError("alias_usage")
            repo.put_alias(session, key, scopes[0].dimension, scopes[0].value, actor.user_id or None)
            repo.audit(session, actor.user_id or None, "alias", f"{key} → {scopes[0].token}")
        return scopes[0]

    def aliases(self) -> dict[str, tuple[str, str]]:
        with self.db.read() as session:
            return repo.aliases(session)
