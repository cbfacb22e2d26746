"""The roll-up of offices below (issue 13): `/report 汇总`'s compiled draft — texts by working group,
each department once, totals by the indicator rules (rates never added up), who has not reported —
and how a unit's line reads in `/cycle`, the digest and the workbook."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.render.workbook import sheet_names, workbook_xlsx
from bot.rules.digest import Digest, Figure, GroupStanding, UnitStanding, period_for
from bot.rules.indicators import parse_indicators
from bot.rules.rollup import compile_reports
from bot.views.digest import plain, render
from bot.views.reports import compiled_text, unit_line

TZ = ZoneInfo("Asia/Shanghai")
GROUPS = [
    GroupStanding("产业发展工作专班", ["区经济信息委"], ["区财政局", "区科技局"], 0, 0),
    GroupStanding("要素保障工作专班", ["区财政局"], ["区经济信息委"], 0, 0),
]
MEMBERS = ["区财政局", "区经济信息委", "区科技局", "区交通局", "区商务委"]


def figure(dept: str, name: str, value: str, unit: str, written: str = "") -> Figure:
    return Figure(dept, name, Decimal(value), unit, written or unit)


TEXTS = {
    "区经济信息委": "产值：30亿元\n增长：3.5%\n本季度推进整车项目\n\n签约两个",
    "区财政局": "产值：1.2亿元\n增长：4.2%\n引进项目：2个\n资金到位",
    "区交通局": "管网施工过半",
}
FIGURES = [
    figure("区经济信息委", "产值", "300000", "万元", "亿元"), figure("区经济信息委", "增长", "3.5", "%"),
    figure("区财政局", "产值", "12000", "万元", "亿元"), figure("区财政局", "增长", "4.2", "%"),
    figure("区财政局", "引进项目", "2", "个"),
]


def test_texts_by_home_group_each_department_once_and_who_is_missing():
    compiled = compile_reports(MEMBERS, GROUPS, TEXTS, FIGURES)
    assert [(s.group, [e.department for e in s.entries]) for s in compiled.sections] == [
        ("产业发展工作专班", ["区经济信息委"]),  # it leads this one and is a member of the next: here only
        ("要素保障工作专班", ["区财政局"]),  # a member of the first group, but it leads this one
        (None, ["区交通局"]),  # in no group
    ]
    assert compiled.missing == ["区科技局", "区商务委"] and (compiled.submitted, compiled.total) == (3, 5)
    econ = compiled.sections[0].entries[0]
    assert econ.lines == ["本季度推进整车项目", "签约两个"]  # the figures are not repeated as text
    assert [(n, str(v), u) for n, v, u in econ.figures] == [("产值", "30", "亿元"), ("增长", "3.5", "%")]


def test_the_draft_reads_well_and_its_only_indicators_are_the_additive_totals():
    compiled = compile_reports(MEMBERS, GROUPS, TEXTS, FIGURES)
    for lang in ("zh", "en"):
        text = compiled_text(compiled, lang, office="永川区", label="2026-Q4")
        got = {(i.name, i.value, i.unit) for i in parse_indicators(text).indicators}
        assert got == {("产值", Decimal("312000"), "万元"), ("引进项目", Decimal(2), "个")}, text
        assert not parse_indicators(text).repeated
    text = compiled_text(compiled, "zh", office="永川区", label="2026-Q4")
    assert text.splitlines()[0] == "永川区2026年第四季度报送汇总（区内已报送 3/5）"
    assert "【产业发展工作专班】\n区经济信息委：\n本季度推进整车项目\n签约两个\n指标：产值30亿元、增长3.5%" in text
    assert "【其他部门】\n区交通局：\n管网施工过半" in text
    assert "产值：31.2亿元" in text and "引进项目：2个" in text
    assert "增长：3.5%—4.2%（2个部门，不合计）" in text  # a rate is never added up
    assert text.splitlines()[-1] == "尚未报送（2）：区科技局、区商务委"


def test_a_rate_given_by_one_department_is_named_not_taken_for_the_office():
    compiled = compile_reports(["区财政局"], [], {"区财政局": "增长：4.2%"}, [figure("区财政局", "增长", "4.2", "%")])
    text = compiled_text(compiled, "zh", office="璧山区", label="2026-Q4")
    assert "增长：4.2%（区财政局，不合计）" in text and not parse_indicators(text).indicators
    assert text.splitlines()[-1] == "区内各部门均已报送。"


def test_nothing_reported_yet():
    text = compiled_text(compile_reports(["区财政局", "区科技局"], GROUPS, {}, []), "zh", office="璧山区",
                         label="2026-Q4")
    assert "尚未报送（2）：区财政局、区科技局" in text and "区内尚无部门报送。" in text
    assert not parse_indicators(text).indicators


def test_long_texts_share_the_budget_and_a_cut_line_never_becomes_a_figure():
    many = [f"部门{i:02d}" for i in range(40)]
    texts = {d: "推进情况良好，" * 200 + "\n产值 3亿元" for d in many}
    compiled = compile_reports(many, [], texts, [], budget=8_000)
    text = compiled_text(compiled, "zh", office="永川区", label="2026-Q4")
    assert len(text) < 8_000 + 40 * 30
    assert all(e.lines[-1].endswith("…") for e in compiled.sections[0].entries)
    assert not parse_indicators(text).indicators


def test_a_unit_line_shows_its_own_report_and_the_office_within():
    assert unit_line(UnitStanding("永川区", True, False, 18, 24), "zh") == "• 永川区 ✅ 已报送（区内 18/24）"
    assert unit_line(UnitStanding("璧山区", False, False, 0, 3), "zh") == "• 璧山区 ⏳ 未报送（区内 0/3）"
    assert unit_line(UnitStanding("荣昌区", True, True), "zh") == "• 荣昌区 ✅ 已报送（逾期）"
    assert unit_line(UnitStanding("永川区", True, False, 18, 24), "en") == "• 永川区: ✅ reported (within: 18/24)"


def _digest(**changes: object) -> Digest:
    at = datetime(2026, 12, 26, 1, 0, tzinfo=UTC)
    d = Digest(period=period_for("quarter", at, TZ), generated_at=at, cycle_label="2026-Q4",
               cycle_deadline=datetime(2026, 12, 25, 10, 0, tzinfo=UTC), submitted=2, total=3, missing=["璧山区"],
               late=[], tasks_opened=0, tasks_finished=0, overdue=[], groups=[], departments=[], figures=[])
    return replace(d, **changes)


def test_the_digest_and_workbook_show_the_offices_below():
    units = [UnitStanding("永川区", True, False, 3, 3), UnitStanding("璧山区", False, False, 0, 3)]
    d = _digest(units=units, office="重庆市")
    text = plain(render(d, "zh", TZ))
    assert text.splitlines()[0].endswith("（重庆市）")
    assert "下级单位\n• 永川区 ✅ 已报送（区内 3/3）\n• 璧山区 ⏳ 未报送（区内 0/3）" in text
    book = load_workbook(io.BytesIO(workbook_xlsx(d, "zh", TZ)))
    assert book.sheetnames == sheet_names("zh", units=True) and book.sheetnames[-1] == "下级单位"
    rows = [[c.value for c in row] for row in book["下级单位"].iter_rows()]
    assert rows[1:] == [["永川区", "是", "否", 3, 3, "3/3"], ["璧山区", "否", "否", 0, 3, "0/3"]]
    assert book["概况"]["B1"].value == "重庆市"
    # an office without offices below keeps its five sheets and its text
    assert load_workbook(io.BytesIO(workbook_xlsx(_digest(), "zh", TZ))).sheetnames == sheet_names("zh")
    assert "下级单位" not in plain(render(_digest(), "zh", TZ))
