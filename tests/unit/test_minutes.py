"""Agreed items in meeting minutes (bot.rules.minutes): realistic minutes of our own writing
(tests/support/minutes.py) with every phrasing the office uses, the office's fix of one item's
departments and date, and hypothesis properties over arbitrary text and spellings."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.rules import dates, minutes
from bot.rules.minutes import TITLE_LIMIT, departments_in, due_in, extract_items, split_blocks
from tests.support.minutes import (
    EXPECTED_NO_MARKER,
    EXPECTED_PLENARY,
    EXPECTED_SIX,
    EXPECTED_TOPICAL,
    MINUTES_NO_MARKER,
    MINUTES_PLENARY,
    MINUTES_SIX,
    MINUTES_TOPICAL,
    NO_MARKER_HELD_ON,
    PLENARY_HELD_ON,
    SIX_HELD_ON,
    TOPICAL_HELD_ON,
    Expected,
    org_spellings,
)

ORG = org_spellings()
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(text: str, held_on: date) -> list[minutes.AgreedItem]:
    return extract_items(split_blocks(text), ORG, held_on=held_on)


def assert_items(items: list[minutes.AgreedItem], expected: tuple[Expected, ...]) -> None:
    got = [(i.lead, i.cooperating, i.due, i.standing) for i in items]
    assert got == [(e.lead, e.cooperating, e.due, e.standing) for e in expected]
    for item, want in zip(items, expected, strict=True):
        assert want.title_has in item.title, (item.title, want.title_has)
        assert 0 < len(item.title) <= TITLE_LIMIT


@pytest.mark.parametrize(("text", "held_on", "expected"), [
    (MINUTES_SIX, SIX_HELD_ON, EXPECTED_SIX),
    (MINUTES_TOPICAL, TOPICAL_HELD_ON, EXPECTED_TOPICAL),
    (MINUTES_PLENARY, PLENARY_HELD_ON, EXPECTED_PLENARY),
    (MINUTES_NO_MARKER, NO_MARKER_HELD_ON, EXPECTED_NO_MARKER),
], ids=["dispatch-six", "topical-one-line", "plenary", "no-marker"])
def test_realistic_minutes_give_exactly_their_agreed_items(text, held_on, expected):
    assert_items(read(text, held_on), expected)


def test_the_six_item_minutes_give_six_and_skip_the_summary_the_exhortation_and_the_copy_list():
    items = read(MINUTES_SIX, SIX_HELD_ON)
    assert len(items) == 6
    texts = " ".join(item.text for item in items)
    assert "会议听取了" not in texts  # names 区经济信息委, but before 会议议定如下
    assert "压紧压实工作责任" not in texts  # a numbered paragraph naming no department
    assert "抄送" not in texts
    assert items[1].text.startswith("区财政局负责统筹产业发展专项资金12.5亿元")  # numbering gone, 12.5 whole


def test_a_paragraph_without_a_department_is_never_an_item():
    text = "会议议定如下：\n一、各单位要高度重视安全生产工作。\n二、区财政局负责落实资金，12月底前到位。"
    items = read(text, date(2026, 11, 20))
    assert [item.lead for item in items] == [("区财政局",)]
    assert read("会议要求：各单位要压实责任，12月底前完成。", date(2026, 11, 20)) == []


def test_blocks_split_numbered_items_inside_a_pasted_line_but_not_decimals_or_dates():
    line = "会议议定：一、区财政局安排12.5亿元。二、区科技局2027.1.15前完成：（1）评审；（2）验收。①区商务委负责"
    assert split_blocks(line) == ["会议议定：", "区财政局安排12.5亿元。", "区科技局2027.1.15前完成：", "评审；",
                                  "验收。", "区商务委负责"]
    assert split_blocks("1.区经信委牵头\n\n 2、 区科技局配合 \n(3)区财政局\n（四）区教委") == [
        "区经信委牵头", "区科技局配合", "区财政局", "区教委"]
    assert split_blocks("统一、规范、高效，第3、4项另行研究") == ["统一、规范、高效，第3、4项另行研究"]


def test_a_line_of_labels_belongs_to_the_item_above_it():
    text = ("会议议定事项如下：\n1. 加快推进整车项目配套道路建设。\n牵头单位：区交通局；配合单位：永川高新区管委会\n"
            "完成时限：2027年1月15日")
    [item] = read(text, date(2026, 11, 20))
    assert (item.lead, item.cooperating, item.due) == (("区交通局",), ("永川高新区管委会",), date(2027, 1, 15))
    assert item.title == "加快推进整车项目配套道路建设"


@pytest.mark.parametrize(("text", "lead", "cooperating"), [
    ("由区经济信息委牵头，区科技局、区商务委配合", ("区经济信息委",), ("区科技局", "区商务委")),
    ("区规划自然资源局牵头，区住房城乡建委协同", ("区规划自然资源局",), ("区住房城乡建委",)),
    ("区财政局负责", ("区财政局",), ()),
    ("区财政局", ("区财政局",), ()),
    ("经信委、科技局", ("区经济信息委",), ("区科技局",)),  # no role words: the first leads
    ("牵头单位：区经济信息委；责任单位：区科技局、区财政局", ("区经济信息委",), ("区科技局", "区财政局")),
    ("责任单位：区人力社保局、区教委", ("区人力社保局", "区教委"), ()),  # no 牵头单位: all lead
    ("责任单位：区财政局（牵头）、区金融办", ("区财政局",), ("区金融办",)),
    ("配合单位：区科技局；牵头单位：发改委", ("区发展改革委",), ("区科技局",)),
    ("区大数据局配合凤凰湖产业促进中心做好网络覆盖", ("凤凰湖产业促进中心",), ("区大数据发展局",)),
    ("区市场监管局会同区生态环境局开展检查", ("区市场监管局",), ("区生态环境局",)),
    ("区经济信息委牵头，区经信委配合", ("区经济信息委",), ()),  # one department never both
    ("争取市经信委支持", (), ()),  # another level's body is not the office's
    ("请示市经济信息委后，区科技局负责", ("区科技局",), ()),
    ("", (), ()),
])
def test_departments_in_reads_the_office_fix_of_an_item(text, lead, cooperating):
    assert departments_in(text, ORG) == (lead, cooperating)


def test_the_longest_spelling_wins_and_never_matches_inside_another_name():
    spellings = {"区科技局": "区科技局", "科技局": "市科技局分局", "区": "区政府"}
    assert departments_in("区科技局牵头", spellings) == (("区科技局",), ())
    assert departments_in("科技局牵头，区科技局配合", spellings) == (("市科技局分局",), ("区科技局",))


@pytest.mark.parametrize(("text", "due", "standing"), [
    ("12月底前完成", date(2026, 12, 31), False),
    ("12月31日前", date(2026, 12, 31), False),
    ("完成时限：2027年1月15日", date(2027, 1, 15), False),
    ("于2027年1月15日前完成", date(2027, 1, 15), False),
    ("2027年1月15日", date(2027, 1, 15), False),
    ("2027年3月底前", date(2027, 3, 31), False),
    ("年底前", date(2026, 12, 31), False),
    ("明年底前", date(2027, 12, 31), False),
    ("2027年底", date(2027, 12, 31), False),
    ("一季度末", date(2027, 3, 31), False),
    ("2027年一季度末完成", date(2027, 3, 31), False),
    ("上半年完成", date(2027, 6, 30), False),
    ("1月15日前", date(2027, 1, 15), False),  # without a year: the first on or after the meeting
    ("11月20日前", date(2026, 11, 20), False),  # the meeting's own day is on or after it
    ("11月19日前", date(2027, 11, 19), False),
    ("长期坚持", None, True),
    ("持续推进", None, True),
    ("常态化开展检查", None, True),
    ("持续推进项目建设，12月底前完成", date(2026, 12, 31), False),  # a written date wins
    ("12月底前完成方案；完成时限：长期坚持", None, True),  # …but not over the 完成时限 label
    ("于3月15日召开推进会，完成时限：2027年6月30日", date(2027, 6, 30), False),
    ("一季度产值增长10%", None, False),  # a quarter named, no deadline
    ("安排资金12.5亿元", None, False),
    ("", None, False),
])
def test_due_in_reads_every_deadline_phrasing(text, due, standing):
    assert due_in(text, held_on=date(2026, 11, 20)) == (due, standing)


def test_a_standing_item_has_no_due_date():
    text = "会议议定：一、招商局负责重点企业服务，12月底前建立台账，长期坚持。"
    [item] = read(text, date(2026, 11, 20))
    assert item.due == date(2026, 12, 31) and not item.standing  # a date is written: a deadline
    [item] = read("会议议定：一、区招商投资局负责重点企业服务。完成时限：长期坚持", date(2026, 11, 20))
    assert (item.due, item.standing) == (None, True)


def test_blocks_before_the_marker_are_items_only_when_they_say_who_does_what():
    text = ("会议听取了区经济信息委关于产业运行情况的汇报。\n"
            "一、区财政局负责12月底前拨付资金。\n"
            "会议要求：各单位加强协调。")
    items = read(text, date(2026, 11, 20))
    assert [item.lead for item in items] == [("区财政局",)]


def test_find_days_finds_past_and_future_dates_without_refusing():
    found = dates.find_days("已于11月1日召开，12月31日前完成，2月30日无效", today=date(2026, 11, 20))
    assert [f.day for f in found] == [date(2027, 11, 1), date(2026, 12, 31)]
    assert "12月31日前" in "已于11月1日召开，12月31日前完成"[found[1].start:found[1].end]
    assert dates.find_days("2026-11-01 已过", today=date(2026, 11, 20))[0].day == date(2026, 11, 1)


# ---------------------------------------------------------------- properties

_NAMES = st.text(st.sampled_from("区市县科技局经信委财政发改一二、，：；（）牵头负责配合同协长期坚持前底年月日0123456789"),
                 min_size=0, max_size=8)
_SPELLINGS = st.dictionaries(_NAMES, _NAMES, max_size=6)
_MINUTES_TEXT = st.text(st.sampled_from(list("区市科技局经信委财政发改牵头负责配合会同协同由、，。；：\n一二三四（）()1.2、①长期坚持"
                                             "前底年月日季度末上半0123456789 ") + ["\ue000", "\u2028", "１", "２", "：", "x"]),
                        max_size=120)
_HELD_ON = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def _well_formed(item: minutes.AgreedItem, spellings: dict[str, str]) -> None:
    values = set(spellings.values())
    assert item.lead and set(item.lead) <= values and set(item.cooperating) <= values
    assert not set(item.lead) & set(item.cooperating)
    assert len(set(item.lead)) == len(item.lead) and len(set(item.cooperating)) == len(item.cooperating)
    assert item.title and len(item.title) <= TITLE_LIMIT
    assert not (item.standing and item.due is not None)


@PROPS
@given(text=st.one_of(_MINUTES_TEXT, st.text(max_size=200)), spellings=_SPELLINGS, held_on=_HELD_ON)
@example(text=MINUTES_SIX, spellings=ORG, held_on=date(9999, 12, 31))
@example(text="区科技局12月底前", spellings={"区科技局": "区科技局"}, held_on=date(9999, 12, 20))
@example(text="一季度末 区", spellings={"区": "区"}, held_on=date(9999, 12, 31))
def test_extract_items_never_raises_and_returns_only_the_office_departments(text, spellings, held_on):
    for item in extract_items(split_blocks(text), spellings, held_on=held_on):
        _well_formed(item, spellings)
    for item in extract_items([text], spellings, held_on=held_on):
        _well_formed(item, spellings)


@PROPS
@given(text=st.one_of(_MINUTES_TEXT, st.text(max_size=120)), spellings=_SPELLINGS, held_on=_HELD_ON)
def test_the_fix_of_one_item_never_raises(text, spellings, held_on):
    lead, cooperating = departments_in(text, spellings)
    assert set(lead) | set(cooperating) <= set(spellings.values())
    assert not set(lead) & set(cooperating)
    due, standing = due_in(text, held_on=held_on)
    assert not (standing and due is not None)


@PROPS
@given(text=st.text(max_size=200))
def test_split_blocks_never_raises_and_gives_no_empty_block(text):
    assert all(block and block == block.strip() for block in split_blocks(text))
