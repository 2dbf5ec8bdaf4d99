"""The group digest: aggregates only, `<5` for small figures, per-platform rendering within limits."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.metrics import GraduateState
from bot.targets import Gap
from jobs.channels.content import (
    GroupDigestInput,
    build_group_digest,
    fig,
    render_dingtalk,
    render_feishu,
    render_wecom,
)

TODAY = date(2026, 11, 25)


def graduate(i: int, major: str, *, code: int = 0, groups: tuple[str, ...] = (), substate: str | None = None) -> GraduateState:
    return GraduateState(
        graduate_id=i,
        student_id=f"20230{i:05d}",
        name=f"学生{i:03d}号",
        department="护理学院",
        major=major,
        category=None,
        class_name=f"{major}2301班",
        degree="专科",
        gender="女",
        origin="山东",
        groups=groups,
        counsellor="王老师",
        code=code,
        substate=substate,
        last_update=TODAY - timedelta(days=20) if code == 0 else TODAY,
    )


def cohort() -> list[GraduateState]:
    # 护理: 12 graduates, 9 placed; 助产: 3 graduates (a sub-unit under 5); 2 priority-group members.
    nursing = [graduate(i, "护理", code=10 if i < 9 else 0, groups=("困难家庭",) if i in (1, 10) else ()) for i in range(12)]
    midwifery = [graduate(100 + i, "助产", code=0, substate="求职中") for i in range(3)]
    return nursing + midwifery


def text_of(messages: list[dict[str, object]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def test_small_figures_are_hidden_and_no_person_or_group_appears() -> None:
    states = cohort()
    week_ago = [graduate(s.graduate_id, s.major) for s in states]  # nobody placed a week ago
    digest = build_group_digest(
        GroupDigestInput("zh", "护理学院", "department", 2023, TODAY, states, week_ago, gap=Gap(date(2026, 12, 15), "94%", 3))
    )
    lines = "\n".join(digest.plain_lines())
    assert "毕业去向落实率：60.00%" in lines  # 9 of 15
    assert "已落实 9/15" in lines and "未落实 6" in lines
    assert "较上周：+60.00 个百分点" in lines
    assert "还差 <5 人" in lines  # a figure about 3 graduates
    # 9/15 in all less 9/12 in 护理 would be 助产's 0 of 3: 护理 is withheld with it
    assert "护理：—" in lines and "护理 75.00%" not in lines
    assert "助产：<5 人" in lines and "助产 " not in lines  # no rate for 3 graduates
    assert "求职中 <5" in lines  # 3 in that sub-state
    assert "超过 14 天未更新的未落实毕业生：6 人" in lines
    for rendered in (render_wecom(digest), render_dingtalk(digest), render_feishu(digest)):
        body = text_of(rendered)
        for state in states:
            assert state.name not in body and state.student_id not in body
        assert "困难家庭" not in body and "重点群体" not in body
        for n in range(1, 5):  # no count of 1–4 anywhere: every small figure is "<5"
            assert f" {n} 人" not in body and f"（{n}/" not in body and f"/{n}）" not in body


def test_a_scope_under_five_graduates_shows_no_figures_and_no_chart() -> None:
    states = cohort()[12:]  # the 3 midwifery graduates
    digest = build_group_digest(GroupDigestInput("zh", "助产", "major", 2023, TODAY, states, states))
    lines = "\n".join(digest.plain_lines())
    assert "不足 5 人" in lines and "%" not in lines and not digest.chart_allowed
    assert fig(0) == "0" and fig(4) == "<5" and fig(5) == "5"


def test_wecom_splits_long_digests_and_adds_the_chart() -> None:
    states = [graduate(i, f"专业{i // 5:03d}", code=10 if i % 2 else 0) for i in range(5 * 300)]
    digest = build_group_digest(GroupDigestInput("zh", "全校", "department", 2023, TODAY, states, states))
    digest = type(digest)(digest.title, digest.sections, digest.chart_allowed, b"\x89PNG fake")
    messages = render_wecom(digest)
    markdown = [m for m in messages if m["msgtype"] == "markdown"]
    assert len(markdown) > 1 and all(len(m["markdown"]["content"].encode()) <= 4096 for m in markdown)  # type: ignore[index]
    assert messages[-1]["msgtype"] == "image"
    joined = "\n".join(m["markdown"]["content"] for m in markdown)  # type: ignore[index]
    assert joined.count("> 专业") == 300  # every sub-unit present once
    for rendered in (render_dingtalk(digest), render_feishu(digest)):
        assert len(rendered) > 1
        assert all(len(json.dumps(m, ensure_ascii=False).encode()) <= 20 * 1024 for m in rendered)


def test_english_digest() -> None:
    digest = build_group_digest(GroupDigestInput("en", "Nursing", "department", 2023, TODAY, cohort(), cohort()))
    lines = "\n".join(digest.plain_lines())
    assert "Placement rate (毕业去向落实率): 60.00%" in lines and "Since last week: ±0.00 pts" in lines


def test_unit_lines_withhold_the_smallest_shown_unit_beside_a_single_hidden_one() -> None:
    """Complementary suppression (bot/disclosure.py): 助产 (3) is <5, so 药学 (6, the smallest shown
    unit) is withheld too; 护理 (12) stays — the total less 护理 is a figure about 9 graduates."""
    pharmacy = [graduate(200 + i, "药学", code=10 if i < 2 else 0) for i in range(6)]
    states = cohort() + pharmacy
    digest = build_group_digest(GroupDigestInput("zh", "护理学院", "department", 2023, TODAY, states, states))
    lines = "\n".join(digest.plain_lines())
    assert "已落实 11/21" in lines
    assert "护理 75.00%（9/12）" in lines
    assert "药学：—" in lines and "药学 " not in lines and "助产：<5 人" in lines
