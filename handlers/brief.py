"""`/brief [月|季度|年]` (directors and admins; the access layer has checked the role): the
office's work report (工作报告) for the period as a Word document, sent to the caller."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.render.brief import brief_docx, filename, title
from bot.rules.commands import parse_brief_request
from bot.rules.digest import on_demand_period
from bot.usecases import brief as papers
from handlers.context import Ctx
from handlers.replies import lang, text


async def brief(update: Update, context: Ctx) -> None:
    """The period so far (the quarter by default); `上月|上季度|去年` the one just ended. The acting
    office's report: the caller's."""
    kind, last = parse_brief_request(context.args or [])
    at, tz = context.now(), context.services.settings.tz
    built = await papers.build(context.services.db, kind, at=at, tz=tz, period=on_demand_period(kind, at, tz, last=last),
                               office_id=context.caller.office_id)
    language = lang(context)
    message = update.effective_message
    assert message is not None
    await message.reply_document(brief_docx(built, language, tz), filename=filename(built, language),
                                 caption=text(context, "brief.caption", title=title(built, language)))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("brief", brief)]
