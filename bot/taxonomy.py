"""Domain vocabularies of graduate placement in Chinese higher education.

Pure data and lookups, no I/O: the MoE destination codes (毕业去向) with their sub-states and the
words counsellors use for them, unit natures (单位性质), GB/T 4754-2017 industry sections, provinces
with economic regions and national-strategy areas, prefecture-level cities, degree levels, gender,
priority groups (重点群体), built-in English names of common majors and departments, and pinyin
helpers.  Every lookup is case- and width-insensitive through :func:`normalize_text`; the tables are
normalised once at import so that a lookup is a dictionary access.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Bucket = Literal["employed", "study", "unplaced"]
BUCKETS: tuple[Bucket, ...] = ("employed", "study", "unplaced")
PLACED_BUCKETS: frozenset[Bucket] = frozenset({"employed", "study"})


@lru_cache(maxsize=16384)
def normalize_text(s: str) -> str:
    """NFKC, casefold, strip and collapse internal whitespace: the form every lookup compares."""
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


# ---------------------------------------------------------------------------------------------
# Destinations (毕业去向)
# ---------------------------------------------------------------------------------------------

_SUBSTATE_EN: dict[str, str] = {
    "求职中": "job hunting",
    "面试中": "interviewing",
    "签约中": "signing pending",
    "拟参加公招考试": "preparing for public exams",
    "拟创业": "planning a business",
    "拟应征入伍": "applying for the army",
    "参加就业见习": "in a traineeship",
    "暂不就业": "not seeking for now",
    "拟出国出境": "planning to go abroad",
}


def substate_en(substate: str) -> str | None:
    """A sub-state's English words (求职中 → job hunting); None for what is not a sub-state."""
    return _SUBSTATE_EN.get(substate)


@dataclass(frozen=True)
class Destination:
    """One destination: an MoE code, optionally refined by a ledger sub-state (codes 70 and 72)."""

    code: int  # MoE code; 0 for 未上报
    substate: str | None  # sub-state of 70 or 72, None otherwise (and for the bare codes 70/72)
    name_zh: str  # name of the code, e.g. "签劳动合同形式就业", "待就业"
    name_en: str
    bucket: Bucket  # 未上报 counts as "unplaced"

    @property
    def key(self) -> str:
        """Stable text key: "11", "70/面试中", "72/拟出国出境", "0"."""
        return f"{self.code}/{self.substate}" if self.substate else str(self.code)

    @property
    def label_zh(self) -> str:
        """Display name: "签劳动合同形式就业", "待就业·面试中"."""
        return f"{self.name_zh}·{self.substate}" if self.substate else self.name_zh

    @property
    def label_en(self) -> str:
        """English display name: "Labour contract", "Awaiting employment · interviewing"."""
        if self.substate:
            return f"{self.name_en} · {_SUBSTATE_EN.get(self.substate, self.substate)}"
        return self.name_en

    @property
    def placed(self) -> bool:
        """Counts towards the placement rate (employed or further study)."""
        return self.bucket in PLACED_BUCKETS

    @property
    def reported(self) -> bool:
        """False only for 未上报."""
        return self.code != 0


_CODES: tuple[tuple[int, str, str, Bucket], ...] = (
    (10, "签就业协议形式就业", "Signed employment agreement", "employed"),
    (11, "签劳动合同形式就业", "Labour contract", "employed"),
    (12, "其他录用形式就业", "Other proof of hiring", "employed"),
    (27, "科研助理、管理助理", "Research or management assistant", "employed"),
    (46, "应征义务兵", "Conscripted soldier", "employed"),
    (50, "国家基层项目", "National grassroots programme", "employed"),
    (51, "地方基层项目", "Local grassroots programme", "employed"),
    (75, "自主创业", "Started a business", "employed"),
    (76, "自由职业", "Freelance", "employed"),
    (80, "升学", "Further study (domestic)", "study"),
    (85, "出国、出境深造", "Study abroad", "study"),
    (70, "待就业", "Awaiting employment", "unplaced"),
    (71, "不就业拟升学", "Preparing for further study", "unplaced"),
    (72, "其他暂不就业", "Not seeking work for now", "unplaced"),
)
SUBSTATES: dict[int, tuple[str, ...]] = {
    70: ("求职中", "面试中", "签约中", "拟参加公招考试", "拟创业", "拟应征入伍", "参加就业见习"),
    72: ("暂不就业", "拟出国出境"),
}

UNREPORTED = Destination(0, None, "未上报", "Not reported", "unplaced")


def _build_destinations() -> tuple[Destination, ...]:
    out: list[Destination] = []
    for code, zh, en, bucket in _CODES:
        out.append(Destination(code, None, zh, en, bucket))
        out.extend(Destination(code, sub, zh, en, bucket) for sub in SUBSTATES.get(code, ()))
    out.append(UNREPORTED)
    return tuple(out)


# Every code (the bare codes 70 and 72 included, for records without a sub-state), every
# sub-state entry, and UNREPORTED last.
DESTINATIONS: tuple[Destination, ...] = _build_destinations()
_BY_KEY: dict[str, Destination] = {d.key: d for d in DESTINATIONS}
_BY_CODE_SUB: dict[tuple[int, str | None], Destination] = {(d.code, d.substate): d for d in DESTINATIONS}

SIGNED_CODES = frozenset({10, 11})
FLEXIBLE_CODES = frozenset({12, 76})
EMPLOYED_CODES = frozenset(d.code for d in DESTINATIONS if d.bucket == "employed")
STUDY_CODES = frozenset(d.code for d in DESTINATIONS if d.bucket == "study")
UNPLACED_CODES = frozenset(d.code for d in DESTINATIONS if d.bucket == "unplaced")
PLACED_CODES = EMPLOYED_CODES | STUDY_CODES  # 毕业去向落实: employed or in further study


def destination_by_key(key: str) -> Destination:
    """The destination with this :attr:`Destination.key`; KeyError if unknown."""
    return _BY_KEY[key.strip()]


def destination_for(code: int, substate: str | None) -> Destination:
    """The destination for a stored (code, sub-state) pair; KeyError if the pair is unknown.

    An empty sub-state is taken as None, so (70, None) is the bare 待就业 entry.
    """
    return _BY_CODE_SUB[(int(code), substate or None)]


# Words a counsellor may write for each destination, besides the code, the full MoE name, the key
# and the display labels (added automatically).  Matching is exact after normalisation, so 签约 (10)
# and 签约中 (70/签约中) never collide.
_DEST_ALIASES: dict[str, tuple[str, ...]] = {
    "10": (
        "签就业协议", "签约", "协议", "三方", "签三方", "三方协议", "签三方协议", "就业协议", "签协议",
        "已签约", "协议就业", "签就业协议就业", "agreement", "employment agreement", "signed agreement",
        "tripartite agreement", "tripartite", "signed",
    ),
    "11": (
        "签劳动合同", "合同", "劳动合同", "签合同", "已签合同", "合同就业", "劳动合同就业", "签劳动合同就业",
        "contract", "labour contract", "labor contract", "employment contract", "signed contract",
    ),
    "12": (
        "其他录用", "录用证明", "灵活就业", "其他录用形式", "录用", "录用函", "用人证明", "灵活",
        "other", "other hiring", "other employment", "offer letter", "flexible", "flexible employment",
    ),
    "27": (
        "科研助理", "管理助理", "科研助理管理助理", "科研助理/管理助理", "科研助理、管理助理", "research assistant",
        "management assistant", "assistant",
    ),
    "46": (
        "参军", "入伍", "义务兵", "应征入伍", "当兵", "征兵", "military", "army", "soldier", "conscript",
        "conscripted", "enlisted", "military service",
    ),
    "50": (
        "基层项目", "三支一扶", "西部计划", "特岗", "特岗教师", "西部计划志愿者", "国家基层", "国家项目",
        "grassroots", "national grassroots", "grassroots programme", "grassroots program", "western program",
    ),
    "51": (
        "选调生", "地方基层", "选调", "地方项目", "乡村医生", "乡村教师", "村官", "大学生村官", "local grassroots",
        "selected graduate",
    ),
    "75": (
        "创业", "自主创业", "开公司", "self-employed", "self employed", "entrepreneur", "business", "startup",
        "own business", "started a business",
    ),
    "76": ("自由职业", "自由职业者", "freelance", "freelancer", "freelancing"),
    "80": (
        "升学", "读研", "专升本", "研究生", "读博", "保研", "推免", "第二学士学位", "第二学位",
        "二学位", "国内升学", "境内升学", "考上研究生", "study", "further study", "postgraduate", "graduate school",
        "phd",
    ),
    "85": (
        "出国", "留学", "出国深造", "出国留学", "出境", "出境深造", "出国出境深造", "出国、出境深造", "境外深造",
        "境外升学", "abroad", "study abroad", "overseas", "overseas study", "studying abroad",
    ),
    "70/求职中": (
        "待就业", "求职中", "求职", "待业", "找工作", "未就业", "seeking", "job hunting", "job seeking",
        "unemployed", "awaiting", "awaiting employment", "searching",
    ),
    "70/面试中": ("面试中", "面试", "待面试", "interviewing", "interview", "in interviews"),
    "70/签约中": ("签约中", "待签约", "拟签约", "signing", "signing pending", "offer accepted", "pending signing"),
    "70/拟参加公招考试": (
        "考公", "考编", "拟参加公招考试", "公招考试", "公考", "考公务员", "考事业编", "考教师编", "考编制", "备考公务员",
        "civil service", "civil service exam", "public exam", "public exams",
    ),
    "70/拟创业": ("拟创业", "准备创业", "planning business", "planning a business"),
    "70/拟应征入伍": ("拟应征入伍", "拟入伍", "拟参军", "准备参军", "applying army", "applying for the army"),
    "70/参加就业见习": (
        "见习", "参加就业见习", "就业见习", "见习中", "traineeship", "trainee", "in traineeship",
    ),
    "71": (
        "拟升学", "不就业拟升学", "备考", "准备考研", "考研中", "备考研究生", "二战", "preparing study",
        "preparing for study", "preparing for further study", "exam prep",
    ),
    "72/暂不就业": (
        "暂不就业", "其他暂不就业", "不就业", "慢就业", "not seeking", "not working", "not seeking work",
        "gap year",
    ),
    "72/拟出国出境": ("拟出国出境", "拟出国", "准备出国", "拟出境", "planning abroad", "preparing abroad"),
}
# Bare numeric codes that default to a sub-state.
_CODE_DEFAULT: dict[str, str] = {"70": "70/求职中", "72": "72/暂不就业"}

# Ambiguous words (product.md §4): a word that can mean a placed or an unplaced outcome is never
# guessed into a code. 考研 is "admitted to a master's programme" (升学 80) for some counsellors and
# "still preparing for the exam" (不就业拟升学 71) for many others; the sender chooses, and nothing is
# applied until they do. Each word lists its readings, placed first. A word here is no alias.
_AMBIGUOUS_WORDS: dict[str, tuple[str, ...]] = {
    "考研": ("80", "71"),
    "考博": ("80", "71"),
}


@lru_cache(maxsize=4096)
def _dest_norm(word: str) -> str:
    """Normalisation for destination words: also treat - and _ as spaces (self-employed)."""
    return " ".join(normalize_text(word).replace("-", " ").replace("_", " ").split())


def _build_dest_words() -> tuple[dict[str, Destination], dict[str, str]]:
    words: dict[str, Destination] = {}
    display: dict[str, str] = {}  # normalised word → word as written in the tables

    def add(word: str, dest: Destination) -> None:
        norm = _dest_norm(word)
        if not norm:
            return
        existing = words.get(norm)
        if existing is not None and existing != dest:
            raise ValueError(f"destination word {word!r} maps to {existing.key} and {dest.key}")
        words[norm] = dest
        display.setdefault(norm, word)

    for key, aliases in _DEST_ALIASES.items():
        for alias in aliases:
            add(alias, _BY_KEY[key])
    for dest in DESTINATIONS:
        if dest == UNREPORTED:
            continue
        target = _BY_KEY[_CODE_DEFAULT.get(dest.key, dest.key)]
        if dest.substate is None:
            add(str(dest.code), target)
            add(dest.name_en, target)
            if dest.code not in SUBSTATES:
                add(dest.name_zh, target)
        else:
            add(dest.key, dest)
            add(dest.label_zh, dest)
            add(dest.label_en, dest)
            add(f"{dest.name_zh}（{dest.substate}）", dest)
            add(f"{dest.name_zh}-{dest.substate}", dest)
    return words, display


_DEST_WORDS, _DEST_DISPLAY = _build_dest_words()
_AMBIGUOUS: dict[str, tuple[Destination, ...]] = {
    _dest_norm(word): tuple(_BY_KEY[key] for key in keys) for word, keys in _AMBIGUOUS_WORDS.items()
}
if set(_AMBIGUOUS) & set(_DEST_WORDS):  # one rule, one place: an ambiguous word is never also an alias
    raise ValueError(f"ambiguous words also mapped: {sorted(set(_AMBIGUOUS) & set(_DEST_WORDS))}")
DESTINATION_WORDS: frozenset[str] = frozenset(_DEST_WORDS)
DESTINATION_MAX_WORDS = max(len(w.split()) for w in _DEST_WORDS)
_MULTI_WORD_FIRSTS = frozenset(w.split()[0] for w in _DEST_WORDS if " " in w)


def ambiguous_destination(word: str) -> tuple[Destination, ...]:
    """The destinations an ambiguous word may mean (placed reading first), or () for any other word."""
    return _AMBIGUOUS.get(_dest_norm(word), ())


def lookup_destination(word: str) -> Destination | None:
    """The destination a word names: code, full name, alias or key, Chinese or English.

    Case- and width-insensitive, exact match ("签约" is 10, "签约中" is 70/签约中).  "70" and "待就业"
    mean 70/求职中, "72" means 72/暂不就业.  未上报 is not accepted as an update word.
    """
    return _DEST_WORDS.get(_dest_norm(word))


def match_destination(words: Sequence[str]) -> tuple[Destination, int] | None:
    """The destination named by the longest run of leading ``words`` and how many words it took.

    English names have spaces ("study abroad", "labour contract"), so a line's tokens after the
    first are tried longest first: ["study", "abroad", "Leeds"] → (85, 2).
    """
    if not words:
        return None
    first = _dest_norm(words[0])
    if first.split(" ", 1)[0] in _MULTI_WORD_FIRSTS:
        for k in range(min(len(words), DESTINATION_MAX_WORDS), 1, -1):
            dest = _DEST_WORDS.get(_dest_norm(" ".join(words[:k])))
            if dest is not None:
                return dest, k
    dest = _DEST_WORDS.get(first)
    return (dest, 1) if dest is not None else None


def aliases_of(dest: Destination) -> tuple[str, ...]:
    """The words (as written in the tables) that :func:`lookup_destination` maps to ``dest``."""
    return tuple(_DEST_DISPLAY[w] for w, d in _DEST_WORDS.items() if d == dest)


#: Words longer than this get no "did you mean" suggestion: difflib's cost grows with the product of
#: the lengths, and a 30,000-character cell would take seconds for a suggestion no one needs.
SUGGEST_MAX_CHARS = 64


def similarity(word: str, candidate: str) -> float:
    """0..1 closeness of two normalised words: difflib ratio, and character overlap for Chinese."""
    ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
    if any(ord(ch) > 0x2E7F for ch in word):
        a, b = set(word), set(candidate)
        overlap = len(a & b) / len(a | b)
        # a mistyped character or a missing one keeps most of the characters in common
        ratio = max(ratio, overlap, 2 * len(a & b) / (len(a) + len(b)) - 0.05)
    return ratio


def suggest_destination(word: str) -> str | None:
    """The known destination word nearest to ``word``, or None when nothing is close enough."""
    norm = _dest_norm(word)
    if not norm or len(norm) > SUGGEST_MAX_CHARS:  # nothing that long is a mistyped destination word
        return None
    best: tuple[float, int, str] | None = None
    for cand in _DEST_WORDS:
        if cand.isdigit() or "/" in cand:
            continue
        score = similarity(norm, cand)
        if score < 0.55:
            continue
        rank = (score, -len(cand), cand)
        if best is None or rank[:2] > best[:2]:
            best = rank
    return _DEST_DISPLAY[best[2]] if best else None


# ---------------------------------------------------------------------------------------------
# Unit nature (单位性质)
# ---------------------------------------------------------------------------------------------

UNIT_NATURES: dict[int, str] = {
    10: "机关",
    20: "科研设计单位",
    21: "高等教育单位",
    22: "中初教育单位",
    23: "医疗卫生单位",
    29: "其他事业单位",
    31: "国有企业",
    32: "三资企业",
    39: "其他企业",
    40: "部队",
    55: "农村建制村",
    56: "城镇社区",
    99: "其他",
}
UNIT_NATURES_EN: dict[int, str] = {
    10: "Government agency",
    20: "Research and design institute",
    21: "Higher education institution",
    22: "Primary or secondary school",
    23: "Medical and health institution",
    29: "Other public institution",
    31: "State-owned enterprise",
    32: "Foreign-invested enterprise",
    39: "Other enterprise",
    40: "Armed forces",
    55: "Village",
    56: "Urban community",
    99: "Other",
}
_NATURE_ALIASES: dict[int, tuple[str, ...]] = {
    10: (
        "机关单位", "政府", "政府机关", "党政机关", "国家机关", "行政机关", "公务员", "government", "government agency",
    ),
    20: ("科研单位", "科研设计", "科研院所", "研究所", "研究院", "设计院", "research institute", "research"),
    21: ("高校", "高等教育", "高等学校", "大学", "university", "college"),
    22: ("学校", "中小学", "中初教育", "中学", "小学", "幼儿园", "中职", "中专", "school"),
    23: (
        "医院", "医疗卫生", "医疗单位", "卫生单位", "卫生院", "卫生机构", "医疗机构", "疾控", "hospital", "medical", "health",
    ),
    29: ("事业单位", "其他事业", "public institution"),
    31: ("国企", "国有", "央企", "国有企业单位", "state-owned", "state owned", "soe"),
    32: ("外企", "合资", "外资", "三资", "中外合资", "外资企业", "合资企业", "foreign", "foreign-invested", "joint venture"),
    39: ("民企", "私企", "民营", "民营企业", "私营企业", "私营", "企业", "公司", "private", "private enterprise", "company"),
    40: ("部队", "军队", "military", "army"),
    55: ("农村", "建制村", "村委会", "村", "village"),
    56: ("社区", "居委会", "community"),
    99: ("其他单位", "other"),
}


def _build_nature_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for code, name in UNIT_NATURES.items():
        words[str(code)] = code
        words[normalize_text(name)] = code
        words[normalize_text(UNIT_NATURES_EN[code])] = code
    for code, aliases in _NATURE_ALIASES.items():
        for alias in aliases:
            words[normalize_text(alias)] = code
    return words


_NATURE_WORDS = _build_nature_words()


def lookup_unit_nature(text: str) -> int | None:
    """Unit-nature code from a code ("31"), a name ("国有企业") or a short name ("国企")."""
    return _NATURE_WORDS.get(normalize_text(text))


# ---------------------------------------------------------------------------------------------
# Industries: GB/T 4754-2017 sections A–T
# ---------------------------------------------------------------------------------------------

INDUSTRIES: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
INDUSTRIES_EN: dict[str, str] = {
    "A": "Agriculture, forestry, animal husbandry and fishery",
    "B": "Mining",
    "C": "Manufacturing",
    "D": "Production and supply of electricity, heat, gas and water",
    "E": "Construction",
    "F": "Wholesale and retail trade",
    "G": "Transport, storage and postal services",
    "H": "Accommodation and catering",
    "I": "Information transmission, software and information technology services",
    "J": "Finance",
    "K": "Real estate",
    "L": "Leasing and business services",
    "M": "Scientific research and technical services",
    "N": "Water conservancy, environment and public facilities management",
    "O": "Resident services, repair and other services",
    "P": "Education",
    "Q": "Health and social work",
    "R": "Culture, sports and entertainment",
    "S": "Public management, social security and social organizations",
    "T": "International organizations",
}
# Division (2-digit) ranges of each section.
INDUSTRY_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}
_INDUSTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "A": ("农业", "林业", "牧业", "畜牧业", "渔业", "农林牧渔", "农林牧渔业", "agriculture", "farming"),
    "B": ("采矿", "矿业", "煤矿", "mining"),
    "C": ("制造", "工业", "工厂", "manufacturing", "factory"),
    "D": ("电力", "热力", "燃气", "供水", "水电", "电网", "能源", "energy", "utilities"),
    "E": ("建筑", "建设", "施工", "construction"),
    "F": ("批发", "零售", "商贸", "商业", "批发零售", "retail", "wholesale", "trade"),
    "G": ("交通", "运输", "交通运输", "物流", "仓储", "邮政", "快递", "transport", "logistics"),
    "H": ("住宿", "餐饮", "酒店", "住宿餐饮", "hotel", "catering"),
    "I": ("软件", "信息技术", "互联网", "it", "通信", "信息传输", "software", "internet"),
    "J": ("金融", "银行", "保险", "证券", "finance", "banking", "bank", "insurance"),
    "K": ("房地产", "地产", "物业", "real estate", "property"),
    "L": ("租赁", "商务服务", "人力资源服务", "leasing", "business services"),
    "M": ("科研", "科学研究", "技术服务", "研发", "research"),
    "N": ("水利", "环境", "环保", "公共设施", "environment"),
    "O": ("居民服务", "修理", "家政", "维修", "repair"),
    "P": ("教育", "培训", "学校", "education", "teaching"),
    "Q": ("卫生", "医疗", "医疗卫生", "医药卫生", "社会工作", "医院", "卫生健康", "health", "healthcare", "medical"),
    "R": ("文化", "体育", "娱乐", "传媒", "文化体育", "media", "culture", "sports"),
    "S": ("公共管理", "社会保障", "社会组织", "政府", "机关", "public administration", "government"),
    "T": ("国际组织", "international organization", "international organisation"),
}


def _build_industry_words() -> tuple[dict[str, str], list[tuple[str, str]]]:
    words: dict[str, str] = {}
    names: list[tuple[str, str]] = []  # (normalised full name, letter) for substring search
    for letter in INDUSTRIES:
        words[letter.casefold()] = letter
        for name in (INDUSTRIES[letter], INDUSTRIES_EN[letter]):
            norm = normalize_text(name)
            words[norm] = letter
            words[norm.replace("、", "")] = letter
            names.append((norm, letter))
        for alias in _INDUSTRY_ALIASES[letter]:
            words[normalize_text(alias)] = letter
    return words, names


_INDUSTRY_WORDS, _INDUSTRY_NAMES = _build_industry_words()
_INDUSTRY_PREFIXED = re.compile(r"^([a-t])(?:\s*[\s.:、\-]\s*|(?=[^\x00-\x7f]))(\S.*)$")


def industry_of_division(division: int) -> str | None:
    """The section letter of a 2-digit division code (01–97)."""
    for letter, (low, high) in INDUSTRY_DIVISIONS.items():
        if low <= division <= high:
            return letter
    return None


def lookup_industry(text: str) -> str | None:
    """Industry section letter from a letter, a name (full, short, English), or a division code.

    A substring of at least two characters that occurs in one section's name only is enough
    (卫生 → Q, 软件 → I); a 2–4 digit code is read by its division (84 → Q, 8411 → Q).
    """
    norm = normalize_text(text)
    if not norm:
        return None
    hit = _INDUSTRY_WORDS.get(norm)
    if hit:
        return hit
    if norm.isascii() and norm.isdigit() and 2 <= len(norm) <= 4:  # int("𐩀") raises though isdigit()
        return industry_of_division(int(norm[:2]))
    m = _INDUSTRY_PREFIXED.match(norm)
    if m:  # "Q 卫生和社会工作", "q-卫生"
        rest = lookup_industry(m.group(2))
        if rest == m.group(1).upper():
            return rest
    if len(norm) >= 2:
        found = {letter for name, letter in _INDUSTRY_NAMES if norm in name}
        if len(found) == 1:
            return found.pop()
    return None


# ---------------------------------------------------------------------------------------------
# Provinces, regions, strategy areas, cities
# ---------------------------------------------------------------------------------------------

_PROVINCE_TABLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # short, full, English, other names (one-character abbreviations, romanisations)
    ("北京", "北京市", "Beijing", ("京",)),
    ("天津", "天津市", "Tianjin", ("津",)),
    ("河北", "河北省", "Hebei", ("冀",)),
    ("山西", "山西省", "Shanxi", ("晋",)),
    ("内蒙古", "内蒙古自治区", "Inner Mongolia", ("蒙", "Neimenggu", "Nei Mongol")),
    ("辽宁", "辽宁省", "Liaoning", ("辽",)),
    ("吉林", "吉林省", "Jilin", ()),
    ("黑龙江", "黑龙江省", "Heilongjiang", ("黑",)),
    ("上海", "上海市", "Shanghai", ("沪",)),
    ("江苏", "江苏省", "Jiangsu", ("苏",)),
    ("浙江", "浙江省", "Zhejiang", ("浙",)),
    ("安徽", "安徽省", "Anhui", ("皖",)),
    ("福建", "福建省", "Fujian", ("闽",)),
    ("江西", "江西省", "Jiangxi", ("赣",)),
    ("山东", "山东省", "Shandong", ("鲁",)),
    ("河南", "河南省", "Henan", ("豫",)),
    ("湖北", "湖北省", "Hubei", ("鄂",)),
    ("湖南", "湖南省", "Hunan", ("湘",)),
    ("广东", "广东省", "Guangdong", ("粤",)),
    ("广西", "广西壮族自治区", "Guangxi", ("桂", "广西自治区")),
    ("海南", "海南省", "Hainan", ("琼",)),
    ("重庆", "重庆市", "Chongqing", ("渝",)),
    ("四川", "四川省", "Sichuan", ("川", "蜀")),
    ("贵州", "贵州省", "Guizhou", ("黔",)),
    ("云南", "云南省", "Yunnan", ("滇",)),
    ("西藏", "西藏自治区", "Tibet", ("藏", "Xizang")),
    ("陕西", "陕西省", "Shaanxi", ("陕",)),
    ("甘肃", "甘肃省", "Gansu", ("甘", "陇")),
    ("青海", "青海省", "Qinghai", ("青",)),
    ("宁夏", "宁夏回族自治区", "Ningxia", ("宁", "宁夏自治区")),
    ("新疆", "新疆维吾尔自治区", "Xinjiang", ("新", "新疆自治区")),
    ("台湾", "台湾省", "Taiwan", ("台",)),
    ("香港", "香港特别行政区", "Hong Kong", ("港", "香港特区", "Hongkong", "HK")),
    ("澳门", "澳门特别行政区", "Macao", ("澳", "澳门特区", "Macau")),
)
PROVINCES: tuple[str, ...] = tuple(row[0] for row in _PROVINCE_TABLE)
PROVINCE_FULL_NAMES: dict[str, str] = {row[0]: row[1] for row in _PROVINCE_TABLE}
PROVINCE_EN: dict[str, str] = {row[0]: row[2] for row in _PROVINCE_TABLE}
MUNICIPALITIES: frozenset[str] = frozenset({"北京", "天津", "上海", "重庆"})
# Places whose city is the place itself: the four municipalities and the two SARs.
_CITY_IS_PROVINCE: frozenset[str] = MUNICIPALITIES | {"香港", "澳门"}

_REGION_MEMBERS: dict[str, str] = {
    "东部": "北京 天津 河北 上海 江苏 浙江 福建 山东 广东 海南",
    "中部": "山西 安徽 江西 河南 湖北 湖南",
    "西部": "内蒙古 广西 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆",
    "东北": "辽宁 吉林 黑龙江",
    "港澳台": "香港 澳门 台湾",
}
ECONOMIC_REGIONS: tuple[str, ...] = tuple(_REGION_MEMBERS)
ECONOMIC_REGION: dict[str, str] = {p: region for region, ps in _REGION_MEMBERS.items() for p in ps.split()}

STRATEGY_AREAS: dict[str, tuple[str, ...]] = {
    "京津冀": ("北京", "天津", "河北"),
    "长三角": ("上海", "江苏", "浙江", "安徽"),
    "粤港澳大湾区": ("广东", "香港", "澳门"),
    "长江经济带": ("上海", "江苏", "浙江", "安徽", "江西", "湖北", "湖南", "重庆", "四川", "贵州", "云南"),
    "一带一路": (
        "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "浙江", "福建", "广东", "广西", "海南", "重庆", "云南", "西藏",
        "陕西", "甘肃", "青海", "宁夏", "新疆",
    ),
}


def _build_province_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for short, full, en, others in _PROVINCE_TABLE:
        for name in (short, full, en, *others):
            words[normalize_text(name)] = short
        suffix = "市" if short in MUNICIPALITIES else "省"
        words[short + suffix] = short
        words[normalize_text(en).replace(" ", "")] = short
    return words


_PROVINCE_WORDS = _build_province_words()
# Prefixes that start a place ("山东聊城", "山东省聊城市"): no one-character abbreviations.
_PROVINCE_PREFIXES: dict[str, str] = {
    w: p for w, p in _PROVINCE_WORDS.items() if len(w) >= 2 and not w.isascii()
}
_PROVINCE_PREFIX_MAX = max(len(w) for w in _PROVINCE_PREFIXES)


def normalize_province(text: str) -> str | None:
    """Short province name ("山东") from a full name, short name, abbreviation (鲁) or English name."""
    norm = normalize_text(text)
    return _PROVINCE_WORDS.get(norm) or _PROVINCE_WORDS.get(norm.replace(" ", ""))


def strategy_areas_of(province: str) -> tuple[str, ...]:
    """The national-strategy areas a province belongs to, in STRATEGY_AREAS order."""
    short = normalize_province(province) or province
    return tuple(area for area, members in STRATEGY_AREAS.items() if short in members)


def economic_region_of(province: str) -> str | None:
    """东部/中部/西部/东北/港澳台 for a province in any accepted form."""
    short = normalize_province(province)
    return ECONOMIC_REGION.get(short) if short else None


# Prefecture-level divisions of mainland China, one string per province.  A plain token is a
# prefecture-level city (full name: token + 市); "short=full" gives the full name of a 地区, 自治州
# or 盟.  Short names are returned by parse_place.
_CITY_TABLE: dict[str, str] = {
    "河北": "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水",
    "山西": "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁",
    "内蒙古": "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟=兴安盟 锡林郭勒盟=锡林郭勒盟 "
    "阿拉善盟=阿拉善盟",
    "辽宁": "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛",
    "吉林": "长春 吉林 四平 辽源 通化 白山 松原 白城 延边=延边朝鲜族自治州",
    "黑龙江": "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭=大兴安岭地区",
    "江苏": "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁",
    "浙江": "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水",
    "安徽": "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城",
    "福建": "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德",
    "江西": "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶",
    "山东": "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽",
    "河南": "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店",
    "湖北": "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施=恩施土家族苗族自治州",
    "湖南": "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西=湘西土家族苗族自治州",
    "广东": "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮",
    "广西": "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左",
    "海南": "海口 三亚 三沙 儋州",
    "四川": "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 "
    "阿坝=阿坝藏族羌族自治州 甘孜=甘孜藏族自治州 凉山=凉山彝族自治州",
    "贵州": "贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南=黔西南布依族苗族自治州 黔东南=黔东南苗族侗族自治州 "
    "黔南=黔南布依族苗族自治州",
    "云南": "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄=楚雄彝族自治州 红河=红河哈尼族彝族自治州 "
    "文山=文山壮族苗族自治州 西双版纳=西双版纳傣族自治州 大理=大理白族自治州 德宏=德宏傣族景颇族自治州 "
    "怒江=怒江傈僳族自治州 迪庆=迪庆藏族自治州",
    "西藏": "拉萨 日喀则 昌都 林芝 山南 那曲 阿里=阿里地区",
    "陕西": "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛",
    "甘肃": "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏=临夏回族自治州 甘南=甘南藏族自治州",
    "青海": "西宁 海东 海北=海北藏族自治州 黄南=黄南藏族自治州 海南州=海南藏族自治州 果洛=果洛藏族自治州 "
    "玉树=玉树藏族自治州 海西=海西蒙古族藏族自治州",
    "宁夏": "银川 石嘴山 吴忠 固原 中卫",
    "新疆": "乌鲁木齐 克拉玛依 吐鲁番 哈密 阿克苏=阿克苏地区 喀什=喀什地区 和田=和田地区 塔城=塔城地区 "
    "阿勒泰=阿勒泰地区 昌吉=昌吉回族自治州 博尔塔拉=博尔塔拉蒙古自治州 巴音郭楞=巴音郭楞蒙古自治州 "
    "克孜勒苏=克孜勒苏柯尔克孜自治州 伊犁=伊犁哈萨克自治州",
}
# County-level cities administered directly by a province, often written like prefecture cities.
_DIRECT_COUNTY_CITIES: dict[str, str] = {
    "河南": "济源",
    "湖北": "仙桃 潜江 天门 神农架=神农架林区",
    "海南": "琼海 文昌 万宁 五指山",
    "新疆": "石河子 五家渠",
}


def _build_cities() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(canonical city → province, any written form → canonical, suffixed forms → canonical)."""
    provinces: dict[str, str] = {}
    forms: dict[str, str] = {}
    suffixed: dict[str, str] = {}
    for table in (_CITY_TABLE, _DIRECT_COUNTY_CITIES):
        for province, cities in table.items():
            for token in cities.split():
                short, _, full = token.partition("=")
                if short in provinces:
                    raise ValueError(f"duplicate city {short}")
                provinces[short] = province
                long_forms = [full or short + "市"]
                plain = short
                if full.endswith("自治州"):
                    long_forms.append(short.removesuffix("州") + "州")
                elif full.endswith("地区"):
                    long_forms.append(short + "市")  # 阿克苏市 etc. are the seats; close enough
                elif full.endswith("盟"):
                    plain = short.removesuffix("盟")
                elif full.endswith("林区"):
                    long_forms.append(short + "市")
                if short == "海南州":
                    plain = short  # 海南 alone is the province
                for form in {short, plain, *long_forms}:
                    forms[form] = short
                for form in long_forms:
                    suffixed[form] = short
    return provinces, forms, suffixed


CITY_PROVINCE, _CITY_FORMS, _CITY_SUFFIXED = _build_cities()
_CITY_PREFIX_MAX = max(len(w) for w in _CITY_FORMS)
_PLACE_JUNK = re.compile(r"[\s\-·•/,，、.。_|]+")


def _clean_place(text: str) -> str:
    return _PLACE_JUNK.sub("", unicodedata.normalize("NFKC", text).strip())


def _prefix_lookup(text: str, table: dict[str, str], longest: int) -> tuple[str, str] | None:
    for k in range(min(len(text), longest), 1, -1):
        hit = table.get(text[:k])
        if hit is not None:
            return text[:k], hit
    return None


def _city_in(rest: str, province: str | None) -> str | None:
    """Canonical city for the text after a province; None when not a known city."""
    hit = _CITY_FORMS.get(rest)
    if hit is not None:
        return hit
    found = _prefix_lookup(rest, _CITY_FORMS, _CITY_PREFIX_MAX)
    if found is not None and (province is None or CITY_PROVINCE[found[1]] == province):
        return found[1]
    return None


@lru_cache(maxsize=4096)
def parse_place(text: str) -> tuple[str | None, str | None]:
    """(province short name, city) from a written place.

    "山东聊城" → ("山东", "聊城"); "山东省" → ("山东", None); "聊城市" and "聊城" → ("山东", "聊城");
    "聊城市东昌府区" → ("山东", "聊城").  A municipality or SAR is its own city: "北京" and
    "北京市海淀区" → ("北京", "北京").  Text that starts with a known province but continues with an
    unknown city gives that province and the rest (市 stripped) as city: "山东寿光市" →
    ("山东", "寿光").  Anything else → (None, None).
    """
    t = _clean_place(text)
    if not t:
        return None, None
    province = normalize_province(t)
    if province is not None:
        return province, province if province in _CITY_IS_PROVINCE else None
    city = _CITY_FORMS.get(t)
    if city is not None:
        return CITY_PROVINCE[city], city
    found = _prefix_lookup(t, _PROVINCE_PREFIXES, _PROVINCE_PREFIX_MAX)
    if found is not None:
        prefix, province = found
        rest = t[len(prefix):]
        if province in _CITY_IS_PROVINCE:
            return province, province
        if not rest:
            return province, None
        city = _city_in(rest, province)
        if city is None:
            city = rest.removesuffix("市") or None
        return province, city
    found = _prefix_lookup(t, _CITY_SUFFIXED, _CITY_PREFIX_MAX)
    if found is not None:
        return CITY_PROVINCE[found[1]], found[1]
    return None, None


# ---------------------------------------------------------------------------------------------
# Degree level, gender, priority groups
# ---------------------------------------------------------------------------------------------

DEGREES: tuple[str, ...] = ("专科", "本科", "硕士", "博士")
DEGREES_EN: dict[str, str] = {"专科": "Associate", "本科": "Bachelor", "硕士": "Master", "博士": "Doctor"}
_DEGREE_ALIASES: dict[str, tuple[str, ...]] = {
    "专科": (
        "专科", "高职", "大专", "高职高专", "高职专科", "专科生", "大专生", "associate", "associate degree",
        "junior college", "vocational", "diploma",
    ),
    "本科": ("本科", "学士", "本科生", "大学本科", "bachelor", "bachelors", "bachelor's", "undergraduate", "ba", "bsc"),
    "硕士": (
        "硕士", "研究生", "硕士研究生", "硕士生", "master", "masters", "master's", "postgraduate", "ma", "msc",
    ),
    "博士": ("博士", "博士研究生", "博士生", "doctor", "doctoral", "doctorate", "phd", "ph.d", "ph.d.", "dphil"),
}
_DEGREE_WORDS: dict[str, str] = {
    normalize_text(alias): degree for degree, aliases in _DEGREE_ALIASES.items() for alias in aliases
}


def normalize_degree(text: str) -> str | None:
    """专科/本科/硕士/博士 from a Chinese or English degree word."""
    norm = normalize_text(text)
    return _DEGREE_WORDS.get(norm) or _DEGREE_WORDS.get(norm.replace(" ", ""))


GENDERS: tuple[str, ...] = ("男", "女")
_GENDER_WORDS: dict[str, str] = {
    **dict.fromkeys(("男", "男性", "男生", "m", "male", "man", "boy"), "男"),
    **dict.fromkeys(("女", "女性", "女生", "f", "female", "woman", "girl"), "女"),
}


def normalize_gender(text: str) -> str | None:
    """男/女 from 男/女/M/F/male/female (any case or width)."""
    return _GENDER_WORDS.get(normalize_text(text))


_GROUP_TABLE: dict[str, tuple[str, ...]] = {
    "困难家庭": (
        "特困家庭", "家庭困难", "家庭经济困难", "经济困难", "困难家庭毕业生", "低收入家庭", "low-income", "low income",
    ),
    "脱贫家庭": ("建档立卡", "建档立卡贫困家庭", "建档立卡贫困户", "脱贫户", "脱贫家庭毕业生", "poverty-alleviated"),
    "低保家庭": ("低保", "城乡低保", "最低生活保障家庭", "subsistence allowance"),
    "零就业家庭": ("零就业",),
    "残疾": ("残疾人", "残疾毕业生", "残障", "disabled", "disability"),
    "少数民族": ("少数民族毕业生", "民族生", "ethnic minority", "minority"),
    "就业困难": ("就业困难毕业生", "就业困难群体", "长期未就业", "较长时间未就业", "employment difficulty"),
    "省级优秀毕业生": ("省优秀毕业生", "省优毕业生", "省优", "省级优秀", "provincial outstanding graduate"),
    "退役士兵": ("退役大学生士兵", "退役军人", "veteran"),
    "孤儿": ("orphan",),
}
PRIORITY_GROUPS: tuple[str, ...] = tuple(_GROUP_TABLE)
PRIORITY_GROUP_ALIASES: dict[str, str] = {
    normalize_text(alias): group
    for group, aliases in _GROUP_TABLE.items()
    for alias in (group, *aliases)
}
_GROUP_SPLIT = re.compile(r"[;；、,，]")


def split_groups(text: str) -> tuple[str, ...]:
    """Split a cell of several groups on ; ； 、 , ， and strip; empty parts are dropped."""
    return tuple(part for part in (p.strip() for p in _GROUP_SPLIT.split(text or "")) if part)



# ---------------------------------------------------------------------------------------------
# Built-in English names of majors and departments (keys lowercase)
# ---------------------------------------------------------------------------------------------

MAJOR_EN_TO_ZH: dict[str, str] = {
    # health
    "nursing": "护理",
    "midwifery": "助产",
    "pharmacy": "药学",
    "clinical medicine": "临床医学",
    "medical laboratory technology": "医学检验技术",
    "medical imaging technology": "医学影像技术",
    "medical imaging": "医学影像学",
    "rehabilitation therapy technology": "康复治疗技术",
    "rehabilitation therapy": "康复治疗学",
    "stomatology": "口腔医学",
    "dental technology": "口腔医学技术",
    "traditional chinese medicine": "中医学",
    "chinese materia medica": "中药学",
    "acupuncture and tuina": "针灸推拿",
    "preventive medicine": "预防医学",
    "anesthesiology": "麻醉学",
    "health management": "健康管理",
    "optometry technology": "眼视光技术",
    "pharmaceutical production technology": "药品生产技术",
    "medical laboratory science": "医学检验技术",
    "public health": "公共卫生管理",
    # business and economics
    "accounting": "会计",
    "big data and accounting": "大数据与会计",
    "financial management": "财务管理",
    "finance": "金融学",
    "marketing": "市场营销",
    "business administration": "工商管理",
    "human resource management": "人力资源管理",
    "logistics management": "物流管理",
    "international economics and trade": "国际经济与贸易",
    "international trade": "国际贸易实务",
    "economics": "经济学",
    "tourism management": "旅游管理",
    "hotel management": "酒店管理",
    "auditing": "审计",
    "statistics": "统计学",
    "e-commerce": "电子商务",
    "electronic commerce": "电子商务",
    "ecommerce": "电子商务",
    "cross-border e-commerce": "跨境电子商务",
    "insurance": "保险",
    # computing and electronics
    "computer science and technology": "计算机科学与技术",
    "computer science": "计算机科学与技术",
    "software technology": "软件技术",
    "software engineering": "软件工程",
    "computer application technology": "计算机应用技术",
    "computer network technology": "计算机网络技术",
    "big data technology": "大数据技术",
    "cloud computing technology": "云计算技术应用",
    "artificial intelligence": "人工智能",
    "information security": "信息安全",
    "data science and big data technology": "数据科学与大数据技术",
    "internet of things engineering": "物联网工程",
    "internet of things application technology": "物联网应用技术",
    "electronic information engineering": "电子信息工程",
    "electronic information engineering technology": "电子信息工程技术",
    "communication engineering": "通信工程",
    "digital media technology": "数字媒体技术",
    "digital media art": "数字媒体艺术",
    "network engineering": "网络工程",
    "mobile application development": "移动应用开发",
    "animation": "动画",
    # engineering
    "mechanical design and manufacturing": "机械设计与制造",
    "mechanical design manufacturing and automation": "机械设计制造及其自动化",
    "mechanical engineering": "机械工程",
    "mechatronics technology": "机电一体化技术",
    "mechatronics": "机电一体化技术",
    "electrical automation technology": "电气自动化技术",
    "electrical engineering and automation": "电气工程及其自动化",
    "automation": "自动化",
    "industrial robot technology": "工业机器人技术",
    "automotive inspection and maintenance technology": "汽车检测与维修技术",
    "new energy vehicle technology": "新能源汽车技术",
    "vehicle engineering": "车辆工程",
    "civil engineering": "土木工程",
    "construction engineering technology": "建筑工程技术",
    "architecture": "建筑学",
    "engineering cost": "工程造价",
    "construction cost": "工程造价",
    "construction engineering management": "建设工程管理",
    "engineering management": "工程管理",
    "interior design": "建筑室内设计",
    "landscape architecture": "风景园林",
    "urban and rural planning": "城乡规划",
    "urban rail transit operation management": "城市轨道交通运营管理",
    "food science and engineering": "食品科学与工程",
    "food inspection and testing technology": "食品检验检测技术",
    # education, humanities, arts
    "preschool education": "学前教育",
    "early childhood education": "学前教育",
    "primary education": "小学教育",
    "physical education": "体育教育",
    "social sports guidance and management": "社会体育指导与管理",
    "chinese language and literature": "汉语言文学",
    "english": "英语",
    "business english": "商务英语",
    "applied english": "应用英语",
    "japanese": "日语",
    "law": "法学",
    "mathematics and applied mathematics": "数学与应用数学",
    "physics": "物理学",
    "chemistry": "化学",
    "biological science": "生物科学",
    "music performance": "音乐表演",
    "musicology": "音乐学",
    "fine arts": "美术学",
    "art design": "艺术设计",
    "visual communication design": "视觉传达设计",
    "environmental design": "环境设计",
    "product design": "产品设计",
    "journalism": "新闻学",
    "broadcasting and hosting": "播音与主持艺术",
    "advertising": "广告学",
    "psychology": "心理学",
    "applied psychology": "应用心理学",
    "social work": "社会工作",
    "public administration": "行政管理",
    "history": "历史学",
    "flight attendant": "空中乘务",
    # agriculture
    "agronomy": "农学",
    "animal husbandry and veterinary medicine": "畜牧兽医",
    "veterinary medicine": "动物医学",
    "horticulture": "园艺",
    "modern agricultural technology": "现代农业技术",
}
DEPARTMENT_EN_TO_ZH: dict[str, str] = {
    "school of nursing": "护理学院",
    "nursing school": "护理学院",
    "nursing department": "护理系",
    "department of nursing": "护理系",
    "school of medicine": "医学院",
    "medical school": "医学院",
    "school of pharmacy": "药学院",
    "department of pharmacy": "药学系",
    "pharmacy department": "药学系",
    "school of clinical medicine": "临床医学院",
    "department of clinical medicine": "临床医学系",
    "department of medical technology": "医学技术系",
    "school of medical technology": "医学技术学院",
    "school of public health": "公共卫生学院",
    "school of traditional chinese medicine": "中医学院",
    "school of economics and management": "经济管理学院",
    "department of economics and management": "经济管理系",
    "school of business": "商学院",
    "business school": "商学院",
    "school of information engineering": "信息工程学院",
    "department of information engineering": "信息工程系",
    "school of computer science": "计算机学院",
    "school of mechanical engineering": "机械工程学院",
    "department of mechanical engineering": "机械工程系",
    "school of electrical engineering": "电气工程学院",
    "school of civil engineering": "土木工程学院",
    "school of architecture": "建筑学院",
    "department of construction engineering": "建筑工程系",
    "department of architectural engineering": "建筑工程系",
    "school of education": "教育学院",
    "department of preschool education": "学前教育系",
    "school of foreign languages": "外国语学院",
    "school of humanities": "人文学院",
    "school of art": "艺术学院",
    "school of arts": "艺术学院",
    "school of marxism": "马克思主义学院",
    "school of physical education": "体育学院",
    "school of law": "法学院",
}


# ---------------------------------------------------------------------------------------------
# Pinyin
# ---------------------------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def pinyin_key(text: str) -> str:
    """Lowercase full pinyin without tones, spaces or punctuation: "护理" → "huli".

    Latin letters and digits are kept as they are (lowercased).
    """
    from pypinyin import Style, lazy_pinyin

    return _NON_ALNUM.sub("", "".join(lazy_pinyin(normalize_text(text), style=Style.NORMAL)).casefold())


@lru_cache(maxsize=8192)
def pinyin_initials(text: str) -> str:
    """Lowercase pinyin initials of the Chinese characters: "护理" → "hl", "临床医学" → "lcyx".

    Latin letters and digits are kept whole: "护理2301班" → "hl2301b", "ICU护理" → "icuhl".
    """
    from pypinyin import Style, lazy_pinyin

    return _NON_ALNUM.sub("", "".join(lazy_pinyin(normalize_text(text), style=Style.FIRST_LETTER)).casefold())
