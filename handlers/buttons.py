"""Answering an inline button: decode its data, run what it asks for, answer with one short note.

Every button handler goes through `answer_button`: a button whose data does not decode (forged,
truncated, from an older version) gets the stale-button notice, a domain error its text, and
anything else the route's own note."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.errors import DomainError
from bot.rules.callbacks import Callback, decode
from bot.views.digest import plain
from handlers.context import Ctx
from handlers.errors import render
from handlers.replies import lang, text

ANSWER_MAX = 200  # Telegram shows at most this much of a callback answer


async def answer_button(update: Update, context: Ctx, route: Callable[[Callback], Awaitable[str]], *,
                        alert: bool = False, alert_refusal: bool = False) -> None:
    """Run the button's `route` and answer the press with what it says; a refusal (DomainError) is
    answered in the user's language, as an alert (read on a phone) when `alert_refusal`."""
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    if cb is None:
        await query.answer(text(context, "button.stale"))
        return
    try:
        note, show = await route(cb), alert
    except DomainError as error:
        note, show = render(error, lang(context)), alert or alert_refusal
    await query.answer(plain(note)[:ANSWER_MAX] or None, show_alert=show)
