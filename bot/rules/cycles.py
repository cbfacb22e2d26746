"""Quarterly reporting cycles: the quarter, its deadline, reminders and escalation.

The rule (seeds/002, 一(四)): departments report "每季度末月25日前" — by the 25th of the last
month of each quarter (3-25, 6-25, 9-25, 12-25), configured by `ReportingRule` in the org file.
Every moment is an aware datetime in the office's time zone; nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

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
    due = deadline(quarter, rule, tz, calendar)
    first_workday = min(calendar.next_workday(quarter.start, inclusive=True), due_day)
    by_day: dict[date, int] = {}
    for n in sorted(set(rule.reminders_days_before), reverse=True):
        if n < 0:
            raise ValueError(f"reminder days must not be negative, not {n}")
        day = due_day
        if n > 0:
            day = calendar.previous_workday(due_day - timedelta(days=n), inclusive=True)
            day = max(day, first_workday)
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
