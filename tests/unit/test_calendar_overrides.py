"""The org file's days over the holiday library (pure): a named holiday is a day off even on a
weekday, a named workday a working day even on a weekend, a year with named days is covered; and
`/calendar`'s month: which month is asked for, what it holds, how it reads."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.rules.calendar_month import month_in, parse_month
from bot.rules.cycles import Quarter, ReportingRule, deadline_day
from bot.rules.tasks import due_slots
from bot.rules.workdays import WorkCalendar, china_calendar
from bot.views.calendar import month_text

LIB = china_calendar()
FRI, SAT, SUN, MON = date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)
OURS = LIB.with_overrides(holidays=[FRI], workdays=[SUN])


def test_a_named_holiday_is_off_on_a_weekday_and_a_named_workday_worked_on_a_sunday():
    assert LIB.is_workday(FRI) and not LIB.is_workday(SUN)  # 2027: the library knows no notice
    assert not OURS.is_workday(FRI) and OURS.is_workday(SUN) and not OURS.is_workday(SAT)
    assert OURS.is_makeup_workday(SUN)
    assert OURS.previous_workday(FRI, inclusive=True) == date(2027, 2, 4)  # a deadline on 02-05 moves back
    assert OURS.previous_workday(SUN, inclusive=True) == SUN  # one on 02-07 stays
    assert OURS.next_workday(date(2027, 2, 4)) == SUN
    assert len(OURS.workdays_between(date(2027, 2, 1), date(2027, 2, 28))) == 20  # 20 − 02-05 + 02-07


def test_overrides_win_over_the_library_in_a_year_it_knows():
    """2026: 10-01..07 off, Saturday 10-10 worked by the notice; an office may say otherwise."""
    cal = LIB.with_overrides(holidays=[date(2026, 10, 10)], workdays=[date(2026, 10, 5)])
    assert not cal.is_workday(date(2026, 10, 10)) and cal.is_workday(date(2026, 10, 5))
    assert not cal.is_workday(date(2026, 10, 6))  # the days it does not name stay the library's
    assert cal.overridden(date(2026, 10, 10)) is False and cal.overridden(date(2026, 10, 6)) is None


def test_a_year_is_covered_by_the_library_or_by_a_named_day_and_the_original_is_unchanged():
    assert not LIB.covers(2027) and OURS.covers(2027) and OURS.covers(2026) and not OURS.covers(2028)
    assert OURS.uncovered_years([FRI, date(2028, 5, 1)]) == [2028]
    assert LIB.overridden(FRI) is None and LIB.is_workday(FRI)  # with_overrides makes a new calendar
    assert WorkCalendar(holidays=[date(2030, 1, 2)]).covers(2030) and not WorkCalendar().covers(2030)


def test_a_later_layer_wins_for_the_days_it_names():
    city = LIB.with_overrides(holidays=[FRI, MON], workdays=[SUN])
    district = city.with_overrides(holidays=[date(2027, 2, 9)], workdays=[MON])
    assert [district.is_workday(d) for d in (FRI, SUN, MON, date(2027, 2, 9))] == [False, True, True, False]
    assert not city.is_workday(MON) and city.is_workday(date(2027, 2, 9))


def test_reminders_and_a_quarters_deadline_follow_the_overrides():
    tz = ZoneInfo("Asia/Shanghai")
    due = datetime(2027, 2, 7, 18, 0, tzinfo=tz)  # the make-up Sunday
    days = [s.at.date() for s in due_slots(due, datetime(2027, 2, 1, 10, 0, tzinfo=tz), tz, OURS)]
    assert days == [date(2027, 2, 4), SUN]  # 3 days before: 02-04; 1 day before: Sat → back past 02-05
    # a quarterly deadline on a named holiday moves back (2027-06-25 is a Friday)
    assert deadline_day(Quarter(2027, 2), ReportingRule(), LIB) == date(2027, 6, 25)
    cal = LIB.with_overrides(holidays=[date(2027, 6, 25)])
    assert deadline_day(Quarter(2027, 2), ReportingRule(), cal) == date(2027, 6, 24)
    # and one on a weekend stays on a make-up workday (2027-09-25 is a Saturday)
    assert deadline_day(Quarter(2027, 3), ReportingRule(), LIB) == date(2027, 9, 24)
    assert deadline_day(Quarter(2027, 3), ReportingRule(), LIB.with_overrides(workdays=[date(2027, 9, 25)])) \
        == date(2027, 9, 25)


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.booleans())
def test_an_override_decides_its_day_and_nothing_else(day, work):
    cal = LIB.with_overrides(holidays=[] if work else [day], workdays=[day] if work else [])
    assert cal.is_workday(day) is work
    other = day.replace(day=1) if day.day != 1 else day.replace(day=2)
    assert cal.is_workday(other) == LIB.is_workday(other)


TODAY = date(2027, 3, 15)


@pytest.mark.parametrize("args,expected", [
    ([], (2027, 3)), (["2027-02"], (2027, 2)), (["2027-2"], (2027, 2)), (["2027/02"], (2027, 2)),
    (["2027年2月"], (2027, 2)), (["2027年", "2月"], (2027, 2)), (["2月"], (2027, 2)), (["１２月"], (2027, 12)),
    (["２０２６－１０"], (2026, 10)),
])
def test_the_month_asked_for(args, expected):
    assert parse_month(args, TODAY) == expected


@pytest.mark.parametrize("args", [["2027-13"], ["0月"], ["13月"], ["下个月"], ["2027"], ["2027-02-05"], ["abc"],
                                  ["1800-01"], ["2027-02", "x"]])
def test_anything_else_is_the_usage_line(args):
    with pytest.raises(UsageError) as refused:
        parse_month(args, TODAY)
    assert refused.value.command == "calendar"


def test_the_month_reads_on_a_phone_with_the_org_files_days_marked():
    text = month_text(month_in(OURS, 2027, 2), "zh")
    assert text.splitlines() == ["2027年2月：工作日 20 天", "休：2月5日（周五）※", "班：2月7日（周日）※",
                                 "※ 为组织架构文件（本单位或上级）设定的日期，其余来自国家节假日日历。"]
    english = month_text(month_in(OURS, 2027, 2), "en")
    assert "2/2027: 20 working days" in english and "2/5 (Fri)※" in english and "2/7 (Sun)※" in english


def test_a_library_month_and_an_unknown_year():
    text = month_text(month_in(LIB, 2026, 10), "zh").splitlines()
    assert text[0] == "2026年10月：工作日 18 天"  # 22 weekdays, 5 of them off, Saturday 10-10 worked
    assert text[1] == "休：10月1日（周四）、10月2日（周五）、10月5日（周一）、10月6日（周二）、10月7日（周三）"
    assert text[2] == "班：10月10日（周六）" and len(text) == 3
    plain = month_text(month_in(LIB, 2028, 3), "zh").splitlines()
    assert plain[0] == "2028年3月：工作日 23 天"  # March 2028 starts on a Wednesday: 23 weekdays
    assert plain[1] == "本月无节假日和调休，周一至周五上班。" and "尚未收录 2028 年" in plain[2]


def test_the_examples_calendar_block_is_the_2026_notice_the_library_knows():
    """examples/calendar.yaml types the 2026 notice as a format example: it parses, and with it
    every day of 2026 is what the library says (a typo in the example would show here)."""
    from pathlib import Path

    import yaml

    from bot.rules.org_extras import parse_calendar

    problems: list[str] = []
    raw = yaml.safe_load((Path(__file__).parents[2] / "examples" / "calendar.yaml").read_text(encoding="utf-8"))
    spec = parse_calendar(raw["calendar"], problems)
    assert problems == [] and len(spec.holidays) == 33 and len(spec.workdays) == 6
    typed = WorkCalendar().with_overrides(spec.holidays, spec.workdays)  # no library: the file alone
    year = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert [d for d in year if typed.is_workday(d) != LIB.is_workday(d)] == []
