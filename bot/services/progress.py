"""This week's recordings for a scope (`bot.recorded`), read from the entries' recording times;
used by /rate and the digests beside the change by effective date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session

from bot.recorded import WINDOW_DAYS, RecordedEntry, RecordedWeek, recorded_week
from bot.services.base import Clock
from storage import entries


def recorded_this_week(
    session: Session, clock: Clock, cohort_id: int, graduate_ids: Iterable[int]
) -> RecordedWeek:
    """What the scope's graduates had recorded in the last 7 days up to now (the service clock)."""
    end = clock.now()
    start = end - timedelta(days=WINDOW_DAYS)
    ids = set(graduate_ids)
    rows = entries.histories_recorded_between(session, cohort_id, start, end + timedelta(microseconds=1), ids)
    histories = {
        graduate_id: [
            RecordedEntry(entry_id, effective, code, recorded)
            for entry_id, effective, code, recorded in history
        ]
        for graduate_id, history in rows.items()
    }
    today = clock.today()
    # the change by effective date compares with the day WINDOW_DAYS ago: entries dated on or before it
    # are in both figures, so they are the backdated ones
    since = today - timedelta(days=WINDOW_DAYS - 1)
    return recorded_week(histories, start, end + timedelta(microseconds=1), today, since, len(ids))
