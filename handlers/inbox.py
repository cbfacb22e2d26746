"""Messages that are not commands, and unknown commands.

A reply to a task notice or reminder is progress on that task; a message the bot asked for (after
a "report progress" or "ask for more time" button) goes where it was asked for; anything else is
kept — and, while the liaison's department has open work, answered with buttons to file it under a
task or the quarterly report (handlers/filing.py). Unknown commands get a hint."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.errors import DomainError, Refused
from bot.rules.tasks import parse_extension
from bot.usecases import inbox, inputs, reports, task_actions
from bot.views.inbox import offer as filing_offer
from handlers.commands import command_of
from handlers.incoming import incoming
from handlers.reports import add_message as report_message
from handlers.reports import reply_to_request
from handlers.meetings import EXPECTED as MEETING_INPUTS
from handlers.context import Ctx
from handlers.dates import due_text, office_calendar, with_warning
from handlers.replies import lang, reply, send, text


async def unknown_command(update: Update, context: Ctx) -> None:
    command = command_of(update.effective_message, context.bot.username)
    if command is None:  # addressed to another bot
        return
    await reply(update, context, "unknown_command", command=command)


async def keep(update: Update, context: Ctx, item: inbox.Incoming) -> None:
    """Store the message first; while the sender's department has open work, offer one-tap filing
    (handlers/filing.py takes the press), otherwise acknowledge it as kept."""
    offer = await inbox.keep_and_offer(context.services.db, context.caller, item, now=context.now())
    if not offer.has_choices or offer.filed:
        await reply(update, context, "inbox.kept" if offer.fresh else "inbox.kept_again")
        return
    body, keyboard = filing_offer(offer, lang(context))
    if not offer.fresh:  # the same message again (its first answer may have been lost): the buttons again
        body = text(context, "inbox.kept_again")
    await send(update, body, reply_markup=InlineKeyboardMarkup.de_json(keyboard, context.bot))


async def progress(update: Update, context: Ctx, item: inbox.Incoming, target_id: int | None = None, *,
                   task_id: int | None = None, done: bool = False, reply_to: int | None = None) -> bool:
    """Progress on a task (found by target, by number, or by the bot's message `reply_to` answers);
    from someone who may not report on it, kept and the sender told. False (nothing done) only for
    a reply to a bot message that was about no task."""
    db, now = context.services.db, context.now()
    try:
        if reply_to is not None:
            result = await task_actions.record_reply(db, context.caller, item, reply_to, now=now)
            if result is None:
                return False
        else:
            result = await task_actions.record_progress(db, context.caller, item, now=now, target_id=target_id,
                                                        task_id=task_id, done=done)
    except Refused as refusal:
        await task_actions.keep_refused(db, item, now=now, office_id=inbox.office_of(context.caller))
        if refusal.key in ("task.not_target", "task.not_liaison"):
            await reply(update, context, "progress.refused_kept", id=refusal.params.get("id", "?"))
            return True
        raise
    context.services.wake_outbox()  # the notice's other copies are edited through the outbox
    key = "done.saved" if done else ("progress.saved" if result.stored else "progress.again")
    await reply(update, context, key, id=result.view.task_id, department=result.view.department)
    return True


async def extension(update: Update, context: Ctx, item: inbox.Incoming, target_id: int) -> None:
    settings, db = context.services.settings, context.services.db
    try:
        until, reason = parse_extension(item.text or "", now=context.now(), tz=settings.tz,
                                        calendar=await office_calendar(context))
    except DomainError:
        await task_actions.expect(db, context.caller, "extension", target_id, now=context.now())  # ask again
        raise
    view = await task_actions.request_extension(db, context.caller, target_id, until, reason, now=context.now(),
                                                tz=settings.tz, admin_ids=settings.bot_admin_ids,
                                                default_language=settings.bot_language)
    context.services.wake_outbox()
    await send(update, await with_warning(context, text(context, "extension.requested", id=view.task_id,
                                                  until=due_text(context, until)), until))


# What a message is, when the bot asked for it: kind of pending input → handler.
EXPECTED = {"progress": progress, "extension": extension, reports.EXPECT_KIND: report_message, **MEETING_INPUTS}


async def on_message(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    item = incoming(message, context.caller.telegram_id)
    db = context.services.db
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        if await reply_to_request(update, context, item, replied.message_id):  # a reply to a month's request
            return
        if await progress(update, context, item, reply_to=replied.message_id):  # a reply to a notice or reminder
            return
    expected = await inputs.take(db, context.caller.telegram_id)
    if expected is not None and expected[0] in EXPECTED:
        await EXPECTED[expected[0]](update, context, item, expected[1])  # type: ignore[operator]
        return
    await keep(update, context, item)


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, on_message),
    ]
