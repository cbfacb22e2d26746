"""The one error handler: domain errors become clear messages; anything else is logged."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.errors import DomainError, UsageError
from bot.texts import t
from bot.usecases import people
from handlers.context import Ctx
from handlers.replies import send

log = logging.getLogger(__name__)


async def _language(update: Update, context: Ctx) -> str:
    """The sender's language. The error context is new, so it is read again (the database may be
    the thing that failed: then the default language)."""
    services = context.services
    user = update.effective_user
    if user is not None:
        try:
            return await people.language_of(services.db, user.id, default=services.settings.bot_language)
        except Exception:  # noqa: BLE001 - the original error is what matters here
            pass
    return services.settings.bot_language


def render(error: DomainError, lang: str) -> str:
    if isinstance(error, UsageError):
        return t(lang, f"usage.{error.command}")
    return t(lang, error.key, **error.params)


async def on_error(update: object, context: Ctx) -> None:
    """Render domain errors; log anything else and ask the user to resend. Then stop: an update
    that failed anywhere (the access check included) reaches no further handler."""
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update: %s", type(error).__name__, exc_info=error)
        return
    try:
        if isinstance(error, DomainError):
            await send(update, render(error, await _language(update, context)))
        elif isinstance(error, TelegramError):
            # The Bot API failed while answering. Use cases commit before the reply is sent, so the
            # work is done: telling the user it was not (and to resend) would be wrong.
            log.warning("update %s: the Bot API failed while answering: %s", update.update_id, error)
        else:
            log.error("update %s failed: %s", update.update_id, type(error).__name__, exc_info=error)
            await send(update, t(await _language(update, context), "error.internal"))
    except TelegramError:
        log.warning("could not tell the user about the failure of update %s", update.update_id)
    raise ApplicationHandlerStop
