"""The /export and /report workbooks: opened back with openpyxl and checked against the input."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime

import openpyxl
import pytest

from bot.metrics import EMPLOYED_CODES, STUDY_CODES, GraduateState, unplaced_label
from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from bot.taxonomy import ECONOMIC_REGION, STRATEGY_AREAS, destination_for
from bot.workbooks import EXPORT_HEADERS, REPORT_SHEETS, export_workbook, report_workbook, safe_text

AS_OF = date(2023, 8, 31)


def grad(n: int, code: int = 0, **kw: object) -> GraduateState:
    base: dict[str, object] = {
        "graduate_id": n,
        "student_id": f"0023{n:04d}",
        "name": f"学生{n}",
        "department": "护理系" if n % 2 else "建筑工程系",
        "major": "护理" if n % 2 else "建筑工程技术",
        "category": "医药卫生大类" if n % 2 else "土木建筑大类",
        "class_name": f"护理23{n % 3:02d}班",
        "degree": "专科",
        "gender": "女" if n % 3 else "男",
        "origin": "山东",
        "groups": (),
        "counsellor": "王老师",
    }
    base.update(kw)
    return GraduateState(**base, code=code)  # type: ignore[arg-type]


def hand_states() -> list[GraduateState]:
    """40 graduates over every bucket, regions, strategy areas, natures, industries and sub-states."""
    out: list[GraduateState] = []
    employed = [
        # (province, city, nature, industry)
        ("山东", "聊城", 31, "Q"),
        ("山东", "济南", 23, "Q"),
        ("山东", "青岛", 39, "I"),
        ("北京", "北京", 10, "S"),
        ("上海", "上海", 32, "I"),
        ("广东", "深圳", 39, "C"),
        ("安徽", "合肥", 29, "P"),
        ("湖北", "武汉", 22, "P"),
        ("四川", "成都", 31, "E"),
        ("新疆", "乌鲁木齐", 40, "S"),
        ("辽宁", "沈阳", 39, "C"),
        ("香港", "香港", 99, "J"),
        ("重庆", "重庆", 39, None),
        (None, None, None, None),
        ("河北", "石家庄", 55, "A"),
        ("浙江", "杭州", 56, "O"),
    ]
    codes = [11, 11, 10, 50, 12, 76, 75, 51, 46, 27, 11, 12, 11, 10, 11, 12]
    for i, ((province, city, nature, industry), code) in enumerate(zip(employed, codes, strict=True)):
        out.append(
            grad(
                len(out) + 1,
                code,
                province=province,
                city=city,
                unit_nature=nature,
                industry=industry,
                employer=f"单位{i}",
                related=i % 2 == 0,
                last_update=date(2023, 5, 1 + i),
            )
        )
    for school, code in [
        ("聊城大学", 80),
        ("聊城大学", 80),
        ("天津医科大学", 80),
        ("墨尔本大学", 85),
        (None, 80),
    ]:
        out.append(grad(len(out) + 1, code, school=school))
    for code, sub in [
        (70, "求职中"),
        (70, "求职中"),
        (70, "面试中"),
        (70, "签约中"),
        (70, "拟参加公招考试"),
        (70, None),
        (71, None),
        (72, "拟出国出境"),
        (72, "暂不就业"),
        (72, None),
    ]:
        out.append(grad(len(out) + 1, code, substate=sub))
    for _ in range(5):
        out.append(grad(len(out) + 1, 0))  # 未上报
    # priority groups and missing roster fields
    out[0] = grad(
        1, 11, province="山东", city="聊城", unit_nature=31, industry="Q", groups=("困难家庭", "少数民族")
    )
    out[20] = grad(21, 80, school="聊城大学", groups=("困难家庭",), category=None, gender=None)
    out[30] = grad(31, 0, groups=("残疾",), degree=None)
    # nasty text: leading zeros, formulas
    out.append(grad(len(out) + 1, 11, employer='=HYPERLINK("x")', province="山东", note="+1"))
    out.append(grad(len(out) + 1, 11, employer="-2", province="山东", city="@SUM(A1)"))
    out.append(grad(len(out) + 1, 11, employer="@SUM(A1)", province="山东", name="\t=1+1"))
    out.append(grad(len(out) + 1, 12, employer="+1", province="江苏", student_id="000123"))
    return out


def to_state(cohort: GenCohort) -> list[GraduateState]:
    final = cohort.final_events()
    states: list[GraduateState] = []
    for n, g in enumerate(cohort.graduates, start=1):
        e = final.get(g.student_id)
        roster = {
            "graduate_id": n,
            "student_id": g.student_id,
            "name": g.name,
            "department": g.department,
            "major": g.major,
            "category": g.category,
            "class_name": g.class_name,
            "degree": g.degree,
            "gender": g.gender,
            "origin": g.origin,
            "groups": g.groups,
            "counsellor": g.counsellor,
        }
        if e is None:
            states.append(GraduateState(**roster))  # type: ignore[arg-type]
        else:
            states.append(
                GraduateState(
                    **roster,  # type: ignore[arg-type]
                    code=e.code,
                    substate=e.substate,
                    related=e.related,
                    employer=e.employer,
                    school=e.school,
                    province=e.province,
                    city=e.city,
                    unit_nature=e.unit_nature,
                    industry=e.industry,
                    note=e.note,
                    last_update=e.effective_date,
                )
            )
    return states


@pytest.fixture(scope="module")
def generated() -> list[GraduateState]:
    return to_state(generate_cohort(2000, seed=7))


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


PERCENT_FORMAT = "0.00%"


def shown_percent(cell) -> str:  # type: ignore[no-untyped-def]
    """A percentage cell as Excel shows it: a number (never text) with the 0.00% format → '84.70%'."""
    assert cell.data_type == "n" and isinstance(cell.value, int | float), (cell.coordinate, cell.value)
    hundredths = round(cell.value * 10000)
    assert hundredths / 10000 == cell.value, cell.value  # the stored value is the rounded one
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def rows_of(ws) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Each row's values, percentages (numeric cells formatted 0.00%) as the text Excel shows."""
    return [
        tuple(shown_percent(c) if c.number_format == PERCENT_FORMAT and c.value is not None else c.value for c in r)
        for r in ws.iter_rows()
    ]


def no_text_percentages(wb: openpyxl.Workbook) -> int:
    """Cell by cell: no percentage is stored as text; returns how many percentage cells there are."""
    import re

    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.fullmatch(r"-?\d+(\.\d+)?\s*%", cell.value), (ws.title, cell.coordinate, cell.value)
                if cell.number_format == PERCENT_FORMAT and cell.value is not None:
                    shown_percent(cell)
                    seen += 1
    return seen


def check_print_settings(wb: openpyxl.Workbook, cohort: int, as_of: date) -> None:
    """Every sheet prints landscape on A4, one page wide, its header row repeated on each page, with
    the report's title and as-of date in the file (title row, page header, document properties)."""
    assert wb.properties.title == f"{cohort}届毕业生就业质量年度报告（截至{as_of.isoformat()}）"
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize in (9, "9"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # fitToWidth defaults to 1 in OOXML (xlsxwriter leaves it out); fitToHeight 0 = as many pages as needed
        assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0, ws.title
        assert ws.print_title_rows == "$2:$2", (ws.title, ws.print_title_rows)
        assert as_of.isoformat() in ws.oddHeader.right.text, ws.title
        assert f"{cohort}届" in ws.oddHeader.left.text, ws.title
        assert "&P" in ws.oddFooter.center.text, ws.title
        assert str(ws["A1"].value).startswith(f"{cohort}届毕业生 · {ws.title}（截至{as_of.isoformat()}"), ws.title


def block(ws, dimension: str) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """Rows of one block (first column == dimension) of a report sheet, by their second column."""
    return {r[1]: r[2:] for r in rows_of(ws)[2:] if r[0] == dimension}


def no_formulas(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value


# ---------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------


def test_safe_text() -> None:
    assert safe_text("=1+1") == "'=1+1"
    for text in ("+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_text(text) == "'" + text
    assert safe_text("聊城市人民医院") == "聊城市人民医院"
    assert safe_text("a=b") == "a=b"


def test_export_rows_text_and_injection() -> None:
    states = hand_states()
    wb = load(export_workbook(states, cohort=2023, as_of=AS_OF))
    assert wb.sheetnames == ["毕业生去向"]
    ws = wb["毕业生去向"]
    rows = rows_of(ws)
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) - 1 == len(states)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:V{len(states) + 1}"
    assert ws["A1"].font.b
    no_formulas(wb)

    by_id = {r[0]: dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]}
    assert "000123" in by_id  # leading zeros kept, stored as text
    assert ws.cell(row=len(states) + 1, column=1).data_type == "s"
    assert all(isinstance(r[0], str) for r in rows[1:])
    employers = {r["单位名称"] for r in by_id.values()}
    assert {'\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)"} <= employers
    assert {r["备注"] for r in by_id.values()} >= {"'+1"}
    assert {r["就业城市"] for r in by_id.values()} >= {"'@SUM(A1)"}
    assert {r["姓名"] for r in by_id.values()} >= {"'\t=1+1"}

    first = by_id["00230001"]
    assert first["去向代码"] == 11 and first["毕业去向"] == "签劳动合同形式就业"
    assert first["单位性质"] == "国有企业" and first["单位行业"] == "卫生和社会工作"
    assert first["重点群体"] == "困难家庭、少数民族"
    second = by_id["00230002"]
    assert second["去向日期"] == datetime(2023, 5, 2) and second["专业对口"] == "否"
    assert by_id["00230003"]["专业对口"] == "是"
    mian = next(r for r in by_id.values() if r["毕业去向"] == "待就业·面试中")
    assert mian["去向代码"] == 70
    unknown = [r for r in by_id.values() if r["毕业去向"] == "未上报"]
    assert len(unknown) == 6 and all(r["去向代码"] is None for r in unknown)
    # widths set for wide columns
    assert ws.column_dimensions["M"].width >= 12


def test_export_prints_with_its_title_and_date() -> None:
    """Issue 20 item 12: the export carries its title and as-of date inside the file and prints
    landscape, one page wide, with the header row on every page."""
    wb = load(export_workbook(hand_states(), cohort=2023, as_of=AS_OF))
    ws = wb["毕业生去向"]
    assert wb.properties.title == "2023届毕业生去向（截至2023-08-31）"
    assert ws.oddHeader.left.text == "2023届毕业生去向（截至2023-08-31）"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$1:$1"
    assert "&P" in ws.oddFooter.center.text


def test_export_extra_columns() -> None:
    states = hand_states()[:3]
    extra = {1: {"手机": "13800000000"}, 3: {"手机": "=cmd", "民族": "汉族"}}
    ws = load(export_workbook(states, cohort=2023, as_of=AS_OF, extra=extra))["毕业生去向"]
    rows = rows_of(ws)
    assert rows[0][-2:] == ("手机", "民族")
    assert rows[1][-2:] == ("13800000000", None)
    assert rows[2][-2:] == (None, None)
    assert rows[3][-2:] == ("'=cmd", "汉族")


def test_export_generated(generated: list[GraduateState]) -> None:
    wb = load(export_workbook(generated, cohort=2023, as_of=AS_OF))
    ws = wb["毕业生去向"]
    rows = rows_of(ws)[1:]
    assert len(rows) == len(generated) == 2000
    assert [r[0] for r in rows] == [s.student_id for s in generated]
    labels = Counter(r[12] for r in rows)
    assert labels == Counter(destination_for(s.code, s.substate).label_zh for s in generated)
    no_formulas(wb)


def test_export_empty() -> None:
    ws = load(export_workbook([], cohort=2023, as_of=AS_OF))["毕业生去向"]
    assert rows_of(ws) == [EXPORT_HEADERS]


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------


def expected_provinces(states: list[GraduateState]) -> Counter[str]:
    return Counter(s.province or "未填写" for s in states if s.code in EMPLOYED_CODES)


def expected_regions(states: list[GraduateState]) -> Counter[str]:
    return Counter(
        ECONOMIC_REGION.get(s.province, "未知") if s.province else "未知"
        for s in states
        if s.code in EMPLOYED_CODES
    )


def expected_areas(states: list[GraduateState]) -> Counter[str]:
    out: Counter[str] = Counter()
    for s in states:
        if s.code in EMPLOYED_CODES:
            for area, members in STRATEGY_AREAS.items():
                if s.province in members:
                    out[area] += 1
    return out


def check_report(states: list[GraduateState], wb: openpyxl.Workbook) -> None:
    total = len(states)
    employed = [s for s in states if s.code in EMPLOYED_CODES]
    assert wb.sheetnames == list(REPORT_SHEETS)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3", ws.title
        assert ws["A2"].font.b, ws.title
    no_formulas(wb)

    # 毕业去向: per code (人数), sub-states in their own columns (细分人数), the 合计 row, then the shares
    rows = rows_of(wb["毕业去向"])
    assert rows[1] == ("去向类别", "去向代码", "毕业去向", "人数", "占毕业生比例", "细分", "细分人数", "细分占毕业生比例")
    end = next(i for i, r in enumerate(rows) if r[2] == "合计")
    block_rows = rows[2:end]
    per_code = {(r[1] or 0): r[3] for r in block_rows if r[5] is None}
    by_code = Counter(s.code for s in states)
    assert {c: n for c, n in per_code.items() if n} == dict(by_code)
    # a SUM of the 人数 column over the block counts every graduate once (no sub-row in it)
    assert sum(r[3] for r in block_rows if r[3] is not None) == total == rows[end][3]
    subs = {(r[1], r[5]): r[6] for r in block_rows if r[5] is not None}
    assert all(r[3] is None for r in block_rows if r[5] is not None)
    for (code, sub), n in subs.items():
        assert n == sum(1 for s in states if s.code == code and (s.substate or "未细分") == sub), (code, sub)
    for code in (70, 72):  # the sub-rows of a code add up to the code's row
        if by_code.get(code):
            assert sum(n for (c, _), n in subs.items() if c == code) == by_code[code]
    buckets = Counter()
    for r in block_rows:
        if r[5] is None:
            buckets[r[0]] += r[3]
    assert dict(buckets) == {
        "就业": len(employed),
        "升学": sum(1 for s in states if s.code in STUDY_CODES),
        "未落实": sum(1 for s in states if not s.placed),
    }
    assert rows[end][4] == ("100.00%" if total else "—")
    shares = {r[0]: r[1:3] for r in rows[end + 3 :]}
    assert rows[end + 2][:3] == ("指标", "人数", "占毕业生比例")
    placed = sum(1 for s in states if s.placed)
    assert shares["毕业去向落实率"][0] == placed and shares["就业率"][0] == len(employed)
    assert shares["协议和合同就业率"][0] + shares["其他形式就业率"][0] == len(employed)
    assert shares["待就业率"][0] == by_code.get(70, 0)
    assert shares["暂不就业率"][0] == by_code.get(71, 0) + by_code.get(72, 0)
    assert shares.get("未上报", (0,))[0] == by_code.get(0, 0)

    # 就业地区
    ws = wb["就业地区"]
    provinces = block(ws, "省份")
    assert provinces.pop("合计")[0] == len(employed)
    assert {p: v[0] for p, v in provinces.items()} == dict(expected_provinces(states))
    regions = block(ws, "经济区域")
    assert regions.pop("合计")[0] == len(employed)
    assert {r: v[0] for r, v in regions.items() if v[0]} == dict(expected_regions(states))
    areas = {a: v[0] for a, v in block(ws, "战略区域").items() if a in STRATEGY_AREAS}
    assert set(areas) == set(STRATEGY_AREAS)
    assert {a: n for a, n in areas.items() if n} == dict(expected_areas(states))

    # 规模与结构: each block sums to its total
    ws = wb["规模与结构"]
    for dimension, attr in (
        ("院系", "department"),
        ("专业", "major"),
        ("性别", "gender"),
        ("生源地", "origin"),
    ):
        rows_d = block(ws, dimension)
        assert rows_d.pop("合计")[0] == total
        assert {k: v[0] for k, v in rows_d.items()} == dict(
            Counter(getattr(s, attr) or "未填写" for s in states)
        )

    # 落实率: totals row per dimension
    ws = wb["落实率"]
    placed = sum(1 for s in states if s.placed)
    for dimension in ("专业大类", "专业", "院系", "学历", "性别"):
        rows_d = block(ws, dimension)
        tot = rows_d.pop("合计")
        assert tot[:5] == (total, placed, len(employed), placed - len(employed), total - placed)
        assert sum(v[0] for v in rows_d.values()) == total

    # 单位性质 / 行业 / 升学 / 未就业 totals
    for name, count in (
        ("单位性质", len(employed)),
        ("行业", len(employed)),
        ("升学", sum(1 for s in states if s.code in STUDY_CODES)),
        ("未就业", total - placed),
    ):
        rows = rows_of(wb[name])
        col = 1 if name in ("升学", "未就业") else 2
        assert rows[-1][col - 1] == "合计" and rows[-1][col] == count, name
        assert sum(r[col] for r in rows[2:-1]) == count, name
    unplaced = {r[0]: r[1] for r in rows_of(wb["未就业"])[2:-1]}
    assert unplaced == dict(Counter(unplaced_label(s) for s in states if not s.placed))


def test_report_hand_built() -> None:
    states = hand_states()
    weekly = [(date(2023, 6, 15), 20, 44), (date(2023, 6, 8), 18, 44), (date(2023, 6, 22), 21, 44)]
    cards = {"护理": "黄牌"}
    wb = load(
        report_workbook(states, cohort=2023, as_of=AS_OF, home_province="山东", weekly=weekly, cards=cards)
    )
    check_report(states, wb)
    check_print_settings(wb, 2023, AS_OF)
    assert no_text_percentages(wb) > 100
    n_employed = sum(1 for s in states if s.code in EMPLOYED_CODES)
    assert n_employed == 20

    region = wb["就业地区"]
    flows = block(region, "流向")
    home = sum(1 for s in states if s.code in EMPLOYED_CODES and s.province == "山东")
    assert home == 6
    assert flows["留山东就业"] == (6, "30.00%")
    regions = block(region, "经济区域")
    assert regions["港澳台"][0] == 1 and regions["未知"][0] == 1  # 香港; no province
    assert regions["东北"] == (1, "5.00%")
    areas = block(region, "战略区域")
    assert areas["长三角"][0] == 4  # 上海 安徽 浙江 江苏
    assert areas["长江经济带"][0] == 7  # 上海 安徽 湖北 四川 重庆 浙江 江苏
    assert areas["一带一路"][0] == 6  # 上海 广东 新疆 辽宁 重庆 浙江
    assert areas["京津冀"][0] == 2 and areas["粤港澳大湾区"][0] == 2

    # 1/8 half up: 5 study graduates out of 40 would be 12.50%; in 升学, 聊城大学 3 of 5 = 60.00%
    study = {r[0]: r[1:] for r in rows_of(wb["升学"])[2:]}
    assert study["聊城大学"] == (3, 3, 0, "60.00%")
    assert study["墨尔本大学"] == (1, 0, 1, "20.00%")
    assert study["合计"] == (5, 4, 1, "100.00%")

    rates = rows_of(wb["落实率"])
    assert rates[1][-1] == "预警"
    majors = block(wb["落实率"], "专业")
    assert majors["护理"][-1] == "黄牌" and majors["建筑工程技术"][-1] is None
    groups = block(wb["落实率"], "重点群体")
    assert groups["困难家庭"][:2] == (2, 2) and groups["残疾"][:2] == (1, 0)
    assert groups["合计"][:2] == (3, 2)
    assert groups["合计"][5] == "66.67%"  # 2/3 half up
    assert block(wb["落实率"], "性别")["未填写"][0] == 1

    trend = rows_of(wb["趋势"])[2:]
    assert [r[0] for r in trend] == [datetime(2023, 6, 8), datetime(2023, 6, 15), datetime(2023, 6, 22)]
    assert trend[0][1:4] == (18, 44, "40.91%") and trend[0][4] is None
    assert trend[1][3:] == ("45.45%", 4.54)
    assert rows_of(wb["趋势"])[1][4] == "较上周（百分点）"

    nature = {r[1]: r[2:] for r in rows_of(wb["单位性质"])[2:]}
    assert nature["其他企业"] == (4, "20.00%") and nature["未填写"] == (
        5,
        "25.00%",
    )  # 4 of them are the text cases below
    industry = {r[1]: r[2:] for r in rows_of(wb["行业"])[2:]}
    assert industry["卫生和社会工作"][0] == 2 and industry["未填写"][0] == 6


def test_report_half_up_eighths() -> None:
    # 8 graduates: 1 employed in each of 1/8 shares → "12.50%"; 3/8 = 37.50%
    states = [grad(1, 11, province="山东"), grad(2, 80, school="聊城大学"), grad(3, 80, school="聊城大学")]
    states += [
        grad(4, 80, school="聊城大学"),
        grad(5, 70, substate="求职中"),
        grad(6, 0),
        grad(7, 0),
        grad(8, 0),
    ]
    wb = load(report_workbook(states, cohort=2023, as_of=AS_OF))
    rows = {(r[1], r[5]): r[3:5] if r[5] is None else r[6:8] for r in rows_of(wb["毕业去向"])[2:] if r[1]}
    assert rows[(11, None)] == (1, "12.50%")
    assert rows[(80, None)] == (3, "37.50%")
    assert rows[(70, "求职中")] == (1, "12.50%")
    shares = {r[0]: r[1:3] for r in rows_of(wb["毕业去向"]) if r[0] and str(r[0]).endswith("率")}
    assert shares["毕业去向落实率"] == (4, "50.00%") and shares["升学率"] == (3, "37.50%")
    assert shares["待就业率"] == (1, "12.50%") and shares["暂不就业率"] == (0, "0.00%")
    unplaced = {r[0]: r[1:] for r in rows_of(wb["未就业"])[2:]}
    assert unplaced["未上报"] == (3, "37.50%", "75.00%")
    assert unplaced["合计"] == (4, "50.00%", "100.00%")
    # no home province: no 留 line; no cards: no 预警 column
    assert not any(str(k).startswith("留") for k in block(wb["就业地区"], "流向"))
    assert "预警" not in rows_of(wb["落实率"])[1]


def test_report_empty() -> None:
    wb = load(report_workbook([], cohort=2023, as_of=AS_OF, home_province="山东"))
    check_report([], wb)
    assert block(wb["就业地区"], "流向")["留山东就业"] == (0, "—")


def test_report_generated(generated: list[GraduateState]) -> None:
    weekly = [
        (date(2023, 6, 1) + (date(2023, 6, 8) - date(2023, 6, 1)) * i, 1000 + i, 2000) for i in range(10)
    ]
    wb = load(report_workbook(generated, cohort=2023, as_of=AS_OF, home_province="山东", weekly=weekly))
    check_report(generated, wb)
    check_print_settings(wb, 2023, AS_OF)
    no_text_percentages(wb)
    employed = [s for s in generated if s.code in EMPLOYED_CODES]
    home = sum(1 for s in employed if s.province == "山东")
    assert home > 0
    from bot.metrics import format_percent

    assert block(wb["就业地区"], "流向")["留山东就业"] == (home, format_percent(home, len(employed)))
    assert len(rows_of(wb["趋势"])) == 12


def test_twenty_thousand_graduates_export_and_report() -> None:
    states = to_state(generate_cohort(20000, seed=3))
    export = export_workbook(states, cohort=2023, as_of=AS_OF)  # how fast: bench/outputs.py
    report = report_workbook(states, cohort=2023, as_of=AS_OF, home_province="山东")
    assert len(load(export).active["A"]) == 20_001
    assert load(report).sheetnames == list(REPORT_SHEETS)
