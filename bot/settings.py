"""Settings read from the environment and a `.env` file (names fixed by product.md §1)."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All runtime configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = "sqlite:///placement.db"
    bot_timezone: str = "Asia/Shanghai"
    bot_language: Literal["zh", "en"] = "zh"
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    digest_schedule: str = "mon 08:30"
    home_province: str | None = None
    pii_in_chat: Literal["full", "masked"] = "full"
    undo_window_hours: int = Field(default=48, ge=1)
    graduate_link_days: int = Field(default=30, ge=1, le=366)  # a graduate's personal link stays valid this long (§10)
    digest_tick_seconds: float = Field(default=30.0, gt=0)  # how often the bot checks for due digests
    card_yellow_below: Decimal = Decimal("70")  # 黄牌: a major's rate at the final checkpoint below this …
    card_red_below: Decimal = Decimal("60")  # 红牌: … or below this
    card_years_running: int = Field(default=1, ge=1)  # … for this many cohorts in a row
    kpi_points: str = "6-15=5,8-15=15,12-15=15"  # full marks per checkpoint
    guided_regions: str = "中部,西部"  # economic regions whose jobs count as guided employment
    guided_natures: str = "55,56"  # unit-nature codes that count (村, 社区)
    guided_employers: str = ""  # employer names that count, separated by ";"
    robot_private_hosts: bool = False  # allow group-robot URLs on loopback or private networks (an intranet relay)
    digests_enabled: bool = True  # false: this process never sends scheduled digests (e.g. a second replica)
    webhook_secret: SecretStr | None = None  # required by `run --webhook-url`: Telegram's secret_token
    worker_role: Literal["all", "receiver", "processor"] = "all"  # receive updates, process them, or both
    inbox_lease_seconds: float = Field(default=30.0, gt=0)  # a dead worker's claim on an update lapses after this
    inbox_poll_seconds: float = Field(default=0.5, gt=0)  # how often a processor looks for updates others stored

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @field_validator("kpi_points")
    @classmethod
    def _valid_points(cls, value: str) -> str:
        from bot.kpi import parse_points

        parse_points(value)  # raises for a malformed table
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. from CLI flags) on top."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)  # type: ignore[arg-type]
