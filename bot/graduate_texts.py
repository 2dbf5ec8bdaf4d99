"""Rendering §10's results (a graduate's card, review lists, 核查 lines) in zh/en. Pure: plain values
in, strings out; every name and 学号 goes through `texts.Privacy`."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.disclosure import HIDDEN, Audience, hides, shown
from bot.metrics import format_percent
from bot.texts import Privacy, destination_label, t
from bot.verification import CheckState, Outcome

CHECK_STATES: dict[CheckState, tuple[str, str]] = {
    CheckState.CHECKED: ("已核实（属实）", "checked (true)"),
    CheckState.MATERIALS: ("有材料", "documented"),
    CheckState.CONFIRMED: ("本人已确认", "confirmed by you"),
    CheckState.NONE: ("未核查", "not yet checked"),
}
OUTCOMES: dict[Outcome, tuple[str, str]] = {
    Outcome.TRUE: ("属实", "true"),
    Outcome.FALSE: ("不属实", "untrue"),
    Outcome.UNREACHABLE: ("联系不上", "unreachable"),
}


def _pick(lang: str, pair: tuple[str, str]) -> str:
    return pair[1] if lang == "en" else pair[0]


def destination_text(lang: str, d: Any) -> str:
    """One line: the destination, where, and the employer/school/note (a `Destination` or a report)."""
    bits = [destination_label(lang, d.code, d.substate)]
    place = getattr(d, "employer", None) or getattr(d, "school", None) or getattr(d, "note", None)
    if place:
        bits.append(place)
    region = (getattr(d, "province", None) or "") + (getattr(d, "city", None) or "")
    if region:
        bits.append(region)
    return " · ".join(bits)


def line_text(lang: str, line: Any) -> str:
    """A parsed line (bot.grammar.ParsedLine) as one line: destination · place · region · date."""
    d = line.destination
    view = {
        "code": d.code, "substate": d.substate, "employer": line.employer, "school": line.school, "note": line.note,
        "province": line.province, "city": line.city,
    }  # fmt: skip
    return destination_text(lang, _View(view)) + f" · {line.effective_date.isoformat()}"


class _View:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def render_me(lang: str, record: Any, privacy: Privacy) -> str:
    """/me and /start for a graduate: greeting, the recorded destination (date, who), its 核查 state."""
    en = lang == "en"
    name, sid = privacy.name(record.name), privacy.sid(record.student_id)
    lines = [f"Hello, {name} ({sid})!" if en else f"{name}同学（{sid}），你好！"]
    d = record.destination
    if d is None:
        lines.append("No destination is recorded for you yet." if en else "目前还没有你的毕业去向记录。")
    else:
        who = d.recorded_by or ("the careers office" if en else "就业中心")
        if d.by_graduate:
            how = f"reported by you, approved by {who}" if en else f"本人上报，{who}审核通过"
        else:
            how = f"recorded by {who}" if en else f"{who}登记"
        lines.append(("Recorded destination: " if en else "登记的毕业去向：") + destination_text(lang, d))
        lines.append(
            f"({d.effective_date.isoformat()}, {how})" if en else f"（{d.effective_date.isoformat()}，{how}）"
        )
        state = _pick(lang, CHECK_STATES[record.flags.state])
        if record.flags.flagged:
            state += " · ⚠ " + ("a check found it untrue" if en else "核实为不属实")
        lines.append(("Check state: " if en else "核查状态：") + state)
    if record.pending:
        lines.append(("Awaiting review: " if en else "待审核的上报：") + record.pending)
    elif record.returned is not None:
        lines.append(
            ("Your last report was returned: " if en else "你上次的上报被退回：") + (record.returned or "—")
        )
    return "\n".join(lines)


def age_text(lang: str, today: date, sent: date) -> str:
    days = (today - sent).days
    return (f"{days} d" if lang == "en" else f"{days} 天") if days else ("today" if lang == "en" else "今天")


def report_card(lang: str, item: Any, privacy: Privacy, today: date) -> str:
    """One pending report in /review: who, current and reported destination, age."""
    en = lang == "en"
    head = f"{privacy.name(item.name)} {privacy.sid(item.student_id)} · {item.class_name or ''}"
    current = destination_text(lang, item.current) if item.current is not None else ("none" if en else "无")
    return "\n".join([
        head,
        ("Now: " if en else "当前：") + current,
        ("Reported: " if en else "上报：") + privacy.line(item.raw),
        ("Sent: " if en else "提交：") + age_text(lang, today, item.sent_on),
    ])  # fmt: skip


def outcome_text(lang: str, outcome: Outcome) -> str:
    return _pick(lang, OUTCOMES[outcome])


def reason_text(lang: str, code: str) -> str:
    return t(
        lang, {"incomplete": "reason_incomplete", "mismatch": "reason_mismatch"}.get(code, "reason_other")
    )


def render_check(lang: str, table: Any, audience: Audience = Audience.PRIVATE) -> str:
    """/check: per sub-unit, the placed and how they were checked, pending reviews, 不属实 flags and
    the share bound; in a group, figures about fewer than 5 are `<5`."""
    en = lang == "en"
    head = (
        f"{table.scope_label} · checks · as of {table.as_of.isoformat()}"
        if en
        else f"{table.scope_label} · 核查情况 · 截至 {table.as_of.isoformat()}"
    )
    legend = (
        "unit: placed | confirmed · documents · verified · unchecked | pending review · untrue · bound"
        if en
        else "单位：已落实 | 本人确认 · 材料 · 核实 · 未核查 | 待审核 · 不属实 · 已绑定"
    )
    lines = [head, legend]
    for row in [*table.rows, table.total]:
        unit = ("Total" if en else "合计") if row is table.total else row.unit
        f = [
            shown(audience, n)
            for n in (
                row.placed,
                row.confirmed,
                row.materials,
                row.checked,
                row.unchecked,
                row.pending,
                row.flagged,
            )
        ]
        share = HIDDEN if hides(audience, row.total) else format_percent(row.bound, row.total)
        bound = f"{shown(audience, row.bound)} ({share})" if row.total else "0"
        lines.append(f"{unit}: {f[0]} | {f[1]} · {f[2]} · {f[3]} · {f[4]} | {f[5]} · {f[6]} · {bound}")
    return "\n".join(lines)


def render_sample(lang: str, sample: Any, privacy: Privacy) -> str:
    """One sample: its draw (seed) and each member with destination, employer and outcome."""
    en = lang == "en"
    lines = [
        f"Sample #{sample.sample_id} · {sample.scope} · {sample.requested} of {sample.population} placed · seed {sample.seed}"
        if en
        else f"抽查 #{sample.sample_id} · {sample.scope} · 已落实 {sample.population} 人中抽 {sample.requested} · 种子 {sample.seed}"
    ]
    done = {o: 0 for o in Outcome}
    for m in sample.members:
        outcome = outcome_text(lang, m.outcome) if m.outcome else ("not yet checked" if en else "未核实")
        if m.outcome:
            done[m.outcome] += 1
        lines.append(
            f"{privacy.sid(m.student_id)} {privacy.name(m.name)} · {destination_label(lang, m.code, m.substate)}"
            f"{' · ' + m.employer if m.employer else ''} · {outcome}"
        )
    waiting = len(sample.members) - sum(done.values())
    summary = " · ".join(f"{outcome_text(lang, o)} {n}" for o, n in done.items())
    lines.append(f"{summary} · {'not yet checked' if en else '未核实'} {waiting}")
    return "\n".join(lines)
