"""The Chinese working-day calendar: statutory holidays and make-up workdays (调休).

`holidays.China` (0.109) has no WORKDAY category. It encodes each year's State Council notice
(国务院办公厅关于部分节假日安排的通知) in `ChinaStaticHolidays.special_public_holidays`, as
substituted days off `(month, day, from_month, from_day[, from_year])`: the weekend day a day
off was moved from is a make-up workday. The library collects those in `weekend_workdays` and
answers `is_working_day(d)` with both rules applied (2001–2026 in 0.109).

A year is *covered* when the source has that year's notice, i.e. the year is a key of
`special_public_holidays`. For any other year the library could only estimate (its lunar dates
are right, its 补假 guesses are not the notice), so this calendar falls back to weekends only:
Monday–Friday are working days. `covers` / `uncovered_years` let callers tell admins once.

Caveat: a make-up workday in the last days of December may be announced with the following
year's notice (e.g. 2001-12-29), so it is known only once that year is covered too.

Overrides (the org file's `calendar: {holidays, workdays}`): a named holiday is a day off even on
a weekday, a named workday a working day even on a weekend, whatever the library says; a year in
which an override names a day counts as covered (the office has typed that year's schedule, or
the part it cares about). `with_overrides` layers them: a later layer wins over an earlier one
for the days it names (the root office's, then a child office's own; bot/usecases/calendar.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

import holidays

_SEARCH_LIMIT = 366  # no real calendar has a year without a working day


class HolidaySource(Protocol):
    """What the calendar needs from `holidays.China` (or a test fake)."""

    def is_working_day(self, key: date) -> bool: ...


def _is_weekday(d: date) -> bool:
    return d.weekday() < 5


class WorkCalendar:
    """Working days: the source's answer for covered years, Monday–Friday otherwise.

    `covered_years` defaults to the years of the source's `special_public_holidays` table
    (the notices `holidays` knows); without a source no year is covered.
    """

    def __init__(self, source: HolidaySource | None = None, covered_years: Iterable[int] | None = None, *,
                 holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self._source = source
        if covered_years is None:
            table = getattr(source, "special_public_holidays", None) or {}
            covered_years = (y for y in table if isinstance(y, int))
        self._library_years = frozenset(covered_years) if source is not None else frozenset()
        self._overrides: dict[date, bool] = {}  # day → is a working day
        self._add(holidays, workdays)

    def _add(self, holidays: Iterable[date], workdays: Iterable[date]) -> None:
        self._overrides.update({d: False for d in holidays})
        self._overrides.update({d: True for d in workdays})
        self._covered = self._library_years | {d.year for d in self._overrides}

    def with_overrides(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> WorkCalendar:
        """A new calendar: this one with `holidays` as days off and `workdays` as working days
        (a day named in both is a working day; the org file refuses that). This one is unchanged."""
        out = WorkCalendar(self._source, self._library_years)
        out._overrides = dict(self._overrides)
        out._add(holidays, workdays)
        return out

    @property
    def covered_years(self) -> frozenset[int]:
        """Years the library has a notice for or an override names a day in."""
        return self._covered

    @property
    def library_years(self) -> frozenset[int]:
        return self._library_years

    def covers(self, year: int) -> bool:
        """Whether the schedule (holidays and make-up workdays) of `year` is known: the library
        has that year's notice, or the office's overrides name a day in it."""
        return year in self._covered

    def overridden(self, d: date) -> bool | None:
        """What the overrides say of `d` (True: a working day, False: a day off), None when they
        do not name it."""
        return self._overrides.get(d)

    def library_is_workday(self, d: date) -> bool:
        """The answer without the overrides: the library's for the years it has, else Mon–Fri."""
        if self._source is not None and d.year in self._library_years:
            return bool(self._source.is_working_day(d))
        return _is_weekday(d)

    def uncovered_years(self, dates: Iterable[date]) -> list[int]:
        """The years among `dates` decided by the weekends-only fallback, ascending."""
        return sorted({d.year for d in dates if not self.covers(d.year)})

    def is_workday(self, d: date) -> bool:
        """A working day: what an override says of `d`; else not a weekend unless a make-up
        workday, not a holiday (the library's, for the years it has)."""
        said = self._overrides.get(d)
        return self.library_is_workday(d) if said is None else said

    def is_makeup_workday(self, d: date) -> bool:
        """A Saturday or Sunday that is a working day (调休上班)."""
        return not _is_weekday(d) and self.is_workday(d)

    def previous_workday(self, d: date, *, inclusive: bool = False) -> date:
        """The last working day before `d` (on or before it with `inclusive`)."""
        return self._step(d, -1, inclusive)

    def next_workday(self, d: date, *, inclusive: bool = False) -> date:
        """The first working day after `d` (on or after it with `inclusive`)."""
        return self._step(d, 1, inclusive)

    def workdays_between(self, start: date, end: date) -> list[date]:
        """Working days in the closed range [start, end], ascending; empty when start > end."""
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        return [d for d in days if self.is_workday(d)]

    def _step(self, d: date, direction: int, inclusive: bool) -> date:
        day = d if inclusive else d + timedelta(days=direction)
        for _ in range(_SEARCH_LIMIT):
            if self.is_workday(day):
                return day
            day += timedelta(days=direction)
        raise ValueError(f"no working day within {_SEARCH_LIMIT} days of {d.isoformat()}")


def china_calendar() -> WorkCalendar:
    """The mainland calendar from `holidays.China`, covering the years it has notices for."""
    return WorkCalendar(holidays.China())

