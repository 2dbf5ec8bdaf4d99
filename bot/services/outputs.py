"""Charts, exports and the annual report: gathering a scope's data for the pure renderers.

`OutputService` reads through the snapshot store, the shared scoping (`questions.Scoping`) and
the policy; rendering (matplotlib, xlsxwriter) happens in the calling worker thread.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot import texts
from bot.disclosure import Audience, hides, shown, withheld
from bot.metrics import (
    EMPLOYED_CODES,
    STUDY_CODES,
    GraduateState,
    breakdown,
    unplaced_label,
)
from bot.report_texts import rt
from bot.scopes import WHOLE_SCHOOL, Scope
from bot.services import policy
from bot.services.base import ServiceError
from bot.services.policy import Action, Actor
from bot.services.questions import Ambiguous, Scoping, scope_label
from bot.services.snapshots import SnapshotStore
from bot.services.targets import TargetService
from bot.settings import Settings
from bot.taxonomy import ECONOMIC_REGION, INDUSTRIES, UNIT_NATURES, destination_for, strategy_areas_of
from storage import repo

if TYPE_CHECKING:  # python-docx is imported when a draft is written, not at start-up
    from bot.report_document import Chapter
    from bot.report_tables import ReportTables
    from bot.survey import EvaluationRow
from storage.db import Database

CHART_KINDS = ("rates", "trend", "mix", "flow", "sector")
CHART_ALIASES = {
    "rates": "rates", "落实率": "rates", "rate": "rates",
    "trend": "trend", "趋势": "trend",
    "mix": "mix", "去向": "mix", "构成": "mix",
    "flow": "flow", "地区": "flow", "流向": "flow",
    "sector": "sector", "行业": "sector", "性质": "sector",
}  # fmt: skip
# The sub-unit a rates chart breaks a scope into.
SUB_UNIT = {"all": "department", "department": "major", "category": "major", "major": "class_name"}


@dataclass(frozen=True)
class Picture:
    png: bytes
    caption: str
    file_name: str = "chart.png"


@dataclass(frozen=True)
class Document:
    data: bytes
    file_name: str
    caption: str


@dataclass(frozen=True)
class ReportFiles:
    """`/report`'s two files: the workbook of tables and the Word draft of the report."""

    workbook: Document
    draft: Document


@dataclass(frozen=True)
class ReportInputs:
    """What the report is built from, gathered in one read: also what an extra chapter's source gets."""

    actor: Actor
    lang: str
    cohort_id: int
    year: int
    as_of: date
    scope: Scope
    label: str
    whole_school: bool
    states: list[GraduateState]
    weekly: list[tuple[date, int, int]]
    cards: dict[str, str]
    first_update: date | None
    evaluation: list[EvaluationRow] | None = None  # the survey's 自主评价 rows, when a survey exists (§11)
    charts: dict[str, bytes] = field(default_factory=dict)
    extra: tuple[Chapter, ...] = ()


ChapterSource = Callable[[Session, ReportInputs], "Chapter | None"]


class OutputService:
    def __init__(
        self, db: Database, snapshots: SnapshotStore, scoping: Scoping, targets: TargetService, settings: Settings
    ) -> None:
        self.db = db
        self.snapshots = snapshots
        self.scoping = scoping
        self.targets = targets
        self.settings = settings
        self.chapter_sources: list[ChapterSource] = []
        # §10: writes the report's 核查 sheet for (actor, cohort year, as-of), or None; set by Services.build
        self.check_sheet: Callable[[Actor, int, date], Callable[[Any], None] | None] | None = None

    # ------------------------------------------------------------ shared

    def _scope_states(
        self, session: Session, actor: Actor, args: Sequence[str], lang: str
    ) -> tuple[int, int, date, Scope, str, list[GraduateState]] | Ambiguous:
        asked = self.scoping.ask(session, actor, args)
        if isinstance(asked, Ambiguous):
            return asked
        states, _ = self.scoping.visible(session, actor, asked.cohort_id, asked.as_of, asked.scope)
        return asked.cohort_id, asked.year, asked.as_of, asked.scope, scope_label(actor, asked.scope, lang), states

    def weekly_rates(
        self, session: Session, cohort_id: int, year: int, members: set[int], until: date
    ) -> list[tuple[date, int, int]]:
        """(day, placed, total) weekly from the first update of the season to `until`."""
        start = self.snapshots.first_day(session, cohort_id)
        if start is None or not members:
            return []
        end = min(until, date(year, 12, 31))
        if start > end:
            return []
        days = [start + timedelta(days=7 * i) for i in range((end - start).days // 7 + 1)]
        if days[-1] != end:
            days.append(end)
        selection = self.snapshots.selection_of(session, cohort_id, members)
        placed = self.snapshots.placed_series(session, cohort_id, selection, days)
        return [(day, n, len(members)) for day, n in zip(days, placed, strict=True)]

    # ------------------------------------------------------------ charts

    def chart(self, actor: Actor, kind_word: str, args: Sequence[str], lang: str = "zh") -> Picture | Ambiguous:
        policy.require(actor, Action.READ_RATES)
        kind = CHART_ALIASES.get(kind_word.lower())
        if kind is None:
            raise ServiceError("chart_usage")
        with self.db.read() as session:
            gathered = self._scope_states(session, actor, args, lang)
            if isinstance(gathered, Ambiguous):
                return gathered
            cohort_id, year, as_of, scope, label, states = gathered
            audience = actor.audience
            if hides(audience, len(states)):
                raise ServiceError("group_too_small")
            title = texts.chart_text(lang, "title", label=label, year=year, day=as_of.isoformat())
            png, hidden = self._render(session, kind, title, cohort_id, year, scope, states, as_of, actor, lang)
            note = " · " + texts.chart_text(lang, "hidden", n=hidden) if hidden else ""
        caption = f"{title} · {texts.chart_text(lang, kind)}{note}"[:1024]
        return Picture(png, caption, f"chart-{kind}-{as_of.isoformat()}.png")

    def _render(
        self,
        session: Session,
        kind: str,
        title: str,
        cohort_id: int,
        year: int,
        scope: Scope,
        states: list[GraduateState],
        as_of: date,
        actor: Actor,
        lang: str = "zh",
        dpi: int | None = None,
    ) -> tuple[bytes, int]:
        """One of CHART_KINDS as PNG, and how many units it leaves out; `dpi` None is the screen's.
        The asker bounds every input, last year's curve included; their audience what is shown."""
        from bot import charts  # matplotlib: imported when a chart is drawn, not at start-up

        dpi = dpi or charts.DPI
        audience = actor.audience
        headline = self.targets.headline_targets(session, cohort_id, year, states)
        if kind == "rates":
            return self._rates_chart(title, scope, states, as_of, headline, audience, lang, dpi)
        if kind == "trend":
            return self._trend_chart(session, actor, title, cohort_id, year, states, as_of, headline, lang, dpi), 0
        if kind == "mix":
            parts, buckets = mix_parts(states)
            mix_title = f"{title} · {texts.chart_text(lang, 'mix')}"
            return charts.render_mix(mix_title, shareable(audience, parts), buckets=buckets, lang=lang, dpi=dpi), 0
        if kind == "flow":
            return self._flow_chart(title, states, audience, lang, dpi), 0
        employed = [s for s in states if s.code in EMPLOYED_CODES]
        not_given = texts.chart_text(lang, "not_given")
        natures = Counter(UNIT_NATURES.get(s.unit_nature or -1, not_given) for s in employed)
        industries = Counter(INDUSTRIES.get(s.industry or "", not_given) for s in employed)
        png = charts.render_sector(
            f"{title} · {texts.chart_text(lang, 'sector')}",
            shareable(audience, natures.most_common()),
            shareable(audience, industries.most_common()),
            lang=lang,
            dpi=dpi,
        )
        return png, 0

    def _rates_chart(
        self,
        title: str,
        scope: Scope,
        states: list[GraduateState],
        as_of: date,
        headline: list[tuple[date, Decimal]],
        audience: Audience = Audience.PRIVATE,
        lang: str = "zh",
        dpi: int | None = None,
    ) -> tuple[bytes, int]:
        """The chart and how many units it leaves out (a group sees no unit under 5)."""
        from bot import charts  # matplotlib: imported when a chart is drawn, not at start-up

        dimension = SUB_UNIT.get(scope.dimension, "class_name")
        rows = breakdown(states, dimension)
        # a group sees no bar for a unit under 5 (nor for one withheld with it), and "<5" for 1–4 placed
        held = withheld(audience, [row.counts.total for row in rows])
        bars = [
            charts.Bar(row.unit, row.counts.placed, row.counts.total, shown(audience, row.counts.placed))
            for i, row in enumerate(rows)
            if i not in held
        ]
        hidden = len(rows) - len(bars)
        if hidden:
            title += " · " + texts.chart_text(lang, "hidden", n=hidden)
        upcoming = [(day, value) for day, value in headline if day >= as_of]
        target = float(upcoming[0][1]) if upcoming else None
        target_label = (
            texts.chart_text(
                lang, "target", day=f"{upcoming[0][0].month}-{upcoming[0][0].day:02d}", value=format(upcoming[0][1].normalize(), "f")
            )
            if upcoming
            else None
        )
        png = charts.render_rates(
            f"{title} · {texts.chart_text(lang, 'rates')}", bars, target_percent=target, target_label=target_label, lang=lang,
            dpi=dpi or charts.DPI,
        )
        return png, hidden

    def _trend_chart(
        self,
        session: Session,
        actor: Actor,
        title: str,
        cohort_id: int,
        year: int,
        states: list[GraduateState],
        as_of: date,
        headline: list[tuple[date, Decimal]],
        lang: str = "zh",
        dpi: int | None = None,
    ) -> bytes:
        from bot import charts  # matplotlib: imported when a chart is drawn, not at start-up

        members = {s.graduate_id for s in states}
        series = [(texts.chart_text(lang, "series", year=year), _as_points(self.weekly_rates(session, cohort_id, year, members, as_of)))]
        previous = repo.get_cohort(session, year - 1)
        if previous is not None and previous.id is not None:
            prev_members = self.previous_members(session, actor, previous.id, year - 1, states)
            prev = self.weekly_rates(session, previous.id, year - 1, prev_members, date(year - 1, 12, 31))
            shifted = [(_next_year(day), placed, total) for day, placed, total in prev]
            if shifted and not hides(actor.audience, len(prev_members)):
                series.append((texts.chart_text(lang, "series", year=year - 1), _as_points(shifted)))
        checkpoints = [(day, float(value)) for day, value in headline]
        return charts.render_trend(
            f"{title} · {texts.chart_text(lang, 'trend')}", series, checkpoints=checkpoints, lang=lang, dpi=dpi or charts.DPI
        )

    def previous_members(
        self, session: Session, actor: Actor, previous_id: int, previous_year: int, states: list[GraduateState]
    ) -> set[int]:
        """Last year's curve's graduates: those of the previous cohort in the same departments and
        majors as `states`, and — like every figure — only those the asker's scope covers (a
        counsellor of one class sees no other class's past, nor the whole major's)."""
        scope_keys = {(s.department, s.major) for s in states}
        candidates = [
            s for s in self.snapshots.states(session, previous_id, date(previous_year, 12, 31))
            if (s.department, s.major) in scope_keys
        ]
        return {s.graduate_id for s in policy.visible(actor, candidates)}

    def _flow_chart(
        self,
        title: str,
        states: list[GraduateState],
        audience: Audience = Audience.PRIVATE,
        lang: str = "zh",
        dpi: int | None = None,
    ) -> bytes:
        from bot import charts  # matplotlib: imported when a chart is drawn, not at start-up

        employed = [s for s in states if s.code in EMPLOYED_CODES]
        provinces = Counter(s.province or texts.chart_text(lang, "not_given") for s in employed)
        regions = Counter(ECONOMIC_REGION.get(s.province or "", texts.chart_text(lang, "unknown")) for s in employed)
        areas: Counter[str] = Counter()
        for s in employed:
            areas.update(strategy_areas_of(s.province) if s.province else ())
        home = self.settings.home_province
        home_share = (home, provinces.get(home, 0), len(employed)) if home else None
        if home_share and (hides(audience, home_share[1]) or hides(audience, home_share[2])):
            home_share = None
        return charts.render_flow(
            f"{title} · {texts.chart_text(lang, 'flow')}",
            shareable(audience, provinces.most_common()),
            shareable(audience, regions.most_common()),
            shareable(audience, areas.most_common()),
            home_share,
            lang=lang,
            dpi=dpi or charts.DPI,
        )

    # ------------------------------------------------------------ workbooks

    def export(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> Document | Ambiguous:
        from bot.workbooks import export_workbook

        policy.require(actor, Action.EXPORT)
        with self.db.read() as session:
            gathered = self._scope_states(session, actor, args, lang)
            if isinstance(gathered, Ambiguous):
                return gathered
            _, year, as_of, scope, label, states = gathered
        data = export_workbook(states, cohort=year, as_of=as_of)
        name = f"毕业去向_{year}届_{'全校' if scope == WHOLE_SCHOOL else scope.value}_{as_of.isoformat()}.xlsx"
        return Document(data, name, f"{label} · {len(states)} 人 · 截至 {as_of.isoformat()}")

    def report(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> Document | Ambiguous:
        """The annual-report workbook alone (the CLI's `.xlsx`)."""
        gathered = self._report_inputs(actor, args, lang, charts=False)
        if isinstance(gathered, Ambiguous):
            return gathered
        return self._workbook(gathered, self._tables(gathered, "zh"))

    def report_draft(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> Document | Ambiguous:
        """The Word draft alone (the CLI's `.docx`)."""
        gathered = self._report_inputs(actor, args, lang, charts=True)
        if isinstance(gathered, Ambiguous):
            return gathered
        return self._draft(gathered, self._tables(gathered, lang))

    def report_files(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> ReportFiles | Ambiguous:
        """`/report`: the workbook and the Word draft, from the same figures."""
        gathered = self._report_inputs(actor, args, lang, charts=True)
        if isinstance(gathered, Ambiguous):
            return gathered
        tables = self._tables(gathered, "zh")  # computed once: the workbook's, and a Chinese draft's
        draft_tables = tables if lang == "zh" else self._tables(gathered, lang)
        return ReportFiles(self._workbook(gathered, tables), self._draft(gathered, draft_tables))

    def add_chapter_source(self, source: ChapterSource) -> None:
        """Register an extra chapter of the draft (五、毕业生自主评价, 六、就业信息核查): `source` gets the
        report's inputs and returns a `Chapter`, or None when it has nothing to say for them."""
        self.chapter_sources.append(source)

    def _report_inputs(self, actor: Actor, args: Sequence[str], lang: str, *, charts: bool) -> ReportInputs | Ambiguous:
        from bot.services.survey import evaluation as survey_evaluation

        policy.require(actor, Action.REPORT)
        with self.db.read() as session:
            gathered = self._scope_states(session, actor, args, lang)
            if isinstance(gathered, Ambiguous):
                return gathered
            cohort_id, year, as_of, scope, label, states = gathered
            weekly = self.weekly_rates(session, cohort_id, year, {s.graduate_id for s in states}, as_of)
            cards = self.targets.cards(session, year, sorted({s.major for s in states}))
            inputs = ReportInputs(
                actor=actor, lang=lang, cohort_id=cohort_id, year=year, as_of=as_of, scope=scope, label=label,
                whole_school=scope == WHOLE_SCHOOL and actor.scope.everything, states=states, weekly=weekly,
                cards=cards, first_update=self.snapshots.first_day(session, cohort_id),
                evaluation=survey_evaluation(session, cohort_id, states),
            )  # fmt: skip
            if not charts or not states or all(s.code == 0 for s in states):
                return inputs
            from bot.charts import PRINT_DPI

            title = texts.chart_text(lang, "title", label=label, year=year, day=as_of.isoformat())
            pictures = {
                kind: self._render(session, kind, title, cohort_id, year, scope, states, as_of, actor, lang, PRINT_DPI)[0]
                for kind in CHART_KINDS
            }
            extra = tuple(chapter for source in self.chapter_sources if (chapter := source(session, inputs)) is not None)
        return dataclasses.replace(inputs, charts=pictures, extra=extra)

    def _tables(self, inputs: ReportInputs, lang: str) -> ReportTables:
        from bot.report_tables import report_tables

        return report_tables(
            inputs.states, home_province=self.settings.home_province, weekly=inputs.weekly, cards=inputs.cards, lang=lang
        )

    def _workbook(self, inputs: ReportInputs, tables: ReportTables) -> Document:
        from bot.workbooks import report_workbook

        year, as_of = inputs.year, inputs.as_of
        extra = self.check_sheet(inputs.actor, year, as_of) if self.check_sheet is not None else None
        data = report_workbook(
            inputs.states, cohort=year, as_of=as_of, tables=tables, extra=extra, evaluation=inputs.evaluation
        )
        name = f"就业质量年度报告_{year}届_{as_of.isoformat()}.xlsx"
        return Document(data, name, f"{inputs.label} · {year}届 · 截至 {as_of.isoformat()}")

    def _draft(self, inputs: ReportInputs, tables: ReportTables) -> Document:
        from bot.report_document import Draft, report_document

        lang = inputs.lang
        draft = Draft(
            cohort=inputs.year, as_of=inputs.as_of, scope_label=inputs.label, whole_school=inputs.whole_school,
            first_update=inputs.first_update, charts=inputs.charts, extra=inputs.extra,
        )  # fmt: skip
        made = report_document(tables, draft)
        caption = rt(
            lang, "doc_caption", label=inputs.label, year=inputs.year, day=inputs.as_of.isoformat(),
            chapters=" ".join(made.chapters) or rt(lang, "doc_caption_empty"), tables=made.tables, figures=made.figures,
        )  # fmt: skip
        return Document(made.data, f"就业质量年度报告-{inputs.year}.docx", caption)


def shareable(audience: Audience, parts: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The parts this audience may see: for a group, none counting fewer than 5 graduates."""
    return [(label, n) for label, n in parts if not hides(audience, n)]


def mix_parts(states: Sequence[GraduateState]) -> tuple[list[tuple[str, int]], dict[str, str]]:
    """Employed by kind, study, then unplaced by sub-state — in that order, zero counts left out —
    and each label's bucket (for its colour), as the taxonomy defines them."""
    employed = Counter(destination_for(s.code, None).name_zh for s in states if s.code in EMPLOYED_CODES)
    study = Counter(destination_for(s.code, None).name_zh for s in states if s.code in STUDY_CODES)
    unplaced = Counter(unplaced_label(s) for s in states if not s.placed)
    buckets = {
        **dict.fromkeys(employed, "employed"), **dict.fromkeys(study, "study"), **dict.fromkeys(unplaced, "unplaced")
    }
    return [*employed.most_common(), *study.most_common(), *unplaced.most_common()], buckets


def _as_points(rows: Sequence[tuple[date, int, int]]) -> list[tuple[date, float]]:
    return [(day, placed * 100 / total if total else 0.0) for day, placed, total in rows]


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
