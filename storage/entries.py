"""Queries about destination entries by when they were recorded (not by their effective date):
what a question about an ambiguous word was asked against, and what was recorded in a window."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import DestinationEntry


def last_entry_ids(session: Session, graduate_ids: Iterable[int]) -> dict[int, int]:
    """Each graduate's newest recorded entry id (undone ones too: any record is news); 0 for none."""
    ids = list(set(graduate_ids))
    marks = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(DestinationEntry.graduate_id, func.max(DestinationEntry.id))
            .where(col(DestinationEntry.graduate_id).in_(chunk))
            .group_by(DestinationEntry.graduate_id)
        )
        marks.update({graduate_id: newest or 0 for graduate_id, newest in rows})
    return marks


def recorded_between(
    session: Session, cohort_id: int, start: datetime, end: datetime
) -> list[tuple[int, int]]:
    """(entry id, graduate id) of the cohort's entries recorded in [start, end), undone ones left out."""
    rows = session.execute(
        select(DestinationEntry.id, DestinationEntry.graduate_id).where(
            DestinationEntry.cohort_id == cohort_id,
            col(DestinationEntry.recorded_at) >= start,
            col(DestinationEntry.recorded_at) < end,
            col(DestinationEntry.undone_at).is_(None),
        )
    )
    return [(entry_id, graduate_id) for entry_id, graduate_id in rows]


def histories_recorded_between(
    session: Session,
    cohort_id: int,
    start: datetime,
    end: datetime,
    graduate_ids: Iterable[int] | None = None,
) -> dict[int, list[tuple[int, date, int, datetime]]]:
    """For each graduate with an entry recorded in [start, end) (among `graduate_ids` when given):
    all their not-undone entries as (entry id, effective date, code, recorded at)."""
    touched = {graduate_id for _, graduate_id in recorded_between(session, cohort_id, start, end)}
    if graduate_ids is not None:
        touched &= set(graduate_ids)
    found: dict[int, list[tuple[int, date, int, datetime]]] = {}
    ids = sorted(touched)
    for first in range(0, len(ids), 500):
        rows = session.execute(
            select(
                DestinationEntry.graduate_id,
                DestinationEntry.id,
                DestinationEntry.effective_date,
                DestinationEntry.code,
                DestinationEntry.recorded_at,
            ).where(
                col(DestinationEntry.graduate_id).in_(ids[first : first + 500]),
                col(DestinationEntry.undone_at).is_(None),
            )
        )
        for graduate_id, entry_id, effective, code, recorded in rows:
            found.setdefault(graduate_id, []).append((entry_id, effective, code, recorded))
    return found
