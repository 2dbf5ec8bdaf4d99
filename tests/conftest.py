"""Database fixtures: a fresh SQLite file per test, and PostgreSQL when TEST_DATABASE_URL is set.

`db_url` is parametrized over both backends, so every test that uses it runs on each; the
PostgreSQL variant skips with a reason when no server is configured.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.services import Services
from bot.settings import Settings
from storage.db import Database, normalize_url
from storage.schema import upgrade_database

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def _postgres_schema_url(base: str) -> Iterator[str]:
    """A throwaway schema in the test database; the URL pins search_path to it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{normalize_url(base)}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'placement.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL variant: TEST_DATABASE_URL is not set")
    yield from _postgres_schema_url(POSTGRES_URL)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'placement.db'}"


def make_settings(url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "telegram_bot_token": "123456:TEST-TOKEN",
        "bot_timezone": "Asia/Shanghai",
        "bot_language": "zh",
        "digests_enabled": False,  # the real clock would make the default schedule due mid-test
        "robot_private_hosts": True,  # the fake group robots listen on loopback
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def service(db_url: str) -> Iterator[Services]:
    upgrade_database(db_url)
    database = Database.connect(db_url)
    yield Services.build(database, make_settings(db_url))
    database.dispose()
