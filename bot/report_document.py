"""The 就业质量年度报告 draft as a Word document (product.md §7), built with python-docx.

Pure module: the tables of `bot.report_tables` (the same the workbook writes), PNG charts and
optional extra chapters in; `.docx` bytes out. No Telegram, no database.

Layout follows published reports: a title, a table-of-contents field, the chapters 一、毕业生规模和结构
二、毕业去向落实情况 三、就业流向 四、升学, then any extra chapters passed in (五、毕业生自主评价 from the
survey, 六、就业信息核查 from 核查 — plain titled tables and sentences, see :class:`Chapter`), then a
page of definitions. Each chapter opens with sentences that state its figures; tables are captioned
表 1 … above, charts 图 1 … below. Chinese text is set in 宋体 (body) and 黑体 (headings and
captions) through ``w:eastAsia`` in ``w:rFonts`` so that Word and WPS both pick them; Latin text in
Times New Roman. The footer carries a PAGE field.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.report_tables import Cell, Points, ReportTables, Share, Table
from bot.report_texts import rt
from bot.taxonomy import EMPLOYED_CODES, SIGNED_CODES, STUDY_CODES

__all__ = ["CHART_ORDER", "Chapter", "Draft", "DraftFile", "cell_text", "rate_sentence", "report_document"]

CHART_ORDER = ("mix", "rates", "trend", "flow", "sector")
LATIN_FONT = "Times New Roman"
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_SIZE = Pt(12)  # 小四
TABLE_SIZE = Pt(9)  # 小五
PICTURE_WIDTH = Cm(15.5)
HEADER_FILL = "DDEBF7"
_ZH_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Chapter:
    """An extra chapter as plain data (五、毕业生自主评价, 六、就业信息核查): sentences, then each table
    with its caption, then each chart (caption title, PNG). Only chapters that exist are passed."""

    title: str
    sentences: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class Draft:
    """What the document is about: the cohort, the date, the scope and where its figures come from."""

    cohort: int
    as_of: date
    scope_label: str
    whole_school: bool
    first_update: date | None = None  # the cohort's first recorded update, for the empty document
    charts: Mapping[str, bytes] = field(default_factory=dict)  # CHART_ORDER kind → PNG
    extra: tuple[Chapter, ...] = ()


def cell_text(cell: Cell) -> str:
    """A table cell as the draft prints it: shares as '84.70%', changes as '+4.54', dates ISO."""
    if cell is None:
        return ""
    if isinstance(cell, Share | Points):
        return cell.text
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


# ---------------------------------------------------------------------------------------------
# low-level helpers: fonts, fields, tables
# ---------------------------------------------------------------------------------------------


def _set_fonts(rpr_parent: object, latin: str, east_asia: str) -> None:
    """Explicit fonts on a style or run: Latin faces and ``w:eastAsia`` (theme fonts removed)."""
    rpr = rpr_parent.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, TOC …) in `paragraph`: begin, instruction, separate, shown text, end."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
TEXT_WIDTH_TWIPS = 9072  # 16 cm between the margins
TWIPS_PER_UNIT = 95  # half a CJK character at 9 pt (180 twips a character), with a little air
CELL_PADDING = 230  # Word's default left and right cell margins (108 twips each)


def _clean(text: str) -> str:
    """Text python-docx accepts: data (a school's name, a unit's) may carry control characters."""
    return _XML_ILLEGAL.sub("", text)


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("", text).translate(_XML_ESCAPES)


def _width(text: str) -> int:
    return (len(text) + len(text.encode("utf-8"))) // 2  # ASCII 1, CJK 2


def _numeric(cell: Cell) -> bool:
    return isinstance(cell, int | Share | Points) and not isinstance(cell, bool)


def _column_widths(table: Table, texts: Sequence[Sequence[str]]) -> list[int]:
    """Column widths in twips filling the text width: each column as wide as its longest cell (a
    header may wrap); when that is too wide, text columns give way, numbers never wrap."""
    columns = len(table.headers)
    body = [max((_width(r[i]) for r in texts), default=0) for i in range(columns)]
    numeric = [any(_numeric(row.cells[i]) for row in table.rows) for i in range(columns)]
    wanted = [
        (max(b, min(_width(h), 8), 4) + 1) * TWIPS_PER_UNIT + CELL_PADDING
        for b, h in zip(body, table.headers, strict=True)
    ]
    total = sum(wanted)
    if total <= TEXT_WIDTH_TWIPS:
        return [w * TEXT_WIDTH_TWIPS // total for w in wanted]
    fixed = sum(w for w, n in zip(wanted, numeric, strict=True) if n)
    flexible = total - fixed
    room = max(TEXT_WIDTH_TWIPS - fixed, columns * 4 * TWIPS_PER_UNIT)
    return [
        w if n else max(w * room // flexible, 4 * TWIPS_PER_UNIT)
        for w, n in zip(wanted, numeric, strict=True)
    ]


def _table_xml(table: Table, table_style: str, cell_style: str) -> str:
    """A `w:tbl`: grid lines, centred, a shaded bold header row repeated on each page, numbers
    right-aligned, 合计 rows bold; columns as wide as their longest text, within the page."""
    texts = [[cell_text(c) for c in row.cells] for row in table.rows]
    widths = _column_widths(table, texts)

    def cell(text: str, width: int, *, bold: bool, right: bool, header: bool) -> str:
        shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if header else ""
        jc = '<w:jc w:val="right"/>' if right else ('<w:jc w:val="center"/>' if header else "")
        bold_run = "<w:rPr><w:b/></w:rPr>" if bold else ""
        run = f'<w:r>{bold_run}<w:t xml:space="preserve">{_xml(text)}</w:t></w:r>' if text else ""
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}<w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{cell_style}"/>{jc}</w:pPr>{run}</w:p></w:tc>'
        )

    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{table_style}"/><w:tblW w:w="0" w:type="auto"/>'
        '<w:jc w:val="center"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
        *(cell(h, widths[i], bold=True, right=False, header=True) for i, h in enumerate(table.headers)),
        "</w:tr>",
    ]
    for row, row_texts in zip(table.rows, texts, strict=True):
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        parts.extend(
            cell(text, widths[i], bold=row.total, right=_numeric(value), header=False)
            for i, (value, text) in enumerate(zip(row.cells, row_texts, strict=True))
        )
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


class _Writer:
    """The document being written, with its table and figure counters."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.doc = Document()
        self.tables = 0
        self.figures = 0
        self.chapters = 0
        self.sections = 0
        self.headings: list[str] = []
        self._styles()

    # ---- styles and page
    def _styles(self) -> None:
        doc = self.doc
        self.table_style = doc.styles["Table Grid"].style_id
        cell = doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = doc.styles["Normal"]
        cell.font.size = TABLE_SIZE
        cell.paragraph_format.line_spacing = 1.0
        cell.paragraph_format.space_before = cell.paragraph_format.space_after = Pt(0)
        self.cell_style = cell.style_id
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
        heading = HEADING_FONT if self.lang == "zh" else "Arial"
        normal = doc.styles["Normal"]
        normal.font.size = BODY_SIZE
        _set_fonts(normal.element, LATIN_FONT, BODY_FONT)
        normal.paragraph_format.line_spacing = 1.5
        normal.paragraph_format.space_after = Pt(0)
        for name, size in (
            ("Title", Pt(22)),
            ("Heading 1", Pt(16)),
            ("Heading 2", Pt(14)),
            ("Caption", Pt(10.5)),
        ):
            style = doc.styles[name]
            style.font.size = size
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            _set_fonts(style.element, LATIN_FONT if self.lang == "zh" else heading, HEADING_FONT)
            style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 6)
            style.paragraph_format.space_after = Pt(6)
        doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.styles["Caption"].paragraph_format.keep_with_next = True
        # page numbers, centred in the footer
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, after = rt(self.lang, "doc_page", page="\0").split("\0")
        footer.add_run(before)
        _field(footer, "PAGE", "1")
        footer.add_run(after)
        # ask Word to refresh the fields (the table of contents) when the file is opened
        settings = doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    # ---- blocks
    def title(self, text: str, subtitle: str) -> None:
        self.doc.add_paragraph(_clean(text), style="Title")
        sub = self.doc.add_paragraph(_clean(subtitle))
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def toc(self) -> None:
        heading = self.doc.add_paragraph(rt(self.lang, "doc_toc"), style="Caption")
        heading.paragraph_format.keep_with_next = True
        _field(self.doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', rt(self.lang, "doc_toc_hint"))
        self.page_break()

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def chapter(self, title: str) -> None:
        self.chapters += 1
        self.sections = 0
        number = self.chapters
        prefix = f"{_ZH_NUMERALS[number - 1]}、" if self.lang == "zh" else f"{number} "
        self.doc.add_heading(_clean(prefix + title), level=1)
        self.headings.append(_clean(prefix + title))

    def section(self, title: str) -> None:
        self.sections += 1
        number = self.sections
        prefix = f"（{_ZH_NUMERALS[number - 1]}）" if self.lang == "zh" else f"{self.chapters}.{number} "
        self.doc.add_heading(_clean(prefix + title), level=2)

    def text(self, *sentences: str) -> None:
        body = "".join(sentences) if self.lang == "zh" else " ".join(sentences)
        if body:
            paragraph = self.doc.add_paragraph(_clean(body))
            paragraph.paragraph_format.first_line_indent = Pt(24) if self.lang == "zh" else None

    def table(self, table: Table) -> None:
        """A captioned table (表 n above it), its header row repeated on each page.

        Written as one piece of WordprocessingML, parsed once: python-docx's cell-by-cell API costs
        about 3 ms a cell, and a report has thousands."""
        self.tables += 1
        caption = self.doc.add_paragraph(
            _clean(rt(self.lang, "caption_table", n=self.tables, title=table.title)), style="Caption"
        )
        caption._p.addnext(parse_xml(_table_xml(table, self.table_style, self.cell_style)))
        if table.note:
            self.doc.add_paragraph(_clean(table.note), style="Table Text")
        self.doc.add_paragraph()

    def figure(self, png: bytes | None, title: str) -> None:
        if not png:
            return
        self.figures += 1
        picture = self.doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.line_spacing = 1.0
        picture.add_run().add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
        self.doc.add_paragraph(_clean(rt(self.lang, "caption_figure", n=self.figures, title=title)), style="Caption")
        self.doc.add_paragraph()

    def file(self) -> DraftFile:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return DraftFile(buffer.getvalue(), tuple(self.headings), self.tables, self.figures)


# ---------------------------------------------------------------------------------------------
# the chapters
# ---------------------------------------------------------------------------------------------


def _body(table: Table) -> list[tuple[Cell, ...]]:
    """The rows of a table other than its 合计 row."""
    return [row.cells for row in table.rows if not row.total]


def _scale(w: _Writer, t: ReportTables, draft: Draft) -> None:
    lang = w.lang
    w.chapter(rt(lang, "ch_scale"))
    scale = {table.key: table for table in t.scale}
    departments, majors = scale["scale.department"], scale["scale.major"]
    missing = rt(lang, "missing")
    units = [r for r in _body(departments) if r[0] != missing]
    first = units[0] if units else None
    w.text(
        rt(
            lang, "s_scale", scope=_scope_words(draft, lang), year=draft.cohort, total=t.counts.total,
            departments=len(units), majors=len([r for r in _body(majors) if r[0] != missing]),
        ),
        rt(lang, "s_largest", unit=first[0], count=first[1], share=cell_text(first[2])) if first and len(units) > 1 else "",
        _gender_sentence(t, lang),
    )  # fmt: skip
    for table in t.scale:
        w.table(table)


def _gender_sentence(t: ReportTables, lang: str) -> str:
    gender = next(table for table in t.scale if table.key == "scale.gender")
    genders = {row[0]: row[1] for row in _body(gender)}
    if "男" in genders or "女" in genders:
        return rt(lang, "s_gender", male=genders.get("男", 0), female=genders.get("女", 0))
    return ""


def _scope_words(draft: Draft, lang: str) -> str:
    if draft.whole_school:
        return "" if lang == "zh" else "the school"
    return draft.scope_label


def rate_sentence(t: ReportTables, draft: Draft, lang: str) -> str:
    """“截至 8 月 31 日，我校 2023 届毕业生毕业去向落实率为 84.70%（4920/5809）。”"""
    counts = t.counts
    we = rt(lang, "we_school") if draft.whole_school else rt(lang, "we_scope", scope=draft.scope_label)
    return rt(
        lang, "s_rate", month=draft.as_of.month, day=draft.as_of.day, we=we, year=draft.cohort,
        rate=Share(counts.placed, counts.total).text, placed=counts.placed, total=counts.total,
    )  # fmt: skip


def _placement(w: _Writer, t: ReportTables, draft: Draft) -> None:
    lang = w.lang
    w.chapter(rt(lang, "ch_placement"))
    w.section(rt(lang, "sec_overall"))
    shares = {row.cells[0]: row.cells[2] for row in t.shares.rows}

    def share(key: str) -> str:
        return cell_text(shares.get(rt(lang, key)))

    w.text(
        rate_sentence(t, draft, lang),
        rt(
            lang, "s_shares", employment=share("rate_employment"), contract=share("rate_contract"),
            other=share("rate_other"), study=share("rate_study"), awaiting=share("rate_awaiting"),
            not_seeking=share("rate_not_seeking"),
        ),
        rt(lang, "s_unreported", count=t.counts.unreported, share=share("rate_unreported"))
        if t.counts.unreported else "",
    )  # fmt: skip
    w.table(t.shares)
    w.table(t.destinations)
    w.figure(draft.charts.get("mix"), rt(lang, "fig_mix"))
    w.table(t.unplaced)
    for table in t.rates:
        w.section(rt(lang, "sec_by", dimension=table.dimension))
        ranked = [r for r in _body(table) if r[0] != rt(lang, "missing")]
        if len(ranked) > 1:
            top, bottom = ranked[0], ranked[-1]
            w.text(
                rt(
                    lang, "s_range", dimension=table.dimension, top=top[0], top_rate=cell_text(top[6]),
                    bottom=bottom[0], bottom_rate=cell_text(bottom[6]),
                )
            )  # fmt: skip
        w.table(table)
        if table.key == "rates.department":
            w.figure(draft.charts.get("rates"), rt(lang, "fig_rates"))
    if t.trend.rows:
        w.section(rt(lang, "sec_trend"))
        first, last = t.trend.rows[0].cells, t.trend.rows[-1].cells
        if draft.charts.get("trend"):
            w.text(
                rt(
                    lang,
                    "s_trend",
                    n=w.figures + 1,
                    first=cell_text(first[0]),
                    last=cell_text(last[0]),
                    rate=cell_text(last[3]),
                )
            )
        w.figure(draft.charts.get("trend"), rt(lang, "fig_trend"))
        w.table(t.trend)


def _flow(w: _Writer, t: ReportTables, draft: Draft) -> None:
    lang = w.lang
    w.chapter(rt(lang, "ch_flow"))
    w.section(rt(lang, "sec_region"))
    employed = t.counts.employed
    regions = t.region_counts
    east = regions.get("东部", 0)
    midwest = regions.get("中部", 0) + regions.get("西部", 0)
    sentences = [
        rt(
            lang, "s_flow", employed=employed, east=east, east_share=Share(east, employed).text, midwest=midwest,
            midwest_share=Share(midwest, employed).text,
        )
    ]  # fmt: skip
    provinces = [r for r in _body(t.provinces) if r[0] != rt(lang, "missing")]
    if provinces:
        sentences.append(rt(lang, "s_top_province", province=provinces[0][0], count=provinces[0][1]))
    home_prefix = rt(lang, "home", province="\0").split("\0")[0]
    for row in _body(t.flows):
        label = str(row[0])
        if home_prefix and label.startswith(home_prefix) and label != rt(lang, "midwest"):
            province = (
                label[len(home_prefix) :].split("就业")[0] if lang == "zh" else label[len(home_prefix) :]
            )
            sentences.append(rt(lang, "s_home", province=province, count=row[1], share=cell_text(row[2])))
    w.text(*sentences)
    for table in (t.provinces, t.regions, t.areas, t.flows):
        w.table(table)
    w.figure(draft.charts.get("flow"), rt(lang, "fig_flow"))
    w.section(rt(lang, "sec_sector"))
    natures = [r for r in _body(t.natures) if r[1] != rt(lang, "missing")]
    industries = [r for r in _body(t.industries) if r[1] != rt(lang, "missing")]
    if natures and industries:
        w.text(
            rt(
                lang, "s_sector", nature=natures[0][1], nature_count=natures[0][2], nature_share=cell_text(natures[0][3]),
                industry=industries[0][1], industry_count=industries[0][2], industry_share=cell_text(industries[0][3]),
            )
        )  # fmt: skip
    w.table(t.natures)
    w.table(t.industries)
    w.figure(draft.charts.get("sector"), rt(lang, "fig_sector"))


def _study(w: _Writer, t: ReportTables) -> None:
    lang = w.lang
    w.chapter(rt(lang, "ch_study"))
    total_row = t.study.rows[-1].cells
    w.text(
        rt(
            lang, "s_study", study=t.counts.study, rate=Share(t.counts.study, t.counts.total).text,
            domestic=total_row[2], abroad=total_row[3],
        ),
    )  # fmt: skip
    schools = [r for r in _body(t.study) if r[0] != rt(lang, "missing")]
    if schools:
        w.text(rt(lang, "s_study_top", school=schools[0][0], count=schools[0][1]))
    w.table(t.study)


def _extra(w: _Writer, chapter: Chapter) -> None:
    w.chapter(chapter.title)
    w.text(*chapter.sentences)
    for table in chapter.tables:
        w.table(table)
    for title, png in chapter.charts:
        w.figure(png, title)


def _notes(w: _Writer, draft: Draft) -> None:
    lang = w.lang
    w.page_break()
    w.chapter(rt(lang, "ch_notes"))

    def codes(values: frozenset[int]) -> str:
        return (
            "、".join(str(c) for c in sorted(values))
            if lang == "zh"
            else ", ".join(str(c) for c in sorted(values))
        )

    for key, params in (
        ("note_placed", {"employed": codes(EMPLOYED_CODES), "study": codes(STUDY_CODES)}),
        ("note_shares", {"contract": codes(SIGNED_CODES), "study": codes(STUDY_CODES)}),
        ("note_as_of", {"day": draft.as_of.isoformat()}),
        ("note_rounding", {}),
        ("note_scope", {"scope": draft.scope_label}),
        ("note_source", {}),
    ):
        w.text(rt(lang, key, **params))


@dataclass(frozen=True)
class DraftFile:
    """The .docx and what it holds (for the caption that goes with it)."""

    data: bytes
    chapters: tuple[str, ...]
    tables: int
    figures: int


def report_document(tables: ReportTables, draft: Draft) -> DraftFile:
    """The Word draft: every table of `tables`, the charts in `draft.charts`, the extra chapters.

    With no graduates, or no update recorded by the as-of date, a short document says so."""
    lang = tables.lang
    w = _Writer(lang)
    scope = "" if draft.whole_school else draft.scope_label
    title = rt(lang, "doc_title", scope=scope, year=draft.cohort).lstrip(": ")
    w.title(title, rt(lang, "doc_subtitle", day=draft.as_of.isoformat()))
    properties = w.doc.core_properties
    properties.title, properties.author, properties.subject = _clean(title), "placement-bot", "就业质量年度报告"
    if tables.counts.total == 0 or tables.counts.known == 0:
        words = _scope_words(draft, lang) or draft.scope_label
        if tables.counts.total == 0:
            w.text(rt(lang, "s_empty_cohort", scope=words, year=draft.cohort))
        elif draft.first_update is not None and draft.first_update > draft.as_of:
            w.text(
                rt(
                    lang,
                    "s_empty_date",
                    scope=words,
                    year=draft.cohort,
                    day=draft.as_of.isoformat(),
                    first=draft.first_update.isoformat(),
                )
            )
        else:
            w.text(rt(lang, "s_empty_none", scope=words, year=draft.cohort, day=draft.as_of.isoformat()))
        return w.file()
    w.toc()
    _scale(w, tables, draft)
    _placement(w, tables, draft)
    _flow(w, tables, draft)
    _study(w, tables)
    for chapter in draft.extra:
        _extra(w, chapter)
    _notes(w, draft)
    return w.file()
