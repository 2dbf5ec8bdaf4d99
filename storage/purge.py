"""Deleting a whole cohort (`placement-bot purge --cohort Y`): its survey with every answer, its
destination history, batches, targets, roster, the §10 records about its graduates, and the cohort
itself. The only SQL of the purge.

Tables added by other features that point at a cohort's graduates must be deleted here too (or in
`repo.delete_graduates`), before the graduates: a foreign key would refuse the purge otherwise,
and nothing is half-deleted.
"""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from storage import graduates, repo, survey
from storage.models import Batch, CheckpointTarget, Cohort, DestinationEntry, Graduate


def purge_cohort(session: Session, cohort_id: int) -> dict[str, int]:
    """Delete everything of one cohort in the caller's transaction; returns counts by kind."""
    answers = survey.delete_surveys(session, [cohort_id])
    ids = [g for g in session.exec(select(Graduate.id).where(Graduate.cohort_id == cohort_id)).all() if g is not None]
    for account in graduates.bound_accounts(session, ids).values():
        account.active = False  # the accounts of graduates who are gone read nothing any more
        session.add(account)
    entries = len(session.exec(select(DestinationEntry.id).where(DestinationEntry.cohort_id == cohort_id)).all())
    repo.delete_graduates(session, ids)  # their history, the §10 records about them, their rows
    session.exec(delete(DestinationEntry).where(col(DestinationEntry.cohort_id) == cohort_id))  # type: ignore[call-overload]
    session.exec(delete(Batch).where(col(Batch.cohort_id) == cohort_id))  # type: ignore[call-overload]
    session.exec(delete(CheckpointTarget).where(col(CheckpointTarget.cohort_id) == cohort_id))  # type: ignore[call-overload]
    session.exec(delete(Cohort).where(col(Cohort.id) == cohort_id))  # type: ignore[call-overload]
    return {"graduates": len(ids), "entries": entries, "survey_responses": answers}
