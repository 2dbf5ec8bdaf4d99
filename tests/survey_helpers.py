"""Shared by the survey's tests: a small school, graduates bound to Telegram accounts, a fixed clock.

`bind` is the one place a test binds a graduate: through the graduates' binding (§10) once it is
wired, until then through `MemoryBindings`, the minimal interface the survey service needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.services import SYSTEM, Services
from storage import repo

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ADMIN, HEAD, WANG, LI = 1, 2, 3, 4  # Telegram ids of staff
GRADUATE_BASE = 900_000  # a graduate's Telegram id: GRADUATE_BASE + row number

# 12 graduates: 护理学院 8 (王老师's class), 信息工程学院 4 (李老师's class)
ROSTER = "学号,姓名,院系,专业,班级,学历,性别,辅导员\n" + "".join(
    f"2026{i:06d},学生{i},{'护理学院' if i <= 8 else '信息工程学院'},{'护理' if i <= 8 else '软件技术'},"
    f"{'护理2601班' if i <= 8 else '软件2601班'},专科,{'女' if i % 3 else '男'},{'王老师' if i <= 8 else '李老师'}\n"
    for i in range(1, 13)
)
# destinations: 1–6 employed (11), 7 seeking (70), 8 study (80); 9–12 employed
UPDATES = "\n".join(
    [f"2026{i:06d} 签劳动合同 某医院" for i in range(1, 7)]
    + ["2026000007 求职中", "2026000008 升学 某大学"]
    + [f"2026{i:06d} 签劳动合同 某公司" for i in range(9, 13)]
)


class MemoryBindings:
    """Graduate id ↔ Telegram id, in memory: the survey service's `Bindings` for tests."""

    def __init__(self) -> None:
        self.by_graduate: dict[int, tuple[int, str | None]] = {}

    def graduate_of(self, session: Session, telegram_id: int) -> int | None:
        for graduate_id, (chat_id, _lang) in self.by_graduate.items():
            if chat_id == telegram_id:
                return graduate_id
        return None

    def bound(self, session: Session, graduate_ids: Sequence[int]) -> Mapping[int, tuple[int, str | None]]:
        return {g: self.by_graduate[g] for g in graduate_ids if g in self.by_graduate}


def build_school(service: Services, roster: str = ROSTER, updates: str = UPDATES) -> dict[str, int]:
    """Import the roster, grant staff, record destinations; returns 学号 → graduate id."""
    result = service.roster.import_roster(roster.encode(), "roster.csv", actor=SYSTEM, cohort=2026)
    assert result.ok, result.problems
    service.access.grant(ADMIN, "admin", name="就业中心")
    service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
    service.access.grant(WANG, "counsellor", name="王老师")
    service.access.grant(LI, "counsellor", name="李老师")
    admin = service.access.actor(ADMIN)
    assert admin is not None
    outcome = service.updates.apply_message(admin, updates, chat_id=None, message_id=None)
    assert not outcome.rejected
    with service.db.read() as session:
        cohort = repo.get_cohort(session, 2026)
        assert cohort is not None and cohort.id is not None
        return {sid: g.id for sid, g in repo.graduates_by_student_id(session, cohort.id).items()}  # type: ignore[misc]


def bind(service: Services, graduate_id: int, telegram_id: int, language: str | None = None) -> None:
    bindings = service.survey.bindings
    if bindings is None:
        bindings = service.survey.bindings = MemoryBindings()  # type: ignore[assignment]
    assert isinstance(bindings, MemoryBindings)
    bindings.by_graduate[graduate_id] = (telegram_id, language)


def bind_all(service: Services, ids: Mapping[str, int]) -> dict[str, int]:
    """Bind every graduate; returns 学号 → Telegram id."""
    out = {}
    for sid, graduate_id in ids.items():
        telegram_id = GRADUATE_BASE + int(sid[-6:])
        bind(service, graduate_id, telegram_id)
        out[sid] = telegram_id
    return out
