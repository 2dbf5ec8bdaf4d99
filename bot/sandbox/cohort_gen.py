"""A realistic generated cohort: roster plus a season of destination updates.

Used by ``placement-bot demo``, by tests and by benchmarks. Everything is drawn from one seeded
``random.Random``, so the same arguments always give the same cohort.

The shape follows domain.md: a vocational college (or a university with ``degrees=("本科", "硕士",
"博士")``) with departments and majors that fit together, classes of about 45 (护理2301班),
10-digit 学号 (cohort year + department + class + sequence), Chinese names (full-name duplicates
included, as in real rosters), a home province that most graduates come from and work in, some
ethnic minorities and about 15 % in priority groups, counsellors responsible for whole classes.
Destinations end the season near the published table (≈ 85 % placed: contract 35 %, other hiring
18 %, business 14 %, agreement 5 %, army 3 %, freelance 2 %, study 7 %), with department rates
from about 72 % (护理) to 95 % (建筑). Each graduate has 0–3 updates between (cohort-1)-11-01 and
cohort-12-15 (e.g. 求职中 → 面试中 → 签劳动合同); some are never reported (未上报).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import itertools
import math
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import xlsxwriter

from bot.taxonomy import CITY_PROVINCE, MUNICIPALITIES

__all__ = [
    "MESSAGE_LIMIT",
    "ROSTER_HEADERS_EN",
    "ROSTER_HEADERS_ZH",
    "GenCohort",
    "GenEvent",
    "GenGraduate",
    "generate_cohort",
]

MESSAGE_LIMIT = 4096

ROSTER_HEADERS_ZH: tuple[str, ...] = (
    "学号", "姓名", "院系", "专业", "专业大类", "班级", "学历", "性别", "生源地", "民族", "重点群体", "辅导员",
    "届别", "专业英文名", "院系英文名",
)  # fmt: skip
ROSTER_HEADERS_EN: tuple[str, ...] = (
    "student_id", "name", "department", "major", "category", "class", "degree", "gender", "origin",
    "ethnicity", "groups", "counsellor", "cohort", "major_en", "department_en",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------


@dataclass
class GenGraduate:
    """One generated graduate: the roster fields (as read back by ``bot.roster.read_roster``)."""

    student_id: str
    name: str
    department: str
    major: str
    category: str | None
    class_name: str | None
    degree: str | None
    gender: str | None
    origin: str | None
    ethnicity: str | None
    groups: tuple[str, ...]
    counsellor: str | None
    cohort: int
    major_en: str | None
    department_en: str | None = None

    def roster_values(self) -> tuple[Any, ...]:
        """Values in the order of :data:`ROSTER_HEADERS_ZH`."""
        return (
            self.student_id, self.name, self.department, self.major, self.category or "",
            self.class_name or "", self.degree or "", self.gender or "", self.origin or "",
            self.ethnicity or "", "、".join(self.groups), self.counsellor or "", self.cohort,
            self.major_en or "", self.department_en or "",
        )  # fmt: skip


_QUOTE_TRIGGERS = frozenset(" \t\u3000，,=＝:：\"“”'")


def _value(text: str) -> str:
    """A value as written in an update line: quoted when it holds a separator."""
    if any(ch in _QUOTE_TRIGGERS for ch in text):
        return '"' + text.replace('"', "'") + '"'
    return text


@dataclass
class GenEvent:
    """One destination update in the generated history."""

    student_id: str
    name: str
    word: str  # destination word as a counsellor writes it ("合同", "专升本", "面试中", "11" …)
    code: int
    substate: str | None
    employer: str | None
    school: str | None
    province: str | None
    city: str | None
    unit_nature: int | None
    industry: str | None  # GB/T 4754 section letter
    related: bool | None
    effective_date: dt.date
    counsellor: str
    note: str | None = None

    @property
    def key(self) -> str:
        """Destination key as in ``bot.taxonomy``: "11", "70/面试中"."""
        return f"{self.code}/{self.substate}" if self.substate else str(self.code)

    def as_line(self, *, by_name: bool = False) -> str:
        """The update line in the product.md §4 grammar.

        ``2023010101 签劳动合同 聊城市人民医院 地区=山东聊城 性质=31 行业=Q 对口=是 日期=2023-05-12``
        """
        parts = [self.name if by_name else self.student_id, self.word]
        free = self.employer or self.school
        if free:
            parts.append(_value(free))
        if self.province:
            place = (
                self.province if not self.city or self.city == self.province else self.province + self.city
            )
            parts.append(f"地区={place}")
        if self.unit_nature is not None:
            parts.append(f"性质={self.unit_nature}")
        if self.industry:
            parts.append(f"行业={self.industry}")
        if self.related is not None:
            parts.append(f"对口={'是' if self.related else '否'}")
        if self.note:
            parts.append(f"备注={_value(self.note)}")
        parts.append(f"日期={self.effective_date.isoformat()}")  # always last
        return " ".join(parts)


@dataclass
class GenCohort:
    """A generated cohort: roster, update history and the people around it."""

    cohort: int
    graduates: list[GenGraduate]
    events: list[GenEvent]
    counsellors: list[str]
    departments: list[str]
    majors: list[str]
    home_province: str = "山东"
    today: dt.date | None = None
    department_en: dict[str, str] = field(default_factory=dict)

    # ---- queries ------------------------------------------------------------------------

    def by_id(self) -> dict[str, GenGraduate]:
        return {g.student_id: g for g in self.graduates}

    def events_until(self, up_to: dt.date | None = None) -> list[GenEvent]:
        """Events with an effective date on or before ``up_to`` (all when None), in date order."""
        if up_to is None:
            return list(self.events)
        return [e for e in self.events if e.effective_date <= up_to]

    def final_events(self, as_of: dt.date | None = None) -> dict[str, GenEvent]:
        """Each graduate's latest event as of a date (graduates with none are 未上报)."""
        latest: dict[str, GenEvent] = {}
        for event in self.events_until(as_of):
            latest[event.student_id] = event
        return latest

    def placement_rate(self, as_of: dt.date | None = None) -> float:
        """Share of graduates employed or in further study as of a date (0–1)."""
        placed = sum(
            1 for e in self.final_events(as_of).values() if e.code < 70 or e.code in (75, 76, 80, 85)
        )
        return placed / len(self.graduates) if self.graduates else 0.0

    # ---- roster files -------------------------------------------------------------------

    def _headers(self, headers: Literal["zh", "en"]) -> tuple[str, ...]:
        return ROSTER_HEADERS_EN if headers == "en" else ROSTER_HEADERS_ZH

    def to_xlsx(
        self, path_or_buffer: str | os.PathLike[str] | IO[bytes], *, headers: Literal["zh", "en"] = "zh"
    ) -> None:
        """Write the roster (no destinations) as ``.xlsx``; 学号 is stored as text."""
        target = (
            os.fspath(path_or_buffer) if isinstance(path_or_buffer, str | os.PathLike) else path_or_buffer
        )
        book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
        try:
            sheet = book.add_worksheet("名单" if headers == "zh" else "roster")
            bold = book.add_format({"bold": True})
            text = book.add_format({"num_format": "@"})
            sheet.set_column(0, 0, 12, text)
            sheet.set_column(1, 1, 10)
            sheet.set_column(2, 5, 16)
            sheet.set_column(13, 14, 28)
            sheet.write_row(0, 0, self._headers(headers), bold)
            write_string = sheet.write_string
            write_number = sheet.write_number
            for row, graduate in enumerate(self.graduates, start=1):
                for col, value in enumerate(graduate.roster_values()):
                    if value == "":
                        continue
                    if col == 12:
                        write_number(row, col, value)
                    else:
                        write_string(row, col, value)
            sheet.freeze_panes(1, 0)
        finally:
            book.close()

    def to_csv(
        self,
        path_or_buffer: str | os.PathLike[str] | IO[str] | IO[bytes],
        *,
        headers: Literal["zh", "en"] = "zh",
        encoding: str = "utf-8-sig",
    ) -> None:
        """Write the roster as CSV (UTF-8 with BOM by default, which Excel opens correctly).

        A path or binary buffer gets encoded bytes; a text buffer gets text.
        """
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self._headers(headers))
        writer.writerows(g.roster_values() for g in self.graduates)
        text = out.getvalue()
        if isinstance(path_or_buffer, str | os.PathLike):
            with open(path_or_buffer, "w", encoding=encoding, newline="") as fh:
                fh.write(text)
        elif isinstance(path_or_buffer, io.TextIOBase):
            path_or_buffer.write(text)
        else:
            path_or_buffer.write(text.encode(encoding))  # type: ignore[arg-type]

    # ---- counsellors' messages ----------------------------------------------------------

    def messages_by_counsellor(
        self, lines_per_message: int = 60, up_to: dt.date | None = None
    ) -> dict[str, list[str]]:
        """Each counsellor's updates (their own graduates only) as message texts, in date order.

        At most ``lines_per_message`` lines per message and always under Telegram's 4,096 characters.
        """
        lines: dict[str, list[str]] = {name: [] for name in self.counsellors}
        for event in self.events_until(up_to):
            lines.setdefault(event.counsellor, []).append(event.as_line())
        return {name: _pack(own, lines_per_message) for name, own in lines.items() if own}


def _pack(lines: Iterable[str], per_message: int) -> list[str]:
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (1 if current else 0)
        if current and (len(current) >= per_message or size + extra >= MESSAGE_LIMIT):
            messages.append("\n".join(current))
            current, size, extra = [], 0, len(line)
        current.append(line)
        size += extra
    if current:
        messages.append("\n".join(current))
    return messages


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Major:
    zh: str  # 专科 name
    zh_bachelor: str  # 本科 / graduate name
    en: str
    short: str  # class-name prefix
    weight: float
    female: float  # share of women


@dataclass(frozen=True)
class _Department:
    zh: str
    en: str
    family: str  # employer family
    category: str  # 专业大类 (专科)
    discipline: str  # 学科门类 (本科 and above)
    rate: float  # placement share at the end of the season (专科)
    majors: tuple[_Major, ...]


def _m(zh: str, zh_b: str, en: str, short: str, weight: float, female: float) -> _Major:
    return _Major(zh, zh_b, en, short, weight, female)


_DEPARTMENTS: tuple[_Department, ...] = (
    _Department("护理学院", "School of Nursing", "health", "医药卫生大类", "医学", 0.74, (
        _m("护理", "护理学", "Nursing", "护理", 18, 0.9),
        _m("助产", "助产学", "Midwifery", "助产", 3, 0.99),
        _m("婴幼儿托育服务与管理", "婴幼儿发展与健康管理", "Infant and Toddler Care", "托育", 1, 0.95),
        _m("老年保健与管理", "养老服务管理", "Elderly Care and Management", "老年", 1, 0.8),
    )),
    _Department("医学技术学院", "School of Medical Technology", "health", "医药卫生大类", "医学", 0.83, (
        _m("临床医学", "临床医学", "Clinical Medicine", "临床", 5, 0.5),
        _m("医学检验技术", "医学检验技术", "Medical Laboratory Technology", "检验", 3, 0.62),
        _m("医学影像技术", "医学影像技术", "Medical Imaging Technology", "影像", 3, 0.5),
        _m("康复治疗技术", "康复治疗学", "Rehabilitation Therapy Technology", "康复", 2, 0.55),
        _m("口腔医学技术", "口腔医学技术", "Dental Technology", "口腔", 1, 0.55),
        _m("眼视光技术", "眼视光学", "Optometry Technology", "视光", 1, 0.6),
    )),
    _Department("药学院", "School of Pharmacy", "pharma", "医药卫生大类", "医学", 0.86, (
        _m("药学", "药学", "Pharmacy", "药学", 4, 0.66),
        _m("中药学", "中药学", "Chinese Materia Medica", "中药", 2, 0.66),
        _m("药品经营与管理", "药事管理", "Pharmaceutical Business Management", "药营", 1, 0.6),
        _m("药品生产技术", "制药工程", "Pharmaceutical Production Technology", "药品生产", 1, 0.5),
        _m("食品检验检测技术", "食品质量与安全", "Food Inspection and Testing Technology", "食检", 1, 0.6),
    )),
    _Department("信息工程学院", "School of Information Engineering", "it", "电子与信息大类", "工学", 0.9, (
        _m("软件技术", "软件工程", "Software Technology", "软件", 3, 0.22),
        _m("计算机应用技术", "计算机科学与技术", "Computer Application Technology", "计应", 3, 0.3),
        _m("计算机网络技术", "网络工程", "Computer Network Technology", "网络", 2, 0.2),
        _m("大数据技术", "数据科学与大数据技术", "Big Data Technology", "大数据", 2, 0.35),
        _m("人工智能技术应用", "人工智能", "Artificial Intelligence Technology", "人工智能", 1, 0.25),
        _m("电子信息工程技术", "电子信息工程", "Electronic Information Engineering Technology", "电信", 1, 0.2),
    )),
    _Department("机电工程学院", "School of Mechanical and Electrical Engineering", "mech", "装备制造大类", "工学", 0.93, (
        _m("机电一体化技术", "机械电子工程", "Mechatronics Technology", "机电", 3, 0.08),
        _m("电气自动化技术", "电气工程及其自动化", "Electrical Automation Technology", "电气", 2, 0.1),
        _m("新能源汽车技术", "新能源汽车工程", "New Energy Vehicle Technology", "新能源", 2, 0.06),
        _m("工业机器人技术", "机器人工程", "Industrial Robot Technology", "机器人", 1, 0.08),
        _m("数控技术", "机械设计制造及其自动化", "Numerical Control Technology", "数控", 1, 0.06),
    )),
    _Department("经济管理学院", "School of Economics and Management", "biz", "财经商贸大类", "管理学", 0.88, (
        _m("会计", "会计学", "Accounting", "会计", 4, 0.82),
        _m("电子商务", "电子商务", "E-commerce", "电商", 2, 0.6),
        _m("市场营销", "市场营销", "Marketing", "营销", 1, 0.5),
        _m("现代物流管理", "物流管理", "Logistics Management", "物流", 1, 0.45),
        _m("财务管理", "财务管理", "Financial Management", "财管", 1, 0.8),
        _m("酒店管理与数字化运营", "酒店管理", "Hotel Management", "酒店", 1, 0.65),
    )),
    _Department("建筑工程学院", "School of Civil Engineering and Architecture", "build", "土木建筑大类", "工学", 0.95, (
        _m("建筑工程技术", "土木工程", "Construction Engineering Technology", "建工", 3, 0.15),
        _m("工程造价", "工程造价", "Engineering Cost", "造价", 2, 0.5),
        _m("建设工程管理", "工程管理", "Construction Engineering Management", "建管", 1, 0.35),
        _m("建筑室内设计", "环境设计", "Interior Design", "室内", 1, 0.55),
        _m("道路与桥梁工程技术", "道路桥梁与渡河工程", "Road and Bridge Engineering Technology", "路桥", 1, 0.1),
    )),
    _Department("教育学院", "School of Education", "edu", "教育与体育大类", "教育学", 0.85, (
        _m("学前教育", "学前教育", "Preschool Education", "学前", 5, 0.95),
        _m("小学教育", "小学教育", "Primary Education", "小教", 2, 0.82),
        _m("英语教育", "英语", "English Education", "英教", 1, 0.88),
        _m("体育教育", "体育教育", "Physical Education", "体教", 1, 0.3),
    )),
    _Department("文化艺术学院", "School of Arts", "art", "文化艺术大类", "艺术学", 0.8, (
        _m("视觉传达设计", "视觉传达设计", "Visual Communication Design", "视传", 1, 0.62),
        _m("数字媒体艺术设计", "数字媒体艺术", "Digital Media Art Design", "数媒", 1, 0.55),
        _m("音乐表演", "音乐表演", "Music Performance", "音表", 1, 0.6),
    )),
)  # fmt: skip

_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
    "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
    "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔",
    "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦",
    "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
    "万", "钱", "严", "武", "戴", "孔", "欧阳", "司马", "诸葛",
)  # fmt: skip
# Roughly Zipf-like: the top surnames are much more common, compound ones rare.
_SURNAME_CUM = list(
    itertools.accumulate(7.0 / (i + 6) if len(s) == 1 else 0.02 for i, s in enumerate(_SURNAMES))
)

_GIVEN_F = "婷静敏燕艳丽娟霞芳娜丹玲萍红洁琳雪倩颖慧佳怡欣悦雨晴梦瑶琪涵璐蕾薇月妍宁菲露婧彤晨茜淑秀美莉兰凤云媛思诗嘉心语"
_GIVEN_M = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭龙林阳成峰亮晨博文志建新东坤昊然轩泽睿哲航振国"
)

_UYGHUR_GIVEN_M = ("艾力", "买买提", "阿卜杜拉", "艾克拜尔", "努尔艾力", "伊力哈木", "吐尔洪")
_UYGHUR_GIVEN_F = ("阿依古丽", "古丽米拉", "帕提古丽", "迪丽努尔", "热依拉", "努尔古丽", "米热古丽")
_UYGHUR_FATHER = ("买买提", "吐尔逊", "艾则孜", "阿不都", "肉孜", "卡德尔", "司马义")
_TIBETAN = ("扎西", "次仁", "卓玛", "格桑", "央金", "平措", "达瓦", "拉姆", "多吉", "德吉", "尼玛", "白玛")

# Other provinces a student may come from, with weights (the home province is added separately).
_OTHER_ORIGINS: tuple[tuple[str, float], ...] = (
    ("河南", 5), ("河北", 4), ("安徽", 3), ("江苏", 2), ("山西", 2), ("内蒙古", 1), ("黑龙江", 1), ("吉林", 1),
    ("辽宁", 1), ("江西", 1), ("湖北", 1), ("湖南", 1), ("四川", 1), ("重庆", 0.5), ("贵州", 1), ("云南", 1),
    ("广西", 1), ("甘肃", 1.5), ("宁夏", 0.5), ("青海", 0.5), ("新疆", 2), ("西藏", 0.5), ("陕西", 1),
    ("浙江", 0.5), ("福建", 0.5), ("广东", 0.5), ("海南", 0.3), ("天津", 0.5), ("北京", 0.2), ("上海", 0.2),
)  # fmt: skip
# Minorities by province of origin: (share of minority graduates, ethnicities).
_MINORITIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "新疆": (0.55, ("维吾尔族", "维吾尔族", "哈萨克族", "回族")),
    "西藏": (0.85, ("藏族",)),
    "青海": (0.35, ("藏族", "回族", "土族")),
    "宁夏": (0.35, ("回族",)),
    "广西": (0.35, ("壮族", "瑶族")),
    "贵州": (0.35, ("苗族", "布依族", "侗族")),
    "云南": (0.3, ("彝族", "白族", "傣族", "哈尼族")),
    "内蒙古": (0.2, ("蒙古族", "满族")),
    "吉林": (0.1, ("朝鲜族", "满族")),
    "辽宁": (0.12, ("满族", "蒙古族")),
    "湖南": (0.08, ("土家族", "苗族")),
    "湖北": (0.05, ("土家族",)),
    "四川": (0.06, ("彝族", "藏族")),
    "甘肃": (0.08, ("回族", "东乡族")),
}
_DEFAULT_MINORITY = (0.02, ("回族", "满族", "蒙古族", "壮族", "土家族"))

# Where employed graduates work outside the home province.
_WORK_ELSEWHERE: tuple[tuple[str, float], ...] = (
    ("北京", 3), ("天津", 3), ("上海", 3), ("江苏", 4), ("浙江", 4), ("广东", 3), ("河北", 2), ("河南", 2),
    ("安徽", 1), ("福建", 1), ("四川", 1), ("湖北", 1), ("陕西", 1), ("新疆", 0.5), ("海南", 0.5),
)  # fmt: skip
_WEST = ("新疆", "西藏", "青海", "甘肃", "宁夏", "贵州", "云南", "广西", "内蒙古")
_SCHOOL_CITY = {
    "山东": "聊城",
    "河南": "新乡",
    "河北": "保定",
    "江苏": "徐州",
    "四川": "绵阳",
    "湖北": "宜昌",
}

_BRANDS = (
    "瑞康", "华康", "鑫源", "恒信", "宏达", "泰和", "博远", "金诺", "德信", "联创", "天成", "汇通", "安泰", "嘉禾",
    "正元", "新华", "广源", "东方", "万象", "信达", "华宇", "鸿运", "同创", "佳和", "润泽", "盛世", "启明",
    "远航", "卓越", "中诚", "永康", "仁和", "福瑞", "海纳", "兴业", "恒通", "明德", "睿智", "凯旋", "锦程",
)  # fmt: skip
_TOWNS = (
    "李庄",
    "王集",
    "张秋",
    "大桥",
    "新店",
    "柳林",
    "城关",
    "马头",
    "清水",
    "石门",
    "杨庄",
    "高集",
    "沙镇",
    "梁村",
)

# family -> (employer pattern, unit nature, industry, weight)
_EMPLOYERS: dict[str, tuple[tuple[str, int, str, float], ...]] = {
    "health": (
        ("{city}市人民医院", 23, "Q", 5), ("{city}市中医医院", 23, "Q", 3), ("{city}市第二人民医院", 23, "Q", 2),
        ("{city}市妇幼保健院", 23, "Q", 2), ("{city}{brand}医院", 39, "Q", 5), ("{city}市{town}镇卫生院", 23, "Q", 2),
        ("{city}{brand}口腔门诊部", 39, "Q", 1), ("{city}{brand}健康管理有限公司", 39, "Q", 1),
        ("{city}{brand}养老服务中心", 39, "Q", 1), ("{city}市疾病预防控制中心", 29, "Q", 0.5),
        ("{city}{brand}医学检验实验室有限公司", 39, "M", 0.5),
    ),
    "pharma": (
        ("{city}{brand}大药房连锁有限公司", 39, "F", 5), ("{city}{brand}医药有限公司", 39, "F", 3),
        ("{brand}制药股份有限公司", 39, "C", 3), ("{city}{brand}药业集团有限公司", 31, "C", 1),
        ("{city}市人民医院", 23, "Q", 2), ("{brand}生物科技有限公司", 39, "M", 1),
        ("{city}市检验检测中心", 29, "M", 0.5),
    ),
    "it": (
        ("{city}{brand}信息技术有限公司", 39, "I", 5), ("{city}{brand}软件科技有限公司", 39, "I", 3),
        ("{city}{brand}网络科技有限公司", 39, "I", 3), ("中国移动通信集团{province}有限公司{city}分公司", 31, "I", 1),
        ("{brand}电子(中国)有限公司", 32, "C", 1), ("{city}{brand}电子商务有限公司", 39, "F", 1),
    ),
    "mech": (
        ("{city}{brand}机械制造有限公司", 39, "C", 4), ("{city}{brand}汽车销售服务有限公司", 39, "F", 2),
        ("{brand}重工集团有限公司", 31, "C", 1), ("{city}{brand}电气有限公司", 39, "C", 2),
        ("{brand}精密机械(中国)有限公司", 32, "C", 1), ("国网{province}省电力公司{city}供电公司", 31, "D", 0.5),
        ("{city}{brand}新能源科技有限公司", 39, "C", 1),
    ),
    "biz": (
        ("{city}{brand}会计师事务所有限公司", 39, "L", 2), ("{city}{brand}财务咨询有限公司", 39, "L", 2),
        ("{city}{brand}商贸有限公司", 39, "F", 3), ("{city}{brand}电子商务有限公司", 39, "F", 2),
        ("中国农业银行股份有限公司{city}分行", 31, "J", 1), ("{city}农村商业银行股份有限公司", 39, "J", 1),
        ("{city}{brand}物流有限公司", 39, "G", 2), ("{city}{brand}大酒店有限公司", 39, "H", 1),
        ("{city}{brand}超市连锁有限公司", 39, "F", 1),
    ),
    "build": (
        ("{province}{brand}建工集团有限公司", 31, "E", 1), ("{city}{brand}建设工程有限公司", 39, "E", 4),
        ("{city}{brand}工程造价咨询有限公司", 39, "M", 2), ("{city}{brand}建筑装饰工程有限公司", 39, "E", 2),
        ("{city}{brand}房地产开发有限公司", 39, "K", 1), ("{city}{brand}路桥工程有限公司", 31, "E", 1),
        ("{city}{brand}工程监理有限公司", 39, "M", 1),
    ),
    "edu": (
        ("{city}市{brand}幼儿园", 22, "P", 3), ("{city}{brand}双语幼儿园", 39, "P", 3), ("{city}市{town}镇中心小学", 22, "P", 2),
        ("{city}{brand}教育咨询有限公司", 39, "P", 2), ("{city}{brand}托育服务有限公司", 39, "P", 1),
        ("{city}{brand}体育文化有限公司", 39, "R", 1),
    ),
    "art": (
        ("{city}{brand}文化传媒有限公司", 39, "R", 4), ("{city}{brand}广告设计有限公司", 39, "L", 2),
        ("{city}{brand}艺术培训学校", 39, "P", 2), ("{city}{brand}网络科技有限公司", 39, "I", 1),
    ),
}  # fmt: skip
_BUSINESS: dict[str, tuple[str, str]] = {
    "health": ("{city}{brand}母婴护理服务部", "O"),
    "pharma": ("{city}{brand}药店", "F"),
    "it": ("{city}{brand}网络工作室", "I"),
    "mech": ("{city}{brand}汽车维修服务部", "O"),
    "biz": ("{city}{brand}电子商务工作室", "F"),
    "build": ("{city}{brand}装饰工作室", "E"),
    "edu": ("{city}{brand}课后托管中心", "P"),
    "art": ("{city}{brand}设计工作室", "R"),
}

_TOP_UP = (  # 专升本 colleges (home province)
    ("聊城大学", "山东", "聊城"), ("滨州医学院", "山东", "烟台"), ("济宁医学院", "山东", "济宁"),
    ("潍坊学院", "山东", "潍坊"), ("临沂大学", "山东", "临沂"), ("齐鲁医药学院", "山东", "淄博"),
    ("山东协和学院", "山东", "济南"), ("山东英才学院", "山东", "济南"), ("泰山学院", "山东", "泰安"),
    ("德州学院", "山东", "德州"), ("菏泽学院", "山东", "菏泽"), ("山东管理学院", "山东", "济南"),
    ("山东交通学院", "山东", "济南"), ("齐鲁理工学院", "山东", "济南"), ("青岛滨海学院", "山东", "青岛"),
)  # fmt: skip
_GRADUATE_SCHOOLS = (
    ("山东大学", "山东", "济南"), ("中国海洋大学", "山东", "青岛"), ("青岛大学", "山东", "青岛"),
    ("山东第一医科大学", "山东", "济南"), ("天津医科大学", "天津", "天津"), ("郑州大学", "河南", "郑州"),
    ("南京医科大学", "江苏", "南京"), ("四川大学", "四川", "成都"), ("山东师范大学", "山东", "济南"),
    ("济南大学", "山东", "济南"), ("山东财经大学", "山东", "济南"), ("山东建筑大学", "山东", "济南"),
    ("中国医科大学", "辽宁", "沈阳"), ("华中科技大学", "湖北", "武汉"), ("北京师范大学", "北京", "北京"),
)  # fmt: skip
_ABROAD = (
    "英国利兹大学",
    "澳大利亚悉尼大学",
    "日本早稻田大学",
    "韩国庆熙大学",
    "马来西亚博特拉大学",
    "新加坡国立大学",
)

# Final destinations by degree: (key, weight) for the placed and the unplaced.
_PLACED: dict[str, tuple[tuple[str, float], ...]] = {
    "专科": (
        ("11", 35), ("12", 17.6), ("75", 14.3), ("10", 5.2), ("46", 3.3), ("76", 2.3), ("50", 0.4), ("51", 0.3),
        ("27", 0.2), ("80", 6.5), ("85", 0.5),
    ),
    "本科": (
        ("11", 30), ("10", 15), ("12", 12), ("75", 2), ("76", 2), ("46", 1), ("50", 2), ("51", 2), ("27", 0.5),
        ("80", 15), ("85", 3),
    ),
    "硕士": (("10", 38), ("11", 30), ("12", 8), ("50", 1.5), ("51", 2), ("27", 2), ("76", 1), ("80", 6), ("85", 2)),
    "博士": (("10", 58), ("11", 22), ("27", 9), ("12", 4), ("85", 3), ("80", 2)),
}  # fmt: skip
_UNPLACED: tuple[tuple[str, float], ...] = (
    ("未上报", 3), ("70/求职中", 4), ("70/面试中", 1.5), ("70/签约中", 1), ("70/拟参加公招考试", 2),
    ("70/参加就业见习", 0.5), ("70/拟创业", 0.3), ("70/拟应征入伍", 0.2), ("71", 1.5), ("72/暂不就业", 0.8),
    ("72/拟出国出境", 0.2),
)  # fmt: skip
_DEGREE_RATE: dict[str, float] = {"本科": 0.88, "硕士": 0.92, "博士": 0.96}  # 专科: the department's rate
_DEGREE_SHARE = {"专科": 1.0, "本科": 1.0, "硕士": 0.3, "博士": 0.05}

# key -> (words with weights). Every word maps to the key in bot.taxonomy.lookup_destination.
_WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "10": (("签就业协议", 4), ("签约", 3), ("协议", 1), ("三方", 1), ("10", 0.5)),
    "11": (("签劳动合同", 5), ("合同", 2), ("劳动合同", 2), ("签合同", 1), ("11", 0.5), ("contract", 0.2)),
    "12": (("其他录用", 3), ("录用证明", 2), ("灵活就业", 3), ("12", 0.5)),
    "27": (("科研助理", 1),),
    "46": (("参军", 2), ("入伍", 2), ("义务兵", 1), ("应征义务兵", 1), ("46", 0.3)),
    "75": (("创业", 3), ("自主创业", 2), ("75", 0.3)),
    "76": (("自由职业", 3), ("76", 0.3)),
    "85": (("出国", 2), ("留学", 2), ("出国深造", 1)),
    "70/求职中": (("求职中", 5), ("待就业", 2), ("70", 0.3)),
    "70/面试中": (("面试中", 1),),
    "70/签约中": (("签约中", 2), ("待签约", 1)),
    "70/拟参加公招考试": (("考公", 2), ("考编", 2), ("拟参加公招考试", 1)),
    "70/参加就业见习": (("见习", 2), ("参加就业见习", 1)),
    "70/拟创业": (("拟创业", 1),),
    "70/拟应征入伍": (("拟应征入伍", 1),),
    "71": (("备考", 2), ("拟升学", 2), ("不就业拟升学", 1)),
    "72/暂不就业": (("暂不就业", 1),),
    "72/拟出国出境": (("拟出国出境", 1),),
}
_NOTES: dict[str, tuple[str | None, ...]] = {
    "70/求职中": (None, None, "在找护理岗位", "已投简历", "等待招聘信息", "下周参加双选会"),
    "70/面试中": ("下周面试", "已参加二面", "等待面试结果", None),
    "70/签约中": ("已拿到录用通知 等待签约", "单位审批中", None),
    "70/拟参加公招考试": ("准备事业单位考试", "备考教师编", "参加省考", None),
    "70/参加就业见习": ("在县医院见习", "在社区见习", None),
    "70/拟创业": ("筹备开店", None),
    "70/拟应征入伍": ("已报名 等待体检", None),
    "71": ("准备专升本", "二战考研", "备考研究生", None),
    "72/暂不就业": ("家中有事", "身体原因", None),
    "72/拟出国出境": ("办理签证中", "准备出国留学"),
}

# Month weights of final placement dates, by kind: from (cohort-1)-11 to cohort-12.
_MONTHS = (
    (-1, 11),
    (-1, 12),
    (0, 1),
    (0, 2),
    (0, 3),
    (0, 4),
    (0, 5),
    (0, 6),
    (0, 7),
    (0, 8),
    (0, 9),
    (0, 10),
    (0, 11),
    (0, 12),
)
_MONTH_WEIGHTS: dict[str, tuple[float, ...]] = {
    "job": (4, 5, 4, 3, 8, 10, 14, 18, 12, 8, 6, 4, 3, 1),
    "army": (0, 0, 0, 0, 2, 1, 0, 0, 0, 6, 8, 0, 0, 0),
    "top_up": (0, 0, 0, 0, 0, 0, 4, 6, 3, 1, 0, 0, 0, 0),
    "grad_school": (0, 0, 0, 0, 4, 5, 2, 1, 0, 0, 0, 0, 0, 0),
    "abroad": (0, 0, 1, 1, 2, 3, 3, 3, 3, 2, 0, 0, 0, 0),
    "programme": (0, 0, 0, 0, 0, 0, 1, 3, 5, 3, 1, 0, 0, 0),
    "unplaced": (1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 4, 1),
}  # fmt: skip
_KIND: dict[str, str] = {"46": "army", "50": "programme", "51": "programme", "85": "abroad"}


class _Picker:
    """Weighted choice with precomputed cumulative weights (fast, deterministic)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        pairs = [(item, w) for item, w in pairs if w > 0]
        self.items = [item for item, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def _allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    if not weights:
        return []
    base = [minimum] * len(weights) if total >= minimum * len(weights) else [0] * len(weights)
    rest = total - sum(base)
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    parts = [b + math.floor(x) for b, x in zip(base, exact, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - math.floor(exact[i])), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _pick_departments(departments: int, majors: int) -> list[tuple[_Department, list[_Major]]]:
    chosen = list(_DEPARTMENTS[: max(1, min(departments, len(_DEPARTMENTS)))])
    picked: list[list[_Major]] = [[] for _ in chosen]
    budget = max(majors, len(chosen))
    for depth in range(max(len(d.majors) for d in chosen)):
        for i, dept in enumerate(chosen):
            if budget and depth < len(dept.majors):
                picked[i].append(dept.majors[depth])
                budget -= 1
    return list(zip(chosen, picked, strict=True))


class _Names:
    """Chinese personal names; full-name duplicates happen as in real rosters."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def han(self, female: bool) -> str:
        rng = self.rng
        surname = _SURNAMES[bisect.bisect_right(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]
        pool = _GIVEN_F if female else _GIVEN_M
        if rng.random() < 0.22:
            return surname + rng.choice(pool)
        return surname + rng.choice(pool) + rng.choice(pool)

    def of(self, ethnicity: str, female: bool) -> str:
        rng = self.rng
        if ethnicity in ("维吾尔族", "哈萨克族"):
            given = rng.choice(_UYGHUR_GIVEN_F if female else _UYGHUR_GIVEN_M)
            return f"{given}·{rng.choice(_UYGHUR_FATHER)}"
        if ethnicity == "藏族":
            return rng.choice(_TIBETAN) + rng.choice(_TIBETAN)
        return self.han(female)


def _cities_by_province() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for city, province in CITY_PROVINCE.items():
        out.setdefault(province, []).append(city)
    # prefectures whose short name reads badly after a province ("青海海南州", "内蒙古兴安盟") are left out
    result = {p: tuple(c for c in cs if c != "海南州" and not c.endswith("盟")) for p, cs in out.items()}
    for municipality in MUNICIPALITIES:
        result[municipality] = (municipality,)
    return result


@dataclass
class _Place:
    province: str
    city: str | None


class _Generator:
    def __init__(self, rng: random.Random, cohort: int, home: str) -> None:
        self.rng = rng
        self.cohort = cohort
        self.home = home
        self.cities = _cities_by_province()
        home_cities = self.cities.get(home, (home,))
        school_city = _SCHOOL_CITY.get(home, home_cities[0])
        self.home_city = _Picker((c, 12.0 if c == school_city else 1.0) for c in home_cities)
        self.elsewhere = _Picker(p for p in _WORK_ELSEWHERE if p[0] != home)
        self.employers = {
            family: _Picker((t, t[3]) for t in templates) for family, templates in _EMPLOYERS.items()
        }
        self.words = {key: _Picker(pairs) for key, pairs in _WORDS.items()}
        start = dt.date(cohort - 1, 11, 1)
        self.start = start
        self.end = dt.date(cohort, 12, 15)
        self.month_pickers: dict[str, _Picker] = {}
        for kind, weights in _MONTH_WEIGHTS.items():
            self.month_pickers[kind] = _Picker(zip(_MONTHS, weights, strict=True))

    # -- places ---------------------------------------------------------------------------

    def city_in(self, province: str) -> str | None:
        if province == self.home:
            return self.home_city(self.rng)
        cities = self.cities.get(province)
        return self.rng.choice(cities) if cities else None

    def work_place(self, origin: str | None) -> _Place:
        rng = self.rng
        roll = rng.random()
        if roll < 0.7:
            province = self.home
        elif origin and origin != self.home and roll < 0.85:
            province = origin
        else:
            province = self.elsewhere(rng)
        return _Place(province, self.city_in(province))

    # -- dates ----------------------------------------------------------------------------

    def date_of(self, kind: str) -> dt.date:
        rng = self.rng
        year_offset, month = self.month_pickers[kind](rng)
        year = self.cohort + year_offset
        first = dt.date(year, month, 1)
        last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
        if first.year == self.end.year and month == self.end.month:
            last_day = self.end.day
        return first + dt.timedelta(days=rng.randrange(last_day))

    def before(self, final: dt.date, count: int) -> list[dt.date]:
        """``count`` distinct dates strictly before ``final`` (at least 3 days), ascending."""
        span = (final - self.start).days - 3
        if span < count * 3:
            return []
        offsets = sorted(self.rng.sample(range(span), count))
        return [self.start + dt.timedelta(days=o) for o in offsets]

    # -- events ---------------------------------------------------------------------------

    def employer(self, family: str, place: _Place) -> tuple[str, int, str]:
        pattern, nature, industry, _ = self.employers[family](self.rng)
        city = place.city or place.province
        name = pattern.format(
            city=city, province=place.province, brand=self.rng.choice(_BRANDS), town=self.rng.choice(_TOWNS)
        )
        return name.replace(f"{city}市{city}市", f"{city}市"), nature, industry

    def make(self, graduate: GenGraduate, key: str, family: str, when: dt.date) -> GenEvent:
        rng = self.rng
        code_text, _, substate = key.partition("/")
        code = int(code_text)
        word = self.words[key](rng) if key in self.words else key
        employer = school = province = city = industry = note = None
        nature: int | None = None
        related: bool | None = None
        if code in (10, 11, 12, 27, 46, 50, 51, 75, 76):
            place = self.work_place(graduate.origin)
            province, city = place.province, place.city
            related = None if rng.random() < 0.1 else rng.random() < (0.55 if code in (12, 75, 76) else 0.8)
            if code in (10, 11, 12):
                employer, nature, industry = self.employer(family, place)
            elif code == 27:
                employer, province, city = rng.choice(_GRADUATE_SCHOOLS)
                nature, industry = 21, "M"
            elif code == 46:
                employer, nature, industry, related = "中国人民解放军", 40, "S", None
                province, city = graduate.origin or self.home, None
                city = self.city_in(province)
            elif code == 50:
                word = rng.choice(("三支一扶", "西部计划", "特岗", "基层项目"))
                if word == "西部计划":
                    province = rng.choice(_WEST)
                    city = self.city_in(province)
                c = city or province
                if word == "特岗":
                    employer, nature, industry = f"{c}市{rng.choice(_TOWNS)}镇中心小学", 22, "P"
                elif family == "health":
                    employer, nature, industry = f"{c}市{rng.choice(_TOWNS)}镇卫生院", 23, "Q"
                else:
                    employer, nature, industry = f"{c}市{rng.choice(_TOWNS)}镇人民政府", 10, "S"
            elif code == 51:
                word = rng.choice(("选调生", "地方基层", "乡村医生" if family == "health" else "选调生"))
                c = city or province
                if word == "乡村医生":
                    employer, nature, industry = (
                        f"{c}市{rng.choice(_TOWNS)}镇{rng.choice(_TOWNS)}村卫生室",
                        55,
                        "Q",
                    )
                else:
                    employer, nature, industry = f"{c}市{rng.choice(_TOWNS)}镇人民政府", 10, "S"
            elif code == 75:
                pattern, industry = _BUSINESS[family]
                employer = pattern.format(city=city or province, brand=rng.choice(_BRANDS))
                nature = 39
            # 76 freelance: no employer, place only
        elif code == 80:
            if graduate.degree == "专科":
                school, province, city = rng.choice(_TOP_UP)
                word = "专升本" if rng.random() < 0.6 else "升学"
            else:
                school, province, city = rng.choice(_GRADUATE_SCHOOLS)
                word = (
                    rng.choice(("读博", "升学"))
                    if graduate.degree == "硕士"
                    else rng.choice(("考上研究生", "读研", "升学"))
                )
        elif code == 85:
            school = rng.choice(_ABROAD)
        else:
            note = rng.choice(_NOTES.get(key, (None,)))
        return GenEvent(
            student_id=graduate.student_id,
            name=graduate.name,
            word=word,
            code=code,
            substate=substate or None,
            employer=employer,
            school=school,
            province=province,
            city=None if city == province else city,
            unit_nature=nature,
            industry=industry,
            related=related,
            effective_date=when,
            counsellor=graduate.counsellor or "",
            note=note,
        )

    def history(self, graduate: GenGraduate, final: str, family: str) -> list[GenEvent]:
        """0–3 events ending in ``final`` (a destination key or 未上报)."""
        if final == "未上报":
            return []
        rng = self.rng
        code = final.partition("/")[0]
        if code == "80":
            kind = "top_up" if graduate.degree == "专科" else "grad_school"
        elif code in _KIND:
            kind = _KIND[code]
        elif code in ("70", "71", "72"):
            kind = "unplaced"
        else:
            kind = "job"
        final_date = self.date_of(kind)
        preludes: list[str] = []
        roll = rng.random()
        if code in ("10", "11", "12", "75"):
            if roll < 0.15:
                preludes = ["70/求职中", "70/面试中"]
            elif roll < 0.3:
                preludes = ["70/求职中"]
            elif roll < 0.38:
                preludes = ["70/面试中"] if code != "75" else ["70/拟创业"]
            elif roll < 0.45 and code in ("10", "11"):
                preludes = ["70/签约中"]
            elif roll < 0.5 and code == "12":
                preludes = ["70/参加就业见习"]
        elif code == "46" and roll < 0.5:
            preludes = ["70/拟应征入伍"]
        elif code == "80" and roll < 0.4:
            preludes = ["71"]
        elif code in ("50", "51") and roll < 0.5:
            preludes = ["70/拟参加公招考试"]
        elif final == "70/面试中" and roll < 0.5:
            preludes = ["70/求职中"]
        elif final == "70/签约中" and roll < 0.5:
            preludes = ["70/面试中"]
        elif final == "71" and roll < 0.2:
            preludes = ["70/求职中"]
        dates = self.before(final_date, len(preludes)) if preludes else []
        events = [self.make(graduate, key, family, when) for key, when in zip(preludes, dates, strict=False)]
        events.append(self.make(graduate, final, family, final_date))
        return events


@dataclass
class _Class:
    dept_no: int
    dept: _Department
    major: _Major
    degree: str
    label: str
    size: int
    dept_class_no: int
    major_no: int
    major_class_no: int
    prefix: str = ""
    counsellor: str = ""


def generate_cohort(
    n: int = 5000,
    *,
    seed: int = 1,
    cohort: int = 2023,
    departments: int = 8,
    majors: int = 36,
    degrees: tuple[str, ...] = ("专科",),
    graduates_per_counsellor: int = 200,
    today: dt.date | None = None,
    home_province: str = "山东",
) -> GenCohort:
    """Generate ``n`` graduates of one cohort with a season of destination updates.

    Events dated after ``today`` (default: cohort-12-20, after the season) are left out, so the
    history is what counsellors would have reported by then.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    bad = [d for d in degrees if d not in _DEGREE_SHARE]
    if bad or not degrees:
        raise ValueError(f"degrees must be among 专科/本科/硕士/博士, got {degrees!r}")
    rng = random.Random(seed)
    today = today or dt.date(cohort, 12, 20)
    gen = _Generator(rng, cohort, home_province)
    names = _Names(rng)
    plan = _pick_departments(departments, majors)
    yy = f"{cohort % 100:02d}"
    mixed = len(degrees) > 1

    # graduates per (department, major, degree), then classes of about 45
    units: list[tuple[int, _Department, _Major, str, float]] = []
    for dept_no, (dept, dept_majors) in enumerate(plan, start=1):
        for major in dept_majors:
            for degree in degrees:
                units.append((dept_no, dept, major, degree, major.weight * _DEGREE_SHARE[degree]))
    counts = _allocate(n, [u[4] for u in units], minimum=1)

    classes: list[_Class] = []
    per_dept: dict[int, int] = {}
    per_major: dict[str, int] = {}
    major_no: dict[str, int] = {}
    for (dept_no, dept, major, degree, _), count in zip(units, counts, strict=True):
        if count == 0:
            continue
        size = 45 if degree in ("专科", "本科") else 30
        major_no.setdefault(major.zh, len(major_no) + 1)
        for class_no, class_size in enumerate(_allocate(count, [1.0] * math.ceil(count / size)), start=1):
            if degree in ("硕士", "博士"):
                label = f"{major.zh_bachelor}{degree}{yy}{class_no:02d}班"
            else:
                tag = "专" if mixed and degree == "专科" else ""
                label = f"{major.short}{tag}{yy}{class_no:02d}班"
            per_dept[dept_no] = per_dept.get(dept_no, 0) + 1
            per_major[major.zh] = per_major.get(major.zh, 0) + 1
            classes.append(
                _Class(
                    dept_no,
                    dept,
                    major,
                    degree,
                    label,
                    class_size,
                    per_dept[dept_no],
                    major_no[major.zh],
                    per_major[major.zh],
                )
            )
    # 学号 = cohort year + department + class in department + sequence (10 digits). A department with
    # more than 99 classes switches to major code + class in major; only beyond that do IDs widen.
    by_department = max(per_dept.values(), default=1) <= 99
    width = 2 if by_department else max(2, len(str(max(per_major.values()))))
    for unit in classes:
        if by_department:
            unit.prefix = f"{cohort}{unit.dept_no:02d}{unit.dept_class_no:02d}"
        else:
            unit.prefix = f"{cohort}{unit.major_no:02d}{unit.major_class_no:0{width}d}"

    # counsellors: whole classes, within one department, about graduates_per_counsellor each
    used_names: set[str] = set()

    def new_counsellor() -> str:
        while True:
            name = names.han(rng.random() < 0.6)
            if len(name) >= 3 and name not in used_names:
                used_names.add(name)
                return name

    counsellors: list[str] = []
    load = 0
    current_dept = -1
    for unit in classes:
        if unit.dept_no != current_dept or (load and load + unit.size > graduates_per_counsellor * 1.15):
            counsellors.append(new_counsellor())
            load, current_dept = 0, unit.dept_no
        unit.counsellor = counsellors[-1]
        load += unit.size

    origin_picker = _Picker([(home_province, 82.0 * sum(w for _, w in _OTHER_ORIGINS) / 18.0), *(
        p for p in _OTHER_ORIGINS if p[0] != home_province
    )])  # fmt: skip
    group_picker = _Picker(
        (("困难家庭", 55), ("脱贫家庭", 20), ("就业困难", 15), ("残疾", 5), ("省级优秀毕业生", 5))
    )
    unplaced_picker = _Picker(_UNPLACED)
    placed_pickers = {d: _Picker(pairs) for d, pairs in _PLACED.items()}

    graduates: list[GenGraduate] = []
    events: list[GenEvent] = []
    for unit in classes:
        dept, major, degree = unit.dept, unit.major, unit.degree
        major_name = major.zh if degree == "专科" else major.zh_bachelor
        category = dept.category if degree == "专科" else dept.discipline
        rate = dept.rate if degree == "专科" else min(0.98, _DEGREE_RATE[degree] + (dept.rate - 0.85) / 2)
        for seq in range(1, unit.size + 1):
            female = rng.random() < major.female
            origin = origin_picker(rng)
            share, minorities = _MINORITIES.get(origin, _DEFAULT_MINORITY)
            ethnicity = rng.choice(minorities) if rng.random() < share else "汉族"
            groups: list[str] = []
            if ethnicity != "汉族" and rng.random() < 0.7:
                groups.append("少数民族")
            if rng.random() < 0.12:
                groups.append(group_picker(rng))
                if rng.random() < 0.25:
                    second = group_picker(rng)
                    if second not in groups:
                        groups.append(second)
            graduate = GenGraduate(
                student_id=f"{unit.prefix}{seq:02d}",
                name=names.of(ethnicity, female),
                department=dept.zh,
                major=major_name,
                category=category,
                class_name=unit.label,
                degree=degree,
                gender="女" if female else "男",
                origin=origin,
                ethnicity=ethnicity,
                groups=tuple(groups),
                counsellor=unit.counsellor,
                cohort=cohort,
                major_en=major.en,
                department_en=dept.en,
            )
            graduates.append(graduate)
            final = placed_pickers[degree](rng) if rng.random() < rate else unplaced_picker(rng)
            events.extend(gen.history(graduate, final, dept.family))

    events = [e for e in events if e.effective_date <= today]
    events.sort(key=lambda e: e.effective_date)  # stable: a graduate's events keep their order
    department_names = [dept.zh for dept, _ in plan]
    major_names = list(dict.fromkeys(g.major for g in graduates))
    return GenCohort(
        cohort=cohort,
        graduates=graduates,
        events=events,
        counsellors=counsellors,
        departments=department_names,
        majors=major_names,
        home_province=home_province,
        today=today,
        department_en={dept.zh: dept.en for dept, _ in plan},
    )
