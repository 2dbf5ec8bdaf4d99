"""The destination-update message grammar (product.md §4).

A counsellor writes one graduate per line::

    2023010101 签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生和社会工作 对口=是
    2023010102 升学 聊城大学
    2023010103 求职中 备注=下周面试
    张三 应征义务兵 日期=2023-09-05

or pastes blocks from a form (``学号：…`` ``去向：…`` ``单位：…`` one per line, blocks separated by
blank lines).  :func:`parse_message` turns the text into one :class:`ParsedLine` or :class:`LineError`
per graduate.  Who the first token names (学号 or 姓名) is resolved later against the database; this
module knows nothing about storage or Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum, auto
from functools import lru_cache
from typing import NamedTuple

from bot.sanitize import FIELD_LIMITS, clean_text
from bot.taxonomy import (
    DESTINATION_MAX_WORDS,
    Destination,
    ambiguous_destination,
    lookup_destination,
    lookup_industry,
    lookup_unit_nature,
    match_destination,
    normalize_text,
    parse_place,
    similarity,
    suggest_destination,
)

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedLine:
    """One accepted graduate update."""

    line_no: int  # 1-based line number in the message (for blocks: the block's first line)
    raw: str  # the original line (or block text)
    who: str  # 学号 or 姓名 as written (NFKC-normalised), resolved later
    destination: Destination
    employer: str | None
    school: str | None
    province: str | None  # short province name
    city: str | None  # city without 市
    unit_nature: int | None
    industry: str | None  # GB/T 4754 section letter
    related: bool | None  # 专业对口
    effective_date: date
    note: str | None


@dataclass(frozen=True)
class AmbiguousLine:
    """A line whose destination word can mean a placed or an unplaced outcome (考研, product.md §4):
    nothing is applied until the sender chooses. `readings` holds the line as parsed with each
    meaning, in the order offered (the placed one first); each is a complete `ParsedLine`."""

    line_no: int
    raw: str
    who: str
    word: str  # the ambiguous word as written
    readings: tuple[ParsedLine, ...]


class ErrorCode(StrEnum):
    """Why a line was rejected; the values are stable text keys (e.g. "unknown_destination")."""

    MISSING_DESTINATION = auto()  # a 学号 and no destination word / no 去向 in a block
    UNKNOWN_DESTINATION = auto()  # value: the word; suggestion: nearest destination word
    UNKNOWN_KEY = auto()  # value: the key; suggestion: nearest key name
    BAD_VALUE = auto()  # key: the key; value: the value (性质, 行业, 对口, 地区, 城市, or an empty value)
    BAD_DATE = auto()  # value: the date text
    FUTURE_DATE = auto()  # value: the date text
    UNCLOSED_QUOTE = auto()  # value: the text from the opening quote
    DUPLICATE_KEY = auto()  # key: the field given twice (单位 as free text and as 单位=, …)
    MISSING_WHO = auto()  # a block (or key=value line) without 学号/姓名
    TOO_LONG = auto()  # key: the field's key; value: "<key> <length> > <limit>" (product.md §4 limits)
    AMBIGUOUS_DESTINATION = auto()  # value: the word (考研); suggestion: its readings, "升学 / 不就业拟升学"


@dataclass(frozen=True)
class LineError:
    """One rejected line (or block)."""

    line_no: int
    raw: str
    code: ErrorCode
    value: str | None = None  # the offending token / key / value
    suggestion: str | None = None  # nearest destination word, or a valid key name
    key: str | None = None  # the key as written, for BAD_VALUE / BAD_DATE / FUTURE_DATE / DUPLICATE_KEY


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------

_KEY_TABLE: dict[str, tuple[str, ...]] = {
    "employer": ("单位", "单位名称", "就业单位", "工作单位", "employer", "company", "unit"),
    "school": ("学校", "院校", "升学学校", "录取学校", "升学院校", "school", "university"),
    "province": (
        "地区", "省份", "省", "就业地区", "地点", "所在地", "工作地点", "province", "region", "place", "location",
    ),
    "city": ("城市", "市", "就业城市", "city"),
    "nature": ("性质", "单位性质", "nature", "type"),
    "industry": ("行业", "单位行业", "所属行业", "industry", "sector"),
    "related": ("对口", "专业对口", "是否对口", "related", "relevant"),
    "date": ("日期", "时间", "生效日期", "落实日期", "date"),
    "note": ("备注", "说明", "note", "notes", "remark", "remarks", "comment"),
    "destination": ("去向", "毕业去向", "去向类别", "destination", "dest", "status"),
    "who_id": ("学号", "student id", "student_id", "studentid", "id"),
    "who_name": ("姓名", "name"),
    # Roster fields that pasted forms carry: accepted and ignored.
    "ignored": (
        "专业", "班级", "院系", "学院", "系", "性别", "学历", "辅导员", "届别", "民族", "生源地", "序号",
        "major", "class", "department", "college", "gender", "degree", "counsellor", "counselor", "cohort",
    ),
}
KEY_NAMES: dict[str, str] = {field: names[0] for field, names in _KEY_TABLE.items() if field != "ignored"}
_KEYS: dict[str, str] = {normalize_text(name): field for field, names in _KEY_TABLE.items() for name in names}

_RELATED: dict[str, bool] = {
    **dict.fromkeys(("是", "是的", "对口", "对", "相关", "yes", "y", "true", "t", "1", "√", "✓", "✔"), True),
    **dict.fromkeys(("否", "不是", "不对口", "不对", "不相关", "no", "n", "false", "f", "0", "×", "✗", "✘"), False),
}

# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_FULL_DATE = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
)
_MONTH_DAY = (
    re.compile(r"^(\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$"),
)
_RELATIVE_DAYS: dict[str, int] = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}


#: Longer than any date anyone writes; longer text is not a date (and is not cached).
_DATE_MAX_CHARS = 32

#: A 学号 (32) or a 姓名 (64): a longer first token names no graduate.
WHO_MAX_CHARS = 64


def parse_date(text: str, today: date, *, default_year: int | None = None) -> date | None:
    """A date from "2023-05-12", "2023/5/12", "2023.5.12", "20230512", "2023年5月12日", "5-12",
    "5/12", "5月12日", "9-01", "今天", "昨天".

    Without a year: ``default_year`` if given, else the latest such date not after ``today``
    (on 2024-01-03, "12-28" is 2023-12-28).  Invalid dates ("2-30") → None.  Future dates with a
    year are returned as they are: refusing them is the caller's business.
    """
    if len(text) > _DATE_MAX_CHARS:
        return None
    return _parse_date(text, today, default_year)


@lru_cache(maxsize=4096)
def _parse_date(text: str, today: date, default_year: int | None) -> date | None:
    t = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    if not t:
        return None
    if t in _RELATIVE_DAYS:
        return today - timedelta(days=_RELATIVE_DAYS[t])
    for pattern in _FULL_DATE:
        m = pattern.match(t)
        if m:
            year, month, day = (int(g) for g in m.groups())
            if not 1900 <= year <= 2199:
                return None
            try:
                return date(year, month, day)
            except ValueError:
                return None
    for pattern in _MONTH_DAY:
        m = pattern.match(t)
        if m:
            month, day = (int(g) for g in m.groups())
            if default_year is not None:
                try:
                    return date(default_year, month, day)
                except ValueError:
                    return None
            for year in (today.year, today.year - 1):
                try:
                    candidate = date(year, month, day)
                except ValueError:
                    continue
                if candidate <= today:
                    return candidate
            return None
    return None


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s，]+")
_OPEN_QUOTES: dict[str, frozenset[str]] = {
    '"': frozenset('"”＂'),
    "“": frozenset('”"＂'),
    "＂": frozenset('＂"”'),
    "「": frozenset("」"),
    "『": frozenset("』"),
}
_QUOTE_CHARS = re.compile("[\"“”＂「」『』]")
_KV = re.compile(r"^([^=＝:：]+)([=＝:：])")
_BLOCK_START = re.compile(r"^\s*(学号|姓名|student[ _]?id|name)\s*[:：]", re.IGNORECASE)
_ID_LIKE = re.compile(r"^[A-Za-z]{0,3}\d{6,}[A-Za-z0-9]*$")
_DEST_KEY_START = re.compile(r"^(去向|毕业去向|destination)[=＝:：]", re.IGNORECASE)


class _Unclosed(Exception):
    def __init__(self, fragment: str) -> None:
        super().__init__(fragment)
        self.fragment = fragment


# A token is (text with quotes removed, head): the head is the unquoted beginning up to the first
# quote, the only place where a key separator counts.
_Token = tuple[str, str]


# A quoted part does not contain its own opening mark, so a failed match attempt stops at the next
# opener and tokenizing is linear ("「" * 4000 with no closer was quadratic: 60 ms a line).
_QUOTED = r'"[^"”＂]*["”＂]|“[^“”"＂]*[”"＂]|＂[^＂"”]*[＂"”]|「[^「」]*」|『[^『』]*』'
_PLAIN = r'[^\s，"“＂「『]'
_TOKEN_RE = re.compile(rf"(?:{_QUOTED}|{_PLAIN}+)+")
_SEGMENT_RE = re.compile(rf"({_QUOTED})")
_QUOTED_RE = re.compile(_QUOTED)
_OPENERS = re.compile(r'["“＂「『]')


def _unquote(token: str) -> _Token:
    """(text without the quote marks, unquoted head) of one token that holds quotes."""
    parts = _SEGMENT_RE.split(token)  # plain, quoted, plain, quoted, …, plain
    text = "".join(part if i % 2 == 0 else part[1:-1] for i, part in enumerate(parts))
    return text, parts[0]


def _tokenize(line: str) -> list[_Token]:
    """Split on spaces (also full-width), tabs and ，; quoted parts keep their separators.

    Raises _Unclosed when a quote is opened and never closed.
    """
    if not _QUOTE_CHARS.search(line):
        return [(t, t) for t in _SPLIT.split(line) if t]
    outside = _QUOTED_RE.sub("", line)
    if _OPENERS.search(outside):
        pos = 0  # find the opener that no quoted segment consumed
        for m in _QUOTED_RE.finditer(line):
            opener = _OPENERS.search(line, pos, m.start())
            if opener:
                break
            pos = m.end()
        opener = _OPENERS.search(line, pos)
        raise _Unclosed(line[opener.start() if opener else pos :])
    return [_unquote(t) if _OPENERS.search(t) else (t, t) for t in _TOKEN_RE.findall(line)]


class _Pair(NamedTuple):
    field: str | None  # None: unknown key
    key: str  # as written
    value: str
    bare: bool = False  # a date written without 日期= (its month-day means this year's)


def _key_looks_like_key(key: str, value: str) -> bool:
    """For ':' separators: is "xxx:" a mistyped key, or just text with a colon (10:30, http://)?"""
    return 0 < len(key) <= 8 and not any(ch.isdigit() for ch in key) and not value.startswith("//")


#: Tokens longer than this are classified without the cache (a huge cell must not stay in memory).
_CACHED_TOKEN_CHARS = 256


def _classify(text: str, head: str) -> _Pair | None:
    """A key=value pair when the token is one, else None (free text)."""
    if len(text) > _CACHED_TOKEN_CHARS:
        return _classify_uncached(text, head)
    return _classify_cached(text, head)


def _classify_uncached(text: str, head: str) -> _Pair | None:
    m = _KV.match(head)
    if not m:
        return None
    key, sep = m.group(1), m.group(2)
    value = text[len(key) + 1 :]
    field = _KEYS.get(normalize_text(key))
    if field is not None:
        return _Pair(field, key, value)
    if sep in "=＝" or _key_looks_like_key(key.strip(), value):
        return _Pair(None, key, value)
    return None


_classify_cached = lru_cache(maxsize=8192)(_classify_uncached)


def suggest_key(key: str) -> str | None:
    """The key name nearest to ``key`` (for "unknown key" replies)."""
    norm = normalize_text(key)
    if len(norm) > 32:  # no key name is that long; difflib on a huge key costs seconds
        return None
    best: tuple[float, str] | None = None
    for field, names in _KEY_TABLE.items():
        if field == "ignored":
            continue
        for name in names:
            score = similarity(norm, normalize_text(name))
            if score >= 0.5 and (best is None or score > best[0]):
                best = (score, name)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------------
# Building a result from pairs
# ---------------------------------------------------------------------------------------------

_FREE_TEXT_FIELD = {"employed": "employer", "study": "school", "unplaced": "note"}


def _build(
    line_no: int,
    raw: str,
    who: str | None,
    dest_word: str | None,
    free_text: str | None,
    pairs: list[_Pair],
    today: date,
) -> ParsedLine | LineError:
    def error(
        code: ErrorCode, value: str | None = None, suggestion: str | None = None, key: str | None = None
    ) -> LineError:
        return LineError(line_no, raw, code, value, suggestion, key)

    written_who = who  # as the line gave it, for reading an ambiguous word again
    seen: dict[str, _Pair] = {}
    for pair in pairs:
        if pair.field is None:
            return error(ErrorCode.UNKNOWN_KEY, pair.key, suggest_key(pair.key))
        if pair.field == "ignored":
            continue
        if pair.field in seen:
            return error(ErrorCode.DUPLICATE_KEY, pair.value, key=pair.key)
        seen[pair.field] = pair

    # who: the free first token, else 学号=, else 姓名=
    who_pair = seen.get("who_id") or seen.get("who_name")
    if who is not None and who_pair is not None:
        return error(ErrorCode.DUPLICATE_KEY, who_pair.value, key=who_pair.key)
    if who is None and who_pair is not None:
        who = who_pair.value
    who = unicodedata.normalize("NFKC", who).strip() if who else None
    if not who:
        return error(ErrorCode.MISSING_WHO)
    if len(who) > WHO_MAX_CHARS:
        return error(ErrorCode.TOO_LONG, f"{KEY_NAMES['who_id']}/{KEY_NAMES['who_name']} {len(who)} > {WHO_MAX_CHARS}")

    dest_pair = seen.get("destination")
    if dest_pair is not None:
        if dest_word is not None:
            return error(ErrorCode.DUPLICATE_KEY, dest_pair.value, key=dest_pair.key)
        dest_word = dest_pair.value.strip()
        if not dest_word:
            return error(ErrorCode.MISSING_DESTINATION)
    destination = lookup_destination(dest_word) if dest_word is not None else None
    if dest_word is None:
        return error(ErrorCode.MISSING_DESTINATION)
    readings = ambiguous_destination(dest_word) if destination is None else ()
    if readings:  # 考研: the line is read once per meaning; any reading's problem rejects it
        parsed: list[ParsedLine] = []
        for reading in readings:
            rest = [pair for pair in pairs if pair.field != "destination"]
            result = _build(line_no, raw, written_who, reading.key, free_text, rest, today)
            if not isinstance(result, ParsedLine):
                return result
            parsed.append(result)
        return AmbiguousLine(line_no, raw, who, dest_word, tuple(parsed))  # type: ignore[return-value]
    if destination is None:
        return error(ErrorCode.UNKNOWN_DESTINATION, dest_word, suggest_destination(dest_word))

    values: dict[str, str] = {}
    if free_text:
        target = _FREE_TEXT_FIELD[destination.bucket]
        if target in seen:
            return error(ErrorCode.DUPLICATE_KEY, seen[target].value, key=seen[target].key)
        values[target] = free_text
    province: str | None = None
    city: str | None = None
    unit_nature: int | None = None
    industry: str | None = None
    related: bool | None = None
    effective = today
    for field, pair in seen.items():
        if field in ("who_id", "who_name", "destination"):
            continue
        value = pair.value.strip()
        if not value:
            return error(ErrorCode.BAD_VALUE, pair.value, key=pair.key)
        if field in ("employer", "school", "note"):
            values[field] = value
        elif field == "province":
            province, place_city = parse_place(value)
            if province is None:
                return error(ErrorCode.BAD_VALUE, value, key=pair.key)
            if "city" not in seen:
                city = place_city
        elif field == "city":
            city_province, place_city = parse_place(value)
            if city_province is not None and place_city is None:  # 城市=山东: a province, not a city
                return error(ErrorCode.BAD_VALUE, value, key=pair.key)
            city = place_city or value.removesuffix("市")
            if "province" not in seen:
                province = city_province
        elif field == "nature":
            unit_nature = lookup_unit_nature(value)
            if unit_nature is None:
                return error(ErrorCode.BAD_VALUE, value, key=pair.key)
        elif field == "industry":
            industry = lookup_industry(value)
            if industry is None:
                return error(ErrorCode.BAD_VALUE, value, key=pair.key)
        elif field == "related":
            related = _RELATED.get(normalize_text(value))
            if related is None:
                return error(ErrorCode.BAD_VALUE, value, key=pair.key)
        elif field == "date":
            # a bare month-day is this year's: "求职中 9月20日" sent on 9-10 is refused as a future
            # date, never read as last year's 9-20 (日期= keeps the latest such day not after today)
            parsed = parse_date(value, today, default_year=today.year if pair.bare else None)
            if parsed is None:
                return error(ErrorCode.BAD_DATE, value, key=pair.key)
            if parsed > today:
                return error(ErrorCode.FUTURE_DATE, value, key=pair.key)
            effective = parsed
    if destination.bucket == "study" and "school" not in values and "employer" in values:
        # forms and provincial exports put the admitting school in 单位名称 for 升学/出国深造
        values["school"] = values.pop("employer")
    stored = {**values, "city": city or "", "province": province or ""}
    for field, value in stored.items():
        limit = FIELD_LIMITS[field]
        if len(value) > limit:
            key = seen[field].key if field in seen else KEY_NAMES[field]
            return error(ErrorCode.TOO_LONG, f"{key} {len(value)} > {limit}", key=key)
    return ParsedLine(
        line_no=line_no,
        raw=raw,
        who=who,
        destination=destination,
        employer=values.get("employer"),
        school=values.get("school"),
        province=province,
        city=city,
        unit_nature=unit_nature,
        industry=industry,
        related=related,
        effective_date=effective,
        note=values.get("note"),
    )


#: Longer than any valid line (a Telegram message holds 4,096 characters; every field of a table
#: row together stays under 2,000): a longer line is refused before it is tokenized.
LINE_MAX_CHARS = 4096


def _is_bare_date(text: str, today: date) -> bool:
    """A free-text token that is a whole date in a 日期= form (`9月1日`, `9-01`, `2026-09-01`): it
    is the line's effective date (product.md §4, README "Recording destinations"); a month-day
    without a year is this year's. A token that looks like a date but names no day (`9月31日`,
    `2023-13-01`) is still meant as one, and is refused as a bad date rather than stored as text.
    Quoted, it stays text."""
    if not any(ch.isdigit() for ch in text) or len(text) > _DATE_MAX_CHARS:
        return False
    return parse_date(text, today) is not None or looks_like_date(text)


def looks_like_date(text: str) -> bool:
    """Written like a date (`2023-13-01`, `9月31日`, `2-30`) whether or not the day exists."""
    t = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    return any(pattern.match(t) for pattern in (*_FULL_DATE, *_MONTH_DAY))


def _parse_line(line_no: int, raw: str, today: date) -> ParsedLine | LineError | AmbiguousLine:
    if len(raw) > LINE_MAX_CHARS:
        return LineError(line_no, raw[:80] + "…", ErrorCode.TOO_LONG, f"{len(raw)} > {LINE_MAX_CHARS}")
    try:
        tokens = _tokenize(raw)
    except _Unclosed as exc:
        return LineError(line_no, raw, ErrorCode.UNCLOSED_QUOTE, exc.fragment)
    pairs = [_classify(text, head) for text, head in tokens]
    n = len(tokens)
    i = 0
    who: str | None = None
    if n and pairs[0] is None:
        who = tokens[0][0]
        i = 1
    dest_word: str | None = None
    if i < n and pairs[i] is None:
        has_dest_key = any(p is not None and p.field == "destination" for p in pairs)
        run = 0
        while i + run < n and pairs[i + run] is None and run < DESTINATION_MAX_WORDS:
            run += 1
        found = match_destination([t[0] for t in tokens[i : i + run]])
        if found is not None:
            dest_word = " ".join(t[0] for t in tokens[i : i + found[1]])
            i += found[1]
        elif ambiguous_destination(tokens[i][0]):
            dest_word = tokens[i][0]
            i += 1
        elif not has_dest_key:
            word = tokens[i][0]
            return LineError(line_no, raw, ErrorCode.UNKNOWN_DESTINATION, word, suggest_destination(word))
    free: list[str] = []
    collected: list[_Pair] = []
    while i < n and pairs[i] is None:
        text, head = tokens[i]
        if text == head and _is_bare_date(text, today):  # 求职中 9月1日: the date, not the note
            collected.append(_Pair("date", KEY_NAMES["date"], text, bare=True))
        else:
            free.append(text)
        i += 1
    while i < n:
        pair = pairs[i]
        if pair is None:  # unquoted words after key=value continue its value
            last = collected[-1]
            collected[-1] = last._replace(value=f"{last.value} {tokens[i][0]}")
        else:
            collected.append(pair)
        i += 1
    return _build(line_no, raw, who, dest_word, " ".join(free) or None, collected, today)


def _block_pairs(line: str) -> list[_Pair] | None:
    """The key/value pairs of one block line, or None when the line is not ``key：value``."""
    m = _KV.match(line.strip())
    if not m:
        return None
    key, sep = m.group(1).strip(), m.group(2)
    value = line.strip()[m.end() :].strip()
    field = _KEYS.get(normalize_text(key))
    if field is None:
        if any(ch.isspace() for ch in key):  # "2023010102 升学 备注=…": a line, not a key
            return None
        if sep in "=＝" or _key_looks_like_key(key, value):
            return [_Pair(None, key, value)]
        return None
    if any(ch in value for ch in "=＝:：") and len(value.split()) > 1:
        # several pairs on one line: 学号：2023010101 去向：签约
        try:
            tokens = _tokenize(line)
        except _Unclosed:
            tokens = []
        inline = [_classify(text, head) for text, head in tokens]
        if len(inline) > 1 and all(p is not None and p.field is not None for p in inline):
            return [p for p in inline if p is not None]
    if len(value) >= 2 and value[0] in _OPEN_QUOTES and value[-1] in _OPEN_QUOTES[value[0]]:
        value = value[1:-1]
    return [_Pair(field, key, value)]


def _is_comment(stripped: str) -> bool:
    return stripped.startswith(("#", "＃", "//", "／／"))


def _line_looks_like_update(line: str) -> bool:
    if _BLOCK_START.match(line):
        return True
    tokens = [t.strip("\"“”＂「」『』") for t in _SPLIT.split(line.strip()) if t]
    if not tokens:
        return False
    if _ID_LIKE.match(unicodedata.normalize("NFKC", tokens[0])):
        return True
    if len(tokens) >= 2 and (
        match_destination(tokens[1 : 1 + DESTINATION_MAX_WORDS]) is not None or ambiguous_destination(tokens[1])
    ):
        return True
    return any(_DEST_KEY_START.match(t) for t in tokens)


def looks_like_update(text: str) -> bool:
    """Cheap check: is any line "<学号或姓名> <destination word> …", a line starting with a
    student-ID-like token, a 去向= pair, or a block line "学号：…"?"""
    for line in clean_text(text).splitlines():
        stripped = line.strip()
        if stripped and not _is_comment(stripped) and _line_looks_like_update(stripped):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def parse_message(text: str, today: date, *, ask: bool = False) -> list[ParsedLine | LineError | AmbiguousLine]:
    """Parse a whole message: one result per graduate line or block, in message order.

    A line with an ambiguous destination word (考研) is an `AmbiguousLine` when `ask` (a message the
    sender can answer with a button), else a `LineError` naming the word's readings (files, imports).

    Blank lines and lines starting with ``#`` or ``//`` are skipped.  A line starting with
    ``学号：``/``姓名：`` opens a block of ``key：value`` lines that ends at a blank line, at a second
    学号/姓名, or at a line that is itself an update line; blocks and lines may be mixed.
    """
    text = clean_text(text)  # NUL, controls, direction marks, zero-width: never parsed, never stored
    results: list[ParsedLine | LineError | AmbiguousLine] = []
    block: list[_Pair] | None = None
    block_lines: list[str] = []
    block_start = 0

    def close_block() -> None:
        nonlocal block, block_lines
        if block is not None:
            raw = "\n".join(block_lines)
            results.append(_build(block_start, raw, None, None, None, block, today))
        block, block_lines = None, []

    for line_no, line in enumerate(text.splitlines(), start=1):
        raw = line.rstrip()
        stripped = raw.strip()
        if not stripped:
            close_block()
            continue
        if _is_comment(stripped):
            continue
        if _BLOCK_START.match(stripped):
            pairs = _block_pairs(stripped) or []
            fields = {p.field for p in pairs}
            if block is not None and any(p.field in fields for p in block if p.field in ("who_id", "who_name")):
                close_block()
            if block is None:
                block, block_lines, block_start = [], [], line_no
            block.extend(pairs)
            block_lines.append(raw)
            continue
        if block is not None:
            pairs = _block_pairs(stripped)
            if pairs is not None:
                block.extend(pairs)
                block_lines.append(raw)
                continue
            if not _line_looks_like_update(stripped):
                if block:  # a wrapped value: continues the previous one
                    block[-1] = block[-1]._replace(value=f"{block[-1].value} {stripped}".strip())
                block_lines.append(raw)
                continue
            close_block()
        results.append(_parse_line(line_no, raw, today))
    close_block()
    if ask:
        return results
    return [_unasked(result) if isinstance(result, AmbiguousLine) else result for result in results]


def _unasked(line: AmbiguousLine) -> LineError:
    """An ambiguous line where no one can be asked: rejected, naming its readings."""
    readings = " / ".join(reading.destination.label_zh for reading in line.readings)
    return LineError(line.line_no, line.raw, ErrorCode.AMBIGUOUS_DESTINATION, line.word, readings)
