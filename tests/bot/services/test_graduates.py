"""bot.services.graduates: binding races (two accounts, one link) on SQLite and PostgreSQL, and the
read API other services use (whois, bound_in_scope)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlmodel import select

from bot.services import SYSTEM, ServiceError, Services
from storage.models import GraduateBinding
from tests.e2e.test_core_loop import ROSTER_CSV


def school(service: Services) -> None:
    service.access.grant(3001, "counsellor", name="王老师")
    assert service.roster.import_roster(ROSTER_CSV.encode(), "roster.csv", actor=SYSTEM, cohort=2023).ok


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment in threads; each result or the ServiceError key."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except ServiceError as refusal:
            results[i] = refusal.key

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_accounts_racing_for_one_link_bind_once(service: Services) -> None:
    school(service)
    book = service.graduates.issue_links(SYSTEM, ["护理2301班"], "bot")
    link = next(r.link for r in book.rows if r.student_id == "2023010101")
    assert link is not None
    token = link.rsplit("=", 1)[1]
    results = race(
        *(lambda uid=uid: service.graduates.redeem(token, uid, "zh") for uid in (7001, 7002, 7003))
    )
    bound = [r for r in results if not isinstance(r, str)]
    assert len(bound) == 1 and sorted(r for r in results if isinstance(r, str)) == ["link_used", "link_used"]
    with service.db.read() as session:
        assert len(session.exec(select(GraduateBinding)).all()) == 1
    winners = [uid for uid in (7001, 7002, 7003) if service.graduates.whois(uid) is not None]
    assert len(winners) == 1


def test_whois_and_bound_in_scope(service: Services) -> None:
    school(service)
    book = service.graduates.issue_links(SYSTEM, [], "bot")
    tokens = {r.student_id: r.link.rsplit("=", 1)[1] for r in book.rows if r.link}
    service.graduates.redeem(tokens["2023010101"], 7201, "zh")
    service.graduates.redeem(tokens["2023020101"], 7202, "en")
    me = service.graduates.whois(7201)
    assert me is not None and (me.student_id, me.name) == ("2023010101", "张伟")
    assert service.graduates.whois(3001) is None  # staff are nobody's graduate
    wang = service.access.actor(3001)
    assert wang is not None
    mine = service.graduates.bound_in_scope(wang)
    assert [(b.student_id, b.telegram_id) for b in mine] == [("2023010101", 7201)]
    everyone = service.graduates.bound_in_scope(SYSTEM)
    assert sorted(b.telegram_id for b in everyone) == [7201, 7202]
