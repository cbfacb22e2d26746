"""Meetings and their agreed items (议定事项): `/meeting TITLE [| DATE]` (admins) records a meeting and
takes its minutes (text messages, or a .docx) as the admin's next messages; the proposal (one
message, replaced by each later piece) is confirmed, or items dropped and fixed, by its buttons
(`m:` payloads); `/meeting N` and `/meetings` read (directors too).

The dialogue's state is in the database (bot/usecases/meetings.py): the admin's next message
reaches `on_minutes` / `on_due` / `on_departments` through handlers/inbox.py's EXPECTED table."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.errors import DomainError, Refused, UsageError
from bot.rules.callbacks import Callback
from bot.rules.meetings import is_meeting_number, parse_meeting
from bot.rules.roles import Role
from bot.usecases import inbox, meetings
from bot.usecases.inbox import Incoming
from bot.views.meetings import (ProposalView, day_name, detail_text, list_text, names, proposal_keyboard,
                                proposal_text, task_range)
from handlers.buttons import answer_button
from handlers.commands import command_text, with_caption_command
from handlers.context import Ctx
from handlers.incoming import incoming
from handlers.replies import lang, reply, send, text

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the Bot API hands bots files up to 20 MB


def _markup(context: Ctx, keyboard: dict | None) -> InlineKeyboardMarkup | None:  # type: ignore[type-arg]
    return InlineKeyboardMarkup.de_json(keyboard, context.bot) if keyboard else None


async def _show_proposal(update: Update, context: Ctx, view: ProposalView) -> None:
    """The proposal as a new message at the bottom of the chat, the one that showed it before
    taken away (or, when it cannot be deleted, its buttons)."""
    message = update.effective_message
    assert message is not None
    sent = await message.reply_text(proposal_text(view, lang(context)),
                                    reply_markup=_markup(context, proposal_keyboard(view, lang(context))))
    await meetings.remember_message(context.services.db, context.caller, view.meeting_id, sent.chat_id,
                                    sent.message_id)
    if view.replaces is not None and view.replaces != (sent.chat_id, sent.message_id):
        chat_id, message_id = view.replaces
        try:
            await context.bot.delete_message(chat_id, message_id)
        except BadRequest:  # too old to delete (48 hours): leave it without buttons
            try:
                await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            except BadRequest:
                pass


# ---------------------------------------------------------------- commands


async def meeting(update: Update, context: Ctx) -> None:
    """`/meeting N` reads meeting N; `/meeting TITLE [| DATE]` records one (admins), and a .docx
    sent with that caption is its minutes."""
    message = update.effective_message
    assert message is not None
    body = command_text(message)
    if not body:
        raise UsageError("meeting")
    number = is_meeting_number(body)
    if number is not None:
        await show(update, context, number)
        return
    if not context.caller.has(Role.ADMIN):  # directors read meetings; recording one is the office's
        raise Refused("meeting.create_admin_only")
    services, now = context.services, context.now()
    title, held_on = parse_meeting(body, today=now.astimezone(services.settings.tz).date())
    started = await meetings.start(services.db, context.caller, title, held_on, now=now)
    await reply(update, context, "meeting.started", id=started.meeting_id, title=started.title,
                day=day_name(started.held_on, lang(context)))
    if message.document is not None:
        await on_minutes(update, context, incoming(message, context.caller.telegram_id), started.meeting_id)


async def show(update: Update, context: Ctx, number: int) -> None:
    services, now = context.services, context.now()
    found = await meetings.detail(services.db, context.caller, number, now=now, tz=services.settings.tz)
    admin = context.caller.has(Role.ADMIN)
    if found.proposal is not None and admin:
        await meetings.keep_waiting(services.db, context.caller, number, now=now)
        await _show_proposal(update, context, found.proposal)
        return
    body = detail_text(found, lang(context), services.settings.tz)
    if found.state == meetings.MINUTES and admin:
        await meetings.keep_waiting(services.db, context.caller, number, now=now)
        body += "\n" + text(context, "meeting.send_minutes")
    await send(update, body)


async def list_meetings(update: Update, context: Ctx) -> None:
    services = context.services
    rows = await meetings.listing(services.db, context.caller.office_id, now=context.now(), tz=services.settings.tz)
    await send(update, list_text(rows, lang(context)))


# ---------------------------------------------------------------- the admin's next messages


def _is_docx(item: Incoming) -> bool:
    return item.kind == "document" and (item.file_name or "").lower().endswith(".docx")


async def on_minutes(update: Update, context: Ctx, item: Incoming, meeting_id: int | None) -> None:
    """A piece of the minutes: text, or a .docx (downloaded); anything else is refused politely
    and the minutes are still awaited."""
    assert meeting_id is not None
    services, now, tz = context.services, context.now(), context.services.settings.tz
    if item.kind == "text":
        view = await meetings.add_minutes(services.db, context.caller, meeting_id, now=now, tz=tz, text=item.text)
    elif _is_docx(item) and item.file_id is not None:
        await meetings.keep_waiting(services.db, context.caller, meeting_id, now=now)  # should the download fail
        if (item.file_size or 0) > DOWNLOAD_LIMIT:
            raise DomainError("meeting.file_too_big")
        file = await context.bot.get_file(item.file_id)
        data = bytes(await file.download_as_bytearray())
        view = await meetings.add_minutes(services.db, context.caller, meeting_id, now=now, tz=tz, document=data,
                                          file_name=item.file_name)
    else:  # not minutes: kept in the office's inbox like any message, and the minutes still awaited
        await inbox.keep(services.db, item, now=now, office_id=context.caller.office_id)
        await meetings.keep_waiting(services.db, context.caller, meeting_id, now=now)
        await reply(update, context, "meeting.not_docx")
        return
    await _show_proposal(update, context, view)


async def _fix(update: Update, context: Ctx, item: Incoming, meeting_id: int | None, what: str) -> None:
    assert meeting_id is not None
    services = context.services
    view = await meetings.fix(services.db, context.caller, meeting_id, what, item.text or "", now=context.now(),
                              tz=services.settings.tz)
    await _show_proposal(update, context, view)


async def on_due(update: Update, context: Ctx, item: Incoming, meeting_id: int | None) -> None:
    await _fix(update, context, item, meeting_id, "due")


async def on_departments(update: Update, context: Ctx, item: Incoming, meeting_id: int | None) -> None:
    await _fix(update, context, item, meeting_id, "dep")


# What the admin's next message is, by kind of pending input (handlers/inbox.py routes it here).
EXPECTED = {meetings.EXPECT_MINUTES: on_minutes, meetings.EXPECT_DUE: on_due,
            meetings.EXPECT_DEPARTMENTS: on_departments}


# ---------------------------------------------------------------- the proposal's buttons


async def _edit(update: Update, context: Ctx, body: str, keyboard: dict | None) -> None:  # type: ignore[type-arg]
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(body, reply_markup=_markup(context, keyboard))
    except BadRequest as error:  # pressed twice: nothing changed
        if "not modified" not in str(error).lower():
            raise


async def _show_edited(update: Update, context: Ctx, view: ProposalView) -> None:
    await _edit(update, context, proposal_text(view, lang(context)), proposal_keyboard(view, lang(context)))


async def _route(update: Update, context: Ctx, cb: Callback) -> str:
    services, now, tz = context.services, context.now(), context.services.settings.tz
    db, caller = services.db, context.caller
    if cb.kind != "m":
        raise Refused("button.stale")
    if cb.action in ("it", "dr", "due", "dep") and cb.ref2 is None:
        raise Refused("button.stale")
    if cb.action == "it":
        await _show_edited(update, context, await meetings.proposal(db, caller, cb.ref, now=now, tz=tz,
                                                                    selected=cb.ref2))
        return text(context, "meeting.item_opened", number=cb.ref2)
    if cb.action == "bk":
        await _show_edited(update, context, await meetings.proposal(db, caller, cb.ref, now=now, tz=tz))
        return ""
    if cb.action == "dr":
        await _show_edited(update, context, await meetings.drop(db, caller, cb.ref, cb.ref2, now=now, tz=tz))  # type: ignore[arg-type]
        return text(context, "meeting.item_dropped", number=cb.ref2)
    if cb.action in ("due", "dep"):
        item = await meetings.ask_fix(db, caller, cb.ref, cb.ref2, cb.action, now=now)  # type: ignore[arg-type]
        prompt = text(context, f"meeting.ask_{cb.action}", number=item.number, title=item.title)
        await context.bot.send_message(update.effective_chat.id, prompt)  # type: ignore[union-attr]
        return text(context, "meeting.asked")
    if cb.action == "ok":
        done = await meetings.confirm(db, caller, cb.ref, now=now, tz=tz,
                                      default_language=services.settings.bot_language)
        services.wake_outbox()
        outcome = text(context, "meeting.confirmed", count=len(done.task_ids), ids=task_range(done.task_ids),
                       departments=done.notified)
        if done.without_liaison:
            outcome += "\n" + text(context, "meeting.no_liaison", names=names(lang(context), done.without_liaison))
        await _edit(update, context, outcome, None)
        return outcome
    title = await meetings.cancel(db, caller, cb.ref, now=now)
    await _edit(update, context, text(context, "meeting.cancelled", id=cb.ref, title=title), None)
    return text(context, "meeting.cancelled_short")


async def on_button(update: Update, context: Ctx) -> None:
    """Every `m:` button; a refusal (an item with no date at confirmation, a stale button) is shown
    as an alert, so it is read on a phone."""
    await answer_button(update, context, lambda cb: _route(update, context, cb), alert_refusal=True)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("meeting", meeting),
        MessageHandler(with_caption_command("meeting"), meeting),  # a .docx captioned /meeting TITLE
        CommandHandler("meetings", list_meetings),
        CallbackQueryHandler(on_button, pattern=r"^m:"),
    ]
