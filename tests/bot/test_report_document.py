"""The Word draft of the 就业质量年度报告: opened with python-docx, every table cell compared with the
workbook's cell for the same figure, the school rate in its sentence, typography, fields, captions,
extra chapters, the English version and the short document when there is nothing to report."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from PIL import Image

from bot.metrics import GraduateState
from bot.report_document import Chapter, Draft, report_document
from bot.report_tables import Row, Share, Table, report_tables
from bot.sandbox.cohort_gen import generate_cohort
from bot.workbooks import report_workbook
from tests.bot.test_workbooks import AS_OF, grad, hand_states, load, rows_of, to_state

WEEKLY = [(date(2023, 6, 1), 10, 44), (date(2023, 6, 8), 18, 44), (date(2023, 6, 15), 20, 44)]
CARDS = {"护理": "黄牌"}


def png(color: str = "white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), color).save(buffer, format="PNG")
    return buffer.getvalue()


CHARTS = {kind: png() for kind in ("mix", "rates", "trend", "flow", "sector")}


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def captioned_tables(document: docx.document.Document) -> Iterator[tuple[str, list[list[str]]]]:
    """(caption, cell texts row by row) for every table, the caption being the paragraph before it."""
    previous = ""
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text:
                previous = text
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            yield previous, [[cell.text for cell in row.cells] for row in table.rows]


POINTS_FORMAT = "+0.00;-0.00;0.00"


def rows_as_shown(ws) -> list[tuple]:  # type: ignore[no-untyped-def]
    """A sheet's rows as Excel shows them: percentages (numbers formatted 0.00%, never text) as
    '84.70%', changes in points as '+4.54', dates ISO."""
    out = []
    for row, cells in zip(rows_of(ws), ws.iter_rows(), strict=True):
        shown = []
        for value, cell in zip(row, cells, strict=True):
            if cell.number_format == POINTS_FORMAT and value is not None:
                hundredths = round(value * 100)
                sign = "+" if hundredths > 0 else "-" if hundredths < 0 else "±"
                value = f"{sign}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"
            elif isinstance(value, datetime):
                value = value.date().isoformat()
            shown.append(value)
        out.append(tuple(shown))
    return out


def workbook_text(value: object) -> str:
    return "" if value is None else str(value)


# Where each table of the draft lives in the workbook: (sheet, dimension of its block or None).
STACKED = {
    "毕业生规模（按": "规模与结构",
    "毕业去向落实率（按": "落实率",
}
BLOCKS = {
    "就业省份分布": ("就业地区", "省份"),
    "就业经济区域分布": ("就业地区", "经济区域"),
    "国家战略区域就业": ("就业地区", "战略区域"),
    "就业流向": ("就业地区", "流向"),
}
SINGLE = {
    "就业单位性质": "单位性质",
    "就业单位行业": "行业",
    "升学院校": "升学",
    "未就业毕业生状态": "未就业",
    "每周毕业去向落实率": "趋势",
}


def workbook_table(wb: openpyxl.Workbook, title: str) -> list[list[str]]:
    """The workbook's rows (header first) of the table the draft captions `title`, as text."""
    for prefix, sheet in STACKED.items():
        if title.startswith(prefix):
            dimension = title[len(prefix) : -1]
            rows = rows_as_shown(wb[sheet])
            header = [workbook_text(v) for v in rows[1][1:]]
            return [header, *([workbook_text(v) for v in r[1:]] for r in rows[2:] if r[0] == dimension)]
    if title in BLOCKS:
        sheet, dimension = BLOCKS[title]
        rows = rows_as_shown(wb[sheet])
        header = [workbook_text(v) for v in rows[1][1:]]
        return [header, *([workbook_text(v) for v in r[1:]] for r in rows[2:] if r[0] == dimension)]
    rows = rows_as_shown(wb["毕业去向"] if title in ("毕业去向分布", "主要就业指标") else wb[SINGLE[title]])
    if title == "毕业去向分布":
        end = next(i for i, r in enumerate(rows) if r[2] == "合计")
        rows = rows[1 : end + 1]
    elif title == "主要就业指标":
        end = next(i for i, r in enumerate(rows) if r[2] == "合计")
        rows = [r[:3] for r in rows[end + 2 :]]
    else:
        rows = rows[1:]
    return [[workbook_text(v) for v in r] for r in rows if any(v is not None for v in r)]


def compare_with_workbook(data: bytes, wb: openpyxl.Workbook) -> int:
    """Every table of the draft equals the workbook's table cell by cell; returns the cells compared."""
    compared = 0
    numbers = []
    for caption, cells in captioned_tables(open_docx(data)):
        match = re.fullmatch(r"表 (\d+)  (.+)", caption)
        assert match, caption
        numbers.append(int(match.group(1)))
        expected = workbook_table(wb, match.group(2))
        width = len(cells[0])
        expected = [row[:width] + [""] * (width - len(row[:width])) for row in expected]
        assert len(cells) == len(expected), (caption, len(cells), len(expected))
        for r, (got_row, want_row) in enumerate(zip(cells, expected, strict=True)):
            for c, (got, want) in enumerate(zip(got_row, want_row, strict=True)):
                assert got == want, (caption, r, c, got, want)
                compared += 1
    assert numbers == list(range(1, len(numbers) + 1))  # 表 1, 表 2 … in order
    return compared


def draft(**kw: object) -> Draft:
    base: dict[str, object] = {
        "cohort": 2023,
        "as_of": AS_OF,
        "scope_label": "全校",
        "whole_school": True,
        "charts": CHARTS,
    }
    base.update(kw)
    return Draft(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("source", ["hand", "generated"])
def test_every_table_cell_equals_the_workbooks(source: str) -> None:
    states = hand_states() if source == "hand" else to_state(generate_cohort(1500, seed=5))
    tables = report_tables(states, home_province="山东", weekly=WEEKLY, cards=CARDS)
    made = report_document(tables, draft())
    # the workbook computes its own tables: equal by the same functions, not by sharing one object
    wb = load(
        report_workbook(states, cohort=2023, as_of=AS_OF, home_province="山东", weekly=WEEKLY, cards=CARDS)
    )
    compared = compare_with_workbook(made.data, wb)
    assert made.tables == 23 and compared > 600  # 22 tables, and the trend's with weekly figures
    titles = [caption for caption, _ in captioned_tables(open_docx(made.data))]
    for needed in ("院系", "专业", "专业大类", "学历", "性别", "生源地"):
        assert any(t.endswith(f"毕业生规模（按{needed}）") for t in titles), needed
    for needed in ("院系", "专业", "专业大类", "学历", "性别", "重点群体"):
        assert any(t.endswith(f"毕业去向落实率（按{needed}）") for t in titles), needed


def test_the_sentence_carries_the_school_rate() -> None:
    """domain.md's published example: 4,920 of 5,809 placed as of 8-31 is 84.70 %."""
    states = [
        grad(n, 11 if n <= 4513 else 80 if n <= 4920 else 70, substate="求职中" if n > 4920 else None)
        for n in range(1, 5810)
    ]
    made = report_document(report_tables(states), draft())
    text = "\n".join(p.text for p in open_docx(made.data).paragraphs)
    assert "截至 8 月 31 日，我校 2023 届毕业生毕业去向落实率为 84.70%（4920/5809）。" in text
    assert "其中就业率 77.69%，" in text  # 4513 / 5809
    assert "升学率 7.01%" in text  # 407 / 5809
    assert "待就业率 15.30%" in text  # 889 / 5809


def test_a_departments_draft_names_the_department() -> None:
    states = [s for s in hand_states() if s.department == "护理系"]
    made = report_document(report_tables(states), draft(scope_label="护理系", whole_school=False))
    document = open_docx(made.data)
    assert document.paragraphs[0].text == "护理系2023届毕业生就业质量年度报告"
    placed = sum(1 for s in states if s.placed)
    sentence = f"截至 8 月 31 日，护理系 2023 届毕业生毕业去向落实率为 {Share(placed, len(states)).text}"
    assert any(sentence in p.text for p in document.paragraphs)
    assert not any("我校" in p.text for p in document.paragraphs)


def test_typography_fields_captions_and_pictures() -> None:
    made = report_document(report_tables(hand_states(), weekly=WEEKLY), draft())
    document = open_docx(made.data)
    styles = document.styles
    for name, east_asia in (
        ("Normal", "宋体"),
        ("Heading 1", "黑体"),
        ("Heading 2", "黑体"),
        ("Caption", "黑体"),
        ("Title", "黑体"),
    ):
        fonts = styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == east_asia, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None, name
    xml = document.element.xml
    assert re.search(r"<w:instrText[^>]*> TOC \\o", xml)
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "<w:instrText" in footer and " PAGE " in footer
    assert document.settings.element.find(qn("w:updateFields")) is not None
    figures = [p.text for p in document.paragraphs if p.text.startswith("图 ")]
    assert figures == [
        "图 1  毕业去向构成",
        "图 2  各单位毕业去向落实率",
        "图 3  每周毕业去向落实率",
        "图 4  就业地区",
        "图 5  单位性质与行业",
    ]
    assert len(document.inline_shapes) == 5 == made.figures
    assert all(shape.width == docx.shared.Cm(15.5) for shape in document.inline_shapes)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、毕业生规模和结构",
        "二、毕业去向落实情况",
        "三、就业流向",
        "四、升学",
        "五、说明",
    ]
    notes = "\n".join(p.text for p in document.paragraphs[-8:])
    assert "四舍五入" in notes and "2023-08-31" in notes and "10、11、12、27、46、50、51、75、76" in notes
    # every table repeats its header row on each page
    for table in document.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_extra_chapters_are_drawn_when_given_and_absent_otherwise() -> None:
    tables = report_tables(hand_states(), weekly=WEEKLY)
    survey = Chapter(
        "毕业生自主评价",
        sentences=("共回收问卷 30 份。",),
        tables=(
            Table(
                "survey",
                "就业满意度",
                ("项目", "人数", "占比"),
                (Row(("满意", 24, Share(24, 30))), Row(("合计", 30, Share(30, 30)), total=True)),
            ),
        ),
        charts=(("满意度分布", png("gray")),),
    )
    checks = Chapter("就业信息核查", sentences=("核查 12 人，属实 11 人。",))
    document = open_docx(report_document(tables, draft(extra=(survey, checks))).data)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[4:] == ["五、毕业生自主评价", "六、就业信息核查", "七、说明"]
    captions = [caption for caption, _ in captioned_tables(document)]
    assert captions[-1] == "表 24  就业满意度"
    cells = dict(captioned_tables(document))["表 24  就业满意度"]
    assert cells == [["项目", "人数", "占比"], ["满意", "24", "80.00%"], ["合计", "30", "100.00%"]]
    assert any(p.text == "图 6  满意度分布" for p in document.paragraphs)
    plain = open_docx(report_document(tables, draft()).data)
    assert not any("自主评价" in p.text or "核查" in p.text for p in plain.paragraphs)


def test_the_english_draft() -> None:
    states = hand_states()
    made = report_document(report_tables(states, lang="en"), draft(scope_label="whole school"))
    document = open_docx(made.data)
    text = "\n".join(p.text for p in document.paragraphs)
    placed = sum(1 for s in states if s.placed)
    assert document.paragraphs[0].text == "Annual Report on Graduate Employment, Cohort 2023"
    assert f"As of 8/31, the placement rate of our 2023 cohort is {Share(placed, len(states)).text}" in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["1 Size and structure of the cohort", "2 Placement"]
    assert "Table 1. Graduates by Department" in text and "Figure 1. Destination mix" in text
    assert not re.search(r"[表图] \d", text) and "截至" not in text
    first = next(captioned_tables(document))[1]
    assert first[0] == ["Item", "Graduates", "Share"] and first[-1][0] == "Total"


@pytest.mark.parametrize(
    ("states", "first_update", "expected"),
    [
        ([], None, "全校2023届暂无毕业生数据"),
        (
            [grad(1), grad(2)],
            date(2023, 9, 10),
            "截至 2023-08-31，全校2023届毕业生尚无任何去向更新（首次更新日期为 2023-09-10）",
        ),
        ([grad(1), grad(2)], None, "截至 2023-08-31，全校2023届毕业生尚无任何去向更新，"),
    ],
    ids=["no-graduates", "before-the-first-update", "no-update-at-all"],
)
def test_nothing_to_report_gives_a_short_document(
    states: list[GraduateState], first_update: date | None, expected: str
) -> None:
    made = report_document(report_tables(states), draft(first_update=first_update, charts={}))
    document = open_docx(made.data)
    assert document.tables == [] and len(document.inline_shapes) == 0
    assert expected in "\n".join(p.text for p in document.paragraphs)
    assert made.chapters == () and made.tables == 0


def test_hostile_text_is_escaped_not_interpreted() -> None:
    states = [grad(1, 80, school="<w:p>&amp;\x01学校"), grad(2, 11, province="山东", industry="Q")]
    document = open_docx(report_document(report_tables(states), draft(charts={})).data)
    schools = dict(captioned_tables(document))
    study = next(cells for caption, cells in schools.items() if caption.endswith("升学院校"))
    assert study[1][0] == "<w:p>&amp;学校"


def test_charts_render_at_print_resolution_through_the_same_code() -> None:
    """One chart code path: `dpi` scales the same figure (the draft embeds PRINT_DPI, Telegram gets DPI)."""
    from bot import charts

    parts = [("签劳动合同形式就业", 30), ("升学", 10), ("求职中", 5)]
    screen = Image.open(io.BytesIO(charts.render_mix("构成", parts)))
    printed = Image.open(io.BytesIO(charts.render_mix("构成", parts, dpi=charts.PRINT_DPI)))
    ratio = charts.PRINT_DPI / charts.DPI
    assert abs(printed.width / screen.width - ratio) < 0.05 and abs(printed.height / screen.height - ratio) < 0.05
    assert printed.width >= 1800  # ≥ 300 dpi across the 15.5 cm the draft gives a chart
    empty = Image.open(io.BytesIO(charts.render_flow("地区", [], [], [], None, dpi=charts.PRINT_DPI)))
    assert empty.width > Image.open(io.BytesIO(charts.render_flow("地区", [], [], [], None))).width
