"""Engines and sessions. SQLite gets WAL, `synchronous=FULL`, a busy timeout and `BEGIN IMMEDIATE` for
writers; its files are created readable by their owner only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from storage.files import private_file

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and route them to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> str | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def _make_sqlite_engine(url: str, *, immediate: bool) -> Engine:
    path = _sqlite_path(url)
    if path is not None:
        private_file(path)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=8,
        max_overflow=16,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a commit confirmed to a user survives a power loss
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer that reads first must hold the write lock from the start, or it fails with
        # "database is locked" when another connection commits in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """A pair of engines on one URL: `read()` for queries, `write()` for transactions that change data."""

    url: str
    reader: Engine
    writer: Engine

    @classmethod
    def connect(cls, url: str) -> Database:
        url = normalize_url(url)
        if is_sqlite(url):
            return cls(url, _make_sqlite_engine(url, immediate=False), _make_sqlite_engine(url, immediate=True))
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        return cls(url, engine, engine)

    @property
    def is_sqlite(self) -> bool:
        return self.reader.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with Session(self.writer, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.reader.dispose()
        if self.writer is not self.reader:
            self.writer.dispose()


def single_connection_engine(url: str) -> Engine:
    """An engine that opens a fresh connection per use (migrations, backups)."""
    url = normalize_url(url)
    if is_sqlite(url) and (path := _sqlite_path(url)) is not None:
        private_file(path)
    return create_engine(url, poolclass=NullPool)
