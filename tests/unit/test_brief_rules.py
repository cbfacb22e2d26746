"""The work report's pure rules: splitting a report at the liaison's headings, one home group per
department, a task's state as a report states it, the indicator rows, /brief's words."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.render.brief import brief_docx, chinese_number
from bot.rules.brief import (CLOSED, DONE, OPEN, OVERDUE, STANDING, AgreedItem, Brief, by_group, indicator_rows,
                             item_state, split_report)
from bot.rules.commands import parse_brief_request
from bot.rules.digest import (Digest, Figure, GroupStanding, MeetingStanding, Period, TaskLine, UnitStanding,
                              summarize)

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("current", "plan"), [
    ("一、本季度工作情况", "二、下季度工作计划"),
    ("（一）本季度主要工作及成效", "（二）下一步工作打算"),
    ("1.本季度工作", "2.下季度计划"),
    ("一、工作开展情况", "二、下一步工作计划"),
    ("本月工作：", "下月工作安排："),
    ("本年度重点工作推进情况", "明年工作思路"),
])
def test_headings_in_the_usual_phrasings_split_the_report(current: str, plan: str) -> None:
    parts = split_report(f"总体平稳。\n{current}\n完成厂房建设\n\n产值：3亿元\n{plan}\n推进整车下线")
    assert parts.split
    assert parts.lead == ("总体平稳。",)
    assert parts.current == ("完成厂房建设", "产值：3亿元")
    assert parts.plan == ("推进整车下线",)


def test_text_after_a_headings_colon_stays_in_its_part() -> None:
    parts = split_report("本季度工作：签约项目3个，开工2个。\n下一步打算：加强招商（重点：链主企业）。")
    # as written: full-width punctuation stays full-width
    assert (parts.current, parts.plan) == (("签约项目3个，开工2个。",), ("加强招商（重点：链主企业）。",))


@pytest.mark.parametrize("line", [
    "本季度完成道路建设",  # a sentence that starts like a heading
    "本季度工作中发现的问题较多需要进一步研究解决的事项",
    "三、存在问题",
    "工作：已完成",  # too plain to be a heading
    "产值：49.6亿元",
])
def test_sentences_are_not_headings(line: str) -> None:
    parts = split_report(f"{line}\n其他内容")
    assert not parts.split and parts.lead == (line, "其他内容")


@given(st.text(max_size=400))
def test_splitting_never_raises_and_keeps_every_line_not_a_heading(text: str) -> None:
    parts = split_report(text)
    kept = parts.lead + parts.current + parts.plan
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert all(line in " ".join(lines) for line in kept)  # nothing invented
    if not parts.split:
        assert list(kept) == lines  # without headings, the report exactly as written


def test_departments_appear_once_under_their_home_group() -> None:
    groups = [GroupStanding("产业发展工作专班", ["区经济信息委"], ["区财政局"], 0, 0),
              GroupStanding("资金保障工作专班", ["区财政局"], ["区经济信息委"], 0, 0),
              GroupStanding("人力资源工作专班", ["区人力社保局"], [], 0, 0)]
    placed = by_group(groups, ["区财政局", "区经济信息委", "区统计局"])
    assert placed == [("产业发展工作专班", ["区经济信息委"]), ("资金保障工作专班", ["区财政局"]),
                      ("人力资源工作专班", []), (None, ["区统计局"])]


def test_a_tasks_state() -> None:
    assert item_state({"a": "done", "b": "done"}, closed=False).state == DONE
    assert item_state({"a": "done", "b": "pending"}, closed=True).state == CLOSED
    late = item_state({"a": "overdue", "b": "done", "c": "in_progress"}, closed=False)
    assert (late.state, late.done, late.total, late.overdue) == (OVERDUE, 1, 3, ("a",))
    assert item_state({"a": "overdue"}, closed=False, standing=True).state == STANDING  # never overdue
    assert item_state({"a": "unnotified"}, closed=False).state == OPEN


def test_indicator_rows_are_the_digests_summaries_with_room_for_targets() -> None:
    figures = [Figure("甲", "产值", Decimal("100000"), "万元", "亿元"), Figure("乙", "产值", Decimal("50000"), "万元", "亿元"),
               Figure("甲", "增长", Decimal("8"), "%"), Figure("乙", "增长", Decimal("12.5"), "%")]
    rows = indicator_rows(summarize(figures))
    assert [(r.name, r.unit, r.total, r.count, r.target) for r in rows] == [
        ("产值", "亿元", Decimal("15"), 2, None), ("增长", "%", None, 2, None)]
    assert (rows[1].low, rows[1].high) == (Decimal("8"), Decimal("12.5"))
    with_target = indicator_rows(summarize(figures), {"产值": Decimal("20")})
    assert with_target[0].target == Decimal("20") and with_target[1].target is None


@pytest.mark.parametrize(("args", "expected"), [
    ([], ("quarter", False)), (["季度"], ("quarter", False)), (["月"], ("month", False)), (["年"], ("year", False)),
    (["quarter"], ("quarter", False)), (["上季度"], ("quarter", True)), (["上月"], ("month", True)),
    (["去年"], ("year", True)), (["last", "quarter"], ("quarter", True)), (["ＹＥＡＲ"], ("year", False)),
])
def test_brief_words(args: list[str], expected: tuple[str, bool]) -> None:
    assert parse_brief_request(args) == expected


@pytest.mark.parametrize("args", [["周"], ["上周"], ["decade"], ["季度", "月"]])
def test_other_words_are_a_usage_error(args: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_brief_request(args)


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (5, "五"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")])
def test_headings_are_numbered_in_chinese(n: int, text: str) -> None:
    assert chinese_number(n) == text




# ------------------------------------------------ the document from plain data (no database)


def _digest() -> Digest:
    """A city office's quarter: two districts reported, one did not; a task done, an agreed item open."""
    tz = TZ
    period = Period("quarter", datetime(2026, 10, 1, tzinfo=tz), datetime(2027, 1, 1, tzinfo=tz), "2026-Q4")
    due = datetime(2026, 12, 10, 18, 0, tzinfo=tz)
    return Digest(
        period=period, generated_at=datetime(2026, 12, 26, 9, 0, tzinfo=tz), cycle_label="2026-Q4",
        cycle_deadline=datetime(2026, 12, 25, 18, 0, tzinfo=tz), submitted=2, total=3, missing=["大足区"], late=[],
        tasks_opened=2, tasks_finished=1, overdue=[], groups=[], departments=[],
        figures=[Figure("璧山区", "产值", Decimal("100000"), "万元", "亿元"), Figure("永川区", "产值", Decimal("50000"), "万元", "亿元")],
        tasks=[TaskLine(7, "编制产业规划", due, due, False, {"璧山区": "done", "永川区": "done"}),
               TaskLine(8, "落实扶持资金", due, due, False, {"永川区": "in_progress"})],
        units=[UnitStanding("璧山区", True, False, 18, 24), UnitStanding("大足区", False, False, 3, 20)],
        meetings=[MeetingStanding(2, "第三次全体会议", date(2026, 10, 15), total=4, done=3)],
    )


def test_the_document_from_plain_data_has_the_units_and_the_meetings() -> None:
    digest, tz = _digest(), TZ
    paper = Brief(digest, "重庆市领导小组办公室", texts={"璧山区": "本季度工作：完成布点", "永川区": ""},
                  agreed={8: AgreedItem(8, 2, "第三次全体会议", date(2026, 10, 15))})
    lines = [p.text for p in docx.Document(io.BytesIO(brief_docx(paper, "zh", tz))).paragraphs]
    assert lines[0] == "重庆市领导小组办公室2026年第四季度工作报告"
    assert "璧山区：已报送（区内已报送18/24）。" in lines and "大足区：未报送（区内已报送3/20）。" in lines
    assert "议定事项：共4项，已完成3项。" in lines  # the digest's meeting section counts
    assert "1.第三次全体会议（2026年10月15日）：议定事项4项，已完成3项。" in lines
    assert "（1）落实扶持资金（第8号）：推进中，0/1个单位已完成。" in lines
    assert "1.编制产业规划（第7号，2026年12月10日前完成）：已完成。" in lines
    assert "仅报送了附件，未填写文字。" in lines  # a report of files only
    english = [p.text for p in docx.Document(io.BytesIO(brief_docx(paper, "en", tz))).paragraphs]
    assert english[0] == "重庆市领导小组办公室: work report, Q4 2026" and "5. Units that did not report" in english
