"""Inline buttons on task notices (liaisons) and on extension requests and file lists (admins).

A button whose data does not decode or no longer matches anything is answered with a short notice."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.errors import Refused
from bot.rules.callbacks import Callback
from bot.rules.tasks import Action
from handlers.dates import due_text
from bot.usecases import task_actions, tasks
from bot.views.tasks import TargetView, notice
from handlers.buttons import answer_button
from handlers.context import Ctx
from handlers.replies import lang, text


async def _show(update: Update, context: Ctx, view: TargetView) -> None:
    """Edit the notice in place so it shows the department's current state."""
    body, keyboard = notice(view, lang(context), context.services.settings.tz)
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(body, reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None)
    except BadRequest as error:  # pressing twice leaves the text unchanged
        if "not modified" not in str(error).lower():
            raise


async def _liaison(update: Update, context: Ctx, cb: Callback) -> str:
    db, now = context.services.db, context.now()
    if cb.action in ("ack", "done"):
        view = await task_actions.act(db, context.caller, cb.ref, Action.ACK if cb.action == "ack" else Action.DONE, now=now)
        context.services.wake_outbox()  # the other copies of the notice (a deputy's) are edited too
        await _show(update, context, view)
        return text(context, "ack.saved" if cb.action == "ack" else "done.saved", id=view.task_id, department=view.department)
    kind = "progress" if cb.action == "prog" else "extension"
    view = await task_actions.expect(db, context.caller, kind, cb.ref, now=now)
    prompt = text(context, "progress.ask" if kind == "progress" else "extension.ask", id=view.task_id)
    await context.bot.send_message(update.effective_chat.id, prompt)  # type: ignore[union-attr]
    return prompt


async def _decide(update: Update, context: Ctx, cb: Callback) -> str:
    settings = context.services.settings
    decision = await task_actions.decide_extension(
        context.services.db, context.caller, cb.ref, cb.action == "ok", now=context.now(), tz=settings.tz,
        default_language=settings.bot_language)
    context.services.wake_outbox()
    word = (text(context, "extension.approved_word", due=due_text(context, decision.view.due))
            if decision.approved else text(context, "extension.denied_word"))
    outcome = text(context, "extension.decided", decision=word, department=decision.view.department)
    query = update.callback_query
    assert query is not None and query.message is not None
    original = getattr(query.message, "text_html", None) or ""
    await query.edit_message_text(f"{original}\n{outcome}" if original else outcome, reply_markup=None)
    return outcome


async def _file(update: Update, context: Ctx, cb: Callback) -> str:
    found = await tasks.file_of(context.services.db, cb.action, cb.ref, context.caller.office_id)
    if found is None:
        return text(context, "task.file_missing")
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if found.kind == "photo":
        await context.bot.send_photo(chat_id, found.file_id, caption=found.name)
    else:
        await context.bot.send_document(chat_id, found.file_id)
    return found.name or found.kind


async def _acknowledge_all(update: Update, context: Ctx, cb: Callback) -> str:
    """The morning nudge's 全部确认收到: acknowledge what it listed, then say so under it."""
    count = await task_actions.acknowledge_all(context.services.db, context.caller, cb.ref, now=context.now(),
                                               tz=context.services.settings.tz)
    context.services.wake_outbox()  # the notices are edited to show it
    outcome = text(context, "ack.all_saved", count=count) if count else text(context, "ack.all_none")
    query = update.callback_query
    assert query is not None and query.message is not None
    original = getattr(query.message, "text_html", None) or ""
    await query.edit_message_text(f"{original}\n{outcome}" if original else outcome, reply_markup=None)
    return outcome


ROUTES = {"t": _liaison, "x": _decide, "f": _file, "a": _acknowledge_all}


async def on_button(update: Update, context: Ctx) -> None:
    async def route(cb: Callback) -> str:
        handler = ROUTES.get(cb.kind)
        if handler is None:
            raise Refused("button.stale")
        return await handler(update, context, cb)

    await answer_button(update, context, route)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button)]
