"""The guided-employer indicator (domain.md: ≥ 50 % on 12-01, −1 per point below, at most 15)."""

from __future__ import annotations

from bot.kpi import GuidedRule, guided_indicator
from bot.metrics import GraduateState

REGION = {"山东": "东部", "河南": "中部", "四川": "西部"}


def employed(i: int, province: str, code: int = 11, nature: int | None = None) -> GraduateState:
    return GraduateState(
        graduate_id=i, student_id=str(i), name="n", department="D", major="M", category=None, class_name=None,
        degree="本科", gender=None, origin=None, groups=(), counsellor=None, code=code, province=province, unit_nature=nature,
    )


def test_guided_share_and_points() -> None:
    half = [employed(i, "河南") for i in range(5)] + [employed(i, "山东") for i in range(5, 10)]
    assert guided_indicator(half, REGION.get) == (5, 10, 0)  # exactly 50 %: nothing off
    grassroots = [employed(0, "山东", code=50), employed(1, "山东", nature=55)] + [employed(i, "山东") for i in range(2, 10)]
    assert guided_indicator(grassroots, REGION.get) == (2, 10, 15)  # 20 %: 30 points below, capped at 15
    near = [employed(i, "四川") for i in range(49)] + [employed(i, "山东") for i in range(49, 100)]
    assert guided_indicator(near, REGION.get) == (49, 100, 1)  # 49 %: one point off
    assert guided_indicator([employed(0, "山东", code=80)], REGION.get) == (0, 0, 0)  # no one employed
    assert guided_indicator(near, REGION.get, GuidedRule(minimum_percent=40)) == (49, 100, 0)


def test_points_setting_and_employer_list() -> None:
    from bot.kpi import parse_points

    assert parse_points("6-15=5,8-15=15,12-15=15") == {(6, 15): 5, (8, 15): 15, (12, 15): 15}
    assert parse_points("6-30=10; 12-1=20") == {(6, 30): 10, (12, 1): 20}
    listed = [employed(0, "山东"), employed(1, "山东")]
    rule = GuidedRule(employers=frozenset({"县人民医院"}))
    hospital = GraduateState(
        graduate_id=9, student_id="9", name="n", department="D", major="M", category=None, class_name=None,
        degree="本科", gender=None, origin=None, groups=(), counsellor=None, code=11, province="山东", employer="县人民医院",
    )
    assert guided_indicator([hospital, *listed], REGION.get, rule)[:2] == (1, 3)
