"""One recipient's weekly digest as Telegram message texts (product.md §6, issue 3).

Pure: takes the recipient's graduates as of today and as of the same day last week (plain
`GraduateState` values) and returns the texts to send, already split at Telegram's 4,096-character
limit. No Telegram, no database.

- head / admin: rate and counts, weekly change, rank among peers, next checkpoint gap, a table of
  sub-units with weekly change, unplaced by sub-state, priority groups' rates (counts only), the
  number of stale unplaced records (no names), counsellors who sent nothing this week.
- counsellor: rate, their unplaced graduates (★ marks priority-group members without naming the
  group), their classes' rates, a nudge for stale records.

"Stale" means an unplaced graduate whose last update is missing or at least `stale_days` old;
placed graduates are never stale (there is nothing to chase).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.kpi import Card
from bot.metrics import (
    GraduateState,
    PlacementCounts,
    breakdown,
    format_change,
    group_values,
    tally,
    unplaced_label,
)
from bot.recorded import RecordedWeek
from bot.targets import Gap
from bot.texts import (
    Privacy,
    counts_line,
    dimension_label,
    gap_line,
    recorded_line,
    split_message,
    status_label,
)

ROLES = frozenset({"admin", "head", "counsellor"})
NOTE_LIMIT = 120  # characters of a graduate's note shown in the counsellor's list


@dataclass(frozen=True)
class DigestInput:
    role: str  # "admin" | "head" | "counsellor"
    lang: str  # "zh" | "en"
    scope_label: str  # e.g. "护理学院", "全校", "王老师"
    cohort: int
    today: date
    now: Sequence[GraduateState]  # the recipient's graduates as of today
    week_ago: Sequence[GraduateState]  # the same graduates as of today - 7 days
    peers: Sequence[tuple[str, PlacementCounts]] = ()  # peer units for the rank; empty → no rank line
    sub_dimension: str = "major"  # "department" (admin), "major" (head), "class_name" (counsellor)
    counsellors_in_scope: frozenset[str] = frozenset()
    counsellors_active_this_week: frozenset[str] = frozenset()  # sent ≥ 1 update in the last 7 days
    masked: bool = False  # PII_IN_CHAT=masked: names 张*芳, IDs …0123
    names: frozenset[str] = frozenset()  # the cohort's roster names, masked inside notes when `masked`
    stale_days: int = 14
    gap: Gap | None = None  # the next checkpoint by the cohort's targets; None → the default table
    cards: Mapping[str, Card] = field(default_factory=dict)  # major → 红牌/黄牌 with its rate and day (heads, admins)
    notices: Sequence[str] = ()  # lines under the header, e.g. failing group robots (admins)
    recorded: RecordedWeek | None = None  # this week by recording time, beside the change by date


@dataclass(frozen=True)
class Digest:
    parts: list[str]  # each ≤ 4,096 characters, at least one
    all_placed: bool


def build_digest(inp: DigestInput) -> Digest:
    """The recipient's digest, split into Telegram-sized parts."""
    if inp.role not in ROLES:
        raise ValueError(f"unknown role {inp.role!r}")
    en = inp.lang == "en"
    lines = [_header(inp, en), *inp.notices]
    if not inp.now:
        lines.append("No graduates in your scope." if en else "您的范围内没有毕业生。")
        return Digest(split_message("\n".join(lines)), all_placed=False)

    counts = tally(inp.now)
    before = tally(inp.week_ago)
    lines += _rate_lines(counts, before, en)
    recorded = recorded_line(inp.lang, inp.recorded, counts.placed)
    if recorded:
        lines.append(recorded)
    all_placed = counts.unplaced == 0
    if inp.role != "counsellor":
        rank = rank_among(inp.scope_label, counts, inp.peers)
        if rank is not None:
            lines.append(_rank_line(inp.role, rank, en))
        gap = gap_line(inp.lang, inp.gap)
        if gap:
            lines.append(gap)
        if inp.cards:
            warned = ", ".join(
                f"{major} ({'red' if card.kind == '红牌' else 'yellow'}, {card.basis()})" for major, card in sorted(inp.cards.items())
            )
            warned_zh = "、".join(f"{major}（{card.kind}，{card.basis()}）" for major, card in sorted(inp.cards.items()))
            lines.append(f"Low-rate warnings: {warned}" if en else f"红黄牌预警：{warned_zh}")
    if all_placed:
        lines.append("All placed 🎉" if en else "全部已落实 🎉")
        return Digest(split_message("\n".join(lines)), all_placed=True)

    if inp.role == "counsellor":
        lines += _counsellor_body(inp, en)
    else:
        lines += _head_body(inp, counts, en)
    return Digest(split_message("\n".join(lines)), all_placed=False)


def rank_among(
    scope_label: str, counts: PlacementCounts, peers: Sequence[tuple[str, PlacementCounts]]
) -> tuple[int, int] | None:
    """(rank, number of units) by placement rate, high first; ties share a rank. None without peers.

    The recipient's own unit is the peer named `scope_label`; it is added when missing. Its rate is
    taken from `counts`.
    """
    if not peers:
        return None
    others = [peer for name, peer in peers if name != scope_label]
    own = counts.placement_hundredths
    higher = sum(1 for peer in others if peer.placement_hundredths > own)
    return higher + 1, len(others) + 1


def is_stale(state: GraduateState, today: date, stale_days: int) -> bool:
    """An unplaced graduate with no update, or none for at least `stale_days` days."""
    if state.placed:
        return False
    return state.last_update is None or (today - state.last_update).days >= stale_days


def _header(inp: DigestInput, en: bool) -> str:
    day = inp.today.isoformat()
    if en:
        return f"Weekly digest · {inp.scope_label} · cohort {inp.cohort} · {day}"
    return f"每周汇总 · {inp.scope_label} · {inp.cohort}届 · {day}"


def _rate_lines(counts: PlacementCounts, before: PlacementCounts, en: bool) -> list[str]:
    lines = [
        f"Placement rate (毕业去向落实率): {counts.placement_rate}"
        if en
        else f"毕业去向落实率：{counts.placement_rate}",
        counts_line("en" if en else "zh", counts),
    ]
    if before.total:
        change = format_change(before.placement_hundredths, counts.placement_hundredths)
        lines.append(
            f"Since last week: {change} pts (was {before.placement_rate})"
            if en
            else f"较上周：{change} 个百分点（上周 {before.placement_rate}）"
        )
    return lines


def _rank_line(role: str, rank: tuple[int, int], en: bool) -> str:
    position, size = rank
    if role == "head":
        return f"Rank among departments: {position}/{size}" if en else f"院系排名 {position}/{size}"
    return f"Rank: {position}/{size}" if en else f"排名 {position}/{size}"


def _unit_lines(inp: DigestInput, en: bool) -> list[str]:
    """Sub-units of `sub_dimension` with rate, counts and weekly change (same graduates a week ago)."""
    week_ago = {state.graduate_id: state for state in inp.week_ago}
    dim = dimension_label(inp.lang, inp.sub_dimension)
    lines = [f"By {dim}:" if en else f"按{dim}："]
    members: dict[str, list[int]] = {}
    for state in inp.now:
        for value in group_values(state, inp.sub_dimension):
            members.setdefault(value, []).append(state.graduate_id)
    for i, row in enumerate(breakdown(inp.now, inp.sub_dimension), 1):
        then = tally(week_ago[gid] for gid in members[row.unit] if gid in week_ago)
        change = (
            format_change(then.placement_hundredths, row.counts.placement_hundredths) if then.total else "—"
        )
        c = row.counts
        lines.append(f"{i}. {row.unit} {c.placement_rate} ({c.placed}/{c.total}) {change}")
    return lines if len(lines) > 1 else []


def _substate_lines(counts: PlacementCounts, en: bool) -> list[str]:
    items = sorted(counts.by_substate.items(), key=lambda item: (-item[1], item[0]))
    if not items:
        return []
    lines = ["Unplaced by status:" if en else "未落实分布："]
    lines += [f"  {status_label('en' if en else 'zh', label)} {n}" for label, n in items]
    return lines


def _group_lines(inp: DigestInput, en: bool) -> list[str]:
    rows = breakdown(inp.now, "group")
    if not rows:
        return []
    lines = ["Priority groups:" if en else "重点群体："]
    lines += [
        f"  {row.unit} {row.counts.placed}/{row.counts.total} {row.counts.placement_rate}" for row in rows
    ]
    return lines


def _counsellor_activity_lines(inp: DigestInput, en: bool) -> list[str]:
    if not inp.counsellors_in_scope:
        return []
    silent = sorted(inp.counsellors_in_scope - inp.counsellors_active_this_week)
    if not silent:
        return ["Every counsellor sent updates this week." if en else "本周所有辅导员均有更新。"]
    head = (
        f"Counsellors with no update this week ({len(silent)}):"
        if en
        else f"本周未更新的辅导员（{len(silent)} 人）："
    )
    return [head, *_wrap(silent, ", " if en else "、")]


def _wrap(items: Sequence[str], separator: str, width: int = 200) -> list[str]:
    """Join names into lines of about `width` characters, so that no line gets long."""
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current}{separator}{item}" if current else item
        if current and len(candidate) > width:
            lines.append("  " + current)
            current = item
        else:
            current = candidate
    if current:
        lines.append("  " + current)
    return lines


def _head_body(inp: DigestInput, counts: PlacementCounts, en: bool) -> list[str]:
    lines: list[str] = []
    for section in (
        _unit_lines(inp, en),
        _substate_lines(counts, en),
        _group_lines(inp, en),
    ):
        if section:
            lines += ["", *section]
    stale = sum(1 for state in inp.now if is_stale(state, inp.today, inp.stale_days))
    lines.append("")
    lines.append(
        f"Unplaced graduates with no update for ≥ {inp.stale_days} days: {stale}"
        if en
        else f"超过 {inp.stale_days} 天未更新的未落实毕业生：{stale} 人"
    )
    lines += _counsellor_activity_lines(inp, en)
    return lines


def _counsellor_body(inp: DigestInput, en: bool) -> list[str]:
    unplaced = sorted(
        (state for state in inp.now if not state.placed),
        key=lambda state: (unplaced_label(state), state.student_id),
    )
    lines = [
        "",
        f"Unplaced graduates ({len(unplaced)}), ★ = needs extra support:"
        if en
        else f"未落实毕业生（{len(unplaced)} 人，★ 为重点帮扶）：",
    ]
    current: str | None = None
    privacy = Privacy("masked" if inp.masked else "full", inp.names)  # the one masking of names and 学号
    for state in unplaced:
        label = unplaced_label(state)
        if label != current:
            current = label
            lines.append(f"【{status_label(inp.lang, label)}】")
        lines.append(_graduate_line(inp, privacy, state, en))
    classes = _unit_lines(inp, en)
    if classes:
        lines += ["", *classes]
    stale = sum(1 for state in unplaced if is_stale(state, inp.today, inp.stale_days))
    if stale:
        lines.append("")
        lines.append(
            f"{stale} graduate(s) have had no update for over {inp.stale_days} days — please follow up soon."
            if en
            else f"有 {stale} 名毕业生超过 {inp.stale_days} 天未更新，请尽快跟进。"
        )
    return lines


def _graduate_line(inp: DigestInput, privacy: Privacy, state: GraduateState, en: bool) -> str:
    star = "★ " if state.groups else ""
    name, sid = privacy.name(state.name), privacy.sid(state.student_id)
    if state.last_update is None:
        since = "no record" if en else "无记录"
    else:
        days = (inp.today - state.last_update).days
        since = f"{days} d" if en else f"{days} 天"
    note = privacy.text(" ".join((state.note or "").split()))  # masked before it is cut
    if len(note) > NOTE_LIMIT:
        note = note[: NOTE_LIMIT - 1] + "…"
    return f"{star}{name} {sid} · {status_label(inp.lang, unplaced_label(state))} · {since}" + (f" · {note}" if note else "")
