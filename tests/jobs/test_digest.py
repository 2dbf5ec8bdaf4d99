"""jobs.digest: weekly digest texts for heads, admins and counsellors (product.md §6)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bot.metrics import GraduateState, PlacementCounts
from bot.targets import DEFAULT_TARGETS, gap_at
from jobs.digest import Digest, DigestInput, build_digest

TODAY = date(2023, 8, 7)  # next checkpoint: 8-15, target 90 %
GROUP_NAMES = ("困难家庭", "残疾", "少数民族")


def grad(
    gid: int,
    *,
    major: str = "护理",
    department: str = "护理学院",
    class_name: str | None = "护理2301班",
    code: int = 0,
    substate: str | None = None,
    groups: tuple[str, ...] = (),
    counsellor: str | None = "王老师",
    last_update: date | None = TODAY,
    name: str | None = None,
    note: str | None = None,
) -> GraduateState:
    return GraduateState(
        graduate_id=gid,
        student_id=f"2023{gid:06d}",
        name=name or f"张{gid}芳",
        department=department,
        major=major,
        category=None,
        class_name=class_name,
        degree="本科",
        gender=None,
        origin=None,
        groups=groups,
        counsellor=counsellor,
        code=code,
        substate=substate,
        last_update=last_update,
        note=note,
    )


def text_of(digest: Digest) -> str:
    return "\n".join(digest.parts)


def half_up_percent(numerator: int, denominator: int) -> str:
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"{value}%"


def head_fixture() -> tuple[list[GraduateState], list[GraduateState]]:
    """3 majors, 7 placed of 11 now; 5 placed of 11 a week ago."""
    stale = TODAY - timedelta(days=20)
    now = [
        # 护理: 4 graduates, 3 placed now (1 a week ago)
        grad(1, major="护理", code=11),
        grad(2, major="护理", code=80),
        grad(3, major="护理", code=10, groups=("困难家庭",)),
        grad(4, major="护理", code=70, substate="求职中", groups=("困难家庭",), last_update=stale),
        # 药学: 4 graduates, 3 placed (unchanged)
        grad(5, major="药学", class_name="药学2301班", code=11, counsellor="李老师"),
        grad(6, major="药学", class_name="药学2301班", code=12, counsellor="李老师"),
        grad(7, major="药学", class_name="药学2301班", code=85, counsellor="李老师"),
        grad(8, major="药学", class_name="药学2301班", code=0, counsellor="李老师", last_update=None),
        # 康复: 3 graduates, 1 placed (1 a week ago), one in a group
        grad(9, major="康复", class_name="康复2301班", code=76, counsellor="赵老师"),
        grad(10, major="康复", class_name="康复2301班", code=70, substate="面试中", groups=("残疾",)),
        grad(11, major="康复", class_name="康复2301班", code=71, last_update=stale, counsellor="赵老师"),
    ]
    week_ago = [replace(s, code=70, substate="求职中") if s.graduate_id in (2, 3) else s for s in now]
    return now, week_ago


def head_input(**overrides: object) -> DigestInput:
    now, week_ago = head_fixture()
    params: dict[str, object] = dict(
        role="head",
        lang="zh",
        scope_label="护理学院",
        cohort=2023,
        today=TODAY,
        now=now,
        week_ago=week_ago,
        peers=[
            ("临床医学院", PlacementCounts(total=10, employed=9)),  # 90 %
            ("护理学院", PlacementCounts(total=11, employed=7)),
            ("药学院", PlacementCounts(total=10, employed=7)),  # 70 % > 63.64 %
            ("公共卫生学院", PlacementCounts(total=10, employed=5)),  # 50 %
        ],
        sub_dimension="major",
        counsellors_in_scope=frozenset({"王老师", "李老师", "赵老师"}),
        counsellors_active_this_week=frozenset({"王老师", "李老师"}),
        gap=gap_at(DEFAULT_TARGETS, 2023, now, TODAY),  # the cohort's own (default) targets
    )
    params.update(overrides)
    return DigestInput(**params)  # type: ignore[arg-type]


def test_head_digest_rate_change_rank_and_gap() -> None:
    digest = build_digest(head_input())
    text = text_of(digest)
    assert not digest.all_placed
    assert len(digest.parts) == 1
    header = text.splitlines()[0]
    assert "护理学院" in header and "2023届" in header and "2023-08-07" in header and "%" not in header
    first_percent = re.search(r"\d+\.\d\d%", text)
    assert first_percent is not None and first_percent.group(0) == half_up_percent(7, 11) == "63.64%"
    assert "已落实 7/11 · 就业 5 · 升学 2 · 未落实 4" in text
    # a week ago 5/11 = 45.45 %: +18.19 points
    assert "较上周：+18.19 个百分点（上周 45.45%）" in text
    assert "院系排名 3/4" in text
    # 8-15 target 90 %: ceil(11 × 0.9) = 10 → 3 more
    assert "下一节点 8-15（目标 90%）：还差 3 人" in text


def test_head_digest_table_substates_groups_stale_and_counsellors() -> None:
    text = text_of(build_digest(head_input()))
    lines = text.splitlines()
    # sub-unit table, sorted by rate: 护理 75 %, 药学 75 %, 康复 33.33 %
    assert "1. 护理 75.00% (3/4) +50.00" in lines
    assert "2. 药学 75.00% (3/4) ±0.00" in lines
    assert "3. 康复 33.33% (1/3) ±0.00" in lines
    assert (
        "  求职中 1" in lines
        and "  面试中 1" in lines
        and "  未上报 1" in lines
        and "  不就业拟升学 1" in lines
    )
    assert "  困难家庭 1/2 50.00%" in lines
    assert "  残疾 0/1 0.00%" in lines
    # stale: #4 and #11 (20 days), #8 (no update); placed ones never count
    assert "超过 14 天未更新的未落实毕业生：3 人" in lines
    assert "本周未更新的辅导员（1 人）：" in lines and "  赵老师" in lines
    # no graduate names or student IDs in a head's digest
    assert "张" not in text and "2023000004" not in text


def test_admin_digest_with_peers_and_departments() -> None:
    now, week_ago = head_fixture()
    other = [grad(100 + i, department="药学院", major="药学", code=11 if i < 3 else 70) for i in range(4)]
    digest = build_digest(
        DigestInput(
            role="admin",
            lang="zh",
            scope_label="全校",
            cohort=2023,
            today=TODAY,
            now=now + other,
            week_ago=week_ago + other,
            peers=[
                ("兄弟院校甲", PlacementCounts(total=100, employed=80)),
                ("兄弟院校乙", PlacementCounts(total=100, employed=50)),
            ],
            sub_dimension="department",
        )
    )
    text = text_of(digest)
    assert re.search(r"\d+\.\d\d%", text).group(0) == half_up_percent(10, 15)  # type: ignore[union-attr]
    assert "排名 2/3" in text
    assert "按院系：" in text
    assert "1. 药学院 75.00% (3/4) ±0.00" in text
    assert "2. 护理学院 63.64% (7/11) +18.19" in text
    assert "辅导员" not in text  # no counsellors given → no counsellor line


def test_no_rank_line_without_peers() -> None:
    text = text_of(build_digest(head_input(peers=())))
    assert "排名" not in text


def counsellor_fixture(n: int = 300) -> list[GraduateState]:
    states = []
    for i in range(n):
        groups = (GROUP_NAMES[i % 3],) if i % 7 == 0 else ()
        states.append(
            grad(
                i + 1,
                class_name=f"护理23{i % 4 + 1:02d}班",
                code=70,
                substate=("求职中", "面试中", "拟参加公招考试")[i % 3],
                groups=groups,
                last_update=None if i % 5 == 0 else TODAY - timedelta(days=i % 30),
                name=f"李{'小' * (i % 3)}明{i}",
                note="下周面试，需跟进简历修改" if i % 2 else None,
            )
        )
    placed = [grad(1000 + i, class_name="护理2301班", code=11) for i in range(20)]
    return states + placed


def counsellor_input(**overrides: object) -> DigestInput:
    now = counsellor_fixture()
    params: dict[str, object] = dict(
        role="counsellor",
        lang="zh",
        scope_label="王老师",
        cohort=2023,
        today=TODAY,
        now=now,
        week_ago=now,
        sub_dimension="class_name",
    )
    params.update(overrides)
    return DigestInput(**params)  # type: ignore[arg-type]


def test_counsellor_digest_lists_every_unplaced_once_across_parts() -> None:
    digest = build_digest(counsellor_input())
    assert len(digest.parts) > 1
    assert all(0 < len(part) <= 4096 for part in digest.parts)
    text = text_of(digest)
    unplaced = [s for s in counsellor_fixture() if not s.placed]
    for state in unplaced:
        assert sum(part.count(state.student_id) for part in digest.parts) == 1, state.student_id
    for state in counsellor_fixture():
        if state.placed:
            assert state.student_id not in text
    # ★ exactly on priority-group members, and no group is ever named
    for line in text.splitlines():
        match = re.search(r"2023\d{6}", line)
        if match:
            gid = int(match.group(0)[4:])
            member = (gid - 1) % 7 == 0
            assert line.startswith("★ ") == member, line
    for group in GROUP_NAMES:
        assert group not in text
    assert "重点群体" not in text
    assert text.splitlines()[1] == f"毕业去向落实率：{half_up_percent(20, 320)}"
    assert "按班级：" in text and "护理2301班" in text


def test_counsellor_line_details_and_stale_nudge() -> None:
    digest = build_digest(counsellor_input())
    lines = text_of(digest).splitlines()
    # graduate 1: i=0 → no update, group member; graduate 2: i=1 → 1 day, note
    assert "★ 李明0 2023000001 · 求职中 · 无记录" in lines
    assert "李小明1 2023000002 · 面试中 · 1 天 · 下周面试，需跟进简历修改" in lines
    stale = sum(1 for i in range(300) if i % 5 == 0 or i % 30 >= 14)
    assert f"有 {stale} 名毕业生超过 14 天未更新，请尽快跟进。" in lines


def test_masked_mode_hides_names_and_ids() -> None:
    digest = build_digest(counsellor_input(masked=True))
    text = text_of(digest)
    assert all(len(part) <= 4096 for part in digest.parts)
    for state in counsellor_fixture():
        assert state.student_id not in text
        if not state.placed:
            assert state.name not in text
    assert "★ 李*0 …0001 · 求职中 · 无记录" in text.splitlines()
    assert "李**1 …0002 · 面试中 · 1 天 · 下周面试，需跟进简历修改" in text.splitlines()


def test_all_placed() -> None:
    now = [grad(i, code=11) for i in range(1, 6)]
    week_ago = [replace(s, code=70) if s.graduate_id == 5 else s for s in now]
    for role in ("head", "counsellor"):
        digest = build_digest(
            DigestInput(
                role=role,
                lang="zh",
                scope_label="护理学院",
                cohort=2023,
                today=TODAY,
                now=now,
                week_ago=week_ago,
            )
        )
        assert digest.all_placed
        text = text_of(digest)
        assert "全部已落实 🎉" in text
        assert "毕业去向落实率：100.00%" in text and "+20.00" in text
    en = build_digest(
        DigestInput(
            role="head", lang="en", scope_label="Nursing", cohort=2023, today=TODAY, now=now, week_ago=now
        )
    )
    assert "All placed" in text_of(en) and en.all_placed


def test_empty_scope() -> None:
    digest = build_digest(
        DigestInput(
            role="head", lang="zh", scope_label="护理学院", cohort=2023, today=TODAY, now=[], week_ago=[]
        )
    )
    assert not digest.all_placed and len(digest.parts) == 1
    assert "没有毕业生" in digest.parts[0]
    en = build_digest(
        DigestInput(
            role="counsellor", lang="en", scope_label="Wang", cohort=2023, today=TODAY, now=[], week_ago=[]
        )
    )
    assert "No graduates" in en.parts[0]


def test_english_variant_has_same_numbers() -> None:
    zh = text_of(build_digest(head_input()))
    en = text_of(build_digest(head_input(lang="en")))
    assert re.findall(r"[+\-±]?\d+\.\d\d%?", zh) == re.findall(r"[+\-±]?\d+\.\d\d%?", en)
    assert "Placement rate (毕业去向落实率): 63.64%" in en
    assert "Since last week: +18.19 pts (was 45.45%)" in en
    assert "Rank among departments: 3/4" in en
    assert "Next checkpoint 8-15 (target 90%): 3 more graduates needed" in en
    assert "By major:" in en
    assert "Counsellors with no update this week (1):" in en
    assert "每周" not in en and "较上周" not in en and "院系排名" not in en and "人" not in en
    cz = text_of(build_digest(counsellor_input(lang="en")))
    assert "★ 李明0 2023000001 · Job hunting · no record" in cz.splitlines()  # statuses in English (issue 20)
    assert "求职中" not in cz and "未上报" not in en and "求职中" not in en
    assert "graduate(s) have had no update for over 14 days" in cz


def test_unknown_role_rejected() -> None:
    with pytest.raises(ValueError):
        build_digest(head_input(role="student"))
