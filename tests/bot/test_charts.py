"""`/chart` rendering (bot/charts.py): every kind for a cohort-like, an empty and a one-unit input.

Each render must give a PNG of sensible size, set every text in the CJK font of the project's pinned
font package (or, without it, the system's Noto Sans CJK SC), in the asker's language, and emit no
missing-glyph warning (neither as a Python warning nor as a matplotlib log record). Run this module directly to refresh the README images in docs/img/.
"""

from __future__ import annotations

import logging
import random
import re
import struct
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot import charts
from bot.charts import Bar

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BAD_WORDS = ("glyph", "missing from font", "findfont", "not found")
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DEBIAN_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk

DEPARTMENTS = [
    "护理学院", "医学技术学院", "建筑工程系", "信息工程学院", "机电工程系", "经济管理学院", "艺术设计学院",
    "马克思主义学院（思政部）与继续教育学院",
]  # fmt: skip
MAJOR_STEMS = [
    "护理", "助产", "计算机应用技术", "大数据技术与应用", "工程造价", "建筑设计", "电子商务", "会计信息管理",
    "数字媒体艺术设计", "机电一体化技术",
]  # fmt: skip
MAJOR_KINDS = ["", "（中外合作办学）", "（订单班）", "（3+2贯通培养）", "（五年一贯制）"]
EMPLOYED_KINDS = [
    ("签劳动合同形式就业", 2029), ("其他录用形式就业", 1024), ("自主创业", 833), ("签就业协议形式就业", 300),
    ("应征义务兵", 191), ("自由职业", 134), ("国家基层项目", 2),
]  # fmt: skip
UNPLACED_KINDS = [
    ("求职中", 402),
    ("面试中", 118),
    ("签约中/待签约", 57),
    ("拟参加公招考试", 141),
    ("未上报", 171),
]
PROVINCES = [
    "山东", "北京", "江苏", "上海", "浙江", "广东", "天津", "河北", "河南", "安徽", "湖北", "四川", "陕西", "辽宁",
    "新疆", "西藏", "青海", "黑龙江", "重庆", "云南",
]  # fmt: skip
REGIONS = ["东部", "中部", "西部", "东北"]
AREAS = ["京津冀", "长三角", "粤港澳大湾区", "长江经济带", "“一带一路”"]
NATURES = [
    "机关", "科研设计单位", "高等教育单位", "中初教育单位", "医疗卫生单位", "其他事业单位", "国有企业", "三资企业",
    "其他企业", "部队", "农村建制村", "城镇社区", "其他",
]  # fmt: skip
INDUSTRIES = [
    "农、林、牧、渔业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业", "批发和零售业", "交通运输、仓储和邮政业",
    "住宿和餐饮业", "信息传输、软件和信息技术服务业", "金融业", "房地产业", "租赁和商务服务业",
    "科学研究和技术服务业", "水利、环境和公共设施管理业", "居民服务、修理和其他服务业", "教育", "卫生和社会工作",
    "文化、体育和娱乐业", "公共管理、社会保障和社会组织",
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def department_bars(seed: int = 2023) -> list[Bar]:
    rng = random.Random(seed)
    bars = []
    for name in DEPARTMENTS:
        total = 1498 if name == "护理学院" else rng.randint(180, 1100)
        bars.append(Bar(name, round(total * rng.uniform(0.71, 0.96)), total))
    return bars


def major_bars(n: int = 50, seed: int = 50) -> list[Bar]:
    rng = random.Random(seed)
    names = [stem + kind for kind in MAJOR_KINDS for stem in MAJOR_STEMS][:n]
    bars = []
    for name in names:
        total = rng.randint(1, 320)
        bars.append(Bar(name, round(total * rng.uniform(0.45, 1.0)), total))
    return bars


def season(start: date, weeks: int, final: float, seed: int) -> list[tuple[date, float]]:
    """A weekly S-curve of the placement rate, in hundredths (as a digest would compute)."""
    rng = random.Random(seed)
    points, value = [], 0.0
    for i in range(weeks):
        target = final * (1 - (1 - i / (weeks - 1)) ** 1.6)
        value = max(value, min(final, target + rng.uniform(-1.5, 1.5)))
        points.append((start + timedelta(weeks=i), round(value, 2)))
    return points


def trend_series() -> list[tuple[str, list[tuple[date, float]]]]:
    # The previous cohort is given already shifted onto this cohort's calendar.
    return [
        ("2023届", season(date(2022, 11, 7), 40, 88.4, 1)),
        ("2022届", season(date(2022, 11, 7), 60, 92.1, 2)),
    ]


CHECKPOINTS = [(date(2023, 6, 15), 80.0), (date(2023, 8, 15), 90.0), (date(2023, 12, 15), 94.0)]


def mix_parts() -> list[tuple[str, int]]:
    return [*EMPLOYED_KINDS, ("升学", 382), ("出国、出境深造", 25), *UNPLACED_KINDS]


MIX_BUCKETS = {
    **{label: "employed" for label, _ in EMPLOYED_KINDS}, "升学": "study", "出国、出境深造": "study",
    **{label: "unplaced" for label, _ in UNPLACED_KINDS},
}  # fmt: skip


def flow_inputs() -> tuple[list, list, list, tuple[str, int, int]]:
    rng = random.Random(7)
    provinces = [("山东", 2800)] + [(p, rng.randint(1, 300)) for p in PROVINCES[1:]]
    total = sum(n for _, n in provinces)
    east = sum(
        n for p, n in provinces if p in {"山东", "北京", "江苏", "上海", "浙江", "广东", "天津", "河北"}
    )
    north_east = sum(n for p, n in provinces if p in {"辽宁", "黑龙江"})
    middle = sum(n for p, n in provinces if p in {"河南", "安徽", "湖北"})
    regions = list(zip(REGIONS, [east, middle, total - east - middle - north_east, north_east], strict=True))
    areas = [(a, rng.randint(50, 900)) for a in AREAS]
    return provinces, regions, areas, ("山东", 2800, total)


def sector_inputs() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    rng = random.Random(11)
    return [(n, rng.randint(0, 900)) for n in NATURES], [(i, rng.randint(0, 700)) for i in INDUSTRIES]


@dataclass
class Case:
    kind: str
    name: str
    render: Callable[[], bytes]
    min_height: int = 250
    max_height: int = 4200
    extra: dict = field(default_factory=dict)


def cases() -> list[Case]:
    provinces, regions, areas, home = flow_inputs()
    natures, industries = sector_inputs()
    title = "2023届 毕业去向落实率（截至 8-31）"
    return [
        Case("rates", "departments", lambda: charts.render_rates(
            title, department_bars(), target_percent=90, target_label="8-15 目标90%")),
        Case("rates", "50 majors", lambda: charts.render_rates(
            "护理学院 各专业", major_bars(), target_percent=80, target_label="6-15 目标80%"), min_height=1800),
        Case("rates", "empty", lambda: charts.render_rates(title, [], target_percent=80, target_label="6-15 目标80%")),
        Case("rates", "one unit", lambda: charts.render_rates(
            "护理2301班", [Bar("护理2301班", 40, 45)], target_percent=None, target_label=None)),
        Case("rates", "unit without graduates", lambda: charts.render_rates(
            "护理系", [Bar("护理（订单班）", 0, 0), Bar("助产", 3, 4)], target_percent=94.5, target_label=None)),
        Case("trend", "two cohorts", lambda: charts.render_trend(
            "2023届 毕业去向落实率 周趋势", trend_series(), checkpoints=CHECKPOINTS)),
        Case("trend", "close checkpoints", lambda: charts.render_trend(
            "2023届 周趋势", trend_series()[:1],
            checkpoints=[(date(2023, 8, 31), 85.0), (date(2023, 9, 1), 86.0), (date(2023, 12, 1), 93.0),
                         (date(2023, 12, 15), 94.5)])),
        Case("trend", "empty", lambda: charts.render_trend("2023届 周趋势", [("2023届", [])], checkpoints=CHECKPOINTS)),
        Case("trend", "one point", lambda: charts.render_trend(
            "护理2301班 周趋势", [("2023届", [(date(2023, 6, 12), 71.11)])], checkpoints=[])),
        Case("mix", "school", lambda: charts.render_mix("2023届 毕业去向", mix_parts(), buckets=MIX_BUCKETS)),
        Case("mix", "empty", lambda: charts.render_mix("2023届 毕业去向", [("升学", 0), ("求职中", 0)])),
        Case("mix", "one unit", lambda: charts.render_mix("护理2301班 毕业去向", [("签劳动合同形式就业", 1)])),
        Case("flow", "school", lambda: charts.render_flow("2023届 就业地区", provinces, regions, areas, home)),
        Case("flow", "empty", lambda: charts.render_flow("2023届 就业地区", [], [], [], None)),
        Case("flow", "one unit", lambda: charts.render_flow(
            "护理2301班 就业地区", [("山东", 1)], [("东部", 1)], [], ("山东", 1, 1))),
        Case("sector", "school", lambda: charts.render_sector("2023届 单位性质与行业", natures, industries)),
        Case("sector", "empty", lambda: charts.render_sector("2023届 单位性质与行业", [], [("教育", 0)])),
        Case("sector", "one unit", lambda: charts.render_sector(
            "护理2301班 单位性质与行业", [("医疗卫生单位", 1)], [("卫生和社会工作", 1)])),
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def no_font_complaints() -> Iterator[None]:
    """Fail on any warning, and on any matplotlib log record at WARNING or above (font fallbacks are logged)."""
    handler = _Collect()
    loggers = [logging.getLogger(n) for n in ("matplotlib", "matplotlib.font_manager", "matplotlib.text")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    messages = [str(w.message) for w in caught]
    messages += [r.getMessage() for r in handler.records if r.levelno >= logging.WARNING]
    glyph = [m for m in messages if any(word in m.lower() for word in BAD_WORDS)]
    assert not glyph, glyph
    assert not messages, messages
    # font_manager logs fallbacks at INFO/WARNING; keep an explicit check on every level too.
    fallbacks = [r.getMessage() for r in handler.records if "findfont: font family" in r.getMessage().lower()]
    assert not fallbacks, fallbacks


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}-{c.name}" for c in CASES])
def test_renders_png_without_missing_glyphs(case: Case) -> None:
    with no_font_complaints():
        data = case.render()
    width, height = png_size(data)
    assert 800 <= width <= 1700, (width, height)
    assert case.min_height <= height <= case.max_height, (width, height)


def test_fifty_units_grow_the_figure() -> None:
    _, h8 = png_size(charts.render_rates("院系", department_bars(), target_percent=90, target_label=None))
    _, h50 = png_size(charts.render_rates("专业", major_bars(), target_percent=90, target_label=None))
    assert h50 > 3 * h8 > 0


def test_rates_order_does_not_depend_on_input_order() -> None:
    bars = department_bars()
    first = charts.render_rates("院系", bars, target_percent=90, target_label="8-15 目标90%")
    assert charts.render_rates("院系", bars[::-1], target_percent=90, target_label="8-15 目标90%") == first


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures the charts render, kept after they are saved, to look at their text artists."""
    drawn: list[Figure] = []
    original = charts._png

    def keep(fig: Figure, style: charts.ChartStyle | None) -> bytes:
        drawn.append(fig)
        return original(fig, style)

    monkeypatch.setattr(charts, "_png", keep)
    return drawn


def texts_of(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def resolved(text: Text) -> tuple[Path, int]:
    found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
    return Path(found).resolve(), getattr(found, "face_index", 0)


def test_cjk_font_comes_from_the_pinned_package_through_its_api() -> None:
    import pylopdf_fonts_zh_cn

    font = charts.default_style().font
    assert font.family == "Noto Sans SC" and font.face_index == 0
    assert font.path.resolve() == Path(pylopdf_fonts_zh_cn.sans_path()).resolve() and font.path.is_file()
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.search(r'"pylopdf-fonts-zh-cn==([0-9.]+)"', pyproject)
    assert pinned is not None and font.source == f"pylopdf-fonts-zh-cn {pinned.group(1)}"


def test_every_text_of_every_chart_is_set_in_the_packaged_font(figures: list[Figure]) -> None:
    rc_before = dict(matplotlib.rcParams)
    with no_font_complaints():
        for case in CASES:
            case.render()
    assert len(figures) == len(CASES)
    font = charts.default_style().font
    for fig in figures:
        for text in texts_of(fig):
            assert resolved(text) == (font.path.resolve(), 0), text.get_text()
            assert text.get_parse_math() is False  # "$" in a unit name is not mathtext
    assert dict(matplotlib.rcParams) == rc_before  # no global style
    # Every character the charts print is in the font, so nothing falls back (and no box is drawn).
    cmap = FT2Font(str(font.path)).get_charmap()
    assert all(
        ord(ch) in cmap for ch in "毕业去向落实率暂无数据目标护理学院其他省内就业（）：，%0123456789-/届−…·"
    )


ENGLISH_PROVINCES = [("Shandong", 30), ("Beijing", 5)]


def english_renders() -> dict[str, Callable[[], bytes]]:
    return {
        "rates": lambda: charts.render_rates(
            "Class of 2023 by school", [Bar("Nursing", 41, 45), Bar("IT", 10, 20)], target_percent=90,
            target_label=None, lang="en"),
        "trend": lambda: charts.render_trend(
            "Class of 2023 weekly", [("2023", season(date(2022, 11, 7), 20, 80.0, 1))],
            checkpoints=CHECKPOINTS[:1], lang="en"),
        "mix": lambda: charts.render_mix(
            "Destinations", [("Contract", 30), ("升学", 4), ("求职中", 6)],
            buckets={"Contract": "employed", "升学": "study", "求职中": "unplaced"}, lang="en"),
        "flow": lambda: charts.render_flow(
            "Where they work", ENGLISH_PROVINCES, [("East", 35)], [("Yangtze Delta", 5)], ("Shandong", 30, 35),
            lang="en"),
        "sector": lambda: charts.render_sector(
            "Employers", [("State-owned", 20)], [("Education", 15)], lang="en"),
        "empty": lambda: charts.render_rates("Nothing yet", [], target_percent=None, target_label=None, lang="en"),
    }  # fmt: skip


ENGLISH_LABELS = {
    "rates": {"Placement rate", "Target 90%", "At or above target", "Below target"},
    "trend": {"Placement rate", "Checkpoint targets", "6-15 target 80%"},
    "mix": {"Graduates", "Employed", "Further study", "Not placed", "Destinations (total 40)", "30 (75.00%)"},
    "flow": {"Province of employment", "Economic region", "National strategic areas (may overlap)"},
    "sector": {"Employer type", "Industry", "Employers"},
    "empty": {"No data"},
}


@pytest.mark.parametrize("kind", list(english_renders()))
def test_chart_in_english_has_english_labels(kind: str, figures: list[Figure]) -> None:
    with no_font_complaints():
        english_renders()[kind]()
    [fig] = figures
    shown = [t.get_text() for t in texts_of(fig)]
    assert ENGLISH_LABELS[kind] <= set(shown), shown
    if kind == "flow":
        assert "Where they work (35 employed)\nEmployed in home province (Shandong): 30/35, 85.71%" in shown
    han = [t for t in shown if re.search(r"[\u4e00-\u9fff（）：，]", t) and t not in ("升学", "求职中")]
    assert han == []  # nothing of the chart's own is left in Chinese; data labels stay as given


def test_chart_in_chinese_keeps_chinese_labels(figures: list[Figure]) -> None:
    charts.render_rates("院系", department_bars(), target_percent=90, target_label=None)
    shown = {t.get_text() for t in texts_of(figures[0])}
    assert {"毕业去向落实率", "目标90%", "达到目标", "低于目标"} <= shown


def test_unknown_chart_language_is_refused() -> None:
    with pytest.raises(ValueError, match="zh"):
        charts.render_mix("x", [("升学", 1)], lang="fr")


def test_without_the_font_package_the_system_noto_sans_cjk_sc_is_used(
    monkeypatch: pytest.MonkeyPatch, figures: list[Figure]
) -> None:
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)  # "import pylopdf_fonts_zh_cn" fails
    if charts._system_font() is None:
        assert not DEBIAN_CJK.exists(), "fonts-noto-cjk is installed but Noto Sans CJK SC was not found"
        with pytest.raises(charts.ChartFontMissing, match="fonts-noto-cjk"):
            charts.find_cjk_font()
        pytest.skip("no system Noto Sans CJK SC here (Debian/Ubuntu: apt install fonts-noto-cjk)")
    font = charts.find_cjk_font()
    assert font.family == "Noto Sans CJK SC" and font.source.startswith("system")
    assert FT2Font(str(font.path), face_index=font.face_index).family_name == "Noto Sans CJK SC"
    with no_font_complaints():
        data = charts.render_rates(
            "2023届 各院系（系统字体）", department_bars(), target_percent=90, target_label=None,
            style=charts.ChartStyle(font),
        )  # fmt: skip
    assert png_size(data)[0] >= 800
    for text in texts_of(figures[0]):
        assert resolved(text) == (font.path.resolve(), font.face_index), text.get_text()


def test_a_font_package_without_its_file_falls_back_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import pylopdf_fonts_zh_cn

    monkeypatch.setattr(pylopdf_fonts_zh_cn, "sans_path", lambda: tmp_path / "gone.otf")
    assert charts._packaged_font() is None
    system = charts._system_font()
    if system is None:
        pytest.skip("no system Noto Sans CJK SC here (Debian/Ubuntu: apt install fonts-noto-cjk)")
    assert charts.find_cjk_font() == system


def test_no_font_at_all_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)
    monkeypatch.setattr(charts, "_system_font", lambda: None)
    with pytest.raises(charts.ChartFontMissing, match=r"pylopdf-fonts-zh-cn.*fonts-noto-cjk"):
        charts.find_cjk_font()


def test_a_family_the_system_lacks_is_not_found() -> None:
    assert charts._system_font("No Such Family Placement") is None


def test_wrap_label() -> None:
    assert charts.wrap_label("护理") == "护理"
    assert charts.wrap_label("会计信息管理（订单班）") == "会计信息管理\n（订单班）"
    assert (
        charts.wrap_label("马克思主义学院（思政部）与继续教育学院")
        == "马克思主义学院（思政\n部）与继续教育学院"
    )
    wrapped = charts.wrap_label("电力、热力、燃气及水生产和供应业电力、热力、燃气及水生产和供应业", 20)
    assert wrapped.count("\n") == 1 and wrapped.endswith("…")
    assert not any(
        line.startswith(("）", "、"))
        for line in charts.wrap_label("机电一体化技术（订单班））、").split("\n")
    )


def test_concurrent_rendering_in_four_threads() -> None:
    jobs = [c.render for c in CASES if c.name in {"departments", "two cohorts", "school"}]
    expected = [job() for job in jobs]
    with no_font_complaints(), ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(job) for _ in range(4) for job in jobs]
        results = [f.result(timeout=60) for f in futures]
    assert results == expected * 4


def write_docs_images(directory: Path = DOCS_IMG) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    rates = charts.render_rates(
        "2023届 各院系毕业去向落实率（截至 8-31）",
        department_bars(),
        target_percent=90,
        target_label="8-15 目标90%",
    )
    trend = charts.render_trend("2023届 毕业去向落实率 周趋势", trend_series(), checkpoints=CHECKPOINTS)
    (directory / "chart-rates.png").write_bytes(rates)
    (directory / "chart-trend.png").write_bytes(trend)


if __name__ == "__main__":  # .venv/bin/python -m tests.bot.test_charts  → docs/img/chart-*.png
    write_docs_images(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_IMG)


# ---------------------------------------------------------------- issue 20 item 14


def legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if (legend := ax.get_legend()) for t in legend.get_texts()]


def test_rates_legend_shows_only_what_is_drawn(figures: list[Figure]) -> None:
    below = [Bar("护理", 70, 100), Bar("助产", 60, 100)]
    charts.render_rates("未达", below, target_percent=90, target_label=None)
    charts.render_rates("全达", [Bar("护理", 95, 100)], target_percent=90, target_label=None)
    charts.render_rates("混合", [Bar("护理", 95, 100), Bar("助产", 60, 100)], target_percent=90, target_label=None)
    assert [legend_texts(fig) for fig in figures] == [
        ["目标90%", "低于目标"],
        ["目标90%", "达到目标"],
        ["目标90%", "达到目标", "低于目标"],
    ]


def test_rates_target_line_crosses_no_value_label(figures: list[Figure]) -> None:
    # rates just under the target, whose labels (rate + "  n/total") would run across the line at 90 %
    bars = [Bar(f"专业{i}", placed, 200) for i, placed in enumerate((150, 160, 170, 176, 179, 180, 190, 199))]
    png = charts.render_rates("护理学院", bars, target_percent=90, target_label=None)
    assert png.startswith(b"\x89PNG")
    [fig] = figures
    [ax] = fig.axes
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    [line] = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    line_x = ax.transData.transform((line.get_xdata()[0], 0))[0]
    labels = [t for t in ax.texts if "/200" in t.get_text()]
    assert len(labels) == len(bars)
    crossed = [t.get_text() for t in labels if t.get_window_extent(renderer).x0 - 2 <= line_x <= t.get_window_extent(renderer).x1 + 2]
    assert crossed == []
    xmax = ax.transData.transform((ax.get_xlim()[1], 0))[0]
    assert all(t.get_window_extent(renderer).x1 <= xmax for t in labels)  # and none runs off the axis


def test_trend_across_a_year_labels_each_tick_once_with_the_year(figures: list[Figure]) -> None:
    series = [("2026届", season(date(2025, 9, 1), 64, 88.0, 3))]  # 2025-09 … 2026-11
    charts.render_trend("全校", series, checkpoints=[(date(2026, 6, 15), 80.0)])
    [fig] = figures
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert len(labels) >= 4 and len(set(labels)) == len(labels), labels
    assert labels[0].startswith("2025-") and any(label.startswith("2026-") for label in labels), labels


def test_trend_within_a_year_has_no_year(figures: list[Figure]) -> None:
    charts.render_trend("全校", [("2023届", season(date(2023, 1, 2), 30, 80.0, 1))], checkpoints=[])
    [fig] = figures
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels and all(re.fullmatch(r"\d{1,2}-\d{1,2}", label) for label in labels), labels
    assert len(set(labels)) == len(labels)
