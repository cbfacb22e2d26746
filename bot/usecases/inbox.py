"""Keeping what users send that the bot cannot attach to anything else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import InboundMessage
from storage.repos import inbox as inbox_repo


@dataclass(frozen=True)
class Incoming:
    chat_id: int
    message_id: int
    sender_id: int
    kind: str  # text | photo | document | other
    text: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    mime_type: str | None = None


async def keep(db: Database, msg: Incoming, *, now: datetime) -> bool:
    """Store the message once. True when it was new, False for a redelivery."""
    async with db.transaction() as s:
        return await inbox_repo.add_once(
            s,
            InboundMessage(
                chat_id=msg.chat_id, message_id=msg.message_id, sender_id=msg.sender_id, kind=msg.kind[:16],
                text=msg.text, file_id=(msg.file_id or None) and msg.file_id[:200],
                file_name=(msg.file_name or None) and msg.file_name[:255], file_size=msg.file_size,
                mime_type=(msg.mime_type or None) and msg.mime_type[:100], received_at=now,
            ),
        )
