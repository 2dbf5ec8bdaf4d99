"""§10 in digests: a counsellor's pending reports (→ /review); heads' reports pending over 7 days,
不属实 flags and the share confirmed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services import SYSTEM, Services
from jobs.delivery import DigestService, review_notices
from storage.db import Database
from storage.schema import upgrade_database
from tests.bot.services.test_review import bound
from tests.conftest import make_settings
from tests.e2e.test_core_loop import ROSTER_CSV


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def test_review_notices_by_role() -> None:
    figures = {"pending": 3, "flagged": 1, "confirmed": 2, "placed": 8}
    assert review_notices("zh", "counsellor", figures) == (
        "待审核的毕业生上报 3 条，发送 /review 审核。",
        "核实为不属实、待更正的去向 1 条。",
    )
    assert review_notices("zh", "head", figures) == (
        "超过 7 天未审核的毕业生上报 3 条。", "核实为不属实、待更正的去向 1 条。", "本人确认去向 2/8（25.00%）。",
    )  # fmt: skip
    assert review_notices("en", "head", {"pending": 0, "flagged": 0, "confirmed": 0, "placed": 5}) == ()


def test_digests_count_pending_reports(db_url: str) -> None:
    upgrade_database(db_url)
    clock = Clock(datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    database = Database.connect(db_url)
    service = Services.build(database, make_settings(db_url), clock=clock)
    try:
        service.access.grant(3001, "counsellor", name="王老师")
        service.access.grant(2001, "head", name="护理主任", scopes=["护理学院"])
        assert service.roster.import_roster(ROSTER_CSV.encode(), "roster.csv", actor=SYSTEM, cohort=2023).ok
        identity = bound(service, "2023010101", 7401)
        service.review.report(identity.actor(), identity, "升学 聊城大学")
        digests = DigestService(service)
        wang, head = service.access.actor(3001), service.access.actor(2001)
        assert wang is not None and head is not None
        assert "待审核的毕业生上报 1 条，发送 /review 审核。" in digests.build(wang)[0].parts[0]
        assert "未审核" not in digests.build(head)[0].parts[0]  # not yet 7 days old
        clock.moment += timedelta(days=8)
        digests = DigestService(service)
        assert "超过 7 天未审核的毕业生上报 1 条。" in digests.build(head)[0].parts[0]
    finally:
        database.dispose()
