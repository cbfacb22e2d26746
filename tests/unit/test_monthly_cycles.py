"""Monthly cycles (月报): the month's deadline on `monthly.day` of the next month, shifted like the
quarter's; the reminders that fit the month's short window; when a month's cycle closes; a cycle's
kind from its label; the monthly trend drawn under the digest's chart."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.render.chart import HEIGHT_PX, TREND_PX, WIDTH_PX, chart_png
from bot.rules.cycles import (Month, Trend, kind_of, month_closes_at, month_deadline, month_deadline_day,
                              month_escalation_time, month_of_label, month_opens_at, month_reminder_times,
                              month_request_time, reported_month_at)
from bot.rules.org import ReportingRule
from bot.rules.workdays import WorkCalendar, china_calendar
from tests.unit.test_render import digest

TZ = ZoneInfo("Asia/Shanghai")
CAL = china_calendar()
RULE = ReportingRule()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_kind_of_tells_a_quarter_from_a_month_and_refuses_anything_else():
    assert kind_of("2026-Q4") == "quarter" and kind_of("2026-11") == "month" and kind_of("2027-01") == "month"
    for bad in ("2026-13", "2026-Q5", "2026", "2026-W48", "2026-1"):
        with pytest.raises(ValueError):
            kind_of(bad)


def test_the_month_collected_is_the_one_just_ended():
    assert reported_month_at(at(2026, 12, 1, 0, 0), TZ) == Month(2026, 11)
    assert reported_month_at(at(2027, 1, 15), TZ) == Month(2026, 12)
    # 16:30 UTC on 11-30 is already 12-01 in Shanghai
    assert reported_month_at(datetime.fromisoformat("2026-11-30T16:30:00+00:00"), TZ) == Month(2026, 11)
    assert month_of_label("2026-11").label == "2026-11" and Month(2026, 11).quarter.q == 4
    assert month_opens_at(Month(2026, 12), TZ) == at(2027, 1, 1, 0, 0)


def test_deadline_is_the_day_of_the_next_month_moved_to_the_previous_working_day():
    # 2026-12-05 is a Saturday: Friday 12-04, at the rule's 18:00
    assert month_deadline(Month(2026, 11), 5, RULE, TZ, CAL) == at(2026, 12, 4, 18, 0)
    assert month_deadline_day(Month(2026, 12), 5, RULE, CAL) == date(2027, 1, 5)  # a Tuesday
    assert month_deadline_day(Month(2026, 11), 5, ReportingRule(shift="none"), CAL) == date(2026, 12, 5)
    # a day the month does not have is its last day: 31 → February 28th (a Sunday in 2027 → Friday 26th)
    assert month_deadline_day(Month(2027, 1), 31, RULE, CAL) == date(2027, 2, 26)


def test_a_deadline_in_a_holiday_at_the_start_of_the_month_moves_forward_not_before_the_cycle():
    # National Day: 2026-10-01..10-07 off (10-05 inside); shifting back would land in September,
    # before September's cycle opens, so the first working day after it is taken
    cal = WorkCalendar(covered_years=[2026]).with_overrides(
        holidays=[date(2026, 10, d) for d in range(1, 8)], workdays=[date(2026, 10, 10)])
    assert month_deadline_day(Month(2026, 9), 5, RULE, cal) == date(2026, 10, 8)


def test_reminders_fit_the_short_window_and_the_request_stands_for_its_days_reminder():
    m = Month(2026, 11)  # opens Tuesday 12-01, due Friday 12-04 18:00
    assert month_request_time(m, 5, RULE, TZ, CAL) == at(2026, 12, 1)
    # 7 days before is 11-27, before the cycle opens: left out; 3 days before is 12-01, the request's day
    assert month_reminder_times(m, 5, RULE, TZ, CAL) == [(1, at(2026, 12, 3)), (0, at(2026, 12, 4))]
    assert month_escalation_time(m, 5, RULE, TZ, CAL) == at(2026, 12, 7)  # Monday
    longer = ReportingRule(reminders_days_before=(7, 3, 1, 0))
    assert [n for n, _ in month_reminder_times(m, 15, longer, TZ, CAL)] == [7, 3, 1, 0]  # due Tue 12-15


def test_a_month_closes_when_the_next_months_cycle_opens():
    opens = month_opens_at(Month(2026, 11), TZ)
    assert month_closes_at(Month(2026, 11), opens) == at(2027, 1, 1, 0, 0)
    assert month_closes_at(Month(2027, 1), month_opens_at(Month(2027, 1), TZ)) == at(2027, 3, 1, 0, 0)


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def test_the_monthly_trend_adds_a_strip_below_the_chart():
    trend = [Trend("产值", "亿元", (("2026-09", Decimal("10.5")), ("2026-10", None), ("2026-11", Decimal("12")))),
             Trend("引进项目", "个", (("2026-09", None), ("2026-10", None), ("2026-11", None)))]
    plain = chart_png(digest(), "zh", TZ)
    with_trend = chart_png(digest(), "zh", TZ, trend=trend)
    assert png_size(plain) == (WIDTH_PX, HEIGHT_PX)
    assert png_size(with_trend) == (WIDTH_PX, HEIGHT_PX + TREND_PX)
    assert png_size(chart_png(digest(), "en", TZ, trend=trend, font=None)) == (WIDTH_PX, HEIGHT_PX + TREND_PX)
