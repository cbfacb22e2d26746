"""Recognising commands in messages (shared by the access layer and the fallbacks).

A command is the first word of a text message, or of the caption of a photo or document (a file
sent with `/assign …` or `/report …` as its caption): the access layer treats both alike."""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.ext import filters


def _words(message: Message) -> tuple[str | None, tuple[MessageEntity, ...]]:
    """The message's text and entities, or its caption and caption entities."""
    if message.text is not None:
        return message.text, tuple(message.entities or ())
    return message.caption, tuple(message.caption_entities or ())


def command_of(message: Message | None, bot_username: str | None) -> str | None:
    """The command word of a message (or caption) starting with /command (without @bot), or None.

    A command addressed to another bot (`/x@other_bot`) is not ours: None."""
    if message is None:
        return None
    raw, entities = _words(message)
    if not raw or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    word = raw[1 : first.length]
    name, _, target = word.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower()


def command_text(message: Message | None) -> str:
    """Everything after the command word (of the text or the caption), with line breaks kept."""
    raw = (_words(message)[0] or "") if message else ""
    first_line, _, rest = raw.partition("\n")
    _, _, after = first_line.partition(" ")
    return "\n".join(part for part in (after.strip(), rest.strip()) if part)


def with_caption_command(command: str) -> filters.BaseFilter:
    """A photo or document whose caption is `/command …` (or `/command@bot …`)."""
    return filters.CaptionRegex(rf"^/{command}(@\w+)?(\s|$)") & (filters.PHOTO | filters.Document.ALL)
