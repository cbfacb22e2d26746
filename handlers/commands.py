"""Recognising commands in messages (shared by the access layer and the fallbacks)."""

from __future__ import annotations

from telegram import Message, MessageEntity


def command_of(message: Message | None, bot_username: str | None) -> str | None:
    """The command word of a message starting with /command (without @bot), or None.

    A command addressed to another bot (`/x@other_bot`) is not ours: None."""
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    word = message.text[1 : first.length]
    name, _, target = word.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower()


def command_text(message: Message | None) -> str:
    """Everything after the command word, with the sender's line breaks kept."""
    raw = (message.text or "") if message else ""
    first_line, _, rest = raw.partition("\n")
    _, _, after = first_line.partition(" ")
    return "\n".join(part for part in (after.strip(), rest.strip()) if part)
