"""A generated cohort of 5,000 graduates end to end: roster by .xlsx upload, every destination sent
by its counsellor in messages of 50+ lines, then /rate for every breakdown — each figure checked
against the test's own computation from the generated data (exact fractions, half up).
"""

from __future__ import annotations

import asyncio
import io
import re
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from tests.e2e.conftest import BotHarness

ADMIN = 1001
EMPLOYED = {10, 11, 12, 27, 46, 50, 51, 75, 76}
STUDY = {80, 85}
RATE_RE = re.compile(r"毕业去向落实率：(\d+\.\d{2})%")
COUNT_RE = re.compile(r"已落实 (\d+)/(\d+)")
MID_DATES = (date(2023, 3, 1), date(2023, 6, 15), date(2023, 8, 31))


def expected_rate(placed: int, total: int) -> str:
    return str((Decimal(placed) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class Ledger:
    """What the test itself knows: every line it sent, in sending order per graduate."""

    def __init__(self, cohort: GenCohort) -> None:
        self.cohort = cohort
        self.lines: dict[str, list[tuple[date, int, int]]] = defaultdict(list)  # student_id → (date, seq, code)
        self.seq = 0

    def sent(self, student_id: str, effective: date, code: int) -> None:
        self.seq += 1
        self.lines[student_id].append((effective, self.seq, code))

    def code_as_of(self, student_id: str, as_of: date) -> int:
        candidates = [(d, s, c) for d, s, c in self.lines.get(student_id, []) if d <= as_of]
        return max(candidates)[2] if candidates else 0

    def figures(self, members: list, as_of: date) -> tuple[int, int]:
        placed = sum(1 for g in members if self.code_as_of(g.student_id, as_of) in EMPLOYED | STUDY)
        return placed, len(members)


def scope_queries(cohort: GenCohort) -> list[tuple[str, list]]:
    """(scope text, its graduates) for the school and every department, major, category, gender and group."""
    grads = cohort.graduates
    dims = {
        "院系": ("department", sorted({g.department for g in grads})),
        "专业": ("major", sorted({g.major for g in grads})),
        "大类": ("category", sorted({g.category for g in grads if g.category})),
        "性别": ("gender", sorted({g.gender for g in grads if g.gender})),
        "群体": ("groups", sorted({x for g in grads for x in g.groups})),
    }
    names = [v for _, values in dims.values() for v in values]
    queries: list[tuple[str, list]] = [("", list(grads))]
    for prefix, (attr, values) in dims.items():
        for value in values:
            members = [g for g in grads if (value in g.groups if attr == "groups" else getattr(g, attr) == value)]
            text = value if names.count(value) == 1 and attr in ("department", "major", "category") else f"{prefix}:{value}"
            queries.append((text, members))
    return queries


@pytest.mark.slow
async def test_five_thousand_graduates_end_to_end(harness: BotHarness) -> None:
    h = harness
    cohort = generate_cohort(5000, seed=7, departments=8, majors=36)
    assert len({g.department for g in cohort.graduates}) >= 6
    assert len({g.major for g in cohort.graduates}) >= 30
    counsellors = sorted({g.counsellor for g in cohort.graduates if g.counsellor})
    assert len(counsellors) >= 5

    h.service.access.grant(ADMIN, "admin", name="就业中心")
    ids = {name: 50_000 + i for i, name in enumerate(counsellors)}
    for name, telegram_id in ids.items():
        h.service.access.grant(telegram_id, "counsellor", name=name)

    roster = io.BytesIO()
    cohort.to_xlsx(roster, headers="zh")
    reply = await h.upload(ADMIN, "2023届毕业生名单.xlsx", roster.getvalue(), caption="/import 2023", timeout=120)
    assert "新增 5000" in reply, reply

    ledger = Ledger(cohort)
    by_counsellor = cohort.messages_by_counsellor(lines_per_message=60)
    events_by_line = {e.as_line(): e for e in cohort.events}
    expected_replies: dict[int, int] = {}
    marks: dict[int, int] = {}
    total_lines = 0
    for name, messages in by_counsellor.items():
        chat = ids[name]
        marks[chat] = h.emu.mark(chat)
        expected_replies[chat] = len(messages)
        assert all(len(text.split("\n")) >= 50 for text in messages[:-1])  # 50+ lines each, the last may be short
        for text in messages:
            lines = text.split("\n")
            assert len(text) <= 4096
            for line in lines:
                event = events_by_line[line]
                ledger.sent(event.student_id, event.effective_date, event.code)
            total_lines += len(lines)
            h.emu.send_text(chat, text, first_name=name)
    assert total_lines == len(cohort.events)

    async def collect(chat: int) -> list:
        return await h.emu.wait_for(chat, expected_replies[chat], timeout=240, since=marks[chat])

    all_replies = await asyncio.gather(*(collect(chat) for chat in expected_replies))
    for replies in all_replies:
        for message in replies:
            assert "未通过 0 条" in (message.text or ""), message.text

    for as_of in (None, *MID_DATES):
        day = as_of or h.service.today()
        for text, members in scope_queries(cohort):
            if as_of is not None and text not in ("",) and members is not None and len(members) < 300:
                continue  # mid-history: the school, departments and the larger majors/groups
            command = f"/rate {text} {as_of.isoformat() if as_of else ''}".strip()
            answer = await h.say(ADMIN, command)
            placed, total = ledger.figures(members, day)
            first_percent = re.search(r"(\d+\.\d{2})%", answer)
            assert first_percent and first_percent.group(1) == expected_rate(placed, total), (command, answer)
            match = COUNT_RE.search(answer)
            assert match and (int(match.group(1)), int(match.group(2))) == (placed, total), (command, answer)
