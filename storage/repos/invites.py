"""Invite codes, looked up by digest only."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry, InviteCode


async def add(
    s: AsyncSession, *, digest: str, department_id: int, kind: str, created_by: int, now: datetime, expires: datetime
) -> InviteCode:
    invite = InviteCode(
        code_digest=digest, department_id=department_id, kind=kind, created_by=created_by, created_at=now, expires_at=expires
    )
    s.add(invite)
    await s.flush()
    return invite


async def by_digest(s: AsyncSession, digest: str) -> InviteCode | None:
    return (await s.exec(select(InviteCode).where(InviteCode.code_digest == digest))).first()


async def revoke_open(s: AsyncSession, department_id: int, kind: str, now: datetime) -> int:
    """Withdraw the department's earlier unused codes of this kind: only the newest one works."""
    rows = list(
        await s.exec(
            select(InviteCode).where(
                InviteCode.department_id == department_id,
                InviteCode.kind == kind,
                col(InviteCode.used_at).is_(None),
                col(InviteCode.revoked_at).is_(None),
                col(InviteCode.expires_at) > now,
            )
        )
    )
    for row in rows:
        row.revoked_at = now
        s.add(row)
    await s.flush()
    return len(rows)


async def failed_attempts(s: AsyncSession, telegram_id: int, since: datetime) -> int:
    """Refused code redemptions by this user since `since` (read from the audit log)."""
    count = await s.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.actor_id == telegram_id,
            AuditEntry.action == "register",
            AuditEntry.outcome == "refused",
            col(AuditEntry.at) >= since,
        )
    )
    return int(count.one())


async def claim(s: AsyncSession, invite_id: int, person_id: int, now: datetime) -> bool:
    """Mark the code used, atomically: False when someone else used it first."""
    result = await s.exec(
        update(InviteCode)
        .where(col(InviteCode.id) == invite_id, col(InviteCode.used_at).is_(None))
        .values(used_at=now, used_by=person_id)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
