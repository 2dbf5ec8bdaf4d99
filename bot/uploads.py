"""Opening uploaded spreadsheets under limits (product.md §3, §9): the one door every file goes through.

Pure domain code: bytes in, rows of strings out; no Telegram, no database. Roster imports (``/import``
and ``placement-bot import``) and update tables (a ``.csv``/``.xlsx`` sent without a caption) are
read by :func:`read_grid`, which refuses, with a message in Chinese and English, before anything
large is allocated:

* **size** — through Telegram a file over :data:`TELEGRAM_MAX_BYTES` (what the Bot API lets a bot
  download) is refused from the document's declared ``file_size``, before the download
  (:func:`check_size`); the CLI has no byte limit.
* **format** from the content, not the name: a zip holding ``xl/workbook.xml`` is a workbook, text
  that decodes as UTF-8 or GB18030 is CSV; anything else (PNG, PDF, ``.xls``, a ``.docx``, a CSV
  named ``.xlsx``) is refused with what it is.
* **zip bombs** — the zip directory's total uncompressed size and each large member's compression
  ratio are checked before anything is inflated, and actual inflated bytes are counted too.
* **the used range** of every worksheet — calamine allocates rows × columns of it densely (one cell
  at ``XFD1000000`` asks for ~100 GB and aborts the process), so the sheet's ``<dimension ref=…>``
  and then every ``<row r=…>``/``<c r=…>`` are read from the XML as it streams out of the zip, and a
  range beyond :attr:`UploadLimits.max_rows` rows, :attr:`~UploadLimits.max_columns` columns or
  :attr:`~UploadLimits.max_cells` cells is refused before calamine sees the file.
* **corrupt files** — ``BadZipFile``, ``NotImplementedError`` (unknown compression),
  ``UnicodeDecodeError``, calamine's errors — become :class:`UploadUnreadable`.
* **time** — reading gives up after :attr:`UploadLimits.seconds` (:class:`Budget`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from python_calamine import CalamineWorkbook, SheetTypeEnum

from bot.sanitize import clean_text

__all__ = [
    "MAX_ROWS",
    "TELEGRAM_MAX_BYTES",
    "Budget",
    "UploadError",
    "UploadLimits",
    "UploadTooLarge",
    "UploadUnreadable",
    "check_size",
    "read_grid",
    "sheet_extent",
]

#: What the Bot API lets a bot download (product.md §3).
TELEGRAM_MAX_BYTES = 20 * 1024 * 1024
#: Data rows per file (product.md §3).
MAX_ROWS = 200_000
#: Rows above the header a sheet may carry (titles, notes), beyond :data:`MAX_ROWS`.
HEADER_SLACK_ROWS = 10


@dataclass(frozen=True)
class UploadLimits:
    """How much of a file is read before it is refused."""

    max_bytes: int | None = None  # None: no byte limit (the CLI)
    max_rows: int = MAX_ROWS + HEADER_SLACK_ROWS + 1
    max_columns: int = 256  # a roster has ~25 known columns; 256 leaves room for any export
    max_cells: int = 8_000_000  # rows × columns calamine allocates (~32 bytes each) and we convert
    max_uncompressed: int = 1024 * 1024 * 1024  # total inflated size of a workbook's members
    max_ratio: int = 200  # inflated / compressed, for members over ratio_floor
    ratio_floor: int = 16 * 1024 * 1024
    max_members: int = 10_000
    sparse_floor: int = 1_000_000  # a used range over this many cells must be at least 1/sparse_factor full
    sparse_factor: int = 20
    seconds: float = 120.0  # a 100,000-row roster reads in a few seconds; junk is refused sooner


DEFAULT_LIMITS = UploadLimits()


# --------------------------------------------------------------------------------------------
# Errors (a whole file is refused; each carries a Chinese and an English message)
# --------------------------------------------------------------------------------------------


class UploadError(Exception):
    """A whole file is refused. Carries a Chinese and an English message."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh


class UploadTooLarge(UploadError):
    """Too many bytes, rows, columns or cells, too much to inflate, or too long to read."""


class UploadUnreadable(UploadError):
    """Not a CSV/XLSX file, or a corrupt one."""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def check_size(size: int | None, max_bytes: int | None = TELEGRAM_MAX_BYTES) -> None:
    """Refuse a file whose (declared or actual) size is over ``max_bytes``; None sizes pass."""
    if size is not None and max_bytes is not None and size > max_bytes:
        raise UploadTooLarge(
            f"文件太大（{_mb(size)} MB），通过 Telegram 上传的上限为 {max_bytes // (1024 * 1024)} MB。"
            "请拆分后分批发送，或由管理员用命令行 placement-bot import 导入。",
            f"The file is too large ({_mb(size)} MB); the limit for files sent through Telegram is "
            f"{max_bytes // (1024 * 1024)} MB. Split it, or have an admin import it with placement-bot import.",
        )


def too_many_rows(count: int | None = None, limit: int = MAX_ROWS) -> UploadTooLarge:
    got_zh = f"（{count:,} 行）" if count is not None else ""
    got_en = f" ({count:,} rows)" if count is not None else ""
    return UploadTooLarge(
        f"行数太多{got_zh}，上限为 {limit:,} 行。请拆分后分批导入。",
        f"Too many rows{got_en}; the limit is {limit:,} rows. Split the file and import the parts.",
    )


def _too_wide(columns: int, limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"列数太多（{columns:,} 列），上限为 {limit:,} 列。请删除多余的列后重新发送。",
        f"Too many columns ({columns:,}); the limit is {limit:,}. Delete the extra columns and send it again.",
    )


def _range_too_large(
    where: str, rows: int, columns: int, limits: UploadLimits, *, sparse: int | None = None
) -> UploadTooLarge:
    if sparse is not None:
        return UploadTooLarge(
            f"工作表「{where}」的使用区域有 {rows:,} 行 × {columns:,} 列，但只有 {sparse:,} 个单元格，几乎全是空白。"
            "请只保留名单所在的区域（删除远处的空白格式或内容）后重新保存。",
            f"The used range of sheet '{where}' is {rows:,} rows × {columns:,} columns but holds only {sparse:,} "
            "cells. Keep only the table (clear far-away cells or formatting) and save it again.",
        )
    return UploadTooLarge(
        f"工作表「{where}」的使用区域太大（{rows:,} 行 × {columns:,} 列），上限为 {limits.max_rows - HEADER_SLACK_ROWS - 1:,} 行、"
        f"{limits.max_columns:,} 列、共 {limits.max_cells:,} 个单元格。请只保留名单所在的区域（删除远处的空白格式或内容）后重新保存。",
        f"The used range of sheet '{where}' is too large ({rows:,} rows × {columns:,} columns); the limits are "
        f"{limits.max_rows - HEADER_SLACK_ROWS - 1:,} rows, {limits.max_columns:,} columns and {limits.max_cells:,} cells. Keep only the "
        "table (clear far-away cells or formatting) and save it again.",
    )


def _bomb(file_name: str) -> UploadTooLarge:
    return UploadTooLarge(
        f"文件「{file_name}」解压后过大（疑似压缩炸弹），已拒绝。",
        f"'{file_name}' inflates to far more than a spreadsheet does (a zip bomb?); refused.",
    )


def _corrupt(file_name: str) -> UploadUnreadable:
    return UploadUnreadable(
        f"无法打开 Excel 文件「{file_name}」（文件损坏或已加密）。请重新保存为 .xlsx 后发送。",
        f"Cannot open the Excel file '{file_name}' (corrupt or password-protected). Save it again as .xlsx.",
    )


def _unreadable_format(file_name: str, what_zh: str = "", what_en: str = "") -> UploadUnreadable:
    is_zh = f"（它实际上是{what_zh}）" if what_zh else ""
    is_en = f" (it is actually {what_en})" if what_en else ""
    return UploadUnreadable(
        f"无法读取文件「{file_name}」{is_zh}：只接受 .csv 或 .xlsx 格式的表格。",
        f"Cannot read '{file_name}'{is_en}: only .csv and .xlsx spreadsheets are accepted.",
    )


class Budget:
    """A deadline for reading one file; :meth:`check` refuses the file once it has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._end:
            raise UploadTooLarge(
                f"文件处理超时（超过 {self.seconds:g} 秒），已停止。请拆分后分批导入。",
                f"Reading the file took longer than {self.seconds:g} s and was stopped. Split it and import the parts.",
            )


# --------------------------------------------------------------------------------------------
# Format from content
# --------------------------------------------------------------------------------------------

_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ""})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "PDF 文件", "a PDF"),
    (b"\x89PNG", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF8", "GIF 图片", "a GIF image"),
    (b"\x1f\x8b", "gzip 压缩包", "a gzip archive"),
    (b"Rar!", "RAR 压缩包", "a RAR archive"),
    (b"7z\xbc\xaf", "7z 压缩包", "a 7z archive"),
    (b"BM", "BMP 图片", "a BMP image"),
    (b"RIFF", "音视频或图片文件", "a media file"),
)


def _kind(data: bytes) -> tuple[str, str, str]:
    """("zip" | "ole" | "binary" | "text", what it is in zh, in en), from the first bytes."""
    if data.startswith(_ZIP_MAGICS):
        return "zip", "", ""
    if data.startswith(_OLE_MAGIC):
        return "ole", "旧版 .xls 或加密的 Excel 文件", "an old .xls or a password-protected workbook"
    for magic, zh, en in _BINARY_MAGIC:
        if data.startswith(magic):
            return "binary", zh, en
    return "text", "", ""


def read_grid(
    data: bytes,
    file_name: str,
    *,
    limits: UploadLimits = DEFAULT_LIMITS,
    budget: Budget | None = None,
    prefer: Callable[[list[list[str]]], bool] | None = None,
) -> list[list[str]]:
    """The table of one uploaded file as rows of strings; index ``i`` is spreadsheet row ``i + 1``.

    For a workbook the first worksheet for which ``prefer(grid)`` is true is returned, else the
    first non-empty one. Raises :class:`UploadTooLarge` or :class:`UploadUnreadable`.
    """
    budget = budget or Budget(limits.seconds)
    check_size(len(data), limits.max_bytes)
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix not in _XLSX_SUFFIXES | _CSV_SUFFIXES:
        raise _unreadable_format(file_name)
    kind, what_zh, what_en = _kind(data)
    if kind in ("ole", "binary"):
        raise _unreadable_format(file_name, what_zh, what_en)
    if kind == "zip":
        if suffix not in _XLSX_SUFFIXES:
            raise _unreadable_format(file_name, "Excel 工作簿（请改名为 .xlsx）", "an Excel workbook (name it .xlsx)")
        return _read_xlsx(data, file_name, limits, budget, prefer)
    if suffix in _XLSX_SUFFIXES:
        looks = _decodes(data)
        raise UploadUnreadable(
            f"文件「{file_name}」不是有效的 Excel 文件" + ("（内容是文本/CSV，请改名为 .csv）" if looks else "（可能已损坏）") + "。",
            f"'{file_name}' is not a valid Excel file" + (" (it holds text/CSV; name it .csv)" if looks else " (it may be corrupt)") + ".",
        )
    return _read_csv(data, file_name, limits, budget)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _decodes(data: bytes) -> bool:
    try:
        _decode_text(data, "")
    except UploadError:
        return False
    return True


def _decode_text(data: bytes, file_name: str) -> str:
    if b"\x00" in data[:65536]:
        raise UploadUnreadable(
            f"文件「{file_name}」不是文本格式的 CSV（可能是 UTF-16 或二进制文件）。请另存为 UTF-8 CSV 或 .xlsx。",
            f"'{file_name}' is not a text CSV (UTF-16 or binary?). Save it as UTF-8 CSV or .xlsx.",
        )
    for encoding in ("utf-8-sig", "gb18030"):  # GBK files from Excel on Chinese Windows decode as gb18030
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadUnreadable(
        f"无法识别文件「{file_name}」的文字编码（支持 UTF-8 与 GBK/GB18030）。",
        f"Cannot tell the text encoding of '{file_name}' (UTF-8 and GBK/GB18030 are supported).",
    )


def _sniff_delimiter(text: str) -> str:
    first = text[:4096].split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)


def csv_cell(value: str) -> str:
    """A CSV field as the text a person sees (Excel's ``="0123"`` keep-as-text trick undone)."""
    value = (value if value.isprintable() else clean_text(value)).strip()
    if value.startswith('="'):
        match = _EXCEL_TEXT_FORMULA.match(value)
        if match:
            return match.group(1).strip()
    return value


def _read_csv(data: bytes, file_name: str, limits: UploadLimits, budget: Budget) -> list[list[str]]:
    text = _decode_text(data, file_name)
    if not text.strip():
        raise UploadUnreadable(f"文件「{file_name}」是空的。", f"'{file_name}' is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    grid: list[list[str]] = []
    cells = 0
    try:
        for record in reader:
            if len(record) > limits.max_columns:
                raise _too_wide(len(record), limits.max_columns)
            grid.append([csv_cell(cell) for cell in record])
            cells += len(record)
            if len(grid) >= limits.max_rows:
                raise too_many_rows()
            if cells > limits.max_cells:
                raise _range_too_large(file_name, len(grid), max(map(len, grid)), limits)
            if len(grid) % 1024 == 0:
                budget.check()
    except csv.Error as exc:
        raise UploadUnreadable(
            f"文件「{file_name}」第 {reader.line_num} 行不是有效的 CSV：{exc}",
            f"'{file_name}' line {reader.line_num} is not valid CSV: {exc}",
        ) from exc
    return grid


# --------------------------------------------------------------------------------------------
# XLSX: the zip directory and each sheet's used range, before calamine
# --------------------------------------------------------------------------------------------

_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*["\']([^"\']*)["\']')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb'\br\s*=\s*["\']\$?([A-Za-z]{0,4})\$?(\d{0,8})["\']')
_CELL = re.compile(r"\$?([A-Za-z]{1,4})?\$?(\d{1,8})?")
_SHEET_REL = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Type|Target)\s*=\s*["\']([^"\']*)["\']')
_CHUNK = 1 << 20
_MAX_TAG = 1 << 20  # a start tag longer than this is not a spreadsheet's


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(ch) - 64
    return number


def _range_size(ref: str) -> tuple[int, int] | None:
    """(rows, columns) that calamine would allocate for a ``<dimension ref>`` like ``A1:XFD199000``."""
    last = ref.split(":")[-1].strip()
    match = _CELL.fullmatch(last)
    if not match or not (match.group(1) or match.group(2)):
        return None
    columns = _column_number(match.group(1)) if match.group(1) else 1
    rows = int(match.group(2)) if match.group(2) else 1
    return rows, columns


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    row: int = 0  # current row (1-based)
    column: int = 0  # current column in it
    cells: int = 0  # <c> elements present


_ANY_CELL = re.compile(rb"<c[\s/>]")
_ANY_ROW = re.compile(rb"<row[\s/>]")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # <x:c …> (or ":c " in text: then the slow path, still safe)
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,9})"')
_ROW_REF = re.compile(rb'<row r="([0-9]{1,9})"')


def _by_value(number: bytes) -> tuple[int, bytes]:
    return len(number), number


def _scan_tags(chunk: bytes, extent: _Extent) -> None:
    """Update ``extent`` with the rows and cells of one chunk of sheet XML (whole tags only).

    Fast path, for the way Excel and every common writer store cells (``<c r="B12"``, ``<row r="12"``
    first, no namespace prefix): counted and matched in C, the maximum taken over the references.
    Anything else (cells without references, prefixed tags) goes through the tag-by-tag path, which
    follows calamine's rule that a cell or row without a reference comes right after the previous one.
    """
    cells = len(_ANY_CELL.findall(chunk))
    rows = len(_ANY_ROW.findall(chunk))
    cell_refs = _CELL_REF.findall(chunk)
    row_refs = _ROW_REF.findall(chunk)
    if len(cell_refs) == cells and len(row_refs) == rows and not _PREFIXED.search(chunk):
        extent.cells += cells
        if cell_refs:
            letters = max({letters for letters, _ in cell_refs}, key=_by_value)
            extent.columns = max(extent.columns, _column_number(letters))
            extent.rows = max(extent.rows, int(max({row for _, row in cell_refs}, key=_by_value)))
        if row_refs:
            extent.rows = max(extent.rows, int(max(set(row_refs), key=_by_value)))
        return
    _scan_tags_one_by_one(chunk, extent)


def _scan_tags_one_by_one(chunk: bytes, extent: _Extent) -> None:
    for match in _TAG.finditer(chunk):
        attrs = match.group(2)
        ref = _REF_ATTR.search(attrs)
        if match.group(1) == b"row":
            digits = ref.group(2) if ref else b""
            extent.row = int(digits) if digits else extent.row + 1
            extent.column = 0
            extent.rows = max(extent.rows, extent.row)
        else:
            extent.cells += 1
            if ref and ref.group(1):
                extent.column = _column_number(ref.group(1))
                if ref.group(2):
                    extent.row = int(ref.group(2))
                    extent.rows = max(extent.rows, extent.row)
            else:
                extent.column += 1
            extent.columns = max(extent.columns, extent.column)


def sheet_extent(
    archive: zipfile.ZipFile, member: str, limits: UploadLimits, budget: Budget, inflated: list[int]
) -> tuple[int, int]:
    """(rows, columns) of a worksheet's used range, read while its XML streams out of the zip.

    Refuses as soon as the ``<dimension>`` or the cells seen so far exceed the limits, so a sheet
    claiming ``A1:XFD199000`` costs a few kilobytes of inflation. ``inflated`` accumulates the
    bytes actually inflated (the zip directory's sizes may lie).
    """
    extent = _Extent()
    carry = b""
    seen_dimension = False
    with archive.open(member) as stream:
        while True:
            block = stream.read(_CHUNK)
            if not block:
                break
            inflated[0] += len(block)
            if inflated[0] > limits.max_uncompressed:
                raise _bomb(member)
            data = carry + block
            if not seen_dimension:
                head = _DIMENSION.search(data)
                if head is not None or b"<sheetData" in data or b":sheetData" in data:
                    seen_dimension = True
                if head is not None:
                    size = _range_size(head.group(1).decode("ascii", "replace"))
                    if size is not None:
                        _refuse_range(member, *size, limits)
            cut = data.rfind(b"<")
            if cut != -1 and data.find(b">", cut) == -1:
                data, carry = data[:cut], data[cut:]
                if len(carry) > _MAX_TAG:
                    raise _corrupt(member)
            else:
                carry = b""
            _scan_tags(data, extent)
            _refuse_range(member, extent.rows, extent.columns, limits)
            budget.check()
    area = extent.rows * extent.columns
    if area > limits.sparse_floor and area > limits.sparse_factor * max(extent.cells, 1):
        # a few cells spread over a large range: calamine and the reader would fill it densely
        raise _range_too_large(PurePath(member).stem, extent.rows, extent.columns, limits, sparse=extent.cells)
    return extent.rows, extent.columns


def _refuse_range(where: str, rows: int, columns: int, limits: UploadLimits) -> None:
    if rows >= limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        raise _range_too_large(PurePath(where).stem, rows, columns, limits)


def _worksheet_members(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    """Every worksheet part: the workbook's worksheet relationships plus xl/worksheets/*.xml."""
    members = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml") and n.count("/") == 2}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names and archive.getinfo(rels).file_size <= 4 * 1024 * 1024:
        for tag in _SHEET_REL.findall(archive.read(rels)):
            attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
            if not attrs.get("Type", "").endswith("/worksheet"):
                continue
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts: list[str] = []
            for part in path.split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part not in ("", "."):
                    parts.append(part)
            resolved = "/".join(parts)
            if resolved in names:
                members.add(resolved)
    return sorted(members)


def _canonical_names(names: list[str]) -> bool:
    """Member names every zip reader understands alike: no backslash, no absolute or `..` path, no
    control character, and no two names that differ only by case or by a trailing slash."""
    folded: set[str] = set()
    for name in names:
        parts = name.split("/")
        if "\\" in name or name.startswith("/") or ".." in parts or any(ord(ch) < 32 for ch in name):
            return False
        key = name.rstrip("/").casefold()
        if key in folded:
            return False
        folded.add(key)
    return True


def _check_workbook(data: bytes, file_name: str, limits: UploadLimits, budget: Budget) -> None:
    """Refuse a zip that is not a workbook, a zip bomb, or a sheet whose used range is too large."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise _bomb(file_name)
            names = {info.filename for info in infos}
            if not _canonical_names([info.filename for info in infos]):
                # Readers disagree on such names (calamine turns "\\" into "/", zipfile does not):
                # the part scanned here must be the part the reader opens, so refuse the ambiguity.
                raise _corrupt(file_name)
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                what = ("Word 文档", "a Word document") if any(n.startswith("word/") for n in names) else (
                    ("PowerPoint 演示文稿", "a PowerPoint file") if any(n.startswith("ppt/") for n in names)
                    else ("普通 zip 压缩包", "a plain zip archive")
                )
                raise _unreadable_format(file_name, *what)
            if "xl/workbook.bin" in names:
                raise _unreadable_format(file_name, ".xlsb 二进制工作簿", "a binary .xlsb workbook")
            if sum(info.file_size for info in infos) > limits.max_uncompressed:
                raise _bomb(file_name)
            for info in infos:
                if info.flag_bits & 0x1:
                    raise _corrupt(file_name)  # encrypted member
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
                    raise _bomb(file_name)
            inflated = [0]
            for member in _worksheet_members(archive, names):
                sheet_extent(archive, member, limits, budget, inflated)
    except UploadError:
        raise
    except Exception as exc:  # BadZipFile, NotImplementedError, zlib.error, UnicodeDecodeError, EOFError, …
        raise _corrupt(file_name) from exc


def _cell_str(value: object) -> str:
    """Any cell value as the text a person sees (integral floats without ``.0``, dates ISO)."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        text: str = value  # type: ignore[assignment]
        return (text if text.isprintable() else clean_text(text)).strip()
    if kind is float:
        number: float = value  # type: ignore[assignment]
        if number.is_integer():
            return str(int(number))
        return repr(number)
    if kind is bool:
        return "是" if value else "否"
    if kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return clean_text(str(value)).strip()


def _read_xlsx(
    data: bytes,
    file_name: str,
    limits: UploadLimits,
    budget: Budget,
    prefer: Callable[[list[list[str]]], bool] | None,
) -> list[list[str]]:
    _check_workbook(data, file_name, limits, budget)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises several error types (and panics) for corrupt files
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise _corrupt(file_name) from exc
    try:
        chosen: list[list[str]] | None = None
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_index(index)
            _refuse_range(meta.name, sheet.height, sheet.width, limits)
            if sheet.height == 0:
                continue
            grid: list[list[str]] = []
            for row in sheet.to_python(skip_empty_area=False):
                grid.append([_cell_str(v) for v in row])
                if len(grid) % 1024 == 0:
                    budget.check()
            preferred = prefer is not None and prefer(grid)
            if chosen is None or preferred:
                chosen = grid
            if preferred:  # e.g. the first sheet with a 学号 column is the table
                break
    except UploadError:
        raise
    except Exception as exc:
        raise UploadUnreadable(
            f"无法读取 Excel 文件「{file_name}」的内容（文件可能已损坏）。",
            f"Cannot read the contents of '{file_name}' (the file may be corrupt).",
        ) from exc
    finally:
        book.close()
    if chosen is None:
        raise UploadUnreadable(f"文件「{file_name}」中没有数据。", f"'{file_name}' contains no data.")
    return chosen
