"""Roster import: a whole cohort's roster from .csv/.xlsx, all or nothing (product.md §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert

from bot.grammar import parse_message
from bot.roster import RosterFile, RosterRow, read_roster
from bot.services import policy
from bot.services.base import Clock
from bot.services.policy import Action, Actor
from bot.services.snapshots import SnapshotStore
from bot.services.updates import UpdateService
from storage import repo
from storage.db import Database
from storage.models import Graduate


@dataclass
class ImportResult:
    cohort: int
    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    pruned: int = 0
    destinations_applied: int = 0
    destinations_unchanged: int = 0
    dry_run: bool = False
    problems: list = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class RosterImportService:
    def __init__(self, db: Database, snapshots: SnapshotStore, updates: UpdateService, clock: Clock) -> None:
        self.db = db
        self.snapshots = snapshots
        self.updates = updates
        self.clock = clock

    def import_roster(
        self,
        data: bytes,
        file_name: str,
        *,
        actor: Actor,
        cohort: int | None = None,
        dry_run: bool = False,
        prune: bool = False,
    ) -> ImportResult:
        """All-or-nothing import: any bad row → nothing is written and every bad row is listed."""
        policy.require(actor, Action.IMPORT_ROSTER)
        today = self.clock.today()
        default_cohort = cohort or today.year
        roster: RosterFile = read_roster(data, file_name, default_cohort=default_cohort, today=today)
        years = {row.cohort or default_cohort for row in roster.rows}
        year = cohort or (years.pop() if len(years) == 1 else default_cohort)
        result = ImportResult(cohort=year, total_rows=len(roster.rows), dry_run=dry_run, unknown_columns=roster.unknown_columns)
        if roster.problems:
            result.problems = roster.problems
            return result
        with self.db.write() as session:
            cohort_row = repo.get_or_create_cohort(session, year)
            assert cohort_row.id is not None
            repo.lock_cohort(session, cohort_row.id)
            existing = repo.graduates_by_student_id(session, cohort_row.id)
            new_rows: list[dict] = []
            for row in roster.rows:
                values = _roster_values(row)
                graduate = existing.get(row.student_id)
                if graduate is None:
                    result.created += 1
                    new_rows.append({"cohort_id": cohort_row.id, "student_id": row.student_id, **values})
                elif any(getattr(graduate, k) != v for k, v in values.items()):
                    result.updated += 1
                    if not dry_run:
                        for key, value in values.items():
                            setattr(graduate, key, value)
                        graduate.updated_at = datetime.now(UTC)
                        session.add(graduate)
                else:
                    result.unchanged += 1
            seen = {row.student_id for row in roster.rows}
            missing = [g.id for sid, g in existing.items() if sid not in seen and g.id is not None]
            result.missing = len(missing)
            if dry_run:
                session.rollback()
                return result
            if new_rows:
                for start in range(0, len(new_rows), 2000):
                    session.execute(insert(Graduate), new_rows[start : start + 2000])
            if prune and missing:
                repo.delete_graduates(session, missing)
                result.pruned = len(missing)
                result.missing = 0
            repo.bump_data_version(session, cohort_row.id, roster=True)
            session.flush()
            update_lines = "\n".join(row.update_text for row in roster.rows if row.update_text)
            if update_lines:
                applied = self.updates.apply_parsed(
                    session, actor, cohort_row.id, parse_message(update_lines, today), None, None, "import"
                )
                if applied.rejected:  # e.g. a row's 学号 clashing with the scope: keep all-or-nothing
                    session.rollback()
                    self.snapshots.forget()  # they may hold what was just rolled back
                    result.problems = applied.rejected
                    return result
                result.destinations_applied = len(applied.applied)
                result.destinations_unchanged = len(applied.unchanged)
        self.snapshots.forget()
        return result


def _roster_values(row: RosterRow) -> dict[str, object]:
    return {
        "name": row.name,
        "department": row.department,
        "major": row.major,
        "category": row.category,
        "class_name": row.class_name,
        "degree": row.degree,
        "gender": row.gender,
        "origin": row.origin,
        "ethnicity": row.ethnicity,
        "groups": ";".join(row.groups),
        "counsellor": row.counsellor,
        "major_en": row.major_en,
        "department_en": row.department_en,
    }
