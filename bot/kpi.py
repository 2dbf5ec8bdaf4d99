"""Targets, checkpoints, KPI scoring and low-rate warnings (domain.md "Targets, checkpoints and scoring").

Pure domain code: no Telegram, no database. All arithmetic on rates is exact (integers, `Decimal`
targets converted to `Fraction`); floats never enter a comparison with a target.

Conventions decided here:

* A checkpoint is a month and day within the cohort's graduation year (`Target.checkpoint`).
* A rate *exactly* at the target is "at target": full marks, no bonus (+0).
* Scoring below the target deducts 1 point per *started* 0.5 percentage point of the exact gap
  (0.49 and 0.5 below → −1, 0.51 below → −2), never below 0. At or above the target it adds
  1 point per graduate beyond the number needed to reach the target, uncapped.
* Targets-file rows are numbered like a spreadsheet: the header is row 1, the first target row 2.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from bot.metrics import EMPLOYED_CODES, GraduateState, format_percent
from bot.targets import (  # noqa: F401 - re-exported: the one definition lives in bot.targets
    DEFAULT_TARGETS,
    DEGREES,
    UNKNOWN_DEGREE,
    Target,
    graduates_needed,
    required,
    target_for,
)

DEFAULT_POINTS: dict[tuple[int, int], int] = {(6, 15): 5, (8, 15): 15, (12, 15): 15}


# --- the targets file -------------------------------------------------------------------------


class TargetFileError(Exception):
    """A targets file that cannot be used; `problems` lists (row number, message) for every problem."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"row {row}: {message}" for row, message in problems))


_COLUMNS = {
    "checkpoint": "checkpoint",
    "节点": "checkpoint",
    "时间节点": "checkpoint",
    "degree": "degree",
    "学历": "degree",
    "学历层次": "degree",
    "target": "target",
    "目标": "target",
    "目标值": "target",
    "department": "department",
    "院系": "department",
}
_REQUIRED = ("checkpoint", "degree", "target")

_DEGREE_NAMES = {
    "专科": "专科",
    "本科": "本科",
    "硕士": "硕士",
    "博士": "博士",
    "associate": "专科",
    "bachelor": "本科",
    "master": "硕士",
    "doctor": "博士",
    "phd": "博士",
}

_CHECKPOINT = re.compile(r"^(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _parse_checkpoint(text: str) -> tuple[int, int] | str:
    match = _CHECKPOINT.match(text)
    if not match:
        return f"节点格式应为 MM-DD / checkpoint must be MM-DD (e.g. 06-15 or 6月15日), got {text!r}"
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(2001, month, day)  # a non-leap year: 02-29 would not exist in most cohorts' years
    except ValueError:
        return f"日期不存在 / no such date: {text!r}"
    return month, day


def _parse_degree(text: str) -> str:
    key = text.strip().lower().removesuffix("'s").removesuffix("s") if text.isascii() else text.strip()
    return _DEGREE_NAMES.get(key, "")


def _parse_target(text: str) -> Decimal | str:
    cleaned = text.strip().removesuffix("%").removesuffix("％").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return f"目标应为百分数 / target must be a percentage such as 94 or 97.5, got {text!r}"
    if not value.is_finite() or not Decimal(1) <= value <= Decimal(100):
        return f"目标应在 1–100 之间 / target must be between 1 and 100 (write 94, not 0.94), got {text!r}"
    if value.quantize(Decimal("0.01")) != value:
        return f"目标最多两位小数 / target has more than two decimals: {text!r}"
    return value


def parse_targets_csv(data: bytes) -> list[Target]:
    """Targets from a CSV file (utf-8, utf-8 with BOM or gb18030; comma- or tab-separated).

    Columns `checkpoint` (06-15, 6-15, 6/15, 6月15日), `degree` (专科/本科/硕士/博士 or
    associate/bachelor/master/doctor), `target` (94, 94%, 97.5) and optional `department`;
    Chinese headers 节点/学历/目标/院系 work too. A row with a department overrides the general row
    for that department. Blank rows are skipped. Every problem is collected and raised at once as
    `TargetFileError`, with spreadsheet row numbers (header = row 1); unknown columns are a problem
    (a misspelt `department` column must not silently turn overrides into general targets), and
    so is a second row for the same checkpoint, degree and department.
    """
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    problems: list[tuple[int, str]] = []
    if not records or not any(cell.strip() for cell in records[0]):
        raise TargetFileError(
            [(1, "缺少表头 / missing header row (checkpoint, degree, target[, department])")]
        )

    columns: dict[str, int] = {}
    for index, raw in enumerate(records[0]):
        name = raw.strip().lower()
        if not name:
            continue
        key = _COLUMNS.get(name)
        if key is None:
            problems.append((1, f"未知列 / unknown column {raw.strip()!r}"))
        elif key in columns:
            problems.append((1, f"重复列 / column {key!r} appears twice"))
        else:
            columns[key] = index
    for key in _REQUIRED:
        if key not in columns:
            problems.append((1, f"缺少列 / missing column {key!r}"))
    if problems:
        raise TargetFileError(problems)

    targets: list[Target] = []
    seen: dict[tuple[int, int, str, str | None], int] = {}
    width = max(columns.values()) + 1
    for row_number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [cell.strip() for cell in record] + [""] * max(0, width - len(record))
        if any(cells[i] for i in range(len(cells)) if i not in columns.values()):
            problems.append((row_number, "多余的单元格 / cells outside the named columns"))
        row_problems: list[str] = []
        checkpoint = _parse_checkpoint(cells[columns["checkpoint"]])
        if isinstance(checkpoint, str):
            row_problems.append(checkpoint)
        degree = _parse_degree(cells[columns["degree"]])
        if not degree:
            row_problems.append(
                f"学历应为 专科/本科/硕士/博士 / degree must be associate/bachelor/master/doctor, "
                f"got {cells[columns['degree']]!r}"
            )
        target = _parse_target(cells[columns["target"]])
        if isinstance(target, str):
            row_problems.append(target)
        department = cells[columns["department"]] if "department" in columns else ""
        problems.extend((row_number, message) for message in row_problems)
        if row_problems or isinstance(checkpoint, str) or isinstance(target, str):
            continue
        key = (checkpoint[0], checkpoint[1], degree, department or None)
        if key in seen:
            problems.append((row_number, f"与第 {seen[key]} 行重复 / duplicate of row {seen[key]}"))
            continue
        seen[key] = row_number
        targets.append(Target(checkpoint[0], checkpoint[1], degree, target, department or None))
    if not problems and not targets:
        problems.append((2, "没有目标 / the file holds no targets"))
    if problems:
        raise TargetFileError(problems)
    return targets


def _percent_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def targets_to_csv(targets: Iterable[Target]) -> str:
    """The inverse of `parse_targets_csv`, in the given order; the department column only when used."""
    targets = list(targets)
    with_department = any(t.department for t in targets)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["checkpoint", "degree", "target", *(["department"] if with_department else [])])
    for t in targets:
        row = [f"{t.month:02d}-{t.day:02d}", t.degree, _percent_text(t.target_percent)]
        writer.writerow(row + ([t.department or ""] if with_department else []))
    return out.getvalue()


def score(placed: int, total: int, target_percent: Decimal, full_marks: int) -> int:
    """One unit's score for one degree level at one checkpoint (domain.md's scheme).

    The rate is taken exactly (placed/total as a fraction, not the rounded display):

    * exactly at the target counts as at target: `full_marks`, +0;
    * above it: `full_marks` + 1 per graduate beyond ceil(total × target / 100), uncapped;
    * below it: `full_marks` − 1 per *started* 0.5 percentage point of the gap, i.e.
      ceil((target − rate) / 0.5), never below 0. Gaps of 0.49 and 0.5 points cost 1, 0.51 costs 2.

    With no graduates there is nothing to miss: `full_marks`.
    """
    if total <= 0:
        return full_marks
    gap = Fraction(target_percent) - Fraction(100 * placed, total)
    if gap <= 0:
        return full_marks + (placed - required(total, target_percent))
    return max(0, full_marks - math.ceil(gap * 2))


# --- the KPI table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiRow:
    """One unit's figures for one degree level at one checkpoint."""

    unit: str
    checkpoint: date
    degree: str
    total: int
    placed: int
    rate: str
    target: Decimal | None
    needed: int
    score: int | None
    full_marks: int
    as_of: date | None = None  # the day the rate was taken, when not the checkpoint (one not reached yet)

    @property
    def judged_on(self) -> date:
        """The day this row's rate was judged on: the checkpoint, or today before it."""
        return self.as_of or self.checkpoint


def _degree_order(degree: str) -> int:
    return DEGREES.index(degree) if degree in DEGREES else len(DEGREES)


def kpi_table(
    states_by_checkpoint: Mapping[date, Sequence[GraduateState]],
    targets: Iterable[Target],
    *,
    cohort_year: int,
    unit_of: Callable[[GraduateState], str] = lambda state: state.department,
    points: Mapping[tuple[int, int], int] = DEFAULT_POINTS,
    today: date | None = None,
) -> list[KpiRow]:
    """One row per unit, checkpoint and degree level present in that unit at that checkpoint.

    `states_by_checkpoint` holds the cohort as of each checkpoint date (rates are as-of that date);
    a target applies to a date that is `Target.checkpoint(cohort_year)`. A department override
    applies when all graduates of the row share one department (always so for the default unit,
    the department). Graduates without a degree form the degree "未知", which has no target.
    A row without a target, or at a checkpoint without points, has `score` None and `full_marks` 0.
    A checkpoint after `today` is not reached: its rows carry the rate as of `today` (`as_of`), its
    target and graduates needed, and no score — a checkpoint is scored once, on its day.
    Sorted by unit, checkpoint, degree (专科, 本科, 硕士, 博士, 未知).
    """
    targets = list(targets)
    rows: list[KpiRow] = []
    for checkpoint, states in states_by_checkpoint.items():
        groups: dict[tuple[str, str], list[GraduateState]] = {}
        for state in states:
            groups.setdefault((unit_of(state), state.degree or UNKNOWN_DEGREE), []).append(state)
        reached = today is None or checkpoint <= today
        full = (
            points.get((checkpoint.month, checkpoint.day))
            if checkpoint.year == cohort_year and reached
            else None
        )
        for (unit, degree), members in groups.items():
            total = len(members)
            placed = sum(1 for state in members if state.placed)
            departments = {state.department for state in members}
            target = None
            if checkpoint.year == cohort_year:
                target = target_for(
                    targets,
                    department=departments.pop() if len(departments) == 1 else None,
                    degree=degree,
                    month=checkpoint.month,
                    day=checkpoint.day,
                )
            needed = row_score = None
            if target is not None:
                needed = graduates_needed(placed, total, target)
                if full is not None:
                    row_score = score(placed, total, target, full)
            rows.append(
                KpiRow(
                    unit=unit,
                    checkpoint=checkpoint,
                    degree=degree,
                    total=total,
                    placed=placed,
                    rate=format_percent(placed, total),
                    target=target,
                    needed=needed or 0,
                    score=row_score,
                    full_marks=full if row_score is not None and full is not None else 0,
                    as_of=None if reached else today,
                )
            )
    rows.sort(key=lambda row: (row.unit, row.checkpoint, _degree_order(row.degree)))
    return rows


@dataclass(frozen=True)
class UnitTotal:
    """A unit's summed score and its place in the ranking (None: nothing of it could be scored)."""

    unit: str
    score: int
    full_marks: int
    rank: int | None
    rates: tuple[tuple[date, str], ...] = field(default=(), compare=False)  # the tie-breaking rates, as shown


def _rate_on(rows: Sequence[KpiRow], checkpoint: date | None) -> dict[str, tuple[int, int]]:
    """(placed, total) per unit at one checkpoint, all degree levels together."""
    found: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row.checkpoint == checkpoint:
            placed, total = found.get(row.unit, (0, 0))
            found[row.unit] = (placed + row.placed, total + row.total)
    return found


def unit_totals(rows: Iterable[KpiRow]) -> list[UnitTotal]:
    """Scores summed per unit, best first. Equal scores are told apart by the exact rate at the
    latest checkpoint reached, then by the rate as of today at the next one (all degree levels
    together); units equal in all of these share a rank (1, 1, 3).

    Before any checkpoint is reached the ranking is by today's rate alone, so an early season does
    not put every unit at 1 with 0 points. A unit with nothing scorable (no target for any of its
    graduates) gets no rank and goes last.
    """
    rows = list(rows)
    reached = sorted({row.checkpoint for row in rows if row.as_of is None})
    ahead = sorted({row.checkpoint for row in rows if row.as_of is not None})
    bases = [
        day for day in (reached[-1] if reached else None, ahead[0] if ahead else None) if day is not None
    ]
    rates = [_rate_on(rows, day) for day in bases]
    judged_on = [next(row.judged_on for row in rows if row.checkpoint == day) for day in bases]
    sums: dict[str, list[int]] = {}
    for row in rows:
        entry = sums.setdefault(row.unit, [0, 0])
        if row.score is not None:
            entry[0] += row.score
            entry[1] += row.full_marks

    def key(unit: str) -> tuple[Fraction, ...]:
        return tuple(Fraction(*rate[unit]) if rate.get(unit, (0, 0))[1] else Fraction(-1) for rate in rates)

    anything_scored = any(full for _, full in sums.values())
    scorable = {unit for unit, (_, full) in sums.items() if full or not anything_scored}
    ordered = sorted(
        sums, key=lambda unit: (unit not in scorable, -sums[unit][0], tuple(-k for k in key(unit)), unit)
    )
    totals: list[UnitTotal] = []
    for position, unit in enumerate(ordered, start=1):
        points_sum, full_sum = sums[unit]
        shown = tuple(
            (day, format_percent(*rate[unit]))
            for day, rate in zip(judged_on, rates, strict=True)
            if rate.get(unit, (0, 0))[1]
        )
        rank: int | None = None
        if unit in scorable:
            previous = totals[-1] if totals else None
            same = (
                previous is not None
                and previous.rank is not None
                and previous.score == points_sum
                and key(previous.unit) == key(unit)
            )
            rank = previous.rank if same and previous is not None else position
        totals.append(UnitTotal(unit, points_sum, full_sum, rank, shown))
    return totals


def priority_group_check(
    states: Sequence[GraduateState], minimum_percent: Decimal
) -> list[tuple[str, int, int, bool]]:
    """Per priority group (sorted by name): (group, placed, total, exact rate ≥ minimum)."""
    counts: dict[str, list[int]] = {}
    for state in states:
        for group in state.groups:
            entry = counts.setdefault(group, [0, 0])
            entry[0] += state.placed
            entry[1] += 1
    minimum = Fraction(minimum_percent)
    return [
        (group, placed, total, Fraction(100 * placed, total) >= minimum)
        for group, (placed, total) in sorted(counts.items())
    ]


# --- projection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    weekly_pace: Decimal
    """Graduates placed per week over the window, to two decimals (half up)."""
    weeks_left: int
    """Whole weeks from today to the checkpoint, a started week counting (0 once it has passed)."""
    projected_placed: int
    will_make_it: bool


def project(
    history: Sequence[tuple[date, int]],
    *,
    total: int,
    target_percent: Decimal,
    checkpoint: date,
    today: date,
    weeks: int = 4,
) -> Projection | None:
    """Whether the current pace reaches the target by the checkpoint.

    `history` holds (date, placed) samples, e.g. weekly. The pace is the straight line between the
    first sample within `weeks` weeks of the latest and the latest (the two latest samples if the
    window holds only one). It is extended from the latest sample to the checkpoint, rounded down
    and kept within 0..total. None with fewer than two samples on distinct dates.
    """
    samples = sorted(dict(history).items())
    if len(samples) < 2:
        return None
    last_day, last_placed = samples[-1]
    window = [s for s in samples if s[0] >= last_day - timedelta(weeks=weeks)]
    first_day, first_placed = window[0] if len(window) >= 2 else samples[-2]
    per_day = Fraction(last_placed - first_placed, (last_day - first_day).days)
    ahead = max(0, (checkpoint - last_day).days)
    projected = min(total, max(0, math.floor(last_placed + per_day * ahead)))
    pace = (Decimal(per_day.numerator * 7) / Decimal(per_day.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    days_left = max(0, (checkpoint - today).days)
    return Projection(
        weekly_pace=pace,
        weeks_left=-(-days_left // 7),
        projected_placed=projected,
        will_make_it=graduates_needed(projected, total, target_percent) == 0,
    )


# --- red and yellow cards (红黄牌) ---------------------------------------------------------------


@dataclass(frozen=True)
class CardRule:
    """Warn a major whose final-checkpoint rate is below a threshold for `years_running` cohorts."""

    yellow_below: Decimal = Decimal("70")
    red_below: Decimal = Decimal("60")
    years_running: int = 1


@dataclass(frozen=True)
class Card:
    """A 红黄牌 warning as shown: the card, and the rate and day it was judged on (the latest cohort's
    final checkpoint, or today before it), so the card never stands beside a rate of another day."""

    kind: Literal["红牌", "黄牌"]
    rate: str
    judged_on: date

    def basis(self) -> str:
        return f"{self.judged_on.month}-{self.judged_on.day:02d} {self.rate}"


def card_for(rate_hundredths_by_year: Sequence[int], rule: CardRule) -> Literal["red", "yellow"] | None:
    """红牌 if the latest `years_running` rates are all below `red_below`, else 黄牌 if all below
    `yellow_below`, else None; also None with fewer years than `years_running`.

    Rates are hundredths of a percent, oldest cohort first, as displayed (rounded half up), so
    a major shown at 60.00 % is not below 60 %.
    """
    if rule.years_running < 1 or len(rate_hundredths_by_year) < rule.years_running:
        return None
    recent = rate_hundredths_by_year[-rule.years_running :]
    if all(Decimal(rate) < rule.red_below * 100 for rate in recent):
        return "red"
    if all(Decimal(rate) < rule.yellow_below * 100 for rate in recent):
        return "yellow"
    return None


# --- the "guided employer" indicator ----------------------------------------------------------


@dataclass(frozen=True)
class GuidedRule:
    """Employment at "guided" employers (基层, 中西部, key sectors): which jobs count, and the scoring.

    A job counts when its MoE code is a grassroots programme (50, 51), its province lies in one of
    `regions` (by economic region), its unit nature is one of `natures`, or its employer is on the
    school's list of guided employers."""

    regions: frozenset[str] = frozenset({"中部", "西部"})
    natures: frozenset[int] = frozenset({55, 56})  # 农村建制村, 城镇社区
    employers: frozenset[str] = frozenset()
    minimum_percent: int = 50
    max_deduction: int = 15
    month: int = 12
    day: int = 1


def guided_indicator(
    states: Sequence[GraduateState], region_of: Callable[[str], str | None], rule: GuidedRule = GuidedRule()
) -> tuple[int, int, int]:
    """(guided, employed, points off): share of employed graduates at guided employers; minus one
    point per started percentage point below the minimum, at most `max_deduction`."""
    employed = [s for s in states if s.code in EMPLOYED_CODES]
    guided = sum(
        1
        for s in employed
        if s.code in (50, 51)
        or (s.province and region_of(s.province) in rule.regions)
        or s.unit_nature in rule.natures
        or (s.employer or "") in rule.employers
    )
    if not employed:
        return 0, 0, 0
    gap = Fraction(rule.minimum_percent) - Fraction(100 * guided, len(employed))
    off = 0 if gap <= 0 else min(rule.max_deduction, math.ceil(gap))
    return guided, len(employed), off


def parse_points(text: str) -> dict[tuple[int, int], int]:
    """`6-15=5,8-15=15,12-15=15` → {(6, 15): 5, (8, 15): 15, (12, 15): 15}; ValueError when malformed."""
    points: dict[tuple[int, int], int] = {}
    for item in re.split(r"[,，;；\s]+", text.strip()):
        if not item:
            continue
        day, _, value = item.partition("=")
        month_text, _, day_text = day.partition("-")
        points[(int(month_text), int(day_text))] = int(value)
    if not points:
        raise ValueError("no checkpoint points")
    return points
