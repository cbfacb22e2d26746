"""`/assessment [YEAR]` (directors and admins; the access layer has checked the role): the acting
office's annual assessment (年度考核) — one ranked line per unit, the chart, and the workbook with
every count and each part's points."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.render.assessment_chart import assessment_png
from bot.render.assessment_workbook import assessment_xlsx, filename
from bot.rules.assessment import parse_year
from bot.usecases import assessment as assessments
from bot.views.assessment import messages
from handlers.context import Ctx
from handlers.replies import lang, send, text


async def assessment(update: Update, context: Ctx) -> None:
    """Without a year: last year's until this year's `send_on` day, then this year so far."""
    year = parse_year(context.args or [])
    tz = context.services.settings.tz
    built = await assessments.build(context.services.db, year, now=context.now(), tz=tz,
                                    office_id=context.caller.office_id)
    language = lang(context)
    for piece in messages(built, language, tz):
        await send(update, piece)
    message = update.effective_message
    assert message is not None
    if built.scored:
        await message.reply_photo(assessment_png(built, language),
                                  caption=text(context, "assessment.caption", year=built.year))
    await message.reply_document(assessment_xlsx(built, language, tz), filename=filename(built, language),
                                 caption=text(context, "assessment.book_caption", year=built.year))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("assessment", assessment)]
