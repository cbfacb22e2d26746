"""Sending replies in the caller's language, split to Telegram's size."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.rules.chunks import split_text
from bot.texts import t
from handlers.context import Ctx


def lang(context: Ctx) -> str:
    caller = getattr(context, "caller", None)
    return caller.language if caller else context.services.settings.bot_language


def text(context: Ctx, key: str, **params: Any) -> str:
    return t(lang(context), key, **params)


async def send(update: Update, body: str) -> None:
    """Reply in the update's chat; long bodies go out as several messages, nothing cut."""
    message = update.effective_message
    if message is None:
        return
    for piece in split_text(body):
        await message.reply_text(piece)


async def reply(update: Update, context: Ctx, key: str, **params: Any) -> None:
    await send(update, text(context, key, **params))
