"""Rates from integer counts, rounded half up to two decimals (domain.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.metrics import GraduateState, breakdown, format_change, format_percent, hundredths_of_percent, tally


def state(i: int, code: int, **kw: object) -> GraduateState:
    base = dict(
        graduate_id=i, student_id=f"{i:04d}", name=f"n{i}", department=kw.pop("department", "D"), major="M",
        category=None, class_name=None, degree=None, gender=None, origin=None, groups=(), counsellor=None,
    )
    return GraduateState(**base, code=code, **kw)  # type: ignore[arg-type]


def test_half_up_not_bankers() -> None:
    assert format_percent(72825, 100000) == "72.83%"  # banker's rounding would give 72.82
    assert format_percent(1, 8) == "12.50%"
    assert format_percent(1, 3) == "33.33%"
    assert format_percent(2, 3) == "66.67%"
    assert format_percent(4920, 5809) == "84.70%"  # domain.md's published table
    assert format_percent(0, 0) == "—"
    assert format_percent(5, 5) == "100.00%"


@pytest.mark.parametrize("total", [1, 7, 9, 199, 5809, 20000])
def test_every_fraction_matches_exact_arithmetic(total: int) -> None:
    for placed in range(0, total + 1, max(1, total // 97)):
        exact = Fraction(placed * 100, total)
        expected = int(exact * 100 + Fraction(1, 2))  # half up on exact rational
        assert hundredths_of_percent(placed, total) == expected


def test_change_formatting() -> None:
    assert format_change(7111, 7333) == "+2.22"
    assert format_change(7333, 7111) == "-2.22"
    assert format_change(5000, 5000) == "±0.00"


def test_tally_buckets_and_secondary_rates() -> None:
    states = [
        state(1, 10), state(2, 11, related=True), state(3, 12, related=False), state(4, 76),
        state(5, 80), state(6, 85), state(7, 70, substate="求职中"), state(8, 71), state(9, 72, substate="拟出国出境"),
        state(10, 0),
    ]
    c = tally(states)
    assert (c.total, c.employed, c.study, c.unplaced, c.unreported) == (10, 4, 2, 4, 1)
    assert c.placement_rate == "60.00%"
    assert c.signing_rate == "20.00%"
    assert c.flexible_rate == "20.00%"
    assert c.relevance_rate == "50.00%"
    assert c.knowledge_rate == "90.00%"
    assert c.by_substate == {"求职中": 1, "不就业拟升学": 1, "拟出国出境": 1, "未上报": 1}


def test_breakdown_sorted_by_rate() -> None:
    states = [state(1, 11, department="A"), state(2, 0, department="A"), state(3, 11, department="B")]
    rows = breakdown(states, "department")
    assert [(r.unit, r.counts.placement_rate) for r in rows] == [("B", "100.00%"), ("A", "50.00%")]


def test_placed_over_time_matches_as_of_rule() -> None:
    import random
    from datetime import date, timedelta

    from bot.metrics import placed_over_time

    rng = random.Random(5)
    start = date(2023, 1, 1)
    entries = []
    for graduate in range(200):
        for _ in range(rng.randint(0, 4)):
            entries.append((graduate, start + timedelta(days=rng.randint(0, 300)), rng.choice([0, 70, 71, 11, 12, 80, 46])))
    entries.sort(key=lambda e: (e[0], e[1]))  # stable: recording order kept within a day
    members = set(range(0, 200, 3))
    days = [start + timedelta(days=d) for d in range(0, 330, 7)]

    def brute(day: date) -> int:
        latest: dict[int, int] = {}
        for graduate, effective, code in entries:
            if effective <= day:
                latest[graduate] = code
        return sum(1 for g, code in latest.items() if g in members and code in (11, 12, 80, 46))

    assert placed_over_time(entries, members, days) == [brute(day) for day in days]
