"""What the bot expects as a person's next message (kept in the database, so a restart keeps it)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import PendingInput


async def expect_in(s: AsyncSession, telegram_id: int, kind: str, ref_id: int | None, now: datetime) -> None:
    row = await s.get(PendingInput, telegram_id)
    if row is None:
        row = PendingInput(telegram_id=telegram_id, kind=kind, ref_id=ref_id, created_at=now)
    row.kind, row.ref_id, row.created_at = kind, ref_id, now
    s.add(row)
    await s.flush()


async def take(db: Database, telegram_id: int) -> tuple[str, int | None] | None:
    """The expectation, removed (the caller re-sets it when it should last): one DELETE … RETURNING."""
    async with db.transaction() as s:
        row = (await s.exec(delete(PendingInput).where(col(PendingInput.telegram_id) == telegram_id)  # type: ignore[call-overload]
                            .returning(PendingInput.kind, PendingInput.ref_id))).first()
        return (row[0], row[1]) if row is not None else None


async def clear_in(s: AsyncSession, telegram_id: int) -> None:
    row = await s.get(PendingInput, telegram_id)
    if row is not None:
        await s.delete(row)
        await s.flush()
