"""Keeping data no longer than needed: deleting a whole cohort, its survey answers with it (§11)."""

from __future__ import annotations

from bot.services import policy
from bot.services.base import ServiceError
from bot.services.policy import Action, Actor
from bot.services.snapshots import SnapshotStore
from storage import purge, repo
from storage.db import Database


def purge_cohort(db: Database, snapshots: SnapshotStore, actor: Actor, year: int) -> dict[str, int]:
    """Delete cohort `year` with everything recorded about it (admins; the CLI's operator)."""
    policy.require(actor, Action.IMPORT_ROSTER)
    with db.write() as session:
        cohort = repo.get_cohort(session, year)
        if cohort is None or cohort.id is None:
            raise ServiceError("unknown_cohort", cohort=year)
        counts = purge.purge_cohort(session, cohort.id)
        repo.audit(session, actor.user_id or None, "purge_cohort", f"{year}: {counts}")
    snapshots.forget()
    return counts
