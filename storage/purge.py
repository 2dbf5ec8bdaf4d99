"""Deleting a whole cohort (`placement-bot purge --cohort Y`): its survey with every answer, its
destination history, batches, targets, roster and the cohort itself. The only SQL of the purge.

Tables added by other features that point at a cohort's graduates must be deleted here too, before
the graduates (a foreign key would refuse the purge otherwise, and nothing is half-deleted).
"""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from storage import survey
from storage.models import Batch, CheckpointTarget, Cohort, DestinationEntry, Graduate

CHUNK = 500


def purge_cohort(session: Session, cohort_id: int) -> dict[str, int]:
    """Delete everything of one cohort in the caller's transaction; returns counts by kind."""
    answers = survey.delete_surveys(session, [cohort_id])
    graduate_ids = list(session.exec(select(Graduate.id).where(Graduate.cohort_id == cohort_id)).all())
    entries = len(
        session.exec(select(DestinationEntry.id).where(DestinationEntry.cohort_id == cohort_id)).all()
    )
    session.exec(delete(DestinationEntry).where(col(DestinationEntry.cohort_id) == cohort_id))  # type: ignore[call-overload]
    session.exec(delete(Batch).where(col(Batch.cohort_id) == cohort_id))  # type: ignore[call-overload]
    session.exec(delete(CheckpointTarget).where(col(CheckpointTarget.cohort_id) == cohort_id))  # type: ignore[call-overload]
    for start in range(0, len(graduate_ids), CHUNK):
        chunk = graduate_ids[start : start + CHUNK]
        session.exec(delete(Graduate).where(col(Graduate.id).in_(chunk)))  # type: ignore[call-overload]
    session.exec(delete(Cohort).where(col(Cohort.id) == cohort_id))  # type: ignore[call-overload]
    return {"graduates": len(graduate_ids), "entries": entries, "survey_responses": answers}
