"""The figures directors read (issue 11): numbering is not a name, a sentence is not an indicator,
an indicator counts once per version, rates are never summed, figures are written as official
documents write them, and a new version merges into a copy of the previous one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.digest import Figure, changes, summarize
from bot.rules.indicators import (compare, convert, figure_text, is_additive, merge_text, parse_indicators, shown,
                                  written_unit)

D = Decimal
NUMBERING = ["1.", "1、", "12.", "(1)", "（1）", "（一）", "一、", "十二、", "①", "⑩", "-", "•", "·", "1)", "1．", "⑴"]
NAMES = ["产值", "引进项目", "协议投资", "增长", "外出招商", "规上工业产值", "新型储能产业产值"]


@pytest.mark.parametrize("prefix", NUMBERING)
def test_numbering_is_not_part_of_the_name(prefix: str) -> None:
    for line in (f"{prefix}产值：49.6亿元", f"{prefix} 产值 49.6亿元"):
        [item] = parse_indicators(line).indicators
        assert (item.name, item.value, item.written) == ("产值", D("496000"), "亿元")


def test_each_figure_of_a_numbered_list_on_one_line_loses_its_number() -> None:
    for line in ("1、产值：3亿元；2、引进项目：21个", "1.产值3亿元，2.引进项目21个", "产值：3亿元；2.引进项目：21个"):
        assert [i.name for i in parse_indicators(line).indicators] == ["产值", "引进项目"], line


@given(st.sampled_from(NUMBERING), st.sampled_from(NAMES),
       st.decimals(min_value=0, max_value=10**6, places=1, allow_nan=False, allow_infinity=False),
       st.sampled_from(["亿元", "万元", "个", "%", "人"]), st.sampled_from(["：", ":", " "]))
def test_numbering_never_ends_up_in_a_name(prefix: str, name: str, value: Decimal, unit: str, colon: str) -> None:
    found = parse_indicators(f"{prefix}{name}{colon}{value}{unit}").indicators
    assert [i.name for i in found] == [name]


def test_a_sentence_with_figures_stays_text() -> None:
    for line in ("本季度全区新能源汽车产业完成产值49.6亿元", "本季度全区新能源汽车产业完成产值：49.6亿元",
                 "智能网联新能源汽车零部件产业产值：49.6亿元"):  # names over 12 characters
        result = parse_indicators(line)
        assert result.indicators == [] and result.remaining_lines == [line]
    assert [i.name for i in parse_indicators("规模以上工业企业总产值：3亿元").indicators] == ["规模以上工业企业总产值"]


def test_the_same_indicator_twice_counts_once_the_later_line() -> None:
    result = parse_indicators("协议投资：10亿元\n引进项目：3个\n协议 投资：179.5亿元\n说明")
    assert [(i.name, i.value) for i in result.indicators] == [("引进项目", D(3)), ("协议 投资", D("1795000"))]
    assert result.repeated == {"协议 投资": 2}
    assert result.remaining_lines == ["说明"]


@given(st.lists(st.tuples(st.sampled_from(NAMES), st.integers(0, 10**6), st.sampled_from(["亿元", "个", "%"])),
                min_size=1, max_size=6))
def test_parsing_the_same_lines_twice_counts_once(rows: list[tuple[str, int, str]]) -> None:
    text = "\n".join(f"{n}：{v}{u}" for n, v, u in rows)
    once, twice = parse_indicators(text), parse_indicators(f"{text}\n{text}")
    assert [(i.name, i.value, i.unit) for i in twice.indicators] == [(i.name, i.value, i.unit) for i in once.indicators]
    assert all(count >= 2 for count in twice.repeated.values()) and set(twice.repeated) == {i.name for i in once.indicators}


def test_figures_are_written_as_official_documents_write_them() -> None:
    assert figure_text(D("15"), "亿元") == "15亿元"
    assert figure_text(convert(D("1795000"), "万元", "亿元"), "亿元") == "179.5亿元"
    assert figure_text(D("21"), "个") == "21个" and figure_text(D("12.50"), "%") == "12.5%"
    assert figure_text(D("1795000"), "万元") == "1795000万元"  # no thousands separators
    assert figure_text(D(1) / D(3), "亿元") == "0.33亿元" and figure_text(D("-3.2"), "%") == "-3.2%"
    assert figure_text(D("0.004"), "亿元") == "0.004亿元"  # a tiny figure does not show as 0
    assert figure_text(D("3"), "个百分点") == "3个百分点"
    [item] = parse_indicators("收入：12,000元").indicators
    assert shown(item) == "12000元" and shown(item, [("收入", "万元")]) == "1.2万元"


@given(st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_converting_there_and_back_is_exact(value: Decimal) -> None:
    assert convert(convert(value, "万元", "亿元"), "亿元", "万元") == value
    assert convert(value, "万元", "个") == value  # incompatible units: unchanged


def test_rates_and_durations_are_not_additive() -> None:
    assert not any(is_additive(u) for u in ("%", "‰", "个百分点", "百分点", "倍", "天", "小时"))
    assert all(is_additive(u) for u in ("万元", "亿元", "个", "项", "人", "万平方米", "亩", "万千瓦时"))


RATES = st.lists(st.tuples(st.sampled_from(["区财政局", "区商务委", "区科技局", "区交通局"]),
                           st.decimals(min_value=-100, max_value=1000, places=1, allow_nan=False,
                                       allow_infinity=False),
                           st.sampled_from(["%", "‰", "个百分点", "倍"])), min_size=1, max_size=8)


@given(RATES)
def test_a_rate_is_never_summed(rows: list[tuple[str, Decimal, str]]) -> None:
    figures = [Figure(dept, "增长", value, unit, unit) for dept, value, unit in rows]
    for summary in summarize(figures):
        assert summary.total is None and summary.base_total is None
        values = [v for _, v in summary.values]
        assert (summary.low, summary.high, summary.count) == (min(values), max(values), len(values))


def test_additive_totals_in_the_unit_most_departments_wrote_or_the_office_asked_for() -> None:
    figures = [Figure("甲", "产值", D("100000"), "万元", "亿元"), Figure("乙", "产值", D("50000"), "万元", "亿元"),
               Figure("丙", "产值", D("2000"), "万元", "万元"), Figure("甲", "引进项目", D(3), "个", "个"),
               Figure("乙", "引进项目", D(2), "项", "项")]
    output, projects = summarize(figures)
    assert (output.unit, output.total, output.low, output.high, output.count) == ("亿元", D("15.2"), D("0.2"), D(10), 3)
    assert (output.base_unit, output.base_total) == ("万元", D("152000"))
    assert (projects.unit, projects.total) == ("个", D(5))  # 个 and 项 count together
    assert summarize(figures, [("产值", "万元")])[0].total == D("152000")
    twice = summarize([Figure("甲", "产值", D(1), "万元"), Figure("甲", "产值", D(2), "万元")])  # an old report's repeat
    assert (twice[0].total, twice[0].count) == (D(2), 1)


def test_old_snapshots_still_compare() -> None:
    old = {"submitted": 2, "overdue": 1, "tasks_finished": 0, "totals": {"产值|万元": "502000", "增长|%": "236.3"}}
    new = {"submitted": 3, "overdue": 1, "tasks_finished": 0, "totals": {"产值|万元": "516000"}}
    moved = {c.key: (c.before, c.after) for c in changes(old, new)}
    assert moved == {"submitted": (D(2), D(3)), "total:产值|万元": (D("502000"), D("516000"))}


def test_a_new_version_replaces_indicators_of_the_same_name_and_keeps_the_rest() -> None:
    base = "一、总体情况\n1.产值：10.5亿元\n海辰储能产值33.2亿元、增长223.8%\n引进项目：3个\n整车项目推进顺利"
    merged = merge_text(base, "产值：11.2亿元\n增长：230%\n另附说明\n税收：2000万元")
    assert merged.splitlines() == ["一、总体情况", "产值：11.2亿元", "海辰储能产值33.2亿元", "引进项目：3个", "整车项目推进顺利",
                                   "增长：230%", "另附说明", "税收：2000万元"]
    result = parse_indicators(merged)
    assert result.repeated == {}
    assert {i.name: i.value for i in result.indicators}["产值"] == D("112000")
    assert merge_text("", " 产值：1亿元 ") == "产值：1亿元" and merge_text("产值：1亿元", "") == "产值：1亿元"


def test_compare_marks_changed_new_and_dropped() -> None:
    old = parse_indicators("产值：10.5亿元\n增长：12.5%\n引进项目：3个").indicators
    new = parse_indicators("产值：11.2亿元\n增长：12.5%\n税收：2000万元").indicators
    got = {(c.name, c.before is not None, c.after is not None, c.changed) for c in compare(old, new)}
    assert got == {("产值", True, True, True), ("增长", True, True, False), ("税收", False, True, True),
                   ("引进项目", True, False, True)}


def test_the_unit_written_is_read_back_from_the_line() -> None:
    assert written_unit("1、产值：3亿元；2、引进项目：21个", "产值") == "亿元"
    assert written_unit("产值：3亿元", "增长") == "" and written_unit("说明", "产值") == ""
