"""Reading roster files and destination tables (product.md §3 and §4).

Pure domain code: bytes in, plain data out. No Telegram, no database.

* :func:`read_roster` turns an uploaded ``.csv`` / ``.xlsx`` into :class:`RosterRow` objects plus a
  list of :class:`RowProblem` (one per bad row, with the row number a person sees in Excel).
  Importing is all or nothing, so a caller imports only when ``problems`` is empty.
* :func:`read_update_table` turns a table with 学号 and 去向 columns into one update-message text
  (one line per row) for the ordinary update pipeline.

Files are opened by :mod:`bot.uploads` (format from content, zip bombs, the used range read from
the sheet's XML before calamine allocates it, row and time limits); a whole file refused raises
:class:`RosterError`. Every cell is read as a string: 学号 keeps its leading zeros, integral
numbers lose their ``.0``, dates become ISO ``YYYY-MM-DD``; control characters, direction marks and
zero-width characters are stripped, and a value longer than its column is a row problem. Headers are matched case-, space- and width-insensitively, in
Chinese or English; unknown columns are ignored and listed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from bot.grammar import LineError, parse_message
from bot.sanitize import FIELD_LIMITS
from bot.taxonomy import (
    lookup_destination,
    normalize_degree,
    normalize_gender,
    normalize_province,
    parse_place,
    split_groups,
)
from bot.uploads import (
    DEFAULT_LIMITS,
    HEADER_SLACK_ROWS,
    MAX_ROWS,
    TELEGRAM_MAX_BYTES,
    Budget,
    UploadError,
    UploadTooLarge,
    UploadUnreadable,
    read_grid,
    too_many_rows,
)

__all__ = [
    "DESTINATION_FIELDS",
    "FIELD_LABELS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED_FIELDS",
    "RosterError",
    "RosterFile",
    "RosterRow",
    "RosterTooLarge",
    "RosterUnreadable",
    "RowProblem",
    "read_roster",
    "read_update_table",
]

#: Through Telegram (product.md §3); the CLI has no byte limit. Checked by the handlers before download.
MAX_BYTES = TELEGRAM_MAX_BYTES

#: How many rows at the top of a sheet are searched for the header row (title rows may come first).
_HEADER_SEARCH_ROWS = HEADER_SLACK_ROWS


# --------------------------------------------------------------------------------------------
# Results and errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One graduate as read from a roster file (values cleaned and normalised)."""

    row_no: int
    student_id: str
    name: str
    department: str
    major: str
    category: str | None = None
    class_name: str | None = None
    degree: str | None = None
    gender: str | None = None
    origin: str | None = None
    ethnicity: str | None = None
    groups: tuple[str, ...] = ()
    counsellor: str | None = None
    cohort: int | None = None
    major_en: str | None = None
    department_en: str | None = None
    update_text: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """Why one row (``row_no`` as shown in the spreadsheet; 1 is the header) cannot be imported."""

    row_no: int
    field: str | None
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass
class RosterFile:
    """Everything read from one roster file."""

    rows: list[RosterRow]
    problems: list[RowProblem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    has_destinations: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


#: A whole file is refused (the errors of :mod:`bot.uploads`, under the names callers know).
RosterError = UploadError
RosterTooLarge = UploadTooLarge  # too many bytes, rows, columns or cells, or too slow to read
RosterUnreadable = UploadUnreadable  # not a CSV/XLSX file, or a corrupt one


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

#: field -> accepted headers. The first alias of each field is its canonical Chinese header.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "student_id": ("学号", "student_id", "Student ID", "学生学号", "studentno", "student number"),
    "name": ("姓名", "name", "学生姓名", "full name"),
    "department": ("院系", "学院", "系", "department", "college", "院系名称", "学院名称", "所在院系", "dept"),
    "major": ("专业", "专业名称", "major", "所学专业"),
    "category": ("专业大类", "category", "大类", "专业类别"),
    "class_name": ("班级", "class", "班级名称", "class_name"),
    "degree": ("学历", "学历层次", "degree", "培养层次"),
    "gender": ("性别", "gender", "sex"),
    "origin": ("生源地", "origin", "生源地区", "生源省份", "生源所在地"),
    "ethnicity": ("民族", "ethnicity"),
    "groups": ("重点群体", "groups", "group", "重点群体类别"),
    "counsellor": ("辅导员", "counsellor", "counselor", "辅导员姓名"),
    "cohort": ("届别", "cohort", "届", "毕业届别", "毕业年份"),
    "major_en": ("专业英文名", "major_en", "专业英文名称", "major english", "english major"),
    "department_en": ("院系英文名", "department_en", "院系英文名称", "学院英文名", "department english"),
    # destination columns (the keys of product.md §4)
    "destination": ("去向", "destination", "毕业去向", "去向类别", "毕业去向类别"),
    "employer": ("单位", "employer", "单位名称", "就业单位", "工作单位"),
    "school": ("学校", "school", "升学学校", "录取学校", "升学院校"),
    "province": ("地区", "province", "省份", "就业地区", "就业省份", "单位所在地"),
    "city": ("城市", "city", "就业城市"),
    "nature": ("性质", "nature", "单位性质"),
    "industry": ("行业", "industry", "单位行业", "所属行业"),
    "related": ("对口", "related", "专业对口", "是否对口", "专业是否对口"),
    "date": ("日期", "date", "落实日期", "签约日期", "effective_date"),
    "note": ("备注", "note", "notes", "remark", "remarks"),
}

REQUIRED_FIELDS: tuple[str, ...] = ("student_id", "name", "department", "major")

DESTINATION_FIELDS: tuple[str, ...] = (
    "destination",
    "employer",
    "school",
    "province",
    "city",
    "nature",
    "industry",
    "related",
    "date",
    "note",
)

#: field -> (Chinese label, English label) for messages.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "student_id": ("学号", "student ID"),
    "name": ("姓名", "name"),
    "department": ("院系", "department"),
    "major": ("专业", "major"),
    "category": ("专业大类", "major category"),
    "class_name": ("班级", "class"),
    "degree": ("学历", "degree"),
    "gender": ("性别", "gender"),
    "origin": ("生源地", "origin"),
    "ethnicity": ("民族", "ethnicity"),
    "groups": ("重点群体", "groups"),
    "counsellor": ("辅导员", "counsellor"),
    "cohort": ("届别", "cohort"),
    "major_en": ("专业英文名", "major (English)"),
    "department_en": ("院系英文名", "department (English)"),
    "destination": ("去向", "destination"),
    "employer": ("单位", "employer"),
    "school": ("学校", "school"),
    "province": ("地区", "province"),
    "city": ("城市", "city"),
    "nature": ("性质", "unit nature"),
    "industry": ("行业", "industry"),
    "related": ("对口", "related"),
    "date": ("日期", "date"),
    "note": ("备注", "note"),
}

#: destination fields in the order they are written as ``key=value`` in a synthesized line.
_KEYED_DESTINATION_FIELDS: tuple[str, ...] = (
    "employer",
    "school",
    "province",
    "city",
    "nature",
    "industry",
    "related",
    "date",
    "note",
)

# A bracketed part holds no further opening bracket: each match attempt stops at the next opener, so
# the cost is linear (``.*?`` between the brackets was quadratic: a 30,000-character cell took 3.5 s).
_BRACKETED = re.compile(r"[(（\[【<《][^(（\[【<《)）\]】>》]*[)）\]】>》]")
_HEADER_JUNK = re.compile(r"[\s_\-*＊:：.。·]+")
#: No accepted header is longer; a longer cell is not a header (and is not worth normalising).
_HEADER_MAX_CHARS = 64


def _header_key(text: str) -> str:
    """Case-, width- and space-insensitive form of a header ("Student ID" == "student_id" == "学号*")."""
    if len(text) > _HEADER_MAX_CHARS:
        return text
    text = unicodedata.normalize("NFKC", text).casefold()
    stripped = _BRACKETED.sub("", text)
    if stripped.strip():  # "学号(必填)" -> "学号", but keep "(english)" style headers when alone
        text = stripped
    return _HEADER_JUNK.sub("", text)


_ALIAS_TO_FIELD: dict[str, str] = {}
for _field, _aliases in HEADER_ALIASES.items():
    for _alias in _aliases:
        _ALIAS_TO_FIELD.setdefault(_header_key(_alias), _field)


# --------------------------------------------------------------------------------------------
# Reading cells
# --------------------------------------------------------------------------------------------


def _too_many_rows(count: int | None = None) -> RosterTooLarge:
    return too_many_rows(count, MAX_ROWS)


def _read_grid(data: bytes, file_name: str, budget: Budget) -> list[list[str]]:
    """The first useful sheet of the file (the first with a 学号 column) as rows of strings."""
    return read_grid(
        data, file_name, budget=budget, prefer=lambda grid: "student_id" in _find_header(grid)[1]
    )


# --------------------------------------------------------------------------------------------
# Tables: header row, column map, data rows
# --------------------------------------------------------------------------------------------


@dataclass
class _Table:
    columns: dict[str, list[int]]  # field -> column indices (first one wins when several)
    unknown: list[str]
    header_row_no: int
    rows: list[tuple[int, list[str]]]  # (row_no, cells) for non-blank rows below the header


def _map_header(cells: Sequence[str]) -> tuple[dict[str, list[int]], list[str]]:
    columns: dict[str, list[int]] = {}
    unknown: list[str] = []
    for index, text in enumerate(cells):
        if not text:
            continue
        name = _ALIAS_TO_FIELD.get(_header_key(text))
        if name is None:
            unknown.append(text)
        else:
            columns.setdefault(name, []).append(index)
    return columns, unknown


def _find_header(grid: Sequence[Sequence[str]]) -> tuple[int, dict[str, list[int]], list[str]]:
    """Index of the header row among the first rows (the one naming most known fields)."""
    best: tuple[int, dict[str, list[int]], list[str]] | None = None
    best_score = 0
    seen = 0
    for index, cells in enumerate(grid):
        if not any(cells):
            continue
        columns, unknown = _map_header(cells)
        score = len(columns) + (5 if "student_id" in columns else 0)
        if best is None or score > best_score:
            best, best_score = (index, columns, unknown), score
        seen += 1
        if seen >= _HEADER_SEARCH_ROWS:
            break
    if best is None:
        return 0, {}, []
    if best_score == 0:  # nothing recognisable: take the first non-blank row as the header
        first = next(i for i, cells in enumerate(grid) if any(cells))
        return first, {}, [c for c in grid[first] if c]
    return best


def _read_table(data: bytes, file_name: str, budget: Budget | None = None) -> _Table:
    budget = budget or Budget(DEFAULT_LIMITS.seconds)
    grid = _read_grid(data, file_name, budget)
    if not any(any(cells) for cells in grid):
        raise RosterUnreadable(f"文件「{file_name}」中没有数据。", f"'{file_name}' contains no data.")
    header_index, columns, unknown = _find_header(grid)
    sid_columns = columns.get("student_id", [])
    header_sid = {_header_key(grid[header_index][i]) for i in sid_columns}
    rows: list[tuple[int, list[str]]] = []
    for index in range(header_index + 1, len(grid)):
        cells = grid[index]
        if not any(cells):
            continue
        # a repeated header (sheets pasted one under another) is skipped
        if sid_columns and sid_columns[0] < len(cells) and _header_key(cells[sid_columns[0]]) in header_sid:
            continue
        rows.append((index + 1, cells))
    if len(rows) > MAX_ROWS:
        raise _too_many_rows(len(rows))
    return _Table(columns=columns, unknown=unknown, header_row_no=header_index + 1, rows=rows)


def _getter(columns: dict[str, list[int]]) -> Callable[[list[str], str], str]:
    def get(cells: list[str], name: str) -> str:
        for index in columns.get(name, ()):
            if index < len(cells) and cells[index]:
                return cells[index]
        return ""

    return get


def _missing_column_problems(table: _Table, required: Iterable[str]) -> list[RowProblem]:
    problems = []
    for name in required:
        if name not in table.columns:
            zh, en = FIELD_LABELS[name]
            aliases = " / ".join(HEADER_ALIASES[name][:3])
            problems.append(
                RowProblem(
                    table.header_row_no,
                    name,
                    f"表头缺少必填列「{zh}」（可用列名：{aliases}）",
                    f"the header has no required '{en}' column (accepted names: {aliases})",
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Synthesized update lines
# --------------------------------------------------------------------------------------------

_KEY_WORDS: dict[str, str] = {
    "employer": "单位",
    "school": "学校",
    "province": "地区",
    "city": "城市",
    "nature": "性质",
    "industry": "行业",
    "related": "对口",
    "date": "日期",
    "note": "备注",
}


def _quote(value: str) -> str:
    value = " ".join(value.split())  # no newlines or tabs inside a line
    if '"' not in value:
        return f'"{value}"'
    if "”" not in value:
        return f"“{value}”"
    return '"' + value.replace('"', "'") + '"'


def _destination_word(word: str) -> str:
    """The 去向 cell as one token (a word with spaces is replaced by its code or sub-state)."""
    word = " ".join(word.split())
    if " " not in word:
        return word
    destination = lookup_destination(word)
    if destination is None:
        return word.replace(" ", "")
    return destination.substate or str(destination.code)


def _update_line(first: str, destination: str, values: dict[str, str]) -> str:
    """``<学号> <去向> 单位="…" 地区="…" …`` for the update grammar.

    Many exports keep the employer and the school admitted to in one column: a 单位 of a further-
    study row is written as 学校, a 学校 of an employed row as 单位.
    """
    word = _destination_word(destination)
    known = lookup_destination(word)
    values = dict(values)
    if known is not None and known.bucket == "study" and values.get("employer") and not values.get("school"):
        values["school"], values["employer"] = values["employer"], ""
    elif (
        known is not None
        and known.bucket == "employed"
        and values.get("school")
        and not values.get("employer")
    ):
        values["employer"], values["school"] = values["school"], ""
    parts = [first, word]
    for name in _KEYED_DESTINATION_FIELDS:
        value = values.get(name)
        if value:
            parts.append(f"{_KEY_WORDS[name]}={_quote(value)}")
    return " ".join(parts)


def _destination_values(cells: list[str], get: Callable[[list[str], str], str]) -> dict[str, str]:
    return {name: get(cells, name) for name in _KEYED_DESTINATION_FIELDS}


_ERROR_MESSAGES: dict[str, tuple[str, str]] = {
    "missing_destination": ("缺少去向", "no destination"),
    "unknown_destination": ("无法识别的去向「{value}」", "unknown destination '{value}'"),
    "unknown_key": ("无法识别的字段「{value}」", "unknown field '{value}'"),
    "bad_value": ("{key_zh}的取值「{value}」无效", "invalid {key_en} '{value}'"),
    "bad_date": ("无法识别的日期「{value}」", "unreadable date '{value}'"),
    "future_date": ("日期「{value}」晚于今天", "date '{value}' is in the future"),
    "unclosed_quote": ("引号未闭合：{value}", "unclosed quote: {value}"),
    "duplicate_key": ("{key_zh}重复填写", "{key_en} given twice"),
    "missing_who": ("缺少学号", "no student ID"),
    "too_long": ("内容过长（字数 > 上限）：{value}", "too long (characters > limit): {value}"),
    "ambiguous_destination": (
        "去向「{value}」可能是已录取也可能是备考，请写明：{suggestion}",
        "destination '{value}' may mean admitted or still preparing; write one of: {suggestion}",
    ),
}
_FIELD_OF_KEY: dict[str, str] = {word: name for name, word in _KEY_WORDS.items()}
_FIELD_OF_CODE: dict[str, str] = {
    "missing_destination": "destination",
    "unknown_destination": "destination",
    "bad_date": "date",
    "future_date": "date",
    "missing_who": "student_id",
}


def _line_error_problem(row_no: int, error: LineError) -> RowProblem:
    """A grammar error on a synthesized line, as a problem of its spreadsheet row."""
    code = str(error.code)
    name = _FIELD_OF_KEY.get(error.key or "") or _FIELD_OF_CODE.get(code) or "destination"
    key_zh, key_en = FIELD_LABELS.get(name, (error.key or "", error.key or ""))
    zh, en = _ERROR_MESSAGES.get(code, ("无法识别：{value}", "not understood: {value}"))
    params = {"value": error.value or "", "key_zh": key_zh, "key_en": key_en, "suggestion": error.suggestion or ""}
    zh, en = zh.format(**params), en.format(**params)
    if error.suggestion and code == "unknown_destination":
        zh += f"（是否想写「{error.suggestion}」？）"
        en += f" (did you mean '{error.suggestion}'?)"
    return RowProblem(row_no, name, zh, en)


def _check_lines(lines: list[tuple[int, str]], today: dt.date) -> list[RowProblem]:
    """Run synthesized update lines through the update grammar; one problem per rejected row."""
    if not lines:
        return []
    results = parse_message("\n".join(text for _, text in lines), today)
    problems: dict[int, RowProblem] = {}
    for result in results:
        if isinstance(result, LineError) and 1 <= result.line_no <= len(lines):
            row_no = lines[result.line_no - 1][0]
            problems.setdefault(row_no, _line_error_problem(row_no, result))
    return list(problems.values())


# --------------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------------

_COHORT = re.compile(r"^(\d{4})\s*(?:届|级|級|年)?$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _student_id(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _parse_cohort(text: str) -> int | None:
    match = _COHORT.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    year = int(match.group(1))
    return year if 1950 <= year <= 2200 else None


def _origin_province(text: str) -> str | None:
    """Short province name of a 生源地 ("山东省", "鲁", "聊城市" → "山东"), None when not a place."""
    return normalize_province(text) or parse_place(text)[0]


def _groups(text: str) -> tuple[str, ...]:
    """The roster's own group labels, as written (whitespace tidied): 特困家庭 stays 特困家庭.
    Built-in synonyms only help find a label (bot/scopes.py); they never rename or merge one."""
    return tuple(dict.fromkeys(label for label in (_clean(part) for part in split_groups(text)) if label))


_SHORTEST_LIMIT = min(FIELD_LIMITS.values())  # a row whose cells are all shorter fits every column


def _stored_lengths(row: RosterRow) -> list[tuple[str, int]]:
    """(field, length) of every text a roster row stores, for the column limits of storage."""
    out = [
        (name, len(value))
        for name in (
            "student_id", "name", "department", "major", "category", "class_name", "origin",
            "ethnicity", "counsellor", "major_en", "department_en",
        )
        if (value := getattr(row, name))
    ]
    out.append(("groups", len(";".join(row.groups))))
    return out


def read_roster(data: bytes, file_name: str, *, default_cohort: int, today: dt.date) -> RosterFile:
    """Read a roster ``.csv``/``.xlsx`` (product.md §3).

    Raises :class:`RosterTooLarge` or :class:`RosterUnreadable` for a file that cannot be taken at
    all; everything wrong with single rows is listed in ``RosterFile.problems`` (all of them, each
    with its spreadsheet row number), in which case nothing should be imported.
    """
    budget = Budget(DEFAULT_LIMITS.seconds)
    table = _read_table(data, file_name, budget)
    columns = table.columns
    get = _getter(columns)
    problems = _missing_column_problems(table, REQUIRED_FIELDS)
    has_destinations = any(name in columns for name in DESTINATION_FIELDS)
    result = RosterFile(
        rows=[], problems=problems, unknown_columns=table.unknown, has_destinations=has_destinations
    )
    if problems:
        return result

    # few distinct values per column: normalise each once
    degree_of = functools.cache(normalize_degree)
    gender_of = functools.cache(normalize_gender)
    province_of = functools.cache(_origin_province)
    groups_of = functools.cache(_groups)
    cohort_of = functools.cache(_parse_cohort)

    rows: list[RosterRow] = []
    seen: dict[str, list[int]] = {}
    lines: list[tuple[int, str]] = []
    for count, (row_no, cells) in enumerate(table.rows, start=1):
        if count % 1024 == 0:
            budget.check()
        row_problems: list[RowProblem] = []

        def problem(name: str, zh: str, en: str, row_no: int = row_no, sink: list = row_problems) -> None:
            sink.append(RowProblem(row_no, name, zh, en))

        student_id = _student_id(get(cells, "student_id"))
        name = _clean(get(cells, "name"))
        department = _clean(get(cells, "department"))
        major = _clean(get(cells, "major"))
        for required, value in (
            ("student_id", student_id),
            ("name", name),
            ("department", department),
            ("major", major),
        ):
            if not value:
                zh_label, en_label = FIELD_LABELS[required]
                problem(required, f"{zh_label}为空", f"{en_label} is empty")
        if student_id:
            if _SCIENTIFIC.match(student_id):
                problem(
                    "student_id",
                    f"学号「{student_id}」被表格软件转成了科学计数法，原来的数字已丢失；请把学号列设为文本后重新导出",
                    f"student ID '{student_id}' was turned into scientific notation by a spreadsheet program and its "
                    "digits are lost; format the column as text and export again",
                )
            elif any(ch.isspace() for ch in student_id):
                problem(
                    "student_id",
                    f"学号「{student_id}」中含有空格",
                    f"student ID '{student_id}' contains spaces",
                )
            seen.setdefault(student_id, []).append(row_no)

        degree_text = get(cells, "degree")
        degree = degree_of(degree_text) if degree_text else None
        if degree_text and degree is None:
            problem(
                "degree",
                f"无法识别的学历「{degree_text}」（应为 专科/本科/硕士/博士）",
                f"unrecognised degree '{degree_text}' (expected 专科/本科/硕士/博士 or associate/bachelor/master/doctor)",
            )
        gender_text = get(cells, "gender")
        gender = gender_of(gender_text) if gender_text else None
        if gender_text and gender is None:
            problem(
                "gender",
                f"无法识别的性别「{gender_text}」（应为 男/女）",
                f"unrecognised gender '{gender_text}' (expected 男/女 or M/F)",
            )
        cohort_text = get(cells, "cohort")
        cohort = cohort_of(cohort_text) if cohort_text else default_cohort
        if cohort is None:
            problem(
                "cohort",
                f"无法识别的届别「{cohort_text}」（应为 2023 或 2023届 这样的年份）",
                f"unrecognised cohort '{cohort_text}' (expected a year such as 2023 or 2023届)",
            )
        origin_text = _clean(get(cells, "origin"))
        origin = (province_of(origin_text) or origin_text) if origin_text else None  # "山东省" -> "山东"
        groups_text = get(cells, "groups")
        groups = groups_of(groups_text) if groups_text else ()

        update_text = None
        if has_destinations:
            destination = get(cells, "destination")
            values = _destination_values(cells, get)
            if destination and student_id:
                update_text = _update_line(student_id, destination, values)
                if not row_problems:
                    lines.append((row_no, update_text))
            elif not destination and any(values.values()):
                filled = "、".join(FIELD_LABELS[k][0] for k, v in values.items() if v)
                problem(
                    "destination",
                    f"填写了{filled}，但「去向」为空",
                    "destination details are given but 去向 (destination) is empty",
                )

        row = RosterRow(
            row_no=row_no,
            student_id=student_id,
            name=name,
            department=department,
            major=major,
            category=_clean(get(cells, "category")) or None,
            class_name=_clean(get(cells, "class_name")) or None,
            degree=degree,
            gender=gender,
            origin=origin,
            ethnicity=_clean(get(cells, "ethnicity")) or None,
            groups=groups,
            counsellor=_clean(get(cells, "counsellor")) or None,
            cohort=cohort,
            major_en=_clean(get(cells, "major_en")) or None,
            department_en=_clean(get(cells, "department_en")) or None,
            update_text=update_text,
        )
        for name, value in _stored_lengths(row) if max(map(len, cells), default=0) > _SHORTEST_LIMIT else ():
            if value > FIELD_LIMITS[name]:
                zh_label, en_label = FIELD_LABELS[name]
                problem(
                    name,
                    f"{zh_label}过长（{value} 字，上限 {FIELD_LIMITS[name]} 字）",
                    f"{en_label} is too long ({value} characters; the limit is {FIELD_LIMITS[name]})",
                )
        result.problems.extend(row_problems)
        rows.append(row)

    for student_id, row_nos in seen.items():
        if len(row_nos) > 1:
            listed_zh = "、".join(map(str, row_nos))
            listed_en = ", ".join(map(str, row_nos))
            for row_no in row_nos:
                result.problems.append(
                    RowProblem(
                        row_no,
                        "student_id",
                        f"学号 {student_id} 重复（第 {listed_zh} 行）",
                        f"duplicate student ID {student_id} (rows {listed_en})",
                    )
                )
    result.problems.extend(_check_lines(lines, today))
    result.problems.sort(key=lambda p: p.row_no)
    result.rows = rows
    return result


# --------------------------------------------------------------------------------------------
# Update tables (product.md §4: "An uploaded .csv/.xlsx with 学号 and 去向 columns")
# --------------------------------------------------------------------------------------------


def read_update_table(data: bytes, file_name: str, today: dt.date) -> tuple[str, list[RowProblem]]:
    """An uploaded table of destination updates as one update-message text, plus problems.

    Line *N* of the returned text corresponds to spreadsheet row *N*: the header, blank rows and
    rows that cannot be turned into a line become ``#`` comment lines (ignored by the grammar), so a
    rejected "line 7" in the pipeline's reply is row 7 of the person's file.
    ``today`` is accepted for symmetry with :func:`read_roster`; the pipeline checks dates itself.
    """
    table = _read_table(data, file_name)
    problems = _missing_column_problems(table, ("student_id", "destination"))
    if problems:
        return "", problems
    get = _getter(table.columns)
    lines = ["#"] * table.header_row_no
    lines[-1] = "# " + (PurePath(file_name).name or "table").replace("\n", " ")
    for row_no, cells in table.rows:
        lines.extend(["#"] * (row_no - 1 - len(lines)))
        student_id = _student_id(get(cells, "student_id"))
        destination = get(cells, "destination")
        missing = [n for n, v in (("student_id", student_id), ("destination", destination)) if not v]
        if missing:
            for name in missing:
                zh, en = FIELD_LABELS[name]
                problems.append(RowProblem(row_no, name, f"{zh}为空", f"{en} is empty"))
            lines.append("#")
            continue
        lines.append(_update_line(student_id, destination, _destination_values(cells, get)))
    return "\n".join(lines), problems
