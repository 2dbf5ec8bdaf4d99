"""The annual report's tables, computed once (product.md §7): the workbook and the Word draft draw them.

Pure module: `GraduateState` values in, typed :class:`Table` values out; no file format, no
Telegram, no database. A cell is text, an integer count, a :class:`Share` (an exact fraction,
shown with two decimals rounded half up by `bot.metrics`), a date or a change in :class:`Points`.
`bot/workbooks.py` writes these tables to sheets and `bot/report_document.py` to the Word draft,
so a figure is the same in both by construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.metrics import (
    GraduateState,
    PlacementCounts,
    breakdown,
    format_percent,
    hundredths_of_percent,
    tally,
    unplaced_label,
)
from bot.report_texts import rt
from bot.taxonomy import (
    DESTINATIONS,
    ECONOMIC_REGION,
    EMPLOYED_CODES,
    INDUSTRIES,
    INDUSTRIES_EN,
    SIGNED_CODES,
    STRATEGY_AREAS,
    STUDY_CODES,
    SUBSTATES,
    UNIT_NATURES,
    UNIT_NATURES_EN,
    destination_for,
    strategy_areas_of,
)

__all__ = [
    "AWAITING_CODES",
    "NOT_SEEKING_CODES",
    "Points",
    "ReportTables",
    "Row",
    "Share",
    "Table",
    "report_tables",
]

# 待就业 and 暂不就业 (domain.md "Destinations"): the unplaced codes other than 未上报 (0).
AWAITING_CODES = frozenset({70})
NOT_SEEKING_CODES = frozenset({71, 72})
GRASSROOTS_CODES = frozenset({50, 51})
MAIN_REGIONS = ("东部", "中部", "西部", "东北")


@dataclass(frozen=True, slots=True)
class Share:
    """numerator/denominator as a percentage; exact, rounded half up only when shown."""

    numerator: int
    denominator: int

    @property
    def hundredths(self) -> int | None:
        """Hundredths of a percent, half up (8470 for 84.70 %); None without a denominator."""
        return hundredths_of_percent(self.numerator, self.denominator) if self.denominator > 0 else None

    @property
    def fraction(self) -> float | None:
        """The shown value as a fraction (0.847 for 84.70 %): what a spreadsheet cell stores."""
        hundredths = self.hundredths
        return None if hundredths is None else hundredths / 10000

    @property
    def text(self) -> str:
        """'84.70%', or '—' without a denominator."""
        return format_percent(self.numerator, self.denominator)


@dataclass(frozen=True, slots=True)
class Points:
    """A change in percentage points, in hundredths (454 = +4.54 points)."""

    hundredths: int

    @property
    def value(self) -> float:
        return self.hundredths / 100

    @property
    def text(self) -> str:
        sign = "+" if self.hundredths > 0 else "-" if self.hundredths < 0 else "±"
        n = abs(self.hundredths)
        return f"{sign}{n // 100}.{n % 100:02d}"


Cell = str | int | Share | Points | date | None


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    total: bool = False  # a 合计 row (bold in both renderers)


@dataclass(frozen=True)
class Table:
    """One table of the report: `dimension` names its block where a sheet stacks several tables."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    dimension: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ReportTables:
    """Every table of the report, in chapter order, with the scope's counts for the sentences."""

    lang: str
    counts: PlacementCounts
    scale: tuple[Table, ...]
    destinations: Table
    shares: Table
    rates: tuple[Table, ...]
    provinces: Table
    regions: Table
    areas: Table
    flows: Table
    natures: Table
    industries: Table
    study: Table
    unplaced: Table
    trend: Table
    region_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def employed(self) -> int:
        return self.counts.employed


SCALE_DIMENSIONS: tuple[str, ...] = ("department", "major", "category", "degree", "gender", "origin")
RATE_DIMENSIONS: tuple[str, ...] = ("category", "major", "department", "degree", "gender", "group")


def dimension_word(lang: str, dimension: str) -> str:
    return rt(lang, f"dim_{dimension}")


def by_count(counter: Mapping[str, int], last: Iterable[str]) -> list[tuple[str, int]]:
    """Items sorted by count (high first) then name, with `last` labels at the end."""
    tail = list(last)
    items = sorted(((k, n) for k, n in counter.items() if k not in tail), key=lambda kv: (-kv[1], kv[0]))
    items.extend((k, counter[k]) for k in tail if counter.get(k))
    return items


def destination_name(code: int, lang: str = "zh") -> str:
    try:
        destination = destination_for(code, None)
    except KeyError:
        return f"未知去向{code}" if lang == "zh" else f"Unknown code {code}"
    return destination.name_en if lang == "en" else destination.name_zh


def nature_name(nature: int | None, lang: str = "zh") -> str:
    if nature is None:
        return rt(lang, "missing")
    names = UNIT_NATURES_EN if lang == "en" else UNIT_NATURES
    return names.get(nature, str(nature))


def industry_name(industry: str | None, lang: str = "zh") -> str:
    if not industry:
        return rt(lang, "missing")
    names = INDUSTRIES_EN if lang == "en" else INDUSTRIES
    return names.get(industry.upper(), industry)


def region_of(province: str | None, unknown: str) -> str:
    return ECONOMIC_REGION.get(province, unknown) if province else unknown


# ---------------------------------------------------------------------------------------------
# the tables
# ---------------------------------------------------------------------------------------------


def scale_tables(states: Sequence[GraduateState], lang: str) -> tuple[Table, ...]:
    """规模与结构: graduates per value of each roster dimension, with a 合计 row."""
    total = len(states)
    missing, word_total = rt(lang, "missing"), rt(lang, "total")
    tables = []
    for attr in SCALE_DIMENSIONS:
        dimension = dimension_word(lang, attr)
        counter = Counter(getattr(s, attr) or missing for s in states)
        rows = [Row((value, count, Share(count, total))) for value, count in by_count(counter, (missing,))]
        rows.append(Row((word_total, total, Share(total, total)), total=True))
        tables.append(
            Table(
                f"scale.{attr}", rt(lang, "t_scale", dimension=dimension),
                (rt(lang, "item"), rt(lang, "count"), rt(lang, "share")), tuple(rows), dimension,
            )
        )  # fmt: skip
    return tuple(tables)


def destination_table(states: Sequence[GraduateState], lang: str) -> Table:
    """毕业去向: one row per code (counts in 人数), each followed by its sub-states in their own
    columns (细分人数), so that a sum of 人数 counts every graduate once; then the 合计 row."""
    total = len(states)
    by_code: Counter[int] = Counter(s.code for s in states)
    unsplit = rt(lang, "unsplit")
    by_sub: Counter[tuple[int, str]] = Counter(
        (s.code, s.substate or unsplit)
        for s in states
        if s.code not in EMPLOYED_CODES and s.code not in STUDY_CODES and (s.substate or s.code in SUBSTATES)
    )
    codes: list[int] = [d.code for d in DESTINATIONS if d.substate is None]  # MoE order, 未上报 last
    codes.extend(sorted(c for c in by_code if c not in codes))
    rows: list[Row] = []
    for code in codes:
        bucket = (
            "bucket_employed"
            if code in EMPLOYED_CODES
            else "bucket_study"
            if code in STUDY_CODES
            else "bucket_unplaced"
        )
        bucket_word = rt(lang, bucket)
        count = by_code.get(code, 0)
        name = destination_name(code, lang)
        rows.append(Row((bucket_word, code or None, name, count, Share(count, total), None, None, None)))
        known = SUBSTATES.get(code, ())
        observed = sorted(sub for (c, sub) in by_sub if c == code and sub not in known)
        for sub in (*known, *observed):
            n = by_sub.get((code, sub), 0)
            rows.append(Row((bucket_word, code or None, name, None, None, sub, n, Share(n, total))))
    rows.append(
        Row((None, None, rt(lang, "total"), total, Share(total, total), None, None, None), total=True)
    )
    headers = tuple(
        rt(lang, k)
        for k in (
            "bucket",
            "code",
            "destination",
            "count",
            "share_of_graduates",
            "substate",
            "sub_count",
            "sub_share",
        )
    )
    return Table("destinations", rt(lang, "t_destinations"), headers, tuple(rows))


def shares_table(counts: PlacementCounts, lang: str) -> Table:
    """The placement rate and the six shares of published reports, from taxonomy's code sets."""
    total = counts.total
    by_code = counts.by_code

    def of(codes: Iterable[int]) -> int:
        return sum(by_code.get(code, 0) for code in codes)

    contract = of(SIGNED_CODES)
    figures = [
        ("placement_rate", counts.placed),
        ("rate_employment", counts.employed),
        ("rate_contract", contract),
        ("rate_other", counts.employed - contract),
        ("rate_study", counts.study),
        ("rate_awaiting", of(AWAITING_CODES)),
        ("rate_not_seeking", of(NOT_SEEKING_CODES)),
    ]
    if counts.unreported:
        figures.append(("rate_unreported", counts.unreported))
    rows = tuple(Row((rt(lang, key), n, Share(n, total))) for key, n in figures)
    headers = (rt(lang, "figure"), rt(lang, "count"), rt(lang, "share_of_graduates"))
    return Table("shares", rt(lang, "t_shares"), headers, rows)


def _rate_cells(unit: str, c: PlacementCounts, card: str | None, with_cards: bool) -> tuple[Cell, ...]:
    cells: tuple[Cell, ...] = (
        unit, c.total, c.placed, c.employed, c.study, c.unplaced, Share(c.placed, c.total), Share(c.signed, c.total),
    )  # fmt: skip
    return (*cells, card) if with_cards else cells


def rate_tables(
    states: Sequence[GraduateState], counts: PlacementCounts, cards: Mapping[str, str] | None, lang: str
) -> tuple[Table, ...]:
    """落实率 per dimension, highest first; `cards` (major → 红牌/黄牌) adds a 预警 column."""
    with_cards = cards is not None
    cards = cards or {}
    keys = ["unit", "graduates", "placed", "employed", "study", "unplaced", "placement_rate", "signing_rate"]
    if with_cards:
        keys.append("card")
    headers = tuple(rt(lang, k) for k in keys)
    missing, word_total = rt(lang, "missing"), rt(lang, "total")
    tables = []
    for attr in RATE_DIMENSIONS:
        rows = [
            Row(_rate_cells(r.unit, r.counts, cards.get(r.unit) if attr == "major" else None, with_cards))
            for r in breakdown(states, attr)
        ]
        if attr == "group":
            # A graduate may be in several groups: the total counts each member once.
            members = tally(s for s in states if s.groups)
            rows.append(Row(_rate_cells(word_total, members, None, with_cards), total=True))
        else:
            absent = [s for s in states if not getattr(s, attr)]
            if absent:
                rows.append(Row(_rate_cells(missing, tally(absent), None, with_cards)))
            rows.append(Row(_rate_cells(word_total, counts, None, with_cards), total=True))
        dimension = dimension_word(lang, attr)
        tables.append(
            Table(f"rates.{attr}", rt(lang, "t_rates", dimension=dimension), headers, tuple(rows), dimension)
        )
    return tuple(tables)


def _count_rows(items: Iterable[tuple[str, int]], n: int) -> list[Row]:
    return [Row((label, count, Share(count, n))) for label, count in items]


def region_tables(
    employed: Sequence[GraduateState], home_province: str | None, lang: str
) -> tuple[Table, Table, Table, Table, dict[str, int]]:
    """就业地区: provinces, economic regions, strategy areas (overlapping, no total) and flows."""
    n = len(employed)
    missing, unknown, word_total = rt(lang, "missing"), rt(lang, "unknown_region"), rt(lang, "total")
    headers = (rt(lang, "item"), rt(lang, "employed_count"), rt(lang, "share_of_employed"))
    total_row = Row((word_total, n, Share(n, n)), total=True)

    provinces = Counter(s.province or missing for s in employed)
    province_table = Table(
        "provinces", rt(lang, "t_provinces"), headers,
        (*_count_rows(by_count(provinces, (missing,)), n), total_row), rt(lang, "province"),
    )  # fmt: skip

    regions = Counter(region_of(s.province, unknown) for s in employed)
    order = [*MAIN_REGIONS, *sorted(r for r in regions if r not in MAIN_REGIONS and r != unknown)]
    if regions.get(unknown):
        order.append(unknown)
    region_table = Table(
        "regions", rt(lang, "t_regions"), headers,
        (*_count_rows(((r, regions.get(r, 0)) for r in order), n), total_row), rt(lang, "region"),
    )  # fmt: skip

    areas: Counter[str] = Counter()
    for s in employed:
        if s.province:
            areas.update(strategy_areas_of(s.province))
    area_table = Table(
        "areas", rt(lang, "t_areas"), headers,
        tuple(_count_rows(((a, areas.get(a, 0)) for a in STRATEGY_AREAS), n)), rt(lang, "area"),
        note=rt(lang, "areas_note"),
    )  # fmt: skip

    midwest = regions.get("中部", 0) + regions.get("西部", 0)
    flows = [
        (rt(lang, "midwest"), midwest),
        (rt(lang, "grassroots"), sum(1 for s in employed if s.code in GRASSROOTS_CODES)),
    ]
    if home_province:
        flows.append((rt(lang, "home", province=home_province), provinces.get(home_province, 0)))
    flow_table = Table("flows", rt(lang, "t_flows"), headers, tuple(_count_rows(flows, n)), rt(lang, "flow"))
    return province_table, region_table, area_table, flow_table, dict(regions)


def _sector_table(
    key: str, title: str, headers: tuple[str, ...], employed: Sequence[GraduateState],
    label: Callable[[GraduateState], tuple[str, str]], lang: str,
) -> Table:  # fmt: skip
    n = len(employed)
    missing = rt(lang, "missing")
    counter = Counter(label(s) for s in employed)
    items = sorted(counter.items(), key=lambda kv: (kv[0][1] == missing, -kv[1], kv[0]))
    rows = [Row((code, name, count, Share(count, n))) for (code, name), count in items]
    rows.append(Row((None, rt(lang, "total"), n, Share(n, n)), total=True))
    return Table(key, title, headers, tuple(rows))


def nature_table(employed: Sequence[GraduateState], lang: str) -> Table:
    headers = (rt(lang, "nature_code"), rt(lang, "nature"), rt(lang, "count"), rt(lang, "share_of_employed"))
    return _sector_table(
        "natures", rt(lang, "t_natures"), headers, employed,
        lambda s: (str(s.unit_nature) if s.unit_nature is not None else "", nature_name(s.unit_nature, lang)), lang,
    )  # fmt: skip


def industry_table(employed: Sequence[GraduateState], lang: str) -> Table:
    headers = (
        rt(lang, "industry_code"),
        rt(lang, "industry"),
        rt(lang, "count"),
        rt(lang, "share_of_employed"),
    )
    return _sector_table(
        "industries", rt(lang, "t_industries"), headers, employed,
        lambda s: ((s.industry or "").upper(), industry_name(s.industry, lang)), lang,
    )  # fmt: skip


def study_table(study: Sequence[GraduateState], lang: str) -> Table:
    """升学 by school: domestic (80) and abroad (85)."""
    n = len(study)
    missing = rt(lang, "missing")
    domestic = Counter(s.school or missing for s in study if s.code == 80)
    abroad = Counter(s.school or missing for s in study if s.code != 80)
    schools = domestic + abroad
    rows = [
        Row((school, count, domestic.get(school, 0), abroad.get(school, 0), Share(count, n)))
        for school, count in by_count(schools, (missing,))
    ]
    rows.append(Row((rt(lang, "total"), n, domestic.total(), abroad.total(), Share(n, n)), total=True))
    headers = tuple(rt(lang, k) for k in ("school", "count", "domestic", "abroad", "share_of_study"))
    return Table("study", rt(lang, "t_study"), headers, tuple(rows))


def unplaced_table(states: Sequence[GraduateState], lang: str) -> Table:
    total = len(states)
    unplaced = [s for s in states if not s.placed]
    n = len(unplaced)
    counter = Counter(unplaced_label(s) for s in unplaced)
    rows = [
        Row((label, count, Share(count, total), Share(count, n)))
        for label, count in by_count(counter, ("未上报",))
    ]
    rows.append(Row((rt(lang, "total"), n, Share(n, total), Share(n, n)), total=True))
    headers = tuple(
        rt(lang, k) for k in ("unplaced_state", "count", "share_of_graduates", "share_of_unplaced")
    )
    return Table("unplaced", rt(lang, "t_unplaced"), headers, tuple(rows))


def trend_table(weekly: Sequence[tuple[date, int, int]], lang: str) -> Table:
    """(date, placed, total) per week, with the change on the previous week in points."""
    rows = []
    previous: int | None = None
    for day, placed, total in sorted(weekly, key=lambda w: w[0]):
        current = hundredths_of_percent(placed, total)
        change = Points(current - previous) if previous is not None and total > 0 else None
        rows.append(Row((day, placed, total, Share(placed, total), change)))
        if total > 0:
            previous = current
    headers = tuple(rt(lang, k) for k in ("day", "placed", "graduates", "placement_rate", "change_points"))
    return Table("trend", rt(lang, "t_trend"), headers, tuple(rows))


def report_tables(
    states: Sequence[GraduateState],
    *,
    home_province: str | None = None,
    weekly: Sequence[tuple[date, int, int]] = (),
    cards: Mapping[str, str] | None = None,
    lang: str = "zh",
) -> ReportTables:
    """Every table of the 就业质量年度报告 for these graduates, in `lang`."""
    states = list(states)
    counts = tally(states)
    employed = [s for s in states if s.code in EMPLOYED_CODES]
    provinces, regions, areas, flows, region_counts = region_tables(employed, home_province, lang)
    return ReportTables(
        lang=lang,
        counts=counts,
        scale=scale_tables(states, lang),
        destinations=destination_table(states, lang),
        shares=shares_table(counts, lang),
        rates=rate_tables(states, counts, cards, lang),
        provinces=provinces,
        regions=regions,
        areas=areas,
        flows=flows,
        natures=nature_table(employed, lang),
        industries=industry_table(employed, lang),
        study=study_table([s for s in states if s.code in STUDY_CODES], lang),
        unplaced=unplaced_table(states, lang),
        trend=trend_table(weekly, lang),
        region_counts=region_counts,
    )
