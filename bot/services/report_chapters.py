"""The Word draft's chapters that other use cases own (product.md §7): 五、毕业生自主评价 from the
survey (§11) and 六、就业信息核查 from the 核查 figures (§10).

Each chapter is built from the same rows as its workbook sheet (自主评价: `bot.survey.evaluation_rows`
through `bot.services.survey.evaluation`; 核查: `CheckService.report_rows`), so the draft and the
workbook print the same figures. A source returns None when it has nothing to report, and the
draft then has no such chapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.graduate_sheets import CHECK_HEADER
from bot.report_tables import Row, Share, Table

if TYPE_CHECKING:
    from bot.report_document import Chapter
    from bot.services.checks import CheckService, CheckTable
    from bot.services.outputs import ReportInputs

EVALUATION_HEADERS = {
    "zh": ("范围", "题目", "项目", "人数", "占比"),
    "en": ("Scope", "Question", "Item", "N", "Share"),
}
CHECK_HEADERS = {
    "zh": CHECK_HEADER,
    "en": (
        "Department", "Graduates", "Placed", "Confirmed", "Materials", "Checked (true)", "Unchecked", "Check rate",
        "Pending review", "Not true", "Bound", "Share bound",
    ),
}  # fmt: skip


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def evaluation_chapter(session: Session, inputs: ReportInputs) -> Chapter | None:
    """五、毕业生自主评价: every question's figures, the school first, then each department where
    N ≥ 5 (`<5` below), from submitted questionnaires only."""
    from bot.report_document import Chapter
    from bot.services.survey import evaluation

    lang = _lang(inputs.lang)
    rows = evaluation(session, inputs.cohort_id, inputs.states, lang)
    if not rows:
        return None
    table = Table(
        key="evaluation",
        title="毕业生自主评价（跟踪调查）" if lang == "zh" else "Graduates' own evaluation (follow-up survey)",
        headers=EVALUATION_HEADERS[lang],
        rows=tuple(Row((r.unit, r.question, r.item, r.count, r.share)) for r in rows),
    )
    school = rows[0].unit
    satisfied = next(
        (r.share for r in rows if r.unit == school and r.question_id == "school" and r.item.startswith(("满意度", "Satisfied"))),
        None,
    )
    if lang == "zh":
        sentences = ["本章数据来自本校通过机器人开展的毕业生跟踪调查（仅计已提交的问卷）；不足 5 人的数字显示为 <5。"]
        if satisfied:
            sentences.append(f"{school}毕业生对母校的总体满意度（很满意、较满意、基本满意）为 {satisfied}。")
    else:
        sentences = ["This chapter comes from the follow-up survey run in the bot (submitted questionnaires only); figures about fewer than 5 respondents show as <5."]
        if satisfied:
            sentences.append(f"Satisfaction with the school ({school}, the first three options): {satisfied}.")
    title = "毕业生自主评价" if lang == "zh" else "Graduates' own evaluation"
    return Chapter(title=title, sentences=tuple(sentences), tables=(table,))


def check_table(table: CheckTable, lang: str) -> Table:
    """The 核查 table as the draft prints it: the workbook sheet's columns, rates as exact shares."""
    rows = []
    for row in (*table.rows, table.total):
        cells = (
            row.unit, row.total, row.placed, row.confirmed, row.materials, row.checked, row.unchecked,
            Share(row.placed - row.unchecked, row.placed), row.pending, row.flagged, row.bound, Share(row.bound, row.total),
        )  # fmt: skip
        rows.append(Row(cells, total=row is table.total))
    title = "就业信息核查（按院系）" if lang == "zh" else "Verification by department"
    return Table(key="checks", title=title, headers=CHECK_HEADERS[_lang(lang)], rows=tuple(rows))


def check_chapter_source(checks: CheckService) -> Callable[[Session, ReportInputs], Chapter | None]:
    """六、就业信息核查, once graduates are bound or anything was checked in the asker's scope."""

    def check_chapter(session: Session, inputs: ReportInputs) -> Chapter | None:
        from bot.report_document import Chapter

        table = checks.report_rows(inputs.actor, inputs.year, inputs.as_of)
        t = table.total
        if not (t.bound or t.confirmed or t.materials or t.checked or t.flagged or t.pending):
            return None
        lang = _lang(inputs.lang)
        day = inputs.as_of.isoformat()
        if lang == "zh":
            sentence = (
                f"截至 {day}，已落实的 {t.placed} 名毕业生中，本人确认 {t.confirmed} 人，有材料 {t.materials} 人，"
                f"核实属实 {t.checked} 人，未核查 {t.unchecked} 人；待审核的本人上报 {t.pending} 条，核实不属实 {t.flagged} 人；"
                f"已绑定机器人的毕业生 {t.bound} 人。"
            )
            note = "本人确认、有材料、核实属实可以重叠；未核查为三者皆无的已落实毕业生。"
        else:
            sentence = (
                f"As of {day}, of {t.placed} placed graduates {t.confirmed} confirmed their record, {t.materials} have "
                f"materials, {t.checked} were checked as true and {t.unchecked} are unchecked; {t.pending} self-reports "
                f"await review, {t.flagged} were found not true; {t.bound} graduates are bound to the bot."
            )
            note = "Confirmed, materials and checked may overlap; unchecked are placed graduates with none of them."
        title = "就业信息核查" if lang == "zh" else "Verification of the records"
        return Chapter(title=title, sentences=(sentence, note), tables=(check_table(table, lang),))

    return check_chapter
