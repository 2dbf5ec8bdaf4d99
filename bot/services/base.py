"""What every service shares: the refusal type and the clock (tests move time, production reads it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo


class ServiceError(Exception):
    """A refusal the user caused; `key` names the message in bot.texts, `params` fill it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Clock:
    """"Now" in the school's time zone; `source` lets tests set the time (None = the real clock)."""

    def __init__(self, tz: tzinfo, source: Callable[[], datetime] | None = None) -> None:
        self.tz = tz
        self.source = source

    def now(self) -> datetime:
        return self.source().astimezone(self.tz) if self.source else datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()

    def date_of(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()
