"""Tests of bot.grammar: the destination-update message grammar of product.md §4."""

from __future__ import annotations

from datetime import date

import pytest

from bot.grammar import (
    ErrorCode,
    LineError,
    ParsedLine,
    looks_like_update,
    parse_date,
    parse_message,
    suggest_key,
)
from bot.taxonomy import lookup_destination

TODAY = date(2023, 9, 10)


def one(text: str, today: date = TODAY) -> ParsedLine:
    results = parse_message(text, today)
    assert len(results) == 1, results
    result = results[0]
    assert isinstance(result, ParsedLine), result
    return result


def err(text: str, today: date = TODAY) -> LineError:
    results = parse_message(text, today)
    assert len(results) == 1, results
    result = results[0]
    assert isinstance(result, LineError), result
    return result


# ------------------------------------------------------------------ the product examples


def test_product_example_message() -> None:
    text = (
        "2023010101 签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生和社会工作 对口=是\n"
        "2023010102 升学 聊城大学\n"
        "2023010103 求职中 备注=下周面试\n"
        "张三 应征义务兵 日期=2023-09-05\n"
    )
    a, b, c, d = parse_message(text, TODAY)
    assert isinstance(a, ParsedLine) and isinstance(b, ParsedLine)
    assert isinstance(c, ParsedLine) and isinstance(d, ParsedLine)
    assert (a.line_no, a.who, a.destination.code, a.employer) == (1, "2023010101", 11, "聊城市人民医院")
    assert (a.province, a.city, a.industry, a.related) == ("山东", "聊城", "Q", True)
    assert a.effective_date == TODAY and a.school is None and a.note is None and a.unit_nature is None
    assert a.raw == "2023010101 签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生和社会工作 对口=是"
    assert (b.line_no, b.who, b.destination.code, b.school, b.employer) == (2, "2023010102", 80, "聊城大学", None)
    assert (c.destination.key, c.note, c.employer) == ("70/求职中", "下周面试", None)
    assert (d.who, d.destination.code, d.effective_date) == ("张三", 46, date(2023, 9, 5))


def test_signing_is_not_signing_pending() -> None:
    line = one("2023010101 签约 聊城市人民医院 地区=山东聊城")
    assert line.destination.code == 10 and line.destination.substate is None
    assert (line.employer, line.province, line.city) == ("聊城市人民医院", "山东", "聊城")
    pending = one("2023010101 签约中 聊城市人民医院")
    assert pending.destination.key == "70/签约中"
    assert pending.note == "聊城市人民医院" and pending.employer is None
    assert one("2023010101 待签约").destination.key == "70/签约中"


def test_multi_word_employer_and_english_destination() -> None:
    line = one("2023010104 contract Shanghai   General Hospital city=上海")
    assert line.destination.code == 11
    assert line.employer == "Shanghai General Hospital"
    assert (line.province, line.city) == ("上海", "上海")
    abroad = one("2023010105 study abroad University of Leeds")
    assert abroad.destination.code == 85 and abroad.school == "University of Leeds"
    study = one("2023010105 study Liaocheng University")
    assert study.destination.code == 80 and study.school == "Liaocheng University"
    assert one("2023010106 Self-Employed").destination.code == 75
    assert one("2023010106 self employed my shop").employer == "my shop"


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("１１", "11"), ("CONTRACT", "11"), ("Agreement", "10"), ("签三方", "10"), ("科研助理", "27"),
        ("三支一扶", "50"), ("选调生", "51"), ("自由职业", "76"), ("专升本", "80"), ("出国深造", "85"),
        ("面试中", "70/面试中"), ("考编", "70/拟参加公招考试"), ("拟创业", "70/拟创业"), ("拟应征入伍", "70/拟应征入伍"),
        ("见习", "70/参加就业见习"), ("备考", "71"), ("暂不就业", "72/暂不就业"), ("拟出国出境", "72/拟出国出境"),
        ("70", "70/求职中"), ("待就业·面试中", "70/面试中"),
    ],
)
def test_destination_words_in_lines(word: str, key: str) -> None:
    assert one(f"2023010101 {word}").destination.key == key


def test_free_text_goes_by_bucket() -> None:
    employed = one("2023010101 合同 聊城市人民医院")
    assert (employed.employer, employed.school, employed.note) == ("聊城市人民医院", None, None)
    study = one("2023010101 读研 天津医科大学")
    assert (study.employer, study.school, study.note) == (None, "天津医科大学", None)
    unplaced = one("2023010101 面试中 下周 复试")
    assert (unplaced.employer, unplaced.school, unplaced.note) == (None, None, "下周 复试")
    soldier = one("2023010101 义务兵 武警部队")
    assert soldier.employer == "武警部队"


# ------------------------------------------------------------------ separators and quotes


def test_separators() -> None:
    for text in (
        "2023010101\u3000签约\u3000聊城市人民医院\u3000地区＝山东聊城",
        "2023010101\t签约\t聊城市人民医院\t地区:山东聊城",
        "2023010101，签约，聊城市人民医院，地区：山东聊城",
        "  2023010101 签约   聊城市人民医院 地区=山东聊城  ",
    ):
        line = one(text)
        assert (line.who, line.destination.code, line.employer) == ("2023010101", 10, "聊城市人民医院"), text
        assert (line.province, line.city) == ("山东", "聊城")


def test_quotes_both_kinds() -> None:
    a = one('2023010101 签约 "Shanghai General  Hospital" 地区=上海')
    assert a.employer == "Shanghai General  Hospital" and a.province == "上海"
    b = one("2023010101 签约 单位=“上海 第一 人民医院” 备注=“已 到岗”")
    assert b.employer == "上海 第一 人民医院" and b.note == "已 到岗"
    c = one('2023010101 面试中 备注="a=b，c"')
    assert c.note == "a=b，c"
    d = one('2023010101 签约 "单位=不是键"')
    assert d.employer == "单位=不是键"
    e = one('"2023 0101" 签约')
    assert e.who == "2023 0101"


def test_unclosed_quote() -> None:
    for text in ('2023010101 签约 "聊城市人民医院', "2023010101 签约 单位=“聊城市人民医院"):
        e = err(text)
        assert e.code == ErrorCode.UNCLOSED_QUOTE and e.line_no == 1 and e.raw == text
        assert e.value is not None and "聊城市人民医院" in e.value


# ------------------------------------------------------------------ keys


def test_every_key() -> None:
    line = one(
        "2023010101 签约 单位=聊城市人民医院 地区=山东 城市=聊城 性质=医疗卫生单位 行业=Q 对口=否 "
        "日期=2023-08-01 备注=已到岗"
    )
    assert line.employer == "聊城市人民医院"
    assert (line.province, line.city, line.unit_nature, line.industry, line.related) == ("山东", "聊城", 23, "Q", False)
    assert (line.effective_date, line.note) == (date(2023, 8, 1), "已到岗")
    en = one(
        "2023010101 contract employer=Acme province=Shandong city=聊城市 nature=31 industry=manufacturing "
        "related=yes date=8-01 note=ok"
    )
    assert (en.employer, en.province, en.city, en.unit_nature, en.industry, en.related) == (
        "Acme", "山东", "聊城", 31, "C", True,
    )
    assert (en.effective_date, en.note) == (date(2023, 8, 1), "ok")
    as_employer = one("2023010101 升学 单位=聊城大学")  # 单位 of a study destination is the school
    assert (as_employer.school, as_employer.employer) == ("聊城大学", None)
    both = one("2023010101 升学 单位=某医院 学校=聊城大学")
    assert (both.school, both.employer) == ("聊城大学", "某医院")
    school = one("2023010101 升学 学校=聊城大学 省份=山东省")
    assert (school.school, school.province, school.city) == ("聊城大学", "山东", None)


def test_key_names_are_case_and_width_insensitive() -> None:
    line = one("2023010101 签约 EMPLOYER=Acme ＣＩＴＹ=聊城 Industry＝84 RELATED：Y")
    assert (line.employer, line.city, line.province, line.industry, line.related) == ("Acme", "聊城", "山东", "Q", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("yes", True), ("NO", False), ("y", True), ("n", False), ("true", True),
     ("False", False), ("1", True), ("0", False), ("对口", True), ("不对口", False)],
)
def test_related_values(value: str, expected: bool) -> None:
    assert one(f"2023010101 签约 对口={value}").related is expected


def test_place_keys() -> None:
    assert (lambda p: (p.province, p.city))(one("2023010101 签约 地区=聊城市")) == ("山东", "聊城")
    assert (lambda p: (p.province, p.city))(one("2023010101 签约 地区=北京")) == ("北京", "北京")
    assert (lambda p: (p.province, p.city))(one("2023010101 签约 地区=山东 聊城")) == ("山东", "聊城")
    # 城市 wins over the city of 地区, and may name a city the table does not know
    assert (lambda p: (p.province, p.city))(one("2023010101 签约 地区=山东聊城 城市=寿光市")) == ("山东", "寿光")
    assert (lambda p: (p.province, p.city))(one("2023010101 签约 城市=寿光")) == (None, "寿光")


def test_unquoted_words_after_a_key_continue_its_value() -> None:
    line = one("2023010101 面试中 备注=下周 周三 面试 日期=9-01")
    assert line.note == "下周 周三 面试" and line.effective_date == date(2023, 9, 1)
    assert one("2023010101 签约 行业=Health and social work").industry == "Q"


def test_unknown_key() -> None:
    e = err("2023010101 签约 聊城市人民医院 行叶=卫生")
    assert e.code == ErrorCode.UNKNOWN_KEY and e.value == "行叶" and e.suggestion == "行业"
    e = err("2023010101 签约 employr=Acme")
    assert e.code == ErrorCode.UNKNOWN_KEY and e.suggestion == "employer"
    e = err("2023010101 签约 聊城市人民医院 电话：13800000000")
    assert e.code == ErrorCode.UNKNOWN_KEY and e.value == "电话"
    assert suggest_key("zzzzzz") is None


def test_colon_in_free_text_is_not_a_key() -> None:
    line = one("2023010101 面试中 周五10:30复试")
    assert line.note == "周五10:30复试"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("2023010101 签约 性质=火星单位", "性质", "火星单位"),
        ("2023010101 签约 行业=服务", "行业", "服务"),
        ("2023010101 签约 对口=maybe", "对口", "maybe"),
        ("2023010101 签约 地区=美国", "地区", "美国"),
        ("2023010101 签约 城市=山东", "城市", "山东"),
        ("2023010101 签约 单位=", "单位", ""),
    ],
)
def test_bad_value(text: str, key: str, value: str) -> None:
    e = err(text)
    assert e.code == ErrorCode.BAD_VALUE and e.key == key and e.value == value


def test_duplicate_key() -> None:
    e = err("2023010101 签约 地区=山东 地区=河北")
    assert e.code == ErrorCode.DUPLICATE_KEY and e.key == "地区"
    e = err("2023010101 签约 聊城市人民医院 单位=聊城市人民医院")
    assert e.code == ErrorCode.DUPLICATE_KEY and e.key == "单位"


def test_key_value_only_line() -> None:
    line = one("学号=2023010101 去向=签约 单位=聊城市人民医院")
    assert (line.who, line.destination.code, line.employer) == ("2023010101", 10, "聊城市人民医院")
    line = one("2023010101 去向=升学 学校=聊城大学")
    assert (line.destination.code, line.school) == (80, "聊城大学")
    assert err("去向=签约 单位=x").code == ErrorCode.MISSING_WHO


# ------------------------------------------------------------------ dates in lines


def test_dates_in_lines() -> None:
    assert one("2023010101 签约").effective_date == TODAY
    assert one("2023010101 签约 日期=9月1日").effective_date == date(2023, 9, 1)
    assert one("2023010101 签约 date=2023/5/12").effective_date == date(2023, 5, 12)
    assert one("2023010101 签约 日期=12-28", today=date(2024, 1, 3)).effective_date == date(2023, 12, 28)
    assert one("2023010101 签约 日期=２０２３－０９－０１").effective_date == date(2023, 9, 1)
    assert one(f"2023010101 签约 日期={TODAY.isoformat()}").effective_date == TODAY
    e = err("2023010101 签约 日期=2023-09-11")
    assert e.code == ErrorCode.FUTURE_DATE and e.value == "2023-09-11" and e.key == "日期"
    e = err("2023010101 签约 日期=2-30")
    assert e.code == ErrorCode.BAD_DATE and e.value == "2-30"
    assert err("2023010101 签约 日期=昨儿").code == ErrorCode.BAD_DATE


# ------------------------------------------------------------------ missing / unknown destination


def test_missing_destination() -> None:
    e = err("2023010101")
    assert e.code == ErrorCode.MISSING_DESTINATION and e.line_no == 1
    assert err("2023010101 单位=聊城市人民医院").code == ErrorCode.MISSING_DESTINATION


def test_unknown_destination() -> None:
    e = err("2023010101 签劳动和同 聊城市人民医院")
    assert e.code == ErrorCode.UNKNOWN_DESTINATION and e.value == "签劳动和同" and e.suggestion == "签劳动合同"
    e = err("2023010101 未上报")
    assert e.code == ErrorCode.UNKNOWN_DESTINATION and e.value == "未上报"
    e = err("2023010101 qwertyuiop")
    assert e.code == ErrorCode.UNKNOWN_DESTINATION and e.suggestion is None


# ------------------------------------------------------------------ comments, blank lines, numbering


def test_comments_blank_lines_and_line_numbers() -> None:
    text = "# 护理2301班 本周\n\n// 以下为更新\n2023010101 签约\n   \n＃ 注释\n2023010102 bogus\n2023010103 升学\n"
    results = parse_message(text, TODAY)
    assert [r.line_no for r in results] == [4, 7, 8]
    assert isinstance(results[0], ParsedLine) and isinstance(results[2], ParsedLine)
    assert isinstance(results[1], LineError) and results[1].raw == "2023010102 bogus"
    assert parse_message("", TODAY) == [] and parse_message("\n# x\n\n", TODAY) == []
    assert [r.line_no for r in parse_message("2023010101 签约\r\n2023010102 升学\r\n", TODAY)] == [1, 2]


# ------------------------------------------------------------------ block form


def test_block_form() -> None:
    text = (
        "学号：2023010101\n"
        "姓名：张三\n"
        "去向：签劳动合同\n"
        "单位：聊城市人民医院\n"
        "地区：山东聊城\n"
        "性质：医院\n"
        "日期：2023-08-01\n"
        "\n"
        "学号:2023010102\n"
        "去向: 升学\n"
        "学校: Liaocheng University\n"
        "\n"
        "学号：2023010103\n"
        "单位：某公司\n"
    )
    a, b, c = parse_message(text, TODAY)
    assert isinstance(a, ParsedLine) and isinstance(b, ParsedLine) and isinstance(c, LineError)
    assert (a.line_no, a.who, a.destination.code, a.employer) == (1, "2023010101", 11, "聊城市人民医院")
    assert (a.province, a.city, a.unit_nature, a.effective_date) == ("山东", "聊城", 23, date(2023, 8, 1))
    assert a.raw == "\n".join(text.splitlines()[0:7])
    assert (b.line_no, b.who, b.destination.code, b.school) == (9, "2023010102", 80, "Liaocheng University")
    assert (c.line_no, c.code) == (13, ErrorCode.MISSING_DESTINATION)


def test_block_by_name_and_without_blank_lines() -> None:
    text = "姓名：张三\n去向：应征义务兵\n姓名：李四\n去向：求职中\n备注：在准备\n  简历\n"
    a, b = parse_message(text, TODAY)
    assert isinstance(a, ParsedLine) and isinstance(b, ParsedLine)
    assert (a.who, a.destination.code, a.line_no) == ("张三", 46, 1)
    assert (b.who, b.destination.key, b.note, b.line_no) == ("李四", "70/求职中", "在准备 简历", 3)


def test_block_errors_and_ignored_fields() -> None:
    e = err("学号：2023010101\n去向：签约\n行叶：卫生\n")
    assert e.code == ErrorCode.UNKNOWN_KEY and e.suggestion == "行业" and e.line_no == 1
    e = err("学号：2023010101\n去向：签劳动和同\n")
    assert e.code == ErrorCode.UNKNOWN_DESTINATION and e.suggestion == "签劳动合同"
    e = err("学号：2023010101\n去向：签约\n日期：2030-01-01\n")
    assert e.code == ErrorCode.FUTURE_DATE
    ok = one("学号：2023010101\n专业：护理\n班级：护理2301班\n去向：签约\n")
    assert ok.destination.code == 10


def test_blocks_and_lines_mixed() -> None:
    text = "学号：2023010101\n去向：签约\n2023010102 升学 聊城大学\n\n2023010103 求职中\n"
    results = parse_message(text, TODAY)
    assert [(r.line_no, r.who, r.destination.code) for r in results if isinstance(r, ParsedLine)] == [
        (1, "2023010101", 10), (3, "2023010102", 80), (5, "2023010103", 70),
    ]


def test_block_followed_by_a_line_with_keys() -> None:
    text = "学号：2023010101\n去向：签约\n2023010102 求职中 备注=下周面试\n"
    a, b = parse_message(text, TODAY)
    assert isinstance(a, ParsedLine) and isinstance(b, ParsedLine)
    assert (a.who, a.destination.code, a.raw) == ("2023010101", 10, "学号：2023010101\n去向：签约")
    assert (b.line_no, b.who, b.note) == (3, "2023010102", "下周面试")


def test_block_one_line() -> None:
    line = one("学号：2023010101 去向：升学 学校：聊城大学")
    assert (line.who, line.destination.code, line.school) == ("2023010101", 80, "聊城大学")


# ------------------------------------------------------------------ parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-12", date(2023, 5, 12)),
        ("2023/5/12", date(2023, 5, 12)),
        ("2023.5.12", date(2023, 5, 12)),
        ("20230512", date(2023, 5, 12)),
        ("2023年5月12日", date(2023, 5, 12)),
        ("2023年5月12号", date(2023, 5, 12)),
        ("5-12", date(2023, 5, 12)),
        ("5/12", date(2023, 5, 12)),
        ("5月12日", date(2023, 5, 12)),
        ("5月12", date(2023, 5, 12)),
        ("9-01", date(2023, 9, 1)),
        (" ９-０１ ", date(2023, 9, 1)),
        ("9-10", date(2023, 9, 10)),
        ("9-11", date(2022, 9, 11)),  # latest 9-11 not after today
        ("12-28", date(2022, 12, 28)),
        ("今天", TODAY),
        ("昨天", date(2023, 9, 9)),
        ("2024-01-01", date(2024, 1, 1)),  # future dates with a year are returned; callers refuse them
        ("2-30", None),
        ("2023-02-29", None),
        ("13-01", None),
        ("2023-13-01", None),
        ("20231301", None),
        ("", None),
        ("下周", None),
        ("2023-5", None),
        ("0001-01-01", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


def test_parse_date_default_year_rule() -> None:
    assert parse_date("12-28", date(2024, 1, 3)) == date(2023, 12, 28)
    assert parse_date("1-03", date(2024, 1, 3)) == date(2024, 1, 3)
    assert parse_date("2-29", date(2024, 3, 1)) == date(2024, 2, 29)
    assert parse_date("2-29", date(2023, 3, 1)) is None
    assert parse_date("12-28", date(2024, 1, 3), default_year=2024) == date(2024, 12, 28)
    assert parse_date("9-01", TODAY, default_year=2021) == date(2021, 9, 1)
    assert parse_date("2-29", TODAY, default_year=2023) is None
    assert parse_date("2022-09-01", TODAY, default_year=2021) == date(2022, 9, 1)


# ------------------------------------------------------------------ looks_like_update


@pytest.mark.parametrize(
    "text",
    [
        "2023010101 签约",
        "2023010101",
        "2023010101 签劳动和同",
        "张三 面试中",
        "Zhang contract Acme",
        "# note\n2023010101 升学",
        "学号：2023010101",
        "王五 去向=签约",
        "你好\n2023010102 升学 聊城大学",
    ],
)
def test_looks_like_update(text: str) -> None:
    assert looks_like_update(text)


@pytest.mark.parametrize("text", ["你好", "/rate 护理", "今天天气不错", "", "# 2023010101 签约", "护理系 的 落实率"])
def test_does_not_look_like_update(text: str) -> None:
    assert not looks_like_update(text)


# ------------------------------------------------------------------ results and speed


def test_error_codes_are_stable_text() -> None:
    assert str(ErrorCode.UNKNOWN_DESTINATION) == "unknown_destination"
    assert {c.value for c in ErrorCode} >= {
        "missing_destination", "unknown_destination", "unknown_key", "bad_value", "bad_date", "future_date",
        "unclosed_quote",
    }


def test_results_are_frozen() -> None:
    line = one("2023010101 签约")
    with pytest.raises(AttributeError):
        line.who = "x"  # type: ignore[misc]
    assert line.destination is lookup_destination("签约")


def test_hundred_lines() -> None:
    text = "\n".join(
        f"20230101{i:02d} 签劳动合同 聊城市人民医院{i} 地区=山东聊城 行业=卫生和社会工作 对口=是 日期=9-01 备注=\"第 {i} 个\""
        for i in range(100)
    )
    results = parse_message(text, TODAY)
    assert len(results) == 100 and all(isinstance(r, ParsedLine) for r in results)


# ------------------------------------------------------------------ field limits and invisible characters (§4)


@pytest.mark.parametrize(
    ("line", "field", "limit"),
    [
        ("2023010101 签劳动合同 " + "医" * 257, "单位", 256),
        ("2023010101 签劳动合同 单位=" + "医" * 257, "单位", 256),
        ("2023010101 升学 学校=" + "大" * 257, "学校", 256),
        ("2023010101 签劳动合同 某医院 城市=" + "聊" * 65, "城市", 64),
        ("2023010101 求职中 备注=" + "x" * 513, "备注", 512),
        ("2023010101 求职中 " + "x" * 513, "备注", 512),
    ],
)
def test_a_value_over_its_column_rejects_that_line_only(line: str, field: str, limit: int) -> None:
    results = parse_message(f"2023010102 升学 聊城大学\n{line}\n2023010103 求职中", TODAY)
    assert [type(r).__name__ for r in results] == ["ParsedLine", "LineError", "ParsedLine"]
    error = results[1]
    assert isinstance(error, LineError) and error.code == ErrorCode.TOO_LONG
    assert error.value is not None and error.value.startswith(field) and error.value.endswith(f"> {limit}")


def test_values_at_their_limits_are_accepted() -> None:
    line = one("2023010101 签劳动合同 " + "医" * 256 + " 城市=" + "聊" * 64 + " 备注=" + "x" * 512)
    assert line.employer is not None and len(line.employer) == 256
    assert line.city is not None and len(line.city) == 64
    assert line.note is not None and len(line.note) == 512


def test_an_overlong_line_or_first_token_is_refused_before_tokenizing() -> None:
    assert err("2023010101 求职中 " + "「" * 5000).code == ErrorCode.TOO_LONG
    assert err("1" * 100 + " 求职中").code == ErrorCode.TOO_LONG


def test_controls_direction_marks_and_zero_width_characters_are_stripped() -> None:
    line = one("\u200e2023010101\u200b 签劳动合同 聊城\x00市\u202e人民\u2066医院\ufeff\x07 备注=a\u200db\u2069")
    assert line.who == "2023010101"
    assert line.employer == "聊城市人民医院"
    assert line.note == "ab"
    assert looks_like_update("\u200f2023010101 签约")


def test_huge_words_get_no_suggestion_quickly() -> None:
    assert err("2023010101 " + "签" * 3000).suggestion is None
    assert suggest_key("k" * 30_000) is None


@pytest.mark.parametrize("value", ["𐩀𐩀", "١٢", "߁߂"])
def test_non_ascii_digits_in_an_industry_are_a_bad_value_not_a_crash(value: str) -> None:
    """"𐩀".isdigit() is True and int("𐩀") raises: the division code path takes ASCII digits only."""
    error = err(f"2023010101 签约 某公司 行业={value}")
    assert error.code == ErrorCode.BAD_VALUE and error.value == value


# ------------------------------------------------------------------ issue 20: 考研 and bare dates


def test_kaoyan_is_ambiguous_never_a_code() -> None:
    from bot.grammar import AmbiguousLine

    [asked] = parse_message("2023010101 考研 天津医科大学", TODAY, ask=True)
    assert isinstance(asked, AmbiguousLine) and asked.word == "考研"
    assert [(r.destination.code, r.school, r.note) for r in asked.readings] == [(80, "天津医科大学", None), (71, None, "天津医科大学")]
    block = parse_message("学号：2023010101\n去向：考研", TODAY, ask=True)[0]
    assert isinstance(block, AmbiguousLine) and block.who == "2023010101"
    rejected = err("2023010101 考研")  # where no one can be asked (files, imports)
    assert (rejected.code, rejected.value, rejected.suggestion) == (ErrorCode.AMBIGUOUS_DESTINATION, "考研", "升学 / 不就业拟升学")
    assert err("2023010101 考研 日期=2099-01-01").code == ErrorCode.FUTURE_DATE  # the rest is still checked
    assert looks_like_update("张三 考研")  # a name and 考研: an update to ask about, not chatter


def test_bare_date_token_is_the_effective_date() -> None:
    line = one("2023010135 求职中 9月1日")
    assert (line.effective_date, line.note) == (date(2023, 9, 1), None)
    assert one("2023010101 合同 聊城市人民医院 2023-09-05").employer == "聊城市人民医院"
    assert one("2023010101 合同 聊城市人民医院 2023-09-05").effective_date == date(2023, 9, 5)
    assert one('2023010135 求职中 "9月1日"').note == "9月1日"  # quoted: text
    assert one("2023010135 求职中 下周面试").note == "下周面试"
    assert err("2023010135 求职中 9月31日").code == ErrorCode.BAD_DATE
    assert err("2023010135 求职中 9月1日 日期=9-02").code == ErrorCode.DUPLICATE_KEY
    # today is 9-10: a bare 9月20日 is this year's, in the future — never last year's 9-20
    assert err("2023010135 求职中 9月20日").code == ErrorCode.FUTURE_DATE
    assert one("2023010135 求职中 日期=9月20日").effective_date == date(2022, 9, 20)  # 日期= as before
