"""`/calendar [YYYY-MM]`: which month is asked for, and what that month holds in a calendar."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import UsageError
from bot.rules.workdays import WorkCalendar

_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?")
_MONTH = re.compile(r"(\d{1,2})\s*月")
_YEARS = range(1900, 2101)


def parse_month(args: list[str], today: date) -> tuple[int, int]:
    """(year, month) from `2027-02`, `2027-2`, `2027/02`, `2027年2月`, `2月` (this year) or nothing
    (this month); full-width digits too. Anything else is the command's usage line."""
    raw = unicodedata.normalize("NFKC", " ".join(args)).strip()
    if not raw:
        return today.year, today.month
    if m := _YEAR_MONTH.fullmatch(raw):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH.fullmatch(raw):
        year, month = today.year, int(m.group(1))
    else:
        raise UsageError("calendar")
    if not 1 <= month <= 12 or year not in _YEARS:
        raise UsageError("calendar")
    return year, month


@dataclass(frozen=True)
class SpecialDay:
    """A day that differs from the plain week: a weekday off (`work=False`, 休) or a weekend day
    worked (`work=True`, 班); `override` when an org file decided it rather than the library."""

    day: date
    work: bool
    override: bool


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    workdays: int
    special: tuple[SpecialDay, ...]
    covered: bool  # the library or an org file knows the year's schedule

    @property
    def off(self) -> tuple[SpecialDay, ...]:
        return tuple(d for d in self.special if not d.work)

    @property
    def worked(self) -> tuple[SpecialDay, ...]:
        return tuple(d for d in self.special if d.work)


def month_in(cal: WorkCalendar, year: int, month: int) -> Month:
    """The month's working days, and each day off on a weekday and each weekend day worked (a
    holiday named on a weekend changes nothing, so it is not listed)."""
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    days = [first + timedelta(days=n) for n in range(last.day)]
    special = tuple(SpecialDay(d, cal.is_workday(d), cal.overridden(d) is not None)
                    for d in days if cal.is_workday(d) != (d.weekday() < 5))
    return Month(year, month, sum(cal.is_workday(d) for d in days), special, cal.covers(year))
