"""Placement figures from integer counts (domain.md "The figures"), with half-up rounding.

Pure functions over `GraduateState` values: no Telegram, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.taxonomy import (
    EMPLOYED_CODES,
    FLEXIBLE_CODES,
    PLACED_CODES,
    SIGNED_CODES,
    STUDY_CODES,
)

UNREPORTED_CODE = 0


@dataclass(frozen=True, slots=True)
class GraduateState:
    """A graduate's roster attributes and destination as of some date (code 0 = 未上报)."""

    graduate_id: int
    student_id: str
    name: str
    department: str
    major: str
    category: str | None
    class_name: str | None
    degree: str | None
    gender: str | None
    origin: str | None
    groups: tuple[str, ...]
    counsellor: str | None
    code: int = UNREPORTED_CODE
    substate: str | None = None
    related: bool | None = None
    employer: str | None = None
    school: str | None = None
    province: str | None = None
    city: str | None = None
    unit_nature: int | None = None
    industry: str | None = None
    note: str | None = None
    last_update: date | None = None

    @property
    def placed(self) -> bool:
        return self.code in PLACED_CODES


def bucket_of(code: int) -> str:
    if code in EMPLOYED_CODES:
        return "employed"
    if code in STUDY_CODES:
        return "study"
    return "unplaced"


def hundredths_of_percent(numerator: int, denominator: int) -> int:
    """numerator/denominator as a percentage in hundredths, rounded half up, in exact integers."""
    if denominator <= 0:
        return 0
    return (numerator * 20000 + denominator) // (2 * denominator)


def format_percent(numerator: int, denominator: int) -> str:
    """'84.70%' — two decimals, half up (72.825 % → 72.83 %); '—' when there is no denominator."""
    if denominator <= 0:
        return "—"
    value = hundredths_of_percent(numerator, denominator)
    return f"{value // 100}.{value % 100:02d}%"


def format_change(before: int, after: int) -> str:
    """A change between two values in hundredths of a percent, as '+2.22' / '-0.10' / '±0.00' points."""
    delta = after - before
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    delta = abs(delta)
    return f"{sign}{delta // 100}.{delta % 100:02d}"


@dataclass(frozen=True)
class PlacementCounts:
    """Counts behind every rate of a scope."""

    total: int = 0
    employed: int = 0
    study: int = 0
    unreported: int = 0
    signed: int = 0
    flexible: int = 0
    related_yes: int = 0
    related_known: int = 0
    by_code: Mapping[int, int] = field(default_factory=dict)
    by_substate: Mapping[str, int] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return self.employed + self.study

    @property
    def unplaced(self) -> int:
        return self.total - self.placed

    @property
    def known(self) -> int:
        return self.total - self.unreported

    @property
    def placement_rate(self) -> str:
        return format_percent(self.placed, self.total)

    @property
    def placement_hundredths(self) -> int:
        return hundredths_of_percent(self.placed, self.total)

    @property
    def employment_rate(self) -> str:
        return format_percent(self.employed, self.total)

    @property
    def study_rate(self) -> str:
        return format_percent(self.study, self.total)

    @property
    def signing_rate(self) -> str:
        return format_percent(self.signed, self.total)

    @property
    def flexible_rate(self) -> str:
        return format_percent(self.flexible, self.total)

    @property
    def relevance_rate(self) -> str:
        return format_percent(self.related_yes, self.related_known)

    @property
    def knowledge_rate(self) -> str:
        return format_percent(self.known, self.total)


def tally(states: Iterable[GraduateState]) -> PlacementCounts:
    """Count one scope's graduates into every figure of domain.md."""
    by_code: Counter[int] = Counter()
    by_substate: Counter[str] = Counter()
    related_yes = related_known = 0
    for state in states:
        by_code[state.code] += 1
        if state.code in EMPLOYED_CODES:
            if state.related is not None:
                related_known += 1
                related_yes += state.related
        elif state.code not in STUDY_CODES:
            by_substate[unplaced_label(state)] += 1
    return counts_of(by_code, by_substate, related_yes, related_known)


def counts_of(
    by_code: Mapping[int, int], by_substate: Mapping[str, int], related_yes: int, related_known: int
) -> PlacementCounts:
    """Every figure from graduates counted per code and per unplaced label (see `tally`)."""
    employed = sum(n for code, n in by_code.items() if code in EMPLOYED_CODES)
    study = sum(n for code, n in by_code.items() if code in STUDY_CODES)
    return PlacementCounts(
        total=sum(by_code.values()),
        employed=employed,
        study=study,
        unreported=by_code.get(UNREPORTED_CODE, 0),
        signed=sum(by_code.get(code, 0) for code in SIGNED_CODES),
        flexible=sum(by_code.get(code, 0) for code in FLEXIBLE_CODES),
        related_yes=related_yes,
        related_known=related_known,
        by_code=dict(by_code),
        by_substate=dict(by_substate),
    )


UNPLACED_LABELS = {0: "未上报", 70: "待就业", 71: "不就业拟升学", 72: "其他暂不就业"}


def unplaced_label(state: GraduateState) -> str:
    """The sub-state an unplaced graduate is listed under (求职中, 面试中, 拟升学 …)."""
    if state.substate:
        return state.substate
    return UNPLACED_LABELS.get(state.code, "待就业")


def group_values(state: GraduateState, dimension: str) -> tuple[str, ...]:
    """The value(s) of one breakdown dimension for a graduate (a graduate may be in several groups)."""
    if dimension == "group":
        return state.groups
    value = getattr(state, dimension)
    return (value,) if value else ()


@dataclass(frozen=True)
class UnitRow:
    """One row of a breakdown table."""

    unit: str
    counts: PlacementCounts


def breakdown(states: Iterable[GraduateState], dimension: str) -> list[UnitRow]:
    """Counts per value of `dimension`, sorted by placement rate (high first), then by name."""
    buckets: dict[str, list[GraduateState]] = {}
    for state in states:
        for value in group_values(state, dimension):
            buckets.setdefault(value, []).append(state)
    return sort_rows([UnitRow(unit, tally(members)) for unit, members in buckets.items()])


def sort_rows(rows: list[UnitRow]) -> list[UnitRow]:
    """Breakdown order: placement rate (high first), then size (large first), then name."""
    rows.sort(key=lambda row: (-row.counts.placement_hundredths, -row.counts.total, row.unit))
    return rows


def select(states: Iterable[GraduateState], predicate: Callable[[GraduateState], bool]) -> list[GraduateState]:
    return [state for state in states if predicate(state)]


def placed_over_time(
    entries: Iterable[tuple[int, date, int]], members: set[int], days: Sequence[date]
) -> list[int]:
    """How many of `members` were placed as of each day in `days` (ascending).

    `entries` are (graduate_id, effective_date, code), ordered by graduate, effective date and
    recording order — the order in which "latest entry ≤ D" is decided. One pass: each change of a
    graduate's placed state becomes +1/−1 at its date; changes within one day cancel out.
    """
    deltas: Counter[date] = Counter()
    current_id: int | None = None
    placed = False
    for graduate_id, effective, code in entries:
        if graduate_id not in members:
            continue
        if graduate_id != current_id:
            current_id, placed = graduate_id, False
        now_placed = code in PLACED_CODES
        if now_placed != placed:
            deltas[effective] += 1 if now_placed else -1
            placed = now_placed
    changes = sorted(deltas.items())
    result: list[int] = []
    running = 0
    i = 0
    for day in days:
        while i < len(changes) and changes[i][0] <= day:
            running += changes[i][1]
            i += 1
        result.append(running)
    return result
