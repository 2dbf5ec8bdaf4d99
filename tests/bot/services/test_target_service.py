"""bot.services.targets: the gap to the next checkpoint and its projection from the last 4 weeks'
pace, counted at the dates asked about (the projection's window ends on the as-of day itself)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services import SYSTEM, Services
from tests.e2e.test_core_loop import ROSTER_CSV

ADMIN = 1001


@pytest.mark.parametrize(
    ("placed_on", "on_track"),
    [
        # 4 of 10 placed in the week up to the as-of day (11-01): 4 per 4 weeks for 44 more days
        # gives 4 + 6.28 → 10 by 12-15: on track. A window ending a week early sees no pace at all.
        (["2023-10-26", "2023-10-28", "2023-10-30", "2023-11-01"], True),
        # the same 4, placed 5+ weeks before: no pace in the window, 6 still needed → not on track
        (["2023-09-01", "2023-09-02", "2023-09-03", "2023-09-04"], False),
    ],
)
def test_gap_and_projection_at_the_as_of_day(service: Services, placed_on: list[str], on_track: bool) -> None:
    assert service.roster.import_roster(ROSTER_CSV.encode(), "roster.csv", actor=SYSTEM, cohort=2023).ok
    service.access.grant(ADMIN, "admin", name="就业中心")
    admin = service.access.actor(ADMIN)
    assert admin is not None
    service.targets.set_targets("checkpoint,degree,target\n12-15,专科,100\n".encode(), 2023, actor=admin)
    students = ("2023010101", "2023010102", "2023010201", "2023020101")
    lines = [f"{sid} 合同 甲 日期={day}" for sid, day in zip(students, placed_on, strict=True)]
    result = service.updates.apply_message(admin, "\n".join(lines), chat_id=None, message_id=None)
    assert len(result.applied) == 4, result
    answer = service.questions.rate(admin, ["2023-11-01"])
    assert answer.gap is not None  # type: ignore[union-attr]
    assert (answer.gap.checkpoint, answer.gap.needed) == (date(2023, 12, 15), 6)  # type: ignore[union-attr]
    assert answer.gap.on_track is on_track  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("today", "guided_as_of"),
    [(date(2023, 7, 1), date(2023, 7, 1)), (date(2024, 1, 10), date(2023, 12, 1))],
)
def test_kpi_reads_the_services_clock(db_url: str, today: date, guided_as_of: date) -> None:
    """The guided-employment share is taken on 12-01, or today (the service clock's) before then."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from storage.db import Database
    from storage.schema import upgrade_database
    from tests.conftest import make_settings

    upgrade_database(db_url)
    moment = datetime(today.year, today.month, today.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    service = Services.build(Database.connect(db_url), make_settings(db_url), clock=lambda: moment)
    try:
        assert service.roster.import_roster(ROSTER_CSV.encode(), "roster.csv", actor=SYSTEM, cohort=2023).ok
        service.access.grant(ADMIN, "admin", name="就业中心")
        admin = service.access.actor(ADMIN)
        assert admin is not None
        answer = service.targets.kpi(admin)
        assert answer.guided_as_of == guided_as_of  # type: ignore[union-attr]
    finally:
        service.db.dispose()
