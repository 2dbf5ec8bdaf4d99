"""Digest schedules: parsing and which slot is due."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from jobs.schedule import ScheduleError, Slot, due_slot, iso_week, parse_schedule

TZ = ZoneInfo("Asia/Shanghai")


def test_parse() -> None:
    assert parse_schedule("mon 08:30") == (Slot(0, time(8, 30)),)
    assert parse_schedule("mon,thu 08:30") == (Slot(0, time(8, 30)), Slot(3, time(8, 30)))
    assert parse_schedule("周一 8:30; fri 17:05") == (Slot(0, time(8, 30)), Slot(4, time(17, 5)))
    for bad in ("", "someday 08:30", "mon 25:00", "mon", "08:30"):
        with pytest.raises(ScheduleError):
            parse_schedule(bad)


def test_due_slot_in_bot_timezone() -> None:
    slots = parse_schedule("mon,thu 08:30")
    # Monday 2026-11-23 08:29 in Shanghai: nothing due yet this week
    assert due_slot(slots, datetime(2026, 11, 23, 8, 29, tzinfo=TZ), TZ) is None
    assert due_slot(slots, datetime(2026, 11, 23, 8, 30, tzinfo=TZ), TZ) == datetime(2026, 11, 23, 8, 30, tzinfo=TZ)
    # Friday: Thursday's slot supersedes Monday's
    assert due_slot(slots, datetime(2026, 11, 27, 0, 0, tzinfo=TZ), TZ) == datetime(2026, 11, 26, 8, 30, tzinfo=TZ)
    # Sunday 23:30 UTC is already Monday 07:30 in Shanghai: a new week, nothing due
    utc = ZoneInfo("UTC")
    assert due_slot(slots, datetime(2026, 11, 29, 23, 30, tzinfo=utc), TZ) is None
    assert iso_week(datetime(2026, 11, 23, tzinfo=TZ)) == "2026-W48"
