"""The audit log: who did what to what, when, and whether it was allowed, in which office."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, AuditEntry


async def add(
    s: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    target: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
    office_id: Any = ROOT_OFFICE_ID,
) -> None:
    """One entry. `office_id`: the office it happened in (an id, or a scalar subquery such as
    `liaisons.office_of(...)`); the root office when the caller does not say."""
    s.add(
        AuditEntry(
            at=at,
            actor_id=actor_id,
            action=action[:40],
            target=target[:200] if target else None,
            outcome=outcome[:10],
            detail=detail[:500] if detail else None,
            office_id=office_id,
        )
    )
    await s.flush()


async def recent(s: AsyncSession, limit: int, office_ids: Iterable[int] | None = None) -> list[AuditEntry]:
    """The newest entries, of the offices `office_ids` (all, when None)."""
    query = select(AuditEntry)
    if office_ids is not None:
        query = query.where(col(AuditEntry.office_id).in_(sorted(set(office_ids))))
    return list(await s.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit)))
