"""bot.services.base.Clock: "today" and a moment's date are the school's (BOT_TIMEZONE), not UTC's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.base import Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 3, 1, 15, 59, tzinfo=UTC), date(2026, 3, 1)),  # 23:59 in Shanghai
        (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), date(2026, 3, 2)),  # 00:00 in Shanghai: the next day
        (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), date(2027, 1, 1)),  # and the next year
    ],
)
def test_dates_are_the_schools(moment: datetime, day: date) -> None:
    clock = Clock(SHANGHAI, lambda: moment)
    assert clock.date_of(moment) == day  # a message's date (its sent_at) in the school's zone
    assert clock.today() == day
    assert clock.now().utcoffset() is not None and clock.now().tzinfo == SHANGHAI
