"""/broadcast TEXT: queue one message for every registered liaison."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.errors import Refused, UsageError
from bot.usecases import broadcasts
from handlers.commands import command_text
from handlers.context import Ctx
from handlers.replies import reply


MAX_TEXT = 4000  # Telegram's 4096 less the header


async def broadcast(update: Update, context: Ctx) -> None:
    text = command_text(update.effective_message)
    if not text:
        raise UsageError("broadcast")
    if len(text) > MAX_TEXT:
        raise Refused("broadcast.too_long", limit=MAX_TEXT, length=len(text))
    broadcast_id, total = await broadcasts.start(
        context.services.db, context.caller, text,
        default_language=context.services.settings.bot_language, now=context.now(),
    )
    context.services.wake_outbox()
    await reply(update, context, "broadcast.queued", id=broadcast_id, total=total)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("broadcast", broadcast)]
