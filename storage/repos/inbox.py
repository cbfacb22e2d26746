"""Messages kept as they arrived, once per (chat, message id)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundMessage


async def find(s: AsyncSession, chat_id: int, message_id: int) -> InboundMessage | None:
    return (
        await s.exec(select(InboundMessage).where(InboundMessage.chat_id == chat_id, InboundMessage.message_id == message_id))
    ).first()


async def add_once(s: AsyncSession, message: InboundMessage) -> bool:
    """Store the message unless this (chat, message id) is already stored. True when stored now."""
    if await find(s, message.chat_id, message.message_id) is not None:
        return False
    try:
        async with s.begin_nested():
            s.add(message)
            await s.flush()
    except IntegrityError:  # a concurrent delivery of the same update won the race
        return False
    return True
