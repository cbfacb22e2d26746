"""The pure parts of the meeting dialogue: `/meeting TITLE | DATE`, the proposal kept across more
minutes (edits survive), and what blocks confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import NotFound, DomainError, UsageError
from bot.rules.meetings import (NO_DATE, NO_DEPARTMENT, PAST_DATE, Proposal, blockers, dump, is_meeting_number, load,
                                parse_held_on, parse_meeting, propose, task_details)
from bot.rules.minutes import AgreedItem

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(("typed", "held"), [
    ("11月20日", date(2026, 11, 20)),
    ("11月23日", date(2026, 11, 23)),
    ("12月5日", date(2025, 12, 5)),  # no year: the latest such day not after today
    ("2026-11-20", date(2026, 11, 20)),
    ("2026年11月20日", date(2026, 11, 20)),
    ("2025/12/5", date(2025, 12, 5)),
    ("１１月２０日", date(2026, 11, 20)),
    ("11-20", date(2026, 11, 20)),
    ("昨天", date(2026, 11, 22)),
    ("前天", date(2026, 11, 21)),
    ("今天", TODAY),
])
def test_a_meeting_day_as_typed(typed: str, held: date) -> None:
    assert parse_held_on(typed, today=TODAY) == held


def test_the_29th_of_february_without_a_year_is_the_last_one() -> None:
    assert parse_held_on("2月29日", today=date(2026, 3, 1)) == date(2024, 2, 29)


@pytest.mark.parametrize("typed", ["下周", "2026-13-01", "11月32日", "会后", ""])
def test_what_is_no_day_is_refused_naming_it(typed: str) -> None:
    with pytest.raises(DomainError) as raised:
        parse_held_on(typed, today=TODAY)
    assert raised.value.key == "meeting.bad_date"


@given(st.text(max_size=40))
def test_any_text_is_a_day_or_refused(typed: str) -> None:
    try:
        assert parse_held_on(typed, today=TODAY) <= date(9999, 12, 31)
    except DomainError as error:
        assert error.key == "meeting.bad_date"


def test_title_and_date() -> None:
    assert parse_meeting("《全区汽摩产业推进会》 | 11月20日", today=TODAY) == ("全区汽摩产业推进会", date(2026, 11, 20))
    assert parse_meeting("调度会", today=TODAY) == ("调度会", TODAY)
    assert parse_meeting("调度会｜昨天", today=TODAY) == ("调度会", date(2026, 11, 22))
    with pytest.raises(UsageError):
        parse_meeting(" | 11月20日", today=TODAY)
    with pytest.raises(DomainError):
        parse_meeting("会" * 201, today=TODAY)


def test_a_number_reads_a_meeting_anything_else_is_a_title() -> None:
    assert is_meeting_number("3") == 3 and is_meeting_number("#12") == 12 and is_meeting_number("３") == 3
    assert is_meeting_number("3号调度会") is None
    for impossible in ("0", "99999999999"):  # never a title: a meeting that cannot exist
        with pytest.raises(NotFound):
            is_meeting_number(impossible)


def _found(text: str, lead: str, due: date | None, standing: bool = False) -> AgreedItem:
    return AgreedItem(text, text[:10], (lead,), (), due, standing)


def test_more_minutes_keep_what_the_office_did_to_the_items_found_before() -> None:
    first = propose([_found("甲事项", "区财政局", None), _found("乙事项", "区交通局", date(2026, 12, 31))], Proposal(),
                    ["甲事项", "乙事项"])
    edited = first.with_item(replace(first.items[0], due=date(2027, 1, 15)))
    edited = edited.with_item(replace(edited.items[1], dropped=True))
    again = propose([_found("新事项", "区科技局", date(2026, 12, 1)), _found("甲事项", "区财政局", None),
                     _found("乙事项", "区交通局", date(2026, 12, 31))], edited, ["新事项", "甲事项", "乙事项"])
    assert [i.number for i in again.items] == [1, 2, 3]
    assert again.items[1].due == date(2027, 1, 15)  # the fixed date stays
    assert again.items[2].dropped and [i.text for i in again.remaining] == ["新事项", "甲事项"]
    assert again.blocks == ("新事项", "甲事项", "乙事项")


def test_the_proposal_is_stored_and_read_back() -> None:
    proposal = propose([_found("甲", "区财政局", date(2026, 12, 31)), _found("乙", "区交通局", None, standing=True)],
                       Proposal(), ["甲", "乙"])
    proposal = Proposal(proposal.blocks, proposal.items, (1001, 55), {"1001": (2, "due")})
    assert load(dump(proposal)) == proposal
    assert load(None) == Proposal() and load("not json") == Proposal() and load('{"items": [{}]}') == Proposal()


def test_what_blocks_confirmation() -> None:
    items = [AgreedItem("甲", "甲", (), (), date(2026, 12, 31), False),
             AgreedItem("乙", "乙", ("区交通局",), (), None, False),
             AgreedItem("丙", "丙", ("区交通局",), (), date(2026, 11, 1), False),
             AgreedItem("丁", "丁", ("区交通局",), (), None, True),
             AgreedItem("戊", "戊", (), ("区财政局",), date(2026, 12, 31), False)]
    proposal = propose(items, Proposal(), [])
    assert blockers(proposal, today=TODAY) == [(1, NO_DEPARTMENT), (2, NO_DATE), (3, PAST_DATE)]


def test_the_task_details_name_the_meeting_and_the_item() -> None:
    assert task_details("全区汽摩产业推进会", date(2026, 11, 20), 2, "由区财政局负责……") == \
        "《全区汽摩产业推进会》（11月20日）议定事项第2项：由区财政局负责……"
    assert len(task_details("会", date(2026, 11, 20), 1, "字" * 5000)) == 2000
