"""Crafted upload files for attack tests (product.md §9): tiny files that claim or hold huge things."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>'
    "</Relationships>"
)


def _sheet(cells: list[tuple[str, str]], dimension: str | None) -> str:
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        row = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}</sheetData></worksheet>"
    )


def workbook(sheet_xml: str | bytes, *, target: str = "worksheets/sheet1.xml", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx whose one worksheet is ``sheet_xml`` (stored at ``xl/<target>``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(target=target))
        archive.writestr("xl/" + target, sheet_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def far_cell_xlsx(ref: str = "XFD199000", *, dimension: str | None = "same") -> bytes:
    """A ~1.5 KB workbook with a roster header in row 1 and one cell at ``ref``.

    ``dimension``: "same" declares ``A1:<ref>`` (as Excel writes it), None omits the element, any
    other text is declared as is (a lie such as "A1:D1").
    """
    declared = f"A1:{ref}" if dimension == "same" else dimension
    cells = [("A1", "学号"), ("B1", "姓名"), ("C1", "院系"), ("D1", "专业"), (ref, "x")]
    return workbook(_sheet(cells, declared))


def backslash_sheet_xlsx(ref: str = "XFD199000") -> bytes:
    """A far cell in a worksheet stored as `xl\\worksheets\\sheet1.xml`: Python's zipfile keeps the
    name as it is, calamine's zip reader turns the backslashes into slashes and opens it."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    far = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>'
    )
    return workbook("", target="worksheets/sheet2.xml", extra={"xl\\worksheets\\sheet1.xml": far.encode()})


def small_roster_xlsx() -> bytes:
    cells = [("A1", "学号"), ("B1", "姓名"), ("C1", "院系"), ("D1", "专业"),
             ("A2", "2023990001"), ("B2", "测试"), ("C2", "护理学院"), ("D2", "护理")]
    return workbook(_sheet(cells, "A1:D2"))


def zip_bomb_xlsx(inflated: int = 64 * 1024 * 1024) -> bytes:
    """A workbook whose shared strings inflate to ``inflated`` bytes of spaces (ratio ~1000:1)."""
    return workbook(_sheet([("A1", "学号")], "A1:A1"), extra={"xl/sharedStrings.xml": b" " * inflated})


def corrupt_zip() -> bytes:
    """Starts like a zip, then noise: no central directory."""
    return b"PK\x03\x04" + random.Random(8).randbytes(3000)


def truncated_xlsx() -> bytes:
    """A real workbook cut in half (the central directory is lost)."""
    data = small_roster_xlsx()
    return data[: len(data) // 2]


def unknown_compression_xlsx() -> bytes:
    """A workbook whose sheet claims compression method 99 (AES): zipfile raises NotImplementedError."""
    data = bytearray(small_roster_xlsx())
    name = b"xl/worksheets/sheet1.xml"
    pos = 0  # patch the method in the sheet's local header and in its central-directory entry
    while (pos := data.find(name, pos + 1)) != -1:
        if data[pos - 30 : pos - 26] == b"PK\x03\x04":
            struct.pack_into("<H", data, pos - 30 + 8, 99)
        elif data[pos - 46 : pos - 42] == b"PK\x01\x02":
            struct.pack_into("<H", data, pos - 46 + 10, 99)
    return bytes(data)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def roster_csv(rows: int = 2) -> bytes:
    lines = ["学号,姓名,院系,专业"] + [f"2023990{i:03d},测试{i},护理学院,护理" for i in range(1, rows + 1)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def huge_cell_csv(chars: int = 30_000) -> bytes:
    """A roster whose header row and data row carry one cell of ``chars`` opening brackets."""
    cell = "(" * chars
    return f"学号,姓名,院系,专业,{cell}\r\n2023990001,测试,护理学院,{cell},x\r\n".encode()


def junk_csv(size: int = 10 * 1024 * 1024) -> bytes:
    """``size`` bytes of valid UTF-8 junk: words, commas, quotes, brackets, newlines."""
    rng = random.Random(11)
    tokens = ["abc", "学号", "去向", ",", ",", ";", "\t", '"', "(", "「", "=", "2023", "\n", " ", "签约", "\u200b"]
    block = "".join(rng.choice(tokens) for _ in range(1 << 15)).encode()
    return (block * (size // len(block) + 1))[:size].rsplit(b"\n", 1)[0] + b"\n"
