"""Targets, KPI scoring and warnings on hand-worked cases (domain.md "Targets, checkpoints and scoring")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.kpi import (
    DEFAULT_POINTS,
    DEFAULT_TARGETS,
    CardRule,
    KpiRow,
    Projection,
    Target,
    TargetFileError,
    UnitTotal,
    card_for,
    graduates_needed,
    kpi_table,
    parse_targets_csv,
    priority_group_check,
    project,
    score,
    target_for,
    targets_to_csv,
    unit_totals,
)
from bot.metrics import GraduateState

D = Decimal

# --- scoring -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placed", "total", "target", "full", "expected"),
    [
        (9400, 10000, "94", 15, 15),  # exactly at target: full marks, +0
        (188, 200, "94", 15, 15),  # exactly at target with a small cohort
        (9351, 10000, "94", 15, 14),  # 93.51 %: 0.49 points below → −1
        (187, 200, "94", 15, 14),  # 93.50 %: exactly 0.5 points below → −1
        (9350, 10000, "94", 15, 14),  # 93.50 %
        (9349, 10000, "94", 15, 13),  # 93.49 %: 0.51 below, a second half point started → −2
        (93, 100, "94", 15, 13),  # 1.0 below → −2
        (9299, 10000, "94", 15, 12),  # 1.01 below → −3
        (80, 100, "94", 15, 0),  # 14 points below costs 28 > 15: floor 0
        (50, 100, "80", 5, 0),
        (189, 200, "94", 15, 16),  # one graduate above the 188 needed → +1
        (9401, 10000, "94", 15, 16),
        (200, 200, "94", 15, 27),  # 12 above, uncapped
        (9500, 10000, "94", 15, 115),  # 100 above, uncapped
        (196, 200, "97.5", 15, 16),  # needed ceil(195) = 195; one above
        (194, 200, "97.5", 15, 14),  # 97.0 %: 0.5 below
        (2, 2, "95", 15, 15),  # 100 % but needed ceil(1.9) = 2: nobody beyond
        (0, 0, "94", 15, 15),  # no graduates: nothing to miss
    ],
)
def test_score_edges(placed: int, total: int, target: str, full: int, expected: int) -> None:
    assert score(placed, total, D(target), full) == expected


def test_score_uses_exact_rate_not_the_rounded_display() -> None:
    # 2/3 displays as 66.67 %, but is 66.666…%: just below a 66.67 target → −1
    assert score(2, 3, D("66.67"), 5) == 4
    assert score(2, 3, D("66.66"), 5) == 5  # above: needed ceil(1.9998) = 2, nobody beyond


@pytest.mark.parametrize(
    ("placed", "total", "target", "expected"),
    [
        (0, 200, "94", 188),
        (187, 200, "94", 1),
        (188, 200, "94", 0),  # exact boundary: 188/200 = 94 %
        (199, 200, "94", 0),  # floor 0
        (0, 200, "97.5", 195),
        (0, 3, "66.67", 3),  # 2/3 falls short of 66.67 %
        (0, 10, "80", 8),
        (5, 0, "94", 0),  # no graduates
    ],
)
def test_graduates_needed(placed: int, total: int, target: str, expected: int) -> None:
    assert graduates_needed(placed, total, D(target)) == expected


# --- targets and the targets file ---------------------------------------------------------------


def test_default_targets_are_domain_table_with_associate_as_bachelor() -> None:
    table = {(t.month, t.day, t.degree): t.target_percent for t in DEFAULT_TARGETS}
    assert len(DEFAULT_TARGETS) == 12
    assert table[(6, 15, "专科")] == table[(6, 15, "本科")] == D(80)
    assert (table[(8, 15, "本科")], table[(8, 15, "硕士")], table[(8, 15, "博士")]) == (D(90), D(94), D(95))
    assert (table[(12, 15, "专科")], table[(12, 15, "硕士")], table[(12, 15, "博士")]) == (
        D(94),
        D(97),
        D(98),
    )
    assert all(t.department is None for t in DEFAULT_TARGETS)
    assert DEFAULT_POINTS == {(6, 15): 5, (8, 15): 15, (12, 15): 15}
    assert Target(8, 15, "本科", D(90)).checkpoint(2025) == date(2025, 8, 15)


def test_parse_english_headers() -> None:
    data = (
        "checkpoint,degree,target,department\n"
        "06-15,bachelor,80,\n"
        "8-15,Master,94%,\n"
        "\n"
        "12-15,doctor,97.5,\n"
        "12/15,Associate,94 %,\n"
        "12-15,本科,92, 护理学院 \n"
    ).encode()
    assert parse_targets_csv(data) == [
        Target(6, 15, "本科", D("80")),
        Target(8, 15, "硕士", D("94")),
        Target(12, 15, "博士", D("97.5")),
        Target(12, 15, "专科", D("94")),
        Target(12, 15, "本科", D("92"), "护理学院"),
    ]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_parse_chinese_headers(encoding: str) -> None:
    data = "节点,学历,目标,院系\r\n6月15日,本科,80,\r\n12月15日,博士,98％,临床医学院\r\n".encode(encoding)
    assert parse_targets_csv(data) == [
        Target(6, 15, "本科", D(80)),
        Target(12, 15, "博士", D(98), "临床医学院"),
    ]


def test_parse_without_department_column_and_tab_separated() -> None:
    assert parse_targets_csv(b"checkpoint\tdegree\ttarget\n06-15\tmaster\t80\n") == [
        Target(6, 15, "硕士", D(80))
    ]


def test_parse_reports_every_problem_with_row_numbers() -> None:
    data = (
        "checkpoint,degree,target,department\n"  # row 1
        "13-01,本科,80,\n"  # 2: no such month
        "06-15,学士,80,\n"  # 3: unknown degree
        "06-15,本科,abc,\n"  # 4: not a number
        "06-15,本科,0.94,\n"  # 5: a fraction, not a percentage
        ",,,\n"  # 6: blank, skipped
        "06-15,本科,80,\n"  # 7: fine
        "6-15,bachelor,85,\n"  # 8: duplicate of row 7
        "02-29,硕士,101,\n"  # 9: two problems
        "06-15,本科,80,护理学院\n"  # 10: fine, an override is not a duplicate
        "6月15日,本科,81,护理学院\n"  # 11: duplicate of row 10
        "06-15,本科,80.125,药学院\n"  # 12: three decimals
    ).encode()
    with pytest.raises(TargetFileError) as caught:
        parse_targets_csv(data)
    problems = caught.value.problems
    assert [row for row, _ in problems] == [2, 3, 4, 5, 8, 9, 9, 11, 12]
    messages = dict(problems)
    assert "no such date" in messages[2]
    assert "degree" in messages[3] and "学士" in messages[3]
    assert "abc" in messages[4]
    assert "0.94" in messages[5]
    assert "duplicate of row 7" in messages[8]
    assert "duplicate of row 10" in messages[11]
    assert "two decimals" in messages[12]
    assert "row 8: " in str(caught.value)


def test_parse_header_problems() -> None:
    with pytest.raises(TargetFileError) as caught:
        parse_targets_csv("checkpoint,degree,departmnet\n06-15,本科,x\n".encode())
    assert caught.value.problems == [
        (1, "未知列 / unknown column 'departmnet'"),
        (1, "缺少列 / missing column 'target'"),
    ]
    with pytest.raises(TargetFileError) as caught:
        parse_targets_csv(b"")
    assert [row for row, _ in caught.value.problems] == [1]
    with pytest.raises(TargetFileError) as caught:
        parse_targets_csv(b"checkpoint,degree,target\n")
    assert caught.value.problems == [(2, "没有目标 / the file holds no targets")]


def test_targets_csv_round_trip() -> None:
    text = targets_to_csv(DEFAULT_TARGETS)
    assert text.splitlines()[:5] == [
        "checkpoint,degree,target",
        "06-15,专科,80",
        "06-15,本科,80",
        "06-15,硕士,80",
        "06-15,博士,80",
    ]
    assert parse_targets_csv(text.encode()) == list(DEFAULT_TARGETS)
    mixed = [Target(12, 15, "本科", D("97.50")), Target(12, 15, "本科", D("100"), "护理学院")]
    assert (
        targets_to_csv(mixed)
        == "checkpoint,degree,target,department\n12-15,本科,97.5,\n12-15,本科,100,护理学院\n"
    )
    assert parse_targets_csv(targets_to_csv(mixed).encode()) == mixed


def test_target_for_department_override_wins() -> None:
    targets = [
        Target(12, 15, "本科", D(92), "护理学院"),  # the override listed first or last makes no difference
        *DEFAULT_TARGETS,
        Target(12, 15, "硕士", D(99), "药学院"),
    ]
    assert target_for(targets, department="护理学院", degree="本科", month=12, day=15) == D(92)
    assert target_for(targets, department="临床医学院", degree="本科", month=12, day=15) == D(94)
    assert target_for(targets, department="护理学院", degree="本科", month=8, day=15) == D(90)
    assert target_for(targets, department="药学院", degree="硕士", month=12, day=15) == D(99)
    assert target_for(targets, department="护理学院", degree="未知", month=12, day=15) is None
    assert target_for(targets, department="护理学院", degree="本科", month=7, day=1) is None
    only_override = [Target(6, 15, "本科", D(85), "护理学院")]
    assert target_for(only_override, department="药学院", degree="本科", month=6, day=15) is None


# --- the KPI table ------------------------------------------------------------------------------

_next_id = iter(range(1, 10_000))


def graduates(department: str, degree: str | None, placed: int, total: int) -> list[GraduateState]:
    """`total` graduates, the first `placed` of them placed (alternating employed 10 and study 80)."""
    result = []
    for i in range(total):
        gid = next(_next_id)
        code = (10 if i % 2 == 0 else 80) if i < placed else (0 if i % 2 == 0 else 70)
        result.append(
            GraduateState(
                graduate_id=gid, student_id=f"{gid:05d}", name=f"g{gid}", department=department,
                major="M", category=None, class_name=None, degree=degree, gender=None, origin=None,
                groups=(), counsellor=None, code=code,
            )
        )  # fmt: skip
    return result


A, B = "临床医学院", "护理学院"
JUN, AUG, DEC = date(2025, 6, 15), date(2025, 8, 15), date(2025, 12, 15)


def cohort() -> dict[date, list[GraduateState]]:
    """A: 本科 10, 硕士 5, 博士 2; B: 本科 20, 硕士 4 (+1 without a degree in December)."""
    return {
        DEC: [
            *graduates(B, "本科", 18, 20), *graduates(B, "硕士", 3, 4), *graduates(B, None, 1, 1),
            *graduates(A, "本科", 10, 10), *graduates(A, "硕士", 5, 5), *graduates(A, "博士", 2, 2),
        ],
        JUN: [
            *graduates(A, "博士", 2, 2), *graduates(A, "硕士", 3, 5), *graduates(A, "本科", 8, 10),
            *graduates(B, "本科", 17, 20), *graduates(B, "硕士", 3, 4),
        ],
        AUG: [
            *graduates(A, "本科", 9, 10), *graduates(A, "硕士", 4, 5), *graduates(A, "博士", 2, 2),
            *graduates(B, "本科", 17, 20), *graduates(B, "硕士", 4, 4),
        ],
    }  # fmt: skip


TARGETS = [*DEFAULT_TARGETS, Target(12, 15, "本科", D(92), B)]


def test_kpi_table_hand_worked() -> None:
    rows = kpi_table(cohort(), TARGETS, cohort_year=2025)
    got = [
        (r.unit, r.checkpoint, r.degree, r.total, r.placed, r.rate, r.target, r.needed, r.score, r.full_marks)
        for r in rows
    ]
    assert got == [
        # 6-15, 80 % for all, 5 points
        (A, JUN, "本科", 10, 8, "80.00%", D(80), 0, 5, 5),  # exactly at target
        (A, JUN, "硕士", 5, 3, "60.00%", D(80), 1, 0, 5),  # 20 below: 40 half points > 5
        (A, JUN, "博士", 2, 2, "100.00%", D(80), 0, 5, 5),  # needed ceil(1.6) = 2: +0
        # 8-15, 90/94/95, 15 points
        (A, AUG, "本科", 10, 9, "90.00%", D(90), 0, 15, 15),
        (A, AUG, "硕士", 5, 4, "80.00%", D(94), 1, 0, 15),  # 14 below → −28, floor 0
        (A, AUG, "博士", 2, 2, "100.00%", D(95), 0, 15, 15),  # needed ceil(1.9) = 2: +0
        # 12-15, 94/97/98, 15 points
        (A, DEC, "本科", 10, 10, "100.00%", D(94), 0, 15, 15),  # needed ceil(9.4) = 10: +0
        (A, DEC, "硕士", 5, 5, "100.00%", D(97), 0, 15, 15),
        (A, DEC, "博士", 2, 2, "100.00%", D(98), 0, 15, 15),
        (B, JUN, "本科", 20, 17, "85.00%", D(80), 0, 6, 5),  # needed 16: one above → +1
        (B, JUN, "硕士", 4, 3, "75.00%", D(80), 1, 0, 5),  # 5 below → −10, floor 0
        (B, AUG, "本科", 20, 17, "85.00%", D(90), 1, 5, 15),  # 5 below → −10
        (B, AUG, "硕士", 4, 4, "100.00%", D(94), 0, 15, 15),  # needed ceil(3.76) = 4: +0
        (B, DEC, "本科", 20, 18, "90.00%", D(92), 1, 11, 15),  # B's override 92: 2 below → −4
        (B, DEC, "硕士", 4, 3, "75.00%", D(97), 1, 0, 15),
        (B, DEC, "未知", 1, 1, "100.00%", None, 0, None, 0),  # no degree: no target, no score
    ]
    # without B's override the general 94 applies: 4 below → −8
    plain = kpi_table(cohort(), DEFAULT_TARGETS, cohort_year=2025)
    dec_b = next(r for r in plain if (r.unit, r.checkpoint, r.degree) == (B, DEC, "本科"))
    assert (dec_b.target, dec_b.needed, dec_b.score) == (D(94), 1, 7)

    assert unit_totals(rows) == [
        UnitTotal(A, 5 + 0 + 5 + 15 + 0 + 15 + 15 + 15 + 15, 105, 1),  # 85
        UnitTotal(B, 6 + 0 + 5 + 15 + 11 + 0, 70, 2),  # 37
    ]


def test_kpi_table_other_units_years_and_points() -> None:
    states = cohort()
    # one unit for the whole school: departments differ, so B's override does not apply
    school = kpi_table({DEC: states[DEC]}, TARGETS, cohort_year=2025, unit_of=lambda s: "全校")
    assert [(r.degree, r.total, r.placed, r.target, r.needed, r.score) for r in school] == [
        ("本科", 30, 28, D(94), 1, 13),  # 93.33 %: 0.67 below → −2
        ("硕士", 9, 8, D(97), 1, 0),  # 88.89 %: 8.11 below → −17, floor 0
        ("博士", 2, 2, D(98), 0, 15),
        ("未知", 1, 1, None, 0, None),
    ]
    # a date of another year has no target; a checkpoint without points is not scored
    other = kpi_table({date(2024, 6, 15): states[JUN]}, TARGETS, cohort_year=2025)
    assert {(r.target, r.score, r.full_marks) for r in other} == {(None, None, 0)}
    unpointed = kpi_table({JUN: states[JUN]}, TARGETS, cohort_year=2025, points={(8, 15): 15})
    assert [(r.target, r.needed, r.score) for r in unpointed if r.unit == A] == [
        (D(80), 0, None),
        (D(80), 1, None),
        (D(80), 0, None),
    ]


def _row(unit: str, score: int | None, full: int) -> KpiRow:
    return KpiRow(unit, DEC, "本科", 10, 9, "90.00%", D(90) if score is not None else None, 0, score, full)


def test_unit_totals_ties_share_rank() -> None:
    rows = [
        _row("丙", 10, 15), _row("甲", 15, 15), _row("甲", 5, 5), _row("乙", 20, 15),
        _row("丁", 15, 15), _row("戊", None, 0), _row("丁", 0, 5),
    ]  # fmt: skip
    assert unit_totals(rows) == [
        UnitTotal("乙", 20, 15, 1),
        UnitTotal("甲", 20, 20, 1),
        UnitTotal("丁", 15, 20, 3),
        UnitTotal("丙", 10, 15, 4),
        UnitTotal("戊", 0, 0, None),  # nothing to score: no rank, last
    ]
    assert unit_totals([]) == []


def test_unit_totals_break_equal_scores_by_rate_and_rank_by_rate_before_any_checkpoint() -> None:
    def row(unit: str, placed: int, score: int | None, as_of: date | None = None) -> KpiRow:
        return KpiRow(
            unit,
            DEC,
            "本科",
            10,
            placed,
            f"{placed * 10}.00%",
            D(94),
            0,
            score,
            15 if score is not None else 0,
            as_of,
        )

    # all at 0 points: the better rate ranks first; equal rates share a rank
    totals = unit_totals([row("甲", 3, 0), row("乙", 5, 0), row("丙", 5, 0)])
    assert [(t.unit, t.rank, t.rates) for t in totals] == [
        ("丙", 1, ((DEC, "50.00%"),)), ("乙", 1, ((DEC, "50.00%"),)), ("甲", 3, ((DEC, "30.00%"),)),
    ]  # fmt: skip
    # before the checkpoint nothing is scored: ranked by the rate as of today, not all at 1
    early = date(2025, 9, 10)
    totals = unit_totals([row("甲", 3, None, early), row("乙", 5, None, early)])
    assert [(t.unit, t.rank, t.rates) for t in totals] == [
        ("乙", 1, ((early, "50.00%"),)),
        ("甲", 2, ((early, "30.00%"),)),
    ]
    # equal at the last checkpoint reached: today's rate at the next one decides
    aug = [KpiRow(u, AUG, "本科", 10, 2, "20.00%", D(90), 0, 0, 15) for u in ("甲", "乙")]
    dec = [row("甲", 3, None, early), row("乙", 6, None, early)]
    assert [(t.unit, t.rank) for t in unit_totals([*aug, *dec])] == [("乙", 1), ("甲", 2)]


def test_kpi_table_scores_a_checkpoint_only_once_reached() -> None:
    states = cohort()
    rows = kpi_table({DEC: states[AUG]}, TARGETS, cohort_year=2025, today=date(2025, 9, 10))
    assert rows and all(r.score is None and r.full_marks == 0 and r.as_of == date(2025, 9, 10) for r in rows)
    assert any(r.needed for r in rows)  # the target and the graduates needed are still shown


def test_priority_group_check() -> None:
    states = graduates(A, "本科", 3, 4)  # placed, placed, placed, unplaced
    groups = [("脱贫家庭",), ("脱贫家庭", "残疾"), ("残疾",), ("残疾",)]
    tagged = [replace(state, groups=g) for state, g in zip(states, groups, strict=True)]
    assert priority_group_check(tagged, D(94)) == [("残疾", 2, 3, False), ("脱贫家庭", 2, 2, True)]
    assert priority_group_check(tagged, D("66.66")) == [("残疾", 2, 3, True), ("脱贫家庭", 2, 2, True)]
    assert priority_group_check(tagged, D("66.67")) == [("残疾", 2, 3, False), ("脱贫家庭", 2, 2, True)]
    assert priority_group_check(states, D(94)) == []


# --- projection -------------------------------------------------------------------------------

WEEKLY = [
    (date(2025, 5, 1), 100),
    (date(2025, 5, 8), 110),
    (date(2025, 5, 15), 118),
    (date(2025, 5, 22), 126),
    (date(2025, 5, 29), 134),
    (date(2025, 6, 5), 140),
]


def test_projection_from_last_four_weeks() -> None:
    # window 05-08 (110) … 06-05 (140): 30 in 28 days = 7.5 a week; 10 days to 06-15 → 140 + 10.71 → 150
    kwargs = dict(total=200, checkpoint=JUN, today=date(2025, 6, 6))
    assert project(WEEKLY, target_percent=D(80), **kwargs) == Projection(
        D("7.50"), 2, 150, False
    )  # needs 160
    assert project(WEEKLY, target_percent=D(75), **kwargs) == Projection(D("7.50"), 2, 150, True)  # needs 150
    assert project(list(reversed(WEEKLY)), target_percent=D(75), **kwargs) == Projection(
        D("7.50"), 2, 150, True
    )
    # two weeks: 06-05 vs 05-22: 14 in 14 days = 7 a week → 150
    assert project(WEEKLY, target_percent=D(75), weeks=2, **kwargs) == Projection(D("7.00"), 2, 150, True)


def test_projection_edges() -> None:
    kwargs = dict(total=200, target_percent=D(80), checkpoint=JUN)
    assert project([], today=date(2025, 6, 1), **kwargs) is None
    assert project(WEEKLY[:1], today=date(2025, 6, 1), **kwargs) is None
    # only one sample in the window: the two latest give the pace, 40 in 35 days = 8 a week
    sparse = [(date(2025, 5, 1), 100), (date(2025, 6, 5), 140)]
    assert project(sparse, today=date(2025, 6, 5), **kwargs) == Projection(D("8.00"), 2, 151, False)
    # at the checkpoint and after: nothing left to gain; the projection is capped at the cohort
    assert project(WEEKLY, today=date(2025, 6, 15), **kwargs) == Projection(D("7.50"), 0, 150, False)
    assert project(
        WEEKLY, today=date(2025, 7, 1), total=200, target_percent=D(70), checkpoint=date(2025, 6, 1)
    ) == (Projection(D("7.50"), 0, 140, True))
    fast = [(date(2025, 5, 1), 100), (date(2025, 5, 8), 190)]
    assert project(fast, today=date(2025, 5, 8), **kwargs) == Projection(D("90.00"), 6, 200, True)


# --- red and yellow cards ---------------------------------------------------------------------


def test_cards_one_year() -> None:
    rule = CardRule()
    assert card_for([5999], rule) == "red"
    assert card_for([6000], rule) == "yellow"  # 60.00 % is not below 60 %
    assert card_for([6999], rule) == "yellow"
    assert card_for([7000], rule) is None
    assert card_for([4000, 9500], rule) is None  # only the latest cohort counts
    assert card_for([], rule) is None


def test_cards_two_years_running() -> None:
    rule = CardRule(yellow_below=D(70), red_below=D(60), years_running=2)
    assert card_for([5500, 5900], rule) == "red"
    assert card_for([8000, 5000, 5900], rule) == "red"  # the last two
    assert card_for([5900, 6100], rule) == "yellow"  # red only once; yellow both years
    assert card_for([7500, 5000], rule) is None  # low only in the latest year
    assert card_for([5000], rule) is None  # one year of data is not two years running
    three = CardRule(yellow_below=D("55.5"), red_below=D(50), years_running=3)
    assert card_for([4900, 4999, 4000], three) == "red"
    assert card_for([4900, 5549, 4000], three) == "yellow"
    assert card_for([4900, 5550, 4000], three) is None
