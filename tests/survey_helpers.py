"""Shared by the survey's tests: a small school, graduates bound to Telegram accounts, a fixed clock.

`bind_all` is the one place a test binds graduates: through their personal links, the graduates'
binding of §10, which the survey service reads through `StoredBindings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

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


def bind_all(
    service: Services, ids: Mapping[str, int], *, base: int = GRADUATE_BASE, language: str | None = None
) -> dict[str, int]:
    """Bind these graduates (学号 → graduate id) through their personal links (§10), as each would by
    opening their link; returns 学号 → Telegram id (`base` + the 学号's last six digits)."""
    book = service.graduates.issue_links(SYSTEM, [], "placement_demo_bot")
    tokens = {row.student_id: row.link.rsplit("start=", 1)[1] for row in book.rows if row.link}
    out = {}
    for sid in ids:
        telegram_id = base + int(sid[-6:])
        assert service.graduates.redeem(tokens[sid], telegram_id, language) is not None
        out[sid] = telegram_id
    return out
