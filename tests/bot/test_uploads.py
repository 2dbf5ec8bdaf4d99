"""Opening uploaded files under limits (bot.uploads, product.md §3 and §9): crafted files are refused
with a clear message in both languages, before anything large is allocated."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile

import pytest

from bot import uploads
from bot.roster import read_roster, read_update_table
from bot.uploads import UploadLimits, UploadTooLarge, UploadUnreadable, check_size, read_grid
from tests import crafted

TODAY = dt.date(2023, 9, 1)


def refused(data: bytes, name: str, kind: type[Exception] = uploads.UploadError) -> uploads.UploadError:
    with pytest.raises(kind) as info:
        read_roster(data, name, default_cohort=2023, today=TODAY)
    error = info.value
    assert isinstance(error, uploads.UploadError)
    assert error.message_zh and error.message_en and error.message("en") == error.message_en
    return error


@pytest.mark.parametrize("dimension", ["same", None, "A1:D1"], ids=["declared", "no-dimension", "lying-dimension"])
def test_far_cell_is_refused_from_the_sheet_xml_without_allocating(dimension: str | None) -> None:
    data = crafted.far_cell_xlsx("XFD199000", dimension=dimension)
    assert len(data) < 2000
    tracemalloc.start()
    try:
        error = refused(data, "roster.xlsx", UploadTooLarge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "199,000" in error.message_en and "16,384" in error.message_en
    assert "使用区域太大" in error.message_zh
    assert peak < 20 * 1024 * 1024  # calamine would have asked for ~100 GB


def test_far_cell_in_an_update_table_is_refused_too() -> None:
    with pytest.raises(UploadTooLarge):
        read_update_table(crafted.far_cell_xlsx("XFD5000"), "updates.xlsx", TODAY)


def test_sheet_found_through_the_workbook_relationships() -> None:
    sheet = crafted.far_cell_xlsx("A300000", dimension=None)
    archive = zipfile.ZipFile(io.BytesIO(sheet))
    moved = crafted.workbook(archive.read("xl/worksheets/sheet1.xml"), target="hidden/data.xml")
    assert refused(moved, "roster.xlsx", UploadTooLarge)


def test_a_small_workbook_is_read() -> None:
    result = read_roster(crafted.small_roster_xlsx(), "roster.xlsx", default_cohort=2023, today=TODAY)
    assert result.ok and [r.student_id for r in result.rows] == ["2023990001"]


def test_zip_bomb_refused_from_the_directory() -> None:
    data = crafted.zip_bomb_xlsx()
    assert len(data) < 200_000
    assert "zip bomb" in refused(data, "roster.xlsx", UploadTooLarge).message_en


def test_inflated_bytes_are_counted_while_streaming() -> None:
    sheet = crafted.far_cell_xlsx("D1", dimension=None).replace(b"", b"")
    archive = zipfile.ZipFile(io.BytesIO(sheet))
    padded = archive.read("xl/worksheets/sheet1.xml").replace(b"<sheetData>", b"<sheetData>" + b" " * 3_000_000)
    with pytest.raises(UploadTooLarge):
        read_grid(crafted.workbook(padded), "r.xlsx", limits=UploadLimits(max_uncompressed=2_000_000, ratio_floor=10**9))


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (crafted.corrupt_zip(), "roster.xlsx", "corrupt"),
        (crafted.truncated_xlsx(), "roster.xlsx", "corrupt"),
        (crafted.unknown_compression_xlsx(), "roster.xlsx", "corrupt"),
        (crafted.png_bytes(), "roster.xlsx", "PNG"),
        (crafted.png_bytes(), "roster.csv", "PNG"),
        (crafted.roster_csv(), "roster.xlsx", "name it .csv"),
        (crafted.small_roster_xlsx(), "roster.csv", "name it .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "roster.xlsx", ".xls"),
        (b"\xff\xfe\xfd" * 100, "roster.csv", "encoding"),
        (crafted.small_roster_xlsx(), "roster.exe", "only .csv and .xlsx"),
    ],
    ids=["corrupt-zip", "truncated", "unknown-compression", "png-as-xlsx", "png-as-csv", "csv-as-xlsx",
         "xlsx-as-csv", "ole", "bad-encoding", "wrong-suffix"],
)
def test_corrupt_and_disguised_files_get_clear_refusals(data: bytes, name: str, says: str) -> None:
    error = refused(data, name, UploadUnreadable)
    assert says in error.message_en, error.message_en


def test_telegram_size_is_checked_from_the_declared_size() -> None:
    check_size(None)
    check_size(uploads.TELEGRAM_MAX_BYTES)
    with pytest.raises(UploadTooLarge) as info:
        check_size(uploads.TELEGRAM_MAX_BYTES + 1)
    assert "20 MB" in info.value.message_en and "20 MB" in info.value.message_zh
    check_size(10**12, None)  # the CLI: no byte limit
    with pytest.raises(UploadTooLarge):
        read_grid(crafted.roster_csv(), "r.csv", limits=UploadLimits(max_bytes=10))


def test_huge_cell_is_read_in_linear_time_and_rejected_by_field_limit() -> None:
    result = read_roster(crafted.huge_cell_csv(30_000), "roster.csv", default_cohort=2023, today=TODAY)
    assert not result.ok
    assert any("128" in p.message_en for p in result.problems)


def test_too_many_columns_and_cells() -> None:
    wide = ("学号," + ",".join(f"c{i}" for i in range(300)) + "\r\n").encode()
    with pytest.raises(UploadTooLarge) as info:
        read_grid(wide, "r.csv")
    assert "301" in info.value.message_en
    with pytest.raises(UploadTooLarge):
        read_grid(crafted.roster_csv(50), "r.csv", limits=UploadLimits(max_cells=100))


def test_junk_csv_is_refused() -> None:
    try:
        result = read_roster(crafted.junk_csv(2 * 1024 * 1024), "junk.csv", default_cohort=2023, today=TODAY)
    except uploads.UploadError as error:
        assert error.message_zh and error.message_en
    else:
        assert not result.ok and result.problems[0].message_en  # no 学号/姓名 header: nothing importable


def test_time_budget_stops_reading() -> None:
    with pytest.raises(UploadTooLarge) as info:
        read_grid(crafted.roster_csv(5000), "r.csv", limits=UploadLimits(seconds=-1))
    assert "took longer" in info.value.message_en


def test_invisible_characters_are_stripped_from_cells() -> None:
    data = "学号,姓名,院系,专业\r\n\u200f2023990001\u200b,张\x07三,\u202e护理学院,护理\r\n".encode()
    row = read_roster(data, "r.csv", default_cohort=2023, today=TODAY).rows[0]
    assert (row.student_id, row.name, row.department) == ("2023990001", "张三", "护理学院")


def test_a_sparse_used_range_within_the_limits_is_refused() -> None:
    """256 × 28,415 = 7.3 M cells is under max_cells, but five cells in it made calamine and the
    reader fill 7 s of CPU and hundreds of MB from a 1.5 KB file (found by hypothesis)."""
    error = refused(crafted.far_cell_xlsx("IV28415", dimension=None), "roster.xlsx", UploadTooLarge)
    assert "holds only 5 cells" in error.message_en and "几乎全是空白" in error.message_zh


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<row r="1"><c\nr="XFD199000" t="inlineStr"><is><t>x</t></is></c></row>',  # a newline before r
        '<row r="1"><c t="inlineStr" r="XFD199000"><is><t>x</t></is></c></row>',  # r not first
        '<row r="1"><c r="A1"/></row><row r="199000"><c r="A199000"/></row>' + "<row><c/></row>" * 2000,
        "<row>" + "<c/>" * 300 + "</row>",  # cells without references: 300 columns
        '<row r="1"><c r="A1"><v>1</v></c><c r="A250000"><v>1</v></c></row>',  # a cell's row beyond its row's
    ],
    ids=["newline-before-r", "r-not-first", "rows-after-a-far-row", "unreferenced-cells", "cell-row-beyond-row"],
)
def test_every_way_of_writing_cell_positions_is_counted(sheet_data: str) -> None:
    sheet = f"<worksheet {_NS}><sheetData>{sheet_data}</sheetData></worksheet>"
    with pytest.raises(UploadTooLarge):
        read_grid(crafted.workbook(sheet), "r.xlsx")


def test_prefixed_tags_are_counted() -> None:
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="XFD199000" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>'
    )
    with pytest.raises(UploadTooLarge):
        read_grid(crafted.workbook(sheet), "r.xlsx")
