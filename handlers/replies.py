"""Sending replies in the caller's language, split to Telegram's size."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError

from bot.rules.chunks import split_text
from bot.texts import t
from handlers.context import Ctx


def lang(context: Ctx) -> str:
    caller = getattr(context, "caller", None)
    return caller.language if caller else context.services.settings.bot_language


def text(context: Ctx, key: str, **params: Any) -> str:
    return t(lang(context), key, **params)


REPLY_RETRY_PAUSE = 0.5


async def send(update: Update, body: str, *, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply in the update's chat; long bodies go out as several messages, nothing cut, with any
    buttons on the last one.

    A reply that fails on the way (a timeout, a 5xx) is tried once more: by then the work it
    confirms is done, and the user should hear so (PTB's rate limiter already handles 429)."""
    message = update.effective_message
    if message is None:
        return
    pieces = split_text(body)
    for i, piece in enumerate(pieces):
        markup = reply_markup if i == len(pieces) - 1 else None
        try:
            await message.reply_text(piece, reply_markup=markup)
        except BadRequest:
            raise
        except NetworkError:
            await asyncio.sleep(REPLY_RETRY_PAUSE)
            await message.reply_text(piece, reply_markup=markup)


async def reply(update: Update, context: Ctx, key: str, **params: Any) -> None:
    await send(update, text(context, key, **params))
