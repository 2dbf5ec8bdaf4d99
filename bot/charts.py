"""PNG charts for `/chart` (product.md §5): pure rendering, no Telegram and no database.

Every function takes plain values and returns PNG bytes. Figures are built with
`matplotlib.figure.Figure` on an Agg canvas (never pyplot, which keeps global state), so the
functions can run concurrently in worker threads.

Text is set in Noto Sans SC Regular (SIL OFL 1.1), found through the API of the pinned
`pylopdf-fonts-zh-cn` package (``sans_path()``); without it, in the system's Noto Sans CJK SC face
(Debian: fonts-noto-cjk), asked for by name from fontconfig or matplotlib's font manager. The font
and the text rules (no mathtext in user-supplied labels) travel with each figure as a
:class:`ChartStyle`; matplotlib's global rcParams and font registry are never changed. Titles, axis
labels and legends are in the asker's language (``lang``: zh or en); names of units, places and
destinations are data and stay as given.

Percentages printed on charts come from integer counts via `bot.metrics.format_percent`
(two decimals, half up).
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from bot.metrics import format_percent, hundredths_of_percent

__all__ = [
    "Bar",
    "ChartFont",
    "ChartFontMissing",
    "ChartStyle",
    "SurveyBar",
    "default_style",
    "find_cjk_font",
    "render_flow",
    "render_mix",
    "render_rates",
    "render_sector",
    "render_survey",
    "render_trend",
]

FONT_DISTRIBUTION = "pylopdf-fonts-zh-cn"  # pinned in pyproject.toml; its API: sans_path()
SYSTEM_FAMILY = "Noto Sans CJK SC"  # one face of the .ttc collection that holds JP, KR, SC, TC, HK

WIDTH_IN = 10.0  # 1200 px at DPI
DPI = 120  # on screen (Telegram); every render_* takes `dpi=PRINT_DPI` for the Word draft
PRINT_DPI = 200  # 2000 px across a 10-inch figure: ≥ 300 dpi at the 15-cm width of an A4 page
MAX_PROVINCES = 15

# Colours (colour-blind-safe-ish, print-friendly).
C_MAIN = "#2f6db5"
C_OK = "#3a9a5b"
C_LOW = "#e08a2c"
C_TARGET = "#c62828"
C_STUDY = "#7b5ea7"
C_UNPLACED = "#9e9e9e"
C_PREVIOUS = "#8d8d8d"
C_TEXT = "#222222"

LANGUAGES = ("zh", "en")
_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "no_data": "暂无数据", "rate": "毕业去向落实率", "target": "目标{value}", "met": "达到目标",
        "below": "低于目标", "checkpoints": "节点目标", "checkpoint": "{day} 目标{value}", "count": "人数",
        "employed": "就业", "study": "升学", "unplaced": "未落实", "mix_total": "{title}（合计 {total} 人）",
        "share": "{n}（{percent}）", "other": "其他", "provinces": "就业省份", "regions": "经济区域",
        "areas": "国家战略区域（可重叠）", "flow_total": "{title}（就业 {total} 人）",
        "home": "省内就业（{province}）：{n}/{total} 人，{percent}", "natures": "单位性质", "industries": "单位行业",
    },
    "en": {
        "no_data": "No data", "rate": "Placement rate", "target": "Target {value}", "met": "At or above target",
        "below": "Below target", "checkpoints": "Checkpoint targets", "checkpoint": "{day} target {value}",
        "count": "Graduates", "employed": "Employed", "study": "Further study", "unplaced": "Not placed",
        "mix_total": "{title} (total {total})", "share": "{n} ({percent})", "other": "Other",
        "provinces": "Province of employment", "regions": "Economic region",
        "areas": "National strategic areas (may overlap)", "flow_total": "{title} ({total} employed)",
        "home": "Employed in home province ({province}): {n}/{total}, {percent}", "natures": "Employer type",
        "industries": "Industry",
    },
}  # fmt: skip


def _labels(lang: str) -> dict[str, str]:
    """The chart labels in `lang`; an unknown language is a caller's bug, not a user's mistake."""
    try:
        return _LABELS[lang]
    except KeyError:
        raise ValueError(f"chart language must be one of {LANGUAGES}, not {lang!r}") from None


@dataclass(frozen=True)
class Bar:
    """One unit in a rates chart."""

    label: str  # e.g. "护理学院"
    placed: int
    total: int
    placed_text: str | None = None  # shown instead of `placed` (a group sees "<5" for 1–4)


# --------------------------------------------------------------------------------------------
# Font and shared setup
# --------------------------------------------------------------------------------------------


class ChartFontMissing(RuntimeError):
    """Neither the font package nor a system Noto Sans CJK SC is installed."""


@dataclass(frozen=True)
class ChartFont:
    """One face of a font file: a path and, for a collection (.ttc), the face's index."""

    path: Path
    face_index: int
    family: str  # the face's own family name, e.g. "Noto Sans SC"
    source: str  # where it was found, for logs and errors

    def properties(self, size: float) -> font_manager.FontProperties:
        # FontPath carries the face index; a plain file name means face 0.
        return font_manager.FontProperties(fname=font_manager.FontPath(str(self.path), self.face_index), size=size)


def _face(path: Path, index: int, source: str) -> ChartFont:
    return ChartFont(path, index, FT2Font(str(path), face_index=index).family_name, source)


def _packaged_font() -> ChartFont | None:
    """Noto Sans SC from the pinned font package, through its API (None when not installed)."""
    try:
        import pylopdf_fonts_zh_cn

        path = Path(pylopdf_fonts_zh_cn.sans_path())
        release = version(FONT_DISTRIBUTION)
    except (ImportError, PackageNotFoundError):
        return None
    return _face(path, 0, f"{FONT_DISTRIBUTION} {release}") if path.is_file() else None


def _system_font(family: str = SYSTEM_FAMILY) -> ChartFont | None:
    """The system's `family` face, Regular: fontconfig first, then matplotlib's own font scan."""
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            listed = subprocess.run(
                [fc_list, "--format", "%{file}\t%{index}\n", f":family={family}:style=Regular"],
                capture_output=True, text=True, timeout=20, check=False,
            ).stdout  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            listed = ""
        for line in sorted(listed.splitlines()):
            file, _, index = line.partition("\t")
            if file and Path(file).is_file():
                return _face(Path(file), int(index or 0), "system (fontconfig)")
    try:
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return None
    face = _face(Path(found), getattr(found, "face_index", 0), "system (matplotlib)")
    return face if face.family == family else None


def find_cjk_font() -> ChartFont:
    """The packaged Noto Sans SC, else the system's Noto Sans CJK SC; ChartFontMissing if neither."""
    font = _packaged_font() or _system_font()
    if font is None:
        raise ChartFontMissing(
            f"no CJK font for charts: install the package pylopdf-fonts-zh-cn (a dependency of "
            f"placement-bot) or the system font {SYSTEM_FAMILY} (Debian/Ubuntu: apt install fonts-noto-cjk)"
        )
    return font


@dataclass(frozen=True)
class ChartStyle:
    """What every figure is drawn with: the font for all its text, and no mathtext parsing."""

    font: ChartFont

    def apply(self, fig: Figure) -> None:
        """Set every text of `fig` (titles, labels, tick labels, legends) in the style's font."""
        # findobj walks each axis's children, which creates the tick labels the draw will use.
        for text in fig.findobj(Text):
            text.set_fontproperties(self.font.properties(text.get_fontsize()))
            text.set_parse_math(False)  # "$" in a unit name must not start mathtext


@functools.cache
def default_style() -> ChartStyle:
    """The style of :func:`find_cjk_font`, looked up once per process."""
    return ChartStyle(find_cjk_font())


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _text_width(text: str) -> int:
    return sum(_width(ch) for ch in text)


_NO_LINE_START = frozenset("）)」』】、，。：；！？%")


def wrap_label(label: str, columns: int = 20, max_lines: int = 2) -> str:
    """Wrap by display width (a Chinese character counts 2); truncate with '…' past max_lines.

    A closing mark never starts a line, a parenthesised suffix that fits on the last line moves
    there whole (护理 / （订单班）), and Latin text breaks at a space when it can.
    """
    lines: list[str] = []
    rest = label.strip()
    while rest:
        if _text_width(rest) <= columns:
            lines.append(rest)
            break
        n = used = 0
        while n < len(rest) and used + _width(rest[n]) <= columns:
            used += _width(rest[n])
            n += 1
        n = max(n, 1)
        while n < len(rest) and rest[n] in _NO_LINE_START:
            n += 1  # hang it on this line
        cut = max(rest.rfind("（", 0, n), rest.rfind("(", 0, n))
        space = rest.rfind(" ", 0, n + 1)
        if cut >= 2 and _text_width(rest[cut:]) <= columns:
            n = cut
        elif space >= n // 2 and space > 0:
            n = space
        lines.append(rest[:n].rstrip())
        rest = rest[n:].lstrip()
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)


def _percent_text(value: float) -> str:
    """A float percentage (trend values) with two decimals, half up."""
    return f"{Decimal(repr(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _target_text(value: float) -> str:
    d = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{d:f}%"


def _md(d: date) -> str:
    return f"{d.month}-{d.day}"


def _figure(height_in: float, *, constrained: bool = False, dpi: int = DPI) -> Figure:
    fig = Figure(
        figsize=(WIDTH_IN, height_in),
        dpi=dpi,
        facecolor="white",
        layout="constrained" if constrained else None,
    )
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, style: ChartStyle | None) -> bytes:
    """The figure as PNG at the resolution it was made with (`_figure(dpi=…)`)."""
    (style or default_style()).apply(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", pad_inches=0.25, facecolor="white")
    return buf.getvalue()


def _no_data(title: str, lang: str, style: ChartStyle | None, dpi: int = DPI) -> bytes:
    fig = _figure(3.0, dpi=dpi)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=15, color=C_TEXT)
    ax.text(
        0.5, 0.5, _labels(lang)["no_data"], ha="center", va="center", fontsize=20, color="#777777",
        transform=ax.transAxes,
    )  # fmt: skip
    return _png(fig, style)


def _style(ax, *, xgrid: bool = True) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if xgrid:
        ax.grid(axis="x", color="#e4e4e4", linewidth=0.8)
        ax.set_axisbelow(True)
    ax.tick_params(colors=C_TEXT, labelsize=10)


def _row_height(labels: Sequence[str]) -> float:
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return 0.2 + 0.17 * lines


def _count_panel(
    ax,
    items: Sequence[tuple[str, int]],
    base: int,
    *,
    colors: Sequence[str] | str = C_MAIN,
    columns: int = 20,
    subtitle: str | None = None,
    lang: str = "zh",
) -> None:
    """Horizontal bars top→bottom in the given order, each with 'count (share of base)'."""
    _style(ax)
    if subtitle:
        ax.set_title(subtitle, loc="left", fontsize=12, color=C_TEXT)
    if not items:
        ax.set_axis_off()
        ax.text(
            0.5, 0.5, _labels(lang)["no_data"], ha="center", va="center", fontsize=14, color="#777777",
            transform=ax.transAxes,
        )  # fmt: skip
        return
    labels = [wrap_label(label, columns) for label, _ in items]
    counts = [n for _, n in items]
    ys = range(len(items))
    ax.barh(ys, counts, color=colors, height=0.7 if len(items) >= 3 else 0.45)
    ax.set_yticks(list(ys), labels)
    ax.set_ylim(len(items) - 0.5, -0.5)  # first item on top
    top = max(max(counts), 1)
    ax.set_xlim(0, top * 1.32)
    share = _labels(lang)["share"]
    for y, n in zip(ys, counts, strict=True):
        label = share.format(n=n, percent=format_percent(n, base))
        ax.text(n + top * 0.01, y, label, va="center", fontsize=9, color=C_TEXT)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))


def _nonzero_sorted(items: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(((label, n) for label, n in items if n > 0), key=lambda it: -it[1])


# --------------------------------------------------------------------------------------------
# rates
# --------------------------------------------------------------------------------------------


def render_rates(
    title: str,
    bars: Sequence[Bar],
    *,
    target_percent: float | None,
    target_label: str | None,
    lang: str = "zh",
    style: ChartStyle | None = None,
    dpi: int = DPI,
) -> bytes:
    """Placement rate by sub-unit: sorted horizontal bars (highest on top) with the target line."""
    words = _labels(lang)
    if not bars:
        return _no_data(title, lang, style, dpi)
    rows = sorted(
        bars,
        key=lambda b: (b.total <= 0, -hundredths_of_percent(b.placed, b.total), -b.total, b.label),
    )
    labels = [wrap_label(b.label, 20) for b in rows]
    rates = [hundredths_of_percent(b.placed, b.total) / 100 for b in rows]
    if target_percent is None:
        colors = [C_MAIN] * len(rows)
    else:
        target_h = int((Decimal(repr(target_percent)) * 100).to_integral_value(rounding=ROUND_HALF_UP))
        colors = [C_OK if hundredths_of_percent(b.placed, b.total) >= target_h else C_LOW for b in rows]

    n = len(rows)
    fig = _figure(max(2.6, 1.5 + n * _row_height(labels)), dpi=dpi)
    ax = fig.add_subplot()
    _style(ax)
    ys = range(n)
    ax.barh(ys, rates, color=colors, height=0.72 if n >= 3 else 0.45)
    ax.set_yticks(list(ys), labels, fontsize=10 if n <= 20 else 9)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 126)
    ax.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    ax.set_xlabel(words["rate"], fontsize=10, color=C_TEXT)
    ax.tick_params(axis="y", length=0)
    fontsize = 9 if n <= 20 else 8
    values = []
    for y, (bar, rate) in enumerate(zip(rows, rates, strict=True)):
        text = f"{format_percent(bar.placed, bar.total)}  {bar.placed_text or bar.placed}/{bar.total}"
        values.append(
            ax.text(
                rate + 1,
                y,
                text,
                va="center",
                fontsize=fontsize,
                color=C_TEXT,
                zorder=4,
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
        )

    handles: list = []
    if target_percent is not None:
        label = target_label or words["target"].format(value=_target_text(target_percent))
        ax.axvline(target_percent, color=C_TARGET, linestyle="--", linewidth=1.6, zorder=3)
        _clear_of_line(fig, ax, values, rates, target_percent, style)
        # legend entries only for what is drawn: "met" when some bar reaches the target, and so on
        handles = [Line2D([], [], color=C_TARGET, linestyle="--", linewidth=1.6, label=label)]
        handles += [Patch(color=color, label=words[key]) for color, key in ((C_OK, "met"), (C_LOW, "below")) if color in colors]
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=3,
            frameon=False,
            fontsize=10,
            borderaxespad=0.2,
        )
    ax.set_title(title, loc="left", fontsize=15, color=C_TEXT, pad=26 if handles else 10)
    return _png(fig, style)


def _clear_of_line(
    fig: Figure, ax: Axes, labels: Sequence[Text], rates: Sequence[float], line_x: float, style: ChartStyle | None
) -> None:
    """Move each value label that the target line would cross to just right of the line (measured
    in the font it is drawn with); widen the axis when a moved label would run past its end."""
    (style or default_style()).apply(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for _ in range(3):  # widening the axis rescales the labels' widths in data units: settle
        to_data = ax.transData.inverted()
        right = ax.get_xlim()[1]
        for label, rate in zip(labels, rates, strict=True):
            label.set_x(rate + 1)
            box = label.get_window_extent(renderer)
            (x0, _), (x1, _) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
            if x0 - 0.8 <= line_x <= x1 + 0.8:
                label.set_x(line_x + 1.5)
                right = max(right, line_x + 1.5 + (x1 - x0) + 1)
        if right <= ax.get_xlim()[1]:
            return
        ax.set_xlim(0, right)


# --------------------------------------------------------------------------------------------
# trend
# --------------------------------------------------------------------------------------------


def _date_labels(days: Sequence[date]) -> list[str]:
    """Tick labels M-D; where the axis crosses a year, its first tick, each first tick of a new year
    and a day that recurs a year later carry the year (2025-9-1 … 12-1, 2026-1-1 … 2026-9-1), so
    no two labels are alike."""
    short = [_md(d) for d in days]
    if len({d.year for d in days}) <= 1:
        return short
    recurring = {md for md in short if short.count(md) > 1}
    return [
        f"{d.year}-{md}" if i == 0 or d.year != days[i - 1].year or md in recurring else md
        for i, (d, md) in enumerate(zip(days, short, strict=True))
    ]


def render_trend(
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[date, float]]]],
    *,
    checkpoints: Sequence[tuple[date, float]],
    lang: str = "zh",
    style: ChartStyle | None = None,
    dpi: int = DPI,
) -> bytes:
    """Weekly placement rate per series (first = this cohort), checkpoint targets as red dashes."""
    words = _labels(lang)
    drawn = [(name, sorted(points)) for name, points in series if points]
    if not drawn:
        return _no_data(title, lang, style, dpi)
    fig = _figure(5.6, dpi=dpi)
    ax = fig.add_subplot()
    _style(ax, xgrid=False)
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.8)
    ax.set_axisbelow(True)

    palette = [C_MAIN, C_PREVIOUS, "#b0855a", "#6a9fb5"]
    all_dates: list[date] = []
    for i, (name, points) in enumerate(drawn):
        xs = [d for d, _ in points]
        ys = [v for _, v in points]
        all_dates += xs
        current = i == 0
        ax.plot(
            xs,
            ys,
            label=name,
            color=palette[i % len(palette)],
            linewidth=2.4 if current else 1.6,
            linestyle="-" if current else "--",
            marker="o" if current else None,
            markersize=3.5,
            zorder=4 - min(i, 2),
        )
        if current:
            ax.annotate(
                _percent_text(ys[-1]),
                (xs[-1], ys[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=10,
                color=C_MAIN,
            )

    lo = min([*all_dates, *(d for d, _ in checkpoints)])
    hi = max([*all_dates, *(d for d, _ in checkpoints)])
    span = max((hi - lo).days, 1)
    top = 109
    half = timedelta(days=max(2, span // 60))
    previous: date | None = None
    level = 0
    for d, target in sorted(checkpoints):
        ax.plot(
            [d - half, d + half],
            [target, target],
            color=C_TARGET,
            linewidth=3,
            solid_capstyle="butt",
            zorder=5,
        )
        ax.axvline(d, color=C_TARGET, linewidth=0.6, linestyle=":", alpha=0.6, zorder=1)
        # Labels sit in the headroom above 100 %, on the checkpoint's dotted line, clear of the curves;
        # checkpoints close together (12-01, 12-15) alternate between two rows.
        level = 1 - level if previous is not None and (d - previous).days < span / 7 else 0
        previous = d
        top = max(top, 114 if level else 109)
        ax.text(
            d, 101.5 + 5 * level, words["checkpoint"].format(day=_md(d), value=_target_text(target)), ha="center",
            va="bottom", fontsize=9, color=C_TARGET,
        )  # fmt: skip
    ax.set_xlim(lo - timedelta(days=7), hi + timedelta(days=max(14, span // 12)))
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    left, right = ax.get_xlim()
    days: list[date] = []
    for value in AutoDateLocator(minticks=4, maxticks=12).tick_values(num2date(left), num2date(right)):
        day = num2date(value).date()
        if left <= value <= right and day not in days:  # one tick per day
            days.append(day)
    ax.set_xticks([date2num(d) for d in days], _date_labels(days))
    ax.set_ylabel(words["rate"], fontsize=10, color=C_TEXT)
    handles, _ = ax.get_legend_handles_labels()
    if checkpoints:
        handles.append(Line2D([], [], color=C_TARGET, linewidth=3, label=words["checkpoints"]))
    ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=10)
    ax.set_title(title, loc="left", fontsize=15, color=C_TEXT)
    return _png(fig, style)


# --------------------------------------------------------------------------------------------
# mix
# --------------------------------------------------------------------------------------------


_BUCKET_COLORS = {"employed": C_MAIN, "study": C_STUDY, "unplaced": C_UNPLACED}


def render_mix(
    title: str,
    parts: Sequence[tuple[str, int]],
    *,
    buckets: Mapping[str, str] | None = None,
    lang: str = "zh",
    style: ChartStyle | None = None,
    dpi: int = DPI,
) -> bytes:
    """Destinations in the caller's order (employed kinds, study, unplaced sub-states), count and share.

    `buckets` maps each label to its bucket (employed / study / unplaced, as the taxonomy defines
    them) for its colour; a label without one is drawn as employed."""
    words = _labels(lang)
    total = sum(n for _, n in parts)
    if total <= 0:
        return _no_data(title, lang, style, dpi)
    items = [(label, n) for label, n in parts]
    labels = [wrap_label(label, 20) for label, _ in items]
    fig = _figure(max(2.6, 1.6 + len(items) * _row_height(labels)), dpi=dpi)
    ax = fig.add_subplot()
    colors = [_BUCKET_COLORS.get((buckets or {}).get(label, "employed"), C_MAIN) for label, _ in items]
    _count_panel(ax, items, total, colors=colors, lang=lang)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(words["count"], fontsize=10, color=C_TEXT)
    used = dict.fromkeys(colors)
    names = {C_MAIN: words["employed"], C_STUDY: words["study"], C_UNPLACED: words["unplaced"]}
    if len(used) > 1:
        ax.legend(
            handles=[Patch(color=c, label=names[c]) for c in used],
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=len(used),
            frameon=False,
            fontsize=10,
            borderaxespad=0.2,
        )
    ax.set_title(
        words["mix_total"].format(title=title, total=total), loc="left", fontsize=15, color=C_TEXT,
        pad=26 if len(used) > 1 else 10,
    )  # fmt: skip
    return _png(fig, style)


# --------------------------------------------------------------------------------------------
# flow
# --------------------------------------------------------------------------------------------


def render_flow(
    title: str,
    provinces: Sequence[tuple[str, int]],
    regions: Sequence[tuple[str, int]],
    areas: Sequence[tuple[str, int]],
    home_share: tuple[str, int, int] | None,
    *,
    lang: str = "zh",
    style: ChartStyle | None = None,
    dpi: int = DPI,
) -> bytes:
    """Where the employed went: top provinces (rest as 其他), economic regions, strategy areas."""
    words = _labels(lang)
    prov = _nonzero_sorted(provinces)
    if len(prov) > MAX_PROVINCES:
        rest = sum(n for _, n in prov[MAX_PROVINCES:])
        prov = [*prov[:MAX_PROVINCES], (words["other"], rest)]
    regs = [(label, n) for label, n in regions if n > 0]
    ars = [(label, n) for label, n in areas if n > 0]
    base = sum(n for _, n in prov) or sum(n for _, n in regs)
    if home_share is not None and home_share[2] > 0:
        base = home_share[2]
    if base <= 0:
        return _no_data(title, lang, style, dpi)

    rows_left = max(len(prov), 1)
    rows_right = max(len(regs), 1) + max(len(ars), 1)
    height = max(3.6, 1.9 + 0.37 * max(rows_left, rows_right + 2))
    fig = _figure(height, constrained=True, dpi=dpi)
    fig.get_layout_engine().set(h_pad=0.12, w_pad=0.12, hspace=0.04, wspace=0.06)
    gs = fig.add_gridspec(
        2, 2, width_ratios=[1.1, 1], height_ratios=[max(len(regs), 1) + 1, max(len(ars), 1) + 1]
    )
    ax_p = fig.add_subplot(gs[:, 0])
    ax_r = fig.add_subplot(gs[0, 1])
    ax_a = fig.add_subplot(gs[1, 1])
    _count_panel(ax_p, prov, base, columns=12, subtitle=words["provinces"], lang=lang)
    _count_panel(ax_r, regs, base, colors=C_OK, columns=12, subtitle=words["regions"], lang=lang)
    _count_panel(ax_a, ars, base, colors=C_STUDY, columns=16, subtitle=words["areas"], lang=lang)
    for ax in (ax_p, ax_r, ax_a):
        ax.tick_params(axis="y", length=0)
    head = words["flow_total"].format(title=title, total=base)
    if home_share is not None:
        province, in_home, employed = home_share
        percent = format_percent(in_home, employed)
        head += "\n" + words["home"].format(province=province, n=in_home, total=employed, percent=percent)
    fig.suptitle(head, x=0.02, ha="left", fontsize=15 if home_share is None else 14, color=C_TEXT)
    return _png(fig, style)


# --------------------------------------------------------------------------------------------
# sector
# --------------------------------------------------------------------------------------------


def render_sector(
    title: str,
    natures: Sequence[tuple[str, int]],
    industries: Sequence[tuple[str, int]],
    *,
    lang: str = "zh",
    style: ChartStyle | None = None,
    dpi: int = DPI,
) -> bytes:
    """Unit nature and industry of the employed: two panels of horizontal bars."""
    words = _labels(lang)
    nat = _nonzero_sorted(natures)
    ind = _nonzero_sorted(industries)
    if not nat and not ind:
        return _no_data(title, lang, style, dpi)
    nat_labels = [wrap_label(label, 16) for label, _ in nat]
    ind_labels = [wrap_label(label, 32) for label, _ in ind]
    h_nat = max(len(nat), 1) * _row_height(nat_labels)
    h_ind = max(len(ind), 1) * _row_height(ind_labels)
    fig = _figure(max(4.0, 2.2 + h_nat + h_ind), constrained=True, dpi=dpi)
    fig.get_layout_engine().set(h_pad=0.12, hspace=0.04)
    gs = fig.add_gridspec(2, 1, height_ratios=[h_nat + 0.4, h_ind + 0.4])
    ax_n = fig.add_subplot(gs[0])
    ax_i = fig.add_subplot(gs[1])
    _count_panel(ax_n, nat, sum(n for _, n in nat), columns=16, subtitle=words["natures"], lang=lang)
    _count_panel(ax_i, ind, sum(n for _, n in ind), colors=C_OK, columns=32, subtitle=words["industries"], lang=lang)
    for ax in (ax_n, ax_i):
        ax.tick_params(axis="y", length=0)
    fig.suptitle(title, x=0.02, ha="left", fontsize=15, color=C_TEXT)
    return _png(fig, style)


# --------------------------------------------------------------------------------------------
# survey (product.md §11)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyBar:
    """One bar of a survey chart: its length in hundredths of a percent (0 for a hidden figure)
    and the text printed beside it, already disclosed ("120（34.56%）" or "<5")."""

    label: str
    hundredths: int
    text: str


def render_survey(
    title: str, bars: Sequence[SurveyBar], *, xlabel: str, lang: str = "zh", style: ChartStyle | None = None
) -> bytes:
    """A question's options (or every scale's satisfied share) as horizontal bars, in the given order."""
    if not bars:
        return _no_data(title, lang, style)
    labels = [wrap_label(b.label, 24) for b in bars]
    n = len(bars)
    fig = _figure(max(2.6, 1.5 + n * _row_height(labels)))
    ax = fig.add_subplot()
    _style(ax)
    ys = range(n)
    values = [b.hundredths / 100 for b in bars]
    ax.barh(ys, values, color=C_MAIN, height=0.72 if n >= 3 else 0.45)
    ax.set_yticks(list(ys), labels, fontsize=10)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 126)
    ax.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    ax.set_xlabel(xlabel, fontsize=10, color=C_TEXT)
    ax.tick_params(axis="y", length=0)
    for y, (bar, value) in enumerate(zip(bars, values, strict=True)):
        ax.text(value + 1, y, bar.text, va="center", fontsize=9, color=C_TEXT, zorder=4)
    ax.set_title(title, loc="left", fontsize=15, color=C_TEXT, pad=10)
    return _png(fig, style)
