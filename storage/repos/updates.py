"""Telegram update ids already seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


async def first_time(s: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record the update id; False when it had been recorded before."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ProcessedUpdate).values(update_id=update_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"]).returning(ProcessedUpdate.update_id)
    )
    return (await s.exec(statement)).first() is not None  # type: ignore[call-overload]


async def prune(s: AsyncSession, before: datetime) -> int:
    result = await s.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))  # type: ignore[call-overload]
    return result.rowcount
