"""What a handler says about a due date it has understood: the date with its weekday
(`2026-12-31（周四）18:00`) and, when that day is not a working day, one line saying so."""

from __future__ import annotations

from datetime import datetime

from bot.rules.dates import day_off
from bot.rules.workdays import WorkCalendar
from bot.texts import day_off_warning, fmt_due
from bot.usecases import calendar as calendars
from handlers.context import Ctx
from handlers.replies import lang


def due_text(context: Ctx, moment: datetime) -> str:
    return fmt_due(moment, context.services.settings.tz, lang(context))


async def office_calendar(context: Ctx) -> WorkCalendar:
    """The acting office's working-day calendar (the library with its org files' days), read from
    the database once per update: every date a user types is read and warned about by it."""
    cached = context.__dict__.get("_office_calendar")
    if cached is None:
        cached = await calendars.office_calendar(context.services.db, context.caller.office_id,
                                                 base=context.services.calendar)
        context.__dict__["_office_calendar"] = cached
    return cached


async def due_warning(context: Ctx, moment: datetime) -> str | None:
    """`⚠️ 注意：2026-10-02（周五）是法定节假日…` for a day off in the office's calendar, else None."""
    tz = context.services.settings.tz
    return day_off_warning(moment, tz, lang(context), day_off(moment.astimezone(tz).date(), await office_calendar(context)))


async def with_warning(context: Ctx, body: str, moment: datetime) -> str:
    """`body`, and the day-off warning for `moment` on a line of its own when there is one."""
    warning = await due_warning(context, moment)
    return f"{body}\n{warning}" if warning else body
