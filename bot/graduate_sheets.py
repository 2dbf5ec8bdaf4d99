"""Workbooks of §10 from plain rows: graduates' personal links with a QR code each, and the 核查
table. Text cells are written as strings through `safe_text` (no formula injection)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from bot import qr
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
