"""Targets, checkpoints and KPI scores over the stored data (product.md §8, domain.md "Targets").

`KpiService` reads a cohort's targets (or the default scheme), computes the KPI table as of each
checkpoint with the priority-group check and the guided-employer indicator. The live gap and the
红黄牌 cards live in `PlacementService`, which /rate, /rates and the digests share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from bot.kpi import (
    GuidedRule,
    KpiRow,
    Target,
    UnitTotal,
    guided_indicator,
    kpi_table,
    parse_points,
    parse_targets_csv,
    priority_group_check,
    unit_totals,
)
from bot.scopes import WHOLE_SCHOOL
from bot.services import Actor, Ambiguous, PlacementService, ServiceError
from bot.taxonomy import ECONOMIC_REGION
from storage import repo
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


class KpiService:
    def __init__(self, placement: PlacementService) -> None:
        self.placement = placement

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
        settings = p.settings
        rows = kpi_table(states_by_day, targets, cohort_year=year_, unit_of=unit, points=parse_points(settings.kpi_points))
        answer = KpiAnswer(year_, p.scope_label(actor, scope, lang), rows, unit_totals(rows))
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
        guided_day = min(date(year_, rule.month, rule.day), p.today())
        with p.db.read() as session:
            guided_states, _ = p._scoped(session, actor, cohort_id, guided_day, scope)
        answer.guided = guided_indicator(guided_states, ECONOMIC_REGION.get, rule)
        answer.guided_as_of = guided_day
        return answer


def _items(text: str, separators: str = ",，;；、 ") -> list[str]:
    import re

    return [item for item in re.split(f"[{re.escape(separators)}]+", text) if item.strip()]
