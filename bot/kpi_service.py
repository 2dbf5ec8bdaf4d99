"""Targets, checkpoints and KPI scores over the stored data (product.md §8, domain.md "Targets").

`KpiService` reads a cohort's targets (or the default scheme), computes the KPI table as of each
checkpoint, the live gap to the next checkpoint with a projection, and 红黄牌 cards for majors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.kpi import (
    DEFAULT_POINTS,
    CardRule,
    KpiRow,
    Target,
    UnitTotal,
    card_for,
    kpi_table,
    parse_targets_csv,
    unit_totals,
)
from bot.metrics import breakdown, hundredths_of_percent
from bot.scopes import WHOLE_SCHOOL
from bot.services import Actor, Ambiguous, PlacementService, ServiceError
from storage import repo
from storage.models import CheckpointTarget


@dataclass
class KpiAnswer:
    cohort: int
    scope_label: str
    rows: list[KpiRow]
    totals: list[UnitTotal]


class KpiService:
    def __init__(self, placement: PlacementService, rule: CardRule | None = None) -> None:
        self.placement = placement
        self.rule = rule or CardRule()

    # ------------------------------------------------------------ targets

    def targets(self, session: Session, cohort_id: int) -> list[Target]:
        return self.placement.targets(session, cohort_id)

    def targets_for_cohort(self, year: int | None = None) -> tuple[int, list[Target], bool]:
        with self.placement.db.read() as session:
            cohort_id, year_ = self.placement._cohort_id(session, year)
            stored = bool(repo.checkpoint_targets(session, cohort_id))
            return year_, self.targets(session, cohort_id), stored

    def set_targets(self, data: bytes, year: int | None = None, actor: Actor | None = None) -> tuple[int, list[Target]]:
        """Replace a cohort's targets from CSV (raises bot.kpi.TargetFileError listing every bad row)."""
        if actor is not None and actor.role != "admin":
            raise ServiceError("not_allowed")
        targets = parse_targets_csv(data)
        with self.placement.db.write() as session:
            cohort_id, year_ = self.placement._cohort_id(session, year)
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
            repo.audit(session, actor.user_id if actor else None, "targets", f"{year_}: {len(targets)} rows")
        return year_, targets

    # ------------------------------------------------------------ KPI table

    def kpi(self, actor: Actor, args: Sequence[str] = (), year: int | None = None, lang: str = "zh") -> KpiAnswer | Ambiguous:
        p = self.placement
        with p.db.read() as session:
            cohort_id, year_, _, text, scopes = p._query(session, actor, [*args, *([f"{year}届"] if year else [])])
            scope = p._one_scope(text, scopes)
            if isinstance(scope, Ambiguous):
                return scope
            targets = self.targets(session, cohort_id)
            days = sorted({t.checkpoint(year_) for t in targets})
            today = p.today()
            states_by_day = {}
            for day in days:
                as_of = min(day, today)
                states, _ = p._scoped(session, actor, cohort_id, as_of, scope)
                states_by_day[day] = states
        unit = (lambda s: s.major) if scope.dimension == "department" else (lambda s: s.department)
        if scope == WHOLE_SCHOOL and not actor.scope.everything and all(g.dimension == "department" for g in actor.scope.grants) and len(actor.scope.grants) == 1:
            unit = lambda s: s.major  # noqa: E731 - a head's own department, by major
        rows = kpi_table(states_by_day, targets, cohort_year=year_, unit_of=unit, points=DEFAULT_POINTS)
        return KpiAnswer(year_, p.scope_label(actor, scope, lang), rows, unit_totals(rows))

    # ------------------------------------------------------------ 红黄牌

    def cards(self, session: Session, year: int, majors: Sequence[str]) -> dict[str, str]:
        """Majors warned by the rule: rate at the final checkpoint, this cohort and earlier ones."""
        per_major: dict[str, list[int]] = {m: [] for m in majors}
        for past_year in range(year - max(0, self.rule.years_running - 1), year + 1):
            cohort = repo.get_cohort(session, past_year)
            if cohort is None or cohort.id is None:
                continue
            targets = self.targets(session, cohort.id)
            final = max(t.checkpoint(past_year) for t in targets)
            states = self.placement.states(session, cohort.id, min(final, self.placement.today()))
            for row in breakdown(states, "major"):
                if row.unit in per_major:
                    per_major[row.unit].append(hundredths_of_percent(row.counts.placed, row.counts.total))
        cards = {}
        for major, rates in per_major.items():
            card = card_for(rates, self.rule)
            if card:
                cards[major] = "红牌" if card == "red" else "黄牌"
        return cards

