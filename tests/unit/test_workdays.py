"""The Chinese working-day calendar: statutory holidays, make-up workdays, the fallback."""

from datetime import date, timedelta

import pytest

from bot.rules.workdays import WorkCalendar, china_calendar

CAL = china_calendar()


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def test_the_installed_library_covers_2001_to_2026():
    """holidays 0.109 has the State Council notices 2001–2026; 2027 is not out in it yet."""
    assert CAL.covers(2001) and CAL.covers(2025) and CAL.covers(2026)
    assert not CAL.covers(2000)
    assert not CAL.covers(2027), "holidays now has the 2027 notice: update the 2027 expectations"
    assert min(CAL.covered_years) == 2001 and max(CAL.covered_years) == 2026


def test_national_day_2026_is_october_1_to_7_with_two_make_up_workdays():
    """2026 notice: 10月1日至7日放假调休, 9月20日(周日)、10月10日(周六)上班."""
    assert not any(CAL.is_workday(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert CAL.is_workday(date(2026, 10, 8))  # Thursday: back at work
    assert CAL.is_workday(date(2026, 9, 20)) and date(2026, 9, 20).weekday() == 6
    assert CAL.is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert CAL.is_makeup_workday(date(2026, 9, 20)) and CAL.is_makeup_workday(date(2026, 10, 10))


def test_mid_autumn_2026_falls_on_friday_september_25():
    assert not CAL.is_workday(date(2026, 9, 25))
    assert CAL.is_workday(date(2026, 9, 24))


def test_spring_festival_2026_is_february_15_to_23_with_saturdays_14_and_28_worked():
    """2026 notice: 2月15日至23日放假调休, 2月14日(周六)、2月28日(周六)上班."""
    assert not any(CAL.is_workday(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert CAL.is_workday(date(2026, 2, 13)) and CAL.is_workday(date(2026, 2, 24))
    assert CAL.is_makeup_workday(date(2026, 2, 14)) and CAL.is_makeup_workday(date(2026, 2, 28))


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
     date(2025, 1, 26), date(2025, 9, 28)],
)
def test_make_up_workdays_are_weekend_days_that_are_worked(day):
    assert day.weekday() >= 5
    assert CAL.is_workday(day)
    assert CAL.is_makeup_workday(day)


@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 1, 2), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 5),
                                 date(2026, 6, 19)])
def test_statutory_holidays_and_days_off_on_weekdays_are_not_worked(day):
    assert day.weekday() < 5
    assert not CAL.is_workday(day)


def test_ordinary_weekends_and_weekdays():
    assert not CAL.is_workday(date(2026, 11, 21))  # Saturday
    assert not CAL.is_makeup_workday(date(2026, 11, 21))
    assert CAL.is_workday(date(2026, 11, 23))  # Monday
    assert not CAL.is_makeup_workday(date(2026, 11, 23))


def test_a_cross_year_make_up_workday_from_the_next_notice():
    """2001-12-29 (Saturday) was worked for the 2002 New Year, announced in the 2002 notice."""
    assert CAL.is_workday(date(2001, 12, 29))


def test_previous_and_next_workday_step_over_holidays_and_onto_make_up_days():
    assert CAL.previous_workday(date(2026, 10, 8)) == date(2026, 9, 30)
    assert CAL.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 9, 18)) == date(2026, 9, 20)  # Friday → the make-up Sunday
    assert CAL.previous_workday(date(2026, 3, 1)) == date(2026, 2, 28)  # Sunday → the make-up Saturday
    assert CAL.next_workday(date(2026, 1, 1)) == date(2026, 1, 4)


def test_inclusive_keeps_a_working_day_and_moves_a_day_off():
    assert CAL.previous_workday(date(2026, 12, 25), inclusive=True) == date(2026, 12, 25)
    assert CAL.previous_workday(date(2026, 12, 25)) == date(2026, 12, 24)
    assert CAL.next_workday(date(2026, 10, 1), inclusive=True) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 8), inclusive=True) == date(2026, 10, 8)


def test_workdays_between_is_a_closed_range():
    got = CAL.workdays_between(date(2026, 9, 19), date(2026, 10, 11))
    assert got == [
        date(2026, 9, 20), date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23), date(2026, 9, 24),
        date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10),
    ]
    assert CAL.workdays_between(date(2026, 12, 25), date(2026, 12, 25)) == [date(2026, 12, 25)]
    assert CAL.workdays_between(date(2026, 12, 26), date(2026, 12, 27)) == []
    assert CAL.workdays_between(date(2026, 12, 31), date(2026, 12, 1)) == []


def test_an_uncovered_year_falls_back_to_monday_to_friday():
    """2031: the library would guess holidays, but without the notice only weekends count."""
    assert not CAL.covers(2031)
    assert CAL.is_workday(date(2031, 10, 1))  # Wednesday; National Day, but unknown schedule
    assert not CAL.is_workday(date(2031, 10, 4))  # Saturday
    assert CAL.previous_workday(date(2031, 10, 5)) == date(2031, 10, 3)
    assert len(CAL.workdays_between(date(2031, 9, 29), date(2031, 10, 12))) == 10


def test_2027_is_decided_by_weekends_only_with_the_installed_library():
    assert not CAL.covers(2027)
    assert CAL.is_workday(date(2027, 10, 1))  # Friday
    assert not CAL.is_workday(date(2027, 9, 25))  # Saturday
    assert CAL.previous_workday(date(2027, 9, 25)) == date(2027, 9, 24)


def test_uncovered_years_names_each_year_once_in_order():
    dates = [date(2031, 3, 25), date(2026, 12, 25), date(2027, 1, 1), date(2031, 6, 25), date(2027, 9, 25)]
    assert CAL.uncovered_years(dates) == [2027, 2031]
    assert CAL.uncovered_years([date(2026, 1, 1)]) == []
    assert CAL.uncovered_years([]) == []


class FakeChina:
    """A hand-written stand-in for holidays.China: one holiday, one make-up Sunday."""

    special_public_holidays = {2030: ()}

    def is_working_day(self, key: date) -> bool:
        if key == date(2030, 5, 1):
            return False
        if key == date(2030, 5, 5):
            return True
        return key.weekday() < 5


def test_a_fake_source_is_covered_for_the_years_of_its_table():
    cal = WorkCalendar(FakeChina())
    assert cal.covered_years == frozenset({2030})
    assert not cal.is_workday(date(2030, 5, 1))
    assert cal.is_makeup_workday(date(2030, 5, 5))
    assert cal.next_workday(date(2030, 4, 30)) == date(2030, 5, 2)


def test_explicit_covered_years_override_the_table():
    cal = WorkCalendar(FakeChina(), covered_years=[])
    assert not cal.covers(2030)
    assert cal.is_workday(date(2030, 5, 1))  # the fallback: a Wednesday
    assert not cal.is_makeup_workday(date(2030, 5, 5))
    assert cal.uncovered_years([date(2030, 5, 1)]) == [2030]


def test_without_a_source_every_year_is_the_fallback():
    cal = WorkCalendar()
    assert not cal.covers(2026)
    assert cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 10))


def test_a_calendar_without_working_days_stops_searching():
    class NeverWorks:
        def is_working_day(self, key: date) -> bool:
            return False

    cal = WorkCalendar(NeverWorks(), covered_years=range(2000, 2100))
    with pytest.raises(ValueError, match="no working day"):
        cal.next_workday(date(2030, 1, 1))
