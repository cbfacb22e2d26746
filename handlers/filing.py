"""One-tap filing of kept messages: the liaison's buttons under their own plain message (`i:`), and
the office's /inbox with its buttons (`ib:`, admins only — the access layer checks the role; the
acting office's messages only).

Registered before handlers/task_buttons.py, whose handler takes every other button."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.errors import Refused, UsageError
from bot.rules.callbacks import Callback
from bot.rules.tasks import parse_task_number
from bot.usecases import filing, inbox
from bot.views import inbox as views
from bot.views.reports import draft
from handlers.buttons import answer_button
from handlers.context import Ctx
from handlers.replies import lang, send, text

log = logging.getLogger(__name__)
MAX_TEXT = 4096  # Telegram's limit for a message's text


def _markup(keyboard: dict | None, context: Ctx) -> InlineKeyboardMarkup | None:  # type: ignore[type-arg]
    return InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None


async def show_inbox(update: Update, context: Ctx) -> None:
    args = context.args or []
    if len(args) > 1:
        raise UsageError("inbox")
    number = parse_task_number(args[0], "inbox") if args else 1
    view = await inbox.kept_page(context.services.db, number, context.caller.office_id)
    body, keyboard = views.page(view, lang(context), context.services.settings.tz)
    await send(update, body, reply_markup=_markup(keyboard, context))


async def _edit(update: Update, body: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Edit the message that carried the button (one too old to be reached is left as it is)."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):
        return
    try:
        await query.edit_message_text(body, reply_markup=keyboard)
    except BadRequest as error:  # unchanged (pressed twice), or gone: the filing stands, the answer says so
        if "not modified" not in str(error).lower():
            log.info("could not edit the filing buttons' message: %s", error)


async def _liaison(update: Update, context: Ctx, cb: Callback) -> str:
    db, now, caller = context.services.db, context.now(), context.caller
    if cb.action == "t":
        if cb.ref2 is None:
            return text(context, "button.stale")
        done = await filing.under_task(db, caller, cb.ref, cb.ref2, now=now)
        context.services.wake_outbox()  # the task notice is refreshed through the outbox
    elif cb.action == "r":
        done = await filing.into_report(db, caller, cb.ref, now=now)
    else:
        done = await filing.keep_only(db, caller, cb.ref, now=now)
    note = views.filed(done, lang(context))
    await _edit(update, note, None)
    if done.draft is not None:  # the draft as it is now, with its Submit button (as after /report)
        body, keyboard = draft(done.draft, lang(context), context.services.settings.tz)
        await context.bot.send_message(update.effective_chat.id, body, reply_markup=_markup(keyboard, context))  # type: ignore[union-attr]
    return note


async def _office(update: Update, context: Ctx, cb: Callback) -> str:
    query = update.callback_query
    assert query is not None
    if cb.action == "n":
        view = await inbox.kept_page(context.services.db, cb.ref, context.caller.office_id)
        body, keyboard = views.page(view, lang(context), context.services.settings.tz)
        await _edit(update, body, _markup(keyboard, context))
        return text(context, "inbox.page_note", page=view.page, pages=view.pages)
    if cb.ref2 is None:
        return text(context, "button.stale")
    done = await filing.by_office(context.services.db, context.caller, cb.ref, cb.ref2, now=context.now())
    context.services.wake_outbox()
    note = views.office_filed(done, lang(context))
    if isinstance(query.message, Message):
        original = query.message.text_html or ""
        current = query.message.reply_markup.to_dict() if query.message.reply_markup else None
        body = f"{original}\n\n{note}"
        await _edit(update, body if len(body) <= MAX_TEXT else note, _markup(views.without_message(current, cb.ref), context))
    return note


async def on_button(update: Update, context: Ctx) -> None:
    async def route(cb: Callback) -> str:
        if cb.kind not in ("i", "ib"):
            raise Refused("button.stale")
        return await (_liaison if cb.kind == "i" else _office)(update, context, cb)

    await answer_button(update, context, route)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("inbox", show_inbox),
        CallbackQueryHandler(on_button, pattern=r"^ib?:"),
    ]
