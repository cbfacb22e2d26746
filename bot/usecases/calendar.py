"""Each office's working-day calendar: the holiday library with the org files' overrides.

How offices combine: the root office's `calendar:` applies to every office (the State Council's
schedule is national); an office below it adds its own (a district's local change) for its own
rules, and so does each office between them, the nearest one winning for a day two of them name.

The overrides are read from the database (org_meta `calendar`, written by the org import) every
time a rule needs them, never kept in one process's memory: the bot and `python -m bot tick` see
the same calendar as soon as an org file is imported. `base` is the holiday library
(`services.calendar`); a caller without one gets `china_calendar()`, built once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules.org_extras import CalendarSpec
from bot.rules.workdays import WorkCalendar, china_calendar
from storage.db import Database
from storage.models import ROOT_OFFICE_ID, Office, OrgMeta


@lru_cache(maxsize=1)
def library() -> WorkCalendar:
    """The holiday library's calendar (the same in every process: it is the installed package)."""
    return china_calendar()


async def office_calendar(db_or_session: Database | AsyncSession, office_id: int = ROOT_OFFICE_ID,
                          base: WorkCalendar | None = None) -> WorkCalendar:
    """The calendar every working-day rule of `office_id` uses (two statements)."""
    return (await office_calendars(db_or_session, base))[office_id]


async def office_calendars(db_or_session: Database | AsyncSession,
                           base: WorkCalendar | None = None) -> Mapping[int, WorkCalendar]:
    """office id → its calendar, for every office (two statements whatever their number). An id
    that is no office gets the root office's calendar."""
    if isinstance(db_or_session, AsyncSession):
        return await _calendars(db_or_session, base or library())
    async with db_or_session.session() as s:
        return await _calendars(s, base or library())


class AnyOffice:
    """A day is a working day when it is one in any office's calendar: the morning round runs then
    (each office's items are decided by its own calendar)."""

    def __init__(self, calendars: Mapping[int, WorkCalendar]) -> None:
        self._calendars = tuple(calendars.values())

    def is_workday(self, day: date) -> bool:
        return any(c.is_workday(day) for c in self._calendars)

    def covers(self, year: int) -> bool:
        return all(c.covers(year) for c in self._calendars)


class _Calendars(dict[int, WorkCalendar]):
    def __init__(self, root: WorkCalendar) -> None:
        super().__init__()
        self.root = root

    def __missing__(self, key: int) -> WorkCalendar:
        return self.root


async def _calendars(s: AsyncSession, base: WorkCalendar) -> _Calendars:
    parents = {int(o): p for o, p in await s.exec(select(Office.id, Office.parent_id))}
    specs = {int(o): CalendarSpec.from_json(v)
             for o, v in await s.exec(select(OrgMeta.office_id, OrgMeta.value).where(OrgMeta.key == "calendar"))}
    root = _layered(base, [specs.get(ROOT_OFFICE_ID)])
    out = _Calendars(root)
    out[ROOT_OFFICE_ID] = root
    for office_id in parents:
        if office_id != ROOT_OFFICE_ID:
            out[office_id] = _layered(root, [specs.get(o) for o in reversed(_chain(office_id, parents))])
    return out


def _chain(office_id: int, parents: Mapping[int, int | None]) -> list[int]:
    """The office and its ancestors below the root, nearest first (a loop cannot hang it)."""
    chain: list[int] = []
    current: int | None = office_id
    while current is not None and current != ROOT_OFFICE_ID and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _layered(cal: WorkCalendar, specs: list[CalendarSpec | None]) -> WorkCalendar:
    for spec in specs:
        if spec is not None and (spec.holidays or spec.workdays):
            cal = cal.with_overrides(spec.holidays, spec.workdays)
    return cal
