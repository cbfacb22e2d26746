"""Admins' broadcasts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Broadcast


async def add(s: AsyncSession, created_by: int, text: str, now: datetime, office_id: int = ROOT_OFFICE_ID) -> Broadcast:
    row = Broadcast(created_by=created_by, text=text, created_at=now, office_id=office_id)
    s.add(row)
    await s.flush()
    return row


async def set_total(s: AsyncSession, row: Broadcast, total: int) -> None:
    row.total = total
    s.add(row)
    await s.flush()


async def mark_reported(s: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """True for the one caller that marks it first."""
    result = await s.exec(
        update(Broadcast).where(col(Broadcast.id) == broadcast_id, col(Broadcast.reported_at).is_(None))
        .values(reported_at=now)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
