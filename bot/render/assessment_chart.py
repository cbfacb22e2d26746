"""The annual assessment's chart: each unit's score as a horizontal bar, in rank order, each bar
split into its parts' points (so the reader sees where a score came from), the score written at its
end. Drawn like the digest's chart (bot/render/chart.py): a Figure on FigureCanvasAgg, never
pyplot, under that module's lock, with its fonts (the packaged Noto Sans SC; without a CJK font
names the font cannot draw become U1… in rank order and captions switch to English).

Up to MAX_ROWS units are drawn; beyond that the first and last MAX_ROWS/2 by rank, with a note.
Units without a score are not drawn."""

from __future__ import annotations

import io
import os
from fractions import Fraction

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.render.chart import _LOCK, AUTO, Fonts, fonts
from bot.rules.assessment import PARTS, Assessment, Standing

WIDTH_PX, DPI = 1000, 100
MAX_ROWS = 40
MAX_LABEL = 14
COLORS = {"tasks_on_time": "#1e88e5", "reports_on_time": "#43a047", "indicators_complete": "#fb8c00",
          "targets_met": "#8e24aa"}

WORDS = {
    "zh": {"title": "{year}年度考核得分", "tasks_on_time": "交办按时", "reports_on_time": "按时报送",
           "indicators_complete": "指标齐全", "targets_met": "目标完成", "axis": "得分（满分100）",
           "more": "共{count}个单位，仅列出前{head}名和后{tail}名", "none": "暂无可考核内容"},
    "en": {"title": "Annual assessment {year}: scores", "tasks_on_time": "tasks on time",
           "reports_on_time": "reports on time", "indicators_complete": "indicators supplied",
           "targets_met": "targets met", "axis": "score (out of 100)",
           "more": "{count} units: the first {head} and the last {tail} by rank", "none": "nothing to assess"},
}


def _words(lang: str, f: Fonts) -> dict[str, str]:
    words = WORDS.get(lang, WORDS["en"])
    return words if f.covers("".join(words.values())) else WORDS["en"]


def _label(f: Fonts, name: str, code: str) -> str:
    name = " ".join(name.split())
    name = name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"
    if f.covers(name):
        return name.replace("$", r"\$")
    return code if not f.cjk else "".join(ch if ord(ch) in f.charmap else "?" for ch in name).replace("$", r"\$")


def shown(a: Assessment) -> tuple[list[tuple[int, Standing]], int]:
    """(rank-order position, standing) of the bars drawn, and how many scored units there are."""
    scored = list(enumerate(a.scored, 1))
    if len(scored) <= MAX_ROWS:
        return scored, len(scored)
    half = MAX_ROWS // 2
    return scored[:half] + scored[-half:], len(scored)


def _draw(a: Assessment, lang: str, f: Fonts) -> bytes:
    w = _words(lang, f)
    rows, count = shown(a)
    height = max(3.2, 1.6 + 0.3 * max(len(rows), 1))
    fig = Figure(figsize=(WIDTH_PX / DPI, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.2, 0.9 / height + 0.02, 0.74, 1 - 2.0 / height))
    fig.suptitle(w["title"].format(year=a.year), x=0.02, y=1 - 0.3 / height, ha="left", fontproperties=f.prop(14))
    if not rows:
        ax.set_axis_off()
        ax.text(0.5, 0.5, w["none"], ha="center", va="center", transform=ax.transAxes, fontproperties=f.prop(11))
    else:
        ys = list(range(len(rows)))
        left = [0.0] * len(rows)
        for part in PARTS:
            values = [float(s.points.get(part) or Fraction(0)) for _, s in rows]
            if any(values):
                ax.barh(ys, values, left=left, color=COLORS[part], height=0.62, label=w[part], edgecolor="white",
                        linewidth=0.5)
            left = [x + v for x, v in zip(left, values, strict=True)]
        for y, (_, s) in zip(ys, rows, strict=True):
            ax.text(float(s.score or 0) + 1, y, f"{s.score:.1f}", va="center", ha="left", fontproperties=f.prop(8))
        ax.set_yticks(ys, [f"{s.rank}. {_label(f, s.unit.name, f'U{n}')}" for n, s in rows])
        for tick in ax.get_yticklabels():
            tick.set_fontproperties(f.prop(9))
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 108)
        ax.set_xlabel(w["axis"], fontproperties=f.prop(9))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color="#eceff1", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(PARTS), frameon=False, prop=f.prop(8))
        if len(rows) < count:
            fig.text(0.02, 0.1 / height, w["more"].format(count=count, head=len(rows) // 2, tail=len(rows) // 2),
                     fontproperties=f.prop(8), color="#78909c")
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def assessment_png(a: Assessment, lang: str, *, font: str | os.PathLike[str] | None = AUTO) -> bytes:
    chosen = fonts(font)
    with _LOCK:
        return _draw(a, lang, chosen)
