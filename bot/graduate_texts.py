"""Rendering §10's results (a graduate's card, review lists, 核查 lines) in zh/en. Pure: plain values
in, strings out; every name and 学号 goes through `texts.Privacy`."""

from __future__ import annotations

from datetime import date
from typing import Any

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
