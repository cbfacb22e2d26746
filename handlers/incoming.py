"""What to keep of an incoming message: its text or caption and, for files, the file's facts."""

from __future__ import annotations

from telegram import Message

from bot.usecases import inbox


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
