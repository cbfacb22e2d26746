"""Quarterly cycles: deadlines "每季度末月25日前", reminders before them, escalation after."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.rules.cycles import (
    Quarter,
    cycle_opens_at,
    deadline,
    escalation_time,
    quarter_at,
    quarter_of,
    reminder_times,
)
from bot.rules.org import ReportingRule
from bot.rules.workdays import WorkCalendar, china_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = china_calendar()
RULE = ReportingRule()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_quarter_of_each_month_and_its_bounds():
    assert [quarter_of(date(2026, m, 15)).q for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    q4 = quarter_of(date(2026, 11, 23))
    assert q4 == Quarter(2026, 4)
    assert (q4.start, q4.end, q4.label, q4.last_month) == (date(2026, 10, 1), date(2026, 12, 31), "2026-Q4", 12)
    assert Quarter(2028, 1).end == date(2028, 3, 31)
    assert Quarter(2026, 2).end == date(2026, 6, 30)
    assert Quarter(2026, 3).end == date(2026, 9, 30)


def test_next_and_previous_cross_years():
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 1) < Quarter(2026, 2) < Quarter(2027, 1)


def test_a_quarter_must_be_one_to_four():
    with pytest.raises(ValueError):
        Quarter(2026, 5)


def test_quarter_at_reads_the_moment_in_the_office_time_zone():
    new_years_eve_utc = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 January in Shanghai
    assert quarter_at(new_years_eve_utc, TZ) == Quarter(2027, 1)
    with pytest.raises(ValueError):
        quarter_at(datetime(2026, 12, 31, 17, 0), TZ)


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        (Quarter(2026, 1), at(2026, 3, 25, 18)),  # Wednesday
        (Quarter(2026, 2), at(2026, 6, 25, 18)),  # Thursday
        (Quarter(2026, 3), at(2026, 9, 24, 18)),  # 9-25 is Mid-Autumn Festival (Friday) → Thursday
        (Quarter(2026, 4), at(2026, 12, 25, 18)),  # Friday
        (Quarter(2027, 1), at(2027, 3, 25, 18)),  # Thursday
        (Quarter(2027, 2), at(2027, 6, 25, 18)),  # Friday
        (Quarter(2027, 3), at(2027, 9, 24, 18)),  # 9-25 is a Saturday; 2027 uncovered → Friday
        (Quarter(2027, 4), at(2027, 12, 24, 18)),  # 12-25 is a Saturday; 2027 uncovered → Friday
    ],
)
def test_default_deadlines_of_2026_and_2027(quarter, expected):
    got = deadline(quarter, RULE, TZ, CAL)
    assert got == expected
    assert got.tzinfo is TZ and got.utcoffset().total_seconds() == 8 * 3600


def test_2026_q4_deadline_is_friday_december_25_at_18_00_shanghai():
    got = deadline(Quarter(2026, 4), RULE, TZ, CAL)
    assert got.isoformat() == "2026-12-25T18:00:00+08:00"
    assert got.weekday() == 4


def test_2027_deadlines_use_the_fallback_with_the_installed_library():
    assert CAL.uncovered_years([deadline(Quarter(2027, q), RULE, TZ, CAL).date() for q in (1, 2, 3, 4)]) == [2027]


def test_shift_none_keeps_a_weekend_or_holiday_date():
    rule = ReportingRule(shift="none")
    assert deadline(Quarter(2027, 3), rule, TZ, CAL) == at(2027, 9, 25, 18)  # Saturday
    assert deadline(Quarter(2026, 3), rule, TZ, CAL) == at(2026, 9, 25, 18)  # Mid-Autumn Festival


def test_an_unknown_shift_is_refused():
    with pytest.raises(ValueError):
        deadline(Quarter(2026, 1), ReportingRule(shift="next_workday"), TZ, CAL)


@pytest.mark.parametrize(
    ("day", "quarter", "expected"),
    [
        (20, Quarter(2026, 3), date(2026, 9, 20)),  # a Sunday, but a make-up workday: kept
        (15, Quarter(2026, 1), date(2026, 3, 13)),  # Sunday → Friday
        (1, Quarter(2026, 1), date(2026, 2, 28)),  # Sunday 3-1 → the make-up Saturday 2-28
        (5, Quarter(2026, 2), date(2026, 6, 5)),  # a Friday: kept
    ],
)
def test_custom_quarterly_day(day, quarter, expected):
    rule = ReportingRule(quarterly_day=day, deadline_time="17:30")
    assert deadline(quarter, rule, TZ, CAL) == datetime.combine(expected, time(17, 30), tzinfo=TZ)


def test_an_uncovered_year_falls_back_to_weekends_without_failing():
    assert not CAL.covers(2028)
    assert deadline(Quarter(2028, 1), RULE, TZ, CAL) == at(2028, 3, 24, 18)  # 3-25 is a Saturday
    assert escalation_time(Quarter(2028, 1), RULE, TZ, CAL) == at(2028, 3, 27)
    assert len(reminder_times(Quarter(2031, 4), RULE, TZ, CAL)) == 4


def test_reminders_of_2026_q4_on_the_default_days():
    assert reminder_times(Quarter(2026, 4), RULE, TZ, CAL) == [
        (7, at(2026, 12, 18)),  # Friday
        (3, at(2026, 12, 22)),  # Tuesday
        (1, at(2026, 12, 24)),  # Thursday
        (0, at(2026, 12, 25)),  # the deadline day
    ]


def test_reminders_of_2026_q3_count_back_from_the_shifted_deadline():
    assert reminder_times(Quarter(2026, 3), RULE, TZ, CAL) == [
        (7, at(2026, 9, 17)),
        (3, at(2026, 9, 21)),
        (1, at(2026, 9, 23)),
        (0, at(2026, 9, 24)),
    ]


def test_a_reminder_on_a_make_up_sunday_stays_there():
    rule = ReportingRule(reminders_days_before=(4,))
    assert reminder_times(Quarter(2026, 3), rule, TZ, CAL) == [(4, at(2026, 9, 20))]


def test_a_reminder_on_a_day_off_moves_to_the_previous_working_day():
    weekend = ReportingRule(reminders_days_before=(6,))  # 2026-12-19, a Saturday → Friday 12-18
    assert reminder_times(Quarter(2026, 4), weekend, TZ, CAL) == [(6, at(2026, 12, 18))]
    holiday = ReportingRule(reminders_days_before=(6,))  # 2026-06-19, Dragon Boat (Friday) → 06-18
    assert reminder_times(Quarter(2026, 2), holiday, TZ, CAL) == [(6, at(2026, 6, 18))]


def test_colliding_reminders_are_sent_once_keeping_the_larger_n():
    """Deadline Monday 2026-03-23: N=1 (Sunday) and N=3 (Friday) both land on Friday 3-20."""
    rule = ReportingRule(quarterly_day=23, reminders_days_before=(3, 1, 0))
    assert reminder_times(Quarter(2026, 1), rule, TZ, CAL) == [(3, at(2026, 3, 20)), (0, at(2026, 3, 23))]


def test_reminders_never_precede_the_quarter():
    """Q4 2026, day 1: 60 days back is 10-02, a holiday; before 10-01 is not allowed, so the
    quarter's first working day, 10-08, after the National Day week."""
    rule = ReportingRule(quarterly_day=1, reminders_days_before=(60, 7))
    assert reminder_times(Quarter(2026, 4), rule, TZ, CAL) == [(60, at(2026, 10, 8)), (7, at(2026, 11, 24))]


def test_reminders_clamped_to_a_quarter_starting_with_holidays_use_the_make_up_sunday():
    """Q1 2026, day 1 → deadline the make-up Saturday 2-28; 60 days back is in 2025, so the
    quarter's first working day: Sunday 1-4 (1-1 to 1-3 are off)."""
    rule = ReportingRule(quarterly_day=1, reminders_days_before=(60, 0))
    assert deadline(Quarter(2026, 1), rule, TZ, CAL) == at(2026, 2, 28, 18)
    assert reminder_times(Quarter(2026, 1), rule, TZ, CAL) == [(60, at(2026, 1, 4)), (0, at(2026, 2, 28))]


def test_no_reminder_at_or_after_the_deadline():
    rule = ReportingRule(deadline_time="09:00")
    got = reminder_times(Quarter(2026, 4), rule, TZ, CAL)
    assert [n for n, _ in got] == [7, 3, 1]


def test_reminders_with_an_empty_list():
    assert reminder_times(Quarter(2026, 4), ReportingRule(reminders_days_before=()), TZ, CAL) == []


def test_escalation_is_the_first_working_day_after_the_deadline_day():
    assert escalation_time(Quarter(2026, 4), RULE, TZ, CAL) == at(2026, 12, 28)  # Friday → Monday
    assert escalation_time(Quarter(2026, 3), RULE, TZ, CAL) == at(2026, 9, 28)  # over Mid-Autumn
    assert escalation_time(Quarter(2026, 1), RULE, TZ, CAL) == at(2026, 3, 26)


def test_escalation_after_a_deadline_kept_on_a_saturday():
    rule = ReportingRule(shift="none")
    assert escalation_time(Quarter(2027, 3), rule, TZ, CAL) == at(2027, 9, 27)


def test_cycle_opens_at_midnight_on_the_first_day():
    assert cycle_opens_at(Quarter(2026, 4), TZ) == datetime(2026, 10, 1, 0, 0, tzinfo=TZ)
    assert cycle_opens_at(Quarter(2027, 1), TZ).isoformat() == "2027-01-01T00:00:00+08:00"


def test_everything_is_ordered_within_the_quarter():
    for quarter in [Quarter(y, q) for y in (2026, 2027, 2031) for q in (1, 2, 3, 4)]:
        opens, due = cycle_opens_at(quarter, TZ), deadline(quarter, RULE, TZ, CAL)
        times = [t for _, t in reminder_times(quarter, RULE, TZ, CAL)]
        assert opens < times[0] and times == sorted(times) and times[-1] < due
        assert due < escalation_time(quarter, RULE, TZ, CAL)
        assert all(CAL.is_workday(t.date()) for t in times)


def test_a_weekends_only_calendar_gives_the_plain_rule():
    cal = WorkCalendar()
    assert deadline(Quarter(2026, 3), RULE, TZ, cal) == at(2026, 9, 25, 18)  # holiday unknown to it
