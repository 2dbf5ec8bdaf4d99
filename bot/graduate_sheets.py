"""Workbooks of §10 from plain rows: graduates' personal links with a QR code each, and the 核查
table. Text cells are written as strings through `safe_text` (no formula injection)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from bot import qr
from bot.metrics import format_percent
from bot.workbooks import safe_text

_OPTIONS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}
QR_COLUMNS = 4  # QR codes per row on the second sheet, to print and cut into slips
QR_SCALE = 4  # pixels per module
BOUND = ("已绑定", "bound")


def links_workbook(rows: Sequence[tuple[str, str, str, str | None]], prefix: str, lang: str = "zh") -> bytes:
    """Sheet 1: 学号, 姓名, 班级 and the personal link (or 已绑定); sheet 2: one QR code per link,
    labelled with the name and 学号. `rows` are (学号, 姓名, 班级, link or None); every link is
    `prefix` + a token of one length."""
    en = lang == "en"
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **_OPTIONS})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    label_format = book.add_format({"bold": True, "align": "center"})
    links = book.add_worksheet("Links" if en else "个人链接")
    header = ["Student ID", "Name", "Class", "Link"] if en else ["学号", "姓名", "班级", "个人链接"]
    links.write_row(0, 0, header, bold)
    for i, (student_id, name, class_name, link) in enumerate(rows, 1):
        links.write_string(i, 0, safe_text(student_id))
        links.write_string(i, 1, safe_text(name))
        links.write_string(i, 2, safe_text(class_name))
        links.write_string(i, 3, link if link is not None else BOUND[1 if en else 0])
    links.set_column(0, 0, 14)
    links.set_column(1, 2, 16)
    links.set_column(3, 3, 72)
    links.freeze_panes(1, 0)
    if rows:
        links.autofilter(0, 0, len(rows), 3)

    codes = book.add_worksheet("QR codes" if en else "二维码")
    with_links = [(name, student_id, link) for student_id, name, _, link in rows if link is not None]
    tokens = [link[len(prefix) :] for _, _, link in with_links]
    pictures = qr.pngs(qr.symbols(prefix, tokens), scale=QR_SCALE) if tokens else []
    pixels = 0
    for i, ((name, student_id, _), picture) in enumerate(zip(with_links, pictures, strict=True)):
        row, column = divmod(i, QR_COLUMNS)
        codes.write_string(2 * row, column, safe_text(f"{name} {student_id}"), label_format)
        codes.insert_image(
            2 * row + 1,
            column,
            f"{student_id}.png",
            {"image_data": io.BytesIO(picture), "x_offset": 8, "y_offset": 4, "object_position": 1},
        )
        pixels = pixels or _png_width(picture)
    if pixels:
        codes.set_column(0, QR_COLUMNS - 1, pixels / 7 + 3)
        for row in range(-(-len(with_links) // QR_COLUMNS)):
            codes.set_row(2 * row + 1, pixels * 0.75 + 8)
    book.close()
    return buffer.getvalue()


def _png_width(picture: bytes) -> int:
    return int.from_bytes(picture[16:20], "big")


CHECK_HEADER = (
    "院系",
    "毕业生",
    "已落实",
    "本人确认",
    "有材料",
    "核实属实",
    "未核查",
    "核查率",
    "待审核",
    "不属实",
    "已绑定",
    "绑定率",
)
SAMPLE_HEADER = ("抽查", "范围", "抽取", "已落实人数", "抽中", "属实", "不属实", "联系不上", "未核实", "种子")


def write_check_sheet(
    book: Any,
    rows: Sequence[Any],
    samples: Sequence[Sequence[object]],
    *,
    cohort: int,
    as_of: Any,
) -> None:
    """The report workbook's 核查 sheet (§10) into an open xlsxwriter workbook: per department the
    placed and how they were checked (`rows`: CheckRow-like, the last one the total), then each
    sample (`samples`: rows in the order of SAMPLE_HEADER). 核查率 = placed with any check / placed."""
    sheet = book.add_worksheet("核查")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 13})
    sheet.write_string(0, 0, f"{cohort}届毕业生 · 就业信息核查（截至{as_of.isoformat()}）", title)
    sheet.write_row(2, 0, CHECK_HEADER, bold)
    r = 3
    for row in rows:
        checked = row.placed - row.unchecked
        values = [
            safe_text(row.unit), row.total, row.placed, row.confirmed, row.materials, row.checked, row.unchecked,
            format_percent(checked, row.placed), row.pending, row.flagged, row.bound, format_percent(row.bound, row.total),
        ]  # fmt: skip
        for c, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(r, c, value, bold if row is rows[-1] else None)
            else:
                sheet.write_number(r, c, value, bold if row is rows[-1] else None)
        r += 1
    sheet.write_string(r + 1, 0, "注：本人确认、有材料、核实属实可重叠；未核查为三者皆无的已落实毕业生。")
    if samples:
        r += 3
        sheet.write_row(r, 0, SAMPLE_HEADER, bold)
        for sample in samples:
            r += 1
            for c, value in enumerate(sample):
                if isinstance(value, int):
                    sheet.write_number(r, c, value) if abs(value) < 2**53 else sheet.write_string(
                        r, c, str(value)
                    )
                else:
                    sheet.write_string(r, c, safe_text(str(value)))
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(CHECK_HEADER) - 1, 10)
