"""Messages that are not commands, and unknown commands.

A reply to a task notice or reminder is progress on that task; a message the bot asked for (after
a "report progress" or "ask for more time" button) goes where it was asked for; anything else is
kept and acknowledged. Unknown commands get a hint."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.errors import DomainError, Refused
from bot.rules.tasks import parse_extension
from bot.texts import fmt_time
from bot.usecases import inbox, inputs, reports, task_actions
from handlers.commands import command_of
from handlers.incoming import incoming
from handlers.reports import add_message as report_message
from handlers.context import Ctx
from handlers.replies import reply


async def unknown_command(update: Update, context: Ctx) -> None:
    command = command_of(update.effective_message, context.bot.username)
    if command is None:  # addressed to another bot
        return
    await reply(update, context, "unknown_command", command=command)


async def keep(update: Update, context: Ctx, item: inbox.Incoming) -> None:
    stored = await inbox.keep(context.services.db, item, now=context.now())
    await reply(update, context, "inbox.kept" if stored else "inbox.kept_again")


async def progress(update: Update, context: Ctx, item: inbox.Incoming, target_id: int | None = None, *,
                   task_id: int | None = None, done: bool = False) -> None:
    """Progress on a task (found by target or by number); from someone who may not report on it,
    kept and the sender told."""
    try:
        result = await task_actions.record_progress(context.services.db, context.caller, item, now=context.now(),
                                                    target_id=target_id, task_id=task_id, done=done)
    except Refused as refusal:
        await task_actions.keep_refused(context.services.db, item, now=context.now())
        if refusal.key in ("task.not_target", "task.not_liaison"):
            await reply(update, context, "progress.refused_kept", id=refusal.params.get("id", "?"))
            return
        raise
    key = "done.saved" if done else ("progress.saved" if result.stored else "progress.again")
    await reply(update, context, key, id=result.view.task_id, department=result.view.department)


async def extension(update: Update, context: Ctx, item: inbox.Incoming, target_id: int) -> None:
    settings, db = context.services.settings, context.services.db
    try:
        until, reason = parse_extension(item.text or "", now=context.now(), tz=settings.tz)
    except DomainError:
        await task_actions.expect(db, context.caller, "extension", target_id, now=context.now())  # ask again
        raise
    view = await task_actions.request_extension(db, context.caller, target_id, until, reason, now=context.now(),
                                                tz=settings.tz, admin_ids=settings.bot_admin_ids,
                                                default_language=settings.bot_language)
    context.services.wake_outbox()
    await reply(update, context, "extension.requested", id=view.task_id, until=fmt_time(until, settings.tz))


# What a message is, when the bot asked for it: kind of pending input → handler.
EXPECTED = {"progress": progress, "extension": extension, reports.EXPECT_KIND: report_message}


async def on_message(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    item = incoming(message, context.caller.telegram_id)
    db = context.services.db
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        target_id = await task_actions.target_of_reply(db, message.chat_id, replied.message_id)
        if target_id is not None:
            await progress(update, context, item, target_id)
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
