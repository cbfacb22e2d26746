"""Telegram update ids already seen."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Row, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate
from storage.repos import people as people_repo


async def record(s: AsyncSession, update_id: int, now: datetime, *also: Any) -> Row[Any] | None:
    """Record the update id, returning `also` (expressions such as scalar subqueries) evaluated in
    the same statement; None when the id had been recorded before (nothing else is read then)."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ProcessedUpdate).values(update_id=update_id, processed_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"]).returning(ProcessedUpdate.update_id, *also)
    )
    return (await s.exec(statement)).first()  # type: ignore[call-overload,no-any-return]


@cache
def _record_and_identify(dialect: str) -> Any:
    """The gate's statement, built once per dialect: building its dozen subqueries anew for every
    update cost about as much CPU as running them."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    sender = bindparam("sender", type_=BigInteger)
    return (insert(ProcessedUpdate).values(update_id=bindparam("update_id"), processed_at=bindparam("now"))
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(ProcessedUpdate.update_id, *people_repo.known_columns(sender)))


async def record_and_identify(s: AsyncSession, update_id: int, now: datetime, telegram_id: int) -> Row[Any] | None:
    """`record`, returning what the bot knows of the sender (`people.known_from` reads it)."""
    statement = _record_and_identify(s.get_bind().dialect.name)
    params = {"update_id": update_id, "now": now, "sender": telegram_id}
    return (await s.exec(statement, params=params)).first()  # type: ignore[call-overload,no-any-return]


async def first_time(s: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record the update id; False when it had been recorded before."""
    return await record(s, update_id, now) is not None


async def prune(s: AsyncSession, before: datetime) -> int:
    result = await s.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))  # type: ignore[call-overload]
    return result.rowcount
