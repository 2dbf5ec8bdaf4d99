"""The 核查 figures of a selection (§10), shared by /rate, /check, the digests and the report:
pending self-reports, and confirmed / documented / checked / unchecked among the placed. Counted
from the snapshot store's deciding entries and four small tables, per the rules of bot.verification."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
from sqlmodel import Session

from bot.services.snapshots import Selection, SnapshotStore
from bot.verification import CheckFlags, CheckTally, Outcome, tally
from storage import graduates as store


def pending_in(
    session: Session,
    snapshots: SnapshotStore,
    cohort_id: int,
    selection: Selection,
    older_than: datetime | None = None,
) -> int:
    """Pending self-reports among a selection's graduates (sent before `older_than`, when given)."""
    pending = store.pending_graduates(session)
    if older_than is not None:
        pending = {
            g: at for g, at in pending.items() if (at if at.tzinfo else at.replace(tzinfo=UTC)) < older_than
        }
    if not pending:
        return 0
    mine = snapshots.selection_of(session, cohort_id, pending)
    return int(np.isin(mine.positions, selection.positions).sum())


def flags_in(
    session: Session, snapshots: SnapshotStore, cohort_id: int, selection: Selection, as_of: date
) -> dict[int, CheckFlags]:
    """graduate id → what is known about their destination as of `as_of`."""
    ids, eids, placed = snapshots.deciding_entries(session, cohort_id, as_of, selection)
    confirmed, documented, outcomes = store.check_tables(session)
    out: dict[int, CheckFlags] = {}
    plain = CheckFlags(placed=True), CheckFlags(placed=False)
    for gid, eid, is_placed in zip(ids.tolist(), eids.tolist(), placed.tolist(), strict=True):
        if eid in confirmed or eid in documented or eid in outcomes:
            outcome = outcomes.get(eid)
            out[gid] = CheckFlags(
                bool(is_placed), eid in confirmed, eid in documented, Outcome(outcome) if outcome else None
            )
        else:
            out[gid] = plain[0] if is_placed else plain[1]
    return out


def tally_in(
    session: Session, snapshots: SnapshotStore, cohort_id: int, selection: Selection, as_of: date
) -> CheckTally:
    return tally(flags_in(session, snapshots, cohort_id, selection, as_of).values())
