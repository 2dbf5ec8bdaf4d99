"""Checkpoints, targets and graduates needed: the one definition (domain.md "Targets").

Pure domain code. Every "next checkpoint" and "still needed" comes from the cohort's own targets
(product.md §8): after its last checkpoint there is no next one, and no built-in date stands in.
`DEFAULT_TARGETS` is the scheme a cohort *has* until the office sets its own (domain.md's table).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from bot.metrics import GraduateState

DEGREES: tuple[str, ...] = ("专科", "本科", "硕士", "博士")
DEGREE_ORDER = {degree: i for i, degree in enumerate(DEGREES)}
UNKNOWN_DEGREE = "未知"
"""Degree label of graduates whose degree is not recorded; no target applies to them."""


@dataclass(frozen=True)
class Target:
    """A target rate for one degree level at one checkpoint, optionally for one department only."""

    month: int
    day: int
    degree: str
    target_percent: Decimal
    department: str | None = None

    def checkpoint(self, cohort_year: int) -> date:
        return date(cohort_year, self.month, self.day)


def _scheme(table: Iterable[tuple[int, int, str, str, str]]) -> tuple[Target, ...]:
    targets: list[Target] = []
    for month, day, bachelor, master, doctor in table:
        for degree, value in (("专科", bachelor), ("本科", bachelor), ("硕士", master), ("博士", doctor)):
            targets.append(Target(month, day, degree, Decimal(value)))
    return tuple(targets)


# domain.md's medical-school table; 专科 takes 本科's values.
DEFAULT_TARGETS: tuple[Target, ...] = _scheme(
    ((6, 15, "80", "80", "80"), (8, 15, "90", "94", "95"), (12, 15, "94", "97", "98"))
)


def target_key(target: Target) -> tuple[int, int, str, str | None]:
    """What a target row is about: its checkpoint, degree level and department (None: general)."""
    return (target.month, target.day, target.degree, target.department)


@dataclass(frozen=True)
class Merged:
    """Targets after sending some rows: `targets` in order, and what the sent rows did."""

    targets: tuple[Target, ...]
    added: int
    changed: int
    unchanged: int
    kept: int  # rows not sent, left as they were


def merge_targets(current: Iterable[Target], sent: Iterable[Target]) -> Merged:
    """Rows sent replace the rows with the same checkpoint, degree and department and add the
    others; every row not sent stays (sending one line never deletes the rest). Sorted by
    checkpoint, degree level, department."""
    merged = {target_key(t): t for t in current}
    before = dict(merged)
    added = changed = unchanged = 0
    for target in sent:
        key = target_key(target)
        old = before.get(key)
        if old is None:
            added += 1
        elif old.target_percent == target.target_percent:
            unchanged += 1
        else:
            changed += 1
        merged[key] = target
    ordered = sorted(merged.values(), key=lambda t: (t.month, t.day, DEGREE_ORDER.get(t.degree, 9), t.department or ""))
    return Merged(tuple(ordered), added, changed, unchanged, len(merged) - added - changed - unchanged)


def target_for(
    targets: Iterable[Target], *, department: str | None, degree: str, month: int, day: int
) -> Decimal | None:
    """The target for a department and degree at a checkpoint: its own override, else the general row."""
    general: Decimal | None = None
    for t in targets:
        if (t.month, t.day, t.degree) != (month, day, degree):
            continue
        if t.department is None:
            general = t.target_percent
        elif department is not None and t.department == department:
            return t.target_percent
    return general


def required(total: int, target_percent: Decimal | int) -> int:
    """The fewest placed graduates whose rate reaches the target: ceil(total × target / 100)."""
    return math.ceil(Fraction(total) * Fraction(target_percent) / 100)


def graduates_needed(placed: int, total: int, target_percent: Decimal | int) -> int:
    """How many more placed graduates reach the target (smallest n ≥ 0 with (placed+n)/total ≥ target).

    Exact: ceil(total × target / 100) − placed, at least 0; 0 when there are no graduates.
    Total 200 at 94 % needs 188 placed; at 97.5 %, 195. One group's case of `needed_of`.
    """
    return needed_of([(placed, total, Decimal(target_percent))])


def needed_of(groups: Iterable[tuple[int, int, Decimal]]) -> int:
    """THE rule for "graduates still needed", the same at every level (school, department, major):

        needed = ceil(Σ total × target / 100) − Σ placed, at least 0,

    over the scope's groups (placed, total, target) — one group per department and degree level,
    each with its own target. With one target for the whole scope this is ceil(target × total) −
    placed, so `已落实 41/243 … 目标 94% … 还差 N 人` reads N = ceil(0.94 × 243) − 41 = 188 off its own
    line. The rounding is domain.md's scoring's: the target is reached when the exact rate is at
    least the target (no half-up rounding of the rate; `bot.kpi.score` uses the same `required`).
    Over-placed groups make up for short ones, as they do in the scope's rate; a sum of the units'
    own gaps is another figure, and is labelled as such wherever it is shown.
    """
    requirement = Fraction(0)
    placed_sum = 0
    for placed, total, target in groups:
        if total <= 0:
            continue
        requirement += Fraction(total) * Fraction(target) / 100
        placed_sum += placed
    return max(0, math.ceil(requirement) - placed_sum)


def checkpoints(targets: Iterable[Target], cohort_year: int) -> list[date]:
    """The cohort's checkpoint dates, ascending."""
    return sorted({t.checkpoint(cohort_year) for t in targets})


def next_checkpoint(targets: Iterable[Target], cohort_year: int, as_of: date) -> date | None:
    """The first of the cohort's own checkpoints on or after `as_of`; None after the last one."""
    upcoming = [day for day in checkpoints(targets, cohort_year) if day >= as_of]
    return upcoming[0] if upcoming else None


def headline(targets: Iterable[Target], cohort_year: int, states: Sequence[GraduateState]) -> list[tuple[date, Decimal]]:
    """Each checkpoint with the general target of the scope's most common degree level (chart lines)."""
    general = [t for t in targets if t.department is None]
    counts: dict[str, int] = {}
    for s in states:
        if s.degree:
            counts[s.degree] = counts.get(s.degree, 0) + 1
    by_frequency = sorted(counts, key=lambda d: -counts[d])
    for degree in [*by_frequency, "本科", *DEGREES]:
        chosen = sorted((t.checkpoint(cohort_year), t.target_percent) for t in general if t.degree == degree)
        if chosen:
            return chosen
    return []


@dataclass(frozen=True)
class Gap:
    """The next checkpoint and how many more graduates must be placed to meet its targets."""

    checkpoint: date
    target_text: str  # "90%", or "本科90%/硕士94%" when degree levels differ
    needed: int
    on_track: bool | None = None  # projection from the recent pace; None when there is too little history


def percent_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def gap_at(targets: Sequence[Target], cohort_year: int, states: Sequence[GraduateState], as_of: date) -> Gap | None:
    """Graduates still needed for the next checkpoint (`needed_of` over the scope's departments and
    degree levels, each against its own target). None with no graduates or no checkpoint left."""
    groups: dict[tuple[str, str], tuple[int, int]] = {}
    for state in states:
        key = (state.department, state.degree or UNKNOWN_DEGREE)
        placed, total = groups.get(key, (0, 0))
        groups[key] = (placed + state.placed, total + 1)
    return gap_of_groups(targets, cohort_year, groups, as_of)


def gap_of_groups(
    targets: Sequence[Target], cohort_year: int, groups: Mapping[tuple[str, str], tuple[int, int]], as_of: date
) -> Gap | None:
    """`gap_at` from (placed, total) per (department, degree level) — what `gap_at` counts."""
    day = next_checkpoint(targets, cohort_year, as_of)
    if not groups or day is None:
        return None
    counted: list[tuple[int, int, Decimal]] = []
    by_degree: dict[str, Decimal] = {}
    for (department, degree), (placed, total) in groups.items():
        target = target_for(targets, department=department, degree=degree, month=day.month, day=day.day)
        if target is None:
            continue
        counted.append((placed, total, target))
        by_degree.setdefault(degree, target)
    if not by_degree:
        return None
    needed = needed_of(counted)
    values = set(by_degree.values())
    if len(values) == 1:
        target_text = f"{percent_text(values.pop())}%"
    else:
        ordered = sorted(by_degree.items(), key=lambda kv: DEGREE_ORDER.get(kv[0], 9))
        target_text = "/".join(f"{d}{percent_text(v)}%" for d, v in ordered)
    return Gap(day, target_text, needed)
