"""Telegram update ids already seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


async def record(s: AsyncSession, update_id: int, now: datetime, *also: Any) -> Row[Any] | None:
    """Record the update id, returning `also` (expressions such as scalar subqueries) evaluated in
    the same statement; None when the id had been recorded before (nothing else is read then)."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ProcessedUpdate).values(update_id=update_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"]).returning(ProcessedUpdate.update_id, *also)
    )
    return (await s.exec(statement)).first()  # type: ignore[call-overload,no-any-return]


async def first_time(s: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record the update id; False when it had been recorded before."""
    return await record(s, update_id, now) is not None


async def prune(s: AsyncSession, before: datetime) -> int:
    result = await s.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))  # type: ignore[call-overload]
    return result.rowcount
