"""bot.services.review: two reviewers (or one pressing twice) approving the same report at once apply
it once, on SQLite and PostgreSQL; a report changes no figure before approval."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bot.services import SYSTEM, Services
from bot.services.review import Decision
from storage.models import DestinationEntry, SelfReport
from tests.bot.services.test_graduates import race, school


def bound(service: Services, student_id: str, telegram_id: int):  # type: ignore[no-untyped-def]
    book = service.graduates.issue_links(SYSTEM, [], "bot")
    link = next(r.link for r in book.rows if r.student_id == student_id)
    assert link is not None
    identity = service.graduates.redeem(link.rsplit("=", 1)[1], telegram_id, "zh")
    assert identity is not None
    return identity


def entries(service: Services) -> int:
    with service.db.read() as session:
        return session.exec(select(func.count()).select_from(DestinationEntry)).one()


def test_two_reviewers_at_once_apply_a_report_once(service: Services) -> None:
    school(service)
    service.access.grant(3009, "head", name="护理主任", scopes=["护理学院"])
    wang, head = service.access.actor(3001), service.access.actor(3009)
    assert wang is not None and head is not None
    identity = bound(service, "2023010101", 7301)
    reported = service.review.report(identity.actor(), identity, "签劳动合同 聊城市人民医院")
    assert reported.line is not None and entries(service) == 0
    with service.db.read() as session:
        report_id = session.exec(select(SelfReport.id)).one()
    results = race(
        lambda: service.review.approve(wang, report_id),
        lambda: service.review.approve(head, report_id),
        lambda: service.review.approve(wang, report_id),
    )
    decided = [r for r in results if isinstance(r, Decision)]
    assert len(decided) == 1 and sorted(r for r in results if isinstance(r, str)) == [
        "review_closed",
        "review_closed",
    ]
    assert entries(service) == 1
    with service.db.read() as session:
        state = next(s for s in service.snapshots.current(session) if s.student_id == "2023010101")
    assert (state.code, state.employer) == (11, "聊城市人民医院")


def test_approve_and_return_racing_decide_once(service: Services) -> None:
    school(service)
    wang = service.access.actor(3001)
    assert wang is not None
    identity = bound(service, "2023010102", 7302)
    service.review.report(identity.actor(), identity, "升学 聊城大学")
    with service.db.read() as session:
        report_id = session.exec(select(SelfReport.id)).one()
    results = race(
        lambda: service.review.approve(wang, report_id),
        lambda: service.review.give_back(wang, report_id, "信息不完整"),
    )
    assert sum(isinstance(r, Decision) for r in results) == 1 and "review_closed" in results
    with service.db.read() as session:
        status = session.exec(select(SelfReport.status)).one()
    assert entries(service) == (1 if status == "approved" else 0)
