"""`/targets [YEAR]` (directors and admins; the access layer has checked the role): the acting
office's annual targets against the latest year-to-date figures, per department and in total."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.rules.targets import parse_year
from bot.usecases import targets
from bot.views.targets import report_text
from handlers.context import Ctx
from handlers.replies import lang, send


async def show(update: Update, context: Ctx) -> None:
    at, tz = context.now(), context.services.settings.tz
    year = parse_year(context.args or [], at.astimezone(tz).year)
    found = await targets.report(context.services.db, context.caller, year, at=at, tz=tz)
    await send(update, report_text(found, lang(context)))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("targets", show)]
