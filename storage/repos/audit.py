"""The audit log: who did what to what, when, and whether it was allowed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry


async def add(
    s: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    target: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    s.add(
        AuditEntry(
            at=at,
            actor_id=actor_id,
            action=action[:40],
            target=target[:200] if target else None,
            outcome=outcome[:10],
            detail=detail[:500] if detail else None,
        )
    )
    await s.flush()


async def recent(s: AsyncSession, limit: int) -> list[AuditEntry]:
    return list(await s.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)))
