"""The digest as an Excel workbook (openpyxl), in the reader's language.

Sheets, in order (names in `SHEETS`, all ≤ 31 characters):
- cover: the digest's title and period by name (2026年第四季度, never the stored code), generation time, reporting cycle and deadline, submitted/total
  (the two numbers and the "3/5" text), missing and late counts, tasks opened/finished/overdue;
- tasks: one row per task — number (a number cell shown as #12, so it sorts), title, due, created,
  open/closed, parts done/all — then one column per department the listed tasks involve (in the
  digest's department order) holding that department's status, coloured for done and overdue;
- reports: one row per department — liaison, reported, late, version, then one numeric column per
  indicator, headed "name（unit）" in the unit it is shown in, in the order indicators first appear;
- totals: indicator, unit, total (empty for a rate, which is never added up), lowest, highest,
  number of departments that gave it — all from Digest.summaries(), as the digest text;
- liaisons: department, liaison, kind, since, unreachable;
- units (only for an office with offices below it): each office below as its unit — whether the unit
  reported upward (and late), and that office's own submitted and due counts within, and "18/24";
- agreed items (议定事项, only when the digest has meetings): one row per item — meeting, its date,
  item number (#12), title, lead departments, due, state (done, closed, overdue with its days,
  standing 长期坚持, in progress), state coloured for done and overdue;
- targets (目标完成, only when the office has targets for the period's year, bot/rules/targets.py):
  per target the office's line then each department's — year-to-date figure, target, completion
  (%), the share of the year gone (%), on pace or behind (a rate: met or not), the cycle the
  department's figure comes from, and how many units' figures the office's line adds up.

Every sheet but the cover has a bold header row, frozen panes, an autofilter and column widths that
count a CJK character as two. Numbers are number cells (Decimal → int when whole, else float: Excel
keeps doubles anyway); dates are real Excel datetimes, naive, in the office's zone `tz` (Excel has no
time zones). Text is written as text, never as a formula, even when it starts with "="; characters XML
cannot hold (control characters) are dropped and a cell is cut at Excel's 32,767 characters.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.rules.digest import Digest, IndicatorSummary
from bot.rules.indicators import number_text
from bot.rules.targets import Progress
from bot.texts import CATALOG, period_name, t

SHEETS: dict[str, dict[str, str]] = {
    "zh": {"cover": "概况", "tasks": "交办任务", "reports": "报送与指标", "totals": "指标合计", "liaisons": "联络员",
           "units": "下级单位", "meetings": "议定事项", "targets": "目标完成"},
    "en": {"cover": "Summary", "tasks": "Tasks", "reports": "Reports and indicators", "totals": "Indicator totals",
           "liaisons": "Liaisons", "units": "Offices below", "meetings": "Agreed items", "targets": "Targets"},
}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "week": "周调度", "month": "月度分析", "quarter": "季度通报", "year": "年度综述",
        "title": "标题", "period_start": "统计区间起", "period_end": "统计区间止", "generated": "生成时间",
        "cycle": "报送周期", "deadline": "报送截止", "submitted": "已报送部门", "total": "应报送部门",
        "ratio": "已报送/应报送", "missing": "未报送部门", "late_count": "逾期报送部门", "opened": "本期新增交办单",
        "finished": "本期办结交办单", "overdue_count": "当前逾期事项",
        "number": "编号", "task": "交办事项", "due": "截止时间", "created": "交办时间", "state": "状态",
        "open_state": "办理中", "closed_state": "已关闭", "done_parts": "已办结部门", "all_parts": "承办部门",
        "department": "部门", "liaison": "联络员", "reported": "已报送", "late": "逾期报送", "version": "版本",
        "indicator": "指标", "unit": "单位", "sum": "合计", "departments": "报送部门数",
        "low": "最低", "high": "最高",
        "kind": "类别", "since": "任职起", "unreachable": "无法联系", "yes": "是", "no": "否",
        "unit_header": "{name}（{unit}）",
        "office_below": "下级单位", "inside_submitted": "区内已报送", "inside_total": "区内应报送",
        "inside_ratio": "区内已报送/应报送", "office": "单位",
        "meeting": "会议", "held_on": "会议日期", "item": "议定事项", "leads": "牵头单位",
        "item.done": "已办结", "item.closed": "已关闭", "item.overdue": "逾期{days}天", "item.overdue_today": "已逾期（不足1天）",
        "item.standing": "长期坚持", "item.open": "办理中",
    },
    "en": {
        "week": "Weekly dispatch", "month": "Monthly analysis", "quarter": "Quarterly bulletin", "year": "Annual review",
        "title": "Digest", "period_start": "Period from", "period_end": "Period to", "generated": "Generated",
        "cycle": "Reporting cycle", "deadline": "Reporting deadline", "submitted": "Departments reported",
        "total": "Departments due to report", "ratio": "Reported/due", "missing": "Not reported",
        "late_count": "Reported late", "opened": "Tasks opened in the period", "finished": "Tasks finished in the period",
        "overdue_count": "Overdue task parts now",
        "number": "No.", "task": "Task", "due": "Due", "created": "Assigned", "state": "State",
        "open_state": "open", "closed_state": "closed", "done_parts": "Departments done", "all_parts": "Departments",
        "department": "Department", "liaison": "Liaison", "reported": "Reported", "late": "Late", "version": "Version",
        "indicator": "Indicator", "unit": "Unit", "sum": "Total", "departments": "Departments reporting it",
        "low": "Lowest", "high": "Highest",
        "kind": "Kind", "since": "Since", "unreachable": "Unreachable", "yes": "yes", "no": "no",
        "unit_header": "{name} ({unit})",
        "office_below": "Office below", "inside_submitted": "Reported within", "inside_total": "Due within",
        "inside_ratio": "Within: reported/due", "office": "Office",
        "meeting": "Meeting", "held_on": "Held on", "item": "Agreed item", "leads": "Lead departments",
        "item.done": "done", "item.closed": "closed", "item.overdue": "{days} days overdue",
        "item.overdue_today": "overdue (under a day)", "item.standing": "standing", "item.open": "in progress",
    },
}

DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
TASK_NUMBER = '"#"0'
MAX_CELL = 32767
MAX_WIDTH = 50
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")
STATUS_FILL = {"done": PatternFill("solid", fgColor="C8E6C9"), "overdue": PatternFill("solid", fgColor="FFCDD2")}


def _naive(moment: datetime, tz: ZoneInfo) -> datetime:
    """Excel has no time zones: the wall-clock time in the office's zone, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _number(value: Decimal) -> int | float | None:
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]


def _cell(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, datetime):
        return _naive(value, tz)
    if isinstance(value, date):
        return value
    return _text(str(value))


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


class _Sheet:
    """Rows written to one worksheet, with the bookkeeping for widths and formats."""

    def __init__(self, ws: Worksheet, tz: ZoneInfo) -> None:
        self.ws, self.tz = ws, tz
        self.rows = 0
        self.columns = 0
        self.widths: dict[int, int] = defaultdict(int)

    def row(self, values: Sequence[Any], *, formats: dict[int, str] | None = None,
            fills: dict[int, PatternFill] | None = None, font: Font | None = None) -> None:
        """Append a row; empty values make no cell at all (a wide sparse sheet stays small)."""
        self.rows += 1
        self.columns = max(self.columns, len(values))
        for c, raw in enumerate(values, 1):
            value = _cell(raw, self.tz)
            if value is None:
                continue
            self.widths[c] = max(self.widths[c], _width(value))
            cell = self.ws.cell(self.rows, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            if isinstance(value, datetime):
                cell.number_format = DATETIME
            elif isinstance(value, date):
                cell.number_format = DATE
            if formats and c in formats:
                cell.number_format = formats[c]
            if fills and c in fills:
                cell.fill = fills[c]
            if font:
                cell.font = font

    def header(self, titles: Sequence[str]) -> None:
        self.row(titles, font=BOLD)
        for c in range(1, len(titles) + 1):
            cell = self.ws.cell(self.rows, c)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)

    def finish(self, freeze: str | None, *, minimum: int = 6, fixed: dict[int, int] | None = None) -> None:
        for c, width in self.widths.items():
            width = (fixed or {}).get(c, width)
            self.ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, minimum), MAX_WIDTH)
        if freeze:
            self.ws.freeze_panes = freeze
            if self.rows > 1:
                self.ws.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows}"


def _status(lang: str, status: str) -> str:
    key = f"status.{status}"
    return t(lang, key) if key in CATALOG else status


def _kind(lang: str, kind: str | None) -> str | None:
    if kind is None:
        return None
    key = f"kind.{kind}"
    return t(lang, key) if key in CATALOG else kind


def _cover(s: _Sheet, d: Digest, w: dict[str, str], lang: str) -> None:
    p = d.period
    rows: list[tuple[str, Any]] = [(w["office"], d.office)] if d.office else []
    rows += [
        (w["title"], f"{w.get(p.kind, p.kind)} {period_name(p.label, lang)}"),
        (w["period_start"], p.start.astimezone(s.tz).date()),
        (w["period_end"], (p.until or p.end - timedelta(seconds=1)).astimezone(s.tz).date()),
        (w["generated"], d.generated_at),
        (w["cycle"], period_name(d.cycle_label, lang) if d.cycle_label else None),
        (w["deadline"], d.cycle_deadline),
        (w["submitted"], d.submitted),
        (w["total"], d.total),
        (w["ratio"], f"{d.submitted}/{d.total}"),
        (w["missing"], len(d.missing)),
        (w["late_count"], len(d.late)),
        (w["opened"], d.tasks_opened),
        (w["finished"], d.tasks_finished),
        (w["overdue_count"], len(d.overdue)),
    ]
    for key, value in rows:
        s.row([key, value])
        s.ws.cell(s.rows, 1).font = BOLD
        s.ws.cell(s.rows, 2).alignment = Alignment(horizontal="left")
    s.finish(None, minimum=12)


def _involved(d: Digest) -> list[str]:
    """Departments the listed tasks name, in the digest's department order, strangers last."""
    named = {dept for task in d.tasks for dept in task.statuses}
    ordered = [s.department for s in d.departments if s.department in named]
    known = set(ordered)
    return ordered + sorted(named - known)


def _tasks(s: _Sheet, d: Digest, w: dict[str, str], lang: str) -> None:
    depts = _involved(d)
    fixed = 7  # number, task, due, created, state, done, all; then one column per department
    s.header([w["number"], w["task"], w["due"], w["created"], w["state"], w["done_parts"], w["all_parts"], *depts])
    for task in d.tasks:
        statuses = [task.statuses.get(dept) for dept in depts]
        fills = {fixed + 1 + i: STATUS_FILL[st] for i, st in enumerate(statuses) if st in STATUS_FILL}
        done = sum(1 for st in task.statuses.values() if st == "done")
        s.row([task.task_id, task.title, task.due, task.created, w["closed_state" if task.closed else "open_state"],
               done, len(task.statuses), *(_status(lang, st) if st else None for st in statuses)],
              formats={1: TASK_NUMBER}, fills=fills)
    s.finish("C2", fixed={2: min(max(s.widths[2], 10), 40)})
    for c in range(fixed + 1, fixed + 1 + len(depts)):
        s.ws.cell(1, c).alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)


def _reports(s: _Sheet, d: Digest, w: dict[str, str], summaries: list[IndicatorSummary]) -> None:
    columns = [(i.name, i.unit) for i in summaries]
    values: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for i in summaries:
        for dept, value in i.values:
            values[dept][(i.name, i.unit)] = value
    headers = [w["unit_header"].format(name=name, unit=unit) if unit else name for name, unit in columns]
    s.header([w["department"], w["liaison"], w["reported"], w["late"], w["version"], *headers])
    seen = set()
    for st in d.departments:
        seen.add(st.department)
        mine = values.get(st.department, {})
        s.row([st.department, st.liaison, w["yes" if st.reported else "no"], w["yes" if st.late else "no"],
               st.version if st.reported else None, *(mine.get(col) for col in columns)])
    for dept in values:  # figures of a department the standings do not list (should not happen)
        if dept not in seen:
            s.row([dept, None, None, None, None, *(values[dept].get(col) for col in columns)])
    s.finish("B2")


def _totals(s: _Sheet, w: dict[str, str], summaries: list[IndicatorSummary]) -> None:
    s.header([w["indicator"], w["unit"], w["sum"], w["low"], w["high"], w["departments"]])
    for i in summaries:
        s.row([i.name, i.unit, _rounded(i.total), _rounded(i.low), _rounded(i.high), i.count])
    s.finish("B2", minimum=8)


def _rounded(value: Decimal | None) -> Decimal | None:
    """As the digest text shows it (`number_text`: at most two decimals)."""
    return None if value is None else Decimal(number_text(value))


def _liaisons(s: _Sheet, d: Digest, w: dict[str, str], lang: str) -> None:
    s.header([w["department"], w["liaison"], w["kind"], w["since"], w["unreachable"]])
    for line in d.liaisons:
        s.row([line.department, line.name, _kind(lang, line.kind), line.since, w["yes" if line.unreachable else "no"]])
    s.finish("B2", minimum=8)


def _units(s: _Sheet, d: Digest, w: dict[str, str]) -> None:
    """The offices below: each unit's own report upward, and its office's submitted/total within."""
    s.header([w["office_below"], w["reported"], w["late"], w["inside_submitted"], w["inside_total"], w["inside_ratio"]])
    for u in d.units:
        inside = u.inside
        s.row([u.name, w["yes" if u.reported else "no"], w["yes" if u.late else "no"],
               inside[0] if inside else None, inside[1] if inside else None,
               f"{inside[0]}/{inside[1]}" if inside else None])
    s.finish("B2", minimum=8)


def _meetings(s: _Sheet, d: Digest, w: dict[str, str]) -> None:
    """Every agreed item of the digest's meetings, by meeting."""
    s.header([w["meeting"], w["held_on"], w["number"], w["item"], w["leads"], w["due"], w["state"]])
    for m in d.meetings:
        for item in m.items:
            state = w["item.overdue_today"] if item.state == "overdue" and not item.days \
                else w[f"item.{item.state}"].format(days=item.days)
            fill = STATUS_FILL.get("done" if item.finished else item.state)
            s.row([m.title, m.held_on, item.task_id, item.title, "、".join(item.leads), item.due, state],
                  formats={3: TASK_NUMBER}, fills={7: fill} if fill else None)
    s.finish("D2", fixed={1: min(max(s.widths[1], 10), 30), 4: min(max(s.widths[4], 10), 40)})


def _target_state(p: Progress, additive: bool, lang: str) -> str:
    if p.on_pace is None:
        return t(lang, "targets.state.empty") if p.target is not None else ""
    return t(lang, f"targets.state.{('on_pace' if p.on_pace else 'behind') if additive else ('met' if p.on_pace else 'not_met')}")


def _targets(s: _Sheet, d: Digest, lang: str) -> None:
    """目标完成: per target, the office's line (the sum of the departments' figures; empty for a rate,
    which is never added up) then each department with a target of its own and where its figure
    comes from."""
    keys = ("indicator", "unit", "scope", "figure", "target", "rate", "share", "state", "source", "count")
    s.header([t(lang, f"targets.col.{k}") for k in keys])
    for st in d.targets:
        o = st.office
        s.row([st.indicator, st.unit, t(lang, "targets.scope.office"), _rounded(o.figure), _rounded(o.target),
               o.rate, st.share if st.additive else None, _target_state(o, st.additive, lang), None, st.count])
        for p in st.departments:
            s.row([st.indicator, st.unit, p.name, _rounded(p.figure), _rounded(p.target), p.rate,
                   st.share if st.additive else None, _target_state(p, st.additive, lang),
                   period_name(p.cycle, lang) if p.cycle else None, None])
    s.finish("D2", minimum=8)


def workbook_xlsx(digest: Digest, lang: str, tz: ZoneInfo) -> bytes:
    """The digest as .xlsx bytes; `lang` is zh or en (anything else reads as en), `tz` the office's."""
    lang = lang if lang in SHEETS else "en"
    names, w = SHEETS[lang], WORDS[lang]
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = names["cover"]
    _cover(_Sheet(cover, tz), digest, w, lang)
    _tasks(_Sheet(wb.create_sheet(names["tasks"]), tz), digest, w, lang)
    summaries = digest.summaries()
    _reports(_Sheet(wb.create_sheet(names["reports"]), tz), digest, w, summaries)
    _totals(_Sheet(wb.create_sheet(names["totals"]), tz), w, summaries)
    _liaisons(_Sheet(wb.create_sheet(names["liaisons"]), tz), digest, w, lang)
    if digest.units:
        _units(_Sheet(wb.create_sheet(names["units"]), tz), digest, w)
    if digest.meetings:
        _meetings(_Sheet(wb.create_sheet(names["meetings"]), tz), digest, w)
    if digest.targets:
        _targets(_Sheet(wb.create_sheet(names["targets"]), tz), digest, lang)
    wb.properties.creator = "liaison-desk"
    wb.properties.title = f"{w.get(digest.period.kind, digest.period.kind)} {period_name(digest.period.label, lang)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_names(lang: str, *, units: bool = False, meetings: bool = False, targets: bool = False) -> list[str]:
    """The sheets' names in order, as `workbook_xlsx` writes them for `lang` (`units`: for an
    office with offices below it; `meetings`: for a digest with meetings; `targets`: for an office
    with targets for the period's year; their sheets last)."""
    names = SHEETS[lang if lang in SHEETS else "en"]
    keys = ("cover", "tasks", "reports", "totals", "liaisons") + (("units",) if units else ()) \
        + (("meetings",) if meetings else ()) + (("targets",) if targets else ())
    return [names[k] for k in keys]


__all__ = ["SHEETS", "sheet_names", "workbook_xlsx"]
