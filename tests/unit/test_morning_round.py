"""When the morning round runs and what each part hears in it; when a tick step is due."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules import schedule
from bot.rules import tasks as rules

TZ = ZoneInfo("Asia/Shanghai")


class Weekdays:
    """Monday–Friday, except the listed holidays."""

    def __init__(self, *holidays: date) -> None:
        self.holidays = set(holidays)

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def covers(self, year: int) -> bool:
        return True


def at(day: int, hour: int = 9, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


CAL = Weekdays()
DUE = at(10, 18)  # Thursday 2026-12-10 18:00
CREATED = at(1, 10)


@pytest.mark.parametrize(("day", "heard"), [
    (date(2026, 12, 7), ("due", 3)),  # Monday, three days before
    (date(2026, 12, 8), None),
    (date(2026, 12, 9), ("due", 1)),
    (date(2026, 12, 10), ("due", 0)),  # the day itself
    (date(2026, 12, 11), ("overdue", 1)),
    (date(2026, 12, 14), ("overdue", 4)),  # the next Monday: days late count the weekend
])
def test_each_round_day_says_what_the_part_is_due(day: date, heard: tuple[str, int] | None) -> None:
    assert rules.reminder_on(day, DUE, CREATED, TZ, CAL) == heard


def test_a_reminder_day_on_a_holiday_moves_back_to_the_working_day_before() -> None:
    cal = Weekdays(date(2026, 12, 7))
    assert rules.reminder_on(date(2026, 12, 4), DUE, CREATED, TZ, cal) == ("due", 6)  # Friday before
    assert rules.reminder_on(date(2026, 12, 7), DUE, CREATED, TZ, cal) is None


def test_a_task_created_after_a_reminder_day_gets_no_reminder_for_it() -> None:
    assert rules.reminder_on(date(2026, 12, 7), DUE, at(7, 10), TZ, CAL) is None
    assert rules.reminder_on(date(2026, 12, 9), DUE, at(7, 10), TZ, CAL) == ("due", 1)


def test_the_round_runs_on_working_days_from_nine() -> None:
    assert rules.round_day(at(7, 8, 59), TZ, CAL) is None
    assert rules.round_day(at(7, 9), TZ, CAL) == date(2026, 12, 7)
    assert rules.round_day(at(7, 17), TZ, CAL) == date(2026, 12, 7)  # a bot that started late still runs it
    assert rules.round_day(at(5, 10), TZ, CAL) is None  # Saturday
    assert rules.round_day(at(7, 10), TZ, Weekdays(date(2026, 12, 7))) is None  # a holiday


def test_the_next_round_is_the_next_working_morning() -> None:
    assert rules.next_round(at(7, 8), TZ, CAL) == at(7, 9)
    assert rules.next_round(at(7, 9), TZ, CAL) == at(8, 9)
    assert rules.next_round(at(4, 15), TZ, CAL) == at(7, 9)  # Friday afternoon → Monday
    assert rules.next_round(at(4, 15), TZ, Weekdays(date(2026, 12, 7))) == at(8, 9)


def test_a_notice_is_nudged_in_the_first_round_a_full_day_after_it() -> None:
    sent = at(7, 15)  # Monday afternoon
    rounds = [d for d in (date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10))
              if sent <= rules.ack_nudge_cutoff(d, TZ)]
    assert rounds[0] == date(2026, 12, 9)  # Tuesday 09:00 is only 18 hours later; Wednesday it is
    assert rules.ack_nudge_cutoff(date(2026, 12, 8), TZ) == at(7, 9)


def test_a_task_escalates_in_the_round_after_its_due_day() -> None:
    assert not rules.escalates_by(DUE, date(2026, 12, 10), TZ, CAL)
    assert rules.escalates_by(DUE, date(2026, 12, 11), TZ, CAL)
    friday_due = at(11, 18)
    assert not rules.escalates_by(friday_due, date(2026, 12, 12), TZ, CAL)
    assert rules.escalates_by(friday_due, date(2026, 12, 14), TZ, CAL)  # Monday


def test_a_step_is_due_without_a_mark_when_its_moment_comes_or_when_the_clock_went_back() -> None:
    computed, due = at(7, 10), at(8, 9)
    assert schedule.is_due(None, None, computed)
    assert not schedule.is_due(due, computed, at(8, 8, 59))
    assert schedule.is_due(due, computed, at(8, 9))
    assert schedule.is_due(due, computed, at(7, 9))  # earlier than the mark was computed


def test_the_earliest_moment_after_now_or_the_fallback() -> None:
    now = at(7, 10)
    assert schedule.earliest_after(now, [at(7, 9), at(7, 11), None], at(8, 0)) == at(7, 11)
    assert schedule.earliest_after(now, [at(7, 9)], at(8, 0)) == at(8, 0)
    assert schedule.next_midnight(at(7, 23, 59), TZ) == at(8, 0) and schedule.next_midnight(at(7, 0), TZ) == at(8, 0)
    assert schedule.next_midnight(now, TZ) - now == timedelta(hours=14)
