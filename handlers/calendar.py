"""`/calendar [YYYY-MM]` (liaisons, directors, admins; the access layer has checked the role): a
month of the acting office's working-day calendar, the one its deadlines and reminders follow."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.rules.calendar_month import month_in, parse_month
from bot.views.calendar import month_text
from handlers.context import Ctx
from handlers.dates import office_calendar
from handlers.replies import lang, send


async def calendar(update: Update, context: Ctx) -> None:
    year, month = parse_month(context.args or [], context.now().astimezone(context.services.settings.tz).date())
    await send(update, month_text(month_in(await office_calendar(context), year, month), lang(context)))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("calendar", calendar)]
