"""Annual targets against year-to-date figures (bot/rules/targets.py, bot/views/targets.py): the
numbers below are computed by hand in the comments, never copied from the code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UsageError
from bot.rules.org_extras import TargetSpec
from bot.rules.targets import (Reported, TargetsReport, completion, is_year_to_date, met_per_department, parse_year,
                               standings, table_targets, year_share)
from bot.views.targets import report_text

TZ = ZoneInfo("Asia/Shanghai")
D = Decimal

ECON, TECH, TRADE = "区经济信息委", "区科技局", "区商务委"
SPECS = (
    TargetSpec(2026, "产值", "亿元", D(500), ((ECON, D(300)), (TECH, D(100)))),
    TargetSpec(2026, "增速", "%", D(8), ((ECON, D(8)),)),
    TargetSpec(2026, "引进项目", "个", D(20)),
    TargetSpec(2025, "产值", "亿元", D(400)),  # another year: never shown for 2026
)
# ranks: 0 = 2026-Q2, 1 = 2026-Q3; values in the canonical unit (万元) as stored
FIGURES = [
    Reported(ECON, 1, "2026-Q3", "产值", D(2804000), "万元"),  # 280.4亿元
    Reported(ECON, 0, "2026-Q2", "产值", D(1200000), "万元"),  # an earlier quarter (later in the list): not taken
    Reported(ECON, 1, "2026-Q3", "增速", D("9.5"), "%"),
    Reported(TECH, 1, "2026-Q3", "产值", D(200000), "万元"),  # 20亿元
    Reported(TECH, 1, "2026-Q3", "本季度产值", D(100000), "万元"),  # the quarter's own: not year-to-date
    Reported(TECH, 1, "2026-Q3", "增速", D("6.0"), "%"),
    Reported(TRADE, 0, "2026-Q2", "产值", D(100000), "万元"),  # 10亿元; its Q3 report has no 产值
    Reported(TRADE, 1, "2026-Q3", "引进项目", D(12), "项"),  # 项 counts as 个
]
AT = datetime(2026, 11, 15, 10, 0, tzinfo=TZ)  # 318 days gone (Jan–Oct 304 + 14): 318/365 = 87.12% → 87.1


def test_the_share_of_the_year_gone_counts_whole_days_before_today() -> None:
    assert year_share(2026, AT, TZ) == D("87.1")
    assert year_share(2026, datetime(2026, 1, 1, 23, 0, tzinfo=TZ), TZ) == D(0)
    assert year_share(2026, datetime(2027, 1, 2, tzinfo=TZ), TZ) == D(100)  # a year over
    assert year_share(2027, AT, TZ) == D(0)  # a year not begun
    assert year_share(2024, datetime(2024, 3, 1, tzinfo=TZ), TZ) == D("16.4")  # leap year: 60/366 = 16.39
    # the office's day: 2026-07-01 01:00 in Shanghai is still June 30 in UTC: 181/365 = 49.59 → 49.6
    assert year_share(2026, datetime(2026, 7, 1, 1, 0, tzinfo=TZ), TZ) == D("49.6")


def test_completion_has_one_decimal_rounded_half_up() -> None:
    assert completion(D("310.4"), D(500)) == D("62.1")  # 62.08
    assert completion(D("62.25"), D(100)) == D("62.3")  # half up, not to even
    assert completion(D(5), D(0)) is None


def test_only_year_to_date_figures_count() -> None:
    assert is_year_to_date("产值") and is_year_to_date("1-9月产值")
    assert not any(is_year_to_date(n) for n in ("本季度产值", "当季产值", "本月 产值"))


def test_office_and_departments_against_their_targets() -> None:
    output, growth, projects = standings(SPECS, 2026, FIGURES, AT, TZ)
    assert (output.indicator, output.unit, output.share) == ("产值", "亿元", D("87.1"))
    # office: 280.4 + 20 + 10 = 310.4 of 500 = 62.08% → 62.1, below 87.1: behind
    assert (output.office.figure, output.office.rate, output.office.on_pace) == (D("310.4"), D("62.1"), False)
    assert output.count == 3
    econ, tech = output.departments
    # 280.4 / 300 = 93.47% → 93.5 ≥ 87.1: on pace, from Q3
    assert (econ.name, econ.figure, econ.rate, econ.on_pace, econ.cycle) == (ECON, D("280.4"), D("93.5"), True, "2026-Q3")
    # 20 / 100 = 20.0%: behind (本季度产值 10亿元 is not its year-to-date figure)
    assert (tech.figure, tech.rate, tech.on_pace) == (D(20), D("20.0"), False)

    # a rate is not added up: the office shows the range 6.0～9.5, met only when the lowest reaches 8
    assert (growth.additive, growth.office.figure, growth.low, growth.high) == (False, None, D("6.0"), D("9.5"))
    assert growth.office.on_pace is False
    (econ_growth,) = growth.departments
    # 9.5 ≥ 8: met whatever the date; 9.5 / 8 = 118.75% → 118.8
    assert (econ_growth.on_pace, econ_growth.rate) == (True, D("118.8"))

    # 12项 of 20个 = 60.0% < 87.1
    assert (projects.office.figure, projects.office.rate, projects.office.on_pace) == (D(12), D("60.0"), False)


def test_a_department_without_figures_has_not_met_its_target() -> None:
    only_econ = [f for f in FIGURES if f.department == ECON]
    output = standings(SPECS[:1], 2026, only_econ, AT, TZ)[0]
    assert output.departments[1].figure is None and output.departments[1].on_pace is None
    assert met_per_department([output]) == {ECON: (1, 1), TECH: (0, 1)}


def test_targets_met_per_department_for_the_assessment() -> None:
    found = standings(SPECS, 2026, FIGURES, AT, TZ)
    # 区经济信息委: 产值 on pace, 增速 met; 区科技局: 产值 behind
    assert met_per_department(found) == {ECON: (2, 2), TECH: (0, 1)}
    # the year over: 280.4 of 300 is 93.5% < 100: no longer met
    over = standings(SPECS, 2026, FIGURES, datetime(2027, 1, 10, tzinfo=TZ), TZ)
    assert met_per_department(over) == {ECON: (1, 2), TECH: (0, 1)}


def test_the_work_reports_target_column_goes_to_the_closest_row_in_its_unit() -> None:
    found = standings(SPECS, 2026, FIGURES, AT, TZ)
    rows = [("本季度产值", "万元"), ("工业产值", "亿元"), ("产值", "万元"), ("增速", "%"), ("引进项目", "项")]
    # 500亿元 = 5000000万元 on the row named exactly 产值; the quarter's own row gets none
    assert table_targets(rows, found) == {"产值": D(5000000), "增速": D(8), "引进项目": D(20)}


def test_the_year_argument() -> None:
    assert parse_year([], 2026) == 2026
    assert parse_year(["2025"], 2026) == 2025 and parse_year(["２０２７年"], 2026) == 2027
    for bad in (["26"], ["2026", "x"], ["1999"], ["明年"]):
        with pytest.raises(UsageError):
            parse_year(bad, 2026)


def test_the_text_a_director_reads() -> None:
    found = standings(SPECS, 2026, FIGURES, AT, TZ)
    text = report_text(TargetsReport(2026, D("87.1"), found), "zh")
    assert "2026年目标完成情况" in text and "全年时间已过 87.1%" in text
    assert "产值（亿元）：310.4/500，完成率 62.1%，⚠️ 落后进度（应达 87.1%）" in text
    assert "• 区经济信息委：280.4/300，完成率 93.5%，✅ 进度达标" in text
    assert "• 区科技局：20/100，完成率 20.0%，⚠️ 落后进度" in text  # always one decimal
    assert "增速（%）：各单位 6～9.5，目标 8，⚠️ 未达目标" in text
    assert "• 区经济信息委：9.5/8，完成率 118.8%，✅ 达到目标" in text
    assert "引进项目（个）：12/20，完成率 60.0%" in text
    assert report_text(TargetsReport(2031, D(0), []), "zh") == "2031年未设定年度目标（年度目标在组织架构文件中设定）。"
    english = report_text(TargetsReport(2026, D("87.1"), found), "en")
    assert "产值 (亿元): 310.4/500, 62.1% done, ⚠️ behind pace (should be 87.1%)" in english


def test_reaching_the_whole_target_says_so() -> None:
    figures = [Reported(ECON, 0, "2026-Q3", "产值", D(3100000), "万元")]  # 310亿元 of 300: 103.3%
    output = standings(SPECS[:1], 2026, figures, AT, TZ)[0]
    text = "\n".join(report_text(TargetsReport(2026, output.share, [output]), "zh").splitlines())
    assert "• 区经济信息委：310/300，完成率 103.3%，✅ 已完成全年目标" in text
    assert "• 区科技局：尚无数据，目标 100" in text
