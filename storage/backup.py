"""`placement-bot backup FILE`: a consistent copy of the database as a SQLite file, readable by its owner only.

SQLite uses the online backup API (safe while the bot runs); PostgreSQL is copied table by table
into a new SQLite file with the same schema, which `DATABASE_URL=sqlite:///FILE` can open.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers tables)
from storage.db import is_sqlite, normalize_url, private_file


class BackupError(ValueError):
    """A backup that cannot be written where asked; the message says why."""


def backup_database(url: str, target: Path) -> int:
    """Write the copy beside `target` and move it into place only when complete: a failed or
    interrupted backup never destroys an earlier one, and never the live database."""
    url = normalize_url(url)
    if target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file")
    if is_sqlite(url):
        live = Path(make_url(url).database or "").resolve()
        if target.resolve() in {live, Path(f"{live}-wal"), Path(f"{live}-shm"), Path(f"{live}-journal")}:
            raise BackupError(f"{target} is the live database: choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    private_file(partial)  # the copy holds every student's record: owner only, from its first byte
    try:
        rows = _copy(url, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def _copy(url: str, target: Path) -> int:
    if is_sqlite(url):
        source = sqlite3.connect(make_url(url).database or "")
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        rows = sum(
            destination.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            for (name,) in destination.execute("SELECT name FROM sqlite_master WHERE type='table'")
        )
        source.close()
        destination.close()
        return rows
    source_engine = create_engine(url)
    target_engine = create_engine(f"sqlite:///{target}")
    SQLModel.metadata.create_all(target_engine)
    rows = 0
    with source_engine.connect() as src, target_engine.begin() as dst:
        for table in SQLModel.metadata.sorted_tables:
            data = [dict(row._mapping) for row in src.execute(select(table))]
            if data:
                dst.execute(table.insert(), data)
            rows += src.execute(select(func.count()).select_from(table)).scalar_one()
    source_engine.dispose()
    target_engine.dispose()
    return rows
