"""Texts of the annual assessment (年度考核, issue 15): `/assessment`, its yearly send to the
directors, the workbook and the chart."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "cmd.assessment": ("年度考核得分与排名", "the annual assessment: scores and ranks"),
    "usage.assessment": ("用法：/assessment [年份]，例如 /assessment 2026；不写年份时，每年考核发送日（含当日）之前为上一年度，之后为本年度至今",
                         "Usage: /assessment [YEAR], e.g. /assessment 2026; without a year: last year up to and "
                         "including this year's sending day, then this year so far"),
    "assessment.title": ("<b>{year}年度考核</b>（{span}）", "<b>Annual assessment {year}</b> ({span})"),
    "assessment.span_full": ("全年", "the whole year"),
    "assessment.span_so_far": ("统计至{day}", "up to {day}"),
    "assessment.weights": ("权重：交办按时办结{tasks}分，按时报送{reports}分，指标齐全{indicators}分，目标完成{targets}分；"
                           "某项无可考核内容时，其分值按比例分给其余各项",
                           "Weights: tasks done on time {tasks}, reports on time {reports}, indicators supplied "
                           "{indicators}, targets met {targets}; a part with nothing to measure has its weight shared "
                           "among the others pro rata"),
    "assessment.no_targets": ("本年度未设部门目标，目标完成一项不计分", "No targets for this year: that part is not scored"),
    "assessment.cycles": ("计入报送周期：{names}", "Reporting cycles counted: {names}"),
    "assessment.no_cycles": ("计入报送周期：无", "Reporting cycles counted: none"),
    "assessment.line": ("{rank}. {name} {score}分 — 交办{due}项：按时{on_time}、逾期办结{late}、未办结{overdue}"
                        "，{ack}；报送{expected}次：按时{r_on}、逾期{r_late}、未报{missing}；指标{supplied}/{asked}"
                        "{targets}",
                        "{rank}. {name} {score} — tasks due {due}: on time {on_time}, late {late}, not done "
                        "{overdue}, {ack}; reports {expected}: on time {r_on}, late "
                        "{r_late}, missing {missing}; indicators {supplied}/{asked}{targets}"),
    "assessment.line_targets": ("；目标{met}/{total}", "; targets {met}/{total}"),
    "assessment.line_no_targets": ("；无本单位目标", "; no targets of its own"),
    "assessment.ack_hours": ("平均{hours}小时确认", "acknowledged in {hours} h on average"),
    "assessment.ack_none": ("无确认记录", "nothing acknowledged"),
    "assessment.unscored": ("— {name} 暂无可考核内容", "— {name} nothing to assess"),
    "assessment.empty": ("本办还没有部门，无可考核内容", "The office has no departments yet: nothing to assess"),
    "assessment.footer": ("明细见所附表格（各项计数、各项得分、总分、名次）",
                          "Every count, each part's points, the score and the rank: see the attached workbook"),
    "assessment.caption": ("{year}年度考核得分", "Annual assessment {year}: scores"),
    "assessment.book_caption": ("{year}年度考核明细表", "Annual assessment {year}: the workbook"),
    "assessment.filename": ("{year}年度考核.xlsx", "assessment-{year}.xlsx"),
    "assessment.scheduled": ("<b>{year}年度考核结果</b>已生成，请审阅", "<b>The {year} annual assessment</b> is ready for review"),
}
