"""A person's step-by-step dialogue (the `/assign` dialogue) as a database row: its step and its
draft (JSON the dialogue's own code writes and reads), so that the next message may reach any
process. It ends when finished, cancelled or idle past `expires_at`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.repos import dialogues as dialogue_repo


@dataclass(frozen=True)
class Stored:
    telegram_id: int
    chat_id: int
    kind: str
    step: str
    data: str


async def current(db: Database, telegram_id: int, *, now: datetime) -> Stored | None:
    """The person's dialogue, unless it has none or it has been idle past its end."""
    async with db.session() as s:
        row = await dialogue_repo.get(s, telegram_id)
    if row is None or row.expires_at <= now:
        return None
    return Stored(row.telegram_id, row.chat_id, row.kind, row.step, row.data)


async def keep(db: Database, stored: Stored, *, now: datetime, expires_at: datetime) -> None:
    async with db.transaction() as s:
        await dialogue_repo.put(s, telegram_id=stored.telegram_id, chat_id=stored.chat_id, kind=stored.kind,
                                step=stored.step, data=stored.data, now=now, expires_at=expires_at)


async def end(db: Database, telegram_id: int) -> None:
    async with db.transaction() as s:
        await dialogue_repo.drop(s, telegram_id)


async def idle(db: Database, *, now: datetime) -> list[Stored]:
    """Dialogues idle past their end, removed: each is returned to exactly one caller."""
    async with db.transaction() as s:
        return [Stored(r.telegram_id, r.chat_id, r.kind, r.step, r.data) for r in await dialogue_repo.take_expired(s, now)]
