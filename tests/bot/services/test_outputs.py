"""The trend chart's input (issue 19, item 5): last year's curve is drawn from the graduates the
asker may see, never from the whole major of the previous cohort."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services import SYSTEM, Services
from bot.services.outputs import OutputService

HEADER = "学号,姓名,院系,专业,班级,学历,性别,生源地,重点群体,辅导员"
CLASS_OF_WANG, WANG_BY_NAME, ADMIN = 5001, 5002, 5003


def roster(year: int) -> bytes:
    short = year % 100
    rows = [HEADER]
    for klass, teacher in ((1, "王老师"), (2, "李老师")):
        for i in range(6):
            rows.append(f"{year}0{klass}{i:04d},学生{short}{klass}{i},护理学院,护理,护理{short}0{klass}班,专科,女,山东,,{teacher}")
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


@pytest.fixture
def recorded(service: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, set[int]]]:
    """Every cohort's graduates handed to `weekly_rates` (the trend chart's input), by cohort id."""
    seen: dict[int, set[int]] = {}
    original = OutputService.weekly_rates

    def spy(self: OutputService, session: object, cohort_id: int, year: int, members: set[int], until: object) -> object:
        seen[cohort_id] = set(members)
        return original(self, session, cohort_id, year, members, until)  # type: ignore[arg-type]

    monkeypatch.setattr(OutputService, "weekly_rates", spy)
    yield seen


def cohort_ids(service: Services) -> dict[int, tuple[int, dict[str, set[int]]]]:
    """Year → (cohort id, graduate ids by class)."""
    found = {}
    with service.db.read() as session:
        for year in (2022, 2023):
            cohort_id, _ = service.snapshots.cohort(session, year)
            by_class: dict[str, set[int]] = {}
            for s in service.snapshots.states(session, cohort_id, service.today()):
                by_class.setdefault(s.class_name or "", set()).add(s.graduate_id)
            found[year] = (cohort_id, by_class)
    return found


def test_last_years_curve_is_limited_to_the_askers_scope(service: Services, recorded: dict[int, set[int]]) -> None:
    for year in (2022, 2023):
        assert service.roster.import_roster(roster(year), "r.csv", actor=SYSTEM, cohort=year).ok
    service.access.grant(CLASS_OF_WANG, "counsellor", scopes=["护理2301班"])
    service.access.grant(WANG_BY_NAME, "counsellor", scopes=["辅导员:王老师"])
    service.access.grant(ADMIN, "admin", name="就业中心")
    (last_id, last_classes), (this_id, this_classes) = cohort_ids(service)[2022], cohort_ids(service)[2023]

    for telegram_id, this_year, last_year in (
        (CLASS_OF_WANG, this_classes["护理2301班"], set()),  # a class has no past: no curve of the major
        (WANG_BY_NAME, this_classes["护理2301班"], last_classes["护理2201班"]),  # 王老师's class of last year only
        (ADMIN, this_classes["护理2301班"] | this_classes["护理2302班"], last_classes["护理2201班"] | last_classes["护理2202班"]),
    ):
        actor = service.access.actor(telegram_id)
        assert actor is not None
        recorded.clear()
        service.outputs.chart(actor, "trend", [], "zh")
        assert recorded == {this_id: this_year, last_id: last_year}, telegram_id
