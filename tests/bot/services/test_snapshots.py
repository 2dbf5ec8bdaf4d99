"""bot.services.snapshots: every cache is retired by the data version stored in the database, so a
second process (here: a second `Services` over the same database) sees the first one's writes —
destinations, roster changes, aliases and targets."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from bot.services import SYSTEM, Services
from storage.db import Database
from tests.bot.services.test_access import ROSTER_2023
from tests.conftest import make_settings


@pytest.fixture
def other(db_url: str, service: Services) -> Iterator[Services]:
    database = Database.connect(db_url)
    yield Services.build(database, make_settings(db_url))
    database.dispose()


def test_a_write_by_another_process_is_seen(service: Services, other: Services) -> None:
    assert service.roster.import_roster(ROSTER_2023.encode(), "r.csv", actor=SYSTEM, cohort=2023).ok
    with other.db.read() as session:  # warm the other process's caches
        assert [s.code for s in other.snapshots.current(session)] == [0, 0]
        cohort_id, _ = other.snapshots.cohort(session)
        assert {t.checkpoint(2023).month for t in other.snapshots.targets(session, cohort_id)} == {6, 8, 12}
        assert other.snapshots.catalog(session, cohort_id).resolve("xyzzy") == []

    service.updates.apply_message(SYSTEM, "2023010101 合同 甲医院", chat_id=None, message_id=None)
    service.targets.set_targets("checkpoint,degree,target\n08-15,专科,91\n".encode(), 2023)
    service.questions.add_alias(SYSTEM, "xyzzy", "护理")

    with other.db.read() as session:
        assert sorted(s.code for s in other.snapshots.current(session)) == [0, 11]
        assert [(t.month, t.day, t.target_percent) for t in other.snapshots.targets(session, cohort_id)] == [
            (8, 15, Decimal("91"))
        ]
        assert [s.value for s in other.snapshots.catalog(session, cohort_id).resolve("xyzzy")] == ["护理"]
