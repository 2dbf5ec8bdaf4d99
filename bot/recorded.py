"""What was recorded in a window, by recording time — beside the change by effective date.

The rate "as of D" counts each entry on its effective date (product.md §4), so an entry dated 9-01
and sent today changes the rate from 9-01 on: the "last 7 days" change, taken by effective date,
never shows it. This module counts the same week by when entries were *recorded*: how many, for
how many graduates, how many were backdated (dated before the window), and the net number of
graduates placed by them (placed now, minus placed as known before the window opened).

Pure domain code: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.taxonomy import PLACED_CODES

WINDOW_DAYS = 7


@dataclass(frozen=True)
class RecordedEntry:
    """One not-undone entry of a graduate: its order, effective date, code and recording time."""

    entry_id: int
    effective_date: date
    code: int
    recorded_at: datetime


@dataclass(frozen=True)
class RecordedWeek:
    """The window's recordings for one scope."""

    since: date  # the window's first day (effective dates before it are backdated)
    entries: int
    graduates: int
    backdated: int
    placed_gain: int  # net graduates placed by these recordings (may be negative)
    total: int  # graduates in the scope: placed_gain over total is the change by recording


def _placed(history: Iterable[RecordedEntry], as_of: date) -> bool:
    """Placed as of `as_of`: the latest entry by effective date, recording order breaking ties."""
    current = max(
        (e for e in history if e.effective_date <= as_of),
        key=lambda e: (e.effective_date, e.entry_id),
        default=None,
    )
    return current is not None and current.code in PLACED_CODES


def recorded_week(
    histories: Mapping[int, Sequence[RecordedEntry]],
    start: datetime,
    end: datetime,
    as_of: date,
    since: date,
    total: int,
) -> RecordedWeek:
    """Count the entries recorded in [start, end) among `histories` (each touched graduate's whole
    not-undone history); a backdated entry is one effective before `since`."""
    entries = backdated = gain = 0
    graduates = 0
    for history in histories.values():
        fresh = [e for e in history if start <= e.recorded_at < end]
        if not fresh:
            continue
        graduates += 1
        entries += len(fresh)
        backdated += sum(1 for e in fresh if e.effective_date < since)
        before = [e for e in history if e.recorded_at < start]
        gain += int(_placed(history, as_of)) - int(_placed(before, as_of))
    return RecordedWeek(since, entries, graduates, backdated, gain, total)
