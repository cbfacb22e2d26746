"""The annual assessment as an Excel workbook (openpyxl), in the reader's language.

Sheets: `scores` — one row per unit in rank order: rank, unit, whether it is an office below, every
count (tasks assigned, due, done on time, done late, not done, mean hours to acknowledge; reports
expected, on time, late, missing; indicators asked, supplied; targets, met), each part's points
(to two decimals, as computed before the score is rounded), the score (one decimal) — and `notes`:
the year, the moment it was computed as of, the weights, the cycles counted and the formula.
Numbers are number cells; the header row is bold, frozen, with an autofilter."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.rules.assessment import PARTS, Assessment, Standing, weight
from bot.texts import period_name, t

SHEETS = {"zh": {"scores": "年度考核", "notes": "计分说明"}, "en": {"scores": "Assessment", "notes": "How it is scored"}}

COLUMNS: dict[str, tuple[str, ...]] = {
    "zh": ("名次", "单位", "下级单位", "交办事项", "应办结", "按时办结", "逾期办结", "未办结", "平均确认时长（小时）",
           "应报送", "按时报送", "逾期报送", "未报送", "应报指标", "已报指标", "目标数", "完成目标",
           "交办按时得分", "按时报送得分", "指标齐全得分", "目标完成得分", "总分"),
    "en": ("Rank", "Unit", "Office below", "Task parts assigned", "Parts due", "Done on time", "Done late", "Not done",
           "Mean hours to acknowledge", "Reports expected", "On time", "Late", "Missing", "Indicators asked",
           "Indicators supplied", "Targets", "Targets met", "Tasks points", "Reports points", "Indicators points",
           "Targets points", "Score"),
}

NOTES: dict[str, dict[str, str]] = {
    "zh": {"year": "考核年度", "as_of": "统计时点", "weights": "权重（交办/报送/指标/目标）", "cycles": "计入报送周期",
           "targets": "部门目标", "targets_none": "未设：该项权重按比例分给其余各项", "targets_some": "已设",
           "yes": "是", "formula": "计分方法",
           "formula_text": "各项比率：交办按时＝按时办结÷应办结；按时报送＝按时报送÷应报送；指标齐全＝已报指标÷应报指标；"
                           "目标完成＝完成目标÷目标数。分母为0的项不计分，其权重按比例分给其余各项："
                           "某项得分＝该项权重×100÷适用各项权重之和×比率；总分为各项得分之和，最后四舍五入到一位小数。"
                           "名次按总分从高到低，总分相同名次相同（如1、2、2、4），同分按单位名称排列。"},
    "en": {"year": "Year", "as_of": "As of", "weights": "Weights (tasks/reports/indicators/targets)",
           "cycles": "Cycles counted", "targets": "Targets", "targets_none": "none: that weight is shared among the others",
           "targets_some": "set", "yes": "yes", "formula": "Formula",
           "formula_text": "Ratios: tasks = done on time / parts due; reports = on time / expected; indicators = "
                           "supplied / asked; targets = met / targets. A part whose denominator is 0 is left out and "
                           "its weight shared pro rata: points = weight × 100 / (sum of the applying parts' weights) "
                           "× ratio; the score is the sum, rounded half up to one decimal at the end. Rank by score, "
                           "ties share a rank (1, 2, 2, 4) and are listed by name."},
}

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")


def points_value(value: Fraction | None) -> float | None:
    """Points to two decimals (half up), as a number cell; the score is not the sum of these."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def row_values(s: Standing, lang: str) -> list[object]:
    c = s.counts
    words = NOTES.get(lang, NOTES["en"])
    return [s.rank, s.unit.name, words["yes"] if s.unit.child_office else None, c.assigned, c.due, c.on_time, c.late,
            c.overdue, None if c.ack_hours is None else round(c.ack_hours, 1), c.reports_expected, c.reports_on_time,
            c.reports_late, c.reports_missing, c.indicators_asked, c.indicators_supplied, c.targets_total,
            c.targets_met, *(points_value(s.points.get(p)) for p in PARTS),
            None if s.score is None else float(s.score)]


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def assessment_xlsx(a: Assessment, lang: str, tz: ZoneInfo) -> bytes:
    lang = lang if lang in COLUMNS else "en"
    book = Workbook()
    ws = book.active
    ws.title = SHEETS[lang]["scores"]
    headers = COLUMNS[lang]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for s in a.standings:
        ws.append(row_values(s, lang))
    for i, title in enumerate(headers, 1):
        widest = max([_width(title) // 2 + 2, *(_width(ws.cell(r, i).value) for r in range(2, ws.max_row + 1))])
        ws.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 6), 40)
        if title in (headers[-1],):
            for r in range(2, ws.max_row + 1):
                ws.cell(r, i).number_format = "0.0"
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(ws.max_row, 1)}"

    notes = book.create_sheet(SHEETS[lang]["notes"])
    words = NOTES[lang]
    local = a.as_of.astimezone(tz).replace(tzinfo=None, microsecond=0)
    cycles = ("、" if lang == "zh" else ", ").join(period_name(label, lang) for label in a.cycles)
    for key, value in (("year", a.year), ("as_of", local),
                       ("weights", " / ".join(str(weight(a.weights, p)) for p in PARTS)), ("cycles", cycles or "—"),
                       ("targets", words["targets_some"] if a.targets_known else words["targets_none"]),
                       ("formula", words["formula_text"])):
        notes.append([words[key], value])
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 100
    for row in notes.iter_rows():
        row[0].font = BOLD
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    notes.cell(2, 2).number_format = "yyyy-mm-dd hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(a: Assessment, lang: str) -> str:
    return t(lang, "assessment.filename", year=a.year)
