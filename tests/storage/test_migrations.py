"""Data migrations: 0007 binds the counsellors a head brought in to the head's departments."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from storage.db import single_connection_engine
from storage.schema import alembic_config, upgrade_database


def _upgrade(url: str, revision: str) -> None:
    engine = single_connection_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def test_0007_binds_head_invitees_and_leaves_admin_invitees_alone(db_url: str) -> None:
    _upgrade(db_url, "0006")
    engine = single_connection_engine(db_url)
    try:
        with engine.begin() as c:
            users = [(1, 11, "admin", None), (2, 12, "head", 1), (3, 13, "counsellor", 2), (4, 14, "counsellor", 1)]
            for uid, tid, role, made_by in users:
                c.execute(
                    text(
                        "INSERT INTO botuser (id, telegram_id, role, active, digest_opt_out, created_by, created_at) "
                        "VALUES (:id, :tid, :role, true, false, :by, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "tid": tid, "role": role, "by": made_by},
                )
            for uid, dim, value in [(2, "department", "护理学院"), (2, "department", "药学院"), (3, "class_name", "软件2401班"), (4, "class_name", "软件2401班")]:
                c.execute(text("INSERT INTO userscope (user_id, dimension, value) VALUES (:u, :d, :v)"), {"u": uid, "d": dim, "v": value})
    finally:
        engine.dispose()
    upgrade_database(db_url)
    upgrade_database(db_url)  # idempotent
    engine = single_connection_engine(db_url)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT user_id, value FROM userscope WHERE dimension = 'within' ORDER BY user_id, value")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(3, "护理学院"), (3, "药学院")]
