"""bot.recorded: the week by recording time, beside the change by effective date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.recorded import RecordedEntry, recorded_week

START, END = datetime(2026, 9, 3, tzinfo=UTC), datetime(2026, 9, 10, tzinfo=UTC)
TODAY, SINCE = date(2026, 9, 10), date(2026, 9, 4)
OLD, NEW = datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 9, 9, tzinfo=UTC)


def test_backdated_recordings_are_counted_and_their_net_placements() -> None:
    histories = {
        1: [RecordedEntry(1, date(2026, 9, 1), 11, NEW)],  # backdated placement recorded this week
        2: [
            RecordedEntry(2, date(2026, 7, 1), 11, OLD),
            RecordedEntry(5, date(2026, 9, 8), 70, NEW),
        ],  # un-placed
        3: [RecordedEntry(3, date(2026, 7, 1), 70, OLD), RecordedEntry(6, date(2026, 9, 9), 80, NEW)],
        4: [RecordedEntry(4, date(2026, 7, 1), 11, OLD)],  # nothing this week
    }
    week = recorded_week(histories, START, END, TODAY, SINCE, total=10)
    assert (week.entries, week.graduates, week.backdated, week.placed_gain) == (3, 3, 1, 1)


def test_an_older_dated_entry_recorded_later_does_not_override_a_newer_date() -> None:
    histories = {
        1: [RecordedEntry(1, date(2026, 9, 5), 11, OLD), RecordedEntry(2, date(2026, 8, 1), 70, NEW)]
    }
    week = recorded_week(histories, START, END, TODAY, SINCE, total=1)
    assert (week.entries, week.backdated, week.placed_gain) == (1, 1, 0)  # still placed by the 9-05 entry
