"""Recording and reading the audit log."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import AuditEntry
from storage.repos import audit as audit_repo


async def record(
    db: Database, *, now: datetime, actor_id: int | None, action: str, target: str | None = None,
    outcome: str = "ok", detail: str | None = None,
) -> None:
    """Record one entry in its own transaction (used for refusals, which roll back everything else)."""
    async with db.transaction() as s:
        await audit_repo.add(s, at=now, actor_id=actor_id, action=action, target=target, outcome=outcome, detail=detail)


async def recent(db: Database, limit: int) -> list[AuditEntry]:
    async with db.session() as s:
        return await audit_repo.recent(s, limit)
