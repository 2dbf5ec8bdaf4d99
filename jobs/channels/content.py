"""A scope's digest for a group robot: built once, rendered per platform. Pure.

Group rules (product.md §2): aggregates only — no names, no 学号, nothing about priority groups
(群体) — and no figure about fewer than 5 graduates: such a count is shown as `<5`, and a rate or a
weekly change is shown only when it is taken over at least 5 graduates.

Content: rate and counts, change since last week, the next checkpoint's gap by the cohort's own
targets (when it has any), a table of sub-units, unplaced by sub-state, the number of stale records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.disclosure import HIDDEN, MIN_GROUP_FIGURE, WITHHELD, Audience, hides, shown, withheld
from bot.metrics import GraduateState, PlacementCounts, breakdown, format_change, group_values, tally
from bot.targets import Gap
from bot.texts import counts_line, dimension_label
from jobs.channels import platforms
from jobs.digest import is_stale

MIN_GROUP = MIN_GROUP_FIGURE  # bot/disclosure.py: the one group rule
SMALL = HIDDEN

# The sub-units listed under a scope (never priority groups).
SUB_DIMENSION = {"all": "department", "department": "major", "category": "major", "major": "class_name"}


def fig(n: int) -> str:
    """A count for a group message: 1–4 become `<5`."""
    return shown(Audience.GROUP, n)


def rate_of(counts: PlacementCounts) -> str | None:
    """The placement rate, or None when it would be about fewer than 5 graduates."""
    return None if hides(Audience.GROUP, counts.total) or not counts.total else counts.placement_rate


@dataclass(frozen=True)
class GroupDigestInput:
    lang: str
    scope_label: str
    scope_dimension: str  # Scope.dimension ("all" for the whole school)
    cohort: int
    today: date
    now: Sequence[GraduateState]
    week_ago: Sequence[GraduateState]
    gap: Gap | None = None  # from the cohort's own targets only
    stale_days: int = 14


@dataclass(frozen=True)
class Section:
    heading: str | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class GroupDigest:
    """Aggregates only; every figure already obeys the group rules."""

    title: str
    sections: tuple[Section, ...]
    chart_allowed: bool  # the scope has at least 5 graduates
    chart: bytes | None = field(default=None, compare=False)

    def plain_lines(self) -> list[str]:
        lines = [self.title]
        for section in self.sections:
            lines.append("")
            if section.heading:
                lines.append(section.heading)
            lines += section.lines
        return lines


def build_group_digest(inp: GroupDigestInput) -> GroupDigest:
    en = inp.lang == "en"
    day = inp.today.isoformat()
    title = (
        f"Weekly placement digest (毕业去向周报) · {inp.scope_label} · cohort {inp.cohort} · {day}"
        if en
        else f"毕业去向周报 · {inp.scope_label} · {inp.cohort}届 · {day}"
    )
    counts = tally(inp.now)
    if counts.total == 0:
        return GroupDigest(title, (Section(None, ("No graduates in this scope." if en else "该范围内没有毕业生。",)),), False)
    before = tally(inp.week_ago)
    sections = [Section(None, tuple(_headline(inp, counts, before, en)))]
    if counts.total >= MIN_GROUP:
        units = _unit_lines(inp, en)
        if units:
            dim = dimension_label(inp.lang, SUB_DIMENSION[inp.scope_dimension])
            sections.append(Section(f"By {dim}" if en else f"按{dim}", tuple(units)))
        substates = sorted(counts.by_substate.items(), key=lambda item: (-item[1], item[0]))
        if substates:
            sections.append(
                Section("Unplaced by status" if en else "未落实分布", tuple(f"{label} {fig(n)}" for label, n in substates))
            )
        stale = sum(1 for state in inp.now if is_stale(state, inp.today, inp.stale_days))
        sections.append(
            Section(
                None,
                (
                    f"Unplaced with no update for ≥ {inp.stale_days} days: {fig(stale)}"
                    if en
                    else f"超过 {inp.stale_days} 天未更新的未落实毕业生：{fig(stale)} 人",
                ),
            )
        )
    return GroupDigest(title, tuple(sections), chart_allowed=counts.total >= MIN_GROUP)


def _headline(inp: GroupDigestInput, counts: PlacementCounts, before: PlacementCounts, en: bool) -> list[str]:
    rate = rate_of(counts)
    if rate is None:
        return [
            f"Fewer than {MIN_GROUP} graduates in this scope: figures are not shown in groups."
            if en
            else f"该范围毕业生不足 {MIN_GROUP} 人，群消息中不显示数据。"
        ]
    lines = [
        f"Placement rate (毕业去向落实率): {rate}" if en else f"毕业去向落实率：{rate}",
        counts_line("en" if en else "zh", counts, Audience.GROUP),
    ]
    if before.total >= MIN_GROUP:
        change = format_change(before.placement_hundredths, counts.placement_hundredths)
        lines.append(
            f"Since last week: {change} pts (was {before.placement_rate})"
            if en
            else f"较上周：{change} 个百分点（上周 {before.placement_rate}）"
        )
    if inp.gap is not None:
        gap = inp.gap
        when = f"{gap.checkpoint.month}-{gap.checkpoint.day:02d}"
        if en:
            line = f"Next checkpoint {when} (target {gap.target_text}): " + (
                "reached" if gap.needed == 0 else f"{fig(gap.needed)} more graduates needed"
            )
        else:
            line = f"下一节点 {when}（目标 {gap.target_text}）：" + ("已达到" if gap.needed == 0 else f"还差 {fig(gap.needed)} 人")
        lines.append(line)
    return lines


def _unit_lines(inp: GroupDigestInput, en: bool) -> list[str]:
    dimension = SUB_DIMENSION.get(inp.scope_dimension)
    if dimension is None:
        return []
    week_ago = {state.graduate_id: state for state in inp.week_ago}
    members: dict[str, list[int]] = {}
    for state in inp.now:
        for value in group_values(state, dimension):
            members.setdefault(value, []).append(state.graduate_id)
    lines = []
    rows = breakdown(inp.now, dimension)
    held = withheld(Audience.GROUP, [row.counts.total for row in rows])  # beside the scope's total
    for i, row in enumerate(rows):
        c = row.counts
        if c.total < MIN_GROUP:
            lines.append(f"{row.unit}: {SMALL} graduates" if en else f"{row.unit}：{SMALL} 人")
            continue
        if i in held:
            lines.append(f"{row.unit}: {WITHHELD}" if en else f"{row.unit}：{WITHHELD}")
            continue
        then = tally(week_ago[gid] for gid in members[row.unit] if gid in week_ago)
        change = format_change(then.placement_hundredths, c.placement_hundredths) if then.total >= MIN_GROUP else "—"
        lines.append(f"{row.unit} {c.placement_rate}（{fig(c.placed)}/{c.total}）{change}")
    return lines if len(lines) > 1 else []


# ---------------------------------------------------------------- per platform


def render_wecom(digest: GroupDigest) -> list[dict[str, object]]:
    """WeCom: markdown messages of at most 4,096 bytes, then the trend chart as an image."""
    lines = [f"### {digest.title}"]
    for section in digest.sections:
        lines.append("")
        if section.heading:
            lines.append(f"**{section.heading}**")
        lines += [f"> {line}" for line in section.lines]
    messages = [platforms.wecom_markdown(part) for part in platforms.split_bytes("\n".join(lines))]
    if digest.chart is not None and len(digest.chart) <= platforms.IMAGE_LIMIT_BYTES:
        messages.append(platforms.wecom_image(digest.chart))
    return messages


def render_dingtalk(digest: GroupDigest) -> list[dict[str, object]]:
    """DingTalk: markdown messages (title + text); a blank line between lines, as its renderer wants."""
    lines = [f"#### {digest.title}"]
    for section in digest.sections:
        if section.heading:
            lines.append(f"**{section.heading}**")
        lines += [f"- {line}" for line in section.lines]
    parts = platforms.split_bytes("\n".join(lines))
    return [platforms.dingtalk_markdown(digest.title[:64], part.replace("\n", "\n\n")) for part in parts]


def render_feishu(digest: GroupDigest) -> list[dict[str, object]]:
    """Feishu: post messages, one paragraph per line."""
    lines: list[str] = []
    for section in digest.sections:
        if section.heading:
            lines.append(f"【{section.heading}】")
        lines += list(section.lines)
    return [platforms.feishu_post(digest.title, part.split("\n")) for part in platforms.split_bytes("\n".join(lines))]


RENDERERS = {"wecom": render_wecom, "dingtalk": render_dingtalk, "feishu": render_feishu}


def render(kind: str, digest: GroupDigest) -> list[dict[str, object]]:
    return RENDERERS[kind](digest)


def wecom_markdown_text(digest: GroupDigest) -> str:
    """The WeCom markdown of a digest as one text (the demo writes it to a file)."""
    return "\n\n".join(str(m["markdown"]["content"]) for m in render_wecom(digest) if m["msgtype"] == "markdown")  # type: ignore[index]
