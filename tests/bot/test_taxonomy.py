"""Tests of bot.taxonomy: destinations and their words, unit natures, industries, places, degrees,
gender, priority groups, English names and pinyin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import taxonomy as tx
from bot.taxonomy import (
    CITY_PROVINCE,
    DESTINATIONS,
    ECONOMIC_REGION,
    FLEXIBLE_CODES,
    INDUSTRIES,
    INDUSTRIES_EN,
    MAJOR_EN_TO_ZH,
    PROVINCES,
    SIGNED_CODES,
    STRATEGY_AREAS,
    UNIT_NATURES,
    UNREPORTED,
    destination_by_key,
    destination_for,
    lookup_destination,
    lookup_industry,
    lookup_unit_nature,
    normalize_degree,
    normalize_gender,
    normalize_province,
    normalize_text,
    parse_place,
    pinyin_initials,
    pinyin_key,
    split_groups,
    strategy_areas_of,
    suggest_destination,
)

# the domain notes' reference tables, kept in the repository (tests/data), never read from a machine path
DOMAIN = Path(__file__).resolve().parents[1] / "data" / "domain_where_they_go.md"

# ------------------------------------------------------------------ destinations

PRODUCT_ALIASES: dict[str, tuple[str, ...]] = {
    "10": ("签就业协议", "签约", "协议", "三方", "agreement"),
    "11": ("签劳动合同", "合同", "劳动合同", "签合同", "contract"),
    "12": ("其他录用", "录用证明", "灵活就业", "other"),
    "27": ("科研助理",),
    "46": ("参军", "入伍", "义务兵", "military"),
    "50": ("基层项目", "三支一扶", "西部计划", "特岗"),
    "51": ("选调生", "地方基层"),
    "75": ("创业", "self-employed"),
    "76": ("自由职业", "freelance"),
    "80": ("升学", "读研", "考上研究生", "专升本", "study"),
    "85": ("出国", "留学", "出国深造", "abroad"),
    "70/求职中": ("待就业", "求职中", "seeking"),
    "70/面试中": ("面试中",),
    "70/签约中": ("签约中", "待签约"),
    "70/拟参加公招考试": ("考公", "考编", "拟参加公招考试"),
    "70/拟创业": ("拟创业",),
    "70/拟应征入伍": ("拟应征入伍",),
    "70/参加就业见习": ("见习", "参加就业见习"),
    "71": ("拟升学", "不就业拟升学", "备考"),
    "72/暂不就业": ("暂不就业",),
    "72/拟出国出境": ("拟出国出境",),
}
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "10": ("签三方", "就业协议", "三方协议"),
    "11": ("labour contract", "Labor Contract"),
    "27": ("科研助理、管理助理", "管理助理"),
    "46": ("应征义务兵",),
    "80": ("研究生", "读博", "第二学士学位"),
    "85": ("study abroad", "Study Abroad"),
    "70/面试中": ("interviewing",),
    "75": ("self employed", "SELF-EMPLOYED"),
}


@pytest.mark.parametrize(
    ("word", "key"),
    [(w, k) for table in (PRODUCT_ALIASES, EXTRA_ALIASES) for k, ws in table.items() for w in ws],
)
def test_destination_aliases(word: str, key: str) -> None:
    dest = lookup_destination(word)
    assert dest is not None, word
    assert dest.key == key


DOMAIN_CODES = {
    10: ("签就业协议形式就业", "employed"),
    11: ("签劳动合同形式就业", "employed"),
    12: ("其他录用形式就业", "employed"),
    27: ("科研助理、管理助理", "employed"),
    46: ("应征义务兵", "employed"),
    50: ("国家基层项目", "employed"),
    51: ("地方基层项目", "employed"),
    75: ("自主创业", "employed"),
    76: ("自由职业", "employed"),
    80: ("升学", "study"),
    85: ("出国、出境深造", "study"),
    70: ("待就业", "unplaced"),
    71: ("不就业拟升学", "unplaced"),
    72: ("其他暂不就业", "unplaced"),
}


@pytest.mark.parametrize("code", sorted(DOMAIN_CODES))
def test_every_code_and_its_full_name(code: int) -> None:
    name, bucket = DOMAIN_CODES[code]
    by_code = lookup_destination(str(code))
    assert by_code is not None and by_code.code == code and by_code.bucket == bucket
    bare = destination_for(code, None)
    assert bare.name_zh == name and bare.bucket == bucket and bare.key == str(code)
    assert destination_by_key(str(code)) is bare
    by_name = lookup_destination(name)
    assert by_name is not None and by_name.code == code


def test_bare_70_and_72_default_to_a_substate() -> None:
    assert lookup_destination("70").key == "70/求职中"  # type: ignore[union-attr]
    assert lookup_destination("72").key == "72/暂不就业"  # type: ignore[union-attr]
    assert lookup_destination("其他暂不就业").key == "72/暂不就业"  # type: ignore[union-attr]


def test_destinations_table() -> None:
    keys = [d.key for d in DESTINATIONS]
    assert len(keys) == len(set(keys))
    assert {d.code for d in DESTINATIONS} == set(DOMAIN_CODES) | {0}
    subs = {d.key for d in DESTINATIONS if d.substate}
    assert subs == {
        "70/求职中", "70/面试中", "70/签约中", "70/拟参加公招考试", "70/拟创业", "70/拟应征入伍", "70/参加就业见习",
        "72/暂不就业", "72/拟出国出境",
    }
    assert DESTINATIONS[-1] is UNREPORTED
    assert UNREPORTED.code == 0 and UNREPORTED.bucket == "unplaced" and UNREPORTED.key == "0"
    assert UNREPORTED.label_zh == "未上报" and not UNREPORTED.reported and not UNREPORTED.placed
    assert destination_by_key("0") is UNREPORTED and destination_for(0, None) is UNREPORTED
    assert sorted(SIGNED_CODES) == [10, 11] and sorted(FLEXIBLE_CODES) == [12, 76]
    for dest in DESTINATIONS:
        assert destination_by_key(dest.key) is dest
        assert destination_for(dest.code, dest.substate) is dest
        assert dest.label_en and dest.name_en


def test_keys_and_labels() -> None:
    d = destination_for(70, "面试中")
    assert (d.key, d.label_zh, d.name_zh) == ("70/面试中", "待就业·面试中", "待就业")
    assert d.label_en == "Awaiting employment · interviewing"
    assert destination_for(72, "拟出国出境").key == "72/拟出国出境"
    c = destination_for(11, None)
    assert (c.key, c.label_zh, c.label_en) == ("11", "签劳动合同形式就业", "Labour contract")
    assert c.placed and destination_for(80, None).placed and not d.placed
    assert destination_for(70, "") is destination_for(70, None)


def test_unknown_keys_raise() -> None:
    with pytest.raises(KeyError):
        destination_by_key("13")
    with pytest.raises(KeyError):
        destination_for(70, "发呆中")
    with pytest.raises(KeyError):
        destination_for(11, "面试中")


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("１１", "11"),
        ("CONTRACT", "11"),
        ("Contract", "11"),
        ("  签约  ", "10"),
        ("ＡＢＲＯＡＤ", "85"),
        ("签约", "10"),
        ("签约中", "70/签约中"),
        ("待签约", "70/签约中"),
        ("70/面试中", "70/面试中"),
        ("待就业·面试中", "70/面试中"),
        ("待就业（面试中）", "70/面试中"),
        ("出国、出境深造", "85"),
        ("Labour contract", "11"),
    ],
)
def test_lookup_is_width_and_case_insensitive_and_exact(word: str, key: str) -> None:
    assert lookup_destination(word).key == key  # type: ignore[union-attr]


@pytest.mark.parametrize("word", ["未上报", "0", "", "签约了", "签", "签约中中", "13", "contracts?"])
def test_lookup_rejects(word: str) -> None:
    assert lookup_destination(word) is None


def test_aliases_do_not_collide() -> None:
    # building the table raises on a word mapped to two destinations; check the famous pair anyway
    assert lookup_destination("签约") != lookup_destination("签约中")
    assert lookup_destination("出境").code == 85 and lookup_destination("拟出境").code == 72  # type: ignore[union-attr]
    assert "签约" in tx.aliases_of(destination_for(10, None))


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("签劳动和同", "签劳动合同"),
        ("contrct", "contract"),
        ("研究声", "研究生"),
        ("面是中", "面试中"),
        ("freelanse", "freelance"),
        ("签约了", "签约"),
    ],
)
def test_suggest_destination(word: str, expected: str) -> None:
    suggestion = suggest_destination(word)
    assert suggestion == expected
    assert lookup_destination(suggestion) is not None


@pytest.mark.parametrize("word", ["你好", "xyz", "", "天气"])
def test_suggest_destination_nothing_close(word: str) -> None:
    assert suggest_destination(word) is None


# ------------------------------------------------------------------ unit natures


def test_unit_natures_match_domain() -> None:
    text = DOMAIN.read_text(encoding="utf-8")
    expected = {
        10: "机关", 20: "科研设计单位", 21: "高等教育单位", 22: "中初教育单位", 23: "医疗卫生单位",
        29: "其他事业单位", 31: "国有企业", 32: "三资企业", 39: "其他企业", 40: "部队", 55: "农村建制村",
        56: "城镇社区", 99: "其他",
    }
    assert expected == UNIT_NATURES
    for code, name in expected.items():
        assert f"{code} {name}" in text
        assert lookup_unit_nature(name) == code
        assert lookup_unit_nature(str(code)) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("国企", 31), ("央企", 31), ("民企", 39), ("私企", 39), ("外企", 32), ("合资", 32), ("医院", 23),
        ("学校", 22), ("中小学", 22), ("高校", 21), ("政府", 10), ("机关单位", 10), ("事业单位", 29),
        ("部队", 40), ("３１", 31), (" 国有企业 ", 31), ("State-owned enterprise", 31), ("社区", 56),
    ],
)
def test_lookup_unit_nature(text: str, code: int) -> None:
    assert lookup_unit_nature(text) == code


@pytest.mark.parametrize("text", ["", "火星", "30", "abc"])
def test_lookup_unit_nature_unknown(text: str) -> None:
    assert lookup_unit_nature(text) is None


# ------------------------------------------------------------------ industries


def test_industries_table() -> None:
    assert list(INDUSTRIES) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert INDUSTRIES["Q"] == "卫生和社会工作"
    assert INDUSTRIES["I"] == "信息传输、软件和信息技术服务业"
    assert set(INDUSTRIES_EN) == set(INDUSTRIES)
    for letter, name in INDUSTRIES.items():
        assert lookup_industry(letter) == letter
        assert lookup_industry(letter.lower()) == letter
        assert lookup_industry(name) == letter
        assert lookup_industry(INDUSTRIES_EN[letter]) == letter
    # every division 01–97 belongs to exactly one section
    for division in range(1, 98):
        assert lookup_industry(f"{division:02d}") is not None, division


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("卫生", "Q"), ("软件", "I"), ("教育", "P"), ("制造", "C"), ("金融", "J"), ("建筑", "E"),
        ("房地产", "K"), ("餐饮", "H"), ("批发", "F"), ("采矿", "B"), ("国际组织", "T"),
        ("84", "Q"), ("01", "A"), ("13", "C"), ("43", "C"), ("65", "I"), ("83", "P"), ("97", "T"), ("8411", "Q"),
        ("ｑ", "Q"), ("Q 卫生和社会工作", "Q"), ("Q卫生和社会工作", "Q"), ("health", "Q"), ("IT", "I"),
        ("卫生和社会工作业", None), ("服务", None), ("98", None), ("00", None), ("U", None), ("", None),
        ("Z", None),
    ],
)
def test_lookup_industry(text: str, letter: str | None) -> None:
    assert lookup_industry(text) == letter


# ------------------------------------------------------------------ provinces and regions


def test_provinces() -> None:
    assert len(PROVINCES) == 34 and len(set(PROVINCES)) == 34
    assert set(ECONOMIC_REGION) == set(PROVINCES)
    assert {ECONOMIC_REGION[p] for p in ("香港", "澳门", "台湾")} == {"港澳台"}
    for short, full in tx.PROVINCE_FULL_NAMES.items():
        assert normalize_province(full) == short
        assert normalize_province(short) == short


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("山东省", "山东"), ("山东", "山东"), ("内蒙古自治区", "内蒙古"), ("内蒙古", "内蒙古"),
        ("广西壮族自治区", "广西"), ("广西", "广西"), ("香港特别行政区", "香港"), ("香港", "香港"),
        ("宁夏回族自治区", "宁夏"), ("新疆维吾尔自治区", "新疆"), ("西藏自治区", "西藏"), ("北京市", "北京"),
        ("鲁", "山东"), ("Shandong", "山东"), ("inner mongolia", "内蒙古"), ("Shaanxi", "陕西"), ("Shanxi", "山西"),
        ("火星", None), ("", None),
    ],
)
def test_normalize_province(text: str, short: str | None) -> None:
    assert normalize_province(text) == short


def _domain_line(prefix: str) -> str:
    text = DOMAIN.read_text(encoding="utf-8")
    flat = " ".join(text.split())
    m = re.search(re.escape(prefix) + r"(.*?)(?:;|\.|$)", flat)
    assert m, prefix
    return m.group(1)


@pytest.mark.parametrize("region", ["东部", "中部", "西部", "东北"])
def test_economic_regions_against_domain(region: str) -> None:
    members = set(_domain_line(f"{region} " if region != "东部" else "(国家统计局): 东部 ").split())
    assert members == {p for p, r in ECONOMIC_REGION.items() if r == region}


@pytest.mark.parametrize("area", ["京津冀", "长三角", "粤港澳大湾区", "长江经济带", "一带一路"])
def test_strategy_areas_against_domain(area: str) -> None:
    flat = " ".join(DOMAIN.read_text(encoding="utf-8").split())
    m = re.search(re.escape(area) + r"\"? (?:domestic )?\(([^)]*)\)", flat)
    assert m, area
    assert tuple(m.group(1).split()) == STRATEGY_AREAS[area]


def test_anhui_and_friends() -> None:
    assert ECONOMIC_REGION["安徽"] == "中部"
    assert strategy_areas_of("安徽") == ("长三角", "长江经济带")
    assert strategy_areas_of("安徽省") == ("长三角", "长江经济带")
    assert strategy_areas_of("山东") == ()
    assert strategy_areas_of("上海") == ("长三角", "长江经济带", "一带一路")
    assert strategy_areas_of("香港") == ("粤港澳大湾区",)
    assert tx.economic_region_of("黑龙江省") == "东北"
    assert tx.economic_region_of("火星") is None


# ------------------------------------------------------------------ places


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山东聊城", ("山东", "聊城")),
        ("山东省聊城市", ("山东", "聊城")),
        ("山东省", ("山东", None)),
        ("山东", ("山东", None)),
        ("聊城市", ("山东", "聊城")),
        ("聊城", ("山东", "聊城")),
        ("聊城市东昌府区", ("山东", "聊城")),
        ("北京", ("北京", "北京")),
        ("北京市", ("北京", "北京")),
        ("北京市海淀区", ("北京", "北京")),
        ("上海浦东", ("上海", "上海")),
        ("香港", ("香港", "香港")),
        ("吉林", ("吉林", None)),
        ("吉林市", ("吉林", "吉林")),
        ("吉林省吉林市", ("吉林", "吉林")),
        ("吉林长春", ("吉林", "长春")),
        ("海南", ("海南", None)),
        ("海南海口", ("海南", "海口")),
        ("海南州", ("青海", "海南州")),
        ("内蒙古呼和浩特市", ("内蒙古", "呼和浩特")),
        ("广西壮族自治区南宁市", ("广西", "南宁")),
        ("延边朝鲜族自治州", ("吉林", "延边")),
        ("延边州", ("吉林", "延边")),
        ("大兴安岭地区", ("黑龙江", "大兴安岭")),
        ("锡林郭勒盟", ("内蒙古", "锡林郭勒盟")),
        ("新疆伊犁", ("新疆", "伊犁")),
        ("山东寿光市", ("山东", "寿光")),
        ("山东 聊城", ("山东", "聊城")),
        ("山东-聊城", ("山东", "聊城")),
        ("Shandong", ("山东", None)),
        ("济源", ("河南", "济源")),
        ("朝阳区", (None, None)),
        ("美国", (None, None)),
        ("", (None, None)),
        ("寿光", (None, None)),
    ],
)
def test_parse_place(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_place(text) == expected


def test_city_table() -> None:
    prefecture = {c: p for c, p in CITY_PROVINCE.items() if c not in {
        "济源", "仙桃", "潜江", "天门", "神农架", "琼海", "文昌", "万宁", "五指山", "石河子", "五家渠"}}
    assert len(prefecture) == 333
    assert set(CITY_PROVINCE.values()) <= set(PROVINCES)
    assert not (set(CITY_PROVINCE.values()) & {"北京", "天津", "上海", "重庆", "香港", "澳门", "台湾"})
    for city, province in CITY_PROVINCE.items():
        assert parse_place(city) == ((province, None) if city == "吉林" else (province, city)), city
        assert parse_place(province + city)[0] == province
    assert len([c for c, p in CITY_PROVINCE.items() if p == "广东"]) == 21
    assert len([c for c, p in CITY_PROVINCE.items() if p == "山东"]) == 16


# ------------------------------------------------------------------ degrees, gender, groups


@pytest.mark.parametrize(
    ("text", "degree"),
    [
        ("专科", "专科"), ("高职", "专科"), ("大专", "专科"), ("associate", "专科"), ("Junior College", "专科"),
        ("本科", "本科"), ("学士", "本科"), ("Bachelor", "本科"), ("undergraduate", "本科"),
        ("硕士", "硕士"), ("研究生", "硕士"), ("Master", "硕士"), ("MASTER'S", "硕士"),
        ("博士", "博士"), ("doctor", "博士"), ("PhD", "博士"), ("Ph.D.", "博士"),
        ("小学", None), ("", None),
    ],
)
def test_normalize_degree(text: str, degree: str | None) -> None:
    assert normalize_degree(text) == degree
    assert tx.DEGREES == ("专科", "本科", "硕士", "博士")


@pytest.mark.parametrize(
    ("text", "gender"),
    [("男", "男"), ("女", "女"), ("M", "男"), ("m", "男"), ("F", "女"), ("f", "女"), ("Male", "男"),
     ("FEMALE", "女"), ("Ｍ", "男"), (" 女 ", "女"), ("x", None), ("", None)],
)
def test_normalize_gender(text: str, gender: str | None) -> None:
    assert normalize_gender(text) == gender


def test_split_groups() -> None:
    assert split_groups("困难家庭; 少数民族；残疾、建档立卡,就业困难，省级优秀毕业生") == (
        "困难家庭", "少数民族", "残疾", "建档立卡", "就业困难", "省级优秀毕业生",
    )
    assert split_groups("") == ()
    assert split_groups(" ;；, ") == ()
    assert split_groups("少数民族") == ("少数民族",)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("困难家庭", "困难家庭"), ("特困家庭", "困难家庭"), ("建档立卡", "脱贫家庭"), ("脱贫家庭", "脱贫家庭"),
        ("残疾", "残疾"), ("残疾人", "残疾"), ("少数民族", "少数民族"), ("就业困难", "就业困难"),
        ("省级优秀毕业生", "省级优秀毕业生"), ("省优", "省级优秀毕业生"), (" 湖北籍 ", "湖北籍"),
        ("Ethnic Minority", "少数民族"),
    ],
)
def test_group_synonyms(text: str, group: str) -> None:
    """Synonyms that help find a roster's label; the label itself is never renamed (product.md §3)."""
    assert tx.PRIORITY_GROUP_ALIASES.get(normalize_text(text.strip()), text.strip()) == group
    assert {"困难家庭", "脱贫家庭", "残疾", "少数民族", "就业困难", "省级优秀毕业生"} <= set(tx.PRIORITY_GROUPS)


# ------------------------------------------------------------------ English names, pinyin, text


def test_major_and_department_names() -> None:
    assert len(MAJOR_EN_TO_ZH) >= 80
    assert all(k == k.lower().strip() for k in MAJOR_EN_TO_ZH)
    expected = {
        "nursing": "护理", "midwifery": "助产", "pharmacy": "药学", "accounting": "会计",
        "clinical medicine": "临床医学", "computer science and technology": "计算机科学与技术",
        "software technology": "软件技术", "e-commerce": "电子商务", "preschool education": "学前教育",
    }
    for en, zh in expected.items():
        assert MAJOR_EN_TO_ZH[en] == zh
    assert any(k.startswith("mechanical design") for k in MAJOR_EN_TO_ZH)
    assert len(tx.DEPARTMENT_EN_TO_ZH) >= 20
    assert all(k == k.lower().strip() for k in tx.DEPARTMENT_EN_TO_ZH)
    assert tx.DEPARTMENT_EN_TO_ZH["school of nursing"] == "护理学院"
    assert tx.DEPARTMENT_EN_TO_ZH["nursing department"] == "护理系"


@pytest.mark.parametrize(
    ("text", "key", "initials"),
    [
        ("护理", "huli", "hl"),
        ("临床医学", "linchuangyixue", "lcyx"),
        ("会计", "kuaiji", "kj"),
        ("护理2301班", "huli2301ban", "hl2301b"),
        ("ICU护理", "icuhuli", "icuhl"),
        ("", "", ""),
    ],
)
def test_pinyin(text: str, key: str, initials: str) -> None:
    assert pinyin_key(text) == key
    assert pinyin_initials(text) == initials


def test_normalize_text() -> None:
    assert normalize_text("  ＡＢＣ\u3000 Def\t ") == "abc def"
    assert normalize_text("１１") == "11"
    assert normalize_text("Straße") == "strasse"
    assert normalize_text("") == ""


def test_ambiguous_words_are_asked_not_mapped() -> None:
    for word in ("考研", "考博"):
        assert tx.lookup_destination(word) is None, word
        assert [d.code for d in tx.ambiguous_destination(word)] == [80, 71], word
    assert tx.ambiguous_destination("升学") == ()
    assert tx.lookup_destination("考上研究生").code == 80 and tx.lookup_destination("准备考研").code == 71
