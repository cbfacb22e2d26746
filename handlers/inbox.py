"""The fallbacks: unknown commands get a hint; anything else is kept and acknowledged."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.usecases import inbox
from handlers.commands import command_of
from handlers.context import Ctx
from handlers.replies import reply


def incoming(message: Message, sender_id: int) -> inbox.Incoming:
    """What to keep of a message: its text or caption and, for files, the file's facts."""
    base = dict(chat_id=message.chat_id, message_id=message.message_id, sender_id=sender_id)
    caption = message.caption
    if message.photo:
        photo = message.photo[-1]
        return inbox.Incoming(**base, kind="photo", text=caption, file_id=photo.file_id, file_size=photo.file_size)
    if message.document:
        doc = message.document
        return inbox.Incoming(**base, kind="document", text=caption, file_id=doc.file_id, file_name=doc.file_name,
                              file_size=doc.file_size, mime_type=doc.mime_type)
    if message.text is not None:
        return inbox.Incoming(**base, kind="text", text=message.text)
    attachment = message.effective_attachment
    kind = type(attachment).__name__.lower() if attachment is not None else "other"
    file_id = getattr(attachment, "file_id", None)
    return inbox.Incoming(**base, kind=kind, text=caption, file_id=file_id)


async def unknown_command(update: Update, context: Ctx) -> None:
    command = command_of(update.effective_message, context.bot.username)
    if command is None:  # addressed to another bot
        return
    await reply(update, context, "unknown_command", command=command)


async def keep(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    stored = await inbox.keep(context.services.db, incoming(message, context.caller.telegram_id), now=context.now())
    await reply(update, context, "inbox.kept" if stored else "inbox.kept_again")


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, keep),
    ]
