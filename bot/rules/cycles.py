"""Reporting cycles: the quarter (and the month, below), its deadline, reminders and escalation.

The rule (seeds/002, 一(四)): departments report "每季度末月25日前" — by the 25th of the last
month of each quarter (3-25, 6-25, 9-25, 12-25), configured by `ReportingRule` in the org file.
Every moment is an aware datetime in the office's time zone; nothing here reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from bot.rules.org import ReportingRule
from bot.rules.workdays import WorkCalendar

REMINDER_TIME = time(9, 0)
ESCALATION_TIME = time(9, 0)
SHIFTS = ("previous_workday", "none")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise ValueError(f"quarter must be 1 to 4, not {self.q}")

    @property
    def first_month(self) -> int:
        return 3 * self.q - 2

    @property
    def last_month(self) -> int:
        return 3 * self.q

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The quarter's last day."""
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.q}"

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)


def quarter_of(d: date) -> Quarter:
    """The quarter holding the local date `d` (convert an aware datetime with `quarter_at`)."""
    return Quarter(d.year, (d.month - 1) // 3 + 1)


def quarter_at(moment: datetime, tz: tzinfo) -> Quarter:
    """The quarter holding `moment` as seen in `tz`."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return quarter_of(moment.astimezone(tz).date())


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def deadline_day(quarter: Quarter, rule: ReportingRule, calendar: WorkCalendar) -> date:
    """`quarterly_day` of the last month, moved to the previous working day when the rule shifts."""
    if rule.shift not in SHIFTS:
        raise ValueError(f"unknown shift {rule.shift!r}")
    day = date(quarter.year, quarter.last_month, rule.quarterly_day)
    if rule.shift == "previous_workday":
        day = calendar.previous_workday(day, inclusive=True)
    return day


def deadline(quarter: Quarter, rule: ReportingRule, tz: tzinfo, calendar: WorkCalendar) -> datetime:
    """The submission deadline: `deadline_time` local on the deadline day."""
    return datetime.combine(deadline_day(quarter, rule, calendar), _clock(rule.deadline_time), tzinfo=tz)


def reminder_times(
    quarter: Quarter, rule: ReportingRule, tz: tzinfo, calendar: WorkCalendar
) -> list[tuple[int, datetime]]:
    """`(N, when)` for each N in `reminders_days_before`, in time order.

    N > 0: 09:00 on the day N calendar days before the deadline day, moved back to the previous
    working day when it is not one, but never before the quarter's first working day. N = 0:
    09:00 on the deadline day itself. When several N land on one day, the largest N is kept (it
    is the closest to the real distance, which only grows by moving back). Reminders not before
    the deadline (a deadline_time at or before 09:00) are left out.
    """
    due_day = deadline_day(quarter, rule, calendar)
    first_workday = min(calendar.next_workday(quarter.start, inclusive=True), due_day)
    return _reminders(due_day, deadline(quarter, rule, tz, calendar), first_workday, rule.reminders_days_before,
                      tz, calendar)


def _reminders(due_day: date, due: datetime, first_day: date, days_before: tuple[int, ...], tz: tzinfo,
               calendar: WorkCalendar, *, window: date | None = None) -> list[tuple[int, datetime]]:
    """The reminder algorithm of `reminder_times`; with `window`, an N whose calendar day falls
    before it is left out instead of being pulled forward (a month's short window)."""
    by_day: dict[date, int] = {}
    for n in sorted(set(days_before), reverse=True):
        if n < 0:
            raise ValueError(f"reminder days must not be negative, not {n}")
        day = due_day
        if n > 0:
            if window is not None and due_day - timedelta(days=n) < window:
                continue
            day = calendar.previous_workday(due_day - timedelta(days=n), inclusive=True)
            day = max(day, first_day)
        by_day.setdefault(day, n)
    times = [(n, datetime.combine(day, REMINDER_TIME, tzinfo=tz)) for day, n in by_day.items()]
    return sorted((item for item in times if item[1] < due), key=lambda item: item[1])


def escalation_time(quarter: Quarter, rule: ReportingRule, tz: tzinfo, calendar: WorkCalendar) -> datetime:
    """09:00 on the first working day after the deadline day: who has not reported goes up."""
    day = calendar.next_workday(deadline_day(quarter, rule, calendar))
    return datetime.combine(day, ESCALATION_TIME, tzinfo=tz)


def cycle_opens_at(quarter: Quarter, tz: tzinfo) -> datetime:
    """00:00 local on the quarter's first day."""
    return datetime.combine(quarter.start, time(0, 0), tzinfo=tz)


# ---------------------------------------------------------------- monthly cycles (月报)
#
# With `monthly:` in the org file the office also collects a few indicators every month: on the
# 1st the cycle of the month just ended opens (label `2026-11`), due on `monthly.day` of the new
# month at the reporting rule's `deadline_time`, shifted like the quarter. Its window is short (a
# few days), so reminders whose day would fall before the cycle opens are left out rather than
# crowded onto its first day, and the request (sent on the first working day) stands for the
# reminder of its own day.

QUARTER_LABEL = re.compile(r"\d{4}-Q[1-4]")
MONTH_LABEL = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
KINDS = ("quarter", "month")


def kind_of(label: str) -> str:
    """`'quarter'` for `2026-Q4`, `'month'` for `2026-11`: a cycle's kind, derived from its label
    (no column holds it). Anything else is a ValueError."""
    if QUARTER_LABEL.fullmatch(label):
        return "quarter"
    if MONTH_LABEL.fullmatch(label):
        return "month"
    raise ValueError(f"not a cycle label: {label!r}")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1 to 12, not {self.month}")

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def quarter(self) -> Quarter:
        """The quarter holding the month (a monthly cycle's row stores its number in `quarter`)."""
        return quarter_of(self.start)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)


def month_of_label(label: str) -> Month:
    if not MONTH_LABEL.fullmatch(label):
        raise ValueError(f"not a month label: {label!r}")
    return Month(int(label[:4]), int(label[5:]))


def reported_month_at(moment: datetime, tz: tzinfo) -> Month:
    """The month whose figures are collected at `moment`: the one before the local month."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(tz).date()
    return Month(local.year, local.month).previous()


def month_opens_on(month: Month) -> date:
    """A month's cycle opens on the 1st of the following month, once the month is over."""
    return month.next().start


def month_opens_at(month: Month, tz: tzinfo) -> datetime:
    return datetime.combine(month_opens_on(month), time(0, 0), tzinfo=tz)


def month_deadline_day(month: Month, day: int, rule: ReportingRule, calendar: WorkCalendar) -> date:
    """`day` of the following month (the month's last day when it is shorter), moved to the
    previous working day when the rule shifts — unless that falls before the cycle opens (a
    holiday on the first days, e.g. National Day): then the first working day after it."""
    if rule.shift not in SHIFTS:
        raise ValueError(f"unknown shift {rule.shift!r}")
    if not 1 <= day <= 31:
        raise ValueError(f"monthly day must be 1 to 31, not {day}")
    due_month = month.next()
    due = date(due_month.year, due_month.month, min(day, due_month.end.day))
    if rule.shift == "previous_workday":
        earlier = calendar.previous_workday(due, inclusive=True)
        due = earlier if earlier >= month_opens_on(month) else calendar.next_workday(due, inclusive=True)
    return due


def month_deadline(month: Month, day: int, rule: ReportingRule, tz: tzinfo, calendar: WorkCalendar) -> datetime:
    return datetime.combine(month_deadline_day(month, day, rule, calendar), _clock(rule.deadline_time), tzinfo=tz)


def month_request_time(month: Month, day: int, rule: ReportingRule, tz: tzinfo, calendar: WorkCalendar) -> datetime:
    """09:00 on the first working day of the cycle (not after its deadline day): liaisons are
    asked for the month's figures."""
    due_day = month_deadline_day(month, day, rule, calendar)
    first = min(calendar.next_workday(month_opens_on(month), inclusive=True), due_day)
    return datetime.combine(first, REMINDER_TIME, tzinfo=tz)


def month_reminder_times(month: Month, day: int, rule: ReportingRule, tz: tzinfo,
                         calendar: WorkCalendar) -> list[tuple[int, datetime]]:
    """The quarter's reminders (`reminders_days_before`) on the month's short window: an N whose
    calendar day is before the cycle opens is left out, and none goes out on the request's day."""
    due_day = month_deadline_day(month, day, rule, calendar)
    request = month_request_time(month, day, rule, tz, calendar)
    times = _reminders(due_day, month_deadline(month, day, rule, tz, calendar), request.date(),
                       rule.reminders_days_before, tz, calendar, window=month_opens_on(month))
    return [(n, when) for n, when in times if when.date() != request.date()]


def month_escalation_time(month: Month, day: int, rule: ReportingRule, tz: tzinfo, calendar: WorkCalendar) -> datetime:
    """09:00 on the first working day after the deadline day, like the quarter's."""
    return datetime.combine(calendar.next_workday(month_deadline_day(month, day, rule, calendar)),
                            ESCALATION_TIME, tzinfo=tz)


def month_closes_at(month: Month, opens_at: datetime) -> datetime:
    """When the next month's cycle opens (`opens_at` is this one's local midnight on the 1st):
    reports are taken, late after the deadline, until then."""
    return opens_at + timedelta(days=month.next().next().start.toordinal() - month.next().start.toordinal())


@dataclass(frozen=True)
class Trend:
    """One monthly indicator's totals by month (`2026-11` → total, None when there is none)."""

    name: str
    unit: str
    points: tuple[tuple[str, Decimal | None], ...]
