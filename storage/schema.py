"""Creating and upgrading the database schema through Alembic (`placement-bot init`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import normalize_url, single_connection_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Create or upgrade the schema to the newest revision; safe to run any number of times."""
    engine = single_connection_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:  # WAL is a property of the file: set it once, here
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
