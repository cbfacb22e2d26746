"""The digest as one PNG: reporting and task status per working group (per department when the
office has no working groups), two panels side by side, 1000×600 px. Each department is counted
once, in its home group (the first it leads, else the first it belongs to; `home_groups`), so the
bars add up to the departments and their task parts, not to one count per group membership.

Rendering is headless and free of global pyplot state: a `matplotlib.figure.Figure` drawn by
`FigureCanvasAgg`, never `pyplot`, so no display and no backend switch are needed. One module lock
serialises the draws, because matplotlib's font objects are shared and not thread-safe; a chart takes
tens of milliseconds, so callers may run it in a worker thread without contention mattering.

Fonts (the decision). Labels are Chinese, and matplotlib ships only DejaVu, which has no CJK glyphs.
The project depends on `pylopdf-fonts-zh-cn` (PyPI, SIL Open Font License 1.1), a data-only wheel
that carries Google's static Noto Sans SC Regular (8 MB, Simplified-Chinese glyph forms, Latin
included); we only read its font file, never import its code. So `pip install .`, the Docker image
and a fresh machine all get the same font without apt. The alternatives weighed: system packages
(`fonts-noto-cjk`) would tie the chart to how a machine was set up; `noto-cjk-sans-otc` is the full
collection, whose first face is Japanese (the Chinese face needs matplotlib ≥ 3.10's face index);
`justmytype-intl-cjk` has only a variable font whose default instance is Thin, and matplotlib cannot
pick another instance.

The font is looked for in this order: the packaged Noto Sans SC; a CJK font installed on the system
that matplotlib knows (Noto Sans CJK SC, Source Han Sans, WenQuanYi, …); nothing. Without one the
chart still renders, with no missing-glyph warnings: captions switch to English, and every label
the available fonts cannot draw becomes a code, G1… for working groups and D1… for departments,
numbered in the order the text digest lists them (a footnote says so). With a CJK font, a rare
character the font lacks is drawn as "?" rather than as an empty box. A "$" in a name is shown as
"$", never as mathtext.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from zoneinfo import ZoneInfo

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from bot.rules.cycles import Trend
from bot.rules.digest import DeptStanding, Digest, home_groups
from bot.rules.indicators import number_text
from bot.texts import fmt_time, period_name

WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
TREND_PX = 260  # the monthly trend's strip below the panels (the monthly digest, `trend=`)
MAX_TRENDS = 3  # small line charts side by side: more would be unreadable on a phone
MAX_ROWS = 20  # bars per panel; beyond that the departments needing most attention are shown
MAX_LABEL = 16  # characters of a name on the axis

AUTO = "auto"
PACKAGED = ("pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf")
SYSTEM_CJK = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC",
    "Droid Sans Fallback", "AR PL UMing CN", "Noto Sans CJK JP", "Noto Sans CJK TC",
)
LATIN = "DejaVu Sans"  # ships with matplotlib
PROBE = "区报送办结逾期工作专班已未"

COLORS = {"reported": "#43a047", "late": "#fb8c00", "missing": "#cfd8dc",
          "done": "#43a047", "open": "#1e88e5", "overdue": "#e53935"}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "week": "周调度", "month": "月度分析", "quarter": "季度通报", "year": "年度综述",
        "submitted": "已报送 {submitted}/{total}", "cycle": "（{label}）", "no_cycle": "暂无报送周期",
        "generated": "生成于 {at}", "tasks_line": "本期新增 {opened}，办结 {finished}，当前逾期 {overdue} 项",
        "reporting_groups": "各专班部门报送情况", "reporting_depts": "报送情况",
        "tasks_groups": "各专班交办事项（每个部门只计一次）", "tasks_depts": "各部门交办事项",
        "other_group": "不属于任何专班",
        "home_note": "每个部门只计入一个专班：它牵头的第一个专班，否则它参加的第一个专班",
        "reported": "已报送", "late": "逾期报送", "missing": "未报送",
        "done": "已办结", "open": "办理中", "overdue": "已逾期",
        "departments": "部门数", "parts": "事项数", "no_data": "暂无数据",
        "more": "仅列出最需关注的 {shown} 个，共 {count} 个",
        "codes": "",
        "trend": "{name}（{unit}）月度趋势", "month_tick": "{month}月",
    },
    "en": {
        "week": "Weekly dispatch", "month": "Monthly analysis", "quarter": "Quarterly bulletin", "year": "Annual review",
        "submitted": "{submitted}/{total} submitted", "cycle": " ({label})", "no_cycle": "no reporting cycle yet",
        "generated": "Generated {at}", "tasks_line": "{opened} opened, {finished} finished; {overdue} overdue now",
        "reporting_groups": "Departments reported, by working group", "reporting_depts": "Reports",
        "tasks_groups": "Task parts by working group (each department once)", "tasks_depts": "Task parts by department",
        "other_group": "in no working group",
        "home_note": "Each department counts in one group: the first it leads, else the first it belongs to.",
        "reported": "reported", "late": "late", "missing": "not reported",
        "done": "done", "open": "open", "overdue": "overdue",
        "departments": "departments", "parts": "task parts", "no_data": "no data",
        "more": "showing the {shown} needing most attention of {count}",
        "codes": "Names need a CJK font: G1.. = working groups, D1.. = departments, in the text digest's order.",
        "trend": "{name} ({unit}), monthly", "month_tick": "{year}-{month:02d}",
    },
}

_LOCK = threading.Lock()
_FONTS: dict[str, Fonts] = {}


@dataclass(frozen=True)
class Fonts:
    families: tuple[str, ...]  # tried in order for every glyph (matplotlib's font fallback)
    charmap: frozenset[int] = field(repr=False)  # every code point one of them can draw
    cjk: bool

    def covers(self, text: str) -> bool:
        return all(ord(c) in self.charmap for c in text)

    def prop(self, size: float) -> FontProperties:
        # regular weight only: the packaged font has no bold, and asking for one logs a warning
        return FontProperties(family=list(self.families), size=size)


def packaged_font() -> Path | None:
    """The Noto Sans SC file of the `pylopdf-fonts-zh-cn` dependency, found without importing it."""
    spec = find_spec(PACKAGED[0])
    for base in (spec.submodule_search_locations or []) if spec else []:
        path = Path(base) / PACKAGED[1]
        if path.is_file():
            return path
    return None


def _charmap(path: str) -> frozenset[int]:
    return frozenset(font_manager.get_font(path).get_charmap())


def _register(path: Path) -> tuple[str, frozenset[int]] | None:
    """Make a font file known to matplotlib by its family name; None when it cannot be read."""
    try:
        font_manager.fontManager.addfont(str(path))
        return font_manager.get_font(str(path)).family_name, _charmap(str(path))
    except (OSError, RuntimeError, ValueError):
        return None


def _system_cjk() -> tuple[str, frozenset[int]] | None:
    probe = {ord(c) for c in PROBE}
    for family in SYSTEM_CJK:
        for entry in font_manager.fontManager.ttflist:
            if entry.name != family:
                continue
            try:
                cmap = _charmap(entry.fname)
            except (OSError, RuntimeError, ValueError):
                continue
            if probe <= cmap:
                return family, cmap
    return None


def _discover(font: str | os.PathLike[str] | None) -> Fonts:
    latin = frozenset(_charmap(font_manager.findfont(FontProperties(family=LATIN))))
    found: tuple[str, frozenset[int]] | None = None
    if font == AUTO:
        packaged = packaged_font()
        found = (_register(packaged) if packaged else None) or _system_cjk()
    elif font is not None:
        found = _register(Path(font))
    if found is None:
        return Fonts((LATIN,), latin, cjk=False)
    family, cmap = found
    return Fonts((family, LATIN), cmap | latin, cjk={ord(c) for c in PROBE} <= cmap)


def fonts(font: str | os.PathLike[str] | None = AUTO) -> Fonts:
    """The fonts a chart is drawn with: `AUTO` looks as the module docstring says, None means no
    CJK font (the fallback), and a path means that font file."""
    key = "" if font is None else str(font)
    with _LOCK:
        if key not in _FONTS:
            _FONTS[key] = _discover(font)
        return _FONTS[key]


# --------------------------------------------------------------------------- the rows


@dataclass(frozen=True)
class Row:
    label: str
    coded: bool  # the name could not be drawn and is shown as its code
    reported: int
    late: int
    size: int  # departments the reporting bar is out of
    done: int
    open: int  # open and not overdue
    overdue: int


def _tasks(s: DeptStanding) -> tuple[int, int, int]:
    """done, open-not-overdue, overdue (a department's open count includes its overdue parts)."""
    return s.tasks_done, max(s.tasks_open - s.tasks_overdue, 0), s.tasks_overdue


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _fit(f: Fonts, text: str, code: str | None = None) -> str:
    """`text` if the fonts can draw it; else `code` when given and there is no CJK font; else the
    text with "?" for each character the fonts lack."""
    if f.covers(text):
        return text
    if f.cjk or code is None:
        return "".join(c if ord(c) in f.charmap else "?" for c in text)
    return code


def _label(f: Fonts, name: str, code: str) -> tuple[str, bool]:
    """The axis label of a name, and whether it had to become its code."""
    label = _fit(f, _shorten(name), code)
    return label, label == code and _shorten(name) != code


def _group_rows(d: Digest, f: Fonts, w: dict[str, str]) -> list[Row]:
    """One row per working group, each department counted once, in its home group (see
    `bot.rules.digest.home_groups`); departments in no group make a last row of their own. So the
    task bars add up to the departments' task parts, and the reporting bars to the departments."""
    home = home_groups(d.groups)
    names = [g.name for g in d.groups]
    by_group: dict[str | None, list[DeptStanding]] = {name: [] for name in names}
    for s in d.departments:
        by_group.setdefault(home.get(s.department), []).append(s)
    rows = []
    for i, name in enumerate([*names, *([None] if by_group.get(None) else [])], 1):
        standings = by_group[name]
        done, open_, overdue = (sum(col) for col in zip(*(_tasks(s) for s in standings), strict=False)) if standings else (0, 0, 0)
        reported = sum(1 for s in standings if s.reported)
        late = sum(1 for s in standings if s.reported and s.late)
        label = _label(f, name, f"G{i}") if name is not None else (_fit(f, w["other_group"]), False)
        rows.append(Row(*label, reported, late, len(standings), done, open_, overdue))
    return rows


def rows_of(d: Digest, lang: str = "zh", font: str | os.PathLike[str] | None = AUTO) -> list[Row]:
    """Every row the chart is drawn from (before the MAX_ROWS cut), for tests and checks."""
    f = fonts(font)
    return _group_rows(d, f, _words(lang, f)) if d.groups else _dept_rows(d, f)


def _dept_rows(d: Digest, f: Fonts) -> list[Row]:
    rows = []
    for i, s in enumerate(d.departments, 1):
        done, open_, overdue = _tasks(s)
        rows.append(Row(*_label(f, s.department, f"D{i}"), int(s.reported), int(s.reported and s.late), 1,
                        done, open_, overdue))
    return rows


def _most_urgent(rows: list[Row]) -> list[Row]:
    """At most MAX_ROWS, the ones needing attention first, otherwise in the digest's order."""
    if len(rows) <= MAX_ROWS:
        return rows
    order = sorted(range(len(rows)), key=lambda i: (-rows[i].overdue, rows[i].reported >= rows[i].size,
                                                    -rows[i].open, i))
    return [rows[i] for i in sorted(order[:MAX_ROWS])]


# --------------------------------------------------------------------------- drawing


def _safe(text: str) -> str:
    r"""Literal text: an unescaped pair of "$" would start mathtext; "\$" is drawn as "$"."""
    return text.replace("$", r"\$")


def _stacked(ax, rows: list[Row], parts: list[tuple[str, list[int], str]], f: Fonts, totals: list[str]) -> None:  # type: ignore[no-untyped-def]
    ys = list(range(len(rows)))
    left = [0] * len(rows)
    for label, values, color in parts:
        ax.barh(ys, values, left=left, color=color, height=0.62, label=_safe(label), edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, values, strict=True)]
    span = max(left + [1])
    for y, x, text in zip(ys, left, totals, strict=True):
        ax.text(x + span * 0.015, y, _safe(text), va="center", ha="left", fontproperties=f.prop(8), color="#37474f")
    ax.set_xlim(0, span * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_yticks(ys, [_safe(r.label) for r in rows])
    for tick in ax.get_yticklabels():
        tick.set_fontproperties(f.prop(9))
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#eceff1", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(parts), frameon=False, prop=f.prop(8),
              handlelength=1.2, borderaxespad=0.2)


def _empty(ax, f: Fonts, text: str) -> None:  # type: ignore[no-untyped-def]
    ax.set_axis_off()
    ax.text(0.5, 0.5, _safe(text), ha="center", va="center", transform=ax.transAxes, fontproperties=f.prop(11),
            color="#78909c")


def _words(lang: str, f: Fonts) -> dict[str, str]:
    words = WORDS.get(lang, WORDS["en"])
    return words if f.covers("".join(words.values())) else WORDS["en"]


def _titles(d: Digest, w: dict[str, str], f: Fonts, tz: ZoneInfo) -> tuple[str, str]:
    kind = w.get(d.period.kind, d.period.kind)
    names = "en" if w is WORDS["en"] else "zh"  # without a CJK font everything is in English
    reports = w["submitted"].format(submitted=d.submitted, total=d.total)
    if d.cycle_label is None:
        reports += w["cycle"].format(label=w["no_cycle"])
    elif d.cycle_label != d.period.label:
        reports += w["cycle"].format(label=period_name(d.cycle_label, names))
    title = f"{kind} {period_name(d.period.label, names)} · {reports}"
    sub = " · ".join([w["generated"].format(at=fmt_time(d.generated_at, tz)),
                      w["tasks_line"].format(opened=d.tasks_opened, finished=d.tasks_finished, overdue=len(d.overdue))])
    return _fit(f, title), _fit(f, sub)


def _trends(fig: Figure, trends: list[Trend], w: dict[str, str], f: Fonts, bottom_px: float) -> None:
    """One small line per monthly indicator, side by side in the strip below the panels: the
    monthly totals, a gap for a month without one, the last figure written at its point."""
    total = bottom_px + HEIGHT_PX
    grid = fig.add_gridspec(1, len(trends), left=0.06, right=0.97, bottom=45 / total, top=(bottom_px - 40) / total,
                            wspace=0.25)
    for i, trend in enumerate(trends):
        ax = fig.add_subplot(grid[0, i])
        ticks = [w["month_tick"].format(year=int(label[:4]), month=int(label[5:])) for label, _ in trend.points]
        xs = [x for x, (_, v) in enumerate(trend.points) if v is not None]
        ys = [float(v) for _, v in trend.points if v is not None]
        ax.plot(range(len(trend.points)), [float(v) if v is not None else float("nan") for _, v in trend.points],
                marker="o", color=COLORS["open"], linewidth=2)
        if xs:
            last = next(v for _, v in reversed(trend.points) if v is not None)
            ax.annotate(_safe(number_text(last)), (xs[-1], ys[-1]), textcoords="offset points", xytext=(0, 7),
                        ha="center", fontproperties=f.prop(9))
            low, high = min(ys), max(ys)
            pad = (high - low) * 0.25 or abs(high) * 0.25 or 1.0
            ax.set_ylim(min(0.0, low - pad) if low >= 0 else low - pad, high + pad)
        else:
            ax.set_yticks([])
        ax.set_xticks(range(len(ticks)), [_safe(_fit(f, t)) for t in ticks], fontproperties=f.prop(8))
        ax.tick_params(axis="y", labelsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(_safe(_fit(f, w["trend"].format(name=trend.name, unit=trend.unit))), loc="left",
                     fontproperties=f.prop(10))


def _draw(d: Digest, lang: str, tz: ZoneInfo, f: Fonts, trends: list[Trend] | None = None) -> bytes:
    w = _words(lang, f)
    by_group = bool(d.groups)
    every = _group_rows(d, f, w) if by_group else _dept_rows(d, f)
    rows = _most_urgent(every)
    trends = (trends or [])[:MAX_TRENDS]
    extra = TREND_PX if trends else 0
    total = HEIGHT_PX + extra

    def y(frac: float) -> float:  # a height in the panels' own 600 px, as a fraction of the whole figure
        return (extra + frac * HEIGHT_PX) / total

    fig = Figure(figsize=(WIDTH_PX / DPI, total / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    if trends:
        _trends(fig, trends, w, f, extra)
    title, sub = _titles(d, w, f, tz)
    fig.suptitle(_safe(title), x=0.02, y=y(0.975), ha="left", fontproperties=f.prop(15))
    fig.text(0.02, y(0.905), _safe(sub), ha="left", fontproperties=f.prop(9), color="#546e7a")
    notes = []
    if len(rows) < len(every):
        notes.append(w["more"].format(shown=len(rows), count=len(every)))
    if any(r.coded for r in rows):
        notes.append(w["codes"] or WORDS["en"]["codes"])
    if by_group:
        notes.append(w["home_note"])
    if notes:
        note = "  ".join(notes)
        fig.text(0.02, y(0.015), _safe(_fit(f, note)), ha="left", fontproperties=f.prop(8),
                 color="#78909c")

    grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.25] if by_group else [0.7, 1.3], left=0.17, right=0.97,
                            top=y(0.78), bottom=y(0.13 if notes else 0.1), wspace=0.08)
    ax_report = fig.add_subplot(grid[0, 0])
    ax_tasks = fig.add_subplot(grid[0, 1])
    if not rows:
        _empty(ax_report, f, w["no_data"])
        _empty(ax_tasks, f, w["no_data"])
    else:
        on_time = [r.reported - r.late for r in rows]
        _stacked(ax_report, rows, [(w["reported"], on_time, COLORS["reported"]),
                                   (w["late"], [r.late for r in rows], COLORS["late"]),
                                   (w["missing"], [r.size - r.reported for r in rows], COLORS["missing"])],
                 f, [f"{r.reported}/{r.size}" for r in rows] if by_group else ["" for _ in rows])
        if not by_group:
            ax_report.set_xticks([])
            ax_report.set_xlim(0, 1.05)
        _stacked(ax_tasks, rows, [(w["done"], [r.done for r in rows], COLORS["done"]),
                                  (w["open"], [r.open for r in rows], COLORS["open"]),
                                  (w["overdue"], [r.overdue for r in rows], COLORS["overdue"])],
                 f, [str(r.done + r.open + r.overdue) for r in rows])
        ax_tasks.set_yticks(ax_report.get_yticks(), [""] * len(rows))
        ax_tasks.tick_params(axis="y", length=0)
        if by_group:
            ax_report.set_xlabel(_safe(w["departments"]), fontproperties=f.prop(9))
        ax_tasks.set_xlabel(_safe(w["parts"]), fontproperties=f.prop(9))
    for ax, key in ((ax_report, "reporting_groups" if by_group else "reporting_depts"),
                    (ax_tasks, "tasks_groups" if by_group else "tasks_depts")):
        ax.set_title(_safe(w[key]), loc="left", pad=22, fontproperties=f.prop(10.5))

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def chart_png(digest: Digest, lang: str, tz: ZoneInfo, *, font: str | os.PathLike[str] | None = AUTO,
              trend: list[Trend] | None = None) -> bytes:
    """The digest's chart as PNG bytes, WIDTH_PX×HEIGHT_PX. `font` is for tests and special set-ups:
    None draws without a CJK font (the fallback), a path uses that font file. `trend` (the monthly
    digest: `bot.usecases.cycles.monthly_trend`) adds a strip of TREND_PX below, one small line
    per monthly indicator (the first MAX_TRENDS), so the image is WIDTH_PX×(HEIGHT_PX+TREND_PX)."""
    chosen = fonts(font)
    with _LOCK:
        return _draw(digest, lang, tz, chosen, trend)


__all__ = ["AUTO", "DPI", "HEIGHT_PX", "MAX_ROWS", "MAX_TRENDS", "TREND_PX", "WIDTH_PX", "Fonts", "Row", "chart_png", "fonts", "packaged_font",
           "rows_of"]
