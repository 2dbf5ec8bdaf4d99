"""Reading roster files and update tables (bot.roster, product.md §3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile

import pytest
import xlsxwriter

from bot import roster, uploads
from bot.grammar import ParsedLine, parse_message
from bot.roster import RosterTooLarge, RosterUnreadable, read_roster, read_update_table
from bot.sandbox.cohort_gen import generate_cohort

TODAY = dt.date(2023, 9, 1)


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, date_col: int | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def read(data: bytes, name: str, **kw: object) -> roster.RosterFile:
    return read_roster(data, name, default_cohort=2023, today=TODAY, **kw)  # type: ignore[arg-type]


ZH_HEADER = [
    "学号",
    "姓名",
    "院系",
    "专业",
    "专业大类",
    "班级",
    "学历",
    "性别",
    "生源地",
    "民族",
    "重点群体",
    "辅导员",
    "届别",
]


# --------------------------------------------------------------------------------------------
# Headers, cells, normalisation
# --------------------------------------------------------------------------------------------


def test_chinese_headers_csv_normalises_fields_and_keeps_leading_zeros() -> None:
    data = csv_bytes(
        [
            [*ZH_HEADER, "政治面貌"],
            ["0023010101", "张三", "护理学院", "护理", "医药卫生大类", "护理2301班", "大专", "F", "山东省", "汉族",
             "建档立卡；残疾", "李老师", "2023届", "团员"],
            ["0023010102", " 李 四 ", "护理学院", "助产", "", "", "本科", "男", "聊城市", "回族", "", "", "", ""],
        ]
    )  # fmt: skip
    result = read(data, "名单.csv")
    assert result.problems == []
    assert result.unknown_columns == ["政治面貌"]
    assert result.has_destinations is False
    first, second = result.rows
    assert first.row_no == 2 and second.row_no == 3
    assert first.student_id == "0023010101"
    assert (first.degree, first.gender, first.origin, first.cohort) == ("专科", "女", "山东", 2023)
    assert first.groups == ("建档立卡", "残疾")  # the college's own labels, never renamed
    assert (
        first.class_name == "护理2301班" and first.category == "医药卫生大类" and first.counsellor == "李老师"
    )
    assert first.update_text is None
    assert second.name == "李 四"
    assert second.origin == "山东"  # 聊城市 is a city of 山东
    assert second.category is None and second.groups == () and second.cohort == 2023  # default cohort


def test_english_headers_xlsx_numbers_and_text() -> None:
    rows: list[list[object]] = [
        ["Student ID", "Name", "College", "Major", "Degree", "Gender", "Cohort", "major_en", "Department_EN"],
        [
            2023010101,
            "Zhang San",
            "School of Nursing",
            "护理",
            "bachelor",
            "M",
            2022,
            "Nursing",
            "School of Nursing",
        ],
        ["0012345678", "Li Si", "School of Nursing", "助产", "Master", "female", "2022届", "Midwifery", None],
    ]
    result = read(xlsx_bytes(rows), "roster.xlsx")
    assert result.problems == []
    assert [r.student_id for r in result.rows] == ["2023010101", "0012345678"]
    first, second = result.rows
    assert (first.department, first.major, first.degree, first.gender, first.cohort) == (
        "School of Nursing", "护理", "本科", "男", 2022,
    )  # fmt: skip
    assert first.major_en == "Nursing" and first.department_en == "School of Nursing"
    assert (second.degree, second.gender, second.cohort, second.department_en) == ("硕士", "女", 2022, None)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(encoding: str) -> None:
    data = csv_bytes(
        [["学号", "姓名", "学院", "专业名称"], ["2023010101", "张三", "护理学院", "护理"]], encoding
    )
    result = read(data, "r.csv")
    assert result.problems == []
    assert (result.rows[0].name, result.rows[0].department) == ("张三", "护理学院")


def test_headers_are_case_space_and_width_insensitive_and_title_rows_are_skipped() -> None:
    rows: list[list[object]] = [
        ["2023届毕业生名单"],
        [],
        ["ＳＴＵＤＥＮＴ　ＩＤ", " 姓 名 ", "院系*", "专业(必填)", "性别（男/女）"],
        ["2023010101", "张三", "护理学院", "护理", "男"],
    ]
    result = read(xlsx_bytes(rows), "r.xlsx")
    assert result.problems == []
    assert result.rows[0].row_no == 4
    assert result.rows[0].gender == "男"


def test_tab_separated_and_excel_text_formula_cells() -> None:
    data = '学号\t姓名\t院系\t专业\n="0123"\t张三\t护理学院\t护理\n'.encode()
    result = read(data, "r.txt")
    assert result.problems == []
    assert result.rows[0].student_id == "0123"


def test_integral_floats_and_dates_in_cells() -> None:
    assert uploads._cell_str(2023010101.0) == "2023010101"
    assert uploads._cell_str(3.5) == "3.5"
    assert uploads._cell_str(dt.datetime(2023, 5, 12, 0, 0)) == "2023-05-12"
    assert uploads._cell_str(dt.date(2023, 5, 12)) == "2023-05-12"
    assert uploads._cell_str(True) == "是"
    assert uploads._cell_str(None) == ""


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


def test_duplicate_student_id_reports_every_row() -> None:
    data = csv_bytes(
        [
            ["学号", "姓名", "院系", "专业"],
            ["2023010101", "张三", "护理学院", "护理"],
            ["2023010102", "李四", "护理学院", "护理"],
            ["2023010101", "王五", "护理学院", "护理"],
        ]
    )
    result = read(data, "r.csv")
    dups = [p for p in result.problems if p.field == "student_id"]
    assert [p.row_no for p in dups] == [2, 4]
    assert all("2023010101" in p.message_zh and "2, 4" in p.message_en for p in dups)


def test_missing_required_field_and_missing_column() -> None:
    data = csv_bytes(
        [
            ["学号", "姓名", "院系", "专业"],
            ["2023010101", "", "护理学院", "护理"],
            ["", "李四", "护理学院", ""],
        ]
    )
    result = read(data, "r.csv")
    assert [(p.row_no, p.field) for p in result.problems] == [(2, "name"), (3, "student_id"), (3, "major")]
    assert all(p.message_zh and p.message_en for p in result.problems)

    no_major = read(csv_bytes([["学号", "姓名", "院系"], ["2023010101", "张三", "护理学院"]]), "r.csv")
    assert [(p.row_no, p.field) for p in no_major.problems] == [(1, "major")]
    assert no_major.rows == []


def test_bad_degree_gender_cohort_and_scientific_ids() -> None:
    data = csv_bytes(
        [
            ["学号", "姓名", "院系", "专业", "学历", "性别", "届别"],
            ["2023010101", "张三", "护理学院", "护理", "中专", "男", "2023"],
            ["2023010102", "李四", "护理学院", "护理", "专科", "未知", "2023"],
            ["2023010103", "王五", "护理学院", "护理", "专科", "女", "去年"],
            ["2.02301E+09", "赵六", "护理学院", "护理", "专科", "女", "2023"],
        ]
    )
    result = read(data, "r.csv")
    assert [(p.row_no, p.field) for p in result.problems] == [
        (2, "degree"), (3, "gender"), (4, "cohort"), (5, "student_id"),
    ]  # fmt: skip
    assert "中专" in result.problems[0].message_zh and "中专" in result.problems[0].message_en


def test_blank_rows_are_skipped_but_row_numbers_stay_true() -> None:
    data = csv_bytes(
        [
            ["学号", "姓名", "院系", "专业"],
            ["2023010101", "张三", "护理学院", "护理"],
            ["", "", "", ""],
            ["2023010102", "", "护理学院", "护理"],
        ]
    )
    result = read(data, "r.csv")
    assert [r.row_no for r in result.rows] == [2, 4]
    assert [(p.row_no, p.field) for p in result.problems] == [(4, "name")]


# --------------------------------------------------------------------------------------------
# Destination columns
# --------------------------------------------------------------------------------------------

DEST_HEADER = ["学号", "姓名", "院系", "专业", "去向", "单位", "地区", "性质", "行业", "对口", "日期", "备注"]


def test_destination_columns_become_update_lines() -> None:
    rows: list[list[object]] = [
        DEST_HEADER,
        ["2023010101", "张三", "护理学院", "护理", "签劳动合同", "聊城市 人民医院", "山东聊城", 31, "Q", True,
         dt.date(2023, 5, 12), "已入职"],
        ["2023010102", "李四", "护理学院", "护理", "求职中", None, None, None, None, None, None, "下周 面试"],
        ["2023010103", "王五", "护理学院", "护理", None, None, None, None, None, None, None, None],
        ["2023010104", "赵六", "护理学院", "护理", "labour contract", "ACME", None, None, None, None, None, None],
    ]  # fmt: skip
    result = read(xlsx_bytes(rows), "r.xlsx")
    assert result.problems == []
    assert result.has_destinations
    first, _, third, _ = result.rows
    assert first.update_text is not None and first.update_text.startswith("2023010101 签劳动合同 ")
    assert third.update_text is None
    parsed = parse_message("\n".join(r.update_text for r in result.rows if r.update_text), TODAY)
    assert all(isinstance(p, ParsedLine) for p in parsed)
    one, two, four = parsed
    assert isinstance(one, ParsedLine) and isinstance(two, ParsedLine) and isinstance(four, ParsedLine)
    assert (one.who, one.destination.code, one.employer, one.province, one.city) == (
        "2023010101", 11, "聊城市 人民医院", "山东", "聊城",
    )  # fmt: skip
    assert (one.unit_nature, one.industry, one.related, one.effective_date, one.note) == (
        31, "Q", True, dt.date(2023, 5, 12), "已入职",
    )  # fmt: skip
    assert (two.destination.key, two.note, two.effective_date) == ("70/求职中", "下周 面试", TODAY)
    assert four.destination.code == 11 and four.employer == "ACME"


def test_destination_problems_unknown_word_future_date_and_details_without_destination() -> None:
    data = csv_bytes(
        [
            DEST_HEADER,
            ["2023010101", "张三", "护理学院", "护理", "签劳动和同", "", "", "", "", "", "", ""],
            ["2023010102", "李四", "护理学院", "护理", "合同", "某医院", "", "", "", "", "2023-12-01", ""],
            ["2023010103", "王五", "护理学院", "护理", "合同", "某医院", "", "", "", "", "2023-13-45", ""],
            ["2023010104", "赵六", "护理学院", "护理", "", "某医院", "", "", "", "", "", ""],
            ["2023010105", "钱七", "护理学院", "护理", "合同", "某医院", "", "火星单位", "", "", "", ""],
            ["2023010106", "孙八", "护理学院", "护理", "合同", "某医院", "", "", "", "", "2023-08-31", ""],
        ]
    )
    result = read(data, "r.csv")
    got = [(p.row_no, p.field) for p in result.problems]
    assert got == [(2, "destination"), (3, "date"), (4, "date"), (5, "destination"), (6, "nature")]
    unknown = result.problems[0]
    assert "签劳动和同" in unknown.message_zh and "签劳动合同" in unknown.message_zh  # the suggestion
    assert "future" in result.problems[1].message_en
    assert result.rows[-1].update_text is not None


# --------------------------------------------------------------------------------------------
# Refused files
# --------------------------------------------------------------------------------------------


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_ROWS", 5)
    rows = [["学号", "姓名", "院系", "专业"]] + [
        [f"20230101{i:02d}", "张三", "护理学院", "护理"] for i in range(6)
    ]
    for data, name in ((csv_bytes(rows), "r.csv"), (xlsx_bytes(rows), "r.xlsx")):
        with pytest.raises(RosterTooLarge) as info:
            read(data, name)
        assert "5" in info.value.message_zh and "5" in info.value.message_en
    read(csv_bytes(rows[:6]), "r.csv")  # exactly the limit is fine


def test_byte_limit_is_telegrams_and_the_reader_has_none() -> None:
    assert roster.MAX_BYTES == 20 * 1024 * 1024 and roster.MAX_ROWS == 200_000
    extra = [f"附加{c}" for c in range(200)]  # unknown columns, ignored: 21 MB of them
    rows = [["学号", "姓名", "院系", "专业", *extra]] + [
        [f"2023{i:06d}", "张三", "护理学院", "护理", *["x" * 35_000] * 200] for i in range(3)
    ]
    padded = csv_bytes(rows)
    assert len(padded) > roster.MAX_BYTES
    assert read(padded, "r.csv").ok  # the CLI path: no byte limit


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (random.Random(7).randbytes(5000), "roster.xlsx"),
        (random.Random(7).randbytes(5000), "roster.csv"),
        (b"PK\x03\x04" + random.Random(8).randbytes(3000), "roster.xlsx"),
        (b"%PDF-1.7\n...", "roster.pdf"),
        (b"%PDF-1.7\n...", "roster.csv"),
        (_zip_bytes(), "roster.docx"),
        (_zip_bytes(), "roster.xlsx"),
        (b"", "roster.csv"),
        (b"   \r\n  \r\n", "roster.csv"),
        (b"\xff\xfe" + "学号,姓名".encode("utf-16-le"), "roster.csv"),
    ],
)
def test_unreadable_files(data: bytes, name: str) -> None:
    with pytest.raises(RosterUnreadable) as info:
        read(data, name)
    assert info.value.message_zh and info.value.message_en


# --------------------------------------------------------------------------------------------
# Update tables
# --------------------------------------------------------------------------------------------


def test_read_update_table_lines_match_rows() -> None:
    rows: list[list[object]] = [
        ["更新表"],
        ["学号", "姓名", "去向", "单位", "日期"],
        ["2023010101", "张三", "合同", "聊城市人民医院", dt.date(2023, 6, 1)],
        [],
        ["2023010102", "李四", None, "某公司", None],
        ["2023010103", "王五", "升学", "聊城大学", None],
        [None, "赵六", "升学", None, None],
    ]
    text, problems = read_update_table(xlsx_bytes(rows), "更新.xlsx", TODAY)
    assert [(p.row_no, p.field) for p in problems] == [(5, "destination"), (7, "student_id")]
    lines = text.split("\n")
    assert lines[2].startswith("2023010101 合同 ") and lines[5].startswith("2023010103 升学 ")
    parsed = parse_message(text, TODAY)
    assert [p.line_no for p in parsed] == [3, 6]  # line N of the text is row N of the file
    first, second = parsed
    assert isinstance(first, ParsedLine) and isinstance(second, ParsedLine)
    assert (first.destination.code, first.employer, first.effective_date) == (
        11,
        "聊城市人民医院",
        dt.date(2023, 6, 1),
    )
    assert (second.destination.code, second.school) == (80, "聊城大学")


def test_read_update_table_needs_id_and_destination_columns() -> None:
    text, problems = read_update_table(
        csv_bytes([["学号", "单位"], ["2023010101", "某公司"]]), "u.csv", TODAY
    )
    assert text == ""
    assert [(p.row_no, p.field) for p in problems] == [(1, "destination")]


# --------------------------------------------------------------------------------------------
# Scale
# --------------------------------------------------------------------------------------------


def test_twenty_thousand_rows_xlsx_reads_fast() -> None:
    cohort = generate_cohort(20_000, seed=5)
    buffer = io.BytesIO()
    cohort.to_xlsx(buffer)
    data = buffer.getvalue()
    result = read(data, "big.xlsx")  # how fast: bench/, never a timed test
    assert result.problems == [] and len(result.rows) == 20_000
