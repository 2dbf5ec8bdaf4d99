"""Property-based tests (hypothesis) of what people type and upload (product.md §4, §5, §9).

Any input — message text, scope words, callback-like numbers, file bytes — gives per-line results or
a clear refusal (an UploadError with a Chinese and an English message), never an exception, within
each example's deadline.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.grammar import LINE_MAX_CHARS, LineError, ParsedLine, looks_like_update, parse_date, parse_message
from bot.metrics import GraduateState
from bot.roster import RosterFile, read_roster, read_update_table
from bot.sanitize import FIELD_LIMITS, ascii_int, caption_year, clean_text
from bot.scopes import ScopeCatalog, split_query
from bot.uploads import UploadError
from tests import crafted

TODAY = date(2023, 9, 10)
# A generous per-example budget: these inputs must be answered in well under a second; 5 s leaves
# room for a loaded CI machine without letting a quadratic path (seconds to hours) through.
BUDGET = settings(deadline=timedelta(seconds=5), max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), suppress_health_check=[HealthCheck.too_slow])

WORDS = [
    "2023010101", "2023010102", "张三", "签约", "签劳动合同", "升学", "求职中", "出国", "study", "abroad",
    "单位", "学校", "地区", "城市", "性质", "行业", "对口", "日期", "备注", "去向", "学号", "姓名",
    "=", "＝", ":", "：", " ", "　", "\t", "，", "\n", "\n\n", "#", "//", '"', "“", "”", "「", "」", "『", "(", "（",
    "山东聊城", "2023-05-12", "5月12日", "9-01", "是", "否", "Q", "84", "²", "١٢", "①", "𐩀", "\x00", "\x07",
    "\u200b", "\u200e", "\u202e", "\u2066", "\ufeff", "\r", "\u2028", "x" * 300, "医" * 70, "备注=",
]
message_text = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=60).map("".join),
    st.text(max_size=600),
    st.builds(lambda w, n: w * n, st.sampled_from(WORDS), st.integers(0, 2000)),
)
INVISIBLE = "\x00\x07\u200b\u200e\u202e\u2066\ufeff"


@BUDGET
@given(message_text)
@example("2023010101 求职中 " + "「" * 4000)
@example("学号：" + "(" * 4000)
def test_grammar_gives_per_line_results_and_valid_fields(text: str) -> None:
    looks_like_update(text)
    results = parse_message(text, TODAY)
    lines = clean_text(text).splitlines()
    assert len(results) <= max(len(lines), 1)
    for result in results:
        assert isinstance(result, ParsedLine | LineError)
        assert 1 <= result.line_no <= len(lines)
        if isinstance(result, ParsedLine):
            assert len(result.raw) <= LINE_MAX_CHARS or "\n" in result.raw
            assert result.effective_date <= TODAY
            for field in ("employer", "school", "city", "province", "note"):
                value = getattr(result, field)
                if value is not None:
                    assert len(value) <= FIELD_LIMITS[field]
                    assert not any(ch in value for ch in INVISIBLE)
            assert not any(ch in result.who for ch in INVISIBLE)


@BUDGET
@given(st.text(max_size=40))
def test_dates_and_numbers_never_raise(text: str) -> None:
    parsed = parse_date(text, TODAY)
    assert parsed is None or isinstance(parsed, date)
    number = ascii_int(text)
    assert number is None or (text.isascii() and text.isdigit() and number == int(text))
    year = caption_year(text)
    assert year is None or 1950 <= year <= 2200


def _state(i: int, department: str, major: str) -> GraduateState:
    return GraduateState(
        graduate_id=i, student_id=f"20230101{i:02d}", name=f"n{i}", department=department, major=major,
        category="医药卫生大类", class_name=f"{major}2301班", degree="专科", gender="女", origin="山东",
        groups=("困难家庭",), counsellor="王老师",
    )


CATALOG = ScopeCatalog.build(
    [_state(1, "护理学院", "护理"), _state(2, "护理学院", "助产"), _state(3, "信息工程学院", "软件技术")],
    user_aliases={"IT": ("department", "信息工程学院")},
)
scope_words = st.lists(
    st.one_of(
        st.sampled_from(["护理", "专业:护理", "届:2023", "2023届", "١٢٣٤届", "²⁰²³届", "9-01", "5月1日", "class:", ":", "班级：护",
                         "group=困难", " " * 3000 + "x", "专业:" + " " * 3000 + "护"]),
        st.text(max_size=80),
    ),
    max_size=6,
)


@BUDGET
@given(scope_words)
def test_scope_parser_resolves_or_returns_nothing(args: list[str]) -> None:
    query = split_query(args, parse_date, TODAY)
    assert query.cohort is None or 1000 <= query.cohort <= 9999
    for scope in CATALOG.resolve(query.scope_text):
        assert scope.dimension in ("all", "cohort") or scope.value in CATALOG.values[scope.dimension]


HEADERS = ["学号", "姓名", "院系", "专业", "班级", "学历", "性别", "届别", "重点群体", "去向", "单位", "城市", "备注", "日期", "?"]
cells = st.one_of(st.sampled_from([*WORDS, "专科", "女", "2023", "护理学院", "护理", "2e10", '="0123"']), st.text(max_size=40))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _check_read(data: bytes, name: str) -> None:
    try:
        roster = read_roster(data, name, default_cohort=2023, today=TODAY)
    except UploadError as error:
        assert error.message_zh and error.message_en
        return
    assert isinstance(roster, RosterFile)
    for problem in roster.problems:
        assert problem.message_zh and problem.message_en
    if roster.ok:
        for row in roster.rows:
            for field in ("student_id", "name", "department", "major", "class_name", "counsellor"):
                value = getattr(row, field)
                assert value is None or len(value) <= FIELD_LIMITS[field]
    try:
        text, _ = read_update_table(data, name, TODAY)
    except UploadError:
        return
    parse_message(text, TODAY)


@BUDGET
@given(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=10), st.lists(st.lists(cells, max_size=12), max_size=20))
def test_roster_reader_csv(header: list[str], rows: list[list[str]]) -> None:
    _check_read(_csv([header, *rows]), "roster.csv")


@BUDGET
@given(st.binary(max_size=3000), st.sampled_from(["r.csv", "r.xlsx", "r.txt", "r", "r.xls", "r.xlsx.png"]))
def test_roster_reader_any_bytes(data: bytes, name: str) -> None:
    _check_read(data, name)


@BUDGET
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "D", "Z", "AA", "IV", "XFD", ""]), st.integers(0, 2_000_000), cells),
        max_size=8,
    ),
    st.one_of(st.none(), st.sampled_from(["A1", "A1:D2", "A1:XFD1048576", "B2:A1", "junk", "A0"])),
)
def test_roster_reader_crafted_workbooks(refs: list[tuple[str, int, str]], dimension: str | None) -> None:
    body = "".join(
        f'<row r="{row}"><c r="{col}{row}" t="inlineStr"><is><t>{text_escape(text)}</t></is></c></row>'
        for col, row, text in refs
    )
    head = '<c r="A1" t="inlineStr"><is><t>学号</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c>'
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'{dim}<sheetData><row r="1">{head}</row>{body}</sheetData></worksheet>'
    )
    _check_read(crafted.workbook(sheet), "roster.xlsx")


@BUDGET
@given(st.binary(min_size=1, max_size=200), st.integers(0, 2000))
def test_roster_reader_damaged_workbooks(noise: bytes, at: int) -> None:
    data = bytearray(crafted.small_roster_xlsx())
    position = at % len(data)
    data[position : position + len(noise)] = noise
    _check_read(bytes(data), "roster.xlsx")


def text_escape(text: str) -> str:
    cleaned = "".join(ch for ch in text if ch in "\t\n\r" or (ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF and ch not in "\ufffe\uffff"))
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
