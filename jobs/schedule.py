"""Digest schedules: `mon 08:30`, `mon,thu 08:30`, `mon 08:30; fri 17:00` in BOT_TIMEZONE.

Pure: which slot of the current week is due at a given moment. The bot asks this on every tick,
so a schedule changed in /settings applies without a restart and a missed slot is caught up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6, "周天": 6,
    "星期一": 0, "星期二": 1, "星期三": 2, "星期四": 3, "星期五": 4, "星期六": 5, "星期日": 6,
}  # fmt: skip
_ENTRY = re.compile(r"^\s*([^\d\s]+(?:\s*[,，、]\s*[^\d\s]+)*)\s+(\d{1,2})[:：](\d{2})\s*$")


class ScheduleError(ValueError):
    """The text is not a schedule; the message says what is expected."""


@dataclass(frozen=True, order=True)
class Slot:
    weekday: int  # Monday = 0
    at: time

    def text(self) -> str:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return f"{names[self.weekday]} {self.at.strftime('%H:%M')}"


def parse_schedule(text: str) -> tuple[Slot, ...]:
    """`mon,thu 08:30` → two slots. Entries may be separated by `;`."""
    slots: set[Slot] = set()
    for entry in re.split(r"[;；]", text):
        if not entry.strip():
            continue
        match = _ENTRY.match(entry.lower())
        if match is None:
            raise ScheduleError(f"not a schedule: {entry.strip()!r} (expected e.g. 'mon 08:30' or 'mon,thu 08:30')")
        hour, minute = int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ScheduleError(f"not a time of day: {hour}:{minute:02d}")
        for word in re.split(r"\s*[,，、]\s*", match.group(1).strip()):
            if word not in WEEKDAYS:
                raise ScheduleError(f"not a weekday: {word!r}")
            slots.add(Slot(WEEKDAYS[word], time(hour, minute)))
    if not slots:
        raise ScheduleError("empty schedule")
    return tuple(sorted(slots))


def week_start(moment: datetime) -> date:
    local = moment.date()
    return local - timedelta(days=local.weekday())


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def slot_times(slots: tuple[Slot, ...], moment: datetime, tz: ZoneInfo) -> list[datetime]:
    """This week's occurrences (aware, in `tz`), Monday first."""
    local = moment.astimezone(tz)
    monday = week_start(local)
    return sorted(datetime.combine(monday + timedelta(days=s.weekday), s.at, tzinfo=tz) for s in slots)


def due_slot(slots: tuple[Slot, ...], now: datetime, tz: ZoneInfo) -> datetime | None:
    """The latest occurrence this week that is not in the future: what should have been sent by now.

    Earlier occurrences of the same week are superseded by a later one (a bot that was down from
    Monday to Thursday sends Thursday's digest once, not both)."""
    passed = [t for t in slot_times(slots, now, tz) if t <= now.astimezone(tz)]
    return passed[-1] if passed else None
