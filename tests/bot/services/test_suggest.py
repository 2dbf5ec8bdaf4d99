""" "Did you mean" at the service: UpdateService's suggestions for mistyped 学号 and names are the
ones the per-line difflib scan gave (kept here as the reference), for an admin and for a counsellor's
scope; the indexes are built once per roster version, by one thread, and never hold the write lock."""

from __future__ import annotations

import difflib
import io
import threading
from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pytest

from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from bot.services import SYSTEM, Services, snapshots
from bot.services.policy import Actor
from bot.services.updates import ApplyResult
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings

TODAY = date(2026, 6, 20)
ADMIN, COUNSELLOR = 1, 2


def _noon(day: date):  # type: ignore[no-untyped-def]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def school(db_url: str) -> Iterator[tuple[Services, GenCohort]]:
    upgrade_database(db_url)
    svc = Services.build(Database.connect(db_url), make_settings(db_url), clock=lambda: _noon(TODAY))
    cohort = generate_cohort(
        600, seed=4, cohort=2026, departments=3, majors=6, today=TODAY - timedelta(days=1)
    )
    buffer = io.BytesIO()
    cohort.to_xlsx(buffer)
    svc.roster.import_roster(buffer.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=2026)
    svc.access.grant(ADMIN, "admin", name="admin")
    counsellor = sorted({g.counsellor for g in cohort.graduates if g.counsellor})[0]
    svc.access.grant(COUNSELLOR, "counsellor", name=counsellor)
    yield svc, cohort
    svc.db.dispose()


def _actor(svc: Services, telegram_id: int) -> Actor:
    actor = svc.access.actor(telegram_id)
    assert actor is not None
    return actor


def _reference(svc: Services, actor: Actor, result: ApplyResult) -> list[str | None]:
    """The scan before issue 22 (bot/services/updates.py at fcf4f3d): difflib over the scope, per line."""
    with svc.db.read() as session:
        cohort_id, _ = svc.snapshots.cohort(session)
        names = svc.snapshots.names(session, cohort_id, actor.scope)
    student_ids = [s.student_id for members in names.values() for s in members]
    expected: list[str | None] = []
    for outcome in result.rejected:
        assert outcome.value is not None
        if outcome.reason == "unknown_student":
            close = difflib.get_close_matches(outcome.value, student_ids, n=1, cutoff=0.8)
        else:
            assert outcome.reason == "unknown_name"
            close = difflib.get_close_matches(outcome.value, list(names), n=1, cutoff=0.5)
        expected.append(close[0] if close else None)
    return expected


def _typos(cohort: GenCohort, seed: int) -> list[str]:
    """Mistyped 学号 and names of every kind: a digit off, swapped, missing, doubled, a letter in,
    a 学号 of nobody at all; a name with a character wrong, missing or added, a stranger's name."""
    rng = np.random.default_rng(seed)
    ids = sorted(g.student_id for g in cohort.graduates)
    names = sorted({g.name for g in cohort.graduates})
    known = set(ids) | set(names)
    words: list[str] = []
    for k in range(120):
        sid = ids[int(rng.integers(0, len(ids)))]
        at = int(rng.integers(0, len(sid) - 1))
        words.append(
            [
                sid[:at] + str((int(sid[at]) + 1 + k) % 10) + sid[at + 1 :],
                sid[:at] + sid[at + 1] + sid[at] + sid[at + 2 :],
                sid[:at] + sid[at + 1 :],
                sid[:at] + sid[at] + sid[at:],
                sid[:at] + "x" + sid[at:],
                str(int(rng.integers(10**9, 10**10))),
            ][k % 6]
        )
    for k in range(60):
        name = names[int(rng.integers(0, len(names)))]
        at = int(rng.integers(0, len(name)))
        words.append(
            [name[:at] + "丽" + name[at + 1 :], name[:at] + name[at + 1 :], name + "华", "欧阳" + name[-1]][
                k % 4
            ]
        )
    return [w for w in dict.fromkeys(words) if w not in known]


@pytest.mark.parametrize("who", [ADMIN, COUNSELLOR])
def test_suggestions_are_the_scans(school: tuple[Services, GenCohort], who: int) -> None:
    svc, cohort = school
    actor = _actor(svc, who)
    words = _typos(cohort, seed=who)
    result = svc.updates.apply_message(
        actor, "\n".join(f"{w} 合同 甲公司" for w in words), chat_id=9, message_id=who
    )
    assert [o.value for o in result.rejected] == words
    suggestions = [o.suggestion for o in result.rejected]
    assert suggestions == _reference(svc, actor, result)
    assert sum(s is not None for s in suggestions) > len(words) // 2  # the typos are close: most are found


def test_an_upload_gets_the_scans_suggestions(school: tuple[Services, GenCohort]) -> None:
    svc, cohort = school
    actor = _actor(svc, COUNSELLOR)
    words = [w for w in _typos(cohort, seed=5) if any(ch.isdigit() for ch in w)]
    table = ("学号,去向,单位\n" + "\n".join(f"{w},合同,某公司" for w in words) + "\n").encode()
    result = svc.updates.apply_table(actor, table, "u.csv", chat_id=9, message_id=7)
    assert [o.value for o in result.rejected] == words
    assert [o.suggestion for o in result.rejected] == _reference(svc, actor, result)


def test_the_index_is_built_once_per_roster_version(
    school: tuple[Services, GenCohort], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixteen threads ask at once: one builds the roster's index; a scope's marks are cached; a new
    roster version gets a new index."""
    svc, cohort = school
    builds: list[int] = []
    original = snapshots._SuggestionIndex.build

    def counted(states):  # type: ignore[no-untyped-def]
        builds.append(len(states))
        return original(states)

    monkeypatch.setattr(snapshots._SuggestionIndex, "build", staticmethod(counted))
    actor = _actor(svc, ADMIN)
    found: list[object] = []
    start = threading.Barrier(16)

    def ask() -> None:
        start.wait(10)
        with svc.db.read() as session:
            cohort_id, _ = svc.snapshots.cohort(session)
            found.append(svc.snapshots.suggester(session, cohort_id, actor.scope).index)

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert builds == [len(cohort.graduates)]
    assert len(found) == 16 and all(index is found[0] for index in found)
    with svc.db.read() as session:
        cohort_id, _ = svc.snapshots.cohort(session)
        first = svc.snapshots.suggester(session, cohort_id, actor.scope)
        assert svc.snapshots.suggester(session, cohort_id, actor.scope) is first
    buffer = io.BytesIO()
    cohort.to_xlsx(buffer)
    svc.roster.import_roster(
        buffer.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=2026
    )  # a new roster version
    with svc.db.read() as session:
        cohort_id, _ = svc.snapshots.cohort(session)
        assert svc.snapshots.suggester(session, cohort_id, actor.scope).index is not first.index
    assert len(builds) == 2
