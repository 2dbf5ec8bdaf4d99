"""The snapshot store's compact timeline against an independent count, across writes, undos and
processes; and the write lock held only for the write (the fuzzy "did you mean" runs after it)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.metrics import breakdown, tally
from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from bot.scopes import WHOLE_SCHOOL, Scope
from bot.services import SYSTEM, RateAnswer, RatesAnswer, Services, snapshots
from bot.services.policy import Actor
from bot.services.updates import UpdateService
from storage import repo
from storage.db import Database
from storage.schema import upgrade_database
from tests.bot.services.test_access import ROSTER_2023
from tests.conftest import make_settings

TODAY = date(2026, 6, 20)
ADMIN, OTHER = 1, 2


def _services(url: str) -> Services:
    return Services.build(Database.connect(url), make_settings(url), clock=lambda: _noon(TODAY))


def _noon(day: date):  # type: ignore[no-untyped-def]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def school(db_url: str) -> Iterator[tuple[Services, GenCohort]]:
    upgrade_database(db_url)
    svc = _services(db_url)
    cohort = generate_cohort(400, seed=3, cohort=2026, departments=3, majors=6, today=TODAY - timedelta(days=1))
    buffer = io.BytesIO()
    cohort.to_xlsx(buffer)
    svc.roster.import_roster(buffer.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=2026)
    svc.access.grant(ADMIN, "admin", name="admin")
    svc.access.grant(OTHER, "admin", name="other")
    admin = _actor(svc, ADMIN)
    lines = [e.as_line() for e in cohort.events]
    for start in range(0, len(lines), 200):
        svc.updates.apply_message(admin, "\n".join(lines[start : start + 200]), chat_id=None, message_id=None)
    yield svc, cohort
    svc.db.dispose()


def _actor(svc: Services, telegram_id: int) -> Actor:
    actor = svc.access.actor(telegram_id)
    assert actor is not None
    return actor


def _expected(svc: Services, as_of: date, scope: Scope = WHOLE_SCHOOL):  # type: ignore[no-untyped-def]
    """Independent figures: the states as of `as_of` straight from SQL ("today" = every entry)."""
    with svc.db.read() as session:
        cohort_id, _ = svc.snapshots.cohort(session)
        states = repo.graduate_states(session, cohort_id, date.max if as_of >= TODAY else as_of)
    return [s for s in states if scope.matches(s)]


def _check_rates(svc: Services, days: list[date]) -> None:
    admin = _actor(svc, ADMIN)
    department = _expected(svc, TODAY)[0].department
    for day in days:
        for args, scope in (([], WHOLE_SCHOOL), ([department], Scope("department", department))):
            answer = svc.questions.rate(admin, [*args, day.isoformat()])
            assert isinstance(answer, RateAnswer)
            assert answer.counts == tally(_expected(svc, day, scope)), day
            assert answer.week_ago == tally(_expected(svc, day - timedelta(days=7), scope)), day
        rates = svc.questions.rates(admin, "major", [day.isoformat()])
        assert isinstance(rates, RatesAnswer)
        expected = breakdown(_expected(svc, day), "major")
        assert [(r.unit, r.counts) for r in rates.rows] == [(r.unit, r.counts) for r in expected]
        assert rates.total == tally(_expected(svc, day))


def _days(cohort: GenCohort) -> list[date]:
    first = min(e.effective_date for e in cohort.events)
    return [first - timedelta(days=1), first, *(first + timedelta(days=k) for k in (3, 17, 40, 90)), TODAY - timedelta(days=1), TODAY]


def test_rates_match_independent_counts_at_every_date(school: tuple[Services, GenCohort]) -> None:
    svc, cohort = school
    _check_rates(svc, _days(cohort))


def test_another_process_write_and_undo_are_seen(school: tuple[Services, GenCohort], db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    svc, cohort = school
    monkeypatch.setattr(snapshots, "MERGE_TAIL", 30)  # re-sorting the arrays is exercised too
    days = _days(cohort)
    _check_rates(svc, days)  # caches warm at every day
    other = _services(db_url)  # another worker on the same database
    try:
        ids = sorted({e.student_id for e in cohort.events})
        backdated = (TODAY - timedelta(days=60)).isoformat()
        message = "\n".join(
            [f"{sid} 升学 北京大学 日期={TODAY.isoformat()}" for sid in ids[:25]]
            + [f"{sid} 待就业 日期={backdated}" for sid in ids[25:50]]
        )
        result = other.updates.apply_message(_actor(other, OTHER), message, chat_id=9, message_id=1)
        assert len(result.applied) + len(result.unchanged) == 50 and len(result.applied) >= 40
        _check_rates(svc, days)
        assert result.after == tally(_expected(svc, TODAY))  # the writer's own before→after figures
        other.updates.apply_message(_actor(other, OTHER), "\n".join(f"{sid} 合同 甲公司" for sid in ids[50:90]), chat_id=9, message_id=2)
        _check_rates(svc, days)
        undone = other.updates.undo(_actor(other, OTHER))
        assert undone.entries == 40 and undone.after == tally(_expected(svc, TODAY))
        _check_rates(svc, days)
    finally:
        other.db.dispose()


def test_full_snapshots_follow_writes(school: tuple[Services, GenCohort]) -> None:
    svc, _ = school
    with svc.db.read() as session:
        before = list(svc.snapshots.current(session))
    sid = before[0].student_id
    svc.updates.apply_message(_actor(svc, ADMIN), f"{sid} 合同 乙公司 地区=山东济南", chat_id=3, message_id=3)
    with svc.db.read() as session:
        now = svc.snapshots.current(session)
    assert now == _expected(svc, TODAY)
    assert now[0].employer == "乙公司" and now[0].province == "山东"


def test_mistyped_ids_do_not_hold_the_write_lock(school: tuple[Services, GenCohort], monkeypatch: pytest.MonkeyPatch) -> None:
    """290 mistyped 学号: the "did you mean" search runs after the write lock is released, so another
    writer's message goes through while it runs (it would wait for the lock otherwise)."""
    svc, _ = school
    ids = sorted(s.student_id for s in _expected(svc, TODAY))
    typos = [sid[:-3] + "x" + sid[-3:] for sid in ids[:290]]  # one character more: unknown but close
    searching, other_done = threading.Event(), threading.Event()
    original = UpdateService.suggest

    def slow_suggest(self: UpdateService, *args: object) -> None:
        searching.set()
        assert other_done.wait(20), "another writer was blocked while suggestions were computed"
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(UpdateService, "suggest", slow_suggest)
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            assert searching.wait(20)
            svc.updates.apply_message(_actor(svc, OTHER), f"{ids[-1]} 合同 丙公司", chat_id=5, message_id=2)
            other_done.set()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            other_done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    result = svc.updates.apply_message(_actor(svc, ADMIN), "\n".join(f"{t} 合同 甲公司" for t in typos), chat_id=5, message_id=1)
    thread.join(30)
    assert not errors, errors
    assert len(result.rejected) == 290
    assert [o.suggestion for o in result.rejected] == ids[:290]


def test_warm_start_answers_like_a_cold_one(school: tuple[Services, GenCohort], db_url: str) -> None:
    """A freshly started worker that warmed its caches gives the same figures as one that did not."""
    _, cohort = school
    warmed = _services(db_url)
    try:
        warmed.warm()
        assert warmed.snapshots._timelines and warmed.snapshots._catalogs  # loaded before any question
        _check_rates(warmed, _days(cohort))
    finally:
        warmed.db.dispose()


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


def test_an_alias_re_pointed_by_another_process_is_seen(service: Services, other: Services) -> None:
    """Re-pointing changes neither the number of aliases nor (with a lagging clock) their newest
    time: the alias version in the database is what retires the other process's catalog."""
    assert service.roster.import_roster(ROSTER_2023.encode(), "r.csv", actor=SYSTEM, cohort=2023).ok
    service.questions.add_alias(SYSTEM, "xyzzy", "护理")
    with other.db.read() as session:
        cohort_id, _ = other.snapshots.cohort(session)
        assert [s.value for s in other.snapshots.catalog(session, cohort_id).resolve("xyzzy")] == ["护理"]
    service.questions.add_alias(SYSTEM, "xyzzy", "软件技术")
    with other.db.read() as session:
        assert [s.value for s in other.snapshots.catalog(session, cohort_id).resolve("xyzzy")] == ["软件技术"]


def test_an_alias_is_a_name_not_a_place_to_store_text(service: Services) -> None:
    from bot.services import ServiceError

    assert service.roster.import_roster(ROSTER_2023.encode(), "r.csv", actor=SYSTEM, cohort=2023).ok
    with pytest.raises(ServiceError):
        service.questions.add_alias(SYSTEM, "x" * 3000, "护理")
    assert service.questions.add_alias(SYSTEM, "x" * 64, "护理").value == "护理"


def test_a_scope_selects_exactly_the_graduates_it_covers(school: tuple[Services, GenCohort]) -> None:
    """The store tests a scope once per combination of the attributes it reads; the graduates it
    selects must be exactly those `covers`/`matches` accept one by one."""
    from bot.scopes import UserScope

    svc, cohort = school
    graduate = cohort.graduates[0]
    other_department = next(g.department for g in cohort.graduates if g.department != graduate.department)
    scopes = [
        Scope("department", graduate.department),
        Scope("class_name", graduate.class_name or ""),
        Scope("group", next((x for g in cohort.graduates for x in g.groups), "残疾")),
        UserScope(False, (Scope("counsellor", graduate.counsellor or ""), Scope("class_name", graduate.class_name or ""))),
        UserScope(False, (Scope("major", graduate.major),), within=frozenset({other_department})),  # bound: nobody
        UserScope(False, (Scope("major", graduate.major),), within=frozenset({graduate.department})),
    ]
    with svc.db.read() as session:
        cohort_id, _ = svc.snapshots.cohort(session)
        everyone = svc.snapshots.states(session, cohort_id, TODAY)
        for scope in scopes:
            test = scope.covers if isinstance(scope, UserScope) else scope.matches
            expected = [s.graduate_id for s in everyone if test(s)]
            snapshot = svc.snapshots.snapshot(session, cohort_id, TODAY)
            assert [s.graduate_id for s in svc.snapshots.members(snapshot, scope)] == expected, scope
