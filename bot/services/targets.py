"""Targets and KPI over the stored data (product.md §8): the cohort's checkpoint targets, the live
gap to the next checkpoint (with a projection), 红黄牌 cards, and the KPI table.

The rules themselves (checkpoints, graduates needed, scoring) are in `bot.targets` and `bot.kpi`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from bot.kpi import (
    Card,
    CardRule,
    GuidedRule,
    KpiRow,
    UnitTotal,
    card_for,
    guided_indicator,
    kpi_table,
    parse_points,
    parse_targets_csv,
    priority_group_check,
    project,
    unit_totals,
)
from bot.metrics import GraduateState
from bot.scopes import WHOLE_SCHOOL
from bot.services import policy
from bot.services.base import Clock
from bot.services.policy import Action, Actor
from bot.services.questions import Ambiguous, Scoping, scope_label
from bot.services.snapshots import Selection, SnapshotStore
from bot.settings import Settings
from bot.targets import UNKNOWN_DEGREE, Gap, Merged, Target, gap_of_groups, headline, merge_targets
from bot.taxonomy import ECONOMIC_REGION
from storage import repo
from storage.db import Database
from storage.models import CheckpointTarget


@dataclass
class KpiAnswer:
    cohort: int
    scope_label: str
    rows: list[KpiRow]
    totals: list[UnitTotal]
    group_minimum: Decimal | None = None
    groups: list[tuple[str, int, int, bool]] = field(default_factory=list)  # at the final checkpoint
    guided: tuple[int, int, int] = (0, 0, 0)  # (guided, employed, points off) as of 12-01
    guided_as_of: date | None = None


class TargetService:
    def __init__(self, db: Database, snapshots: SnapshotStore, scoping: Scoping, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.snapshots = snapshots
        self.scoping = scoping
        self.clock = clock
        self.settings = settings

    # ------------------------------------------------------------ targets

    def targets_for_cohort(self, year: int | None = None, actor: Actor = policy.SYSTEM) -> tuple[int, list[Target], bool]:
        """(year, targets, whether the office set them) for a cohort (the latest by default)."""
        policy.require(actor, Action.READ_TARGETS)
        with self.db.read() as session:
            cohort_id, year_ = self.snapshots.cohort(session, year)
            stored = bool(repo.checkpoint_targets(session, cohort_id))
            return year_, self.snapshots.targets(session, cohort_id), stored

    def set_targets(self, data: bytes, year: int | None = None, actor: Actor = policy.SYSTEM) -> tuple[int, list[Target]]:
        """Replace a cohort's targets from CSV (raises bot.kpi.TargetFileError listing every bad row)."""
        policy.require(actor, Action.SET_TARGETS)
        targets = parse_targets_csv(data)
        with self.db.write() as session:
            year_ = self._store_targets(session, year, targets, actor, "replaced")
        return year_, targets

    def replacement_preview(self, data: bytes, year: int | None = None, actor: Actor = policy.SYSTEM) -> tuple[int, int, int]:
        """(year, rows sent, rows now) before a full replacement is confirmed; nothing is saved."""
        policy.require(actor, Action.SET_TARGETS)
        sent = parse_targets_csv(data)
        with self.db.read() as session:
            cohort_id, year_ = self.snapshots.cohort(session, year)
            return year_, len(sent), len(self.snapshots.targets(session, cohort_id))

    def merge_targets(self, data: bytes, year: int | None = None, actor: Actor = policy.SYSTEM) -> tuple[int, Merged]:
        """Apply CSV rows over the cohort's targets (stored, or the default scheme): rows with the
        same checkpoint, degree and department are replaced, new ones added, the rest kept."""
        policy.require(actor, Action.SET_TARGETS)
        sent = parse_targets_csv(data)
        with self.db.write() as session:
            cohort_id, _ = self.snapshots.cohort(session, year)
            merged = merge_targets(self.snapshots.targets(session, cohort_id), sent)
            year_ = self._store_targets(session, year, list(merged.targets), actor, f"merged {len(sent)} rows")
        return year_, merged

    def _store_targets(self, session: Session, year: int | None, targets: Sequence[Target], actor: Actor, how: str) -> int:
        cohort_id, year_ = self.snapshots.cohort(session, year)
        repo.replace_checkpoint_targets(
            session,
            cohort_id,
            (
                CheckpointTarget(
                    cohort_id=cohort_id, month=t.month, day=t.day, degree=t.degree,
                    target=str(t.target_percent), department=t.department,
                )
                for t in targets
            ),
        )
        repo.bump_data_version(session, cohort_id)  # retires cached targets, here and in other processes
        repo.audit(session, actor.user_id or None, "targets", f"{year_}: {how}, {len(targets)} rows")
        return year_

    def headline_targets(self, session: Session, cohort_id: int, year: int, states: Sequence[GraduateState]) -> list[tuple[date, Decimal]]:
        """Each checkpoint with the general target of the scope's most common degree level (for chart lines)."""
        return headline(self.snapshots.targets(session, cohort_id), year, states)

    def gap(
        self,
        session: Session,
        cohort_id: int,
        year: int,
        states: Sequence[GraduateState] | Selection,
        as_of: date,
        *,
        projection: bool = True,
    ) -> Gap | None:
        """The gap to the cohort's next checkpoint (`bot.targets.gap_at`), with a projection from
        the last 4 weeks' pace. Counted from the store's timeline, not from the states."""
        store = self.snapshots
        selection = states if isinstance(states, Selection) else store.selection_of(session, cohort_id, (s.graduate_id for s in states))
        groups = store.placed_by(session, cohort_id, as_of, selection, ("department", "degree"))
        groups = {(department, degree or UNKNOWN_DEGREE): counts for (department, degree), counts in groups.items()}
        merged: dict[tuple[str, str], tuple[int, int]] = {}
        for key, (placed, total) in groups.items():
            before = merged.get(key, (0, 0))
            merged[key] = (before[0] + placed, before[1] + total)
        gap = gap_of_groups(store.targets(session, cohort_id), year, merged, as_of)
        if gap is None or not projection:
            return gap
        samples = [as_of - timedelta(days=7 * k) for k in range(4, -1, -1)]
        placed_then = store.placed_series(session, cohort_id, selection, samples)
        total = len(selection)
        needed_total = placed_then[-1] + gap.needed
        outlook = project(
            list(zip(samples, placed_then, strict=True)),
            total=total,
            target_percent=Decimal(needed_total * 100) / Decimal(total),
            checkpoint=gap.checkpoint,
            today=as_of,
        )
        return Gap(gap.checkpoint, gap.target_text, gap.needed, outlook.will_make_it if outlook else None)

    def cards(self, session: Session, year: int, majors: Sequence[str]) -> dict[str, str]:
        """红黄牌 by major: "红牌"/"黄牌" (`card_details` without the rate and day)."""
        return {major: card.kind for major, card in self.card_details(session, year, majors).items()}

    def card_details(self, session: Session, year: int, majors: Sequence[str]) -> dict[str, Card]:
        """红黄牌: majors whose rate at the final checkpoint is below the configured thresholds,
        this cohort and — when `card_years_running` > 1 — the cohorts before it; each with the rate
        and the day it was judged on (this cohort's final checkpoint, or today before it)."""
        settings = self.settings
        judged: dict[str, tuple[str, date]] = {}
        rule = CardRule(settings.card_yellow_below, settings.card_red_below, settings.card_years_running)
        per_major: dict[str, list[int]] = {major: [] for major in majors}
        for past_year in range(year - rule.years_running + 1, year + 1):
            cohort = repo.get_cohort(session, past_year)
            if cohort is None or cohort.id is None:
                continue
            store = self.snapshots
            final = min(max(t.checkpoint(past_year) for t in store.targets(session, cohort.id)), self.clock.today())
            everyone, _ = store.select(session, cohort.id, WHOLE_SCHOOL)
            for major, members in store.units(session, cohort.id, everyone, "major").items():
                if major in per_major:
                    counts = store.counts(session, cohort.id, final, members)
                    per_major[major].append(counts.placement_hundredths)
                    judged[major] = (counts.placement_rate, final)
        cards: dict[str, Card] = {}
        for major, rates in per_major.items():
            card = card_for(rates, rule)
            if card:
                rate, day = judged[major]
                cards[major] = Card("红牌" if card == "red" else "黄牌", rate, day)
        return cards

    # ------------------------------------------------------------ KPI table

    def kpi(self, actor: Actor, args: Sequence[str] = (), year: int | None = None, lang: str = "zh") -> KpiAnswer | Ambiguous:
        policy.require(actor, Action.KPI)
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, [*args, *([f"{year}届"] if year else [])])
            if isinstance(asked, Ambiguous):
                return asked
            cohort_id, year_, scope = asked.cohort_id, asked.year, asked.scope
            targets = self.snapshots.targets(session, cohort_id)
            days = sorted({t.checkpoint(year_) for t in targets})
            today = self.clock.today()
            states_by_day = {}
            partial = False
            for day in days:
                states, partial = self.scoping.visible(session, actor, cohort_id, min(day, today), scope)
                states_by_day[day] = states
        label = scope_label(actor, scope, lang)
        unit = (lambda s: s.major) if scope.dimension == "department" else (lambda s: s.department)
        whole_units = actor.scope.everything or all(g.dimension == "department" for g in actor.scope.grants)
        if scope == WHOLE_SCHOOL and not actor.scope.everything and whole_units and len(actor.scope.grants) == 1:
            unit = lambda s: s.major  # noqa: E731 - a head's own department, by major
        elif partial or (scope == WHOLE_SCHOOL and not whole_units):
            # a counsellor's (or any part-of-a-unit) figures are theirs: one unit named by their own
            # scope, never by a department they hold only part of (her 215 of its 982)
            label = f"{label}（{_PART[lang == 'en']}）" if partial else label
            unit = lambda s: label  # noqa: E731
        settings = self.settings
        rows = kpi_table(
            states_by_day, targets, cohort_year=year_, unit_of=unit, points=parse_points(settings.kpi_points), today=today
        )
        answer = KpiAnswer(year_, label, rows, unit_totals(rows))
        if days:
            final = days[-1]
            final_targets = [t for t in targets if t.checkpoint(year_) == final and t.department is None]
            preferred = [t for t in final_targets if t.degree == "本科"] or final_targets
            if preferred:  # priority groups must reach the last checkpoint's target
                answer.group_minimum = preferred[0].target_percent
                answer.groups = priority_group_check(states_by_day[final], answer.group_minimum)
        rule = GuidedRule(
            regions=frozenset(_items(settings.guided_regions)),
            natures=frozenset(int(code) for code in _items(settings.guided_natures)),
            employers=frozenset(_items(settings.guided_employers, ";；")),
        )
        guided_day = min(date(year_, rule.month, rule.day), self.clock.today())
        with self.db.read() as session:
            guided_states, _ = self.scoping.visible(session, actor, cohort_id, guided_day, scope)
        answer.guided = guided_indicator(guided_states, ECONOMIC_REGION.get, rule)
        answer.guided_as_of = guided_day
        return answer


_PART = ("仅您范围内的部分", "only the part within your scope")


def _items(text: str, separators: str = ",，;；、 ") -> list[str]:
    return [item for item in re.split(f"[{re.escape(separators)}]+", text) if item.strip()]
