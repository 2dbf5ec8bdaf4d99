"""SQLite durability and file modes: synchronous=FULL; database, WAL, SHM and backups owner-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from storage.backup import backup_database
from storage.db import Database
from storage.schema import upgrade_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_private_and_commits_are_synchronous(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a typical umask: without care, files come out world-readable
    try:
        path = tmp_path / "data" / "placement.db"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        database = Database.connect(url)
        with database.write() as session:
            session.execute(text("UPDATE cohort SET data_version = data_version + 1"))
        with database.read() as session:
            assert session.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
            wal = Path(f"{path}-wal")
            shm = Path(f"{path}-shm")
            assert wal.exists() and shm.exists()
            assert mode(path) == mode(wal) == mode(shm) == 0o600
        with database.write() as session:
            assert session.execute(text("PRAGMA synchronous")).scalar_one() == 2
        target = tmp_path / "backups" / "copy.db"
        backup_database(url, target)
        assert mode(target) == 0o600
        database.dispose()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "placement.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    path.chmod(0o644)
    Database.connect(url).dispose()
    assert mode(path) == 0o600


def test_postgres_backup_file_is_private(db_url: str, tmp_path: Path) -> None:
    upgrade_database(db_url)
    target = tmp_path / "pg-copy.db"
    backup_database(db_url, target)
    assert mode(target) == 0o600
