"""KPI end to end: a 本科/硕士/博士 cohort with history across all checkpoints; /kpi and
`placement-bot kpi --json` give the rates, targets and scores the test computes itself."""

from __future__ import annotations

import io
import json
import math
import re
from collections import defaultdict
from datetime import date
from fractions import Fraction

import pytest

from bot.cli import main
from bot.sandbox.cohort_gen import generate_cohort
from bot.services import SYSTEM
from tests.e2e.conftest import BotHarness, FixedClock, harness_at, school_time
from tests.e2e.test_core_loop import ADMIN

# domain.md's scheme, typed out here: checkpoint → degree → target %, and points
TARGETS = {(6, 15): {"本科": 80, "硕士": 80, "博士": 80}, (8, 15): {"本科": 90, "硕士": 94, "博士": 95},
           (12, 15): {"本科": 94, "硕士": 97, "博士": 98}}  # fmt: skip
POINTS = {(6, 15): 5, (8, 15): 15, (12, 15): 15}
PLACED = {10, 11, 12, 27, 46, 50, 51, 75, 76, 80, 85}


def expected_score(placed: int, total: int, target: int, full: int) -> tuple[int, int]:
    required = math.ceil(Fraction(total * target, 100))
    if placed >= required:
        return max(0, required - placed), full + (placed - required)
    gap = Fraction(target) - Fraction(placed * 100, total)
    return required - placed, max(0, full - math.ceil(gap / Fraction(1, 2)))


def half_up(placed: int, total: int) -> str:
    hundredths = math.floor(Fraction(placed * 10000, total) + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


@pytest.fixture
def kpi_cohort(harness: BotHarness) -> tuple[BotHarness, list[dict]]:
    h = harness
    cohort = generate_cohort(1500, seed=5, departments=4, majors=12, degrees=("本科", "硕士", "博士"))
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    h.service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=2023)
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    admin = h.service.access.actor(ADMIN)
    assert admin is not None
    h.service.updates.apply_message(admin, "\n".join(e.as_line() for e in cohort.events), chat_id=None, message_id=None)
    history: dict[str, list[tuple[date, int, int]]] = defaultdict(list)
    for seq, event in enumerate(cohort.events):
        history[event.student_id].append((event.effective_date, seq, event.code))
    expected = []
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g in cohort.graduates:
        groups[(g.department, g.degree)].append(g.student_id)
    assert {degree for _, degree in groups} == {"本科", "硕士", "博士"}
    for (department, degree), members in sorted(groups.items()):
        for (month, day), targets in TARGETS.items():
            as_of = date(2023, month, day)
            placed = 0
            for sid in members:
                seen = [entry for entry in history.get(sid, []) if entry[0] <= as_of]
                placed += bool(seen) and max(seen)[2] in PLACED
            needed, score = expected_score(placed, len(members), targets[degree], POINTS[(month, day)])
            expected.append({
                "unit": department, "checkpoint": as_of.isoformat(), "degree": degree, "total": len(members),
                "placed": placed, "rate": half_up(placed, len(members)), "target": str(targets[degree]),
                "needed": needed, "score": score,
            })  # fmt: skip
    return h, expected


async def test_kpi_command_and_json(kpi_cohort: tuple[BotHarness, list[dict]], db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    h, expected = kpi_cohort
    assert main(["kpi", "--json", "--db", db_url]) == 0
    rows = json.loads(capsys.readouterr().out)
    key = lambda r: (r["unit"], r["degree"], r["checkpoint"])  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)

    reply = "\n".join(m.text or "" for m in await h.ask(ADMIN, "/kpi", count=1))
    for row in expected[:6]:
        month_day = f"{int(row['checkpoint'][5:7])}-{row['checkpoint'][8:]}"
        line = f"{month_day} {row['degree']} {row['rate']} ({row['placed']}/{row['total']}) 目标 {row['target']}%"
        assert line in reply, (line, reply)
        assert f"得分 {row['score']}/" in reply
    totals: dict[str, int] = defaultdict(int)
    for row in expected:
        totals[row["unit"]] += row["score"]
    best = max(totals.values())
    # the ranking line: score, then the rate that breaks equal scores (the last checkpoint's)
    assert any(line.startswith("1. ") and f" {best}/{sum(POINTS.values()) * 3} · " in line for line in reply.splitlines()), reply


async def test_targets_file_and_gap_in_rate(harness: BotHarness, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.test_core_loop import HEAD, setup_school

    h = harness
    await setup_school(h)
    csv = tmp_path / "targets.csv"
    csv.write_text("checkpoint,degree,target\n9-01,专科,50\n12-31,专科,99\n", encoding="utf-8")
    # the roster's cohort is 2023; asked as of 2023-03-01 (a fixed date, never today's), 9-01 is next
    assert main(["targets", str(csv), "--cohort", "2023", "--db", h.service.settings.database_url]) == 0
    reply = await h.say(HEAD, "/rate 2023-03-01")
    assert "下一节点 9-01（目标 50%）：还差 3 人" in reply, reply  # 护理学院: 6 graduates, 50% → 3 needed, 0 placed
    later = await h.say(HEAD, "/rate 2023-09-02")  # past 9-01: the file's 12-31 checkpoint is next
    assert "下一节点 12-31（目标 99%）：还差 6 人" in later, later
    shown = await h.say(HEAD, "/targets")
    assert "专科" in shown and "50" in shown
    refused = await h.say(HEAD, "/targets\ncheckpoint,degree,target\n6-15,专科,80")
    assert "无权" in refused
    bad = await h.say(ADMIN, "/targets\ncheckpoint,degree,target\n6-15,学士后,80")
    assert "未保存" in bad


async def test_red_and_yellow_cards(harness: BotHarness) -> None:
    from tests.e2e.test_core_loop import HEAD, WANG, setup_school

    h = harness
    await setup_school(h)
    # 护理 1/4 = 25% (red), 助产 2/2 = 100%, 软件技术 3/4 = 75% (no card at the 70/60 defaults)
    # dated within the season: cards judge the rate at the final checkpoint (12-15)
    await h.say(WANG, "2023010101 合同 甲 日期=2023-09-01\n2023010201 合同 乙 日期=2023-09-01\n2023010202 升学 丙 日期=2023-09-01")
    await h.say(ADMIN, "2023020101 合同 丁 日期=2023-09-01\n2023020102 合同 戊 日期=2023-09-01\n2023020103 合同 己 日期=2023-09-01")
    table = await h.say(ADMIN, "/rates 专业")
    lines = {line.split()[1]: line for line in table.splitlines()[1:-1] if line[0].isdigit()}
    assert "🟥红牌" in lines["护理"], table
    assert "红牌" not in lines["助产"] and "黄牌" not in lines["软件技术"]
    digest = (await h.ask(HEAD, "/digest", count=2))[0].text or ""
    assert "红黄牌预警：护理（红牌，12-15 25.00%）" in digest, digest  # with the rate and day judged on


async def test_kpi_shows_priority_groups_and_guided_share(kpi_cohort: tuple[BotHarness, list[dict]]) -> None:
    h, _ = kpi_cohort
    reply = "\n".join(m.text or "" for m in await h.ask(ADMIN, "/kpi"))
    assert "重点群体（不低于 94%）：" in reply, reply
    assert re.search(r"引导性就业占比（2023-12-01）：\d+\.\d\d%（\d+/\d+），要求 ≥50% → 扣 \d+ 分", reply), reply


# the service clock's date → the current cohort's next checkpoint and 专科's (= 本科's) target there;
# None: past the last checkpoint (12-15), when no gap may be shown
HEAD_DIGEST_DATES = [
    pytest.param((2026, 3, 10), ((6, 15), 80), id="03-10"),
    pytest.param((2026, 7, 1), ((8, 15), 90), id="07-01"),
    pytest.param((2026, 12, 15), ((12, 15), 94), id="12-15"),  # the checkpoint day itself is "on or after"
    pytest.param((2026, 12, 20), None, id="12-20"),
    pytest.param((2027, 1, 15), ((6, 15), 80), id="01-15"),  # a January cohort's first checkpoint is ahead
]


@pytest.mark.parametrize(("today", "expected"), HEAD_DIGEST_DATES)
async def test_head_digest_shows_gap_for_a_current_cohort(
    db_url: str, today: tuple[int, int, int], expected: tuple[tuple[int, int], int] | None
) -> None:
    from tests.e2e.test_core_loop import HEAD, ROSTER_CSV

    year = today[0]
    async with harness_at(db_url, FixedClock(school_time(*today))) as h:
        h.service.access.grant(ADMIN, "admin", name="就业中心")
        h.service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
        h.service.roster.import_roster(ROSTER_CSV.encode(), "roster.csv", actor=SYSTEM, cohort=year)
        admin = h.service.access.actor(ADMIN)
        assert admin is not None
        h.service.updates.apply_message(admin, "2023010101 合同 甲\n2023010102 升学 乙", chat_id=None, message_id=None)
        digest = (await h.ask(HEAD, "/digest", count=2))[0].text or ""
        rate = await h.say(HEAD, "/rate")
        table = await h.say(HEAD, "/rates 专业")
        nursing = next(line for line in table.splitlines() if " 护理 " in f" {line} ")
        if expected is None:  # after the cohort's last checkpoint: no next one, no gap, no warning
            for text in (digest, rate, table):
                assert "还差" not in text and "下一节点" not in text, text
            assert "⚠" not in nursing and "节点目标" not in table, table
            return
        (month, day), target = expected
        needed = math.ceil(Fraction(6 * target, 100)) - 2  # 护理学院: 6 graduates (专科), 2 placed
        assert f"下一节点 {month}-{day:02d}（目标 {target}%）：还差 {needed} 人" in digest, digest
        assert f"下一节点 {month}-{day:02d}（目标 {target}%）：还差 {needed} 人" in rate, rate
        # 护理: 4 graduates, 2 placed; the next checkpoint target for 专科 (= 本科)
        assert f"⚠ 差{math.ceil(Fraction(4 * target, 100)) - 2}人" in nursing, table
        assert f"未达 {date(year, month, day).isoformat()} 节点目标（{target}%）" in table, table
