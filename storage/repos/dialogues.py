"""Step-by-step dialogues as rows (`dialogues`): one per person, so any process continues it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Dialogue


async def get(s: AsyncSession, telegram_id: int) -> Dialogue | None:
    return (await s.exec(select(Dialogue).where(Dialogue.telegram_id == telegram_id))).first()


async def put(s: AsyncSession, *, telegram_id: int, chat_id: int, kind: str, step: str, data: str, now: datetime,
              expires_at: datetime) -> None:
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = dict(chat_id=chat_id, kind=kind, step=step, data=data, updated_at=now, expires_at=expires_at)
    await s.exec(insert(Dialogue).values(telegram_id=telegram_id, **values)  # type: ignore[call-overload]
                 .on_conflict_do_update(index_elements=["telegram_id"], set_=values))


async def drop(s: AsyncSession, telegram_id: int) -> None:
    await s.exec(delete(Dialogue).where(col(Dialogue.telegram_id) == telegram_id))  # type: ignore[call-overload]


async def take_expired(s: AsyncSession, now: datetime) -> list[Dialogue]:
    """Remove and return the dialogues idle past their end (each to exactly one process)."""
    rows = await s.exec(delete(Dialogue).where(col(Dialogue.expires_at) <= now)  # type: ignore[call-overload]
                        .returning(Dialogue.telegram_id, Dialogue.chat_id, Dialogue.kind, Dialogue.step,
                                   Dialogue.data))
    return [Dialogue(telegram_id=r[0], chat_id=r[1], kind=r[2], step=r[3], data=r[4], updated_at=now, expires_at=now)
            for r in rows]
