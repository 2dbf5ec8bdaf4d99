"""The `/export` and `/report` workbooks (product.md §7), built with xlsxwriter and returned as bytes.

Pure module: `GraduateState` values in, `.xlsx` bytes out; no Telegram, no database.

Every text cell goes through :func:`safe_text` and ``write_string``: xlsxwriter never turns text into
a formula, and text starting with ``= + - @``, tab or CR gets a leading apostrophe so that a later
"save as CSV" in Excel cannot smuggle a formula either.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter

from bot.metrics import GraduateState
from bot.report_tables import Points, ReportTables, Share, Table, industry_name, nature_name, report_tables
from bot.report_texts import rt
from bot.survey import EvaluationRow
from bot.taxonomy import destination_for

__all__ = [
    "EXPORT_HEADERS",
    "REPORT_SHEETS",
    "export_workbook",
    "report_workbook",
    "safe_text",
]

EXPORT_HEADERS: tuple[str, ...] = (
    "学号", "姓名", "院系", "专业", "专业大类", "班级", "学历", "性别", "生源地", "重点群体", "辅导员",
    "去向代码", "毕业去向", "单位名称", "单位性质", "单位行业", "就业省份", "就业城市", "专业对口",
    "升学院校", "备注", "去向日期",
)  # fmt: skip

REPORT_SHEETS: tuple[str, ...] = (
    "规模与结构", "毕业去向", "落实率", "就业地区", "单位性质", "行业", "升学", "未就业", "趋势",
)  # fmt: skip

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MIN_WIDTH, _MAX_WIDTH = 6, 60
# Normal mode (shared strings).  constant_memory would also allow freeze panes and autofilter
# (both are written at close), but it is no faster here (1.59 s vs 1.52 s for 20,000 rows) and its
# inline-string path writes a value shaped like "<r>…</r>" into the XML unescaped.
_OPTIONS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}

Cell = str | int | Share | Points | date | None


def safe_text(text: str) -> str:
    """Text that Excel will never read as a formula: a leading ``= + - @``, tab or CR gets a ``'``."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _width(text: str) -> int:
    # ASCII counts 1, CJK (3 bytes in UTF-8) counts 2.
    return (len(text) + len(text.encode("utf-8"))) // 2


class _Sheet:
    """A worksheet written top to bottom, tracking column widths."""

    def __init__(self, book: _Book, name: str) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        self.row = 0
        self.widths: dict[int, int] = {}

    def _track(self, col: int, width: int) -> None:
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def write(self, values: Sequence[Cell], fmt: Any = None) -> int:
        """Write one row; returns its index. `fmt` is the row's format (bold for headers and 合计)."""
        row = self.row
        ws = self.ws
        book = self.book
        bold = fmt is not None
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, Share):
                fraction = value.fraction
                if fraction is None:  # no denominator: "—", right-aligned like the numbers
                    ws.write_string(row, col, value.text, book.fmt_right_bold if bold else book.fmt_right)
                else:
                    ws.write_number(row, col, fraction, book.fmt_percent_bold if bold else book.fmt_percent)
                self._track(col, 8)
                continue
            if isinstance(value, Points):  # a change in percentage points
                ws.write_number(row, col, value.value, book.fmt_points_bold if bold else book.fmt_points)
                self._track(col, 7)
                continue
            if isinstance(value, bool):  # before int: bool is an int
                value = "是" if value else "否"
            if isinstance(value, int):
                ws.write_number(row, col, value, fmt)
                self._track(col, len(str(value)))
                continue
            if isinstance(value, date):
                ws.write_datetime(row, col, _as_datetime(value), book.fmt_date_bold if bold else book.fmt_date)
                self._track(col, 10)
                continue
            text = safe_text(str(value))
            ws.write_string(row, col, text, fmt)
            self._track(col, _width(text))
        self.row += 1
        return row

    def title(self, text: str) -> None:
        self.ws.write_string(self.row, 0, safe_text(text), self.book.fmt_title)
        self.row += 1

    def note(self, text: str) -> None:
        """A remark in the first column, left to overflow (not counted in column widths)."""
        self.ws.write_string(self.row, 0, safe_text(text))
        self.row += 1

    def header(self, values: Sequence[str]) -> int:
        return self.write(values, self.book.fmt_bold)

    def blank(self) -> None:
        self.row += 1

    def print_setup(self, title: str, as_of: date) -> None:
        """A4 landscape, one page wide, the header row (row 2) on every page, title and date in the
        page header and page numbers in the footer."""
        ws = self.ws
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
        ws.set_header(f"&L{_header_text(title)}&R截至 {as_of.isoformat()}")
        ws.set_footer("&C第 &P 页，共 &N 页")

    def finish(self, *, freeze_rows: int, autofilter: tuple[int, int, int, int] | None = None) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col, col, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))
        self.ws.freeze_panes(freeze_rows, 0)
        if autofilter is not None:
            self.ws.autofilter(*autofilter)


class _Book:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {"in_memory": True, **_OPTIONS})
        add = self.wb.add_format
        self.fmt_bold = add({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.fmt_title = add({"bold": True, "font_size": 13})
        self.fmt_right = add({"align": "right"})
        self.fmt_right_bold = add({"align": "right", "bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.fmt_date = add({"num_format": "yyyy-mm-dd"})
        self.fmt_date_bold = add({"num_format": "yyyy-mm-dd", "bold": True})
        self.fmt_percent = add({"num_format": "0.00%", "align": "right"})
        self.fmt_percent_bold = add(
            {"num_format": "0.00%", "align": "right", "bold": True, "bg_color": "#DDEBF7", "border": 1}
        )
        self.fmt_points = add({"num_format": "+0.00;-0.00;0.00"})
        self.fmt_points_bold = add({"num_format": "+0.00;-0.00;0.00", "bold": True})

    def sheet(self, name: str) -> _Sheet:
        return _Sheet(self, name)

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def _header_text(text: str) -> str:
    """Text for a page header or footer: `&` starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


_EXCEL_EPOCH = date(1899, 12, 30)


def _as_datetime(value: date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def _serial(value: date) -> int:
    """Excel's day number for a date (1900 date system; fine for any date after 1900-03-01)."""
    return (value - _EXCEL_EPOCH).days


def _destination_label(code: int, substate: str | None) -> str:
    try:
        return destination_for(code, substate).label_zh
    except KeyError:
        pass
    try:
        name = destination_for(code, None).name_zh
    except KeyError:
        name = f"未知去向{code}"
    return f"{name}·{substate}" if substate else name


# ---------------------------------------------------------------------------------------------
# /export
# ---------------------------------------------------------------------------------------------


def export_workbook(
    states: Sequence[GraduateState],
    *,
    cohort: int,
    as_of: date,
    extra: Mapping[int, Mapping[str, str]] | None = None,
) -> bytes:
    """One row per graduate (sheet 毕业生去向): roster fields and current destination.

    `extra` maps graduate_id → {column header: value}; those columns follow the standard ones,
    in first-seen order.  学号 and every other text is written as a string.

    Written by `_one_sheet_xlsx`, not xlsxwriter: a 20,000-row export is one table of text, and
    writing its XML directly takes a fifth of the time.
    """
    extra = extra or {}
    extra_headers: list[str] = []
    seen: set[str] = set()
    if extra:
        for state in states:
            for key in extra.get(state.graduate_id, ()):
                if key not in seen:
                    seen.add(key)
                    extra_headers.append(key)
    headers = [*EXPORT_HEADERS, *extra_headers]
    date_col = EXPORT_HEADERS.index("去向日期")
    code_col = EXPORT_HEADERS.index("去向代码")
    labels: dict[tuple[int, str | None], str] = {}
    serials: dict[date, _DaySerial] = {}

    def rows() -> Iterable[list[object]]:
        for s in states:
            key = (s.code, s.substate)
            label = labels.get(key)
            if label is None:
                label = labels[key] = _destination_label(s.code, s.substate)
            row: list[object] = [
                s.student_id, s.name, s.department, s.major, s.category, s.class_name, s.degree, s.gender,
                s.origin, "、".join(s.groups), s.counsellor, s.code or None, label, s.employer,
                nature_name(s.unit_nature) if s.unit_nature is not None else None,
                industry_name(s.industry) if s.industry else None, s.province, s.city,
                None if s.related is None else ("是" if s.related else "否"), s.school, s.note, None,
            ]  # fmt: skip
            if s.last_update is not None:
                serial = serials.get(s.last_update)
                if serial is None:
                    serial = serials[s.last_update] = _DaySerial(_serial(s.last_update))
                row[date_col] = serial
            if extra_headers:
                values = extra.get(s.graduate_id) or {}
                row.extend(str(values[h]) if values.get(h) else None for h in extra_headers)
            yield row

    assert code_col < date_col
    return _one_sheet_xlsx(
        "毕业生去向", headers, rows(), title=f"{cohort}届毕业生去向（截至{as_of.isoformat()}）", subject="毕业生去向",
        min_widths={date_col: 10},
    )


class _DaySerial(int):
    """An Excel day number, shown as yyyy-mm-dd."""


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _one_sheet_xlsx(
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str,
    subject: str,
    min_widths: Mapping[int, int] | None = None,
) -> bytes:
    """A one-sheet .xlsx: a bold, frozen, filtered header row, then the rows. A `str` cell is text
    (through `safe_text`, so never a formula), an `int` a number, a `_DaySerial` a date; None is
    empty. Column widths follow the longest text."""
    letters = [_column_name(i) for i in range(len(headers))]
    widths = [_width(h) for h in headers]
    for col, width in (min_widths or {}).items():
        widths[col] = max(widths[col], width)
    lines = ['<row r="1">']
    for col, header in enumerate(headers):
        lines.append(f'<c r="{letters[col]}1" t="inlineStr" s="1"><is><t>{_xml_text(header)}</t></is></c>')
    lines.append("</row>")
    count = 0
    for count, row in enumerate(rows, start=1):
        number = count + 1
        lines.append(f'<row r="{number}">')
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, _DaySerial):
                lines.append(f'<c r="{letters[col]}{number}" s="2"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float) and not isinstance(value, bool):
                lines.append(f'<c r="{letters[col]}{number}"><v>{value}</v></c>')
            else:
                text = safe_text(str(value))
                width = _width(text)
                if width > widths[col]:
                    widths[col] = width
                space = ' xml:space="preserve"' if text != text.strip() or "\t" in text or "\n" in text else ""
                lines.append(f'<c r="{letters[col]}{number}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
        lines.append("</row>")
    last = f"{letters[-1]}{count + 1}"
    columns = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH)}" customWidth="1"/>'
        for i, w in enumerate(widths)
    )
    worksheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{columns}</cols><sheetData>{''.join(lines)}</sheetData>"
        f'<autoFilter ref="A1:{last}"/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        # A4 landscape, one page wide; the title (with its as-of date) on every printed page.
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter><oddHeader>&amp;L{_xml_text(_header_text(title))}</oddHeader>"
        "<oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter></worksheet>"
    )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "docProps/app.xml": _APP,
        "docProps/core.xml": _CORE.format(title=_xml_text(title), subject=_xml_text(subject)),
        "xl/workbook.xml": _WORKBOOK.format(
            sheet=_xml_text(sheet).replace('"', "&quot;"), last=f"${letters[-1]}${count + 1}"
        ),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": worksheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode("utf-8"))
    return buffer.getvalue()


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text).translate(_XML_ESCAPES)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>placement-bot</Application></Properties>"
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject><dc:creator>placement-bot</dc:creator>"
    "</cp:coreProperties>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView/></bookViews>'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets>'
    '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
    "'{sheet}'!$A$1:{last}</definedName>"
    '<definedName name="_xlnm.Print_Titles" localSheetId="0">'
    "'{sheet}'!$1:$1</definedName></definedNames></workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Styles: 0 plain; 1 the header (bold on light blue, thin border, as the report's); 2 a date.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


# ---------------------------------------------------------------------------------------------
# /report
# ---------------------------------------------------------------------------------------------


def report_workbook(
    states: Sequence[GraduateState],
    *,
    cohort: int,
    as_of: date,
    home_province: str | None = None,
    weekly: Sequence[tuple[date, int, int]] = (),
    cards: Mapping[str, str] | None = None,
    tables: ReportTables | None = None,
    extra: Callable[[Any], None] | None = None,
    evaluation: Sequence[EvaluationRow] | None = None,
) -> bytes:
    """The 就业质量年度报告 tables (sheets :data:`REPORT_SHEETS`), as of `as_of`.

    The figures are `bot.report_tables`' (pass `tables` when they are already computed, as the
    Word draft uses the same): counts are numbers, shares are numbers with a ``0.00%`` format
    (their value is the half-up rounded one, so Excel shows what the draft prints), a share
    without a denominator is the text "—". Every table has a 合计 row except the strategy areas
    (which overlap) and the weekly trend. `weekly` holds (date, placed, total); `cards` maps a
    major to "红牌"/"黄牌" and adds a 预警 column to the 落实率 sheet. Each sheet opens with its
    title and as-of date and prints landscape, one page wide, its header row repeated.
    """
    if tables is None:
        tables = report_tables(states, home_province=home_province, weekly=weekly, cards=cards, lang="zh")
    total = tables.counts.total
    title = f"{cohort}届毕业生就业质量年度报告（截至{as_of.isoformat()}）"
    book = _Book()
    book.wb.set_properties({"title": title, "subject": "就业质量年度报告", "author": "placement-bot"})

    def titled(name: str) -> _Sheet:
        sheet = book.sheet(name)
        sheet.title(f"{cohort}届毕业生 · {name}（截至{as_of.isoformat()}，毕业生{total}人）")
        sheet.print_setup(title, as_of)
        return sheet

    _stacked(titled("规模与结构"), tables.scale)
    sheet = titled("毕业去向")
    _table(sheet, tables.destinations)
    sheet.blank()
    _table(sheet, tables.shares)
    sheet.finish(freeze_rows=2)
    _stacked(titled("落实率"), tables.rates)
    _stacked(titled("就业地区"), (tables.provinces, tables.regions, tables.areas, tables.flows))
    for name, table in (
        ("单位性质", tables.natures), ("行业", tables.industries), ("升学", tables.study),
        ("未就业", tables.unplaced), ("趋势", tables.trend),
    ):  # fmt: skip
        sheet = titled(name)
        _table(sheet, table)
        sheet.finish(freeze_rows=2)
    if evaluation is not None:  # a survey exists (product.md §11)
        _evaluation_sheet(book.sheet(EVALUATION_SHEET), cohort, as_of, evaluation)
    if extra is not None:  # further sheets written by their own modules (§10's 核查: bot.graduate_sheets)
        extra(book.wb)
    return book.close()


EVALUATION_SHEET = "自主评价"
EVALUATION_HEADERS: tuple[str, ...] = ("范围", "题目", "项目", "人数", "占比")


def _evaluation_sheet(sheet: _Sheet, cohort: int, as_of: date, rows: Sequence[EvaluationRow]) -> None:
    """The survey's figures as `bot.survey.evaluation_rows` gives them (the report draft uses the
    same rows): the school, then each department; `<5` for any figure about fewer than five."""
    sheet.title(f"{cohort}届毕业生 · 自主评价（跟踪调查，已提交的问卷；不足 5 人显示为 <5）")
    sheet.print_setup(f"{cohort}届毕业生 · 自主评价", as_of)
    sheet.header(EVALUATION_HEADERS)
    previous = None
    for row in rows:
        if previous is not None and (row.unit, row.question_id) != previous:
            sheet.blank()
        previous = (row.unit, row.question_id)
        sheet.write((row.unit, row.question, row.item, row.count, row.share))
    sheet.finish(freeze_rows=2)


def _table(sheet: _Sheet, table: Table) -> None:
    """One table: its header row, then its rows (合计 rows bold), then its note."""
    sheet.header(table.headers)
    for row in table.rows:
        sheet.write(row.cells, sheet.book.fmt_bold if row.total else None)
    if table.note:
        sheet.note(table.note)


def _stacked(sheet: _Sheet, tables: Sequence[Table]) -> None:
    """Tables of one kind stacked under one header, each row led by its table's dimension (维度)."""
    sheet.header((rt("zh", "dimension"), *tables[0].headers))
    for n, table in enumerate(tables):
        if n:
            sheet.blank()
        for row in table.rows:
            sheet.write((table.dimension, *row.cells), sheet.book.fmt_bold if row.total else None)
        if table.note:
            sheet.note(table.note)
    sheet.finish(freeze_rows=2)
